//! Paused-time tests of the retry loop against a scripted fake API: virtual waits, attempt
//! counts, the shared rate limiter, reconciliation of creates whose response was lost, and
//! cancellation (StopProvider) during waits and in-flight attempts.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Gate, drive};
use crate::transport::attempt::{Failure, RawResponse};
use crate::transport::budget::Reading;
use crate::transport::call::{
    BodyFn, Call, Kind, Lookup, ReconcileFn, Reconciled, nothing_to_reconcile,
};
use crate::transport::cancel::Cancellation;
use crate::transport::envelope::Envelope;
use crate::transport::error::{Error, ErrorKind};
use crate::transport::rate_limit::RateLimiter;
use crate::transport::retry::{MAX_RETRY_AFTER, RetryPolicy};

/// What the fake API does with one attempt.
enum Step {
    /// Answers with this status, raw `Retry-After` header and body.
    Answer(u16, Option<&'static str>, String),
    /// The request went out but the connection broke before the answer: maybe applied.
    Lost,
    /// The request went out and no answer came in time: maybe applied.
    TimedOut,
    /// The connection was refused: nothing was sent.
    Refused,
    /// The request went out; after this long in flight the inner step happens.
    InFlight(Duration, Box<Step>),
    /// The inner answer, with this `Ratelimit` header and `"d";q=20;w=15` as the policy.
    Budget(&'static str, Box<Step>),
}

/// One attempt as the fake API saw it.
struct Sent {
    method: Method,
    attempt: u32,
    at: Duration,
    body: Option<String>,
}

/// Plays a script of steps, one per attempt across every call, and records each attempt with
/// the virtual time it arrived at. Every call through it watches `stop`.
struct FakeApi {
    steps: Mutex<VecDeque<Step>>,
    sent: Mutex<Vec<Sent>>,
    start: Instant,
    stop: CancellationToken,
}

impl FakeApi {
    fn new(steps: impl IntoIterator<Item = Step>) -> FakeApi {
        FakeApi {
            steps: Mutex::new(steps.into_iter().collect()),
            sent: Mutex::new(Vec::new()),
            start: Instant::now(),
            stop: CancellationToken::new(),
        }
    }

    /// Cancels `stop` after `after` of virtual time (as StopProvider would).
    fn stop_after(&self, after: Duration) {
        let stop = self.stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            stop.cancel();
        });
    }

    /// Records the attempt, then plays the next step (waiting while it is in flight).
    async fn send(
        &self,
        call: &Call,
        body: Option<Vec<u8>>,
        attempt: u32,
    ) -> Result<RawResponse, Failure> {
        self.sent.lock().unwrap().push(Sent {
            method: call.method.clone(),
            attempt,
            at: self.start.elapsed(),
            body: body.map(|b| String::from_utf8(b).unwrap()),
        });
        let step = self.steps.lock().unwrap().pop_front();
        let mut step = step.unwrap_or_else(|| {
            panic!(
                "unscripted attempt {attempt} of {} {}",
                call.method,
                call.path()
            )
        });
        while let Step::InFlight(duration, inner) = step {
            tokio::time::sleep(duration).await;
            step = *inner;
        }
        let mut budget = None;
        if let Step::Budget(ratelimit, inner) = step {
            budget = Reading::from_headers(Some(ratelimit), Some("\"d\";q=20;w=15"));
            step = *inner;
        }
        let failure = |error, maybe_applied| Failure {
            error,
            maybe_applied,
            retry_after: None,
        };
        match step {
            Step::Answer(status, retry_after, body) => {
                let mut raw = RawResponse::new(status, retry_after, body.into_bytes());
                raw.budget = budget;
                Ok(raw)
            }
            Step::Lost => Err(failure(
                Error::Transport(format!("connection reset (attempt {attempt})")),
                true,
            )),
            Step::TimedOut => Err(failure(Error::Timeout(Duration::from_secs(60)), true)),
            Step::Refused => Err(failure(
                Error::Transport(format!("connection refused (attempt {attempt})")),
                false,
            )),
            Step::InFlight(..) | Step::Budget(..) => unreachable!("unwrapped above"),
        }
    }

