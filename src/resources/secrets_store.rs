//! Resource `cloudflare_secrets_store`: create (or adopt) a store, import it by id or name,
//! refuse to destroy a non-empty store unless `force_destroy` is set.

mod list;
mod moved;

use async_trait::async_trait;

use super::advice::import_advice;
use super::attributes::{account_id_attribute, plan_provider_account};
use super::identity::{identity_schema, state_from_identity};
use super::import_id::{StoreImport, parse_store_import};
use crate::common::rules::{check_id, check_store_name};
use crate::common::values::{known_string, string_or_null};
use crate::service::{Access, DEFAULT_STORE_NAME, Lookup, Service};
use cloudflare_api::{Client, Error, ErrorKind, Store};
use tfplugin::{
    Attribute, CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, Diagnostic,
    Diagnostics, GenerateConfig, IdentitySchema, ImportState, ImportStateRequest,
    ImportStateResponse, ListResource, ModifyPlan, ModifyPlanRequest, ModifyPlanResponse,
    MoveState, ReadRequest, ReadResponse, Resource, Schema, UpdateRequest, UpdateResponse,
    UpgradeState, ValidateConfig, ValidateConfigRequest, ValidateConfigResponse, Value,
};

/// How many secret names a message about a store's secrets lists.
const NAMES_SHOWN: usize = 10;

/// The `cloudflare_secrets_store` resource.
#[derive(Clone, Copy, Debug, Default)]
pub struct SecretsStoreResource;

pub const TYPE_NAME: &str = "cloudflare_secrets_store";

/// The resource's attributes, converted to and from `Value` only here. Unknown values read
/// as `None`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoreModel {
    pub id: Option<String>,
    pub account_id: Option<String>,
    pub name: Option<String>,
    pub adopt: bool,
    pub force_destroy: bool,
    pub created: Option<String>,
    pub modified: Option<String>,
}

impl StoreModel {
    pub fn from_value(value: &Value) -> StoreModel {
        StoreModel {
            id: known_string(value.get("id")),
            account_id: known_string(value.get("account_id")),
            name: known_string(value.get("name")),
            adopt: value.get("adopt").as_bool().unwrap_or(false),
            force_destroy: value.get("force_destroy").as_bool().unwrap_or(false),
            created: known_string(value.get("created")),
            modified: known_string(value.get("modified")),
        }
    }

    pub fn to_value(&self) -> Value {
        Value::object([
            ("id", string_or_null(self.id.as_deref())),
            ("account_id", string_or_null(self.account_id.as_deref())),
            ("name", string_or_null(self.name.as_deref())),
            ("adopt", Value::Bool(self.adopt)),
            ("force_destroy", Value::Bool(self.force_destroy)),
            ("created", string_or_null(self.created.as_deref())),
            ("modified", string_or_null(self.modified.as_deref())),
        ])
    }

    /// Takes id, name and timestamps from the API's view of the store.
    fn apply_remote(&mut self, store: &Store, account_id: &str) {
        self.id = Some(store.id.clone());
        self.account_id = Some(account_id.to_string());
        self.name = Some(store.name.clone());
        self.created = Some(store.created.clone());
        self.modified = Some(store.modified.clone());
    }
}

/// Text describing the stores an account holds, e.g. `"prod" (id …)`.
fn describe_stores(stores: &[Store]) -> String {
    stores
        .iter()
        .map(|s| format!("{:?} (id {})", s.name, s.id))
        .collect::<Vec<_>>()
        .join(", ")
}

