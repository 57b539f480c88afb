//! Framework capabilities for adopting existing objects: resource identity, list resources
//! (`terraform query`), configuration generation and moving state from other resource types.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::types::Type;
use crate::value::Value;

/// One attribute of a resource identity; its value is the state attribute of the same name.
#[derive(Clone, Debug, PartialEq)]
pub struct IdentityAttribute {
    pub name: &'static str,
    pub ty: Type,
    /// `import { identity = {…} }` must set it; otherwise the provider can fill it in.
    pub required_for_import: bool,
    pub description: &'static str,
}

impl IdentityAttribute {
    /// A string attribute that `import { identity = {…} }` must set.
    pub fn required(name: &'static str, description: &'static str) -> IdentityAttribute {
        IdentityAttribute {
            name,
            ty: Type::String,
            required_for_import: true,
            description,
        }
    }

    /// A string attribute the provider fills in when an identity import leaves it out.
    pub fn optional(name: &'static str, description: &'static str) -> IdentityAttribute {
        IdentityAttribute {
            required_for_import: false,
            ..IdentityAttribute::required(name, description)
        }
    }
}

/// A resource's identity (Terraform 1.12+): the permanent key of its remote object, projected
/// from the state attributes of the same names.
#[derive(Clone, Debug, PartialEq)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    /// The object type identity data has on the wire.
    pub(crate) fn value_type(&self) -> Type {
        Type::object(self.attributes.iter().map(|a| (a.name, a.ty.clone())))
    }

    /// The identity of the object `state` describes; `None` while any part is null or unknown
    /// (a planned create, or an incomplete state).
    pub(crate) fn identity_of(&self, state: &Value) -> Option<Value> {
        let identity = Value::object(
            self.attributes
                .iter()
                .map(|a| (a.name, state.get(a.name).clone())),
        );
        let complete = self.attributes.iter().all(|a| {
            let v = state.get(a.name);
            !v.is_null() && v.is_wholly_known()
        });
        complete.then_some(identity)
    }
}

/// Capability: a list resource for `terraform query` (Terraform 1.14+). Its type name is the
/// managed resource type it lists; every result carries that resource's identity.
#[async_trait]
pub trait ListResource<D>: Send + Sync {
    /// The schema of the `config { … }` block of a `list` block.
    fn list_schema(&self) -> Schema;

    /// Checks a list configuration (which may contain unknowns). No API calls.
    fn validate_list_config(&self, _config: &Value) -> Diagnostics {
        Diagnostics::default()
    }

    /// Sends every matching object to `sink` as soon as it has it (page by page, never after
    /// the whole listing), until there are no more or [`ListSink::send`] returns false, and
    /// fetches nothing more after that; problems go to [`ListSink::diagnostics`], also after
    /// some objects were sent.
    async fn list(&self, req: ListRequest<D>, sink: ListSink);
}

pub struct ListRequest<D> {
    /// The `config` block, decoded with [`ListResource::list_schema`].
    pub config: Value,
    pub provider: Arc<D>,
    pub cancel: CancellationToken,
}

/// One object a list resource found.
pub struct ListedObject {
    /// The object's full resource state (its identity is projected from it).
    pub state: Value,
    /// What `terraform query` shows for it, e.g. its name.
    pub display_name: String,
}

/// What a list resource produces, in order.
pub enum ListEvent {
    Object(ListedObject),
    Diagnostics(Diagnostics),
}

/// Where a list resource sends its results: each reaches Terraform's stream as it is sent (a
/// lister more than a few results ahead of Terraform waits); stops accepting at the request's
/// limit or when Terraform stops reading.
pub struct ListSink {
    sender: mpsc::Sender<ListEvent>,
    remaining: i64,
}

impl ListSink {
    /// A sink taking at most `limit` objects (0 or less: none), with the receiving end.
    pub fn new(limit: i64) -> (ListSink, mpsc::Receiver<ListEvent>) {
        let (sender, receiver) = mpsc::channel(16);
        (
            ListSink {
                sender,
                remaining: limit.max(0),
            },
            receiver,
        )
    }

    /// Sends one object; false when no more are wanted (the limit is reached or Terraform
    /// went away), so the caller stops listing.
    pub async fn send(&mut self, object: ListedObject) -> bool {
        if self.remaining == 0 {
            return false;
        }
        if self.sender.send(ListEvent::Object(object)).await.is_err() {
            return false;
        }
        self.remaining -= 1;
        self.remaining > 0
    }

