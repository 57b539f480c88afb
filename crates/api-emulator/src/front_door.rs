//! The layer every request passes: latency, injected 429/5xx, authentication, dropped
//! write responses, and the request log.

use std::io;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth::authenticate;
use super::connection::ConnectionHandle;
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
    let faults = state.faults();
    let admission = faults.admit(method.as_str(), &path, query.as_deref());
    if !admission.latency.is_zero() {
        tokio::time::sleep(admission.latency).await;
    }
    let connection = request
        .extensions()
        .get::<ConnectInfo<ConnectionHandle>>()
        .map(|info| info.0.clone());
    let mut response_dropped = false;
    let mut response = if let Some(rejection) = admission.rejection {
        if admission.close {
            response_dropped = true;
            drop_response(rejection.into_response(), connection)
        } else {
            rejection.into_response()
        }
    } else if let Err(error) = authenticate(request.headers(), state.config()) {
        error.into_response()
    } else {
        let is_write = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
        let response = next.run(request).await;
        if is_write && faults.take_dropped_write() {
            response_dropped = true;
            drop_response(response, connection)
        } else {
            response
        }
    };
    state.rate_window().annotate(response.headers_mut());
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
