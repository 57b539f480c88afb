//! Resource `cloudflare_store_secret`: one secret in a store (the account's
//! `default_secrets_store` when `store_id` is omitted), with its value either in state (`value`)
//! or write-only (`value_wo` + `value_wo_version`), or managed elsewhere (neither set).

pub mod list;
mod moved;
mod plan;
mod quota;
mod validate;

use std::sync::LazyLock;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::activation::{ACTIVE, WaitError, wait_until_active};
use super::advice::{import_advice, untaint_advice};
use super::attributes::account_id_attribute;
use super::identity::{identity_schema, ids_from_identity};
use super::import_id::{SecretImport, SecretKey, parse_secret_import};
use crate::service::{Access, DEFAULT_STORE_NAME, Lookup, Service};
use cloudflare_api::{Client, Error, ErrorKind, NewSecret, Secret, SecretPatch};
use tfplugin::{
    Attr, Attribute, CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, Diagnostic,
    Diagnostics, GenerateConfig, IdentitySchema, ImportState, ImportStateRequest,
    ImportStateResponse, ListResource, ModifyPlan, MoveState, Number, ReadRequest, ReadResponse,
    Resource, Schema, Type, UpdateRequest, UpdateResponse, ValidateConfig, Value, model,
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

/// The resource's attributes: one field per attribute of [`SCHEMA`]. Not `Debug`: `value` and
/// `value_wo` hold the secret (`value_wo` only in a configuration: every state nulls it).
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretModel {
    pub id: Attr<String>,
    pub account_id: Attr<String>,
    pub store_id: Attr<String>,
    pub name: Attr<String>,
    pub value: Attr<String>,
    pub value_wo: Attr<String>,
    /// The user's version number for `value_wo`, kept as given (`1`, `1.5`, …).
    pub value_wo_version: Attr<Number>,
    /// A set; in a configuration or a plan some of its elements may be unknown.
    pub scopes: Attr<Vec<Attr<String>>>,
    pub comment: Attr<String>,
    pub status: Attr<String>,
    pub created: Attr<String>,
    pub modified: Attr<String>,
}

impl SecretModel {
    /// A secret as this provider first writes it to state when it did not plan it (import by
    /// id, `terraform query`): what identifies it; the read that follows fills in the rest.
    pub fn identified(account_id: String, store_id: String, id: String) -> SecretModel {
        SecretModel {
            id: Attr::Known(id),
            account_id: Attr::Known(account_id),
            store_id: Attr::Known(store_id),
            ..SecretModel::default()
        }
    }

    /// Takes the API's view of the secret: ids, name, status, timestamps; scopes when the API
    /// returns them; the comment unless both sides mean "no comment".
    fn apply_remote(&mut self, secret: &Secret, account_id: &str) {
        self.id = Attr::Known(secret.id.clone());
        self.account_id = Attr::Known(account_id.to_string());
        self.store_id = Attr::Known(secret.store_id.clone());
        self.name = Attr::Known(secret.name.clone());
        self.status = Attr::Known(secret.status.to_string());
        self.created = Attr::Known(secret.created.clone());
        self.modified = Attr::Known(secret.modified.clone());
        if let Some(scopes) = &secret.scopes {
            self.scopes = known_set(scopes);
        }
        self.comment = match secret.comment.as_deref() {
            None | Some("") if self.comment.as_deref() == Some("") => Attr::Known(String::new()),
            None | Some("") => Attr::Null,
            Some(c) => Attr::Known(c.to_string()),
        };
    }

    /// This model as a state value; `value_wo` is always null there.
    pub fn to_state(&self) -> Result<Value, Diagnostics> {
        let state = SecretModel {
            value_wo: Attr::Null,
            ..self.clone()
        };
        Ok(model::to_value(&state, &SCHEMA)?)
    }

    /// The value to send: `value` if set, else `value_wo` (read from the configuration).
    fn value_to_send(&self) -> Option<SecretString> {
        self.value
            .known()
            .or(self.value_wo.known())
            .map(|v| SecretString::from(v.clone()))
    }

    /// The scopes, when each of them is known.
    fn known_scopes(&self) -> Option<Vec<String>> {
        let scopes = self.scopes.known()?;
        scopes.iter().map(|s| s.known().cloned()).collect()
    }

    /// The scopes to send: the planned ones, or the default.
    fn scopes_to_send(&self) -> Vec<String> {
        self.known_scopes().unwrap_or_else(default_scopes)
    }

    /// The secret's id and store id, which every state written by this provider holds.
    fn located(&self) -> Result<(String, String), Diagnostic> {
        match (self.id.known(), self.store_id.known()) {
            (Some(id), Some(store_id)) => Ok((id.clone(), store_id.clone())),
            _ => Err(Diagnostic::error(
                "Secret state is incomplete",
                "The state has no id or store_id. Remove it with terraform state rm and import \
                 the secret again.",
            )),
        }
    }
}

/// What the provider keeps next to the state and the plan (opaque to Terraform).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretPrivate {
    /// A refresh saw the value change outside Terraform and it has not been re-pushed yet.
    #[serde(default)]
    pub value_drifted: bool,
    /// Only in the plan of an existing secret (apply and refresh drop it from state): the secret
    /// the plan starts from. When Terraform replaces the resource, it plans the new secret a second time with a
    /// null prior state and hands this back as that plan's prior private data: that is how the
    /// plan knows its "create" replaces this secret (see `plan.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_from: Option<ExistingSecret>,
}

