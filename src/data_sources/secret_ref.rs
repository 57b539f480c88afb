//! Data source `cloudflare_secret_ref`: an existing secret's metadata by exact name, plus a
//! Worker binding object. Never creates anything, never reads a value.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::common::rules::{check_id, check_secret_name};
use crate::service::{Lookup, Service};
use cloudflare_api::{Client, Secret};
use tfplugin::{
    Attr, Attribute, AttributePath, DataSource, Diagnostic, Diagnostics, Nesting,
    ReadDataSourceRequest, ReadDataSourceResponse, Schema, Type, ValidateConfig,
    ValidateConfigRequest, ValidateConfigResponse, model,
};

/// The `cloudflare_secret_ref` data source.
#[derive(Clone, Copy, Debug, Default)]
pub struct SecretRefDataSource;

pub const TYPE_NAME: &str = "cloudflare_secret_ref";

/// How many names a "not found" error lists.
const NAMES_SHOWN: usize = 10;

/// The Worker binding type for Secrets Store secrets.
pub const BINDING_TYPE: &str = "secrets_store_secret";

/// The data source's attributes: one field per attribute of its schema.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRefModel {
    pub name: Attr<String>,
    pub store_id: Attr<String>,
    pub account_id: Attr<String>,
    pub id: Attr<String>,
    pub status: Attr<String>,
    pub scopes: Attr<Vec<String>>,
    pub comment: Attr<String>,
    pub created: Attr<String>,
    pub modified: Attr<String>,
    pub worker_binding: Attr<WorkerBinding>,
}

/// A Worker's `secrets_store_secret` binding, without the JavaScript name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerBinding {
    #[serde(rename = "type")]
    pub kind: Attr<String>,
    pub store_id: Attr<String>,
    pub secret_name: Attr<String>,
}

impl SecretRefModel {
    /// The data source's state from the secret.
    pub fn found(secret: &Secret, account_id: &str) -> SecretRefModel {
        let text = |s: &str| Attr::Known(s.to_string());
        SecretRefModel {
            id: text(&secret.id),
            name: text(&secret.name),
            store_id: text(&secret.store_id),
            account_id: text(account_id),
            status: text(secret.status.as_str()),
            scopes: Attr::Known(secret.scopes.clone().unwrap_or_default()),
            comment: secret
                .comment
                .as_deref()
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .into(),
            created: text(&secret.created),
            modified: text(&secret.modified),
            worker_binding: Attr::Known(WorkerBinding {
                kind: text(BINDING_TYPE),
                store_id: text(&secret.store_id),
                secret_name: text(&secret.name),
            }),
        }
    }
}

#[async_trait]
impl DataSource<Service> for SecretRefDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Looks up an existing Secrets Store secret by exact name, without its value, and \
             offers a Worker binding for it. Never creates anything.",
            vec![
                Attribute::string("name")
                    .required()
                    .description("Exact name of the secret."),
                Attribute::string("store_id")
                    .optional()
                    .computed()
                    .description(
                        "Store to look in. Defaults to the account's `default_secrets_store` \
                         (never created by this data source).",
                    ),
                Attribute::string("account_id")
                    .optional()
                    .computed()
                    .description("Account to look in. Defaults to the provider's `account_id`."),
                Attribute::string("id").computed().description("Secret id."),
                Attribute::string("status")
                    .computed()
                    .description("`pending` or `active`."),
                Attribute::new("scopes", Type::set(Type::String))
                    .computed()
                    .description("Services that may use the secret."),
                Attribute::string("comment")
                    .computed()
                    .description("The secret's comment."),
                Attribute::string("created")
                    .computed()
                    .description("When the secret was created (RFC 3339)."),
                Attribute::string("modified")
                    .computed()
                    .description("When the secret was last modified (RFC 3339)."),
                Attribute::nested(
                    "worker_binding",
                    Nesting::Single,
                    vec![
                        Attribute::string("type")
                            .computed()
                            .description("Always `secrets_store_secret`."),
                        Attribute::string("store_id")
                            .computed()
                            .description("The store's id."),
                        Attribute::string("secret_name")
                            .computed()
                            .description("The secret's name."),
                    ],
                )
                .computed()
                .description(
                    "A Worker binding for this secret, without the JavaScript binding name: \
                     merge `{ name = \"...\" }` into it.",
                ),
            ],
        )
    }

    async fn read(
        &self,
        req: ReadDataSourceRequest<Service>,
    ) -> Result<ReadDataSourceResponse, Diagnostics> {
        let config: SecretRefModel = model::from_value(&req.config)?;
        let found = read(&req.provider, &config, &req.cancel).await?;
        Ok(ReadDataSourceResponse {
            state: model::to_value(&found, &self.schema())?,
            diagnostics: Diagnostics::default(),
        })
    }

    fn config_validator(&self) -> Option<&dyn ValidateConfig> {
        Some(self)
    }
}