    /// Whether more objects are wanted.
    pub fn wants_more(&self) -> bool {
        self.remaining > 0 && !self.sender.is_closed()
    }

    /// Sends diagnostics about the listing (ignored when empty).
    pub async fn diagnostics(&mut self, diagnostics: Diagnostics) {
        if !diagnostics.is_empty() {
            let _ = self.sender.send(ListEvent::Diagnostics(diagnostics)).await;
        }
    }
}

/// Capability: adjusts the configuration generated for an object in state
/// (`-generate-config-out`), after the framework dropped computed-only and write-only
/// attributes.
pub trait GenerateConfig: Send + Sync {
    fn generate_config(&self, generated: Value) -> Value;
}

/// Capability: takes over state from another resource type or provider (`moved {}`).
pub trait MoveState: Send + Sync {
    fn move_state(&self, req: MoveStateRequest) -> MoveStateResponse;
}

pub struct MoveStateRequest {
    /// e.g. `registry.terraform.io/acme/example`.
    pub source_provider_address: String,
    pub source_type_name: String,
    pub source_schema_version: i64,
    /// The source object's raw state JSON, as stored.
    pub source_state: serde_json::Value,
}

#[derive(Default)]
pub struct MoveStateResponse {
    /// The state in this resource's schema; `Value::Null` with an error when refused.
    pub target_state: Value,
    pub diagnostics: Diagnostics,
}

/// The configuration Terraform can write for `state`: attributes that are only computed and
/// write-only attributes become null (omitted from the generated block).
pub(crate) fn generated_config(schema: &Schema, state: &Value) -> Value {
    let mut config = state.clone();
    for attribute in &schema.block.attributes {
        if (attribute.computed && !attribute.optional && !attribute.required)
            || attribute.write_only
        {
            config.set(&attribute.name, Value::Null);
        }
    }
    config
}

/// An error naming the Terraform version a capability needs, for a client that lacks it.
pub(crate) fn needs_terraform(feature: &str, version: &str, fix: &str) -> Diagnostics {
    Diagnostic::error(
        format!("{feature} needs Terraform {version} or later"),
        format!(
            "{feature} needs Terraform {version} or later, and this Terraform (or OpenTofu) did \
             not send what it needs. Upgrade Terraform, or {fix}"
        ),
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Attribute;

    fn identity() -> IdentitySchema {
        IdentitySchema {
            version: 0,
            attributes: vec![
                IdentityAttribute::optional("account_id", "Account."),
                IdentityAttribute::required("id", "Id."),
            ],
        }
    }

    #[test]
    fn identity_is_projected_from_state_only_when_complete() {
        let state = Value::object([
            ("id", Value::string("a1")),
            ("account_id", Value::string("acc")),
            ("name", Value::string("n")),
        ]);
        assert_eq!(
            identity().identity_of(&state),
            Some(Value::object([
                ("account_id", Value::string("acc")),
                ("id", Value::string("a1")),
            ]))
        );
        let mut planned = state.clone();
        planned.set("id", Value::unknown());
        assert_eq!(identity().identity_of(&planned), None);
        assert_eq!(identity().identity_of(&Value::Null), None);
    }

    #[test]
    fn generated_config_drops_computed_only_and_write_only_attributes() {
        let schema = Schema::new(
            "t",
            vec![
                Attribute::string("id").computed(),
                Attribute::string("name").required(),
                Attribute::string("store").optional().computed(),
                Attribute::string("secret").optional().write_only(),
            ],
        );
        let state = Value::object([
            ("id", Value::string("i")),
            ("name", Value::string("n")),
            ("store", Value::string("s")),
            ("secret", Value::Null),
        ]);
        let config = generated_config(&schema, &state);
        assert_eq!(config.get("id"), &Value::Null);
        assert_eq!(config.get("name"), &Value::string("n"));
        assert_eq!(config.get("store"), &Value::string("s"));
    }

    #[tokio::test]
    async fn a_list_sink_stops_at_its_limit() {
        let (mut sink, mut receiver) = ListSink::new(2);
        let object = |n: &str| ListedObject {
            state: Value::Null,
            display_name: n.into(),
        };
        assert!(sink.send(object("a")).await);
        assert!(
            !sink.send(object("b")).await,
            "the second reaches the limit"
        );
        assert!(
            !sink.send(object("c")).await,
            "past the limit nothing is sent"
        );
        drop(sink);
        let mut names = Vec::new();
        while let Some(ListEvent::Object(o)) = receiver.recv().await {
            names.push(o.display_name);
        }
        assert_eq!(names, ["a", "b"]);
    }
}
