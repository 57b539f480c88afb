//! Resource `cloudflare_store_secret`: one secret in a store (the account's
//! `default_secrets_store` when `store_id` is omitted), with its value either in state (`value`)
//! or write-only (`value_wo` + `value_wo_version`), or managed elsewhere (neither set).

mod list;
mod moved;
mod plan;
mod validate;

use std::time::Duration;

use async_trait::async_trait;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::activation::{ACTIVE, WaitError, wait_until_active};
use super::advice::{import_advice, untaint_advice};
use super::attributes::account_id_attribute;
use super::identity::{identity_schema, state_from_identity};
use super::import_id::{SecretImport, SecretKey, parse_secret_import};
use crate::common::values::{known_string, known_strings, string_or_null};
use crate::service::{Access, DEFAULT_STORE_NAME, Lookup, Service};
use cloudflare_api::{Client, Error, ErrorKind, NewSecret, Secret, SecretPatch};
use tfplugin::{
    Attribute, CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, Diagnostic,
    GenerateConfig, IdentitySchema, ImportState, ImportStateRequest, ImportStateResponse,
    ListResource, ModifyPlan, MoveState, ReadRequest, ReadResponse, Resource, Schema, Type,
    UpdateRequest, UpdateResponse, ValidateConfig, Value,
};

/// The `cloudflare_store_secret` resource.
#[derive(Clone, Copy, Debug, Default)]
pub struct StoreSecretResource;

pub const TYPE_NAME: &str = "cloudflare_store_secret";

/// Scopes a secret gets when the config sets none.
pub const DEFAULT_SCOPES: [&str; 1] = ["workers"];

/// Scopes the API knows; others get a warning (the API may have added new ones).
pub const KNOWN_SCOPES: [&str; 6] = [
    "workers",
    "ai_gateway",
    "dex",
    "access",
    "containers",
    "websearch",
];

/// The resource's attributes, converted to and from `Value` only here. The `value` attribute
/// stays a `Value` until it is sent (then it becomes a `SecretString`); this struct is not
/// `Debug` so the value cannot be printed by accident.
#[derive(Clone, Default)]
pub struct SecretModel {
    pub id: Option<String>,
    pub account_id: Option<String>,
    pub store_id: Option<String>,
    pub name: Option<String>,
    /// The state-stored value (sensitive), or null.
    pub value: Value,
    /// The user's version number for `value_wo`, kept as given.
    pub value_wo_version: Value,
    pub scopes: Option<Vec<String>>,
    pub comment: Option<String>,
    pub status: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
}

impl SecretModel {
    pub fn from_value(v: &Value) -> SecretModel {
        SecretModel {
            id: known_string(v.get("id")),
            account_id: known_string(v.get("account_id")),
            store_id: known_string(v.get("store_id")),
            name: known_string(v.get("name")),
            value: v.get("value").clone(),
            value_wo_version: v.get("value_wo_version").clone(),
            scopes: known_strings(v.get("scopes")),
            comment: known_string(v.get("comment")),
            status: known_string(v.get("status")),
            created: known_string(v.get("created")),
            modified: known_string(v.get("modified")),
        }
    }

    /// The state object; `value_wo` is always null.
    pub fn to_value(&self) -> Value {
        Value::object([
            ("id", string_or_null(self.id.as_deref())),
            ("account_id", string_or_null(self.account_id.as_deref())),
            ("store_id", string_or_null(self.store_id.as_deref())),
            ("name", string_or_null(self.name.as_deref())),
            ("value", self.value.clone()),
            ("value_wo", Value::Null),
            ("value_wo_version", self.value_wo_version.clone()),
            (
                "scopes",
                self.scopes
                    .as_ref()
                    .map_or(Value::Null, |s| Value::string_set(s.iter().cloned())),
            ),
            ("comment", string_or_null(self.comment.as_deref())),
            ("status", string_or_null(self.status.as_deref())),
            ("created", string_or_null(self.created.as_deref())),
            ("modified", string_or_null(self.modified.as_deref())),
        ])
    }

    /// Takes the API's view of the secret: ids, name, status, timestamps; scopes when the API
    /// returns them; the comment unless both sides mean "no comment".
    fn apply_remote(&mut self, secret: &Secret, account_id: &str) {
        self.id = Some(secret.id.clone());
        self.account_id = Some(account_id.to_string());
        self.store_id = Some(secret.store_id.clone());
        self.name = Some(secret.name.clone());
        self.status = Some(secret.status.to_string());
        self.created = Some(secret.created.clone());
        self.modified = Some(secret.modified.clone());
        if let Some(scopes) = &secret.scopes {
            self.scopes = Some(scopes.clone());
        }
        self.comment = match secret.comment.as_deref() {
            None | Some("") if self.comment.as_deref() == Some("") => Some(String::new()),
            None | Some("") => None,
            Some(c) => Some(c.to_string()),
        };
    }
}

