//! The enforced rate budget (`EmulatorConfig::rate_limit`), on paused tokio time: counted per
//! credential, errors included; the request over the quota answers 429 and starts a lockout as
//! long as the window; exact `Ratelimit` headers at every step; the report, in process and over
//! HTTP.

mod emulator_support;

use std::time::Duration;

use api_emulator::{
    EmulatorConfig, EmulatorState, RATE_LIMIT_REPORT_PATH, RateBudget, RateLimitReport,
    RunningEmulator,
};
use axum::http::StatusCode;
use emulator_support::{ACCOUNT, Auth, Emulator, Reply, TOKEN};
use serde_json::{Value, json};

const OTHER_TOKEN: &str = "other-token-456";

/// An emulator enforcing `quota` requests per `seconds` per credential.
fn enforcing(quota: u32, seconds: u64) -> Emulator {
    Emulator::with_config(|config| {
        config.api_key = Some(("me@example.com".into(), "global-key".into()));
        config.rate_limit = Some(RateBudget {
            quota,
            window: Duration::from_secs(seconds),
        });
    })
}

/// `(r, t)` of the reply's `Ratelimit` header, checking its exact format.
fn ratelimit(reply: &Reply) -> (u32, u64) {
    let header = reply.headers["ratelimit"].to_str().unwrap();
    let rest = header
        .strip_prefix("\"default\";r=")
        .unwrap_or_else(|| panic!("unexpected Ratelimit {header:?}"));
    let (remaining, reset) = rest
        .split_once(";t=")
        .unwrap_or_else(|| panic!("unexpected Ratelimit {header:?}"));
    (remaining.parse().unwrap(), reset.parse().unwrap())
}

fn retry_after(reply: &Reply) -> Option<u64> {
    reply
        .headers
        .get("retry-after")
        .map(|value| value.to_str().unwrap().parse().unwrap())
}

/// Asserts a 429 of the budget: code 971, `Retry-After` and `t` both `seconds`, `r=0`.
fn assert_locked_out(reply: &Reply, seconds: u64) {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.text
    );
    assert_eq!(
        reply.error(),
        (
            971,
            "Please wait and consider throttling your request speed".to_string()
        )
    );
    assert_eq!(retry_after(reply), Some(seconds));
    assert_eq!(ratelimit(reply), (0, seconds));
}

async fn quota_as(emulator: &Emulator, auth: Auth<'_>) -> Reply {
    let uri = format!("/client/v4/accounts/{ACCOUNT}/secrets_store/quota");
    emulator.raw("GET", &uri, None, auth).await
}

async fn advance_ms(milliseconds: u64) {
    tokio::time::advance(Duration::from_millis(milliseconds)).await;
}

#[tokio::test(start_paused = true)]
async fn the_request_over_the_quota_is_refused_and_locks_the_credential_out_for_a_window() {
    let emulator = enforcing(3, 10);
    let first = emulator.call("GET", "/quota", None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(ratelimit(&first), (2, 10));
    assert_eq!(first.headers["ratelimit-policy"], "\"default\";q=3;w=10");
    assert_eq!(retry_after(&first), None);
    advance_ms(1_500).await;
    let second = emulator.call("GET", "/quota", None).await;
    assert_eq!(
        (second.status, ratelimit(&second)),
        (StatusCode::OK, (1, 9))
    );
    advance_ms(1_000).await;
    let third = emulator.call("GET", "/quota", None).await;
    assert_eq!((third.status, ratelimit(&third)), (StatusCode::OK, (0, 8)));

    // The 4th request at 3 s starts a 10 s lockout: until 13 s.
    advance_ms(500).await;
    let over = emulator
        .call("POST", "/stores", Some(json!({"name": "s"})))
        .await;
    assert_locked_out(&over, 10);
    assert_eq!(over.headers["ratelimit-policy"], "\"default\";q=3;w=10");
    for (step, left) in [(2_000, 8), (2_000, 6), (2_000, 4), (2_000, 2), (1_500, 1)] {
        advance_ms(step).await;
        let refused = emulator
            .call("POST", "/stores", Some(json!({"name": "s"})))
            .await;
        assert_locked_out(&refused, left);
    }
    assert!(
        emulator.state.stores().is_empty(),
        "refused writes are not applied"
    );

    // At 13 s the lockout is over and the next request begins a fresh window.
    advance_ms(500).await;
    let after = emulator.call("GET", "/quota", None).await;
    assert_eq!((after.status, ratelimit(&after)), (StatusCode::OK, (2, 10)));
    assert_eq!(
        emulator.state.rate_limit_report(),
        RateLimitReport {
            lockouts: 1,
            budget_429s: 6,
            lowest_remaining: Some(0),
            requests: 10,
        }
    );
}

#[tokio::test(start_paused = true)]
async fn a_window_that_ends_below_the_quota_simply_starts_again() {
    let emulator = enforcing(3, 10);
    for expected in [(2, 10), (1, 10)] {
        assert_eq!(
            ratelimit(&emulator.call("GET", "/quota", None).await),
            expected
        );
    }
    advance_ms(9_999).await;
    let late = emulator.call("GET", "/quota", None).await;
    assert_eq!((late.status, ratelimit(&late)), (StatusCode::OK, (0, 1)));
    advance_ms(1).await;
    let next = emulator.call("GET", "/quota", None).await;
    assert_eq!((next.status, ratelimit(&next)), (StatusCode::OK, (2, 10)));
    let report = emulator.state.rate_limit_report();
    assert_eq!((report.lockouts, report.budget_429s), (0, 0));
    assert_eq!((report.lowest_remaining, report.requests), (Some(0), 4));
}

#[tokio::test(start_paused = true)]
async fn each_credential_has_its_own_budget_valid_or_not() {
    let emulator = enforcing(2, 60);
    for _ in 0..2 {
        assert_eq!(
            emulator.call("GET", "/quota", None).await.status,
            StatusCode::OK
        );
    }
    assert_locked_out(&emulator.call("GET", "/quota", None).await, 60);

    // The locked-out token does not hold back any other credential.
    let other = quota_as(&emulator, Auth::Token(OTHER_TOKEN)).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "an unknown token");
    assert_eq!(ratelimit(&other), (1, 60));
    let other_again = quota_as(&emulator, Auth::Token(OTHER_TOKEN)).await;
    assert_eq!(ratelimit(&other_again), (0, 60));
    assert_locked_out(&quota_as(&emulator, Auth::Token(OTHER_TOKEN)).await, 60);
    let pair = Auth::KeyPair("me@example.com", "global-key");
    let by_key = quota_as(&emulator, pair).await;
    assert_eq!(
        (by_key.status, ratelimit(&by_key)),
        (StatusCode::OK, (1, 60))
    );
    let wrong_key = quota_as(&emulator, Auth::KeyPair("me@example.com", "wrong")).await;
    assert_eq!(wrong_key.status, StatusCode::FORBIDDEN);
    assert_eq!(ratelimit(&wrong_key), (1, 60));
    let anonymous = quota_as(&emulator, Auth::Nothing).await;
    assert_eq!(anonymous.status, StatusCode::BAD_REQUEST);
    assert_eq!(ratelimit(&anonymous), (1, 60));

    assert_locked_out(&emulator.call("GET", "/quota", None).await, 60);
    let report = emulator.state.rate_limit_report();
    assert_eq!((report.lockouts, report.budget_429s), (2, 3));
    assert_eq!(report.requests, 10);
}

