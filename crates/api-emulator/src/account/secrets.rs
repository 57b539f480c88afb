//! Secret operations: list (search, scopes, order, pages), batch create, get, patch,
//! delete, bulk delete and duplicate, with name, scope, size and quota rules.

use std::cmp::Ordering;
use std::time::Duration;

use axum::http::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use super::AccountData;
use super::inputs::{DuplicateInput, NewSecretInput, SecretPatchInput};
use crate::config::{BatchMode, NameConflictStatus};
use crate::envelope::{ApiError, ResultInfo};
use crate::ids::new_id;
use crate::listing::{ListQuery, paginate, sort_items};
use crate::model::{SecretInfo, SecretRecord};
use crate::validation::{check_secret_name, check_value_size, normalize_comment, normalize_scopes};

/// `order` values accepted when listing secrets.
pub const SECRET_ORDERS: [&str; 5] = ["name", "comment", "created", "modified", "status"];

impl AccountData {
    pub fn list_secrets(
        &self,
        store_id: &str,
        query: &ListQuery,
    ) -> Result<(Vec<SecretInfo>, ResultInfo), ApiError> {
        self.find_store(store_id)?;
        let delay = self.config.activation_delay;
        let needle = query.search.as_ref().map(|text| text.to_lowercase());
        let mut secrets: Vec<&SecretRecord> = self
            .secrets
            .iter()
            .filter(|secret| secret.store_id == store_id)
            .filter(|secret| match &needle {
                None => true,
                Some(needle) => {
                    secret.name.to_lowercase().contains(needle)
                        || secret
                            .comment
                            .as_ref()
                            .is_some_and(|comment| comment.to_lowercase().contains(needle))
                }
            })
            .filter(|secret| {
                query
                    .scopes
                    .iter()
                    .all(|scope| secret.scopes.contains(scope))
            })
            .collect();
        sort_items(
            &mut secrets,
            query.direction,
            |a, b| compare_secrets(a, b, &query.order, delay),
            |secret| secret.sequence,
        );
        let infos: Vec<SecretInfo> = secrets.iter().map(|secret| secret.info(delay)).collect();
        Ok(paginate(&infos, query.page, query.per_page))
    }

    /// A batch create. All-or-nothing (the default): every element is checked before any is
    /// stored. Per item ([`BatchMode::PerItem`]): good elements are stored, bad ones skipped
    /// with their error; when none could be stored, the first error fails the request.
    pub fn create_secrets(
        &mut self,
        store_id: &str,
        inputs: Vec<NewSecretInput>,
    ) -> Result<(Vec<SecretInfo>, Vec<ApiError>), ApiError> {
        self.find_store(store_id)?;
        if inputs.is_empty() {
            return Err(ApiError::invalid_json_body(
                "the array is empty; send at least one secret",
            ));
        }
        if self.config.batch_mode == BatchMode::PerItem {
            return self.create_secrets_per_item(store_id, inputs);
        }
        let mut prepared = Vec::with_capacity(inputs.len());
        for input in &inputs {
            let scopes = self.check_new_secret(store_id, input)?;
            let taken_in_batch = prepared
                .iter()
                .any(|(name, _): &(&str, Vec<String>)| *name == input.name);
            if taken_in_batch {
                return Err(self.name_exists(&input.name));
            }
            prepared.push((input.name.as_str(), scopes));
        }
        self.check_room_for(inputs.len())?;
        let scopes: Vec<Vec<String>> = prepared.into_iter().map(|(_, scopes)| scopes).collect();
        let mut created = Vec::with_capacity(inputs.len());
        for (input, scopes) in inputs.into_iter().zip(scopes) {
            let info = self.insert_secret(
                store_id,
                input.name,
                input.value,
                scopes,
                normalize_comment(input.comment),
            );
            created.push(info);
        }
        Ok((created, Vec::new()))
    }

    fn create_secrets_per_item(
        &mut self,
        store_id: &str,
        inputs: Vec<NewSecretInput>,
    ) -> Result<(Vec<SecretInfo>, Vec<ApiError>), ApiError> {
        let mut created = Vec::new();
        let mut skipped = Vec::new();
        for input in inputs {
            let checked = self
                .check_new_secret(store_id, &input)
                .and_then(|scopes| self.check_room_for(1).map(|()| scopes));
            match checked {
                Ok(scopes) => created.push(self.insert_secret(
                    store_id,
                    input.name,
                    input.value,
                    scopes,
                    normalize_comment(input.comment),
                )),
                Err(error) => skipped.push(error),
            }
        }
        if created.is_empty() {
            return Err(skipped.swap_remove(0));
        }
        Ok((created, skipped))
    }

    /// Name, value size, scopes and name uniqueness of one new secret; its normalised scopes.
    fn check_new_secret(
        &self,
        store_id: &str,
        input: &NewSecretInput,
    ) -> Result<Vec<String>, ApiError> {
        check_secret_name(&input.name)?;
        check_value_size(input.value.expose_secret(), self.config.max_value_bytes)?;
        let scopes = normalize_scopes(&input.scopes)?;
        if self.name_taken(store_id, &input.name) {
            return Err(self.name_exists(&input.name));
        }
        Ok(scopes)
    }

    pub fn get_secret(&self, store_id: &str, secret_id: &str) -> Result<SecretInfo, ApiError> {
        self.find_store(store_id)?;
        let index = self.find_secret(store_id, secret_id)?;
        Ok(self.secrets[index].info(self.config.activation_delay))
    }

