//! The local emulator of the Cloudflare Secrets Store API (axum): `app(state)` and `serve(...)`.
//!
//! Behaviour follows `cloudflare-secrets-store-api.md`. Choices where the real API is not
//! documented: `secret_name_already_exists` and `store_not_empty` answer HTTP 409 with code
//! 1003 (a duplicate name can answer 400 instead, `EmulatorConfig::name_conflict_status`); the
//! bulk delete takes `{"ids": [...]}` (or the older `[{"id": ...}]`,
//! `EmulatorConfig::bulk_delete_body`); too many secrets answer HTTP 400, code 1003
//! `maximum_secrets_exceeded`; unknown accounts and routes answer HTTP 404 with code 7003; lists
//! default to 20 per page. A deliberate leniency: a store create also takes the older SDKs'
//! one-element array `[{"name": …}]` and answers it like the object form (the live API is
//! reported to refuse it since 2026). The rate budget is only reported in headers unless
//! `EmulatorConfig::rate_limit` enforces it.

mod account;
mod auth;
mod body;
mod config;
mod connection;
mod credential_key;
mod envelope;
mod faults;
mod front_door;
mod handlers;
mod ids;
mod listing;
mod model;
mod rate_budget;
mod rate_headers;
mod rate_limiter;
mod rate_report;
mod request_log;
mod running;
mod state;
mod validation;

use std::future::Future;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post};

pub use config::{BatchMode, BulkDeleteBody, EmulatorConfig, NameConflictStatus};
pub use faults::{AimedFault, FaultAnswer, FaultControl};
pub use model::{SecretInfo, StoreInfo};
pub use rate_budget::RateBudget;
pub use rate_report::RateLimitReport;
pub use request_log::{CredentialHeaders, MAX_KEPT_RECORDS, RequestRecord};
pub use running::RunningEmulator;
pub use state::EmulatorState;
pub use validation::ALLOWED_SCOPES;

use connection::{ConnectionHandle, SeverableListener};
use envelope::ApiError;
use handlers::{secrets, stores, test_hooks};

/// Path prefix of every route.
pub const API_PREFIX: &str = "/client/v4";

/// Test-only, outside the API's paths: `GET` answers the [`RateLimitReport`] as JSON, for tests
/// that run the emulator in another process. Not counted, no credentials needed.
pub const RATE_LIMIT_REPORT_PATH: &str = "/__emulator/rate-limit";

/// Request bodies up to this size are read (a full batch of 64 KiB values fits).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The emulator's routes: the API under `/client/v4`, behind the front door (rate budget,
/// faults, authentication, request log), and the test hook [`RATE_LIMIT_REPORT_PATH`].
pub fn app(state: EmulatorState) -> Router {
    let base = "/client/v4/accounts/{account_id}/secrets_store";
    Router::new()
        .route(&format!("{base}/quota"), get(stores::quota))
        .route(
            &format!("{base}/stores"),
            get(stores::list).post(stores::create),
        )
        .route(
            &format!("{base}/stores/{{store_id}}"),
            get(stores::get).delete(stores::delete),
        )
        .route(
            &format!("{base}/stores/{{store_id}}/secrets"),
            get(secrets::list)
                .post(secrets::create)
                .delete(secrets::bulk_delete),
        )
        .route(
            &format!("{base}/stores/{{store_id}}/secrets/{{secret_id}}"),
            get(secrets::get)
                .patch(secrets::patch)
                .delete(secrets::delete),
        )
        .route(
            &format!("{base}/stores/{{store_id}}/secrets/{{secret_id}}/duplicate"),
            post(secrets::duplicate),
        )
        .fallback(|uri: Uri| async move { ApiError::no_route(uri.path()).into_response() })
        .method_not_allowed_fallback(|method: Method, uri: Uri| async move {
            ApiError::method_not_allowed(method.as_str(), uri.path()).into_response()
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            front_door::front_door,
        ))
        // Added after the layers, so the front door neither counts nor checks it.
        .route(RATE_LIMIT_REPORT_PATH, get(test_hooks::rate_limit_report))
        .with_state(state)
}

/// Serves `app(state)` on `listener` until `shutdown` completes. Dropped-response faults
/// close the connection before the response is written.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: EmulatorState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = SeverableListener { inner: listener };
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<ConnectionHandle>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
