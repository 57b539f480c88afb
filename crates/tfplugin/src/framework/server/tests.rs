//! Tests of the framework's semantics, protocol-agnostic: framework values in, framework values
//! out. Write-only values never come back, identity is projected from every state that leaves,
//! capabilities a resource lacks are refused with a reason.

use std::sync::Arc;

use tokio_stream::StreamExt;

use super::*;
use crate::diagnostics::{AttributePath, Severity};
use crate::framework::*;

pub(crate) mod widget;

use widget::{TestProvider, Widget, framework, widget};

async fn configured() -> FrameworkServer<TestProvider> {
    configured_with_widget().await.0
}

async fn configured_with_widget() -> (FrameworkServer<TestProvider>, Arc<Widget>) {
    let (framework, widget) = framework();
    let diagnostics = framework
        .configure(ConfigureRequest {
            config: Value::object::<&str>([]),
            terraform_version: "1.11.4".into(),
            client_capabilities: ClientCapabilities::default(),
        })
        .await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    (framework, widget)
}

fn apply_request(prior: Value, planned: Value, private: &[u8]) -> rpc::ApplyResourceChangeRequest {
    rpc::ApplyResourceChangeRequest {
        prior_state: prior,
        config: planned.clone(),
        planned_state: planned,
        planned_private: private.to_vec(),
    }
}

fn summaries(diagnostics: &Diagnostics) -> Vec<&str> {
    diagnostics.iter().map(|d| d.summary.as_str()).collect()
}

/// The result of an answer that must have succeeded without any diagnostic.
fn clean<T>(answer: rpc::Answer<T>) -> T {
    match answer {
        Ok((result, diagnostics)) if diagnostics.is_empty() => result,
        Ok((_, diagnostics)) | Err(diagnostics) => panic!("{diagnostics:?}"),
    }
}

/// The summaries of an answer that must have failed.
fn refusal<T>(answer: rpc::Answer<T>) -> Vec<String> {
    let diagnostics = answer.err().expect("a refusal");
    assert!(diagnostics.has_errors());
    summaries(&diagnostics)
        .into_iter()
        .map(String::from)
        .collect()
}

fn identity(id: &str) -> Option<Value> {
    Some(Value::object([("id", Value::string(id))]))
}

#[test]
fn write_only_needs_client_support_and_names_the_alternative() {
    let (framework, _) = framework();
    let entry = framework.resource("test_widget").unwrap();
    let validate = |write_only_attributes_allowed| {
        let request = ValidateConfigRequest {
            config: widget(None, "a", Some("s3cret")),
            client_capabilities: ClientCapabilities {
                deferral_allowed: false,
                write_only_attributes_allowed,
            },
        };
        framework.validate_resource(entry, request)
    };
    let refused = validate(false);
    assert_eq!(refused.len(), 1);
    let diag = &refused.as_slice()[0];
    assert_eq!(diag.severity, Severity::Error);
    assert!(diag.detail.contains("Terraform 1.11"), "{}", diag.detail);
    assert!(diag.detail.contains("`value`"), "{}", diag.detail);
    assert!(!diag.detail.contains("s3cret"));
    assert_eq!(diag.path, Some(AttributePath::root("value_wo")));
    assert!(validate(true).is_empty());
}

#[test]
fn unknown_types_are_errors_that_name_them() {
    let (framework, _) = framework();
    let Err(diagnostics) = framework.resource("test_nothing") else {
        panic!("an unknown type was found");
    };
    assert_eq!(summaries(&diagnostics), ["Unknown resource type"]);
    assert!(
        diagnostics.as_slice()[0]
            .detail
            .contains("\"test_nothing\"")
    );
    let Err(diagnostics) = framework.list_resource("test_plain") else {
        panic!("a resource without lister lists");
    };
    assert_eq!(summaries(&diagnostics), ["Unknown list resource type"]);
}

#[tokio::test]
async fn resource_operations_before_configure_are_refused_and_keep_the_state() {
    let (framework, _) = framework();
    let entry = framework.resource("test_widget").unwrap();
    let current_state = widget(Some("w-1"), "a", None);
    let request = rpc::ReadResourceRequest {
        current_state: current_state.clone(),
        private: b"p".to_vec(),
    };
    let r = framework.read(entry, request).await;
    assert_eq!(summaries(&r.diagnostics), ["Provider not configured"]);
    assert_eq!(r.new_state, current_state);
    assert_eq!(r.private, b"p");
}

