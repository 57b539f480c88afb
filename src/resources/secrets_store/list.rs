//! `list "cloudflare_secrets_store"` for `terraform query`: the account's stores, page by page.

use async_trait::async_trait;

use super::{SecretsStoreResource, StoreModel};
use crate::common::rules::check_id;
use crate::service::lookup::get_request;
use crate::service::{ReadFailure, Service};
use cloudflare_api::Store;
use tfplugin::{
    Attribute, Diagnostics, ListRequest, ListResource, ListSink, ListedObject, Schema, Value,
};

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
        check_id(config, "account_id").into_iter().collect()
    }

    async fn list(&self, req: ListRequest<Service>, mut sink: ListSink) {
        let data = &req.provider;
        let (client, account_id) =
            match data.client_and_account(req.config.get("account_id"), &req.cancel) {
                Ok(pair) => pair,
                Err(errors) => return sink.diagnostics(errors).await,
            };
        let operation = || format!("list the stores of account {account_id}");
        let failed = |e| {
            let failure = ReadFailure::new(get_request(&account_id, "stores"), e);
            data.errors().request_failed(&operation(), &failure)
        };
        let mut pages = match client.store_pages(&account_id) {
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
            for store in &page {
                let object = ListedObject {
                    state: listed_state(store, &account_id),
                    display_name: store.name.clone(),
                };
                if !sink.send(object).await {
                    return;
                }
            }
        }
    }
}

/// The resource state of a listed store, as a read after import would give it.
fn listed_state(store: &Store, account_id: &str) -> Value {
    let mut model = StoreModel::default();
    model.apply_remote(store, account_id);
    model.to_value()
}
