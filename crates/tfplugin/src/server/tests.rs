//! Tests of the provider service's framework semantics, calling the RPC methods directly.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;
use tonic::Request;

use super::*;
use crate::Diagnostic;
use crate::msgpack;
use crate::schema::Attribute;

/// A resource that records the cancellation tokens it saw and can fail on create.
struct Widget {
    tokens: Mutex<Vec<CancellationToken>>,
}

#[async_trait]
impl Resource<()> for Widget {
    fn type_name(&self) -> &'static str {
        "test_widget"
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

    async fn create(&self, req: CreateRequest<()>) -> CreateResponse {
        let mut state = req.planned_state;
        state.set("id", Value::string("w-1"));
        // Private data: what the plan planned, marked as seen by create.
        let mut private = req.planned_private;
        private.extend_from_slice(b"+created");
        let mut response = CreateResponse {
            private,
            ..CreateResponse::default()
        };
        if state.get("name").as_str() == Some("fail") {
            response
                .diagnostics
                .add(Diagnostic::error("Unable to create widget", "boom"));
        }
        response.new_state = state;
        response
    }

    async fn read(&self, req: ReadRequest<()>) -> ReadResponse {
        self.tokens.lock().unwrap().push(req.cancel.clone());
        ReadResponse {
            new_state: req.current_state,
            ..Default::default()
        }
    }

    async fn update(&self, req: UpdateRequest<()>) -> UpdateResponse {
        UpdateResponse {
            new_state: req.planned_state,
            ..Default::default()
        }
    }

    async fn delete(&self, req: DeleteRequest<()>) -> DeleteResponse {
        let mut response = DeleteResponse::default();
        if req.prior_state.get("name").as_str() == Some("undeletable") {
            response
                .diagnostics
                .add(Diagnostic::error("Unable to delete widget", "refused"));
        }
        response
    }
}

struct TestProvider {
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
        vec![self.widget.clone()]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<()>>> {
        Vec::new()
    }
}

fn service() -> (ProviderService<TestProvider>, Arc<Widget>) {
    let widget = Arc::new(Widget {
        tokens: Mutex::new(Vec::new()),
    });
    let service = ProviderService::new(TestProvider {
        widget: widget.clone(),
    });
    (service, widget)
}

fn widget_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("value", Type::String),
        ("value_wo", Type::String),
    ])
}

fn dynamic(value: &Value) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: msgpack::encode(value, &widget_type()).unwrap(),
        json: Vec::new(),
    })
}

fn decoded(value: Option<pb::DynamicValue>) -> Value {
    crate::wire::decode_value(value.as_ref(), &widget_type()).unwrap()
}

fn widget(name: &str, value_wo: Option<&str>) -> Value {
    Value::object([
        ("id", Value::Null),
        ("name", Value::string(name)),
        ("value", Value::Null),
        ("value_wo", value_wo.into()),
    ])
}