#[tokio::test(start_paused = true)]
async fn errors_and_injected_faults_count_and_carry_the_headers() {
    let emulator = enforcing(3, 30);
    let missing = emulator.call("GET", "/stores/nope", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(ratelimit(&missing), (2, 30));
    emulator.state.faults().fail_next(1, 503);
    let failed = emulator.call("GET", "/quota", None).await;
    assert_eq!(failed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ratelimit(&failed), (1, 30));
    emulator.state.faults().rate_limit_next(1, 7);
    let injected = emulator.call("GET", "/quota", None).await;
    assert_eq!(injected.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        retry_after(&injected),
        Some(7),
        "the injected 429 keeps its own"
    );
    assert_eq!(ratelimit(&injected), (0, 30));
    assert_eq!(emulator.state.rate_limit_report().budget_429s, 0);

    // Faults set during the lockout wait for a request the budget lets through.
    emulator.state.faults().fail_next(1, 503);
    assert_locked_out(&emulator.call("GET", "/quota", None).await, 30);
    advance_ms(30_000).await;
    let after = emulator.call("GET", "/quota", None).await;
    assert_eq!(after.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ratelimit(&after), (2, 30));
}

#[tokio::test(start_paused = true)]
async fn without_enforcement_headers_report_cloudflare_s_budget_per_credential() {
    let emulator = Emulator::new();
    assert_eq!(
        emulator.state.rate_limit_report(),
        RateLimitReport::default()
    );
    let first = emulator.call("GET", "/quota", None).await;
    assert_eq!(ratelimit(&first), (1_199, 300));
    assert_eq!(
        first.headers["ratelimit-policy"],
        "\"default\";q=1200;w=300"
    );
    advance_ms(100_500).await;
    let second = emulator.call("GET", "/stores/nope", None).await;
    assert_eq!(ratelimit(&second), (1_198, 200));
    let other = quota_as(&emulator, Auth::Token(OTHER_TOKEN)).await;
    assert_eq!(ratelimit(&other), (1_199, 300));
    assert_eq!(
        emulator.state.rate_limit_report(),
        RateLimitReport {
            lockouts: 0,
            budget_429s: 0,
            lowest_remaining: Some(1_198),
            requests: 3,
        }
    );
}

#[tokio::test]
async fn the_report_is_served_as_json_on_the_test_only_path_without_being_counted() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = EmulatorConfig::new(ACCOUNT, TOKEN);
    config.rate_limit = Some(RateBudget {
        quota: 2,
        window: Duration::from_secs(300),
    });
    let running = RunningEmulator::start(EmulatorState::new(config))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let report_url = format!("http://{}{RATE_LIMIT_REPORT_PATH}", running.address());
    let report = || async {
        let response = http.get(&report_url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json::<Value>().await.unwrap()
    };
    assert_eq!(
        report().await,
        json!({"lockouts": 0, "budget_429s": 0, "lowest_remaining": null, "requests": 0})
    );
    let quota_url = format!(
        "{}/accounts/{ACCOUNT}/secrets_store/quota",
        running.base_url()
    );
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = http
            .get(&quota_url)
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 429]);
    let expected = json!({"lockouts": 1, "budget_429s": 1, "lowest_remaining": 0, "requests": 3});
    assert_eq!(report().await, expected);
    assert_eq!(
        report().await,
        expected,
        "reading the report is not counted"
    );
    assert_eq!(running.state().request_count(), 3);
    running.shutdown().await.unwrap();
}
