//! Handlers for the secret endpoints: list, batch create, get, patch, delete, bulk delete,
//! duplicate.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use serde::Deserialize;

use super::{first_json_byte, query_pairs};
use crate::account::{DuplicateInput, NewSecretInput, SECRET_ORDERS, SecretPatchInput};
use crate::body::parse_json;
use crate::config::BulkDeleteBody;
use crate::envelope::{ApiError, Envelope};
use crate::listing::parse_list_query;
use crate::state::EmulatorState;

type Answer = Result<Envelope, ApiError>;

/// A bulk delete body in [`BulkDeleteBody::Ids`] shape.
#[derive(Deserialize)]
struct BulkDeleteIds {
    ids: Vec<String>,
}

/// One element of a bulk delete body in [`BulkDeleteBody::Objects`] shape.
#[derive(Deserialize)]
struct BulkDeleteObject {
    id: String,
}

/// `GET .../stores/{store_id}/secrets`.
pub async fn list(
    State(state): State<EmulatorState>,
    Path((account_id, store_id)): Path<(String, String)>,
    uri: Uri,
) -> Answer {
    let account = state.account(&account_id, uri.path())?;
    let query = parse_list_query(&query_pairs(&uri)?, &SECRET_ORDERS)?;
    let (secrets, info) = account.list_secrets(&store_id, &query)?;
    Ok(Envelope::page(secrets, info))
}

/// `POST .../stores/{store_id}/secrets` with a JSON array of secrets.
pub async fn create(
    State(state): State<EmulatorState>,
    Path((account_id, store_id)): Path<(String, String)>,
    uri: Uri,
    body: Bytes,
) -> Answer {
    let mut account = state.account(&account_id, uri.path())?;
    const EXPECTED: &str = "a JSON array like [{\"name\": \"API_KEY\", \"value\": \"...\", \"scopes\": [\"workers\"], \"comment\": \"...\"}]";
    if first_json_byte(&body) == Some(b'{') {
        return Err(ApiError::invalid_json_body(&format!(
            "got a single object; send {EXPECTED}"
        )));
    }
    let inputs: Vec<NewSecretInput> = parse_json(&body, EXPECTED)?;
    let (created, skipped) = account.create_secrets(&store_id, inputs)?;
    if skipped.is_empty() {
        Ok(Envelope::ok(created))
    } else {
        Ok(Envelope::partial(StatusCode::OK, created, skipped))
    }
}

/// `DELETE .../stores/{store_id}/secrets` with `{"ids": [...]}`, or `[{"id": ...}, ...]` when
/// the emulator plays the older schema generation (`EmulatorConfig::bulk_delete_body`).
pub async fn bulk_delete(
    State(state): State<EmulatorState>,
    Path((account_id, store_id)): Path<(String, String)>,
    uri: Uri,
    body: Bytes,
) -> Answer {
    let mut account = state.account(&account_id, uri.path())?;
    let ids = bulk_delete_ids(&body, state.config().bulk_delete_body)?;
    let skipped = account.delete_secrets(&store_id, &ids)?;
    if skipped.is_empty() {
        Ok(Envelope::deleted(StatusCode::ACCEPTED))
    } else {
        Ok(Envelope::partial(
            StatusCode::ACCEPTED,
            serde_json::Value::Null,
            skipped,
        ))
    }
}

/// The ids a bulk delete names, from a body of the accepted `shape`; the other shape (or none)
/// is HTTP 400 `invalid_json_body`.
fn bulk_delete_ids(body: &[u8], shape: BulkDeleteBody) -> Result<Vec<String>, ApiError> {
    const IDS: &str = "a JSON object like {\"ids\": [\"<secret id>\"]}";
    const OBJECTS: &str = "a JSON array like [{\"id\": \"<secret id>\"}]";
    match (shape, first_json_byte(body)) {
        (BulkDeleteBody::Ids, Some(b'[')) => Err(ApiError::invalid_json_body(&format!(
            "got an array; send {IDS}"
        ))),
        (BulkDeleteBody::Ids, _) => Ok(parse_json::<BulkDeleteIds>(body, IDS)?.ids),
        (BulkDeleteBody::Objects, Some(b'{')) => Err(ApiError::invalid_json_body(&format!(
            "got an object; send {OBJECTS}"
        ))),
        (BulkDeleteBody::Objects, _) => {
            let objects: Vec<BulkDeleteObject> = parse_json(body, OBJECTS)?;
            Ok(objects.into_iter().map(|object| object.id).collect())
        }
    }
}

/// `GET .../stores/{store_id}/secrets/{secret_id}`.
pub async fn get(
    State(state): State<EmulatorState>,
    Path((account_id, store_id, secret_id)): Path<(String, String, String)>,
    uri: Uri,
) -> Answer {
    let account = state.account(&account_id, uri.path())?;
    Ok(Envelope::ok(account.get_secret(&store_id, &secret_id)?))
}

/// `PATCH .../stores/{store_id}/secrets/{secret_id}` with any of value, scopes, comment.
pub async fn patch(
    State(state): State<EmulatorState>,
    Path((account_id, store_id, secret_id)): Path<(String, String, String)>,
    uri: Uri,
    body: Bytes,
) -> Answer {
    let mut account = state.account(&account_id, uri.path())?;
    let input: SecretPatchInput = parse_json(
        &body,
        "a JSON object with any of \"value\", \"scopes\", \"comment\"",
    )?;
    Ok(Envelope::ok(
        account.patch_secret(&store_id, &secret_id, input)?,
    ))
}

/// `DELETE .../stores/{store_id}/secrets/{secret_id}`.
pub async fn delete(
    State(state): State<EmulatorState>,
    Path((account_id, store_id, secret_id)): Path<(String, String, String)>,
    uri: Uri,
) -> Answer {
    let mut account = state.account(&account_id, uri.path())?;
    account.delete_secret(&store_id, &secret_id)?;
    Ok(Envelope::deleted(StatusCode::ACCEPTED))
}

/// `POST .../stores/{store_id}/secrets/{secret_id}/duplicate` with name, scopes, comment.
pub async fn duplicate(
    State(state): State<EmulatorState>,
    Path((account_id, store_id, secret_id)): Path<(String, String, String)>,
    uri: Uri,
    body: Bytes,
) -> Answer {
    let mut account = state.account(&account_id, uri.path())?;
    let input: DuplicateInput = parse_json(
        &body,
        "a JSON object like {\"name\": \"NEW_NAME\", \"scopes\": [\"workers\"], \"comment\": \"...\"}",
    )?;
    Ok(Envelope::ok(
        account.duplicate_secret(&store_id, &secret_id, input)?,
    ))
}
