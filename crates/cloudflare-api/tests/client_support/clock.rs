//! The tokio clock under a test's control while the emulator answers over a real socket: frozen
//! until the test moves it, or moved at once between requests. (Also used by the root package's
//! `tests/provider_data.rs`.)

use std::sync::mpsc;
use std::time::Duration;

/// The longest (real time) a clock stays frozen: then it runs ahead by itself again, so a test
/// that waits for something only the clock could bring fails on its assertions, not by hanging.
const THAWS_AFTER: Duration = Duration::from_secs(60);

/// The runtime's tokio clock, paused and moved only by [`FrozenClock::advance`]: requests over the
/// socket take their real time, and no timer (a request timeout, a rate-limit wait, a batching
/// window, a `Retry-After`) fires unless the test moves the clock past it.
///
/// A paused clock alone does not do: tokio moves it to the next timer whenever the runtime has
/// nothing to run, waiting for a socket included, so a request timeout would fire while the
/// answer is on its way. A running blocking task keeps tokio from doing that (its documented
/// way, see `tokio::time::pause`); this one runs until [`FrozenClock::thaw`] or a drop.
pub struct FrozenClock {
    hold: Option<mpsc::Sender<()>>,
}

impl FrozenClock {
    /// Freezes the clock of the current runtime (a current-thread one, as `#[tokio::test]`'s).
    pub fn freeze() -> FrozenClock {
        tokio::time::pause();
        let (hold, held) = mpsc::channel::<()>();
        tokio::task::spawn_blocking(move || {
            if held.recv_timeout(THAWS_AFTER) == Err(mpsc::RecvTimeoutError::Timeout) {
                eprintln!(
                    "the frozen clock ran on after {THAWS_AFTER:?}: the test waited for a \
                     timer it never moved the clock to"
                );
            }
        });
        FrozenClock { hold: Some(hold) }
    }

    /// Moves the clock `by` forward: every timer due by then fires.
    pub async fn advance(&self, by: Duration) {
        tokio::time::advance(by).await;
    }

    /// Lets the clock run in real time again, from where the test moved it.
    pub fn thaw(mut self) {
        self.hold = None;
        tokio::time::resume();
    }
}

/// Moves the running clock `by` forward at once, e.g. past the emulator's activation delay
/// (which runs on the tokio clock). Call it between requests: none may be in flight.
pub async fn jump(by: Duration) {
    let clock = FrozenClock::freeze();
    clock.advance(by).await;
    clock.thaw();
}
