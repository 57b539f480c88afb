//! Resource `cloudflare_secrets_store`: create (or adopt) a store, import it by id or name,
//! refuse to destroy a non-empty store unless `force_destroy` is set.

pub mod list;
mod moved;

use std::sync::LazyLock;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::advice::import_advice;
use super::attributes::{account_id_attribute, plan_provider_account};
use super::identity::{identity_schema, ids_from_identity};
use super::import_id::{StoreImport, parse_store_import};
use crate::common::rules::{check_id, check_store_name};
use crate::service::{Access, DEFAULT_STORE_NAME, Lookup, Service};
use cloudflare_api::{Client, Error, ErrorKind, Store};
use tfplugin::{
    Attr, Attribute, CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, Diagnostic,
    Diagnostics, GenerateConfig, IdentitySchema, ImportState, ImportStateRequest,
    ImportStateResponse, ListResource, ModifyPlan, ModifyPlanRequest, ModifyPlanResponse,
    MoveState, ReadRequest, ReadResponse, Resource, Schema, UpdateRequest, UpdateResponse,
    UpgradeState, ValidateConfig, ValidateConfigRequest, ValidateConfigResponse, Value, model,
};

/// How many secret names a message about a store's secrets lists.
const NAMES_SHOWN: usize = 10;

/// The `cloudflare_secrets_store` resource.
#[derive(Clone, Copy, Debug, Default)]
pub struct SecretsStoreResource;

pub const TYPE_NAME: &str = "cloudflare_secrets_store";

/// The resource's attributes: one field per attribute of [`SCHEMA`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreModel {
    pub id: Attr<String>,
    pub account_id: Attr<String>,
    pub name: Attr<String>,
    pub adopt: Attr<bool>,
    pub force_destroy: Attr<bool>,
    pub created: Attr<String>,
    pub modified: Attr<String>,
}

impl StoreModel {
    /// A store as this provider first writes it to state when it did not plan it (import,
    /// `terraform query`, a move): neither adopted nor `force_destroy`, as the schema's defaults
    /// plan them, so the next plan is empty.
    pub fn found(store: &Store, account_id: &str) -> StoreModel {
        let mut model = StoreModel {
            adopt: Attr::Known(false),
            force_destroy: Attr::Known(false),
            ..StoreModel::default()
        };
        model.apply_remote(store, account_id);
        model
    }

    /// Takes id, name and timestamps from the API's view of the store.
    fn apply_remote(&mut self, store: &Store, account_id: &str) {
        self.id = Attr::Known(store.id.clone());
        self.account_id = Attr::Known(account_id.to_string());
        self.name = Attr::Known(store.name.clone());
        self.created = Attr::Known(store.created.clone());
        self.modified = Attr::Known(store.modified.clone());
    }