    pub fn patch_secret(
        &mut self,
        store_id: &str,
        secret_id: &str,
        patch: SecretPatchInput,
    ) -> Result<SecretInfo, ApiError> {
        self.find_store(store_id)?;
        let index = self.find_secret(store_id, secret_id)?;
        if let Some(name) = &patch.name
            && *name != self.secrets[index].name
        {
            return Err(ApiError::invalid(
                "secret_name_immutable: a secret cannot be renamed; duplicate it under the new name and delete the old one",
            ));
        }
        if let Some(value) = &patch.value {
            check_value_size(value.expose_secret(), self.config.max_value_bytes)?;
        }
        let scopes = patch.scopes.as_deref().map(normalize_scopes).transpose()?;
        let now = self.clock.now();
        let delay = self.config.activation_delay;
        let secret = &mut self.secrets[index];
        if let Some(value) = patch.value {
            secret.value = value;
        }
        if let Some(scopes) = scopes {
            secret.scopes = scopes;
        }
        if patch.comment.is_some() {
            secret.comment = normalize_comment(patch.comment);
        }
        secret.modified = now;
        Ok(secret.info(delay))
    }

    pub fn delete_secret(&mut self, store_id: &str, secret_id: &str) -> Result<(), ApiError> {
        self.find_store(store_id)?;
        let index = self.find_secret(store_id, secret_id)?;
        self.secrets.remove(index);
        Ok(())
    }

    /// A bulk delete. All-or-nothing (the default): if any id is unknown, nothing is deleted.
    /// Per item ([`BatchMode::PerItem`]): known ids are deleted, unknown ones reported; when
    /// none is known, `secret_not_found` fails the request.
    pub fn delete_secrets(
        &mut self,
        store_id: &str,
        ids: &[String],
    ) -> Result<Vec<ApiError>, ApiError> {
        self.find_store(store_id)?;
        let unknown: Vec<&String> = ids
            .iter()
            .filter(|id| self.find_secret(store_id, id).is_err())
            .collect();
        if !unknown.is_empty()
            && (self.config.batch_mode == BatchMode::AllOrNothing || unknown.len() == ids.len())
        {
            return Err(ApiError::secret_not_found());
        }
        let skipped = unknown
            .iter()
            .map(|id| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    1001,
                    format!("secret_not_found: {id}"),
                )
            })
            .collect();
        self.secrets
            .retain(|secret| !(secret.store_id == store_id && ids.contains(&secret.id)));
        Ok(skipped)
    }

    pub fn duplicate_secret(
        &mut self,
        store_id: &str,
        secret_id: &str,
        input: DuplicateInput,
    ) -> Result<SecretInfo, ApiError> {
        self.find_store(store_id)?;
        let index = self.find_secret(store_id, secret_id)?;
        check_secret_name(&input.name)?;
        let scopes = normalize_scopes(&input.scopes)?;
        if self.name_taken(store_id, &input.name) {
            return Err(self.name_exists(&input.name));
        }
        self.check_room_for(1)?;
        let value = SecretString::from(self.secrets[index].value.expose_secret().to_string());
        Ok(self.insert_secret(
            store_id,
            input.name,
            value,
            scopes,
            normalize_comment(input.comment),
        ))
    }

    fn insert_secret(
        &mut self,
        store_id: &str,
        name: String,
        value: SecretString,
        scopes: Vec<String>,
        comment: Option<String>,
    ) -> SecretInfo {
        let now = self.clock.now();
        let sequence = self.sequence();
        let secret = SecretRecord {
            id: new_id(),
            store_id: store_id.to_string(),
            name,
            value,
            scopes,
            comment,
            created: now,
            modified: now,
            sequence,
            created_at: Instant::now(),
            deleted: false,
        };
        let info = secret.info(self.config.activation_delay);
        self.secrets.push(secret);
        info
    }

    fn find_secret(&self, store_id: &str, secret_id: &str) -> Result<usize, ApiError> {
        self.secrets
            .iter()
            .position(|secret| secret.store_id == store_id && secret.id == secret_id)
            .ok_or_else(ApiError::secret_not_found)
    }

    /// `secret_name_already_exists`, with the configured HTTP status.
    fn name_exists(&self, name: &str) -> ApiError {
        let status = match self.config.name_conflict_status {
            NameConflictStatus::Conflict => StatusCode::CONFLICT,
            NameConflictStatus::BadRequest => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, 1003, format!("secret_name_already_exists: {name}"))
    }

    fn name_taken(&self, store_id: &str, name: &str) -> bool {
        self.secrets
            .iter()
            .any(|secret| secret.store_id == store_id && secret.name == name)
    }

    fn check_room_for(&self, count: usize) -> Result<(), ApiError> {
        let limit = self.config.max_secrets;
        if self.secrets.len() + count > limit {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                1003,
                format!(
                    "maximum_secrets_exceeded: the account may hold {limit} secrets and holds {}; delete some first",
                    self.secrets.len()
                ),
            ));
        }
        Ok(())
    }
}

fn compare_secrets(a: &SecretRecord, b: &SecretRecord, order: &str, delay: Duration) -> Ordering {
    match order {
        "name" => a.name.cmp(&b.name),
        "comment" => a
            .comment
            .as_deref()
            .unwrap_or("")
            .cmp(b.comment.as_deref().unwrap_or("")),
        "modified" => a.modified.cmp(&b.modified),
        "status" => a.status(delay).cmp(b.status(delay)),
        _ => a.created.cmp(&b.created),
    }
}