impl ValidateConfig for SecretRefDataSource {
    fn validate_config(&self, req: ValidateConfigRequest) -> ValidateConfigResponse {
        let diagnostics = match model::from_value::<SecretRefModel>(&req.config) {
            Ok(config) => check_secret_name(&config.name)
                .into_iter()
                .chain(check_id("account_id", &config.account_id))
                .chain(check_id("store_id", &config.store_id))
                .collect(),
            Err(e) => e.into(),
        };
        ValidateConfigResponse { diagnostics }
    }
}

/// The secret `config` names, as the data source's state.
async fn read(
    data: &Service,
    config: &SecretRefModel,
    cancel: &CancellationToken,
) -> Result<SecretRefModel, Diagnostic> {
    let client = &data.client_for(cancel)?;
    let account_id = data.resolve_account_id(config.account_id.as_deref())?;
    let name = config.name.as_deref().unwrap_or_default();
    let store_id = match config.store_id.known() {
        Some(id) => id.clone(),
        None => {
            data.existing_default_store_id(
                client,
                &account_id,
                &format!("read secret {name}"),
                "Set store_id to the store that holds the secret. (This data source never \
                 creates stores.)",
            )
            .await?
        }
    };
    let purpose = format!("read secret {name} in store {store_id}");
    match data
        .listings()
        .find_by_name(client, &account_id, &store_id, name)
        .await
    {
        Lookup::Found(secret) => Ok(SecretRefModel::found(&secret, &account_id)),
        Lookup::Absent => Err(not_found(data, client, &account_id, &store_id, name).await),
        Lookup::Failed(failure) => Err(data.read_failed(&purpose, &failure)),
    }
}

/// The error for a name the store does not hold, listing up to [`NAMES_SHOWN`] names it does
/// hold (from the shared listing).
async fn not_found(
    data: &Service,
    client: &Client,
    account_id: &str,
    store_id: &str,
    name: &str,
) -> Diagnostic {
    let held = match data.listings().names(client, account_id, store_id).await {
        Lookup::Found(names) if names.is_empty() => "The store holds no secrets.".to_string(),
        Lookup::Found(names) => {
            let shown = names
                .iter()
                .take(NAMES_SHOWN)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            let more = names.len().saturating_sub(NAMES_SHOWN);
            if more > 0 {
                format!("It holds {shown} and {more} more.")
            } else {
                format!("It holds {shown}.")
            }
        }
        Lookup::Absent => {
            return Diagnostic::error(
                "Secrets Store not found",
                format!(
                    "Unable to read secret {name:?}: store {store_id} does not exist in account \
                     {account_id}. Check store_id (or remove it to use the account's \
                     default_secrets_store)."
                ),
            )
            .at(AttributePath::root("store_id"));
        }
        Lookup::Failed(failure) => format!(
            "Listing its secrets ({}) failed too: {}.",
            failure.request, failure.error
        ),
    };
    Diagnostic::error(
        "Secret not found",
        format!(
            "No secret named {name:?} exists in store {store_id} (account {account_id}); names \
             match exactly, including case. {held}"
        ),
    )
    .at(AttributePath::root("name"))
}
