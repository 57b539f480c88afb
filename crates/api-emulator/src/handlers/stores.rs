//! Handlers for the quota and the store endpoints.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use serde::Deserialize;
use serde_json::json;

use super::{first_json_byte, query_pairs};
use crate::account::STORE_ORDERS;
use crate::body::parse_json;
use crate::envelope::{ApiError, Envelope};
use crate::listing::parse_list_query;
use crate::state::EmulatorState;

type Answer = Result<Envelope, ApiError>;

#[derive(Deserialize)]
struct CreateStoreInput {
    name: String,
}

/// `GET /accounts/{account_id}/secrets_store/quota`.
pub async fn quota(
    State(state): State<EmulatorState>,
    Path(account_id): Path<String>,
    uri: Uri,
) -> Answer {
    let account = state.account(&account_id, uri.path())?;
    let (quota, usage) = account.quota();
    Ok(Envelope::ok(
        json!({ "secrets": { "quota": quota, "usage": usage } }),
    ))
}

/// `GET /accounts/{account_id}/secrets_store/stores`.
pub async fn list(
    State(state): State<EmulatorState>,
    Path(account_id): Path<String>,
    uri: Uri,
) -> Answer {
    let account = state.account(&account_id, uri.path())?;
    let query = parse_list_query(&query_pairs(&uri)?, &STORE_ORDERS)?;
    let (stores, info) = account.list_stores(&query);
    Ok(Envelope::page(stores, info))
}

/// `POST /accounts/{account_id}/secrets_store/stores` with `{"name": ...}`, or the older SDKs'
/// one-element array `[{"name": ...}]`, answered the same way (`result` is one store, as the
/// OpenAPI file says). An array of any other length is refused with `invalid_json_body`.
pub async fn create(
    State(state): State<EmulatorState>,
    Path(account_id): Path<String>,
    uri: Uri,
    body: Bytes,
) -> Answer {
    let mut account = state.account(&account_id, uri.path())?;
    let input = parse_create_store(&body)?;
    Ok(Envelope::ok(account.create_store(&input.name)?))
}

/// The one store a create body asks for, in either accepted shape.
fn parse_create_store(body: &[u8]) -> Result<CreateStoreInput, ApiError> {
    const EXPECTED: &str =
        "one store, as {\"name\": \"my_store\"} or (older SDKs) [{\"name\": \"my_store\"}]";
    if first_json_byte(body) != Some(b'[') {
        return parse_json(body, EXPECTED);
    }
    let mut stores: Vec<CreateStoreInput> = parse_json(body, EXPECTED)?;
    match stores.len() {
        1 => Ok(stores.remove(0)),
        count => Err(ApiError::invalid_json_body(&format!(
            "got an array of {count} stores; a request creates exactly {EXPECTED}"
        ))),
    }
}

/// `GET /accounts/{account_id}/secrets_store/stores/{store_id}`.
pub async fn get(
    State(state): State<EmulatorState>,
    Path((account_id, store_id)): Path<(String, String)>,
    uri: Uri,
) -> Answer {
    let account = state.account(&account_id, uri.path())?;
    Ok(Envelope::ok(account.get_store(&store_id)?))
}

/// `DELETE /accounts/{account_id}/secrets_store/stores/{store_id}[?force=true]`.
pub async fn delete(
    State(state): State<EmulatorState>,
    Path((account_id, store_id)): Path<(String, String)>,
    uri: Uri,
) -> Answer {
    let mut account = state.account(&account_id, uri.path())?;
    let mut force = false;
    for (key, value) in query_pairs(&uri)? {
        if key == "force" {
            force = match value.as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                other => {
                    return Err(ApiError::invalid(format!(
                        "invalid_query_parameter: force must be true or false, got {other:?}"
                    )));
                }
            };
        }
    }
    account.delete_store(&store_id, force)?;
    Ok(Envelope::deleted(StatusCode::OK))
}
