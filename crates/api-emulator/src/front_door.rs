//! The layer every request passes: the rate budget (counted per credential, with its headers on
//! every response), latency, injected 429/5xx, authentication, dropped write responses, and the
//! request log. A request the budget refuses gets its 429 at once: no fault, no latency.

use std::io;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth::authenticate;
use super::connection::ConnectionHandle;
use super::envelope::ApiError;
use super::rate_headers;
use super::request_log::{CredentialHeaders, RequestRecord};
use super::state::EmulatorState;

pub(crate) async fn front_door(
    State(state): State<EmulatorState>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let credentials = CredentialHeaders::of(request.headers());
    let limiter = state.rate_limiter();
    let verdict = limiter.count(request.headers());
    let (mut response, response_dropped) = match verdict.retry_after {
        Some(seconds) => (ApiError::rate_limited(seconds).into_response(), false),
        None => within_budget(&state, request, next).await,
    };
    rate_headers::annotate(response.headers_mut(), &verdict, limiter.budget());
    let status = response.status().as_u16();
    tracing::debug!(%method, %path, status, response_dropped, "emulator request");
    state.log().push(RequestRecord {
        method: method.to_string(),
        path,
        query,
        status,
        response_dropped,
        credentials,
    });
    response
}

/// A request the rate budget lets through: faults, authentication, the API. Returns the
/// response and whether it is dropped.
async fn within_budget(state: &EmulatorState, request: Request, next: Next) -> (Response, bool) {
    let method = request.method().clone();
    let faults = state.faults();
    let admission = faults.admit(method.as_str(), request.uri().path(), request.uri().query());
    if !admission.latency.is_zero() {
        tokio::time::sleep(admission.latency).await;
    }
    let connection = request
        .extensions()
        .get::<ConnectInfo<ConnectionHandle>>()
        .map(|info| info.0.clone());
    if let Some(rejection) = admission.rejection {
        return if admission.close {
            (drop_response(rejection.into_response(), connection), true)
        } else {
            (rejection.into_response(), false)
        };
    }
    if let Err(error) = authenticate(request.headers(), state.config()) {
        return (error.into_response(), false);
    }
    let is_write = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    let response = next.run(request).await;
    if is_write && faults.take_dropped_write() {
        (drop_response(response, connection), true)
    } else {
        (response, false)
    }
}

/// Over a real connection the connection is severed before the response is written; in
/// process (no connection) the body fails instead.
fn drop_response(response: Response, connection: Option<ConnectionHandle>) -> Response {
    match connection {
        Some(connection) => {
            connection.sever();
            response
        }
        None => {
            let failing = tokio_stream::once(Err::<Bytes, io::Error>(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "response dropped by the emulator's fault injection",
            )));
            let (parts, _) = response.into_parts();
            Response::from_parts(parts, Body::from_stream(failing))
        }
    }
}
