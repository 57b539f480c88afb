//! A test resource (`Widget`) and provider shared by the framework's tests and the wire edge's
//! tests: every capability, and a write-only value handed back wherever one could leak.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::framework::adoption::*;
use crate::framework::server::FrameworkServer;
use crate::framework::*;
use crate::schema::{Attribute, Schema};
use crate::value::Value;
use crate::{Diagnostic, Diagnostics};

/// A resource that records the cancellation tokens it saw, fails on request, and (when
/// `capable`) imports, moves state and lists, always handing back a write-only value to drop.
pub struct Widget {
    name: &'static str,
    capable: bool,
    pub tokens: Mutex<Vec<CancellationToken>>,
}

/// A widget state; `value_wo` set where a careless resource would leak it.
pub fn widget(id: Option<&str>, name: &str, value_wo: Option<&str>) -> Value {
    Value::object([
        ("id", id.into()),
        ("name", Value::string(name)),
        ("value", Value::Null),
        ("value_wo", value_wo.into()),
    ])
}

#[async_trait]
impl Resource<()> for Widget {
    fn type_name(&self) -> &'static str {
        self.name
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Widget.",
            vec![
                Attribute::string("id").computed(),
                Attribute::string("name").required(),
                Attribute::string("value").optional().sensitive(),
                Attribute::string("value_wo").optional().write_only(),
            ],
        )
    }

    async fn create(&self, req: CreateRequest<()>) -> Result<CreateResponse, Diagnostics> {
        if req.planned_state.get("name").as_str() == Some("refused") {
            return Err(Diagnostic::error("Unable to create widget", "refused").into());
        }
        let mut new_state = req.planned_state;
        new_state.set("id", Value::string("w-1"));
        new_state.set("value_wo", Value::string("leak"));
        // Private data: what the plan planned, marked as seen by create.
        let mut private = req.planned_private;
        private.extend_from_slice(b"+created");
        let mut diagnostics = Diagnostics::default();
        if new_state.get("name").as_str() == Some("fail") {
            diagnostics.add(Diagnostic::error("Unable to create widget", "boom"));
        }
        Ok(CreateResponse {
            new_state,
            private,
            diagnostics,
        })
    }

    async fn read(&self, req: ReadRequest<()>) -> Result<ReadResponse, Diagnostics> {
        self.tokens.lock().unwrap().push(req.cancel.clone());
        if req.current_state.get("name").as_str() == Some("unreadable") {
            return Err(Diagnostic::error("Unable to read widget", "refused").into());
        }
        let mut new_state = req.current_state;
        new_state.set("value_wo", Value::string("leak"));
        Ok(ReadResponse {
            new_state,
            ..Default::default()
        })
    }

    async fn update(&self, req: UpdateRequest<()>) -> Result<UpdateResponse, Diagnostics> {
        if req.planned_state.get("name").as_str() == Some("unchangeable") {
            return Err(Diagnostic::error("Unable to update widget", "refused").into());
        }
        Ok(UpdateResponse {
            new_state: req.planned_state,
            ..Default::default()
        })
    }

    async fn delete(&self, req: DeleteRequest<()>) -> Result<DeleteResponse, Diagnostics> {
        if req.prior_state.get("name").as_str() == Some("undeletable") {
            return Err(Diagnostic::error("Unable to delete widget", "refused").into());
        }
        Ok(DeleteResponse::default())
    }

    fn importer(&self) -> Option<&dyn ImportState<()>> {
        self.capable.then_some(self)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        let id = IdentityAttribute::required("id", "The widget's id.");
        Some(IdentitySchema {
            version: 0,
            attributes: vec![id],
        })
    }

    fn lister(&self) -> Option<&dyn ListResource<()>> {
        self.capable.then_some(self)
    }

    fn state_mover(&self) -> Option<&dyn MoveState> {
        self.capable.then_some(self)
    }
}

#[async_trait]
impl ImportState<()> for Widget {
    async fn import_state(
        &self,
        req: ImportStateRequest<()>,
    ) -> Result<ImportStateResponse, Diagnostics> {
        Ok(ImportStateResponse {
            state: widget(Some(&req.id), "imported", Some("leak")),
            ..Default::default()
        })
    }
}

impl MoveState for Widget {
    fn move_state(&self, req: MoveStateRequest) -> MoveStateResponse {
        let name = req.source_state["name"].as_str().unwrap_or("?");
        MoveStateResponse {
            target_state: widget(Some("w-9"), name, Some("leak")),
            diagnostics: Diagnostics::default(),
        }
    }
}

#[async_trait]
impl ListResource<()> for Widget {
    fn list_schema(&self) -> Schema {
        Schema::new("Lists widgets.", Vec::new())
    }

    async fn list(&self, _req: ListRequest<()>, mut sink: ListSink) {
        let found = [Some("w-1"), None, Some("w-3")];
        for (i, id) in found.into_iter().enumerate() {
            let object = ListedObject {
                state: widget(id, "listed", Some("leak")),
                display_name: format!("widget {i}"),
            };
            if !sink.send(object).await {
                return;
            }
        }
    }
}

pub struct TestProvider {
    widget: Arc<Widget>,
}

#[async_trait]
impl Provider for TestProvider {
    type Data = ();

    fn type_name(&self) -> &'static str {
        "test"
    }

    fn version(&self) -> &'static str {
        "0.0.1"
    }

    fn schema(&self) -> Schema {
        Schema::new("Test.", Vec::new())
    }

    async fn configure(&self, _req: ConfigureRequest) -> ConfigureResponse<()> {
        ConfigureResponse {
            data: Some(()),
            diagnostics: Diagnostics::default(),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<()>>> {
        let plain = Widget {
            name: "test_plain",
            capable: false,
            tokens: Mutex::new(Vec::new()),
        };
        vec![self.widget.clone(), Arc::new(plain)]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<()>>> {
        Vec::new()
    }
}

pub fn framework() -> (FrameworkServer<TestProvider>, Arc<Widget>) {
    let widget = Arc::new(Widget {
        name: "test_widget",
        capable: true,
        tokens: Mutex::new(Vec::new()),
    });
    let provider = TestProvider {
        widget: widget.clone(),
    };
    (FrameworkServer::new(provider), widget)
}
