//! `cloudflare_workers_script`: a stand-in with the shape of the official provider's resource
//! (account_id, script_name, content, main_module, bindings), so configurations that run this
//! provider beside the official one can be validated and applied in tests.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value as Json, json};
use tfplugin::*;

use super::Store;

pub struct WorkersScript;

/// The binding attributes the stand-in accepts (a subset of the official provider's).
const BINDING_FIELDS: &[&str] = &["name", "type", "text", "store_id", "secret_name"];

/// The stored record of a script: its name and bindings, as the "API" would keep them.
fn record(state: &Value) -> Json {
    let bindings: Vec<Json> = state
        .get("bindings")
        .elements()
        .unwrap_or_default()
        .iter()
        .map(|binding| {
            let mut object = serde_json::Map::new();
            for field in BINDING_FIELDS {
                if let Some(text) = binding.get(field).as_str() {
                    object.insert((*field).to_string(), json!(text));
                }
            }
            Json::Object(object)
        })
        .collect();
    json!({
        "kind": "workers_script",
        "script_name": state.get("script_name").as_str(),
        "bindings": bindings,
    })
}

#[async_trait]
impl Resource<Store> for WorkersScript {
    fn type_name(&self) -> &'static str {
        "cloudflare_workers_script"
    }

    fn schema(&self) -> Schema {
        let binding = vec![
            Attribute::string("name").required(),
            Attribute::string("type").required(),
            Attribute::string("text").optional(),
            Attribute::string("store_id").optional(),
            Attribute::string("secret_name").optional(),
        ];
        Schema::new(
            "A Worker script (test stand-in for the official provider's resource).",
            vec![
                Attribute::string("id").computed().use_state_for_unknown(),
                Attribute::string("account_id").required(),
                Attribute::string("script_name")
                    .required()
                    .requires_replace(),
                Attribute::string("content").optional(),
                Attribute::string("main_module").optional(),
                Attribute::nested("bindings", Nesting::List, binding).optional(),
            ],
        )
    }

    async fn create(&self, req: CreateRequest<Store>) -> Result<CreateResponse, Diagnostics> {
        Ok(async move {
            let mut state = req.planned_state;
            let id = state
                .get("script_name")
                .as_str()
                .unwrap_or_default()
                .to_string();
            state.set("id", Value::string(id.clone()));
            let stored = record(&state);
            let mut response = CreateResponse::default();
            match req.provider.modify(|objects| {
                objects.insert(id, stored);
            }) {
                Ok(()) => response.new_state = state,
                Err(e) => response
                    .diagnostics
                    .add(Diagnostic::error("Unable to upload the script", e)),
            }
            response
        }
        .await)
    }

    async fn read(&self, req: ReadRequest<Store>) -> Result<ReadResponse, Diagnostics> {
        Ok(async move {
            let id = req.current_state.get("id").as_str().unwrap_or_default();
            let exists = req.provider.load().contains_key(id);
            ReadResponse {
                new_state: if exists {
                    req.current_state
                } else {
                    Value::Null
                },
                private: req.private,
                diagnostics: Diagnostics::default(),
            }
        }
        .await)
    }

    async fn update(&self, req: UpdateRequest<Store>) -> Result<UpdateResponse, Diagnostics> {
        Ok(async move {
            let id = req
                .prior_state
                .get("id")
                .as_str()
                .unwrap_or_default()
                .to_string();
            let stored = record(&req.planned_state);
            let mut response = UpdateResponse::default();
            match req.provider.modify(|objects| {
                objects.insert(id, stored);
            }) {
                Ok(()) => response.new_state = req.planned_state,
                Err(e) => response
                    .diagnostics
                    .add(Diagnostic::error("Unable to update the script", e)),
            }
            response
        }
        .await)
    }

    async fn delete(&self, req: DeleteRequest<Store>) -> Result<DeleteResponse, Diagnostics> {
        Ok(async move {
            let id = req.prior_state.get("id").as_str().unwrap_or_default();
            let mut response = DeleteResponse::default();
            if let Err(e) = req.provider.modify(|objects| {
                objects.remove(id);
            }) {
                response
                    .diagnostics
                    .add(Diagnostic::error("Unable to delete the script", e));
            }
            response
        }
        .await)
    }
}

/// Keeps the stand-in registered: `Arc` of it for the provider's resource list.
pub fn resource() -> Arc<dyn Resource<Store>> {
    Arc::new(WorkersScript)
}
