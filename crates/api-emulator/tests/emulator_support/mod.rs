//! Shared support for the emulator tests: an in-process caller that checks every response
//! body against the OpenAPI file, and helpers to create stores and secrets.
#![allow(dead_code)]

pub mod openapi;

use std::path::PathBuf;
use std::sync::OnceLock;

use api_emulator::{EmulatorConfig, EmulatorState, app};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

use openapi::OpenApi;

pub const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
pub const TOKEN: &str = "test-token-123";

/// The OpenAPI file vendored in `tests/fixtures` (provenance in `tests/fixtures/README.md`).
/// Missing or malformed, it fails the test that needs it.
pub fn spec() -> &'static OpenApi {
    static SPEC: OnceLock<OpenApi> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/cloudflare-secrets-store-openapi.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!("the OpenAPI file {} is required: {error}", path.display())
        });
        let document = serde_json::from_str(&text).expect("the OpenAPI file is JSON");
        OpenApi::from_document(document)
    })
}

/// Panics unless `body` matches the OpenAPI response schema for the operation.
pub fn assert_matches_spec(method: &str, path: &str, status: u16, body: &Value) {
    let errors: Vec<String> = spec()
        .check_response(method, path, status, body)
        .into_iter()
        .filter(|error| !is_known_deviation(status, error))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} -> {status}: body does not match the OpenAPI file:\n  {}\nbody: {body}",
        errors.join("\n  ")
    );
}

/// The live API answers rate limiting with code 971 although the schema says codes start
/// at 1000; the emulator follows the live API. Nothing else is excused.
fn is_known_deviation(status: u16, error: &str) -> bool {
    status == 429 && error == "/errors/0/code: 971 is less than the minimum of 1000"
}

/// How a request authenticates.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    Token(&'a str),
    Header(&'a str, &'a str),
    KeyPair(&'a str, &'a str),
    Nothing,
}

/// A response: status, headers, parsed JSON body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The first error's code and message.
    pub fn error(&self) -> (u64, String) {
        let error = &self.body["errors"][0];
        (
            error["code"].as_u64().unwrap_or(0),
            error["message"].as_str().unwrap_or("").to_string(),
        )
    }
}

/// An emulator reached in process with `oneshot`.
pub struct Emulator {
    pub state: EmulatorState,
    router: Router,
}

impl Emulator {
    pub fn new() -> Emulator {
        Emulator::with_config(|_| {})
    }

    pub fn with_config(adjust: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
        let mut config = EmulatorConfig::new(ACCOUNT, TOKEN);
        adjust(&mut config);
        let state = EmulatorState::new(config);
        Emulator {
            router: app(state.clone()),
            state,
        }
    }

    /// `path` is relative to `/client/v4/accounts/{ACCOUNT}/secrets_store`.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let uri = format!("/client/v4/accounts/{ACCOUNT}/secrets_store{path}");
        self.raw(
            method,
            &uri,
            body.map(|b| b.to_string()),
            Auth::Token(TOKEN),
        )
        .await
    }

    /// Any URI, raw body text and authentication; the body is checked against the spec.
    pub async fn raw(
        &self,
        method: &str,
        uri: &str,
        body: Option<String>,
        auth: Auth<'_>,
    ) -> Reply {
        let mut request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(uri);
        request = match auth {
            Auth::Token(token) => request.header("authorization", format!("Bearer {token}")),
            Auth::Header(name, value) => request.header(name, value),
            Auth::KeyPair(email, key) => request
                .header("x-auth-email", email)
                .header("x-auth-key", key),
            Auth::Nothing => request,
        };
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("the body arrives");
        let text = String::from_utf8(bytes.to_vec()).expect("UTF-8 body");
        let body: Value = serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("{method} {uri}: body is not JSON ({error}): {text}"));
        let path = uri.split('?').next().unwrap_or(uri);
        assert_matches_spec(method, path, status.as_u16(), &body);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    /// Creates a store and returns its id.
    pub async fn create_store(&self, name: &str) -> String {
        let reply = self
            .call("POST", "/stores", Some(json!({ "name": name })))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.body["result"]["id"].as_str().unwrap().to_string()
    }

    /// Creates one secret in `store` and returns its JSON.
    pub async fn create_secret(
        &self,
        store: &str,
        name: &str,
        value: &str,
        scopes: &[&str],
    ) -> Value {
        let reply = self
            .call(
                "POST",
                &format!("/stores/{store}/secrets"),
                Some(json!([{ "name": name, "value": value, "scopes": scopes }])),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.body["result"][0].clone()
    }
}

/// Reads a reqwest response to `method`, checks its body against the spec, and returns
/// status, headers and body.
pub async fn read_checked(
    method: &str,
    response: reqwest::Response,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let path = response.url().path().to_string();
    let body: Value = response.json().await.expect("a JSON body");
    assert_matches_spec(method, &path, status, &body);
    (status, headers, body)
}
