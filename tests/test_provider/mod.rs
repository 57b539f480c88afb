//! A test-only provider for the protocol acceptance tests (`tests/protocol.rs`): one resource,
//! `cloudflare_test_thing`, stored in a local JSON file, exercising computed, optional with
//! default, sensitive, write-only, requires-replace, validation and import; plus stand-ins with
//! the official provider's shapes: `cloudflare_workers_script` (`workers_script.rs`) and the
//! Secrets Store resources being migrated away from (`official_secrets_store.rs`), so this
//! provider can play the official `cloudflare/cloudflare` beside ours. Never shipped: it is
//! served by the `protocol_test_provider` example binary and, in process, by the reattach test.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::{Value as Json, json};
use tfplugin::*;

mod official_secrets_store;
mod workers_script;

/// Where the objects live when the provider configuration sets no `store_path`.
pub const STORE_PATH_ENV: &str = "TEST_PROVIDER_STORE_PATH";

/// The provider: configured with the path of the JSON file that plays the remote API.
pub struct TestProvider;

/// Where the "remote" objects live.
pub struct Store {
    path: PathBuf,
    /// Serialises read-modify-write cycles: Terraform creates resources in parallel.
    writes: Mutex<()>,
}

impl Store {
    fn load(&self) -> BTreeMap<String, Json> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Loads the objects, lets `change` edit them and saves them, one caller at a time.
    fn modify(&self, change: impl FnOnce(&mut BTreeMap<String, Json>)) -> Result<(), String> {
        let _one_writer = self.writes.lock().unwrap_or_else(|e| e.into_inner());
        let mut objects = self.load();
        change(&mut objects);
        self.save(&objects)
    }

    fn save(&self, objects: &BTreeMap<String, Json>) -> Result<(), String> {
        let text = serde_json::to_vec_pretty(objects).map_err(|e| e.to_string())?;
        std::fs::write(&self.path, text)
            .map_err(|e| format!("writing {}: {e}", self.path.display()))
    }
}

#[async_trait]
impl Provider for TestProvider {
    type Data = Store;

