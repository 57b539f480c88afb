//! JSON codec for `DynamicValue.json` and raw state: missing object attributes read as null,
//! unknown keys are ignored, numbers keep every digit, no unknown values.
//!
//! Hand-written on serde_json's `RawValue`: values are read against their schema type, and
//! numbers keep their text without serde_json's `arbitrary_precision` feature, which would change
//! number handling for every crate in the build.

use std::collections::BTreeMap;

use serde_json::value::RawValue;

use super::msgpack::{Trail, too_deep, value_kind};
use super::types::Type;
use super::value::{CodecError, MAX_NESTING, Number, Value};

/// Decodes JSON bytes as a value of type `ty`, keeping numbers exactly as written.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let raw: &RawValue = serde_json::from_slice(bytes)
        .map_err(|e| CodecError(format!("value is not valid JSON: {e}")))?;
    let tree = Json::parse(raw, 0)?;
    read(&tree, ty, &Trail::root())
}

/// Decodes already-parsed JSON (e.g. `UpgradeStateRequest::raw_state`) as a value of type `ty`.
/// Numbers are as precise as `serde_json` kept them; prefer [`decode`] on the raw bytes.
pub fn decode_value(json: &serde_json::Value, ty: &Type) -> Result<Value, CodecError> {
    read(&Json::from_serde(json, 0)?, ty, &Trail::root())
}

/// Encodes a wholly known `value` of type `ty` as compact JSON text, numbers exactly.
pub fn encode_bytes(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = String::new();
    write(value, ty, &Trail::root())?.write_text(&mut out);
    Ok(out.into_bytes())
}

/// A JSON document with numbers kept as their decimal text.
#[derive(Debug)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(BTreeMap<String, Json>),
}

impl Json {
    /// Parses `raw`, found `depth` arrays or objects deep (refused past [`MAX_NESTING`]).
    fn parse(raw: &RawValue, depth: usize) -> Result<Json, CodecError> {
        let text = raw.get();
        let invalid = |e: serde_json::Error| CodecError(format!("value is not valid JSON: {e}"));
        let first = text.as_bytes().first();
        if matches!(first, Some(b'{' | b'[')) && depth >= MAX_NESTING {
            return Err(too_deep());
        }
        match first {
            Some(b'{') => {
                let members: BTreeMap<String, &RawValue> =
                    serde_json::from_str(text).map_err(invalid)?;
                members
                    .into_iter()
                    .map(|(key, raw)| Ok((key, Json::parse(raw, depth + 1)?)))
                    .collect::<Result<_, _>>()
                    .map(Json::Object)
            }
            Some(b'[') => {
                let items: Vec<&RawValue> = serde_json::from_str(text).map_err(invalid)?;
                items
                    .into_iter()
                    .map(|raw| Json::parse(raw, depth + 1))
                    .collect::<Result<_, _>>()
                    .map(Json::Array)
            }
            Some(b'"') => Ok(Json::String(serde_json::from_str(text).map_err(invalid)?)),
            Some(b't') => Ok(Json::Bool(true)),
            Some(b'f') => Ok(Json::Bool(false)),
            Some(b'n') => Ok(Json::Null),
            _ => Ok(Json::Number(text.to_string())),
        }
    }

    /// Converts parsed JSON found `depth` arrays or objects deep (refused past [`MAX_NESTING`]).
    fn from_serde(json: &serde_json::Value, depth: usize) -> Result<Json, CodecError> {
        use serde_json::Value as J;
        if matches!(json, J::Array(_) | J::Object(_)) && depth >= MAX_NESTING {
            return Err(too_deep());
        }
        Ok(match json {
            J::Null => Json::Null,
            J::Bool(b) => Json::Bool(*b),
            J::Number(n) => Json::Number(n.to_string()),
            J::String(s) => Json::String(s.clone()),
            J::Array(items) => Json::Array(
                items
                    .iter()
                    .map(|item| Json::from_serde(item, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            J::Object(members) => Json::Object(
                members
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), Json::from_serde(v, depth + 1)?)))
                    .collect::<Result<_, CodecError>>()?,
            ),
        })
    }

    fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Json::Null => J::Null,
            Json::Bool(b) => J::Bool(*b),
            Json::Number(text) => match Number::parse(text) {
                Some(Number::Int(i)) => J::from(i),
                Some(number) => number
                    .as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(J::Null, J::Number),
                None => J::Null,
            },
            Json::String(s) => J::String(s.clone()),
            Json::Array(items) => J::Array(items.iter().map(Json::to_serde).collect()),
            Json::Object(members) => J::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_serde()))
                    .collect(),
            ),
        }
    }

    fn write_text(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(text) => out.push_str(text),
            Json::String(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_text(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, item)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(key.clone()).to_string());
                    out.push(':');
                    item.write_text(out);
                }
                out.push('}');
            }
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a bool",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