/// What the provider keeps next to the state (opaque to Terraform).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretPrivate {
    /// A refresh saw the value change outside Terraform and it has not been re-pushed yet.
    #[serde(default)]
    pub value_drifted: bool,
}

impl SecretPrivate {
    pub fn decode(bytes: &[u8]) -> SecretPrivate {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    /// Nothing when there is nothing to keep: every resource's private state is written to the
    /// state file on each change, so an all-default one costs state size for no information.
    pub fn encode(&self) -> Vec<u8> {
        if *self == SecretPrivate::default() {
            return Vec::new();
        }
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The value to send: `value` if set, else `value_wo`, taken from the config.
fn configured_value(config: &Value) -> Option<SecretString> {
    config
        .get("value")
        .as_str()
        .or_else(|| config.get("value_wo").as_str())
        .map(|v| SecretString::from(v.to_string()))
}

#[async_trait]
impl Resource<Service> for StoreSecretResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, req: CreateRequest<Service>) -> CreateResponse {
        // An apply ends the walk whose plans registered secret names (see `WalkNotes`).
        req.provider.walk().applied();
        let mut resp = CreateResponse {
            private: req.planned_private.clone(),
            ..CreateResponse::default()
        };
        let data = &req.provider;
        let mut model = SecretModel::from_value(&req.planned_state);
        let (client, account_id) =
            match data.client_and_account(req.planned_state.get("account_id"), &req.cancel) {
                Ok(pair) => pair,
                Err(diags) => {
                    resp.diagnostics = diags;
                    return resp;
                }
            };
        let name = model.name.clone().unwrap_or_default();
        let store_id = match &model.store_id {
            Some(id) => id.clone(),
            None => match data.stores().ensure_default(&client, &account_id).await {
                Ok(id) => id,
                Err(why) => {
                    let outcome = if req.cancel.is_cancelled() {
                        " The secret was not created."
                    } else {
                        ""
                    };
                    resp.diagnostics.add(Diagnostic::error(
                        format!("Unable to create secret {name}"),
                        format!(
                            "Unable to create secret {name}: store_id is not set, so the \
                             account's {DEFAULT_STORE_NAME} is used. {why}{outcome}"
                        ),
                    ));
                    return resp;
                }
            },
        };
        let Some(value) = configured_value(&req.config) else {
            resp.diagnostics.add(Diagnostic::error(
                format!("Unable to create secret {name}"),
                "Neither value nor value_wo is set, and creating a secret needs its value. Set \
                 value_wo or value.",
            ));
            return resp;
        };
        let operation = format!("create secret {name} in store {store_id}");
        let new_secret = NewSecret {
            name: name.clone(),
            value,
            scopes: model.scopes.clone().unwrap_or_else(default_scopes),
            comment: model.comment.clone().filter(|c| !c.is_empty()),
        };
        let created = client
            .create_secret(&account_id, &store_id, new_secret)
            .await;
        data.listings().forget(&account_id, &store_id);
        let created = match created {
            Ok(secret) => secret,
            Err(e) if e.kind() == ErrorKind::NameConflict => {
                resp.diagnostics
                    .add(name_taken(&operation, &name, &account_id, &store_id));
                return resp;
            }
            Err(Error::Cancelled { may_have_applied }) => {
                resp.diagnostics.add(create_cancelled(
                    &name,
                    &account_id,
                    &store_id,
                    may_have_applied,
                ));
                return resp;
            }
            Err(e) => {
                resp.diagnostics
                    .add(data.api_error(&operation, Access::Write, &e));
                return resp;
            }
        };
        // Start from what the plan planned; the value just sent is the configured one.
        let mut private = SecretPrivate::decode(&req.planned_private);
        private.value_drifted = false;
        resp.private = private.encode();
        let settled = settle(
            data,
            &client,
            &account_id,
            created,
            Change::Created,
            &req.cancel,
        )
        .await;
        let (secret, failure) = match settled {
            Ok(secret) => (secret, None),
            Err((secret, diag)) => (secret, Some(diag)),
        };
        model.apply_remote(&secret, &account_id);
        // Keep the planned (configured) comment and scopes: the API may normalise them.
        let planned = SecretModel::from_value(&req.planned_state);
        model.comment = planned.comment;
        model.scopes = planned.scopes.or(model.scopes);
        resp.new_state = model.to_value();
        if let Some(diag) = failure {
            // The secret exists: a non-null state with an error is saved as tainted.
            resp.diagnostics.add(diag);
        }
        resp
    }

    async fn read(&self, req: ReadRequest<Service>) -> ReadResponse {
        let mut resp = ReadResponse {
            private: req.private.clone(),
            ..ReadResponse::default()
        };
        let state = SecretModel::from_value(&req.current_state);
        let (Some(secret_id), Some(store_id)) = (state.id.clone(), state.store_id.clone()) else {
            resp.diagnostics.add(Diagnostic::error(
                "Secret state is incomplete",
                "The state has no id or store_id. Remove it with terraform state rm and import \
                 the secret again.",
            ));
            return resp;
        };
        let data = &req.provider;
        let (client, account_id) =
            match data.client_and_account(req.current_state.get("account_id"), &req.cancel) {
                Ok(pair) => pair,
                Err(diags) => {
                    resp.diagnostics = diags;
                    return resp;
                }
            };
        let remote = match data
            .listings()
            .read(&client, &account_id, &store_id, &secret_id)
            .await
        {
            Lookup::Found(secret) => secret,
            Lookup::Absent => {
                if let Some(name) = &state.name {
                    data.walk().note_gone(&account_id, name);
                }
                resp.new_state = Value::Null;
                return resp;
            }
            Lookup::Failed(failure) => {
                let name = state.name.as_deref().unwrap_or(&secret_id);
                resp.diagnostics.add(data.read_failed(
                    &format!("refresh secret {name} in store {store_id}"),
                    &failure,
                ));
                resp.new_state = req.current_state.clone();
                return resp;
            }
        };
        // Read records what it sees; the plan decides what to say about it (`plan.rs`).
        let mut private = SecretPrivate::decode(&req.private);
        let mut model = state.clone();
        model.apply_remote(&remote, &account_id);
        if value_changed_outside(&state, &model) {
            private.value_drifted = true;
            // A value kept in state no longer matches: the plan compares the config with null
            // and sends the configured value again.
            model.value = Value::Null;
        }
        resp.private = private.encode();
        resp.new_state = model.to_value();
        resp
    }

    async fn update(&self, req: UpdateRequest<Service>) -> UpdateResponse {
        // An apply ends the walk whose plans registered secret names (see `WalkNotes`).
        req.provider.walk().applied();
        let mut resp = UpdateResponse {
            private: req.private.clone(),
            ..UpdateResponse::default()
        };
        let data = &req.provider;
        let prior = SecretModel::from_value(&req.prior_state);
        let planned = SecretModel::from_value(&req.planned_state);
        let (client, account_id) =
            match data.client_and_account(req.prior_state.get("account_id"), &req.cancel) {
                Ok(pair) => pair,
                Err(diags) => {
                    resp.diagnostics = diags;
                    return resp;
                }
            };
        let (Some(secret_id), Some(store_id)) = (prior.id.clone(), prior.store_id.clone()) else {
            resp.diagnostics.add(Diagnostic::error(
                "Secret state is incomplete",
                "The state has no id or store_id; remove it with terraform state rm and import \
                 the secret again.",
            ));
            return resp;
        };
        let name = prior.name.clone().unwrap_or_default();
        let mut private = SecretPrivate::decode(&req.private);
        let push_value =
            planned.value != prior.value || planned.value_wo_version != prior.value_wo_version;
        let mut patch = SecretPatch::default();
        if push_value {
            patch.value = configured_value(&req.config);
        }
        let scopes = planned.scopes.clone().unwrap_or_else(default_scopes);
        if Some(&scopes) != prior.scopes.as_ref() {
            patch.scopes = Some(scopes);
        }
        if planned.comment != prior.comment {
            patch.comment = Some(planned.comment.clone().unwrap_or_default());
        }
        let mut model = planned.clone();
        model.id = prior.id.clone();
        model.account_id = Some(account_id.clone());
        model.store_id = prior.store_id.clone();
        model.created = prior.created.clone();
        if patch.value.is_none() && patch.scopes.is_none() && patch.comment.is_none() {
            model.status = prior.status;
            model.modified = prior.modified;
            resp.new_state = model.to_value();
            return resp;
        }
        let value_sent = patch.value.is_some();
        let operation = format!("update secret {name} in store {store_id}");
        let patched = client
            .patch_secret(&account_id, &store_id, &secret_id, patch)
            .await;
        data.listings().forget(&account_id, &store_id);
        let patched = match patched {
            Ok(secret) => secret,
            Err(e) => {
                resp.diagnostics
                    .add(data.api_error(&operation, Access::Write, &e));
                return resp;
            }
        };
        if value_sent {
            private.value_drifted = false;
        }
        resp.private = private.encode();
        let comment = model.comment.clone();
        let scopes = model.scopes.clone();
        match settle(
            data,
            &client,
            &account_id,
            patched,
            Change::Updated,
            &req.cancel,
        )
        .await
        {
            Ok(secret) => model.apply_remote(&secret, &account_id),
            Err((secret, diag)) => {
                model.apply_remote(&secret, &account_id);
                resp.diagnostics.add(diag);
            }
        }
        model.comment = comment;
        model.scopes = scopes.or(model.scopes);
        resp.new_state = model.to_value();
        resp
    }

    async fn delete(&self, req: DeleteRequest<Service>) -> DeleteResponse {
        // An apply ends the walk whose plans registered secret names (see `WalkNotes`).
        req.provider.walk().applied();
        let mut resp = DeleteResponse::default();
        let prior = SecretModel::from_value(&req.prior_state);
        let (Some(secret_id), Some(store_id)) = (prior.id, prior.store_id) else {
            return resp;
        };
        let (client, account_id) = match req
            .provider
            .client_and_account(req.prior_state.get("account_id"), &req.cancel)
        {
            Ok(pair) => pair,
            Err(diags) => {
                resp.diagnostics = diags;
                return resp;
            }
        };
        let result = client
            .delete_secret(&account_id, &store_id, &secret_id)
            .await;
        req.provider.listings().forget(&account_id, &store_id);
        match result {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => resp.diagnostics.add(req.provider.api_error(
                &format!(
                    "delete secret {} in store {store_id}",
                    prior.name.as_deref().unwrap_or(&secret_id)
                ),
                Access::Write,
                &e,
            )),
        }
        resp
    }

    fn importer(&self) -> Option<&dyn ImportState<Service>> {
        Some(self)
    }

    fn config_validator(&self) -> Option<&dyn ValidateConfig> {
        Some(self)
    }

    fn plan_modifier(&self) -> Option<&dyn ModifyPlan<Service>> {
        Some(self)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(identity_schema(&[
            ("store_id", "Store that holds the secret."),
            ("id", "Secret id."),
        ]))
    }

    fn lister(&self) -> Option<&dyn ListResource<Service>> {
        Some(self)
    }

    fn config_generator(&self) -> Option<&dyn GenerateConfig> {
        Some(self)
    }

    fn state_mover(&self) -> Option<&dyn MoveState> {
        Some(self)
    }
}

/// Generated configuration leaves the value out: the secret's value stays managed elsewhere
/// until the user adds `value_wo` (or `value`).
impl GenerateConfig for StoreSecretResource {
    fn generate_config(&self, mut generated: Value) -> Value {
        generated.set("value", Value::Null);
        generated.set("value_wo_version", Value::Null);
        generated
    }
}

fn default_scopes() -> Vec<String> {
    DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect()
}

/// A moved `modified` with unchanged comment and scopes: the value was replaced elsewhere.
fn value_changed_outside(state: &SecretModel, refreshed: &SecretModel) -> bool {
    let Some(before) = state.modified.as_deref() else {
        return false; // just imported: nothing to compare with
    };
    let same_set = |a: &Option<Vec<String>>, b: &Option<Vec<String>>| match (a, b) {
        (Some(a), Some(b)) => {
            let (mut a, mut b) = (a.clone(), b.clone());
            a.sort();
            b.sort();
            a == b
        }
        (a, b) => a == b,
    };
    refreshed.modified.as_deref() != Some(before)
        && refreshed.comment == state.comment
        && same_set(&refreshed.scopes, &state.scopes)
}

/// What the secret went through before apply waits for it to become active.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    Created,
    Updated,
}

