//! The cty type model: the types Terraform values can have, and their JSON type encoding.

use std::collections::{BTreeMap, BTreeSet};

use super::value::CodecError;

/// A Terraform (cty) type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    String,
    Number,
    Bool,
    /// Any type; values of it travel with their concrete type on the wire.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    /// An object; `optional` names attributes that config may omit (only meaningful in schemas).
    Object {
        attributes: BTreeMap<String, Type>,
        optional: BTreeSet<String>,
    },
    Tuple(Vec<Type>),
}

impl Type {
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// An object type with no optional attributes.
    pub fn object<K: Into<String>>(attributes: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object {
            attributes: attributes.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: BTreeSet::new(),
        }
    }
}

impl Type {
    /// The compact JSON type encoding Terraform uses (`"string"`, `["list","number"]`,
    /// `["object",{"a":"bool"},["a"]]` with the optional attribute names, sorted, last).
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::new();
        self.write_json(&mut out);
        out.into_bytes()
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Type::String => out.push_str("\"string\""),
            Type::Number => out.push_str("\"number\""),
            Type::Bool => out.push_str("\"bool\""),
            Type::Dynamic => out.push_str("\"dynamic\""),
            Type::List(e) => write_collection(out, "list", e),
            Type::Set(e) => write_collection(out, "set", e),
            Type::Map(e) => write_collection(out, "map", e),
            Type::Object {
                attributes,
                optional,
            } => {
                out.push_str("[\"object\",{");
                for (i, (name, ty)) in attributes.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&json_string(name));
                    out.push(':');
                    ty.write_json(out);
                }
                out.push('}');
                if !optional.is_empty() {
                    out.push_str(",[");
                    for (i, name) in optional.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(&json_string(name));
                    }
                    out.push(']');
                }
                out.push(']');
            }
            Type::Tuple(elements) => {
                out.push_str("[\"tuple\",[");
                for (i, ty) in elements.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    ty.write_json(out);
                }
                out.push_str("]]");
            }
        }
    }

    /// Parses the JSON type encoding (see [`Type::to_json`]).
    pub fn from_json(bytes: &[u8]) -> Result<Type, CodecError> {
        let json: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| CodecError(format!("type description is not valid JSON: {e}")))?;
        Type::from_json_value(&json)
    }

    /// Parses an already-parsed JSON type encoding.
    pub(crate) fn from_json_value(json: &serde_json::Value) -> Result<Type, CodecError> {
        use serde_json::Value as J;
        let invalid = |what: &str| CodecError(format!("invalid type description: {what}"));
        match json {
            J::String(name) => match name.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(invalid(&format!("unknown primitive type {other:?}"))),
            },
            J::Array(parts) => {
                let kind = parts
                    .first()
                    .and_then(J::as_str)
                    .ok_or_else(|| invalid("an array type must start with its kind name"))?;
                match (kind, parts.len()) {
                    ("list", 2) => Ok(Type::list(Type::from_json_value(&parts[1])?)),
                    ("set", 2) => Ok(Type::set(Type::from_json_value(&parts[1])?)),
                    ("map", 2) => Ok(Type::map(Type::from_json_value(&parts[1])?)),
                    ("tuple", 2) => {
                        let elements = parts[1]
                            .as_array()
                            .ok_or_else(|| invalid("tuple element types must be an array"))?;
                        let elements = elements
                            .iter()
                            .map(Type::from_json_value)
                            .collect::<Result<_, _>>()?;
                        Ok(Type::Tuple(elements))
                    }
                    ("object", 2 | 3) => {
                        let map = parts[1]
                            .as_object()
                            .ok_or_else(|| invalid("object attribute types must be an object"))?;
                        let mut attributes = BTreeMap::new();
                        for (name, ty) in map {
                            attributes.insert(name.clone(), Type::from_json_value(ty)?);
                        }
                        let mut optional = BTreeSet::new();
                        if let Some(list) = parts.get(2) {
                            let names = list.as_array().ok_or_else(|| {
                                invalid("optional attribute names must be an array")
                            })?;
                            for name in names {
                                let name = name.as_str().ok_or_else(|| {
                                    invalid("optional attribute names must be strings")
                                })?;
                                if !attributes.contains_key(name) {
                                    return Err(invalid(&format!(
                                        "optional attribute {name:?} is not an attribute of the object"
                                    )));
                                }
                                optional.insert(name.to_string());
                            }
                        }
                        Ok(Type::Object {
                            attributes,
                            optional,
                        })
                    }
                    (kind, n) => Err(invalid(&format!(
                        "unknown type kind {kind:?} with {} parameter(s)",
                        n - 1
                    ))),
                }
            }
            _ => Err(invalid("expected a type name or an array")),
        }
    }

    /// This type without optional-attribute markers anywhere (the form values travel in).
    pub fn without_optional_markers(&self) -> Type {
        match self {
            Type::List(e) => Type::list(e.without_optional_markers()),
            Type::Set(e) => Type::set(e.without_optional_markers()),
            Type::Map(e) => Type::map(e.without_optional_markers()),
            Type::Object { attributes, .. } => Type::Object {
                attributes: attributes
                    .iter()
                    .map(|(k, t)| (k.clone(), t.without_optional_markers()))
                    .collect(),
                optional: BTreeSet::new(),
            },
            Type::Tuple(elements) => Type::Tuple(
                elements
                    .iter()
                    .map(Type::without_optional_markers)
                    .collect(),
            ),
            primitive => primitive.clone(),
        }
    }
}

fn write_collection(out: &mut String, kind: &str, element: &Type) {
    out.push_str("[\"");
    out.push_str(kind);
    out.push_str("\",");
    element.write_json(out);
    out.push(']');
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_nested_types_compactly() {
        let ty = Type::set(Type::object([
            ("name", Type::String),
            ("port", Type::Number),
        ]));
        assert_eq!(
            String::from_utf8(ty.to_json()).unwrap(),
            r#"["set",["object",{"name":"string","port":"number"}]]"#
        );
    }

    #[test]
    fn optional_attributes_round_trip() {
        let json = br#"["object",{"a":"dynamic","b":["tuple",["bool",["map","string"]]]},["b"]]"#;
        let ty = Type::from_json(json).unwrap();
        let Type::Object { optional, .. } = &ty else {
            panic!("not an object: {ty:?}")
        };
        assert!(optional.contains("b"));
        assert_eq!(ty.to_json(), json.to_vec());
    }

    #[test]
    fn rejects_malformed_types() {
        for bad in [
            &br#""strin""#[..],
            br#"["list"]"#,
            br#"["object",{"a":"string"},["b"]]"#,
            br#"["tuple","string"]"#,
            br#"42"#,
            br#"not json"#,
        ] {
            assert!(
                Type::from_json(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