#[async_trait]
impl Resource<Service> for SecretsStoreResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let schema = Schema::new(
            "A Cloudflare Secrets Store. Cloudflare allows one store per account; set \
             `adopt = true` to manage a store that already exists.",
            vec![
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .description("Store id (32 hexadecimal characters)."),
                account_id_attribute("store"),
                Attribute::string("name")
                    .optional()
                    .computed()
                    .requires_replace()
                    .default(DEFAULT_STORE_NAME)
                    .description(
                        "Store name. Default `default_secrets_store`. Changing it replaces the \
                         store.",
                    ),
                Attribute::bool("adopt")
                    .optional()
                    .computed()
                    .default(false)
                    .description(
                        "When a store with this `name` already exists, take it over instead of \
                         failing. Default `false`.",
                    ),
                Attribute::bool("force_destroy")
                    .optional()
                    .computed()
                    .default(false)
                    .description(
                        "Destroy deletes the store even when it still holds secrets (they are \
                         deleted with it). Otherwise destroying a non-empty store fails. Default \
                         `false`.",
                    ),
                Attribute::string("created")
                    .computed()
                    .use_state_for_unknown()
                    .description("When the store was created (RFC 3339)."),
                Attribute::string("modified")
                    .computed()
                    .use_state_for_unknown()
                    .description("When the store was last modified (RFC 3339)."),
            ],
        );
        Schema {
            version: moved::SCHEMA_VERSION,
            ..schema
        }
    }

    async fn create(&self, req: CreateRequest<Service>) -> CreateResponse {
        // An apply ends the walk whose plans registered secret names (see `WalkNotes`).
        req.provider.walk().applied();
        let mut resp = CreateResponse::default();
        let mut model = StoreModel::from_value(&req.planned_state);
        let data = &req.provider;
        let (client, account_id) =
            match data.client_and_account(req.planned_state.get("account_id"), &req.cancel) {
                Ok(pair) => pair,
                Err(diags) => {
                    resp.diagnostics = diags;
                    return resp;
                }
            };
        let name = model
            .name
            .clone()
            .unwrap_or_else(|| DEFAULT_STORE_NAME.to_string());
        let created = create_or_adopt(data, &client, &account_id, &name, model.adopt).await;
        data.stores().forget(&account_id);
        match created {
            Ok(store) => {
                model.apply_remote(&store, &account_id);
                resp.new_state = model.to_value();
            }
            Err(diag) => resp.diagnostics.add(diag),
        }
        resp
    }

    async fn read(&self, req: ReadRequest<Service>) -> ReadResponse {
        let mut resp = ReadResponse {
            private: req.private.clone(),
            ..ReadResponse::default()
        };
        let mut model = StoreModel::from_value(&req.current_state);
        let Some(store_id) = model.id.clone() else {
            resp.diagnostics.add(Diagnostic::error(
                "Store state has no id",
                "Remove it from state and import it again.",
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
        let purpose = match &model.name {
            Some(name) => format!("refresh store {name:?} (id {store_id}) in account {account_id}"),
            None => format!("refresh store {store_id} in account {account_id}"),
        };
        // An imported store has only its id in state; one with its name and timestamps needs
        // no request of its own when its secrets' listing proves it is there.
        let complete = model.name.is_some() && model.created.is_some() && model.modified.is_some();
        if complete {
            match data
                .listings()
                .shows_secrets(&client, &account_id, &store_id)
                .await
            {
                Lookup::Found(true) => {
                    model.account_id = Some(account_id);
                    resp.new_state = model.to_value();
                    return resp;
                }
                Lookup::Failed(failure) => {
                    resp.diagnostics.add(data.read_failed(&purpose, &failure));
                    resp.new_state = req.current_state.clone();
                    return resp;
                }
                // Empty, or the listing 404s: the store's own GET decides.
                Lookup::Found(false) | Lookup::Absent => {}
            }
        }
        match data.stores().get(&client, &account_id, &store_id).await {
            Lookup::Found(store) => {
                model.apply_remote(&store, &account_id);
                resp.new_state = model.to_value();
            }
            // Deleted outside Terraform: null state, so the plan re-creates it.
            Lookup::Absent => resp.new_state = Value::Null,
            Lookup::Failed(failure) => {
                resp.diagnostics.add(data.read_failed(&purpose, &failure));
                resp.new_state = req.current_state.clone();
            }
        }
        resp
    }

    async fn update(&self, req: UpdateRequest<Service>) -> UpdateResponse {
        // An apply ends the walk whose plans registered secret names (see `WalkNotes`).
        req.provider.walk().applied();
        // Only `adopt` and `force_destroy` can change in place; they live in state alone.
        let prior = StoreModel::from_value(&req.prior_state);
        let mut model = StoreModel::from_value(&req.planned_state);
        model.id = prior.id;
        model.account_id = model.account_id.or(prior.account_id);
        model.name = model.name.or(prior.name);
        model.created = prior.created;
        model.modified = prior.modified;
        UpdateResponse {
            new_state: model.to_value(),
            private: req.private,
            diagnostics: Diagnostics::default(),
        }
    }

    async fn delete(&self, req: DeleteRequest<Service>) -> DeleteResponse {
        // An apply ends the walk whose plans registered secret names (see `WalkNotes`).
        req.provider.walk().applied();
        let mut resp = DeleteResponse::default();
        let model = StoreModel::from_value(&req.prior_state);
        let Some(store_id) = model.id.clone() else {
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
        let data = &req.provider;
        let deleted = client
            .delete_store(&account_id, &store_id, model.force_destroy)
            .await;
        data.listings().forget(&account_id, &store_id);
        data.stores().forget(&account_id);
        match deleted {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) if e.kind() == ErrorKind::StoreNotEmpty => {
                let name = model.name.as_deref().unwrap_or(&store_id);
                let names = data.listings().names(&client, &account_id, &store_id).await;
                resp.diagnostics
                    .add(store_not_empty(name, &store_id, &account_id, names));
            }
            Err(e) => resp.diagnostics.add(data.api_error(
                &format!("delete store {store_id} in account {account_id}"),
                Access::Write,
                &e,
            )),
        }
        resp
    }

    fn importer(&self) -> Option<&dyn ImportState<Service>> {
        Some(self)
    }

    fn plan_modifier(&self) -> Option<&dyn ModifyPlan<Service>> {
        Some(self)
    }

    fn config_validator(&self) -> Option<&dyn ValidateConfig> {
        Some(self)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(identity_schema(&[("id", "Store id.")]))
    }

    fn state_upgrader(&self) -> Option<&dyn UpgradeState> {
        Some(self)
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

/// Plan-time checks: the account id and the store name (see `common::rules`).
impl ValidateConfig for SecretsStoreResource {
    fn validate_config(&self, req: ValidateConfigRequest) -> ValidateConfigResponse {
        let mut diagnostics = Diagnostics::default();
        diagnostics.extend(check_id(&req.config, "account_id"));
        diagnostics.extend(check_store_name(&req.config));
        ValidateConfigResponse { diagnostics }
    }
}

/// Generated configuration leaves out `adopt` and `force_destroy` at their defaults.
impl GenerateConfig for SecretsStoreResource {
    fn generate_config(&self, mut generated: Value) -> Value {
        for flag in ["adopt", "force_destroy"] {
            if generated.get(flag).as_bool() == Some(false) {
                generated.set(flag, Value::Null);
            }
        }
        generated
    }
}

/// Creates the store, or takes over an existing one of the same name when `adopt` is set.
async fn create_or_adopt(
    data: &Service,
    client: &Client,
    account_id: &str,
    name: &str,
    adopt: bool,
) -> Result<Store, Diagnostic> {
    let operation = format!("create store {name:?} in account {account_id}");
    let existing = match data.stores().find(client, account_id, name).await {
        Lookup::Found(store) => Some(store),
        Lookup::Absent => None,
        Lookup::Failed(failure) => {
            return Err(data.errors().request_failed(
                &format!("{operation}: looking for an existing one"),
                &failure,
            ));
        }
    };
    if let Some(existing) = existing {
        if adopt {
            return Ok(existing);
        }
        return Err(Diagnostic::error(
            "Secrets Store already exists",
            format!(
                "Unable to {operation}: the account already has a store named {name:?} (id {}). \
                 To manage it with this resource, set adopt = true, or {}.",
                existing.id,
                import_advice(&format!("{account_id}/{}", existing.id))
            ),
        ));
    }
    match client.create_store(account_id, name).await {
        Ok(store) => Ok(store),
        Err(e) if e.kind() == ErrorKind::MaxStoresExceeded => {
            // Another process may have created it meanwhile: look again, past the cache.
            let stores = match client.list_stores(account_id).await {
                Ok(stores) => stores,
                Err(list_error) => {
                    return Err(data.api_error(
                        &format!("{operation} ({e}), then list the stores it holds"),
                        Access::Read,
                        &list_error,
                    ));
                }
            };
            if adopt && let Some(existing) = stores.iter().find(|s| s.name == name) {
                return Ok(existing.clone());
            }
            Err(max_stores_error(&operation, account_id, &stores, &e))
        }
        Err(Error::Cancelled { may_have_applied }) => {
            Err(create_cancelled(account_id, name, may_have_applied))
        }
        Err(e) => Err(data.api_error(&operation, Access::Write, &e)),
    }
}

/// The error for a store create that Terraform stopped (StopProvider) before it was known to
/// be done.
fn create_cancelled(account_id: &str, name: &str, may_have_applied: bool) -> Diagnostic {
    if may_have_applied {
        Diagnostic::error(
            format!("Creating store {name:?} was cancelled; it may exist"),
            format!(
                "Terraform asked the provider to stop after the request to create store {name:?} \
                 in account {account_id} was sent, and whether Cloudflare created it could not \
                 be checked. If the next apply reports that the store already exists, set \
                 adopt = true on this resource, or {}.",
                import_advice(&format!("{account_id}/{name}"))
            ),
        )
    } else {
        Diagnostic::error(
            format!("Creating store {name:?} was cancelled"),
            format!(
                "Terraform asked the provider to stop before store {name:?} was created in \
                 account {account_id}: the store was not created. Run terraform apply again to \
                 create it."
            ),
        )
    }
}

fn max_stores_error(
    operation: &str,
    account_id: &str,
    stores: &[Store],
    err: &Error,
) -> Diagnostic {
    let fix = match stores.first() {
        Some(existing) => format!(
            "The account already holds store {} and Cloudflare allows one store per account. \
             Either manage that store with this resource by setting\n  name  = {:?}\n  adopt = \
             true\nor {}.",
            describe_stores(stores),
            existing.name,
            import_advice(&format!("{account_id}/{}", existing.id))
        ),
        None => "The account already has as many stores as Cloudflare allows. Delete one, or \
                 import the existing store with terraform import."
            .to_string(),
    };
    Diagnostic::error(
        "Maximum number of Secrets Stores exceeded",
        format!("Unable to {operation}: {err}.\n{fix}"),
    )
}

#[async_trait]
impl ImportState<Service> for SecretsStoreResource {
    async fn import_state(&self, req: ImportStateRequest<Service>) -> ImportStateResponse {
        let mut resp = ImportStateResponse::default();
        if !req.identity.is_null() {
            match state_from_identity(&req.identity, &["id"], &req.provider, "store") {
                Ok(state) => {
                    let mut model = StoreModel::from_value(&state);
                    model.adopt = false;
                    resp.state = model.to_value();
                }
                Err(diag) => resp.diagnostics.add(diag),
            }
            return resp;
        }
        let parsed = match parse_store_import(&req.id) {
            Ok(parsed) => parsed,
            Err(detail) => {
                resp.diagnostics
                    .add(Diagnostic::error("Invalid import id", detail));
                return resp;
            }
        };
        let (account_attribute, store_id_or_name) = match &parsed {
            StoreImport::ById {
                account_id,
                store_id,
            } => (Value::from(account_id.clone()), store_id),
            StoreImport::ByName { account_id, name } => (Value::from(account_id.as_str()), name),
        };
        let account_id = match req.provider.resolve_account_id(&account_attribute) {
            Ok(a) => a,
            Err(d) => {
                resp.diagnostics.add(d);
                return resp;
            }
        };
        let store_id = match parsed {
            StoreImport::ById { .. } => store_id_or_name.clone(),
            StoreImport::ByName { name, .. } => {
                let client = match req.provider.client_for(&req.cancel) {
                    Ok(c) => c,
                    Err(d) => {
                        resp.diagnostics.add(d);
                        return resp;
                    }
                };
                let operation = format!("import store {name:?} of account {account_id}");
                match client.list_stores(&account_id).await {
                    Ok(stores) => match stores.iter().find(|s| s.name == name) {
                        Some(store) => store.id.clone(),
                        None => {
                            let held = if stores.is_empty() {
                                "it has no stores".to_string()
                            } else {
                                format!("it holds {}", describe_stores(&stores))
                            };
                            resp.diagnostics.add(Diagnostic::error(
                                "Secrets Store not found",
                                format!(
                                    "Unable to {operation}: the account has no store named \
                                     {name:?}; {held}."
                                ),
                            ));
                            return resp;
                        }
                    },
                    Err(e) => {
                        resp.diagnostics
                            .add(req.provider.api_error(&operation, Access::Read, &e));
                        return resp;
                    }
                }
            }
        };
        resp.state = StoreModel {
            id: Some(store_id),
            account_id: Some(account_id),
            ..StoreModel::default()
        }
        .to_value();
        resp
    }
}

/// The schema plans defaults, unknowns and kept values; this adds the provider's `account_id`
/// and, for `adopt = true`, the existing store's `id`, `created` and `modified`, so that
/// everything referring to the store sees its id at plan time. A destroy (or replacement) of a
/// store with `force_destroy = true` warns about the secrets that go with it.
#[async_trait]
impl ModifyPlan<Service> for SecretsStoreResource {
    async fn modify_plan(&self, req: ModifyPlanRequest<Service>) -> ModifyPlanResponse {
        let mut resp = ModifyPlanResponse {
            planned_private: req.prior_private.clone(),
            ..ModifyPlanResponse::default()
        };
        let mut planned = req.planned_state.clone();
        let destroys_prior =
            !req.prior_state.is_null() && (planned.is_null() || !req.requires_replace.is_empty());
        if destroys_prior && req.prior_state.get("force_destroy").as_bool() == Some(true) {
            match warn_force_destroy(&req).await {
                Ok(warning) => resp.diagnostics.extend(warning),
                Err(errors) => {
                    resp.diagnostics = errors;
                    return resp;
                }
            }
        }
        if !planned.is_null() {
            let provider_account = req.provider.default_account().map(str::to_string);
            plan_provider_account(
                &req.prior_state,
                &req.config,
                provider_account,
                &mut planned,
            );
            if req.prior_state.is_null() && planned.get("adopt").as_bool() == Some(true) {
                match store_to_adopt(&req.provider, &planned, &req.cancel).await {
                    Ok(Some(store)) => {
                        planned.set("id", Value::string(store.id));
                        planned.set("created", Value::string(store.created));
                        planned.set("modified", Value::string(store.modified));
                    }
                    Ok(None) => {}
                    Err(diag) => {
                        resp.diagnostics.add(diag);
                        return resp;
                    }
                }
            }
        }
        resp.planned_state = planned;
        resp
    }
}

/// The existing store a planned `adopt = true` create will take over: the account's store with
/// the planned name, looked up across every page. `Ok(None)` when there is none, or when it
/// cannot be known yet (the name, the account or the credentials are unknown until apply: no
/// request is made, and apply decides). Missing credentials and a failed lookup are errors: a
/// plan built on them would create a store that exists, or replace what refers to it.
async fn store_to_adopt(
    data: &Service,
    planned: &Value,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<Option<Store>, Diagnostic> {
    let (Some(name), Some(account_id)) = (
        planned.get("name").as_str(),
        planned.get("account_id").as_str(),
    ) else {
        return Ok(None);
    };
    let Some(client) = data.client_if_known(cancel)? else {
        return Ok(None);
    };
    match data.stores().find(&client, account_id, name).await {
        Lookup::Found(store) => Ok(Some(store)),
        Lookup::Absent => Ok(None),
        Lookup::Failed(failure) => Err(data.read_failed(
            &format!("look up store {name:?} of account {account_id} to adopt"),
            &failure,
        )),
    }
}

/// The warning for destroying (or replacing) a store whose `force_destroy` deletes the secrets
/// it holds: how many and which (the provider cannot tell which of them Terraform manages).
/// `None` when it holds none.
async fn warn_force_destroy(
    req: &ModifyPlanRequest<Service>,
) -> Result<Option<Diagnostic>, Diagnostics> {
    let data = &req.provider;
    let prior = StoreModel::from_value(&req.prior_state);
    let Some(store_id) = prior.id.as_deref() else {
        return Ok(None);
    };
    let (client, account_id) =
        data.client_and_account(req.prior_state.get("account_id"), &req.cancel)?;
    let names = match data.listings().names(&client, &account_id, store_id).await {
        Lookup::Found(names) if !names.is_empty() => names,
        Lookup::Found(_) | Lookup::Absent => return Ok(None),
        Lookup::Failed(failure) => {
            return Err(data
                .read_failed(
                    &format!("list the secrets that force_destroy deletes with store {store_id}"),
                    &failure,
                )
                .into());
        }
    };
    let name = prior.name.as_deref().unwrap_or(store_id);
    let what = if req.planned_state.is_null() {
        "Destroying"
    } else {
        "Replacing"
    };
    Ok(Some(Diagnostic::warning(
        format!(
            "Store {name} holds {} secret(s) that force_destroy deletes",
            names.len()
        ),
        format!(
            "{what} store {name:?} (id {store_id}) deletes every secret it holds, because \
             force_destroy = true. It holds {}. The provider cannot tell which of them this \
             configuration manages: secrets created outside Terraform (wrangler, the dashboard, \
             another configuration) are deleted too, and Workers bound to them break.",
            list_names(&names)
        ),
    )))
}

/// The error for deleting a store that still holds secrets, naming up to [`NAMES_SHOWN`] of
/// them (`names`: the store's secrets, or why they could not be listed).
fn store_not_empty(
    name: &str,
    store_id: &str,
    account_id: &str,
    names: Lookup<Vec<String>>,
) -> Diagnostic {
    let held = match names {
        Lookup::Found(names) if !names.is_empty() => {
            format!("it still holds {}", list_names(&names))
        }
        Lookup::Found(_) | Lookup::Absent => "it still holds secrets".to_string(),
        Lookup::Failed(failure) => format!(
            "it still holds secrets (listing them with {} failed: {})",
            failure.request, failure.error
        ),
    };
    Diagnostic::error(
        "Secrets Store is not empty",
        format!(
            "Unable to delete store {name:?} (id {store_id}) in account {account_id}: {held}. \
             These secrets are not among the resources this run destroys. Either delete them \
             first (with wrangler or the dashboard, or import them into cloudflare_store_secret \
             resources and destroy those), or set force_destroy = true on this store, run \
             terraform apply, and destroy again: force_destroy deletes the secrets with the \
             store."
        ),
    )
}

/// `3 secret(s): A, B, C`, or the first [`NAMES_SHOWN`] names and how many more.
fn list_names(names: &[String]) -> String {
    let shown = names
        .iter()
        .take(NAMES_SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let more = names.len().saturating_sub(NAMES_SHOWN);
    let count = names.len();
    if more > 0 {
        format!("{count} secret(s): {shown} and {more} more")
    } else {
        format!("{count} secret(s): {shown}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_round_trips_through_value() {
        let model = StoreModel {
            id: Some("fedcba9876543210fedcba9876543210".into()),
            account_id: Some("0123456789abcdef0123456789abcdef".into()),
            name: Some("prod".into()),
            adopt: true,
            force_destroy: false,
            created: Some("2026-01-01T00:00:00.000000Z".into()),
            modified: Some("2026-01-02T00:00:00.000000Z".into()),
        };
        let value = model.to_value();
        assert_eq!(value.get("name"), &Value::string("prod"));
        assert_eq!(value.get("adopt"), &Value::Bool(true));
        assert_eq!(StoreModel::from_value(&value), model);
    }

    #[test]
    fn schema_declares_the_spec_attributes() {
        let schema = SecretsStoreResource.schema();
        let name = schema.attribute("name").expect("name");
        assert!(name.optional && name.computed && name.requires_replace);
        assert_eq!(name.default, Some(Value::string(DEFAULT_STORE_NAME)));
        let account = schema.attribute("account_id").expect("account_id");
        assert!(account.optional && account.computed && account.requires_replace);
        for flag in ["adopt", "force_destroy"] {
            assert_eq!(
                schema.attribute(flag).unwrap().default,
                Some(Value::Bool(false))
            );
        }
        for computed in ["id", "created", "modified"] {
            let a = schema.attribute(computed).unwrap();
            assert!(a.computed && !a.optional, "{computed}");
        }
    }

    #[test]
    fn a_cancelled_create_says_whether_the_store_may_exist() {
        let not_created = create_cancelled("acct", "prod", false);
        assert!(
            not_created.detail.contains("was not created"),
            "{}",
            not_created.detail
        );
        let unsure = create_cancelled("acct", "prod", true);
        assert!(unsure.summary.contains("may exist"), "{}", unsure.summary);
        assert!(unsure.detail.contains("adopt = true"), "{}", unsure.detail);
        assert!(
            unsure.detail.contains("import id acct/prod"),
            "{}",
            unsure.detail
        );
    }

    #[test]
    fn max_stores_error_names_the_store_and_both_fixes() {
        let stores = vec![Store {
            id: "fedcba9876543210fedcba9876543210".into(),
            name: "existing".into(),
            created: String::new(),
            modified: String::new(),
            account_id: None,
        }];
        let err = cloudflare_api::Error::Api {
            status: 400,
            errors: vec![cloudflare_api::ApiMessage {
                code: 1003,
                message: "maximum_stores_exceeded".into(),
            }],
        };
        let diag = max_stores_error("create store", "acct", &stores, &err);
        assert!(diag.detail.contains("\"existing\""), "{}", diag.detail);
        assert!(diag.detail.contains("adopt = true"), "{}", diag.detail);
        assert!(
            diag.detail
                .contains("import id acct/fedcba9876543210fedcba9876543210"),
            "{}",
            diag.detail
        );
    }
}