    fn type_name(&self) -> &'static str {
        "cloudflare"
    }

    fn version(&self) -> &'static str {
        "0.0.0-test"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Test provider.",
            vec![Attribute::string("store_path").optional().description(
                "JSON file holding the objects (default: $TEST_PROVIDER_STORE_PATH).",
            )],
        )
    }

    async fn configure(&self, req: ConfigureRequest) -> ConfigureResponse<Store> {
        let mut diagnostics = Diagnostics::default();
        let from_env = std::env::var(STORE_PATH_ENV).ok().filter(|p| !p.is_empty());
        match req
            .config
            .get("store_path")
            .as_str()
            .map(str::to_string)
            .or(from_env)
        {
            Some(path) => ConfigureResponse {
                data: Some(Store {
                    path: PathBuf::from(path),
                    writes: Mutex::new(()),
                }),
                diagnostics,
            },
            None => {
                diagnostics.add(
                    Diagnostic::error(
                        "Missing store path",
                        "Set store_path (or TEST_PROVIDER_STORE_PATH) to a known file path.",
                    )
                    .at(AttributePath::root("store_path")),
                );
                ConfigureResponse {
                    data: None,
                    diagnostics,
                }
            }
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<Store>>> {
        let mut resources: Vec<Arc<dyn Resource<Store>>> =
            vec![Arc::new(Thing), workers_script::resource()];
        resources.extend(official_secrets_store::resources());
        resources
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Store>>> {
        Vec::new()
    }
}

/// `cloudflare_test_thing`.
struct Thing;

/// The stored fields of a thing (the write-only token is only acknowledged, never stored).
/// A `name` that makes `create` panic: the test-only trigger of the panic-policy tests.
pub const PANIC_TRIGGER: &str = "panic-in-create";

const STORED: &[&str] = &[
    "name",
    "note",
    "size",
    "password",
    "token",
    "token_wo_version",
];

fn to_json(value: &Value) -> Json {
    match value {
        Value::String(s) => json!(s),
        Value::Number(n) => n
            .as_i64()
            .map_or_else(|| json!(n.to_decimal_string()), |i| json!(i)),
        Value::Bool(b) => json!(b),
        _ => Json::Null,
    }
}

fn from_json(json: &Json) -> Value {
    match json {
        Json::String(s) => Value::string(s.clone()),
        Json::Number(n) => n.as_i64().map_or(Value::Null, Value::from),
        Json::Bool(b) => Value::Bool(*b),
        _ => Value::Null,
    }
}

/// The record stored for `state` (plus whether a write-only token arrived).
fn record(state: &Value, config: &Value) -> Json {
    let mut object = serde_json::Map::new();
    for name in STORED {
        object.insert((*name).to_string(), to_json(state.get(name)));
    }
    object.insert(
        "token_wo_received".into(),
        json!(config.get("token_wo").as_str().is_some()),
    );
    Json::Object(object)
}

/// The state of the stored object `id`.
fn state_of(id: &str, stored: &Json) -> Value {
    let mut state = Value::object([("id", Value::string(id))]);
    for name in STORED {
        state.set(name, from_json(&stored[*name]));
    }
    state.set("token_wo", Value::Null);
    state
}

#[async_trait]
impl Resource<Store> for Thing {
    fn type_name(&self) -> &'static str {
        "cloudflare_test_thing"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "A thing stored in a local file.",
            vec![
                Attribute::string("id").computed().use_state_for_unknown(),
                Attribute::string("name").required().requires_replace(),
                Attribute::string("note")
                    .optional()
                    .computed()
                    .default("hello"),
                Attribute::number("size").optional(),
                Attribute::string("password").optional().sensitive(),
                Attribute::string("token").optional().sensitive(),
                Attribute::string("token_wo")
                    .optional()
                    .sensitive()
                    .write_only(),
                Attribute::number("token_wo_version").optional(),
            ],
        )
    }

    async fn create(&self, req: CreateRequest<Store>) -> Result<CreateResponse, Diagnostics> {
        Ok(async move {
            // The test-only panic trigger for the panic-policy tests.
            if req.planned_state.get("name").as_str() == Some(PANIC_TRIGGER) {
                panic!("test provider asked to panic by name = {PANIC_TRIGGER:?}");
            }
            let id = format!("thing-{:08x}", rand::random::<u32>());
            let mut state = req.planned_state;
            state.set("id", Value::string(id.clone()));
            let stored = record(&state, &req.config);
            let mut response = CreateResponse::default();
            match req.provider.modify(|objects| {
                objects.insert(id, stored);
            }) {
                Ok(()) => response.new_state = state,
                Err(e) => response
                    .diagnostics
                    .add(Diagnostic::error("Unable to create thing", e)),
            }
            response
        }
        .await)
    }

    async fn read(&self, req: ReadRequest<Store>) -> Result<ReadResponse, Diagnostics> {
        Ok(async move {
            let id = req.current_state.get("id").as_str().unwrap_or_default();
            let objects = req.provider.load();
            ReadResponse {
                new_state: objects
                    .get(id)
                    .map_or(Value::Null, |stored| state_of(id, stored)),
                private: req.private,
                diagnostics: Diagnostics::default(),
            }
        }
        .await)
    }

    async fn update(&self, req: UpdateRequest<Store>) -> Result<UpdateResponse, Diagnostics> {
        Ok(async move {
            let id = req.prior_state.get("id").as_str().unwrap_or_default();
            let mut stored = record(&req.planned_state, &req.config);
            let keep_token = req.config.get("token_wo").is_null();
            let mut response = UpdateResponse::default();
            match req.provider.modify(|objects| {
                if keep_token {
                    stored["token_wo_received"] = objects
                        .get(id)
                        .map_or(json!(false), |old| old["token_wo_received"].clone());
                }
                objects.insert(id.to_string(), stored);
            }) {
                Ok(()) => response.new_state = req.planned_state,
                Err(e) => response
                    .diagnostics
                    .add(Diagnostic::error("Unable to update thing", e)),
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
                    .add(Diagnostic::error("Unable to delete thing", e));
            }
            response
        }
        .await)
    }

    fn importer(&self) -> Option<&dyn ImportState<Store>> {
        Some(self)
    }

    fn config_validator(&self) -> Option<&dyn ValidateConfig> {
        Some(self)
    }
}

#[async_trait]
impl ImportState<Store> for Thing {
    async fn import_state(
        &self,
        req: ImportStateRequest<Store>,
    ) -> Result<ImportStateResponse, Diagnostics> {
        Ok(async move {
            let mut response = ImportStateResponse::default();
            if req.provider.load().contains_key(&req.id) {
                response.state = Value::object([("id", Value::string(req.id))]);
            } else {
                response.diagnostics.add(Diagnostic::error(
                    "Cannot import thing",
                    format!("No thing with id {:?} exists.", req.id),
                ));
            }
            response
        }
        .await)
    }
}

impl ValidateConfig for Thing {
    fn validate_config(&self, req: ValidateConfigRequest) -> ValidateConfigResponse {
        let mut response = ValidateConfigResponse::default();
        if req.config.get("size").as_i64().is_some_and(|n| n < 0) {
            response.diagnostics.add(
                Diagnostic::error(
                    "Invalid size",
                    "size must be zero or more; change it to a non-negative number.",
                )
                .at(AttributePath::root("size")),
            );
        }
        response
    }
}