/// Waits until the secret is active; on failure returns the last view of it and a diagnostic.
async fn settle(
    data: &Service,
    client: &Client,
    account_id: &str,
    secret: Secret,
    change: Change,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<Secret, (Secret, Diagnostic)> {
    if secret.is_active() {
        return Ok(secret);
    }
    let (store_id, secret_id) = (secret.store_id.clone(), secret.id.clone());
    let timeout = data.activation_timeout();
    // One shared listing per poll for every secret of the store waiting at that moment.
    let fetch = || async {
        match client.poll_secret(account_id, &store_id, &secret_id).await {
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            other => other,
        }
    };
    wait_until_active(secret, timeout, cancel, fetch)
        .await
        .map_err(|(last, why)| {
            let diag = not_active(&last, timeout, &why, change);
            (last, diag)
        })
}

/// The error for a create that Terraform stopped (StopProvider) before it was known to be done.
fn create_cancelled(
    name: &str,
    account_id: &str,
    store_id: &str,
    may_have_applied: bool,
) -> Diagnostic {
    if may_have_applied {
        Diagnostic::error(
            format!("Creating secret {name} was cancelled; it may exist"),
            format!(
                "Terraform asked the provider to stop after the request to create secret \
                 {name} in store {store_id} was sent, and whether Cloudflare created it could \
                 not be checked. If the next apply reports that the secret already exists, {}.",
                import_advice(&format!("{account_id}/{store_id}/{name}"))
            ),
        )
    } else {
        Diagnostic::error(
            format!("Creating secret {name} was cancelled"),
            format!(
                "Terraform asked the provider to stop before secret {name} was created in store \
                 {store_id}: the secret was not created. Run terraform apply again to create it."
            ),
        )
    }
}

/// The error for a secret create whose name is taken in the store. Names are unique in a store,
/// so either this resource is being replaced with `create_before_destroy` under the same name
/// (the old secret still holds it), or the secret was made outside this resource.
fn name_taken(operation: &str, name: &str, account_id: &str, store_id: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Secret {name} already exists in store {store_id}"),
        format!(
            "Unable to {operation}: a secret named {name} already exists there, and secret names \
             are unique in a store.\n\nIf this resource is being replaced and has \
             `create_before_destroy = true`, its new secret cannot be created while the old one \
             still holds the name: remove `create_before_destroy` from this resource (the old \
             secret is then deleted first), or change `name` along with the change that forces \
             the replacement.\n\nIf another resource of this configuration plans the same name, \
             give one of them another name: two resources cannot hold one secret.\n\nOtherwise \
             the secret was created outside Terraform: {}, or choose another name.",
            import_advice(&format!("{account_id}/{store_id}/{name}"))
        ),
    )
}

