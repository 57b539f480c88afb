//! Terraform values: null, unknown (optionally refined) and known values of every cty type.

use std::collections::BTreeMap;

/// A number: kept exactly as Terraform sent it (integers, floats, or decimal text that fits neither).
#[derive(Clone, Debug)]
pub enum Number {
    Int(i64),
    Float(f64),
    /// Decimal text for numbers that fit neither i64 nor f64 exactly (e.g. "123456789012345678901234").
    Decimal(String),
}

/// What Terraform knows about an unknown value (msgpack extension 12). All fields optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Refinements {
    /// `Some(false)`: definitely not null.
    pub nullable: Option<bool>,
    pub string_prefix: Option<String>,
    pub number_lower: Option<(Number, bool)>,
    pub number_upper: Option<(Number, bool)>,
    pub length_lower: Option<u64>,
    pub length_upper: Option<u64>,
}

/// A Terraform value. The type is given by the schema; collections keep their kind.
#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Null,
    Unknown(Refinements),
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Elements are kept unique; order carries no meaning.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
}

impl PartialEq for Number {
    /// Numbers compare by value: `Int(1) == Float(1.0)`.
    fn eq(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a == b,
            (Number::Int(a), Number::Float(b)) | (Number::Float(b), Number::Int(a)) => {
                b.fract() == 0.0 && (*a as f64) == *b && (*b as i64) == *a
            }
            _ => self.to_decimal_string() == other.to_decimal_string(),
        }
    }
}

impl Number {
    /// The shortest decimal text of the number (what Terraform compares).
    pub fn to_decimal_string(&self) -> String {
        match self {
            Number::Int(i) => i.to_string(),
            Number::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 1e21 {
                    format!("{f:.0}")
                } else {
                    f.to_string()
                }
            }
            Number::Decimal(d) => d.clone(),
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            Number::Float(_) => None,
            Number::Decimal(d) => d.parse().ok(),
        }
    }
}

impl PartialEq for Value {
    /// Structural equality; sets compare without regard to order. Unknowns equal only unknowns
    /// with the same refinements.
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Unknown(a), Unknown(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (String(a), String(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Set(a), Set(b)) => a.len() == b.len() && a.iter().all(|x| b.contains(x)),
            (Map(a), Map(b)) | (Object(a), Object(b)) => a == b,
            _ => false,
        }
    }
}

/// The value every absent attribute reads as.
static NULL: Value = Value::Null;

impl Value {
    /// A plain unknown value ("known after apply").
    pub fn unknown() -> Value {
        Value::Unknown(Refinements::default())
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// An object from `(attribute, value)` pairs.
    pub fn object<K: Into<String>>(attributes: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attributes.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A set of strings (duplicates collapse).
    pub fn string_set<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
        let mut out: Vec<Value> = Vec::new();
        for item in items {
            let v = Value::String(item.into());
            if !out.contains(&v) {
                out.push(v);
            }
        }
        Value::Set(out)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True for an unknown value at the top level (its parts are not inspected).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// True when neither the value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// The attribute `name` of an object; `Null` when absent or when `self` is not an object.
    pub fn get(&self, name: &str) -> &Value {
        match self {
            Value::Object(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// Sets attribute `name` of an object (no effect on other values).
    pub fn set(&mut self, name: &str, value: Value) {
        if let Value::Object(m) = self {
            m.insert(name.to_string(), value);
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// Elements of a list, set or tuple.
    pub fn elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// The string elements of a known list or set of strings, in order.
    pub fn as_strings(&self) -> Option<Vec<&str>> {
        self.elements()?.iter().map(Value::as_str).collect()
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// A value could not be encoded or decoded against its type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct CodecError(pub String);
