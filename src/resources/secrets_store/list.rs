//! `list "cloudflare_secrets_store"` for `terraform query`: the account's stores, page by page.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{SecretsStoreResource, StoreModel};
use crate::common::rules::check_id;
use crate::service::lookup::get_request;
use crate::service::{ReadFailure, Service};
use tfplugin::{
    Attr, Attribute, Diagnostics, ListRequest, ListResource, ListSink, ListedObject, Schema, Value,
    model,
};

/// The `config` of a `list "cloudflare_secrets_store"` block.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreListConfig {
    pub account_id: Attr<String>,
}

#[async_trait]
impl ListResource<Service> for SecretsStoreResource {
    fn list_schema(&self) -> Schema {
        Schema::new(
            "Finds the account's Secrets Stores for `terraform query`.",
            vec![Attribute::string("account_id").optional().description(
                "Account whose stores to list. Defaults to the provider's `account_id`.",
            )],
        )
    }

    fn validate_list_config(&self, config: &Value) -> Diagnostics {
        match model::from_value::<StoreListConfig>(config) {
            Ok(config) => check_id("account_id", &config.account_id)
                .into_iter()
                .collect(),
            Err(e) => e.into(),
        }
    }

    async fn list(&self, req: ListRequest<Service>, mut sink: ListSink) {
        if let Err(diagnostics) = list_stores(&req, &mut sink).await {
            sink.diagnostics(diagnostics).await;
        }
    }
}

/// Sends the account's stores to `sink`, each page as it arrives; the next page is requested
/// only while more are wanted.
async fn list_stores(req: &ListRequest<Service>, sink: &mut ListSink) -> Result<(), Diagnostics> {
    let data = &req.provider;
    let config: StoreListConfig = model::from_value(&req.config)?;
    let (client, account_id) =
        data.client_and_account(config.account_id.as_deref(), &req.cancel)?;
    let failed = |e| {
        let failure = ReadFailure::new(get_request(&account_id, "stores"), e);
        let operation = format!("list the stores of account {account_id}");
        Diagnostics::from(data.errors().request_failed(&operation, &failure))
    };
    let mut pages = client.store_pages(&account_id).map_err(failed)?;
    while sink.wants_more() {
        let Some(page) = pages.next_page().await.map_err(failed)? else {
            return Ok(());
        };
        for store in &page {
            let object = ListedObject {
                // As a read after import would give it.
                state: StoreModel::found(store, &account_id).to_state()?,
                display_name: store.name.clone(),
            };
            if !sink.send(object).await {
                return Ok(());
            }
        }
    }
    Ok(())
}