fn mismatch(trail: &Trail, expected: &Type, found: &Json) -> CodecError {
    trail.error(format!(
        "expected {}, found {}",
        String::from_utf8_lossy(&expected.to_json()),
        found.kind()
    ))
}

fn read(json: &Json, ty: &Type, trail: &Trail) -> Result<Value, CodecError> {
    if let Json::Null = json {
        return Ok(Value::Null);
    }
    match (ty, json) {
        (Type::Dynamic, Json::Object(members)) => {
            let (Some(type_json), Some(value)) = (members.get("type"), members.get("value")) else {
                return Err(
                    trail.error("a dynamic value must be an object with \"value\" and \"type\"")
                );
            };
            let concrete =
                Type::from_json_value(&type_json.to_serde()).map_err(|e| trail.error(e))?;
            let value = read(value, &concrete, &trail.inside_dynamic())?;
            Ok(Value::dynamic(concrete, value))
        }
        // Like cty, primitive types convert from the other primitives' JSON forms.
        (Type::String, Json::String(s) | Json::Number(s)) => Ok(Value::String(s.clone())),
        (Type::String, Json::Bool(b)) => Ok(Value::String(b.to_string())),
        (Type::Number, Json::Number(text) | Json::String(text)) => Number::parse(text)
            .map(Value::Number)
            .ok_or_else(|| trail.error("not a decimal number")),
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, Json::String(s)) => match s.as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(trail.error("expected a bool, found a string other than true or false")),
        },
        (Type::List(element), Json::Array(items)) => {
            read_items(items, element, trail).map(Value::List)
        }
        (Type::Set(element), Json::Array(items)) => {
            Ok(Value::set_of(read_items(items, element, trail)?))
        }
        (Type::Tuple(elements), Json::Array(items)) => {
            trail.check_tuple_len(elements.len(), items.len())?;
            items
                .iter()
                .zip(elements)
                .enumerate()
                .map(|(i, (item, ty))| read(item, ty, &trail.index(i)))
                .collect::<Result<_, _>>()
                .map(Value::Tuple)
        }
        (Type::Map(element), Json::Object(members)) => members
            .iter()
            .map(|(key, item)| Ok((key.clone(), read(item, element, &trail.key(key))?)))
            .collect::<Result<_, _>>()
            .map(Value::Map),
        (Type::Object { attributes, .. }, Json::Object(members)) => attributes
            .iter()
            .map(|(name, attribute_type)| {
                let value = match members.get(name) {
                    Some(item) => read(item, attribute_type, &trail.attribute(name))?,
                    None => Value::Null,
                };
                Ok((name.clone(), value))
            })
            .collect::<Result<_, _>>()
            .map(Value::Object),
        (ty, other) => Err(mismatch(trail, ty, other)),
    }
}

fn read_items(items: &[Json], element: &Type, trail: &Trail) -> Result<Vec<Value>, CodecError> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| read(item, element, &trail.index(i)))
        .collect()
}

