//! Schema-directed msgpack codec for `DynamicValue.msgpack`: nulls, unknowns (extension 0) and
//! refined unknowns (extension 12), numbers that fit neither i64 nor f64, `dynamic` values.
//!
//! Hand-written on top of rmpv, which reads and writes the msgpack itself: the rules are cty's,
//! not msgpack's (a value is read against its schema type, every object attribute is present,
//! unknowns are extensions, a number is an int, a float or decimal text, a `dynamic` value travels
//! with its type), and serde's msgpack crates would drop the extensions unknowns are made of.

use std::collections::BTreeMap;

use rmpv::Value as Msgpack;

use super::types::Type;
use super::value::{CodecError, MAX_NESTING, Number, Refinements, Value};

/// The extension code of a refined unknown value.
const REFINED_UNKNOWN: i8 = 12;

/// Decodes msgpack bytes as a value of type `ty`. Empty bytes decode as null (what Terraform
/// means by an empty `DynamicValue`); trailing bytes are an error.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut reader = bytes;
    let msgpack = read_msgpack(&mut reader)?;
    if !reader.is_empty() {
        return Err(CodecError(format!(
            "value has {} unexpected trailing byte(s) after the msgpack value",
            reader.len()
        )));
    }
    read(&msgpack, ty, &Trail::root())
}

/// How deep rmpv may go: it counts two levels per array or map and three for a string, so this
/// admits every value within [`MAX_NESTING`] and still bounds what a hostile message can build.
const MSGPACK_DEPTH: usize = 2 * MAX_NESTING + 8;

/// Reads one msgpack value, refusing anything nested past the bound.
fn read_msgpack(reader: &mut &[u8]) -> Result<Msgpack, CodecError> {
    rmpv::decode::read_value_with_max_depth(reader, MSGPACK_DEPTH).map_err(|e| match e {
        rmpv::decode::Error::DepthLimitExceeded => too_deep(),
        e => CodecError(format!("value is not valid msgpack: {e}")),
    })
}

/// The error for a value nested deeper than [`MAX_NESTING`].
pub(crate) fn too_deep() -> CodecError {
    CodecError(format!(
        "value is nested more than {MAX_NESTING} levels deep, which is more than any schema allows"
    ))
}

/// Encodes `value` as msgpack for type `ty` (objects carry every attribute of the type; an
/// attribute missing from a `Value::Object` is encoded as null).
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let msgpack = write(value, ty, &Trail::root())?;
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &msgpack)
        .map_err(|e| CodecError(format!("cannot write msgpack: {e}")))?;
    Ok(out)
}

/// Where in a value the codec is, for error messages (`at scopes[2]`, `at the root`), and how
/// many collections, objects and `dynamic` wrappers deep.
pub(crate) struct Trail(String, usize);

impl Trail {
    pub(crate) fn root() -> Trail {
        Trail(String::new(), 0)
    }

    pub(crate) fn attribute(&self, name: &str) -> Trail {
        if self.0.is_empty() {
            Trail(name.to_string(), self.1 + 1)
        } else {
            Trail(format!("{}.{name}", self.0), self.1 + 1)
        }
    }

    pub(crate) fn index(&self, index: usize) -> Trail {
        Trail(format!("{}[{index}]", self.0), self.1 + 1)
    }

    pub(crate) fn key(&self, key: &str) -> Trail {
        Trail(format!("{}[{key:?}]", self.0), self.1 + 1)
    }

    /// The same place one level deeper: the value inside a `dynamic` wrapper.
    pub(crate) fn inside_dynamic(&self) -> Trail {
        Trail(self.0.clone(), self.1 + 1)
    }

    /// An error once a container at this place would hold values past [`MAX_NESTING`].
    pub(crate) fn check_depth(&self) -> Result<(), CodecError> {
        if self.1 >= MAX_NESTING {
            Err(too_deep())
        } else {
            Ok(())
        }
    }

    /// An error unless a tuple of `expected` elements was given `given` items.
    pub(crate) fn check_tuple_len(&self, expected: usize, given: usize) -> Result<(), CodecError> {
        if expected == given {
            Ok(())
        } else {
            Err(self.error(format!(
                "a tuple of {expected} elements is required ({given} given)"
            )))
        }
    }

