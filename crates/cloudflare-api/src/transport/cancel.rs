//! How a client reacts to Terraform's StopProvider: the cancellation token it watches while it
//! waits, and whether a request that needs no wait may still go out after the token fired.

use tokio_util::sync::CancellationToken;

/// The client's view of a stop request. The default never fires (a client without a stop
/// token).
#[derive(Clone, Debug, Default)]
pub(super) struct Cancellation {
    pub(super) token: CancellationToken,
    /// After the token fired, a request may still be sent when it needs no wait (a rate-limit
    /// token is free now). Only set for the lookup that checks whether a create whose response
    /// was lost was applied: that one cheap request is what keeps a created object from being
    /// orphaned by a stop.
    pub(super) send_without_wait_after_cancel: bool,
}

impl Cancellation {
    /// Stops at the first wait or before the next request once `token` fires.
    pub(super) fn new(token: CancellationToken) -> Cancellation {
        Cancellation {
            token,
            send_without_wait_after_cancel: false,
        }
    }

    /// The same token, for a reconciliation lookup (see `send_without_wait_after_cancel`).
    pub(super) fn for_lookup(&self) -> Cancellation {
        Cancellation {
            token: self.token.clone(),
            send_without_wait_after_cancel: true,
        }
    }
}