    /// Runs `call` through the retry loop with this fake as the transport.
    async fn run<'a, T: DeserializeOwned + Send + 'a>(
        &self,
        call: &Call,
        policy: RetryPolicy,
        limiter: &RateLimiter,
        body: BodyFn<'a>,
        reconcile: ReconcileFn<'a, T>,
    ) -> Result<Envelope<T>, Error> {
        let cancel = Cancellation::new(self.stop.clone());
        self.run_with(call, policy, limiter, &cancel, body, reconcile)
            .await
    }

    async fn run_with<'a, T: DeserializeOwned + Send + 'a>(
        &self,
        call: &Call,
        policy: RetryPolicy,
        limiter: &RateLimiter,
        cancel: &Cancellation,
        body: BodyFn<'a>,
        reconcile: ReconcileFn<'a, T>,
    ) -> Result<Envelope<T>, Error> {
        let gate = Gate {
            limiter,
            cancel,
            prepaid: None,
        };
        drive(call, policy, gate, body, reconcile, |body, attempt| {
            self.send(call, body, attempt)
        })
        .await
    }

    /// A request without body and without reconciliation.
    async fn simple(
        &self,
        call: &Call,
        policy: RetryPolicy,
        limiter: &RateLimiter,
    ) -> Result<Envelope<Value>, Error> {
        self.run(
            call,
            policy,
            limiter,
            &|| Ok(None),
            &mut nothing_to_reconcile,
        )
        .await
    }

    /// Like [`FakeApi::simple`], as the reconciliation lookup's client sends it: after a stop
    /// it still goes out when it needs no wait.
    async fn lookup_request(
        &self,
        call: &Call,
        policy: RetryPolicy,
        limiter: &RateLimiter,
    ) -> Result<Envelope<Value>, Error> {
        let cancel = Cancellation::new(self.stop.clone()).for_lookup();
        self.run_with(
            call,
            policy,
            limiter,
            &cancel,
            &|| Ok(None),
            &mut nothing_to_reconcile,
        )
        .await
    }

    fn times(&self) -> Vec<Duration> {
        self.sent.lock().unwrap().iter().map(|s| s.at).collect()
    }

    /// The waits between consecutive attempts.
    fn gaps(&self) -> Vec<Duration> {
        self.times().windows(2).map(|w| w[1] - w[0]).collect()
    }

    fn methods(&self) -> Vec<String> {
        let sent = self.sent.lock().unwrap();
        sent.iter().map(|s| s.method.to_string()).collect()
    }

    fn attempts(&self) -> Vec<u32> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.attempt)
            .collect()
    }

    fn bodies(&self) -> Vec<Option<String>> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.body.clone())
            .collect()
    }

    fn unused_steps(&self) -> usize {
        self.steps.lock().unwrap().len()
    }
}

fn ok(result: Value) -> Step {
    let body = json!({"success": true, "errors": [], "messages": [], "result": result});
    Step::Answer(200, None, body.to_string())
}

fn api_error(status: u16, message: &str, retry_after: Option<&'static str>) -> Step {
    let body = json!({
        "success": false,
        "errors": [{"code": 1000 + u32::from(status), "message": message}],
        "messages": [],
        "result": null,
    });
    Step::Answer(status, retry_after, body.to_string())
}

fn call(kind: Kind, method: Method, path: &[&str]) -> Call {
    Call::new(kind, method, path.iter().map(|s| s.to_string()).collect())
}

fn quota() -> Call {
    call(Kind::Read, Method::GET, &["accounts", "a", "quota"])
}

fn create_secret() -> Call {
    call(Kind::Create, Method::POST, &["stores", "s", "secrets"])
}

/// 1 s doubling up to 8 s.
fn policy(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        min_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(8),
    }
}

/// The jitter bounds of [`policy`]'s wait before retry `n` (0-based): the ceiling
/// `min(1 s * 2^n, 8 s)` and the floor `max(ceiling / 2, 1 s)`, written out.
const BACKOFF_BOUNDS: [(u64, u64); 6] = [
    (1_000, 1_000),
    (1_000, 2_000),
    (2_000, 4_000),
    (4_000, 8_000),
    (4_000, 8_000),
    (4_000, 8_000),
];

fn assert_backoff(gaps: &[Duration]) {
    for (retry, gap) in gaps.iter().enumerate() {
        let (floor, ceiling) = BACKOFF_BOUNDS[retry];
        let (floor, ceiling) = (Duration::from_millis(floor), Duration::from_millis(ceiling));
        assert!(
            *gap >= floor && *gap <= ceiling,
            "wait before retry {retry} was {gap:?}, expected {floor:?}..={ceiling:?}"
        );
    }
}