fn write(value: &Value, ty: &Type, trail: &Trail) -> Result<Json, CodecError> {
    match (ty, value) {
        (_, Value::Null) => Ok(Json::Null),
        (_, Value::Unknown(_)) => Err(trail.error("unknown values cannot be written as JSON")),
        (
            Type::Dynamic,
            Value::Dynamic {
                ty: concrete,
                value,
            },
        ) => write_dynamic(value, concrete, trail),
        (Type::Dynamic, other) => write_dynamic(other, &other.implied_type(), trail),
        (static_type, Value::Dynamic { value, .. }) => write(value, static_type, trail),
        (Type::String, Value::String(s)) => Ok(Json::String(s.clone())),
        (Type::Number, Value::Number(n)) => match n.normalized() {
            Number::Float(f) if !f.is_finite() => {
                Err(trail.error("infinite numbers cannot be written as JSON"))
            }
            n => Ok(Json::Number(n.to_decimal_string())),
        },
        (Type::Bool, Value::Bool(b)) => Ok(Json::Bool(*b)),
        (Type::List(element), Value::List(items) | Value::Set(items) | Value::Tuple(items)) => {
            write_items(items, element, trail)
        }
        (Type::Set(element), Value::List(items) | Value::Set(items) | Value::Tuple(items)) => {
            let Value::Set(unique) = Value::set_of(items.iter().cloned()) else {
                unreachable!("set_of builds a set")
            };
            write_items(&unique, element, trail)
        }
        (Type::Tuple(elements), Value::Tuple(items) | Value::List(items)) => {
            trail.check_tuple_len(elements.len(), items.len())?;
            items
                .iter()
                .zip(elements)
                .enumerate()
                .map(|(i, (item, ty))| write(item, ty, &trail.index(i)))
                .collect::<Result<_, _>>()
                .map(Json::Array)
        }
        (Type::Map(element), Value::Map(entries) | Value::Object(entries)) => entries
            .iter()
            .map(|(key, item)| Ok((key.clone(), write(item, element, &trail.key(key))?)))
            .collect::<Result<_, _>>()
            .map(Json::Object),
        (Type::Object { attributes, .. }, Value::Object(entries) | Value::Map(entries)) => {
            if let Some(extra) = entries.keys().find(|name| !attributes.contains_key(*name)) {
                return Err(trail.error(format!("unsupported attribute {extra:?}")));
            }
            attributes
                .iter()
                .map(|(name, attribute_type)| {
                    let item = entries.get(name).unwrap_or(&Value::Null);
                    Ok((
                        name.clone(),
                        write(item, attribute_type, &trail.attribute(name))?,
                    ))
                })
                .collect::<Result<_, _>>()
                .map(Json::Object)
        }
        (ty, other) => Err(trail.error(format!(
            "cannot encode {} as {}",
            value_kind(other),
            String::from_utf8_lossy(&ty.to_json())
        ))),
    }
}

fn write_dynamic(value: &Value, concrete: &Type, trail: &Trail) -> Result<Json, CodecError> {
    let type_text = concrete.to_json();
    let type_raw: &RawValue = serde_json::from_slice(&type_text)
        .map_err(|e| trail.error(format!("cannot write type: {e}")))?;
    let type_json = Json::parse(type_raw, 0)?;
    let mut members = BTreeMap::new();
    members.insert("type".to_string(), type_json);
    members.insert("value".to_string(), write(value, concrete, trail)?);
    Ok(Json::Object(members))
}

