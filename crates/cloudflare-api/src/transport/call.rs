//! What the transport needs to know about one API operation: method and path, how it may be
//! retried, and, for a create, how to find out whether an attempt whose response was lost took
//! effect.

use std::future::Future;
use std::pin::Pin;

use reqwest::Method;

use super::error::Error;

/// How a request may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Safe to repeat.
    Read,
    /// Repeating it is harmless (same body, same outcome).
    Update,
    /// Repeating it after a lost response may answer "not found": that means done.
    Delete,
    /// Not idempotent: a possibly applied attempt is reconciled by name before any retry.
    Create,
}

/// One API operation: method, path segments below the base URL, query.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) kind: Kind,
    pub(crate) method: Method,
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(&'static str, String)>,
}

impl Call {
    /// A call without query parameters.
    pub(crate) fn new(kind: Kind, method: Method, segments: Vec<String>) -> Call {
        Call {
            kind,
            method,
            segments,
            query: Vec::new(),
        }
    }

    /// The path below the base URL, for logs and messages.
    pub(crate) fn path(&self) -> String {
        format!("/{}", self.segments.join("/"))
    }
}

/// What a lookup after a possibly applied create found.
pub(crate) enum Reconciled<T> {
    /// Everything the request wanted to create exists: this is the result.
    Found(T),
    /// Nothing of it exists: the request may be sent again as it is.
    Missing,
    /// Part of it exists and the body now only holds the rest: send that.
    Partial,
}

/// A boxed lookup run after a possibly applied create (boxed so every endpoint future stays
/// `Send` and the recursion through list calls stays small).
pub(crate) type Lookup<'a, T> =
    Pin<Box<dyn Future<Output = Result<Reconciled<T>, Error>> + Send + 'a>>;

/// Builds the body of the next attempt (a batch create shrinks after a partial success).
pub(crate) type BodyFn<'a> = &'a (dyn Fn() -> Result<Option<Vec<u8>>, Error> + Send + Sync + 'a);

/// Looks up what a possibly applied create left behind.
pub(crate) type ReconcileFn<'a, T> = &'a mut (dyn FnMut() -> Lookup<'a, T> + Send + 'a);

/// The lookup of a request that never needs one.
pub(crate) fn nothing_to_reconcile<'a, T: Send + 'a>() -> Lookup<'a, T> {
    Box::pin(async { Ok(Reconciled::Missing) })
}
