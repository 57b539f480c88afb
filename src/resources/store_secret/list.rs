//! `list "cloudflare_store_secret"` for `terraform query`: every secret of a store (the account's
//! `default_secrets_store` unless `store_id` is set; a query never creates one), filtered by
//! name prefix and scopes. Results go to Terraform page by page as they arrive, and no page is
//! requested once the query's `limit` is reached.

use async_trait::async_trait;

use super::{SecretModel, StoreSecretResource};
use crate::common::rules::check_id;
use crate::common::values::known_strings;
use crate::service::lookup::get_request;
use crate::service::{ReadFailure, Service};
use cloudflare_api::{ListSecretsParams, Secret};
use tfplugin::{
    Attribute, AttributePath, Diagnostic, Diagnostics, ListRequest, ListResource, ListSink,
    ListedObject, Schema, Type, Value,
};

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
        let mut diags = Diagnostics::default();
        if config.get("store_id").as_str() == Some("") {
            diags.add(
                Diagnostic::error(
                    "Empty store_id",
                    "store_id is empty. Remove it to list the account's default_secrets_store, \
                     or set the id of the store to list.",
                )
                .at(AttributePath::root("store_id")),
            );
        } else {
            diags.extend(check_id(config, "store_id"));
        }
        diags
    }

    async fn list(&self, req: ListRequest<Service>, mut sink: ListSink) {
        let data = &req.provider;
        let (client, account_id) = match data.client_and_account(&Value::Null, &req.cancel) {
            Ok(pair) => pair,
            Err(errors) => return sink.diagnostics(errors).await,
        };
        let store_id = match req.config.get("store_id").as_str() {
            Some(id) => id.to_string(),
            None => {
                let found = data
                    .existing_default_store_id(
                        &client,
                        &account_id,
                        "list secrets",
                        "Set store_id in the list block's config to list another store.",
                    )
                    .await;
                match found {
                    Ok(id) => id,
                    Err(diag) => return sink.diagnostics(diag.into()).await,
                }
            }
        };
        let prefix = req.config.get("name_prefix").as_str().map(str::to_string);
        let scopes = known_strings(req.config.get("scopes")).unwrap_or_default();
        let params = ListSecretsParams {
            search: prefix.clone().filter(|p| !p.is_empty()),
            order: Some("name".into()),
            direction: Some("asc".into()),
            per_page: None,
        };
        let operation = || format!("list secrets of store {store_id}");
        let failed = |e| {
            let failure = ReadFailure::new(
                get_request(&account_id, &format!("stores/{store_id}/secrets")),
                e,
            );
            data.errors().request_failed(&operation(), &failure)
        };
        let mut pages = match client.secret_pages(&account_id, &store_id, &params) {
            Ok(pages) => pages,
            Err(e) => return sink.diagnostics(failed(e).into()).await,
        };
        // Each page goes out as it arrives; the next is requested only while more are wanted.
        while sink.wants_more() {
            let page = match pages.next_page().await {
                Ok(Some(page)) => page,
                Ok(None) => return,
                Err(e) => return sink.diagnostics(failed(e).into()).await,
            };
            for secret in page
                .iter()
                .filter(|s| matches(s, prefix.as_deref(), &scopes))
            {
                let object = ListedObject {
                    state: listed_state(secret, &account_id),
                    display_name: secret.name.clone(),
                };
                if !sink.send(object).await {
                    return;
                }
            }
        }
    }
}

/// Whether `secret` is live, its name starts with `prefix` and it has every scope of `scopes`.
fn matches(secret: &Secret, prefix: Option<&str>, scopes: &[String]) -> bool {
    let has_scopes = scopes
        .iter()
        .all(|want| secret.scopes.iter().flatten().any(|have| have == want));
    !secret.is_deleted() && secret.name.starts_with(prefix.unwrap_or("")) && has_scopes
}

/// The resource state of a listed secret, as a read after import would give it (no value).
pub(super) fn listed_state(secret: &Secret, account_id: &str) -> Value {
    let mut model = SecretModel::default();
    model.apply_remote(secret, account_id);
    model.to_value()
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
        let state = listed_state(&secret("API_KEY", &["workers"], "active"), "acc");
        assert_eq!(state.get("name"), &Value::string("API_KEY"));
        assert_eq!(state.get("account_id"), &Value::string("acc"));
        assert_eq!(state.get("value"), &Value::Null);
        assert_eq!(state.get("value_wo"), &Value::Null);
        assert_eq!(state.get("scopes"), &Value::string_set(["workers"]));
    }
}
