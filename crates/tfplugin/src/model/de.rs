//! Reading a model out of a [`Value`]: a serde deserializer over values. Null reads as `None`
//! (or [`super::Attr::Null`]), unknown only as [`super::Attr::Unknown`]: any other target for an
//! unknown value is an error, so an unknown is never read as a default.

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;

use super::{ATTR, ModelError};
use crate::value::{Number, Value};

/// Deserializes whatever the value holds.
pub(super) struct ValueDeserializer<'a>(pub(super) &'a Value);

impl<'de> de::Deserializer<'de> for ValueDeserializer<'_> {
    type Error = ModelError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.0.unwrap_dynamic() {
            Value::Null => visitor.visit_unit(),
            Value::Unknown(_) => Err(ModelError(
                "an unknown value where the model expects a known one (use Attr<T>)".to_string(),
            )),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(Number::Int(i)) => visitor.visit_i64(*i),
            Value::Number(Number::Float(f)) => visitor.visit_f64(*f),
            Value::Number(Number::Decimal(d)) => visitor.visit_str(d),
            Value::String(s) => visitor.visit_str(s),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                visitor.visit_seq(Elements(items.iter()))
            }
            Value::Map(entries) | Value::Object(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                next: None,
            }),
            Value::Dynamic { value, .. } => ValueDeserializer(value).deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.0.unwrap_dynamic() {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        if name != ATTR {
            return visitor.visit_newtype_struct(self);
        }
        match self.0.unwrap_dynamic() {
            Value::Null => visitor.visit_none(),
            Value::Unknown(_) => visitor.visit_unit(),
            _ => visitor.visit_some(self),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// The elements of a list, set or tuple.
struct Elements<'a>(std::slice::Iter<'a, Value>);

impl<'de> SeqAccess<'de> for Elements<'_> {
    type Error = ModelError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ModelError> {
        self.0
            .next()
            .map(|item| seed.deserialize(ValueDeserializer(item)))
            .transpose()
    }
}

/// The entries of a map or object.
struct Entries<'a> {
    entries: std::collections::btree_map::Iter<'a, String, Value>,
    next: Option<(&'a str, &'a Value)>,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = ModelError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ModelError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.next = Some((key, value));
        let key: de::value::StrDeserializer<'_, ModelError> = key.as_str().into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ModelError> {
        let (key, value) = self
            .next
            .take()
            .ok_or_else(|| ModelError("a map value without its key".to_string()))?;
        seed.deserialize(ValueDeserializer(value))
            .map_err(|e| ModelError(format!("{key}: {e}")))
    }
}

impl<'de> serde::Deserialize<'de> for Number {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Number, D::Error> {
        deserializer.deserialize_any(NumberVisitor)
    }
}

/// Reads a number from whichever form the value holds.
struct NumberVisitor;

impl Visitor<'_> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number")
    }

    fn visit_i64<E>(self, n: i64) -> Result<Number, E> {
        Ok(Number::Int(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Number, E> {
        Ok(i64::try_from(n).map_or_else(|_| Number::Decimal(n.to_string()), Number::Int))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Number, E> {
        Ok(Number::Float(n))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Number, E> {
        Number::parse(text).ok_or_else(|| E::custom(format!("{text:?} is not a number")))
    }
}