    pub(crate) fn error(&self, message: impl std::fmt::Display) -> CodecError {
        if self.0.is_empty() {
            CodecError(format!("at the root: {message}"))
        } else {
            CodecError(format!("at {}: {message}", self.0))
        }
    }
}

/// A short name for what a msgpack value is (never its content, which may be secret).
fn kind(msgpack: &Msgpack) -> &'static str {
    match msgpack {
        Msgpack::Nil => "nil",
        Msgpack::Boolean(_) => "a bool",
        Msgpack::Integer(_) => "an integer",
        Msgpack::F32(_) | Msgpack::F64(_) => "a float",
        Msgpack::String(_) => "a string",
        Msgpack::Binary(_) => "binary data",
        Msgpack::Array(_) => "an array",
        Msgpack::Map(_) => "a map",
        Msgpack::Ext(..) => "an extension",
    }
}

fn mismatch(trail: &Trail, expected: &Type, found: &Msgpack) -> CodecError {
    trail.error(format!(
        "expected {}, found {}",
        String::from_utf8_lossy(&expected.to_json()),
        kind(found)
    ))
}

fn read(msgpack: &Msgpack, ty: &Type, trail: &Trail) -> Result<Value, CodecError> {
    match msgpack {
        Msgpack::Nil => return Ok(Value::Null),
        Msgpack::Ext(code, payload) => return read_unknown(*code, payload, trail),
        Msgpack::Array(_) | Msgpack::Map(_) => trail.check_depth()?,
        _ => {}
    }
    match (ty, msgpack) {
        (Type::Dynamic, Msgpack::Array(pair)) if pair.len() == 2 => {
            let type_json = match &pair[0] {
                Msgpack::Binary(b) => b.as_slice(),
                Msgpack::String(s) => s.as_bytes(),
                other => {
                    return Err(trail.error(format!(
                        "a dynamic value must start with its JSON type, found {}",
                        kind(other)
                    )));
                }
            };
            let concrete = Type::from_json(type_json).map_err(|e| trail.error(e))?;
            let value = read(&pair[1], &concrete, &trail.inside_dynamic())?;
            Ok(Value::dynamic(concrete, value))
        }
        (Type::String, Msgpack::String(s)) => match s.as_str() {
            Some(text) => Ok(Value::String(text.to_string())),
            None => Err(trail.error("string is not valid UTF-8")),
        },
        (Type::Number, _) => read_number(msgpack, trail).map(Value::Number),
        (Type::Bool, Msgpack::Boolean(b)) => Ok(Value::Bool(*b)),
        (Type::List(element), Msgpack::Array(items)) => {
            read_items(items, element, trail).map(Value::List)
        }
        (Type::Set(element), Msgpack::Array(items)) => {
            Ok(Value::set_of(read_items(items, element, trail)?))
        }
        (Type::Tuple(elements), Msgpack::Array(items)) => {
            trail.check_tuple_len(elements.len(), items.len())?;
            let values = items
                .iter()
                .zip(elements)
                .enumerate()
                .map(|(i, (item, ty))| read(item, ty, &trail.index(i)))
                .collect::<Result<_, _>>()?;
            Ok(Value::Tuple(values))
        }
        (Type::Map(element), Msgpack::Map(entries)) => {
            let mut map = BTreeMap::new();
            for (key, item) in entries {
                let key = map_key(key, trail)?;
                let value = read(item, element, &trail.key(key))?;
                map.insert(key.to_string(), value);
            }
            Ok(Value::Map(map))
        }
        (Type::Object { attributes, .. }, Msgpack::Map(entries)) => {
            let mut object = BTreeMap::new();
            for (key, item) in entries {
                let name = map_key(key, trail)?;
                let Some(attribute_type) = attributes.get(name) else {
                    return Err(trail.error(format!("unsupported attribute {name:?}")));
                };
                let value = read(item, attribute_type, &trail.attribute(name))?;
                if object.insert(name.to_string(), value).is_some() {
                    return Err(trail.error(format!("attribute {name:?} appears twice")));
                }
            }
            if object.len() != attributes.len() {
                let missing: Vec<&str> = attributes
                    .keys()
                    .filter(|name| !object.contains_key(*name))
                    .map(String::as_str)
                    .collect();
                return Err(trail.error(format!(
                    "an object with {} attributes is required ({} given; missing {})",
                    attributes.len(),
                    object.len(),
                    missing.join(", ")
                )));
            }
            Ok(Value::Object(object))
        }
        (ty, other) => Err(mismatch(trail, ty, other)),
    }
}

