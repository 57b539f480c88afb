//! Tests of the wire edge, through the RPC methods: requests decoded, replies encoded (msgpack
//! values, identity data, attribute paths, explicit severities), and every problem a diagnostic
//! in the reply, never a gRPC error.

use tokio_stream::StreamExt;
use tonic::Request;

use super::*;
use crate::framework::server::tests::widget::{self, widget};
use crate::msgpack;
use crate::types::Type;
use crate::value::Value;

fn service() -> ProviderService<widget::TestProvider> {
    ProviderService {
        framework: widget::framework().0,
    }
}

fn widget_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("value", Type::String),
        ("value_wo", Type::String),
    ])
}

fn dynamic(value: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: msgpack::encode(value, ty).unwrap(),
        json: Vec::new(),
    })
}

fn decoded(value: Option<pb::DynamicValue>, ty: &Type) -> Value {
    msgpack::decode(&value.expect("a value").msgpack, ty).unwrap()
}

fn id_identity(id: &str) -> (Value, Type) {
    let ty = Type::object([("id", Type::String)]);
    (Value::object([("id", Value::string(id))]), ty)
}

async fn configured() -> ProviderService<widget::TestProvider> {
    let service = service();
    let empty = Type::object::<&str>([]);
    let request = pb::configure_provider::Request {
        config: dynamic(&Value::object::<&str>([]), &empty),
        ..Default::default()
    };
    let reply = service.configure_provider(Request::new(request)).await;
    assert!(reply.unwrap().into_inner().diagnostics.is_empty());
    service
}

#[tokio::test]
async fn a_read_reply_carries_the_state_and_its_identity_in_msgpack() {
    let service = configured().await;
    let state = widget(Some("w-1"), "a", None);
    let request = pb::read_resource::Request {
        type_name: "test_widget".into(),
        current_state: dynamic(&state, &widget_type()),
        ..Default::default()
    };
    let reply = service.read_resource(Request::new(request)).await;
    let reply = reply.unwrap().into_inner();
    assert!(reply.diagnostics.is_empty(), "{:?}", reply.diagnostics);
    assert_eq!(decoded(reply.new_state, &widget_type()), state);
    let (identity, identity_type) = id_identity("w-1");
    let data = reply.new_identity.expect("identity").identity_data;
    assert_eq!(decoded(data, &identity_type), identity);
}

#[tokio::test]
async fn requests_that_cannot_be_converted_answer_with_error_diagnostics() {
    let service = configured().await;
    let read = |type_name: &str, msgpack: Vec<u8>| pb::read_resource::Request {
        type_name: type_name.into(),
        current_state: Some(pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        }),
        ..Default::default()
    };
    let state = msgpack::encode(&widget(Some("w-1"), "a", None), &widget_type()).unwrap();
    for (request, summary) in [
        (read("test_nothing", state), "Unknown resource type"),
        // A string where the schema wants an object.
        (
            read("test_widget", vec![0xa1, b'x']),
            "Invalid value on the plugin wire",
        ),
    ] {
        let reply = service.read_resource(Request::new(request)).await;
        let reply = reply.expect("a reply, not a gRPC error").into_inner();
        assert!(
            reply.new_state.is_none(),
            "{summary}: {:?}",
            reply.diagnostics
        );
        let error = pb::diagnostic::Severity::Error as i32;
        assert_eq!(reply.diagnostics[0].severity, error);
        assert_eq!(reply.diagnostics[0].summary, summary);
    }
}

#[tokio::test]
async fn a_write_only_refusal_points_at_the_attribute_on_the_wire() {
    let service = service();
    let config = widget(None, "a", Some("s3cret"));
    let request = pb::validate_resource_config::Request {
        type_name: "test_widget".into(),
        config: dynamic(&config, &widget_type()),
        client_capabilities: Some(pb::ClientCapabilities {
            write_only_attributes_allowed: false,
            ..Default::default()
        }),
    };
    let reply = service
        .validate_resource_config(Request::new(request))
        .await;
    let diagnostics = reply.unwrap().into_inner().diagnostics;
    assert_eq!(diagnostics.len(), 1);
    let steps = &diagnostics[0].attribute.as_ref().expect("a path").steps;
    let selector = pb::attribute_path::step::Selector::AttributeName("value_wo".into());
    assert_eq!(steps[0].selector, Some(selector));
}

#[tokio::test]
async fn schema_replies_list_every_type_identity_and_the_capabilities() {
    let service = service();
    let schema = service
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    let caps = schema.server_capabilities.unwrap();
    assert!(caps.plan_destroy && caps.get_provider_schema_optional);
    assert!(caps.move_resource_state && caps.generate_resource_config);
    assert!(schema.provider.is_some());
    let mut resources: Vec<_> = schema.resource_schemas.keys().collect();
    resources.sort();
    assert_eq!(resources, ["test_plain", "test_widget"]);
    let lists: Vec<_> = schema.list_resource_schemas.keys().collect();
    assert_eq!(lists, ["test_widget"], "only types with a lister");

    let identities = service
        .get_resource_identity_schemas(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner()
        .identity_schemas;
    let attribute = &identities["test_widget"].identity_attributes[0];
    assert_eq!(attribute.name, "id");
    assert_eq!(attribute.r#type, b"\"string\"");
    assert!(attribute.required_for_import && !attribute.optional_for_import);
}

#[tokio::test]
async fn a_listing_streams_encoded_events_and_an_unknown_type_one_error() {
    let service = configured().await;
    let list = |type_name: &str| pb::list_resource::Request {
        type_name: type_name.into(),
        config: dynamic(&Value::object::<&str>([]), &Type::object::<&str>([])),
        include_resource_object: true,
        limit: 0,
    };
    let stream = service
        .list_resource(Request::new(list("test_widget")))
        .await;
    let events: Vec<_> = stream.unwrap().into_inner().collect().await;
    assert_eq!(events.len(), 3);
    let first = events[0].as_ref().unwrap();
    let (identity, identity_type) = id_identity("w-1");
    let data = first.identity.clone().expect("identity").identity_data;
    assert_eq!(decoded(data, &identity_type), identity);
    let object = decoded(first.resource_object.clone(), &widget_type());
    assert_eq!(object, widget(Some("w-1"), "listed", None));

    let stream = service
        .list_resource(Request::new(list("test_plain")))
        .await;
    let events: Vec<_> = stream.unwrap().into_inner().collect().await;
    assert_eq!(events.len(), 1);
    let event = events[0].as_ref().unwrap();
    assert_eq!(event.diagnostic[0].summary, "Unknown list resource type");
}

#[tokio::test]
async fn unsupported_rpcs_answer_with_errors_not_panics() {
    let service = service();
    let moved = service
        .move_resource_state(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    let error = pb::diagnostic::Severity::Error as i32;
    assert_eq!(moved.diagnostics[0].severity, error);
    let opened = service
        .open_ephemeral_resource(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(opened.diagnostics[0].severity, error);
    let called = service
        .call_function(Request::new(pb::call_function::Request::default()))
        .await
        .unwrap()
        .into_inner();
    assert!(called.error.is_some());
}
