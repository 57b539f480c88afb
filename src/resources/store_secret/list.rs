//! `list "cloudflare_store_secret"` for `terraform query`: every secret of a store (the account's
//! `default_secrets_store` unless `store_id` is set; a query never creates one), filtered by
//! name prefix and scopes. Results go to Terraform page by page as they arrive, and no page is
//! requested once the query's `limit` is reached.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{SecretModel, StoreSecretResource};
use crate::common::rules::check_id;
use crate::service::lookup::get_request;
use crate::service::{ReadFailure, Service};
use cloudflare_api::{ListSecretsParams, Secret};
use tfplugin::{
    Attr, Attribute, AttributePath, Diagnostic, Diagnostics, ListRequest, ListResource, ListSink,
    ListedObject, Schema, Type, Value, model,
};

/// The `config` of a `list "cloudflare_store_secret"` block.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretListConfig {
    pub store_id: Attr<String>,
    pub name_prefix: Attr<String>,
    pub scopes: Attr<Vec<String>>,
}

#[async_trait]
impl ListResource<Service> for StoreSecretResource {
    fn list_schema(&self) -> Schema {
        Schema::new(
            "Finds existing secrets of a store for `terraform query`.",
            vec![
                Attribute::string("store_id").optional().description(
                    "Store to list. Defaults to the account's `default_secrets_store` (never \
                     created by a query).",
                ),
                Attribute::string("name_prefix")
                    .optional()
                    .description("Only secrets whose name starts with this text."),
                Attribute::new("scopes", Type::set(Type::String))
                    .optional()
                    .description("Only secrets that have every one of these scopes."),
            ],
        )
    }

    fn validate_list_config(&self, config: &Value) -> Diagnostics {
        let config: SecretListConfig = match model::from_value(config) {
            Ok(config) => config,
            Err(e) => return e.into(),
        };
        if config.store_id.as_deref() == Some("") {
            return Diagnostic::error(
                "Empty store_id",
                "store_id is empty. Remove it to list the account's default_secrets_store, or \
                 set the id of the store to list.",
            )
            .at(AttributePath::root("store_id"))
            .into();
        }
        check_id("store_id", &config.store_id).into_iter().collect()
    }

    async fn list(&self, req: ListRequest<Service>, mut sink: ListSink) {
        if let Err(diagnostics) = list_secrets(&req, &mut sink).await {
            sink.diagnostics(diagnostics).await;
        }
    }
}

/// Sends the matching secrets of the store to `sink`, each page as it arrives; the next page
/// is requested only while more are wanted.
async fn list_secrets(req: &ListRequest<Service>, sink: &mut ListSink) -> Result<(), Diagnostics> {
    let data = &req.provider;
    let config: SecretListConfig = model::from_value(&req.config)?;
    let (client, account_id) = data.client_and_account(None, &req.cancel)?;
    let store_id = match config.store_id.known() {
        Some(id) => id.clone(),
        None => {
            data.existing_default_store_id(
                &client,
                &account_id,
                "list secrets",
                "Set store_id in the list block's config to list another store.",
            )
            .await?
        }
    };
    let prefix = config.name_prefix.known().cloned();
    let scopes = config.scopes.known().cloned().unwrap_or_default();
    let params = ListSecretsParams {
        search: prefix.clone().filter(|p| !p.is_empty()),
        order: Some("name".into()),
        direction: Some("asc".into()),
        per_page: None,
    };
    let failed = |e| {
        let request = get_request(&account_id, &format!("stores/{store_id}/secrets"));
        let operation = format!("list secrets of store {store_id}");
        Diagnostics::from(
            data.errors()
                .request_failed(&operation, &ReadFailure::new(request, e)),
        )
    };
    let mut pages = client
        .secret_pages(&account_id, &store_id, &params)
        .map_err(failed)?;
    while sink.wants_more() {
        let Some(page) = pages.next_page().await.map_err(failed)? else {
            return Ok(());
        };
        for secret in page
            .iter()
            .filter(|s| matches(s, prefix.as_deref(), &scopes))
        {
            let object = ListedObject {
                state: listed_state(secret, &account_id)?,
                display_name: secret.name.clone(),
            };
            if !sink.send(object).await {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Whether `secret` is live, its name starts with `prefix` and it has every scope of `scopes`.
fn matches(secret: &Secret, prefix: Option<&str>, scopes: &[String]) -> bool {
    let has_scopes = scopes
        .iter()
        .all(|want| secret.scopes.iter().flatten().any(|have| have == want));
    !secret.is_deleted() && secret.name.starts_with(prefix.unwrap_or("")) && has_scopes
}

/// The resource state of a listed secret, as a read after import would give it (no value).
pub(super) fn listed_state(secret: &Secret, account_id: &str) -> Result<Value, Diagnostics> {
    let mut model = SecretModel::default();
    model.apply_remote(secret, account_id);
    model.to_state()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(name: &str, scopes: &[&str], status: &str) -> Secret {
        Secret {
            id: "0".repeat(32),
            store_id: "1".repeat(32),
            name: name.into(),
            status: status.into(),
            created: "c".into(),
            modified: "m".into(),
            comment: None,
            scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn filters_by_prefix_and_every_scope_and_skips_deleted_secrets() {
        let workers = secret("API_KEY", &["workers"], "active");
        let both = secret("API_TOKEN", &["ai_gateway", "workers"], "active");
        let gone = secret("API_OLD", &["workers"], "deleted");
        let scopes = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(matches(&workers, Some("API_"), &[]));
        assert!(!matches(&workers, Some("DB_"), &[]));
        assert!(matches(&both, None, &scopes(&["ai_gateway", "workers"])));
        assert!(!matches(
            &workers,
            None,
            &scopes(&["ai_gateway", "workers"])
        ));
        assert!(!matches(&gone, None, &[]));
    }

    #[test]
    fn a_listed_secret_has_no_value_and_its_remote_attributes() {
        let state = listed_state(&secret("API_KEY", &["workers"], "active"), "acc").unwrap();
        assert_eq!(state.get("name"), &Value::string("API_KEY"));
        assert_eq!(state.get("account_id"), &Value::string("acc"));
        assert_eq!(state.get("value"), &Value::Null);
        assert_eq!(state.get("value_wo"), &Value::Null);
        assert_eq!(state.get("scopes"), &Value::string_set(["workers"]));
    }
}