#[tokio::test]
async fn plans_null_write_only_values_and_project_identity_once_known() {
    let framework = configured().await;
    let entry = framework.resource("test_widget").unwrap();
    let plan = |prior: Value, proposed: Value| {
        let request = rpc::PlanResourceChangeRequest {
            prior_state: prior,
            config: proposed.clone(),
            proposed_new_state: proposed,
            prior_private: Vec::new(),
        };
        framework.plan(entry, request)
    };
    let create = clean(plan(Value::Null, widget(None, "a", Some("s3cret"))).await);
    assert!(create.planned_state.get("value_wo").is_null());
    assert!(create.planned_state.get("id").is_unknown());
    assert_eq!(create.planned_identity, None, "not known before create");

    let prior = widget(Some("w-1"), "a", None);
    let update = clean(plan(prior.clone(), widget(Some("w-1"), "b", Some("s3cret"))).await);
    assert!(update.planned_state.get("value_wo").is_null());
    assert_eq!(update.planned_identity, identity("w-1"));

    let destroy = clean(plan(prior, Value::Null).await);
    assert_eq!(destroy.planned_state, Value::Null);
    assert_eq!(destroy.planned_identity, None);
}

#[tokio::test]
async fn apply_creates_with_identity_and_keeps_partial_state_on_error() {
    let framework = configured().await;
    let entry = framework.resource("test_widget").unwrap();
    for (name, expect_error) in [("ok", false), ("fail", true)] {
        let mut planned = widget(None, name, None);
        planned.set("id", Value::unknown());
        let request = apply_request(Value::Null, planned, b"planned");
        let r = framework.apply(entry, request).await;
        assert_eq!(r.new_state.get("id").as_str(), Some("w-1"));
        assert!(r.new_state.get("value_wo").is_null(), "write-only nulled");
        assert_eq!(r.new_identity, identity("w-1"));
        assert_eq!(
            r.private, b"planned+created",
            "create saw the planned private data"
        );
        assert_eq!(r.diagnostics.has_errors(), expect_error);
    }
}

#[tokio::test]
async fn a_failed_delete_keeps_the_object_and_its_private_data() {
    let framework = configured().await;
    let entry = framework.resource("test_widget").unwrap();
    let prior = widget(Some("w-1"), "undeletable", None);
    let r = framework
        .apply(entry, apply_request(prior.clone(), Value::Null, b"{}"))
        .await;
    assert_eq!(summaries(&r.diagnostics), ["Unable to delete widget"]);
    assert_eq!(r.new_state, prior);
    assert_eq!(r.new_identity, identity("w-1"));
    assert_eq!(r.private, b"{}");

    // A delete that succeeds leaves nothing behind, private data included.
    let prior = widget(Some("w-2"), "a", None);
    let r = framework
        .apply(entry, apply_request(prior, Value::Null, b"{}"))
        .await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert!(r.new_state.is_null());
    assert_eq!(r.new_identity, None);
    assert!(r.private.is_empty());
}

#[tokio::test]
async fn an_operation_that_refuses_changes_nothing_in_state() {
    let framework = configured().await;
    let entry = framework.resource("test_widget").unwrap();
    // A refused create: nothing was created, so nothing is saved.
    let mut planned = widget(None, "refused", None);
    planned.set("id", Value::unknown());
    let r = framework
        .apply(entry, apply_request(Value::Null, planned, b"planned"))
        .await;
    assert_eq!(summaries(&r.diagnostics), ["Unable to create widget"]);
    assert!(r.new_state.is_null() && r.new_identity.is_none() && r.private.is_empty());
    // A refused update keeps the object as it was, private data included.
    let prior = widget(Some("w-1"), "a", None);
    let r = framework
        .apply(
            entry,
            apply_request(
                prior.clone(),
                widget(Some("w-1"), "unchangeable", None),
                b"p",
            ),
        )
        .await;
    assert_eq!(summaries(&r.diagnostics), ["Unable to update widget"]);
    assert_eq!(r.new_state, prior);
    assert_eq!(r.private, b"p");
    // A refused refresh keeps the state.
    let current = widget(Some("w-1"), "unreadable", None);
    let request = rpc::ReadResourceRequest {
        current_state: current.clone(),
        private: b"kept".to_vec(),
    };
    let r = framework.read(entry, request).await;
    assert_eq!(summaries(&r.diagnostics), ["Unable to read widget"]);
    assert_eq!((r.new_state, r.private), (current, b"kept".to_vec()));
}