/// An existing secret a plan starts from: its account and id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingSecret {
    pub account_id: String,
    pub id: String,
}

impl SecretPrivate {
    pub fn decode(bytes: &[u8]) -> SecretPrivate {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    /// What state keeps of private data decoded from a plan (or from an older state).
    pub fn for_state(bytes: &[u8]) -> SecretPrivate {
        SecretPrivate {
            planned_from: None,
            ..SecretPrivate::decode(bytes)
        }
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

#[async_trait]
impl Resource<Service> for StoreSecretResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        SCHEMA.clone()
    }

    async fn create(&self, req: CreateRequest<Service>) -> Result<CreateResponse, Diagnostics> {
        let data = &req.provider;
        // An apply ends the walk whose plans registered secret names (see `WalkNotes`).
        data.walk().applied();
        let planned: SecretModel = model::from_value(&req.planned_state)?;
        let config: SecretModel = model::from_value(&req.config)?;
        let (client, account_id) =
            data.client_and_account(planned.account_id.as_deref(), &req.cancel)?;
        let name = planned.name.as_deref().unwrap_or_default().to_string();
        let not_created = |detail: String| {
            Diagnostics::from(Diagnostic::error(
                format!("Unable to create secret {name}"),
                detail,
            ))
        };
        let store_id = match planned.store_id.known() {
            Some(id) => id.clone(),
            None => data
                .stores()
                .ensure_default(&client, &account_id)
                .await
                .map_err(|why| {
                    let outcome = if req.cancel.is_cancelled() {
                        " The secret was not created."
                    } else {
                        ""
                    };
                    not_created(format!(
                        "Unable to create secret {name}: store_id is not set, so the account's \
                         {DEFAULT_STORE_NAME} is used. {why}{outcome}"
                    ))
                })?,
        };
        let value = config.value_to_send().ok_or_else(|| {
            not_created(
                "Neither value nor value_wo is set, and creating a secret needs its value. Set \
                 value_wo or value."
                    .to_string(),
            )
        })?;
        let operation = format!("create secret {name} in store {store_id}");
        let new_secret = NewSecret {
            name: name.clone(),
            value,
            scopes: planned.scopes_to_send(),
            comment: planned.comment.known().filter(|c| !c.is_empty()).cloned(),
        };
        let created = client
            .create_secret(&account_id, &store_id, new_secret)
            .await;
        data.listings().forget(&account_id, &store_id);
        let created = created.map_err(|e| match e {
            e if e.kind() == ErrorKind::NameConflict => {
                name_taken(&operation, &name, &account_id, &store_id)
            }
            Error::Cancelled { may_have_applied } => {
                create_cancelled(&name, &account_id, &store_id, may_have_applied)
            }
            e => data.api_error(&operation, Access::Write, &e),
        })?;
        let mut resp = CreateResponse::default();
        // Start from what the plan planned; the value just sent is the configured one.
        let mut private = SecretPrivate::for_state(&req.planned_private);
        private.value_drifted = false;
        resp.private = private.encode();
        let settled = settle(
            data,
            &client,
            &account_id,
            created,
            Change::Created,
            &req.cancel,
        );
        let secret = match settled.await {
            Ok(secret) => secret,
            Err((secret, diag)) => {
                // The secret exists: a non-null state with an error is saved as tainted.
                resp.diagnostics.add(diag);
                secret
            }
        };
        let mut model = planned.clone();
        model.apply_remote(&secret, &account_id);
        // Keep the planned (configured) comment and scopes: the API may normalise them.
        model.comment = planned.comment;
        if planned.scopes.known().is_some() {
            model.scopes = planned.scopes;
        }
        resp.new_state = model.to_state()?;
        Ok(resp)
    }

    async fn read(&self, req: ReadRequest<Service>) -> Result<ReadResponse, Diagnostics> {
        let data = &req.provider;
        let state: SecretModel = model::from_value(&req.current_state)?;
        let (secret_id, store_id) = state.located()?;
        let (client, account_id) =
            data.client_and_account(state.account_id.as_deref(), &req.cancel)?;
        let remote = match data
            .listings()
            .read(&client, &account_id, &store_id, &secret_id)
            .await
        {
            Lookup::Found(secret) => secret,
            Lookup::Absent => {
                if let Some(name) = state.name.as_deref() {
                    data.walk().note_gone(&account_id, name);
                }
                return Ok(ReadResponse {
                    new_state: Value::Null,
                    private: req.private,
                    diagnostics: Diagnostics::default(),
                });
            }
            Lookup::Failed(failure) => {
                let name = state.name.as_deref().unwrap_or(&secret_id);
                let purpose = format!("refresh secret {name} in store {store_id}");
                return Err(data.read_failed(&purpose, &failure).into());
            }
        };
        // Read records what it sees; the plan decides what to say about it (`plan.rs`).
        let mut private = SecretPrivate::for_state(&req.private);
        let mut model = state.clone();
        model.apply_remote(&remote, &account_id);
        if value_changed_outside(&state, &model) {
            private.value_drifted = true;
            // A value kept in state no longer matches: the plan compares the config with null
            // and sends the configured value again.
            model.value = Attr::Null;
        }
        Ok(ReadResponse {
            new_state: model.to_state()?,
            private: private.encode(),
            diagnostics: Diagnostics::default(),
        })
    }

    async fn update(&self, req: UpdateRequest<Service>) -> Result<UpdateResponse, Diagnostics> {
        let data = &req.provider;
        // An apply ends the walk whose plans registered secret names (see `WalkNotes`).
        data.walk().applied();
        let prior: SecretModel = model::from_value(&req.prior_state)?;
        let planned: SecretModel = model::from_value(&req.planned_state)?;
        let config: SecretModel = model::from_value(&req.config)?;
        let (client, account_id) =
            data.client_and_account(prior.account_id.as_deref(), &req.cancel)?;
        let (secret_id, store_id) = prior.located()?;
        let mut patch = SecretPatch::default();
        if planned.value != prior.value || planned.value_wo_version != prior.value_wo_version {
            patch.value = config.value_to_send();
        }
        let scopes = planned.scopes_to_send();
        if Some(&scopes) != prior.known_scopes().as_ref() {
            patch.scopes = Some(scopes);
        }
        if planned.comment != prior.comment {
            patch.comment = Some(planned.comment.known().cloned().unwrap_or_default());
        }
        let mut model = SecretModel {
            id: prior.id.clone(),
            account_id: Attr::Known(account_id.clone()),
            store_id: prior.store_id.clone(),
            created: prior.created.clone(),
            ..planned.clone()
        };
        let mut private = SecretPrivate::for_state(&req.private);
        let mut resp = UpdateResponse {
            private: private.encode(),
            ..UpdateResponse::default()
        };
        if patch.value.is_none() && patch.scopes.is_none() && patch.comment.is_none() {
            model.status = prior.status;
            model.modified = prior.modified;
            resp.new_state = model.to_state()?;
            return Ok(resp);
        }
        let value_sent = patch.value.is_some();
        let name = prior.name.as_deref().unwrap_or_default();
        let operation = format!("update secret {name} in store {store_id}");
        let patched = client
            .patch_secret(&account_id, &store_id, &secret_id, patch)
            .await;
        data.listings().forget(&account_id, &store_id);
        let patched = patched.map_err(|e| data.api_error(&operation, Access::Write, &e))?;
        if value_sent {
            private.value_drifted = false;
        }
        resp.private = private.encode();
        let settled = settle(
            data,
            &client,
            &account_id,
            patched,
            Change::Updated,
            &req.cancel,
        );
        let secret = match settled.await {
            Ok(secret) => secret,
            Err((secret, diag)) => {
                resp.diagnostics.add(diag);
                secret
            }
        };
        model.apply_remote(&secret, &account_id);
        // Keep the planned (configured) comment and scopes: the API may normalise them.
        model.comment = planned.comment;
        if planned.scopes.known().is_some() {
            model.scopes = planned.scopes;
        }
        resp.new_state = model.to_state()?;
        Ok(resp)
    }

    async fn delete(&self, req: DeleteRequest<Service>) -> Result<DeleteResponse, Diagnostics> {
        let data = &req.provider;
        // An apply ends the walk whose plans registered secret names (see `WalkNotes`).
        data.walk().applied();
        let prior: SecretModel = model::from_value(&req.prior_state)?;
        let Ok((secret_id, store_id)) = prior.located() else {
            return Ok(DeleteResponse::default());
        };
        let (client, account_id) =
            data.client_and_account(prior.account_id.as_deref(), &req.cancel)?;
        let result = client
            .delete_secret(&account_id, &store_id, &secret_id)
            .await;
        data.listings().forget(&account_id, &store_id);
        match result {
            Ok(()) => Ok(DeleteResponse::default()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(DeleteResponse::default()),
            Err(e) => {
                let name = prior.name.as_deref().unwrap_or(&secret_id);
                let operation = format!("delete secret {name} in store {store_id}");
                Err(data.api_error(&operation, Access::Write, &e).into())
            }
        }
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
    fn generate_config(&self, generated: Value) -> Value {
        let Ok(config) = model::from_value::<SecretModel>(&generated) else {
            return generated;
        };
        let config = SecretModel {
            value: Attr::Null,
            value_wo_version: Attr::Null,
            ..config
        };
        config.to_state().unwrap_or(generated)
    }
}

/// Known strings as a model's set.
pub fn known_set(items: &[String]) -> Attr<Vec<Attr<String>>> {
    Attr::Known(items.iter().cloned().map(Attr::Known).collect())
}

fn default_scopes() -> Vec<String> {
    DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect()
}

/// A moved `modified` with unchanged comment and scopes: the value was replaced elsewhere.
fn value_changed_outside(state: &SecretModel, refreshed: &SecretModel) -> bool {
    let Some(before) = state.modified.as_deref() else {
        return false; // just imported: nothing to compare with
    };
    let same_set = |a: &SecretModel, b: &SecretModel| match (a.known_scopes(), b.known_scopes()) {
        (Some(mut a), Some(mut b)) => {
            a.sort();
            b.sort();
            a == b
        }
        _ => a.scopes == b.scopes,
    };
    refreshed.modified.as_deref() != Some(before)
        && refreshed.comment == state.comment
        && same_set(refreshed, state)
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
    wait_until_active(secret, client.activation_schedule(), timeout, cancel, fetch)
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

/// The resource's schema.
pub static SCHEMA: LazyLock<Schema> = LazyLock::new(|| {
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
});

#[async_trait]
impl ImportState<Service> for StoreSecretResource {
    async fn import_state(
        &self,
        req: ImportStateRequest<Service>,
    ) -> Result<ImportStateResponse, Diagnostics> {
        let model = if req.identity.is_null() {
            by_import_id(&req).await?
        } else {
            let ids = ["store_id", "id"];
            let (account_id, ids) =
                ids_from_identity(&req.identity, &ids, &req.provider, "secret")?;
            let [store_id, id] = <[String; 2]>::try_from(ids).map_err(|_| {
                Diagnostic::error("Incomplete import identity", "store_id and id are needed.")
            })?;
            SecretModel::identified(account_id, store_id, id)
        };
        Ok(ImportStateResponse {
            state: model.to_state()?,
            ..ImportStateResponse::default()
        })
    }
}

/// The secret an import id names (see `import_id` for the forms), found by id or by name.
async fn by_import_id(req: &ImportStateRequest<Service>) -> Result<SecretModel, Diagnostics> {
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
            let account_id = data.resolve_account_id(None)?;
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
            Err(e) => return Err(failed(&e).into()),
        },
        SecretKey::Name(name) => client
            .find_secret_by_name(&account_id, &store_id, name)
            .await
            .map_err(|e| failed(&e))?,
    };
    let secret = secret.ok_or_else(|| {
        let (SecretKey::Id(what) | SecretKey::Name(what)) = &key;
        Diagnostic::error(
            "Secret not found",
            format!("Unable to {operation}: no secret with id or name {what} exists there."),
        )
    })?;
    let mut model = SecretModel::identified(account_id, secret.store_id, secret.id);
    model.name = Attr::Known(secret.name);
    Ok(model)
}

#[cfg(test)]
mod tests;