fn read_items(items: &[Msgpack], element: &Type, trail: &Trail) -> Result<Vec<Value>, CodecError> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| read(item, element, &trail.index(i)))
        .collect()
}

fn map_key<'a>(key: &'a Msgpack, trail: &Trail) -> Result<&'a str, CodecError> {
    match key {
        Msgpack::String(s) => s
            .as_str()
            .ok_or_else(|| trail.error("map key is not valid UTF-8")),
        other => Err(trail.error(format!("map keys must be strings, found {}", kind(other)))),
    }
}

fn read_number(msgpack: &Msgpack, trail: &Trail) -> Result<Number, CodecError> {
    match msgpack {
        Msgpack::Integer(i) => match (i.as_i64(), i.as_u64()) {
            (Some(signed), _) => Ok(Number::Int(signed)),
            (None, Some(unsigned)) => Ok(Number::Decimal(unsigned.to_string())),
            (None, None) => Err(trail.error("integer out of range")),
        },
        Msgpack::F32(f) => read_float(f64::from(*f), trail),
        Msgpack::F64(f) => read_float(*f, trail),
        Msgpack::String(s) => {
            let text = s
                .as_str()
                .ok_or_else(|| trail.error("number text is not valid UTF-8"))?;
            match text {
                "+Inf" | "Inf" | "+inf" | "inf" => Ok(Number::Float(f64::INFINITY)),
                "-Inf" | "-inf" => Ok(Number::Float(f64::NEG_INFINITY)),
                _ => {
                    Number::parse(text).ok_or_else(|| trail.error("string is not a decimal number"))
                }
            }
        }
        other => Err(mismatch(trail, &Type::Number, other)),
    }
}

fn read_float(f: f64, trail: &Trail) -> Result<Number, CodecError> {
    if f.is_nan() {
        Err(trail.error("NaN is not a valid number"))
    } else {
        Ok(Number::from_f64(f))
    }
}

/// Any extension reads as unknown; only code 12 carries refinements worth reading.
fn read_unknown(code: i8, payload: &[u8], trail: &Trail) -> Result<Value, CodecError> {
    if code != REFINED_UNKNOWN || payload.len() <= 1 {
        return Ok(Value::unknown());
    }
    let mut reader = payload;
    let Ok(Msgpack::Map(entries)) = read_msgpack(&mut reader) else {
        return Err(trail.error("refined unknown value does not hold a map of refinements"));
    };
    let mut refinements = Refinements::default();
    for (key, value) in &entries {
        let Some(key) = key.as_i64() else { continue };
        match (key, value) {
            (1, Msgpack::Boolean(nullable)) => refinements.nullable = Some(*nullable),
            (2, Msgpack::String(prefix)) => {
                refinements.string_prefix = prefix.as_str().map(str::to_string);
            }
            (3, bound) => refinements.number_lower = read_bound(bound, trail),
            (4, bound) => refinements.number_upper = read_bound(bound, trail),
            (5, length) => refinements.length_lower = length.as_u64(),
            (6, length) => refinements.length_upper = length.as_u64(),
            // Unknown keys (and malformed known ones) only withhold information: ignore them.
            _ => {}
        }
    }
    Ok(Value::Unknown(refinements))
}

fn read_bound(bound: &Msgpack, trail: &Trail) -> Option<(Number, bool)> {
    match bound {
        Msgpack::Array(pair) if pair.len() == 2 => {
            let number = read_number(&pair[0], trail).ok()?;
            Some((number, pair[1].as_bool()?))
        }
        _ => None,
    }
}

