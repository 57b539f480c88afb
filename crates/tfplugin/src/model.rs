//! Typed models: a resource's or data source's attributes as a struct, bound to [`Value`] through
//! serde. A field's name is its attribute's name, said once; [`Attr`] keeps Terraform's null and
//! unknown apart from a known value, so neither is ever read as a default.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use tfplugin::{Attr, Attribute, Schema, Value, model};
//!
//! #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct Note {
//!     id: Attr<String>,
//!     text: Attr<String>,
//! }
//!
//! let schema = Schema::new("A note.", vec![
//!     Attribute::string("id").computed(),
//!     Attribute::string("text").required(),
//! ]);
//! let planned = Value::object([("id", Value::unknown()), ("text", Value::string("hi"))]);
//! let mut note: Note = model::from_value(&planned).unwrap();
//! assert_eq!(note.text, Attr::Known("hi".to_string()));
//! assert!(note.id.is_unknown());
//! note.id = Attr::Known("n-1".into());
//! let state = model::to_value(&note, &schema).unwrap();
//! assert_eq!(state.get("id"), &Value::string("n-1"));
//! ```

mod de;
mod ser;

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::diagnostics::Diagnostic;
use crate::schema::Schema;
use crate::value::Value;

/// The serde name by which [`Attr`] asks the value deserializer for null, unknown or a value.
const ATTR: &str = "$tfplugin::Attr";
/// The serde name by which [`Attr::Unknown`] asks the value serializer for an unknown value.
const UNKNOWN: &str = "$tfplugin::Unknown";

/// One attribute's value in a model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Attr<T> {
    /// Not set (or, in state, not there).
    #[default]
    Null,
    /// Not known until apply.
    Unknown,
    Known(T),
}

impl<T> Attr<T> {
    /// The value, when known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Attr::Known(t) => Some(t),
            Attr::Null | Attr::Unknown => None,
        }
    }

    /// The value, when known, by value.
    pub fn into_known(self) -> Option<T> {
        match self {
            Attr::Known(t) => Some(t),
            Attr::Null | Attr::Unknown => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Attr::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Attr::Unknown)
    }

    /// `Known(f(t))`; null and unknown stay as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attr<U> {
        match self {
            Attr::Known(t) => Attr::Known(f(t)),
            Attr::Null => Attr::Null,
            Attr::Unknown => Attr::Unknown,
        }
    }

    /// A reference to the known value, keeping null and unknown.
    pub fn as_ref(&self) -> Attr<&T> {
        match self {
            Attr::Known(t) => Attr::Known(t),
            Attr::Null => Attr::Null,
            Attr::Unknown => Attr::Unknown,
        }
    }
}

impl Attr<String> {
    /// The known text.
    pub fn as_deref(&self) -> Option<&str> {
        self.known().map(String::as_str)
    }
}

impl<T> From<Option<T>> for Attr<T> {
    /// `Some` is known, `None` is null.
    fn from(value: Option<T>) -> Attr<T> {
        value.map_or(Attr::Null, Attr::Known)
    }
}

impl<T: Serialize> Serialize for Attr<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Attr::Null => serializer.serialize_none(),
            Attr::Unknown => serializer.serialize_newtype_struct(UNKNOWN, &()),
            Attr::Known(t) => t.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Attr<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Attr<T>, D::Error> {
        deserializer.deserialize_newtype_struct(ATTR, AttrVisitor(PhantomData))
    }
}

/// Reads what the value deserializer answers for [`ATTR`]: none (null), unit (unknown) or some.
struct AttrVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for AttrVisitor<T> {
    type Value = Attr<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Terraform value, null or unknown")
    }

    fn visit_none<E>(self) -> Result<Attr<T>, E> {
        Ok(Attr::Null)
    }

    fn visit_unit<E>(self) -> Result<Attr<T>, E> {
        Ok(Attr::Unknown)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Attr<T>, D::Error> {
        T::deserialize(deserializer).map(Attr::Known)
    }
}

/// Why a value did not fit a model, or a model did not fit a schema: a bug in the provider (its
/// model and schema disagree), never the user's input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ModelError(String);

impl serde::de::Error for ModelError {
    fn custom<T: fmt::Display>(message: T) -> ModelError {
        ModelError(message.to_string())
    }
}

impl serde::ser::Error for ModelError {
    fn custom<T: fmt::Display>(message: T) -> ModelError {
        ModelError(message.to_string())
    }
}

impl ModelError {
    /// An error diagnostic saying that `what` (e.g. "the planned state of cloudflare_x") could
    /// not be read or written, and that this is a provider bug.
    pub fn diagnostic(&self, what: &str) -> Diagnostic {
        Diagnostic::error(
            "Provider model mismatch",
            format!(
                "The provider could not convert {what}: {self}. This is a bug in the provider; \
                 please report it."
            ),
        )
    }
}

impl From<ModelError> for crate::diagnostics::Diagnostics {
    /// The error as a diagnostic, so that `?` can carry it out of an operation.
    fn from(error: ModelError) -> Self {
        error.diagnostic("a value").into()
    }
}

/// A model from a value: an object with one attribute per field (the model may deny others
/// with `#[serde(deny_unknown_fields)]`).
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, ModelError> {
    T::deserialize(de::ValueDeserializer(value))
}

/// A model as a value of `schema`'s object type: every field must be an attribute of the
/// schema, and every attribute a field of the model.
pub fn to_value<T: Serialize>(model: &T, schema: &Schema) -> Result<Value, ModelError> {
    model.serialize(ser::ValueSerializer(&schema.block.implied_type()))
}

/// Checks that model `T` and `schema` name the same attributes, nested ones included: reads a
/// value holding every attribute (null, nested objects spelled out) into `T` and writes it
/// back. For a test per resource, so that a typo in a field or an attribute fails a test
/// instead of reading null.
pub fn check<T: Serialize + DeserializeOwned>(schema: &Schema) -> Result<(), ModelError> {
    let every_attribute = spelled_out(&schema.block.attributes);
    let model: T = from_value(&every_attribute)?;
    to_value(&model, schema).map(|_| ())
}

/// An object with each of `attributes` null, except single nested objects, spelled out.
fn spelled_out(attributes: &[crate::schema::Attribute]) -> Value {
    Value::object(attributes.iter().map(|a| {
        let value = match a.nested_attributes() {
            Some((crate::schema::Nesting::Single, nested)) => spelled_out(nested),
            _ => Value::Null,
        };
        (a.name.clone(), value)
    }))
}

#[cfg(test)]
mod tests;