async fn configure(service: &ProviderService<TestProvider>) {
    let response = service
        .configure_provider(Request::new(pb::configure_provider::Request {
            config: Some(pb::DynamicValue {
                msgpack: msgpack::encode(&Value::object::<&str>([]), &Type::object::<&str>([]))
                    .unwrap(),
                json: Vec::new(),
            }),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
}

fn validate_request(write_only_allowed: bool) -> pb::validate_resource_config::Request {
    pb::validate_resource_config::Request {
        type_name: "test_widget".into(),
        config: dynamic(&widget("a", Some("s3cret"))),
        client_capabilities: Some(pb::ClientCapabilities {
            deferral_allowed: false,
            write_only_attributes_allowed: write_only_allowed,
        }),
    }
}

#[tokio::test]
async fn write_only_needs_client_support_and_names_the_alternative() {
    let (service, _) = service();
    let refused = service
        .validate_resource_config(Request::new(validate_request(false)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(refused.diagnostics.len(), 1);
    let diag = &refused.diagnostics[0];
    assert_eq!(diag.severity, pb::diagnostic::Severity::Error as i32);
    assert!(diag.detail.contains("Terraform 1.11"), "{}", diag.detail);
    assert!(diag.detail.contains("`value`"), "{}", diag.detail);
    assert!(!diag.detail.contains("s3cret"));
    let path = diag.attribute.as_ref().unwrap();
    assert_eq!(
        path.steps[0].selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "value_wo".into()
        ))
    );

    let accepted = service
        .validate_resource_config(Request::new(validate_request(true)))
        .await
        .unwrap()
        .into_inner();
    assert!(accepted.diagnostics.is_empty());
}

#[tokio::test]
async fn unknown_resource_type_is_an_error_diagnostic() {
    let (service, _) = service();
    let mut request = validate_request(true);
    request.type_name = "test_nothing".into();
    let response = service
        .validate_resource_config(Request::new(request))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.diagnostics[0].summary, "Unknown resource type");
    assert_eq!(
        response.diagnostics[0].severity,
        pb::diagnostic::Severity::Error as i32
    );
}

#[tokio::test]
async fn resource_operations_before_configure_are_refused() {
    let (service, _) = service();
    let response = service
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "test_widget".into(),
            current_state: dynamic(&widget("a", None)),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.diagnostics[0].summary, "Provider not configured");
}

#[tokio::test]
async fn destroy_plans_null_and_create_plans_write_only_null() {
    let (service, _) = service();
    configure(&service).await;
    let destroy = service
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "test_widget".into(),
            prior_state: dynamic(&widget("a", None)),
            proposed_new_state: None,
            config: None,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(decoded(destroy.planned_state).is_null());

    let config = widget("a", Some("s3cret"));
    let create = service
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "test_widget".into(),
            prior_state: None,
            proposed_new_state: dynamic(&config),
            config: dynamic(&config),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let planned = decoded(create.planned_state);
    assert!(planned.get("value_wo").is_null());
    assert!(planned.get("id").is_unknown());
    assert_eq!(planned.get("name").as_str(), Some("a"));
}

#[tokio::test]
async fn apply_creates_and_keeps_partial_state_on_error() {
    let (service, _) = service();
    configure(&service).await;
    for (name, expect_error) in [("ok", false), ("fail", true)] {
        let mut planned = widget(name, None);
        planned.set("id", Value::unknown());
        let response = service
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: "test_widget".into(),
                prior_state: None,
                planned_state: dynamic(&planned),
                config: dynamic(&widget(name, Some("s3cret"))),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let state = decoded(response.new_state);
        assert_eq!(state.get("id").as_str(), Some("w-1"));
        assert!(state.get("value_wo").is_null());
        assert_eq!(!response.diagnostics.is_empty(), expect_error);
    }
}

#[tokio::test]
async fn apply_with_null_plan_deletes() {
    let (service, _) = service();
    configure(&service).await;
    let response = service
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "test_widget".into(),
            prior_state: dynamic(&widget("a", None)),
            planned_state: None,
            config: None,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(response.diagnostics.is_empty());
    assert!(decoded(response.new_state).is_null());
}

#[tokio::test]
async fn create_receives_the_planned_private_data() {
    let (service, _) = service();
    configure(&service).await;
    let mut planned = widget("ok", None);
    planned.set("id", Value::unknown());
    let response = service
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "test_widget".into(),
            prior_state: None,
            planned_state: dynamic(&planned),
            config: dynamic(&widget("ok", None)),
            planned_private: b"planned".to_vec(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
    assert_eq!(response.private, b"planned+created".to_vec());
}

#[tokio::test]
async fn a_failed_delete_keeps_the_object_and_its_private_data() {
    let (service, _) = service();
    configure(&service).await;
    let mut prior = widget("undeletable", None);
    prior.set("id", Value::string("w-1"));
    let response = service
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "test_widget".into(),
            prior_state: dynamic(&prior),
            planned_state: None,
            config: None,
            planned_private: b"{\"value_drifted\":true}".to_vec(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.diagnostics.len(), 1);
    assert_eq!(decoded(response.new_state), prior);
    assert_eq!(response.private, b"{\"value_drifted\":true}".to_vec());

    // A delete that succeeds leaves nothing behind, private data included.
    let response = service
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "test_widget".into(),
            prior_state: dynamic(&widget("a", None)),
            planned_state: None,
            planned_private: b"{}".to_vec(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(decoded(response.new_state).is_null());
    assert!(response.private.is_empty());
}

#[tokio::test]
async fn default_upgrade_decodes_json_with_missing_and_extra_keys() {
    let (service, _) = service();
    let response = service
        .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
            type_name: "test_widget".into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: br#"{"id":"w-9","name":"n","removed_attr":true}"#.to_vec(),
                flatmap: Default::default(),
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
    let state = decoded(response.upgraded_state);
    assert_eq!(state.get("id").as_str(), Some("w-9"));
    assert!(state.get("value").is_null());
}

#[tokio::test]
async fn import_without_importer_is_refused() {
    let (service, _) = service();
    configure(&service).await;
    let response = service
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "test_widget".into(),
            id: "w-1".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(response.imported_resources.is_empty());
    assert_eq!(response.diagnostics[0].summary, "Import not supported");
}

#[tokio::test]
async fn stop_cancels_in_flight_work_and_later_calls_get_a_fresh_token() {
    let (service, widget_resource) = service();
    configure(&service).await;
    let read = || pb::read_resource::Request {
        type_name: "test_widget".into(),
        current_state: dynamic(&widget("a", None)),
        ..Default::default()
    };
    service.read_resource(Request::new(read())).await.unwrap();
    service
        .stop_provider(Request::new(pb::stop_provider::Request {}))
        .await
        .unwrap();
    service.read_resource(Request::new(read())).await.unwrap();
    let tokens = widget_resource.tokens.lock().unwrap();
    assert!(tokens[0].is_cancelled());
    assert!(!tokens[1].is_cancelled());
}

#[tokio::test]
async fn schema_reply_advertises_capabilities() {
    let (service, _) = service();
    let response = service
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    let caps = response.server_capabilities.unwrap();
    assert!(caps.plan_destroy);
    assert!(caps.get_provider_schema_optional);
    assert!(response.provider.is_some());
    assert!(response.resource_schemas.contains_key("test_widget"));
}

#[tokio::test]
async fn unsupported_rpcs_answer_with_errors_not_panics() {
    let (service, _) = service();
    let moved = service
        .move_resource_state(Request::new(pb::move_resource_state::Request::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        moved.diagnostics[0].severity,
        pb::diagnostic::Severity::Error as i32
    );
    let called = service
        .call_function(Request::new(pb::call_function::Request::default()))
        .await
        .unwrap()
        .into_inner();
    assert!(called.error.is_some());
}