/// The error for a secret apply could not see become active. Only a failed create is saved as
/// tainted (and replaced by the next apply unless untainted); an update keeps the secret and
/// only reports.
fn not_active(secret: &Secret, timeout: Duration, why: &WaitError, change: Change) -> Diagnostic {
    let (name, id) = (&secret.name, &secret.id);
    let outcome = match change {
        Change::Created => untaint_advice(
            &format!("secret {name} (id {id})"),
            &format!("its status is \"{ACTIVE}\""),
        ),
        Change::Updated => "The change was sent and the secret stays in state; the next plan \
                            refreshes its status."
            .to_string(),
    };
    if let WaitError::Cancelled = why {
        let done = match change {
            Change::Created => "created",
            Change::Updated => "updated",
        };
        return Diagnostic::error(
            format!("Stopped before secret {name} was confirmed active"),
            format!(
                "Terraform asked the provider to stop after secret {name} (id {id}) was {done} in \
                 store {}, while apply waited for it to become active (it was {:?}). {outcome}",
                secret.store_id,
                secret.status.as_str()
            ),
        );
    }
    let hint = match why {
        WaitError::Timeout { .. } => {
            " If Cloudflare is often this slow, raise the provider's secret_activation_timeout."
        }
        WaitError::Cancelled | WaitError::Api(_) => "",
    };
    Diagnostic::error(
        format!("Secret {name} did not become active"),
        format!(
            "Unable to confirm secret {name} (id {id}) in store {} is active within {}s: {why}. \
             {outcome}{hint}",
            secret.store_id,
            timeout.as_secs_f64()
        ),
    )
}