    /// This model as a state value.
    pub fn to_state(&self) -> Result<Value, Diagnostics> {
        Ok(model::to_value(self, &SCHEMA)?)
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

/// The resource's schema.
static SCHEMA: LazyLock<Schema> = LazyLock::new(|| {
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
});

#[async_trait]
impl Resource<Service> for SecretsStoreResource {
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
        let mut model: StoreModel = model::from_value(&req.planned_state)?;
        let (client, account_id) =
            data.client_and_account(model.account_id.as_deref(), &req.cancel)?;
        let name = model
            .name
            .as_deref()
            .unwrap_or(DEFAULT_STORE_NAME)
            .to_string();
        let adopt = model.adopt == Attr::Known(true);
        let created = create_or_adopt(data, &client, &account_id, &name, adopt).await;
        data.stores().forget(&account_id);
        model.apply_remote(&created?, &account_id);
        Ok(CreateResponse {
            new_state: model.to_state()?,
            ..CreateResponse::default()
        })
    }

    async fn read(&self, req: ReadRequest<Service>) -> Result<ReadResponse, Diagnostics> {
        let mut model: StoreModel = model::from_value(&req.current_state)?;
        let store_id = model.id.known().cloned().ok_or_else(|| {
            Diagnostic::error(
                "Store state has no id",
                "Remove it from state and import it again.",
            )
        })?;
        let data = &req.provider;
        let (client, account_id) =
            data.client_and_account(model.account_id.as_deref(), &req.cancel)?;
        let purpose = match model.name.as_deref() {
            Some(name) => format!("refresh store {name:?} (id {store_id}) in account {account_id}"),
            None => format!("refresh store {store_id} in account {account_id}"),
        };
        let answer = |new_state| ReadResponse {
            new_state,
            private: req.private.clone(),
            diagnostics: Diagnostics::default(),
        };
        // An imported store has only its id in state; one with its name and timestamps needs
        // no request of its own when its secrets' listing proves it is there.
        let complete = [&model.name, &model.created, &model.modified]
            .iter()
            .all(|a| a.known().is_some());
        if complete {
            match data
                .listings()
                .shows_secrets(&client, &account_id, &store_id)
                .await
            {
                Lookup::Found(true) => {
                    model.account_id = Attr::Known(account_id);
                    return Ok(answer(model.to_state()?));
                }
                Lookup::Failed(failure) => return Err(data.read_failed(&purpose, &failure).into()),
                // Empty, or the listing 404s: the store's own GET decides.
                Lookup::Found(false) | Lookup::Absent => {}
            }
        }
        match data.stores().get(&client, &account_id, &store_id).await {
            Lookup::Found(store) => {
                model.apply_remote(&store, &account_id);
                Ok(answer(model.to_state()?))
            }
            // Deleted outside Terraform: null state, so the plan re-creates it.
            Lookup::Absent => Ok(answer(Value::Null)),
            Lookup::Failed(failure) => Err(data.read_failed(&purpose, &failure).into()),
        }
    }

    async fn update(&self, req: UpdateRequest<Service>) -> Result<UpdateResponse, Diagnostics> {
        // An apply ends the walk whose plans registered secret names (see `WalkNotes`).
        req.provider.walk().applied();
        // Only `adopt` and `force_destroy` can change in place; they live in state alone.
        let prior: StoreModel = model::from_value(&req.prior_state)?;
        let planned: StoreModel = model::from_value(&req.planned_state)?;
        let model = StoreModel {
            adopt: planned.adopt,
            force_destroy: planned.force_destroy,
            ..prior
        };
        Ok(UpdateResponse {
            new_state: model.to_state()?,
            private: req.private,
            diagnostics: Diagnostics::default(),
        })
    }

    async fn delete(&self, req: DeleteRequest<Service>) -> Result<DeleteResponse, Diagnostics> {
        let data = &req.provider;
        // An apply ends the walk whose plans registered secret names (see `WalkNotes`).
        data.walk().applied();
        let model: StoreModel = model::from_value(&req.prior_state)?;
        let Some(store_id) = model.id.known().cloned() else {
            return Ok(DeleteResponse::default());
        };
        let (client, account_id) =
            data.client_and_account(model.account_id.as_deref(), &req.cancel)?;
        let force = model.force_destroy == Attr::Known(true);
        let deleted = client.delete_store(&account_id, &store_id, force).await;
        data.listings().forget(&account_id, &store_id);
        data.stores().forget(&account_id);
        match deleted {
            Ok(()) => Ok(DeleteResponse::default()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(DeleteResponse::default()),
            Err(e) if e.kind() == ErrorKind::StoreNotEmpty => {
                let name = model.name.as_deref().unwrap_or(&store_id);
                let names = data.listings().names(&client, &account_id, &store_id).await;
                Err(store_not_empty(name, &store_id, &account_id, names).into())
            }
            Err(e) => Err(data
                .api_error(
                    &format!("delete store {store_id} in account {account_id}"),
                    Access::Write,
                    &e,
                )
                .into()),
        }
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
        let diagnostics = match model::from_value::<StoreModel>(&req.config) {
            Ok(config) => check_id("account_id", &config.account_id)
                .into_iter()
                .chain(check_store_name(&config.name))
                .collect(),
            Err(e) => e.into(),
        };
        ValidateConfigResponse { diagnostics }
    }
}

/// Generated configuration leaves out `adopt` and `force_destroy` at their defaults.
impl GenerateConfig for SecretsStoreResource {
    fn generate_config(&self, generated: Value) -> Value {
        let Ok(mut config) = model::from_value::<StoreModel>(&generated) else {
            return generated;
        };
        for flag in [&mut config.adopt, &mut config.force_destroy] {
            if *flag == Attr::Known(false) {
                *flag = Attr::Null;
            }
        }
        config.to_state().unwrap_or(generated)
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
    async fn import_state(
        &self,
        req: ImportStateRequest<Service>,
    ) -> Result<ImportStateResponse, Diagnostics> {
        let data = &req.provider;
        let (account_id, store_id) = if req.identity.is_null() {
            by_import_id(&req).await?
        } else {
            let (account_id, mut ids) = ids_from_identity(&req.identity, &["id"], data, "store")?;
            (account_id, ids.remove(0))
        };
        // Read follows and fills in the rest.
        let model = StoreModel {
            id: Attr::Known(store_id),
            account_id: Attr::Known(account_id),
            adopt: Attr::Known(false),
            force_destroy: Attr::Known(false),
            ..StoreModel::default()
        };
        Ok(ImportStateResponse {
            state: model.to_state()?,
            ..ImportStateResponse::default()
        })
    }
}

/// The account and store an import id names (see `import_id` for the forms); a store named by
/// its name is looked up.
async fn by_import_id(req: &ImportStateRequest<Service>) -> Result<(String, String), Diagnostics> {
    let data = &req.provider;
    let parsed =
        parse_store_import(&req.id).map_err(|d| Diagnostic::error("Invalid import id", d))?;
    let (account_attribute, name) = match parsed {
        StoreImport::ById {
            account_id,
            store_id,
        } => return Ok((data.resolve_account_id(account_id.as_deref())?, store_id)),
        StoreImport::ByName { account_id, name } => (account_id, name),
    };
    let account_id = data.resolve_account_id(Some(&account_attribute))?;
    let client = data.client_for(&req.cancel)?;
    let operation = format!("import store {name:?} of account {account_id}");
    let stores = client
        .list_stores(&account_id)
        .await
        .map_err(|e| data.api_error(&operation, Access::Read, &e))?;
    match stores.iter().find(|s| s.name == name) {
        Some(store) => Ok((account_id, store.id.clone())),
        None => {
            let held = if stores.is_empty() {
                "it has no stores".to_string()
            } else {
                format!("it holds {}", describe_stores(&stores))
            };
            Err(Diagnostic::error(
                "Secrets Store not found",
                format!("Unable to {operation}: the account has no store named {name:?}; {held}."),
            )
            .into())
        }
    }
}

/// The schema plans defaults, unknowns and kept values; this adds the provider's `account_id`
/// and, for `adopt = true`, the existing store's `id`, `created` and `modified`, so that
/// everything referring to the store sees its id at plan time. A destroy (or replacement) of a
/// store with `force_destroy = true` warns about the secrets that go with it.
#[async_trait]
impl ModifyPlan<Service> for SecretsStoreResource {
    async fn modify_plan(
        &self,
        req: ModifyPlanRequest<Service>,
    ) -> Result<ModifyPlanResponse, Diagnostics> {
        let data = &req.provider;
        let mut resp = ModifyPlanResponse {
            planned_private: req.prior_private.clone(),
            ..ModifyPlanResponse::default()
        };
        if !req.prior_state.is_null() {
            let prior: StoreModel = model::from_value(&req.prior_state)?;
            let destroyed = req.planned_state.is_null() || !req.requires_replace.is_empty();
            if destroyed && prior.force_destroy == Attr::Known(true) {
                let what = if req.planned_state.is_null() {
                    "Destroying"
                } else {
                    "Replacing"
                };
                resp.diagnostics
                    .extend(warn_force_destroy(data, &prior, what, &req.cancel).await?);
            }
        }
        if req.planned_state.is_null() {
            return Ok(resp);
        }
        let mut planned: StoreModel = model::from_value(&req.planned_state)?;
        if req.prior_state.is_null() {
            let config: StoreModel = model::from_value(&req.config)?;
            plan_provider_account(
                &mut planned.account_id,
                &config.account_id,
                data.default_account(),
            );
            if planned.adopt == Attr::Known(true)
                && let Some(store) = store_to_adopt(data, &planned, &req.cancel).await?
            {
                planned.id = Attr::Known(store.id);
                planned.created = Attr::Known(store.created);
                planned.modified = Attr::Known(store.modified);
            }
        }
        resp.planned_state = planned.to_state()?;
        Ok(resp)
    }
}

/// The existing store a planned `adopt = true` create will take over: the account's store with
/// the planned name, looked up across every page. `Ok(None)` when there is none, or when it
/// cannot be known yet (the name, the account or the credentials are unknown until apply: no
/// request is made, and apply decides). Missing credentials and a failed lookup are errors: a
/// plan built on them would create a store that exists, or replace what refers to it.
async fn store_to_adopt(
    data: &Service,
    planned: &StoreModel,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<Option<Store>, Diagnostic> {
    let (Some(name), Some(account_id)) = (planned.name.as_deref(), planned.account_id.as_deref())
    else {
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

/// The warning for destroying (or replacing: `what`) a store whose `force_destroy` deletes the
/// secrets it holds: how many and which (the provider cannot tell which of them Terraform
/// manages). Nothing when it holds none.
async fn warn_force_destroy(
    data: &Service,
    prior: &StoreModel,
    what: &str,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<Option<Diagnostic>, Diagnostics> {
    let Some(store_id) = prior.id.as_deref() else {
        return Ok(None);
    };
    let (client, account_id) = data.client_and_account(prior.account_id.as_deref(), cancel)?;
    let names = match data.listings().names(&client, &account_id, store_id).await {
        Lookup::Found(names) if !names.is_empty() => names,
        Lookup::Found(_) | Lookup::Absent => return Ok(None),
        Lookup::Failed(failure) => {
            let purpose =
                format!("list the secrets that force_destroy deletes with store {store_id}");
            return Err(data.read_failed(&purpose, &failure).into());
        }
    };
    let name = prior.name.as_deref().unwrap_or(store_id);
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
    fn the_model_and_the_schema_name_the_same_attributes() {
        let model = StoreModel {
            id: Attr::Known("fedcba9876543210fedcba9876543210".into()),
            account_id: Attr::Known("0123456789abcdef0123456789abcdef".into()),
            name: Attr::Known("prod".into()),
            adopt: Attr::Known(true),
            force_destroy: Attr::Known(false),
            created: Attr::Unknown,
            modified: Attr::Null,
        };
        let value = model
            .to_state()
            .expect("every field is an attribute, every attribute a field");
        assert_eq!(value.get("name"), &Value::string("prod"));
        assert_eq!(value.get("adopt"), &Value::Bool(true));
        assert!(value.get("created").is_unknown() && value.get("modified").is_null());
        assert_eq!(model::from_value::<StoreModel>(&value).unwrap(), model);
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
