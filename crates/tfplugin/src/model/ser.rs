//! Writing a model into a [`Value`] of a given type: a serde serializer that follows the type, so
//! a `Vec` becomes a list or a set as the schema says, a struct an object with every attribute,
//! and a field the type does not have (or an attribute the model lacks) is an error.

use std::collections::BTreeMap;

use serde::ser::{self, Serialize};

use super::{ModelError, UNKNOWN};
use crate::types::Type;
use crate::value::{Number, Value};

/// Serializes into a value of type `.0`.
pub(super) struct ValueSerializer<'a>(pub(super) &'a Type);

fn mismatch(ty: &Type, got: &str) -> ModelError {
    ModelError(format!("a {got} where the schema has {}", describe(ty)))
}

fn describe(ty: &Type) -> String {
    String::from_utf8_lossy(&ty.to_json()).into_owned()
}

impl ValueSerializer<'_> {
    fn number(self, n: Number) -> Result<Value, ModelError> {
        match self.0 {
            Type::Number | Type::Dynamic => Ok(Value::Number(n)),
            other => Err(mismatch(other, "number")),
        }
    }
}

/// Serializer methods whose Rust type has no Terraform counterpart: an error naming it.
macro_rules! unsupported {
    ($($method:ident($($arg:ty),*) -> $out:ty: $what:literal;)*) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$out, ModelError> {
            Err(mismatch(self.0, $what))
        }
    )*};
}

/// Serializer methods for integers: every one is a number.
macro_rules! integers {
    ($($method:ident($int:ty);)*) => {$(
        fn $method(self, v: $int) -> Result<Value, ModelError> {
            self.serialize_i64(v.into())
        }
    )*};
}

impl<'a> ser::Serializer for ValueSerializer<'a> {
    type Ok = Value;
    type Error = ModelError;
    type SerializeSeq = Elements<'a>;
    type SerializeTuple = Elements<'a>;
    type SerializeTupleStruct = ser::Impossible<Value, ModelError>;
    type SerializeTupleVariant = ser::Impossible<Value, ModelError>;
    type SerializeMap = MapEntries<'a>;
    type SerializeStruct = Attributes<'a>;
    type SerializeStructVariant = ser::Impossible<Value, ModelError>;

    integers! {
        serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
        serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
    }

    unsupported! {
        serialize_bytes(&[u8]) -> Value: "byte string";
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct: "tuple struct";
        serialize_tuple_variant(&'static str, u32, &'static str, usize)
            -> Self::SerializeTupleVariant: "enum variant with data";
        serialize_struct_variant(&'static str, u32, &'static str, usize)
            -> Self::SerializeStructVariant: "enum variant with data";
    }

    fn serialize_bool(self, v: bool) -> Result<Value, ModelError> {
        match self.0 {
            Type::Bool | Type::Dynamic => Ok(Value::Bool(v)),
            other => Err(mismatch(other, "bool")),
        }
    }

    fn serialize_i64(self, v: i64) -> Result<Value, ModelError> {
        self.number(Number::Int(v))
    }

    fn serialize_u64(self, v: u64) -> Result<Value, ModelError> {
        let n = i64::try_from(v).map_or_else(|_| Number::Decimal(v.to_string()), Number::Int);
        self.number(n)
    }

    fn serialize_f32(self, v: f32) -> Result<Value, ModelError> {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<Value, ModelError> {
        self.number(Number::Float(v))
    }

    fn serialize_char(self, v: char) -> Result<Value, ModelError> {
        self.serialize_str(&v.to_string())
    }

    fn serialize_str(self, v: &str) -> Result<Value, ModelError> {
        match self.0 {
            Type::String | Type::Dynamic => Ok(Value::String(v.to_string())),
            // A number kept as its decimal text (see `Number`'s `Serialize`).
            Type::Number => Number::parse(v)
                .map(Value::Number)
                .ok_or_else(|| ModelError(format!("{v:?} is not a number"))),
            other => Err(mismatch(other, "string")),
        }
    }

    fn serialize_none(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, ModelError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, ModelError> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, ModelError> {
        match name {
            UNKNOWN => Ok(Value::unknown()),
            _ => value.serialize(self),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Value, ModelError> {
        Err(mismatch(self.0, "enum variant with data"))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Elements<'a>, ModelError> {
        let (element, set) = match self.0 {
            Type::List(element) => (element.as_ref(), false),
            Type::Set(element) => (element.as_ref(), true),
            other => return Err(mismatch(other, "sequence")),
        };
        Ok(Elements {
            element,
            set,
            items: Vec::new(),
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Elements<'a>, ModelError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<MapEntries<'a>, ModelError> {
        match self.0 {
            Type::Map(element) => Ok(MapEntries {
                element,
                entries: BTreeMap::new(),
                key: None,
            }),
            other => Err(mismatch(other, "map")),
        }
    }

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Attributes<'a>, ModelError> {
        match self.0 {
            Type::Object { attributes, .. } => Ok(Attributes {
                types: attributes,
                values: BTreeMap::new(),
            }),
            other => Err(mismatch(other, &format!("struct {name}"))),
        }
    }
}

/// A list or set being written.
pub(super) struct Elements<'a> {
    element: &'a Type,
    set: bool,
    items: Vec<Value>,
}

impl Elements<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ModelError> {
        self.items
            .push(value.serialize(ValueSerializer(self.element))?);
        Ok(())
    }

    fn finish(self) -> Value {
        if self.set {
            Value::set_of(self.items)
        } else {
            Value::List(self.items)
        }
    }
}

impl ser::SerializeSeq for Elements<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ModelError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, ModelError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for Elements<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ModelError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<Value, ModelError> {
        ser::SerializeSeq::end(self)
    }
}

/// A map being written.
pub(super) struct MapEntries<'a> {
    element: &'a Type,
    entries: BTreeMap<String, Value>,
    key: Option<String>,
}

impl ser::SerializeMap for MapEntries<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ModelError> {
        match key.serialize(ValueSerializer(&Type::String))? {
            Value::String(key) => {
                self.key = Some(key);
                Ok(())
            }
            _ => Err(ModelError("a map key that is not a string".to_string())),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ModelError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ModelError("a map value without its key".to_string()))?;
        let value = value.serialize(ValueSerializer(self.element))?;
        self.entries.insert(key, value);
        Ok(())
    }

    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::Map(self.entries))
    }
}

/// An object being written: one value per attribute of its type.
pub(super) struct Attributes<'a> {
    types: &'a BTreeMap<String, Type>,
    values: BTreeMap<String, Value>,
}

impl ser::SerializeStruct for Attributes<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ModelError> {
        let ty = self.types.get(key).ok_or_else(|| {
            ModelError(format!(
                "the model's field {key} is not an attribute of the schema"
            ))
        })?;
        let value = value
            .serialize(ValueSerializer(ty))
            .map_err(|e| ModelError(format!("{key}: {e}")))?;
        self.values.insert(key.to_string(), value);
        Ok(())
    }

    fn end(self) -> Result<Value, ModelError> {
        if let Some(missing) = self.types.keys().find(|k| !self.values.contains_key(*k)) {
            return Err(ModelError(format!(
                "the schema's attribute {missing} is not a field of the model"
            )));
        }
        Ok(Value::Object(self.values))
    }
}

impl Serialize for Number {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Number::Int(i) => serializer.serialize_i64(*i),
            Number::Float(f) => serializer.serialize_f64(*f),
            Number::Decimal(text) => serializer.serialize_str(text),
        }
    }
}