/// A limiter that never makes anyone wait in these tests.
fn unlimited() -> RateLimiter {
    RateLimiter::with_burst(1_000.0, 1_000)
}

/// Looks for a secret named `name` by listing through the same fake API.
fn lookup<'a>(api: &'a FakeApi, limiter: &'a RateLimiter, name: &'a str) -> Lookup<'a, Value> {
    Box::pin(async move {
        let list = call(Kind::Read, Method::GET, &["stores", "s", "secrets"]);
        let listed = api.lookup_request(&list, policy(2), limiter).await?;
        let secrets = listed.result.unwrap_or_default();
        let found = secrets
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["name"] == name)
            .cloned();
        Ok(match found {
            Some(secret) => Reconciled::Found(secret),
            None => Reconciled::Missing,
        })
    })
}

fn secret(name: &str) -> Value {
    json!({"id": format!("id-{name}"), "name": name})
}

#[tokio::test(start_paused = true)]
async fn retry_after_30_waits_exactly_30_virtual_seconds() {
    let api = FakeApi::new([
        api_error(429, "Please wait", Some("30")),
        ok(json!({"secrets": 0})),
    ]);
    let started = Instant::now();
    let envelope = api.simple(&quota(), policy(4), &unlimited()).await.unwrap();
    assert_eq!(envelope.result, Some(json!({"secrets": 0})));
    assert_eq!(api.times(), [Duration::ZERO, Duration::from_secs(30)]);
    assert_eq!(started.elapsed(), Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn retry_after_above_the_cap_is_capped() {
    let api = FakeApi::new([
        api_error(429, "Please wait", Some("86400")),
        api_error(503, "Overloaded", Some("100000")),
        ok(json!({})),
    ]);
    api.simple(&quota(), policy(4), &unlimited()).await.unwrap();
    assert_eq!(MAX_RETRY_AFTER, Duration::from_secs(600));
    assert_eq!(api.gaps(), [MAX_RETRY_AFTER, MAX_RETRY_AFTER]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_counts_for_429_and_503_only() {
    let api = FakeApi::new([
        api_error(503, "Overloaded", Some("20")),
        api_error(500, "Internal error", Some("20")),
        api_error(429, "Please wait", Some("0")),
        ok(json!({})),
    ]);
    api.simple(&quota(), policy(4), &unlimited()).await.unwrap();
    let gaps = api.gaps();
    assert_eq!(gaps[0], Duration::from_secs(20));
    // A 500's Retry-After is ignored: the backoff before retry 1 (1 s..=2 s) applies.
    assert!(
        gaps[1] >= Duration::from_secs(1) && gaps[1] <= Duration::from_secs(2),
        "{:?}",
        gaps[1]
    );
    assert_eq!(gaps[2], Duration::ZERO, "Retry-After: 0 retries at once");
}

#[tokio::test(start_paused = true)]
async fn server_errors_back_off_exponentially_then_return_the_last_error() {
    let max_retries = 5;
    let api = FakeApi::new((0..=max_retries).map(|i| {
        let status = [500, 502, 503, 504, 500, 502][i as usize];
        api_error(status, &format!("failure {i}"), None)
    }));
    let started = Instant::now();
    let err = api
        .simple(&quota(), policy(max_retries), &unlimited())
        .await
        .unwrap_err();
    assert_eq!(
        api.attempts(),
        [0, 1, 2, 3, 4, 5],
        "max_retries + 1 attempts"
    );
    assert_eq!(err.status(), Some(502));
    assert_eq!(
        err.messages()[0].message,
        "failure 5",
        "the last error is returned"
    );
    let gaps = api.gaps();
    assert_backoff(&gaps);
    assert_eq!(started.elapsed(), gaps.iter().sum::<Duration>());
    for gap in &gaps {
        assert!(*gap >= Duration::from_secs(1) && *gap <= Duration::from_secs(8));
    }
}

#[tokio::test(start_paused = true)]
async fn backoff_is_jittered_between_runs() {
    let mut waits = HashSet::new();
    for _ in 0..20 {
        let api = FakeApi::new([
            api_error(500, "a", None),
            api_error(500, "b", None),
            api_error(500, "c", None),
            ok(json!({})),
        ]);
        api.simple(&quota(), policy(4), &unlimited()).await.unwrap();
        let gaps = api.gaps();
        assert_backoff(&gaps);
        waits.insert(gaps[2]);
    }
    assert!(
        waits.len() > 1,
        "20 runs all waited {waits:?} before retry 2"
    );
}

#[tokio::test(start_paused = true)]
async fn connection_errors_and_timeouts_back_off_then_return_the_last_error() {
    let api = FakeApi::new([Step::Refused, Step::TimedOut, Step::Lost, Step::Refused]);
    let err = api
        .simple(&quota(), policy(3), &unlimited())
        .await
        .unwrap_err();
    assert_eq!(api.attempts(), [0, 1, 2, 3]);
    assert!(
        matches!(&err, Error::Transport(m) if m == "connection refused (attempt 3)"),
        "{err:?}"
    );
    assert_backoff(&api.gaps());

    let api = FakeApi::new([Step::TimedOut, ok(json!({"secrets": 1}))]);
    let envelope = api.simple(&quota(), policy(3), &unlimited()).await.unwrap();
    assert_eq!(envelope.result, Some(json!({"secrets": 1})));
    assert_eq!(api.times(), [Duration::ZERO, Duration::from_secs(1)]);
}

#[tokio::test(start_paused = true)]
async fn max_retries_zero_sends_once() {
    let api = FakeApi::new([api_error(503, "Overloaded", Some("1")), ok(json!({}))]);
    let err = api
        .simple(&quota(), policy(0), &unlimited())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(api.attempts(), [0]);
    assert_eq!(api.unused_steps(), 1);
}

#[tokio::test(start_paused = true)]
async fn client_errors_other_than_429_are_not_retried() {
    for status in [400, 401, 403, 404, 405, 409, 413, 422] {
        let api = FakeApi::new([api_error(status, "no", None), ok(json!({}))]);
        let started = Instant::now();
        let err = api
            .simple(&quota(), policy(4), &unlimited())
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(api.attempts(), [0], "HTTP {status} was retried");
        assert_eq!(api.unused_steps(), 1);
        assert_eq!(started.elapsed(), Duration::ZERO);
    }
}

#[tokio::test(start_paused = true)]
async fn the_shared_rate_limiter_spaces_concurrent_requests_at_its_rate() {
    // 4 requests per second with the default burst of 4.
    let limiter = RateLimiter::new(4.0);
    let api = Arc::new(FakeApi::new((0..10).map(|_| ok(json!({})))));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (api, limiter) = (api.clone(), limiter.clone());
        tasks.spawn(async move { api.simple(&quota(), policy(4), &limiter).await.map(|_| ()) });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    let mut times = api.times();
    times.sort();
    let ms = |n: u64| Duration::from_millis(n);
    assert_eq!(times, [0, 0, 0, 0, 250, 500, 750, 1000, 1250, 1500].map(ms));
}

#[tokio::test(start_paused = true)]
async fn retries_wait_for_the_rate_limiter_too() {
    let limiter = RateLimiter::with_burst(0.5, 1);
    let quick = RetryPolicy {
        max_retries: 2,
        min_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(10),
    };
    let api = FakeApi::new([api_error(502, "Bad gateway", None), ok(json!({}))]);
    api.simple(&quota(), quick, &limiter).await.unwrap();
    assert_eq!(api.times(), [Duration::ZERO, Duration::from_secs(2)]);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_holds_every_caller_of_the_limiter_not_only_the_one_that_got_it() {
    // Ported from the client tests, which raced the 429's arrival against a 100 ms sleep.
    let api = FakeApi::new([
        api_error(429, "Please wait", Some("1")),
        ok(json!({})),
        ok(json!({})),
    ]);
    let (limiter, quota) = (unlimited(), quota());
    let first = api.simple(&quota, policy(1), &limiter);
    let second = async {
        // Starts while the first waits out its Retry-After.
        tokio::time::sleep(Duration::from_millis(100)).await;
        api.simple(&quota, policy(1), &limiter).await
    };
    let (first, second) = tokio::join!(first, second);
    first.unwrap();
    second.unwrap();
    // The second call's only attempt waited for the end of the hold too.
    assert_eq!(api.attempts(), [0, 0, 1]);
    let ms = |n: u64| Duration::from_millis(n);
    assert_eq!(api.times(), [ms(0), ms(1000), ms(1001)]);
}

#[tokio::test(start_paused = true)]
async fn a_prepaid_first_attempt_waits_for_no_token_but_its_retries_do() {
    // One token per 2 s, and the caller already holds the only one.
    let limiter = RateLimiter::with_burst(0.5, 1);
    let prepaid = limiter.try_acquire();
    assert!(prepaid.is_some());
    let quick = RetryPolicy {
        max_retries: 2,
        min_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(10),
    };
    let api = FakeApi::new([api_error(502, "Bad gateway", None), ok(json!({}))]);
    let cancel = Cancellation::new(api.stop.clone());
    let quota = quota();
    let gate = Gate {
        limiter: &limiter,
        cancel: &cancel,
        prepaid,
    };
    drive::<Value, _, _>(
        &quota,
        quick,
        gate,
        &|| Ok(None),
        &mut nothing_to_reconcile,
        |body, attempt| api.send(&quota, body, attempt),
    )
    .await
    .unwrap();
    assert_eq!(api.times(), [Duration::ZERO, Duration::from_secs(2)]);
}

#[tokio::test(start_paused = true)]
async fn a_lost_create_that_was_applied_is_found_and_not_sent_again() {
    let api = FakeApi::new([Step::Lost, ok(json!([secret("OTHER"), secret("API_KEY")]))]);
    let limiter = unlimited();
    let body = json!([{"name": "API_KEY"}]).to_string().into_bytes();
    let envelope = api
        .run(
            &create_secret(),
            policy(4),
            &limiter,
            &|| Ok(Some(body.clone())),
            &mut || lookup(&api, &limiter, "API_KEY"),
        )
        .await
        .unwrap();
    assert_eq!(envelope.result, Some(secret("API_KEY")));
    assert_eq!(api.methods(), ["POST", "GET"], "no second POST");
}

#[tokio::test(start_paused = true)]
async fn a_lost_create_that_was_not_applied_is_retried_once() {
    let api = FakeApi::new([
        Step::Lost,
        ok(json!([secret("OTHER")])),
        ok(json!([secret("API_KEY")])),
    ]);
    let limiter = unlimited();
    let body = json!([{"name": "API_KEY"}]).to_string().into_bytes();
    let envelope = api
        .run(
            &create_secret(),
            policy(4),
            &limiter,
            &|| Ok(Some(body.clone())),
            &mut || lookup(&api, &limiter, "API_KEY"),
        )
        .await
        .unwrap();
    assert_eq!(envelope.result, Some(json!([secret("API_KEY")])));
    assert_eq!(api.methods(), ["POST", "GET", "POST"]);
    assert_eq!(api.unused_steps(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_create_answered_with_a_server_error_is_looked_up_before_a_retry() {
    let api = FakeApi::new([
        api_error(500, "Internal error", None),
        ok(json!([])),
        ok(json!([secret("API_KEY")])),
    ]);
    let limiter = unlimited();
    let envelope = api
        .run(
            &create_secret(),
            policy(4),
            &limiter,
            &|| Ok(None),
            &mut || lookup(&api, &limiter, "API_KEY"),
        )
        .await
        .unwrap();
    assert_eq!(envelope.result, Some(json!([secret("API_KEY")])));
    assert_eq!(api.methods(), ["POST", "GET", "POST"]);
}

#[tokio::test(start_paused = true)]
async fn a_create_that_was_never_sent_is_retried_without_a_lookup() {
    let api = FakeApi::new([Step::Refused, ok(json!([secret("API_KEY")]))]);
    let limiter = unlimited();
    api.run(
        &create_secret(),
        policy(4),
        &limiter,
        &|| Ok(None),
        &mut || lookup(&api, &limiter, "API_KEY"),
    )
    .await
    .unwrap();
    assert_eq!(api.methods(), ["POST", "POST"]);
}

/// The statuses a duplicate name comes with: clients of the API disagree (409 or 400).
const NAME_CONFLICT_STATUSES: [u16; 2] = [409, 400];

#[tokio::test(start_paused = true)]
async fn a_rejected_create_is_neither_looked_up_nor_retried() {
    for status in NAME_CONFLICT_STATUSES {
        let api = FakeApi::new([api_error(status, "secret_name_already_exists", None)]);
        let limiter = unlimited();
        let err = api
            .run(
                &create_secret(),
                policy(4),
                &limiter,
                &|| Ok(None),
                &mut || lookup(&api, &limiter, "API_KEY"),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NameConflict, "{status}: {err}");
        assert_eq!(api.methods(), ["POST"], "{status}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_lost_create_is_reconciled_even_without_retries_left() {
    let found = FakeApi::new([Step::Lost, ok(json!([secret("API_KEY")]))]);
    let limiter = unlimited();
    let envelope = found
        .run(
            &create_secret(),
            policy(0),
            &limiter,
            &|| Ok(None),
            &mut || lookup(&found, &limiter, "API_KEY"),
        )
        .await
        .unwrap();
    assert_eq!(envelope.result, Some(secret("API_KEY")));
    assert_eq!(found.methods(), ["POST", "GET"]);

    let missing = FakeApi::new([Step::Lost, ok(json!([]))]);
    let err = missing
        .run(
            &create_secret(),
            policy(0),
            &limiter,
            &|| Ok(None),
            &mut || lookup(&missing, &limiter, "API_KEY"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(m) if m.contains("reset")),
        "{err:?}"
    );
    assert_eq!(missing.methods(), ["POST", "GET"], "no retry is left");
}

#[tokio::test(start_paused = true)]
async fn a_conflict_after_a_lost_create_is_resolved_by_lookup() {
    for status in NAME_CONFLICT_STATUSES {
        // The first POST was applied but the lookup did not see it yet; the retry then
        // conflicts and a second lookup finds the secret.
        let api = FakeApi::new([
            Step::Lost,
            ok(json!([])),
            api_error(status, "secret_name_already_exists: API_KEY", None),
            ok(json!([secret("API_KEY")])),
        ]);
        let limiter = unlimited();
        let envelope = api
            .run(
                &create_secret(),
                policy(4),
                &limiter,
                &|| Ok(None),
                &mut || lookup(&api, &limiter, "API_KEY"),
            )
            .await
            .unwrap();
        assert_eq!(envelope.result, Some(secret("API_KEY")), "{status}");
        assert_eq!(api.methods(), ["POST", "GET", "POST", "GET"], "{status}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_partly_applied_batch_create_resends_only_the_rest() {
    let api = FakeApi::new([
        Step::Lost,
        ok(json!([secret("A")])),
        ok(json!([secret("B")])),
    ]);
    let limiter = unlimited();
    let remaining = Mutex::new(vec!["A", "B"]);
    let body = || {
        Ok(Some(
            json!(*remaining.lock().unwrap()).to_string().into_bytes(),
        ))
    };
    let envelope = api
        .run::<Value>(&create_secret(), policy(4), &limiter, &body, &mut || {
            Box::pin(async {
                let list = call(Kind::Read, Method::GET, &["stores", "s", "secrets"]);
                let listed = api.simple(&list, policy(2), &limiter).await?.result;
                let names: Vec<Value> = listed.unwrap().as_array().unwrap().clone();
                remaining
                    .lock()
                    .unwrap()
                    .retain(|n| !names.iter().any(|s| s["name"] == *n));
                Ok(Reconciled::Partial)
            })
        })
        .await
        .unwrap();
    assert_eq!(envelope.result, Some(json!([secret("B")])));
    assert_eq!(api.methods(), ["POST", "GET", "POST"]);
    let bodies = api.bodies();
    assert_eq!(bodies[0].as_deref(), Some(r#"["A","B"]"#));
    assert_eq!(bodies[2].as_deref(), Some(r#"["B"]"#));
}

#[tokio::test(start_paused = true)]
async fn a_delete_whose_response_was_lost_is_done_when_the_retry_finds_nothing() {
    let delete = call(
        Kind::Delete,
        Method::DELETE,
        &["stores", "s", "secrets", "x"],
    );
    let api = FakeApi::new([Step::Lost, api_error(404, "secret_not_found", None)]);
    let envelope = api.simple(&delete, policy(4), &unlimited()).await.unwrap();
    assert_eq!(envelope.result, None);
    assert_eq!(api.attempts(), [0, 1]);

    let api = FakeApi::new([api_error(404, "secret_not_found", None)]);
    let err = api
        .simple(&delete, policy(4), &unlimited())
        .await
        .unwrap_err();
    assert!(
        err.kind() == ErrorKind::NotFound,
        "a delete of something that never existed is an error"
    );
}

fn cancelled(may_have_applied: bool) -> impl Fn(&Error) -> bool {
    move |err| matches!(err, Error::Cancelled { may_have_applied: m } if *m == may_have_applied)
}

fn patch_secret() -> Call {
    call(
        Kind::Update,
        Method::PATCH,
        &["stores", "s", "secrets", "x"],
    )
}

#[tokio::test(start_paused = true)]
async fn a_stop_during_a_600_s_retry_after_returns_cancelled_at_once() {
    let api = FakeApi::new([api_error(429, "Please wait", Some("600")), ok(json!({}))]);
    api.stop_after(Duration::from_secs(1));
    let started = Instant::now();
    let err = api
        .simple(&quota(), policy(4), &unlimited())
        .await
        .unwrap_err();
    assert!(cancelled(false)(&err), "{err:?}");
    assert_eq!(started.elapsed(), Duration::from_secs(1));
    assert_eq!(api.attempts(), [0], "no second attempt");
    assert_eq!(api.unused_steps(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_stop_during_backoff_returns_cancelled_and_says_a_write_may_have_applied() {
    // policy(4) waits exactly 1 s before retry 0, then 1 s..=2 s before retry 1.
    let api = FakeApi::new([
        api_error(500, "Internal error", None),
        api_error(502, "Bad gateway", None),
        ok(json!({})),
    ]);
    api.stop_after(Duration::from_millis(1_500));
    let started = Instant::now();
    let err = api
        .simple(&patch_secret(), policy(4), &unlimited())
        .await
        .unwrap_err();
    // A 5xx to a PATCH may have been applied: the error says so.
    assert!(cancelled(true)(&err), "{err:?}");
    assert_eq!(started.elapsed(), Duration::from_millis(1_500));
    assert_eq!(api.times(), [Duration::ZERO, Duration::from_secs(1)]);
    assert_eq!(api.unused_steps(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_stop_while_waiting_for_the_rate_limiter_sends_nothing_more() {
    // One request per 10 s: the second call waits for its token.
    let limiter = RateLimiter::with_burst(0.1, 1);
    let api = FakeApi::new([ok(json!({})), ok(json!({}))]);
    api.simple(&quota(), policy(4), &limiter).await.unwrap();
    api.stop_after(Duration::from_secs(2));
    let started = Instant::now();
    let err = api.simple(&quota(), policy(4), &limiter).await.unwrap_err();
    assert!(cancelled(false)(&err), "{err:?}");
    assert_eq!(started.elapsed(), Duration::from_secs(2));
    assert_eq!(api.attempts(), [0], "only the first call was sent");
}

#[tokio::test(start_paused = true)]
async fn a_stop_before_the_first_attempt_sends_nothing() {
    let api = FakeApi::new([ok(json!([secret("API_KEY")]))]);
    api.stop.cancel();
    let limiter = unlimited();
    let err = api
        .run(
            &create_secret(),
            policy(4),
            &limiter,
            &|| Ok(None),
            &mut || lookup(&api, &limiter, "API_KEY"),
        )
        .await
        .unwrap_err();
    assert!(cancelled(false)(&err), "{err:?}");
    assert!(api.attempts().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_attempt_in_flight_when_stopped_completes_and_its_answer_counts() {
    let api = FakeApi::new([Step::InFlight(
        Duration::from_secs(5),
        Box::new(ok(json!({"secrets": 3}))),
    )]);
    api.stop_after(Duration::from_secs(1));
    let started = Instant::now();
    let envelope = api.simple(&quota(), policy(4), &unlimited()).await.unwrap();
    assert_eq!(envelope.result, Some(json!({"secrets": 3})));
    assert_eq!(started.elapsed(), Duration::from_secs(5));

    // An in-flight attempt answered with 429 is not retried after the stop.
    let api = FakeApi::new([
        Step::InFlight(
            Duration::from_secs(5),
            Box::new(api_error(429, "Please wait", Some("600"))),
        ),
        ok(json!({})),
    ]);
    api.stop_after(Duration::from_secs(1));
    let started = Instant::now();
    let err = api
        .simple(&quota(), policy(4), &unlimited())
        .await
        .unwrap_err();
    assert!(cancelled(false)(&err), "{err:?}");
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert_eq!(api.attempts(), [0]);
}

#[tokio::test(start_paused = true)]
async fn a_create_lost_in_flight_when_stopped_is_looked_up_without_waiting() {
    // Applied: the lookup finds it and it is the result (so it is not orphaned).
    let api = FakeApi::new([
        Step::InFlight(Duration::from_secs(5), Box::new(Step::Lost)),
        ok(json!([secret("API_KEY")])),
    ]);
    api.stop_after(Duration::from_secs(1));
    let limiter = unlimited();
    let started = Instant::now();
    let envelope = api
        .run(
            &create_secret(),
            policy(4),
            &limiter,
            &|| Ok(None),
            &mut || lookup(&api, &limiter, "API_KEY"),
        )
        .await
        .unwrap();
    assert_eq!(envelope.result, Some(secret("API_KEY")));
    assert_eq!(api.methods(), ["POST", "GET"]);
    assert_eq!(started.elapsed(), Duration::from_secs(5), "no backoff");

    // Not applied: cancelled, and known not to have been created; no second POST.
    let api = FakeApi::new([
        Step::InFlight(Duration::from_secs(5), Box::new(Step::Lost)),
        ok(json!([])),
        ok(json!([secret("API_KEY")])),
    ]);
    api.stop_after(Duration::from_secs(1));
    let err = api
        .run(
            &create_secret(),
            policy(4),
            &limiter,
            &|| Ok(None),
            &mut || lookup(&api, &limiter, "API_KEY"),
        )
        .await
        .unwrap_err();
    assert!(cancelled(false)(&err), "{err:?}");
    assert_eq!(api.methods(), ["POST", "GET"]);
}

#[tokio::test(start_paused = true)]
async fn a_lookup_that_would_wait_after_a_stop_is_skipped_and_the_outcome_stays_open() {
    // One request per 10 s: the POST takes the only token, the lookup would have to wait.
    let limiter = RateLimiter::with_burst(0.1, 1);
    let api = FakeApi::new([
        Step::InFlight(Duration::from_secs(5), Box::new(Step::Lost)),
        ok(json!([secret("API_KEY")])),
    ]);
    api.stop_after(Duration::from_secs(1));
    let started = Instant::now();
    let err = api
        .run(
            &create_secret(),
            policy(4),
            &limiter,
            &|| Ok(None),
            &mut || lookup(&api, &limiter, "API_KEY"),
        )
        .await
        .unwrap_err();
    assert!(cancelled(true)(&err), "{err:?}");
    assert_eq!(api.methods(), ["POST"]);
    assert_eq!(started.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn every_answer_reports_the_budget_and_at_the_reserve_every_later_request_waits() {
    let budget = |ratelimit, step| Step::Budget(ratelimit, Box::new(step));
    let api = FakeApi::new([
        // A server error still reports the budget: 2 left (the reserve of a quota of 20).
        budget("\"d\";r=2;t=6", api_error(503, "Overloaded", None)),
        budget("\"d\";r=19;t=15", ok(json!({}))),
        ok(json!({})),
    ]);
    let limiter = RateLimiter::with_burst(100.0, 5);
    api.simple(&quota(), policy(2), &limiter).await.unwrap();
    let times = api.times();
    // The retry waited for the window to reset (6 s) plus the restart jitter, not the 1-2 s
    // backoff.
    assert!(
        times[1] >= Duration::from_millis(6250) && times[1] <= Duration::from_millis(7500),
        "{times:?}"
    );
    // A new window, 17 to spare over 15 s: at most 17 / 15 per second (slower, as the first
    // reading showed 18 requests spent by others), never later than the window's end.
    api.simple(&quota(), policy(2), &limiter).await.unwrap();
    let gap = api.times()[2] - times[1];
    assert!(
        gap >= Duration::from_secs_f64(15.0 / 17.0) && gap <= Duration::from_secs(15),
        "{gap:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn without_budget_headers_the_configured_pace_holds() {
    let api = FakeApi::new([ok(json!({})), ok(json!({})), ok(json!({}))]);
    let limiter = RateLimiter::with_burst(2.0, 1);
    for _ in 0..3 {
        api.simple(&quota(), policy(0), &limiter).await.unwrap();
    }
    let ms = |n: u64| Duration::from_millis(n);
    assert_eq!(api.times(), [ms(0), ms(500), ms(1000)]);
}