fn write_items(items: &[Value], element: &Type, trail: &Trail) -> Result<Json, CodecError> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| write(item, element, &trail.index(i)))
        .collect::<Result<_, _>>()
        .map(Json::Array)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_type() -> Type {
        Type::object([
            ("id", Type::String),
            ("count", Type::Number),
            ("added_later", Type::Bool),
        ])
    }

    #[test]
    fn missing_attributes_read_as_null_and_unknown_keys_are_ignored() {
        let value = decode(
            br#"{"id":"x","count":2,"removed_since":true}"#,
            &state_type(),
        )
        .unwrap();
        assert_eq!(
            value,
            Value::object([
                ("id", Value::from("x")),
                ("count", Value::from(2i64)),
                ("added_later", Value::Null),
            ])
        );
    }

    #[test]
    fn numbers_keep_every_digit() {
        let text = br#"{"added_later":null,"count":123456789012345678901234567890.5,"id":null}"#;
        let value = decode(text, &state_type()).unwrap();
        assert_eq!(
            value.get("count"),
            &Value::number(Number::Decimal("123456789012345678901234567890.5".into()))
        );
        assert_eq!(encode_bytes(&value, &state_type()).unwrap(), text.to_vec());
        let huge = decode(b"1e400", &Type::Number).unwrap();
        assert_eq!(
            encode_bytes(&huge, &Type::Number).unwrap().len(),
            401,
            "1e400 written out"
        );
    }

    #[test]
    fn dynamic_values_are_value_and_type() {
        let text = br#"{"type":["list","number"],"value":[1,2.5]}"#;
        let value = decode(text, &Type::Dynamic).unwrap();
        assert_eq!(
            value,
            Value::dynamic(
                Type::list(Type::Number),
                Value::List(vec![1i64.into(), 2.5.into()])
            )
        );
        assert_eq!(encode_bytes(&value, &Type::Dynamic).unwrap(), text.to_vec());
    }

    #[test]
    fn unknown_values_and_type_mismatches_are_errors() {
        assert!(encode_bytes(&Value::unknown(), &Type::String).is_err());
        let error = decode(br#"{"id":[5]}"#, &state_type()).unwrap_err().0;
        assert!(error.starts_with("at id: expected \"string\""), "{error}");
        let error = decode(br#"{"count":"many"}"#, &state_type()).unwrap_err().0;
        assert!(
            error.starts_with("at count: not a decimal number"),
            "{error}"
        );
        assert!(decode(b"{", &state_type()).is_err());
    }

    #[test]
    fn primitives_convert_like_cty() {
        let value = decode(
            br#"{"id":12.50,"count":"7","added_later":"true"}"#,
            &state_type(),
        )
        .unwrap();
        assert_eq!(value.get("id"), &Value::from("12.50"));
        assert_eq!(value.get("count"), &Value::from(7i64));
        assert_eq!(value.get("added_later"), &Value::from(true));
        assert!(decode(br#"{"added_later":"yes"}"#, &state_type()).is_err());
    }

    #[test]
    fn nesting_is_bounded_at_max_nesting_levels() {
        let nested = |levels: usize| {
            let mut ty = Type::Number;
            for _ in 0..levels {
                ty = Type::list(ty);
            }
            let text = format!("{}1{}", "[".repeat(levels), "]".repeat(levels));
            (ty, text)
        };
        let (ty, text) = nested(MAX_NESTING);
        assert!(decode(text.as_bytes(), &ty).is_ok());
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(decode_value(&parsed, &ty).is_ok());

        let (ty, text) = nested(MAX_NESTING + 1);
        let error = decode(text.as_bytes(), &ty).unwrap_err().0;
        assert!(error.contains("nested more than 64 levels"), "{error}");
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        let error = decode_value(&parsed, &ty).unwrap_err().0;
        assert!(error.contains("nested more than 64 levels"), "{error}");

        let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        let error = decode(deep.as_bytes(), &Type::Dynamic).unwrap_err().0;
        assert!(error.contains("nested more than 64 levels"), "{error}");
    }

    #[test]
    fn large_sets_deduplicate_quickly() {
        let n = 200_000;
        let items: Vec<String> = (0..2 * n).map(|i| format!("\"s{}\"", i % n)).collect();
        let text = format!("[{}]", items.join(","));
        let ty = Type::set(Type::String);
        let value = decode(text.as_bytes(), &ty).unwrap();
        assert_eq!(value.elements().unwrap().len(), n);
        let written = encode_bytes(&value, &ty).unwrap();
        assert_eq!(decode(&written, &ty).unwrap(), value);
    }

    #[test]
    fn parsed_json_decodes_like_bytes() {
        let json = serde_json::json!({"id": "a", "count": 1.5});
        let value = decode_value(&json, &state_type()).unwrap();
        assert_eq!(value.get("count"), &Value::from(1.5));
        assert_eq!(value.get("added_later"), &Value::Null);
    }
}