fn write(value: &Value, ty: &Type, trail: &Trail) -> Result<Msgpack, CodecError> {
    match value {
        Value::Null => return Ok(Msgpack::Nil),
        Value::Unknown(refinements) => return write_unknown(refinements, trail),
        _ => {}
    }
    match (ty, value) {
        (
            Type::Dynamic,
            Value::Dynamic {
                ty: concrete,
                value,
            },
        ) => Ok(Msgpack::Array(vec![
            Msgpack::Binary(concrete.to_json()),
            write(value, concrete, trail)?,
        ])),
        (Type::Dynamic, other) => {
            let concrete = other.implied_type();
            Ok(Msgpack::Array(vec![
                Msgpack::Binary(concrete.to_json()),
                write(other, &concrete, trail)?,
            ]))
        }
        (static_type, Value::Dynamic { value, .. }) => write(value, static_type, trail),
        (Type::String, Value::String(s)) => Ok(Msgpack::String(s.as_str().into())),
        (Type::Number, Value::Number(n)) => write_number(n, trail),
        (Type::Bool, Value::Bool(b)) => Ok(Msgpack::Boolean(*b)),
        (Type::List(element), Value::List(items) | Value::Set(items) | Value::Tuple(items)) => {
            write_items(items, element, trail)
        }
        (Type::Set(element), Value::List(items) | Value::Set(items) | Value::Tuple(items)) => {
            let mut seen = std::collections::HashSet::new();
            items
                .iter()
                .filter(|item| seen.insert(item.equality_key()))
                .enumerate()
                .map(|(i, item)| write(item, element, &trail.index(i)))
                .collect::<Result<_, _>>()
                .map(Msgpack::Array)
        }
        (Type::Tuple(elements), Value::Tuple(items) | Value::List(items)) => {
            trail.check_tuple_len(elements.len(), items.len())?;
            items
                .iter()
                .zip(elements)
                .enumerate()
                .map(|(i, (item, ty))| write(item, ty, &trail.index(i)))
                .collect::<Result<_, _>>()
                .map(Msgpack::Array)
        }
        (Type::Map(element), Value::Map(entries) | Value::Object(entries)) => entries
            .iter()
            .map(|(key, item)| {
                Ok((
                    Msgpack::String(key.as_str().into()),
                    write(item, element, &trail.key(key))?,
                ))
            })
            .collect::<Result<_, _>>()
            .map(Msgpack::Map),
        (Type::Object { attributes, .. }, Value::Object(entries) | Value::Map(entries)) => {
            if let Some(extra) = entries.keys().find(|name| !attributes.contains_key(*name)) {
                return Err(trail.error(format!("unsupported attribute {extra:?}")));
            }
            attributes
                .iter()
                .map(|(name, attribute_type)| {
                    let item = entries.get(name).unwrap_or(&Value::Null);
                    Ok((
                        Msgpack::String(name.as_str().into()),
                        write(item, attribute_type, &trail.attribute(name))?,
                    ))
                })
                .collect::<Result<_, _>>()
                .map(Msgpack::Map)
        }
        (ty, other) => Err(trail.error(format!(
            "cannot encode {} as {}",
            value_kind(other),
            String::from_utf8_lossy(&ty.to_json())
        ))),
    }
}

/// A short name for what a value is (never its content, which may be secret).
pub(crate) fn value_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Unknown(_) => "an unknown value",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) => "a list",
        Value::Set(_) => "a set",
        Value::Map(_) => "a map",
        Value::Object(_) => "an object",
        Value::Tuple(_) => "a tuple",
        Value::Dynamic { .. } => "a dynamic value",
    }
}

fn write_items(items: &[Value], element: &Type, trail: &Trail) -> Result<Msgpack, CodecError> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| write(item, element, &trail.index(i)))
        .collect::<Result<_, _>>()
        .map(Msgpack::Array)
}

