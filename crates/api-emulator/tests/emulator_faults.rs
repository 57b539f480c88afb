//! Fault injection (429 bursts, 5xx, latency, dropped write responses) in process, and the
//! emulator over a real socket with `serve` and reqwest.

mod emulator_support;

use std::time::Duration;

use api_emulator::{EmulatorConfig, EmulatorState, app, serve};
use axum::http::StatusCode;
use emulator_support::{ACCOUNT, Emulator, TOKEN, assert_matches_spec, read_checked};
use serde_json::{Value, json};
use tower::ServiceExt;

#[tokio::test]
async fn rate_limit_bursts_answer_429_with_retry_after() {
    let emulator = Emulator::new();
    emulator.state.faults().rate_limit_next(2, 7);
    for _ in 0..2 {
        let limited = emulator
            .call("POST", "/stores", Some(json!({"name": "s"})))
            .await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.headers["retry-after"], "7");
        assert_eq!(limited.error().0, 971);
    }
    assert!(
        emulator.state.stores().is_empty(),
        "rejected requests change nothing"
    );
    emulator.create_store("s").await;
    assert_eq!(emulator.state.faults().injected_count(), 2);
    let statuses: Vec<u16> = emulator
        .state
        .request_log()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [429, 429, 200]);
}

#[tokio::test]
async fn server_failures_are_injected_deterministically() {
    let emulator = Emulator::new();
    let faults = emulator.state.faults();
    faults.fail_next(1, 502);
    let failed = emulator.call("GET", "/quota", None).await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY);
    assert_eq!(failed.body["success"], false);
    faults.fail_every_nth(2);
    let statuses = [
        emulator.call("GET", "/quota", None).await.status,
        emulator.call("GET", "/quota", None).await.status,
        emulator.call("GET", "/quota", None).await.status,
        emulator.call("GET", "/quota", None).await.status,
    ];
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::OK,
            StatusCode::SERVICE_UNAVAILABLE
        ]
    );
    faults.clear();
    assert_eq!(
        emulator.call("GET", "/quota", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test(start_paused = true)]
async fn latency_delays_every_request() {
    let emulator = Emulator::new();
    emulator.state.faults().set_latency(Duration::from_secs(5));
    let started = tokio::time::Instant::now();
    let reply = emulator.call("GET", "/quota", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_secs(5));
}

#[tokio::test]
async fn in_process_a_dropped_write_is_applied_but_its_body_fails() {
    let state = EmulatorState::new(EmulatorConfig::new(ACCOUNT, TOKEN));
    state.faults().drop_next_write_responses(1);
    let request = axum::http::Request::post(format!(
        "/client/v4/accounts/{ACCOUNT}/secrets_store/stores"
    ))
    .header("authorization", format!("Bearer {TOKEN}"))
    .body(axum::body::Body::from(json!({"name": "s"}).to_string()))
    .unwrap();
    let response = app(state.clone()).oneshot(request).await.unwrap();
    assert!(
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .is_err()
    );
    assert_eq!(state.stores().len(), 1, "the write was applied");
    assert!(state.request_log()[0].response_dropped);
}

struct Served {
    state: EmulatorState,
    base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    http: reqwest::Client,
}

async fn start() -> Served {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let state = EmulatorState::new(EmulatorConfig::new(ACCOUNT, TOKEN));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    Served {
        state,
        base: format!("http://{address}/client/v4/accounts/{ACCOUNT}/secrets_store"),
        stop,
        server,
        http: reqwest::Client::builder().build().unwrap(),
    }
}

impl Served {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Result<(u16, Value)> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let url_path = response.url().path().to_string();
        let body: Value = response.json().await?;
        assert_matches_spec(method.as_str(), &url_path, status, &body);
        Ok((status, body))
    }
}

#[tokio::test]
async fn over_a_socket_the_api_works_and_a_dropped_write_looks_like_a_lost_connection() {
    let served = start().await;
    let (status, created) = served
        .send(reqwest::Method::POST, "/stores", Some(json!({"name": "s"})))
        .await
        .unwrap();
    assert_eq!(status, 200);
    let store = created["result"]["id"].as_str().unwrap().to_string();

    served.state.faults().drop_next_write_responses(1);
    let secrets = format!("/stores/{store}/secrets");
    let lost = served
        .send(
            reqwest::Method::POST,
            &secrets,
            Some(json!([{"name": "A", "value": "v", "scopes": ["workers"]}])),
        )
        .await;
    let error = lost.expect_err("the response must never arrive");
    assert!(
        error.is_request(),
        "the request itself fails, before any status: {error:?}"
    );
    assert_eq!(served.state.secrets().len(), 1, "the write was applied");

    let (status, listed) = served
        .send(reqwest::Method::GET, &secrets, None)
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(listed["result"][0]["name"], "A");
    let secret_id = listed["result"][0]["id"].as_str().unwrap().to_string();

    served.state.faults().drop_next_write_responses(1);
    let lost_patch = served
        .send(
            reqwest::Method::PATCH,
            &format!("{secrets}/{secret_id}"),
            Some(json!({"value": "rotated"})),
        )
        .await;
    assert!(
        lost_patch
            .expect_err("no response to the PATCH")
            .is_request()
    );
    assert_eq!(
        served.state.secret_value_for_test(&secret_id).as_deref(),
        Some("rotated"),
        "the PATCH was applied exactly once"
    );
    let patches = served
        .state
        .request_log()
        .iter()
        .filter(|record| record.method == "PATCH")
        .count();
    assert_eq!(patches, 1, "the client library did not silently retry");
    let (status, deleted) = served
        .send(
            reqwest::Method::DELETE,
            &format!("/stores/{store}?force=true"),
            None,
        )
        .await
        .unwrap();
    assert_eq!((status, &deleted["result"]), (200, &Value::Null));
    assert!(served.state.stores().is_empty());

    served.stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), served.server)
        .await
        .expect("serve stops after the shutdown signal")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn over_a_socket_429_carries_retry_after() {
    let served = start().await;
    served.state.faults().rate_limit_next(1, 2);
    let response = served
        .http
        .get(format!("{}/quota", served.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let (status, headers, body) = read_checked("GET", response).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after"], "2");
    assert_eq!(body["errors"][0]["code"], 971);
    let (status, quota) = served
        .send(reqwest::Method::GET, "/quota", None)
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(quota["result"]["secrets"]["usage"], 0);
}

#[tokio::test]
async fn running_emulator_serves_until_shut_down() {
    use api_emulator::RunningEmulator;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let running = RunningEmulator::start(EmulatorState::new(EmulatorConfig::new(ACCOUNT, TOKEN)))
        .await
        .unwrap();
    let url = format!(
        "{}/accounts/{ACCOUNT}/secrets_store/quota",
        running.base_url()
    );
    let response = reqwest::Client::new()
        .get(&url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let (status, _, body) = read_checked("GET", response).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["secrets"]["usage"], 0);
    assert_eq!(running.state().request_count(), 1);
    running.shutdown().await.unwrap();
    assert!(reqwest::Client::new().get(&url).send().await.is_err());
}