fn schema() -> Schema {
    Schema::new(
        "A secret in a Cloudflare Secrets Store. Set at most one of `value` (kept in state) and \
         `value_wo` (write-only, never in state or plan; Terraform 1.11+); with neither, the \
         value is managed elsewhere and Terraform leaves it alone.",
        vec![
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .description("Secret id."),
            account_id_attribute("secret"),
            Attribute::string("store_id")
                .optional()
                .computed()
                .requires_replace()
                .use_state_for_unknown()
                .description(
                    "Store that holds the secret. Defaults to the account's \
                     `default_secrets_store`, created at apply time if absent. Changing it \
                     replaces the secret.",
                ),
            Attribute::string("name")
                .required()
                .requires_replace()
                .description(
                    "Secret name, unique in the store: letters, digits, `_` and `-`, no \
                     whitespace. Checked at plan time. Changing it replaces the secret.",
                ),
            Attribute::string("value")
                .optional()
                .sensitive()
                .description("The secret value, stored in state. Conflicts with `value_wo`."),
            Attribute::string("value_wo")
                .optional()
                .sensitive()
                .write_only()
                .description(
                    "The secret value, never stored in state or plan. Requires Terraform 1.11 \
                     or later. Conflicts with `value`.",
                ),
            Attribute::number("value_wo_version")
                .optional()
                .description(
                    "Required with `value_wo`: change it to send `value_wo` again; Terraform \
                     cannot detect changes of a write-only value.",
                ),
            Attribute::new("scopes", Type::set(Type::String))
                .optional()
                .computed()
                .default(Value::string_set(DEFAULT_SCOPES))
                .description(
                    "Services that may use the secret. Default `[\"workers\"]`. Known values: \
                     `workers`, `ai_gateway`, `dex`, `access`, `containers`, `websearch`.",
                ),
            Attribute::string("comment")
                .optional()
                .description("Free-text description."),
            Attribute::string("status")
                .computed()
                .description("`pending` or `active`; apply waits for `active`."),
            Attribute::string("created")
                .computed()
                .use_state_for_unknown()
                .description("When the secret was created (RFC 3339)."),
            Attribute::string("modified")
                .computed()
                .description("When the secret was last modified (RFC 3339)."),
        ],
    )
}