/// Int when integral and within i64, float64 when exact, otherwise canonical decimal text.
fn write_number(number: &Number, trail: &Trail) -> Result<Msgpack, CodecError> {
    match number.normalized() {
        Number::Int(i) => Ok(Msgpack::from(i)),
        Number::Float(f) if f.is_nan() => Err(trail.error("NaN is not a valid number")),
        Number::Float(f) => Ok(Msgpack::F64(f)),
        Number::Decimal(text) => match super::value::canonical_decimal(&text) {
            Some(canonical) => Ok(Msgpack::String(canonical.into())),
            None => Err(trail.error("number text is not a decimal number")),
        },
    }
}

fn write_unknown(refinements: &Refinements, trail: &Trail) -> Result<Msgpack, CodecError> {
    let mut entries = Vec::new();
    let mut add = |key: i64, value: Msgpack| entries.push((Msgpack::from(key), value));
    if let Some(nullable) = refinements.nullable {
        add(1, Msgpack::Boolean(nullable));
    }
    if let Some(prefix) = &refinements.string_prefix {
        add(2, Msgpack::String(prefix.as_str().into()));
    }
    if let Some((bound, inclusive)) = &refinements.number_lower {
        add(
            3,
            Msgpack::Array(vec![
                write_number(bound, trail)?,
                Msgpack::Boolean(*inclusive),
            ]),
        );
    }
    if let Some((bound, inclusive)) = &refinements.number_upper {
        add(
            4,
            Msgpack::Array(vec![
                write_number(bound, trail)?,
                Msgpack::Boolean(*inclusive),
            ]),
        );
    }
    if let Some(length) = refinements.length_lower {
        add(5, Msgpack::from(length));
    }
    if let Some(length) = refinements.length_upper {
        add(6, Msgpack::from(length));
    }
    if entries.is_empty() {
        return Ok(Msgpack::Ext(0, vec![0]));
    }
    let mut payload = Vec::new();
    rmpv::encode::write_value(&mut payload, &Msgpack::Map(entries))
        .map_err(|e| trail.error(format!("cannot write refinements: {e}")))?;
    Ok(Msgpack::Ext(REFINED_UNKNOWN, payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object_type() -> Type {
        Type::object([("name", Type::String), ("tags", Type::list(Type::String))])
    }

    #[test]
    fn both_plain_unknown_forms_and_any_short_extension_read_as_unknown() {
        for bytes in [
            &[0xd4, 0x00, 0x00][..],
            &[0xc7, 0x00, 0x00],
            &[0xd4, 0x05, 0x01],
        ] {
            assert_eq!(decode(bytes, &Type::String).unwrap(), Value::unknown());
        }
        assert_eq!(
            encode(&Value::unknown(), &Type::Number).unwrap(),
            vec![0xd4, 0x00, 0x00]
        );
    }

    #[test]
    fn refined_unknown_reads_and_writes_extension_12() {
        // {1: false, 2: "ab", 99: "ignored"}
        let payload = [0x83, 0x01, 0xc2, 0x02, 0xa2, b'a', b'b', 0x63, 0xa1, b'x'];
        let mut bytes = vec![0xc7, payload.len() as u8, 0x0c];
        bytes.extend_from_slice(&payload);
        let Value::Unknown(refinements) = decode(&bytes, &Type::String).unwrap() else {
            panic!("not unknown")
        };
        assert_eq!(refinements.nullable, Some(false));
        assert_eq!(refinements.string_prefix.as_deref(), Some("ab"));

        let written = encode(&Value::Unknown(refinements.clone()), &Type::String).unwrap();
        assert_eq!(
            written[2], 0x0c,
            "extension code 12 expected: {written:02x?}"
        );
        assert_eq!(
            decode(&written, &Type::String).unwrap(),
            Value::Unknown(refinements)
        );
    }

    #[test]
    fn refined_number_and_length_bounds_round_trip() {
        let refinements = Refinements {
            nullable: Some(false),
            number_lower: Some((Number::Int(-3), true)),
            number_upper: Some((Number::Decimal("1e30".into()), false)),
            length_lower: Some(1),
            length_upper: Some(9),
            ..Refinements::default()
        };
        let value = Value::Unknown(refinements);
        let bytes = encode(&value, &Type::Number).unwrap();
        assert_eq!(decode(&bytes, &Type::Number).unwrap(), value);
    }

    #[test]
    fn objects_need_every_attribute() {
        // {"name": "x"} for an object that also has "tags".
        let bytes = [0x81, 0xa4, b'n', b'a', b'm', b'e', 0xa1, b'x'];
        let error = decode(&bytes, &object_type()).unwrap_err().0;
        assert!(
            error.contains("2 attributes is required (1 given"),
            "{error}"
        );
        assert!(error.contains("missing tags"), "{error}");
    }

    #[test]
    fn objects_reject_unsupported_attributes() {
        let bytes = [0x81, 0xa1, b'z', 0xc0];
        let error = decode(&bytes, &Type::object([("a", Type::Bool)]))
            .unwrap_err()
            .0;
        assert!(error.contains("unsupported attribute \"z\""), "{error}");
    }

    #[test]
    fn errors_name_the_path_but_never_the_value() {
        // {"name": "x", "tags": ["ok", 7]}
        let bytes = [
            0x82, 0xa4, b'n', b'a', b'm', b'e', 0xa1, b'x', 0xa4, b't', b'a', b'g', b's', 0x92,
            0xa2, b'o', b'k', 0x07,
        ];
        let error = decode(&bytes, &object_type()).unwrap_err().0;
        assert!(
            error.starts_with("at tags[1]: expected \"string\""),
            "{error}"
        );

        let secret = encode(&Value::from("s3cret-value"), &Type::Bool)
            .unwrap_err()
            .0;
        assert!(!secret.contains("s3cret"), "{secret}");
        let secret = decode(&[0xa6, b's', b'3', b'c', b'r', b'e', b't'], &Type::Number)
            .unwrap_err()
            .0;
        assert!(!secret.contains("s3cret"), "{secret}");
    }

    #[test]
    fn missing_object_attributes_encode_as_nil() {
        let bytes = encode(&Value::object([("name", Value::from("x"))]), &object_type()).unwrap();
        assert_eq!(
            bytes,
            [
                0x82, 0xa4, b'n', b'a', b'm', b'e', 0xa1, b'x', 0xa4, b't', b'a', b'g', b's', 0xc0
            ]
        );
        let error = encode(&Value::object([("other", Value::Null)]), &object_type()).unwrap_err();
        assert!(
            error.0.contains("unsupported attribute \"other\""),
            "{error}"
        );
    }

    #[test]
    fn numbers_use_int_float_or_decimal_text() {
        assert_eq!(encode(&Value::from(1i64), &Type::Number).unwrap(), [0x01]);
        assert_eq!(
            encode(&Value::number(Number::Float(2.0)), &Type::Number).unwrap(),
            [0x02]
        );
        assert_eq!(
            encode(&Value::number(Number::Float(1.5)), &Type::Number).unwrap(),
            [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]
        );
        let big = Value::number(Number::Decimal("123456789012345678901234".into()));
        let bytes = encode(&big, &Type::Number).unwrap();
        assert_eq!(bytes[0], 0xb8, "expected a 24-byte fixstr: {bytes:02x?}");
        assert_eq!(&bytes[1..], b"123456789012345678901234");
        assert_eq!(decode(&bytes, &Type::Number).unwrap(), big);

        let u64_max = [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            decode(&u64_max, &Type::Number).unwrap(),
            Value::number(Number::Decimal("18446744073709551615".into()))
        );
        assert_eq!(
            decode(&[0xa3, b'0', b'.', b'1'], &Type::Number).unwrap(),
            Value::number(Number::Float(0.1))
        );
        assert!(decode(&[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1], &Type::Number).is_err());
    }

    #[test]
    fn dynamic_values_travel_with_their_type() {
        let mut bytes = vec![0x92, 0xc4, 8];
        bytes.extend_from_slice(b"\"string\"");
        bytes.extend_from_slice(&[0xa2, b'h', b'i']);
        let value = decode(&bytes, &Type::Dynamic).unwrap();
        assert_eq!(value, Value::dynamic(Type::String, "hi".into()));
        assert_eq!(encode(&value, &Type::Dynamic).unwrap(), bytes);
        assert_eq!(encode(&Value::from("hi"), &Type::Dynamic).unwrap(), bytes);
        assert_eq!(
            encode(&Value::unknown(), &Type::Dynamic).unwrap(),
            [0xd4, 0, 0]
        );
        assert_eq!(decode(&[0xc0], &Type::Dynamic).unwrap(), Value::Null);
    }

    #[test]
    fn sets_collapse_duplicates_and_tuples_check_length() {
        let bytes = [0x92, 0xa1, b'a', 0xa1, b'a'];
        assert_eq!(
            decode(&bytes, &Type::set(Type::String)).unwrap(),
            Value::string_set(["a"])
        );
        let pair = Type::Tuple(vec![Type::String, Type::Bool]);
        assert!(decode(&[0x91, 0xa1, b'a'], &pair).is_err());
        let encoded = encode(&Value::string_set(["a", "a"]), &Type::set(Type::String)).unwrap();
        assert_eq!(encoded, [0x91, 0xa1, b'a']);
    }

    /// `levels` lists nested in one another around the string "x", as msgpack.
    fn nested_lists(levels: usize) -> (Type, Vec<u8>) {
        let mut ty = Type::String;
        let mut bytes = vec![0x91; levels];
        bytes.extend_from_slice(&[0xa1, b'x']);
        for _ in 0..levels {
            ty = Type::list(ty);
        }
        (ty, bytes)
    }

    #[test]
    fn nesting_is_bounded_at_max_nesting_levels() {
        let (ty, bytes) = nested_lists(MAX_NESTING);
        assert!(decode(&bytes, &ty).is_ok());
        let (ty, bytes) = nested_lists(MAX_NESTING + 1);
        let error = decode(&bytes, &ty).unwrap_err().0;
        assert!(error.contains("nested more than 64 levels"), "{error}");
        // Under `dynamic` the input picks its own depth; far past the bound rmpv itself stops.
        let mut deep = vec![0x91; 100_000];
        deep.push(0xc0);
        let error = decode(&deep, &Type::Dynamic).unwrap_err().0;
        assert!(error.contains("nested more than 64 levels"), "{error}");
    }

    #[test]
    fn dynamic_values_typed_dynamic_count_as_a_level_each() {
        // ["\"dynamic\"", ["\"dynamic\"", ... "x"]] 65 wrappers deep.
        let mut bytes = Vec::new();
        for _ in 0..=MAX_NESTING {
            bytes.extend_from_slice(&[0x92, 0xa9]);
            bytes.extend_from_slice(b"\"dynamic\"");
        }
        bytes.extend_from_slice(&[0xa1, b'x']);
        let error = decode(&bytes, &Type::Dynamic).unwrap_err().0;
        assert!(error.contains("nested more than 64 levels"), "{error}");
    }

    #[test]
    fn large_sets_deduplicate_and_encode_quickly() {
        // 200 000 distinct strings and a duplicate of each: quadratic de-duplication would
        // compare 10^10 pairs here and not finish within the test run.
        let n = 200_000;
        let mut bytes = vec![0xdd];
        bytes.extend_from_slice(&(2 * n as u32).to_be_bytes());
        for _ in 0..2 {
            for i in 0..n {
                let text = format!("s{i:07}");
                bytes.push(0xa0 | text.len() as u8);
                bytes.extend_from_slice(text.as_bytes());
            }
        }
        let ty = Type::set(Type::String);
        let value = decode(&bytes, &ty).unwrap();
        assert_eq!(value.elements().unwrap().len(), n);
        let mut doubled = value.elements().unwrap().to_vec();
        doubled.extend(value.elements().unwrap().iter().cloned());
        let encoded = encode(&Value::List(doubled), &ty).unwrap();
        assert_eq!(decode(&encoded, &ty).unwrap(), value);
    }

    #[test]
    fn empty_bytes_are_null_and_trailing_bytes_are_an_error() {
        assert_eq!(decode(&[], &object_type()).unwrap(), Value::Null);
        assert!(decode(&[0xc0, 0xc0], &Type::String).is_err());
        assert!(decode(&[0x92], &Type::list(Type::String)).is_err());
    }
}