#[tokio::test]
async fn a_refresh_returns_no_write_only_value_and_the_identity() {
    let framework = configured().await;
    let entry = framework.resource("test_widget").unwrap();
    let request = rpc::ReadResourceRequest {
        current_state: widget(Some("w-1"), "a", None),
        private: Vec::new(),
    };
    let r = framework.read(entry, request).await;
    assert_eq!(r.new_state, widget(Some("w-1"), "a", None));
    assert_eq!(r.new_identity, identity("w-1"));
}

#[test]
fn default_upgrade_decodes_json_with_missing_and_extra_keys() {
    let (framework, _) = framework();
    let entry = framework.resource("test_widget").unwrap();
    let upgrade = |json: &[u8]| {
        let request = rpc::UpgradeResourceStateRequest {
            version: 0,
            raw_state_json: json.to_vec(),
        };
        framework.upgrade(entry, request)
    };
    let state = clean(upgrade(
        br#"{"id":"w-9","name":"n","value_wo":"leak","removed_attr":true}"#,
    ));
    assert_eq!(state, widget(Some("w-9"), "n", None));
    assert_eq!(refusal(upgrade(b"")), ["Unsupported state format"]);
}

#[tokio::test]
async fn import_projects_identity_and_drops_write_only_values_or_is_refused() {
    let framework = configured().await;
    let import = |type_name, id: &str| {
        let request = rpc::ImportResourceStateRequest {
            id: id.into(),
            identity: Value::Null,
        };
        framework.import(framework.resource(type_name).unwrap(), request)
    };
    let imported = clean(import("test_widget", "w-7").await);
    assert_eq!(imported.state, widget(Some("w-7"), "imported", None));
    assert_eq!(imported.identity, identity("w-7"));

    let refused = refusal(import("test_plain", "w-7").await);
    assert_eq!(refused, ["Import not supported"]);
    let by_nothing = refusal(import("test_widget", "").await);
    assert_eq!(
        by_nothing,
        ["Import by identity needs Terraform 1.12 or later"]
    );
}

#[tokio::test]
async fn stop_cancels_in_flight_work_and_later_calls_get_a_fresh_token() {
    let (framework, widget_resource) = configured_with_widget().await;
    let entry = framework.resource("test_widget").unwrap();
    let read = || rpc::ReadResourceRequest {
        current_state: widget(Some("w-1"), "a", None),
        private: Vec::new(),
    };
    framework.read(entry, read()).await;
    framework.stop();
    framework.read(entry, read()).await;
    let tokens = widget_resource.tokens.lock().unwrap();
    assert!(tokens[0].is_cancelled());
    assert!(!tokens[1].is_cancelled());
}

#[test]
fn moved_state_is_parsed_from_its_json_and_comes_back_with_identity() {
    let (framework, _) = framework();
    let move_state = |type_name, json: &[u8]| {
        let request = rpc::MoveResourceStateRequest {
            source_provider_address: "registry.terraform.io/other/other".into(),
            source_type_name: "other_widget".into(),
            source_schema_version: 3,
            source_state_json: json.to_vec(),
        };
        framework.move_state(framework.resource(type_name).unwrap(), request)
    };
    let moved = clean(move_state("test_widget", br#"{"name":"from-elsewhere"}"#));
    assert_eq!(moved.state, widget(Some("w-9"), "from-elsewhere", None));
    assert_eq!(moved.identity, identity("w-9"));

    let flatmap_only = refusal(move_state("test_widget", b""));
    assert_eq!(flatmap_only, ["Unsupported state format"]);
    let refused = refusal(move_state("test_plain", br#"{"name":"x"}"#));
    assert_eq!(refused, ["Moving resources across types is not supported"]);
}

#[tokio::test]
async fn listed_objects_carry_identity_and_the_object_only_when_asked() {
    let framework = configured().await;
    let (entry, _) = framework.list_resource("test_widget").unwrap();
    let list = |include_resource_object, limit| {
        let request = rpc::ListResourceRequest {
            config: Value::object::<&str>([]),
            include_resource_object,
            limit,
        };
        framework.list(entry, request).unwrap().collect::<Vec<_>>()
    };
    let events = list(true, 0).await;
    assert_eq!(events.len(), 3, "no limit");
    assert_eq!(events[0].identity, identity("w-1"));
    assert_eq!(events[0].display_name, "widget 0");
    let object = events[0].resource_object.as_ref().unwrap();
    assert_eq!(object, &widget(Some("w-1"), "listed", None));
    assert_eq!(events[1].identity, None);
    assert_eq!(
        summaries(&events[1].diagnostics),
        ["Listed object without identity"]
    );

    let events = list(false, 1).await;
    assert_eq!(events.len(), 1, "the limit");
    assert!(events[0].resource_object.is_none());
    assert!(events[0].diagnostics.is_empty());
}