#[async_trait]
impl ImportState<Service> for StoreSecretResource {
    async fn import_state(&self, req: ImportStateRequest<Service>) -> ImportStateResponse {
        let mut resp = ImportStateResponse::default();
        if !req.identity.is_null() {
            let ids = ["store_id", "id"];
            match state_from_identity(&req.identity, &ids, &req.provider, "secret") {
                Ok(state) => resp.state = state,
                Err(diag) => resp.diagnostics.add(diag),
            }
            return resp;
        }
        match import(&req).await {
            Ok(secret_state) => resp.state = secret_state,
            Err(diag) => resp.diagnostics.add(diag),
        }
        resp
    }
}

async fn import(req: &ImportStateRequest<Service>) -> Result<Value, Diagnostic> {
    let parsed =
        parse_secret_import(&req.id).map_err(|d| Diagnostic::error("Invalid import id", d))?;
    let data = &req.provider;
    let client = data.client_for(&req.cancel)?;
    let (account_id, store_id, key) = match parsed {
        SecretImport::InStore {
            account_id,
            store_id,
            secret,
        } => (account_id, store_id, secret),
        SecretImport::InDefaultStore { name } => {
            let account_id = data.resolve_account_id(&Value::Null)?;
            let store_id = data
                .existing_default_store_id(
                    &client,
                    &account_id,
                    &format!("import secret {name} from the default store of account {account_id}"),
                    "Import with <account_id>/<store_id>/<secret_name> instead.",
                )
                .await?;
            (account_id, store_id, SecretKey::Name(name))
        }
    };
    let operation = format!("import secret from store {store_id} of account {account_id}");
    let failed = |e: &Error| data.api_error(&operation, Access::Read, e);
    let secret = match &key {
        SecretKey::Id(id) => match client.get_secret(&account_id, &store_id, id).await {
            Ok(secret) => Some(secret),
            // A 32-hex name is possible: look it up by name before giving up.
            Err(e) if e.kind() == ErrorKind::NotFound => client
                .find_secret_by_name(&account_id, &store_id, id)
                .await
                .map_err(|e| failed(&e))?,
            Err(e) => return Err(failed(&e)),
        },
        SecretKey::Name(name) => client
            .find_secret_by_name(&account_id, &store_id, name)
            .await
            .map_err(|e| failed(&e))?,
    };
    let secret = secret.ok_or_else(|| {
        let what = match &key {
            SecretKey::Id(id) | SecretKey::Name(id) => id.clone(),
        };
        Diagnostic::error(
            "Secret not found",
            format!("Unable to {operation}: no secret with id or name {what} exists there."),
        )
    })?;
    Ok(SecretModel {
        id: Some(secret.id),
        account_id: Some(account_id),
        store_id: Some(secret.store_id),
        name: Some(secret.name),
        ..SecretModel::default()
    }
    .to_value())
}

#[cfg(test)]
mod tests;
