//! Shared input shaping for the fuzz targets: picks the schema type a value is decoded against.

use tfplugin::Type;

/// Types the decoders are fuzzed against: the shapes the provider's schemas use, plus
/// collections of every kind and `dynamic`, which lets the input choose its own type.
fn fixed_types() -> Vec<Type> {
    let secret = Type::object([
        ("id", Type::String),
        ("account_id", Type::String),
        ("store_id", Type::String),
        ("name", Type::String),
        ("value", Type::String),
        ("value_wo", Type::String),
        ("value_wo_version", Type::Number),
        ("scopes", Type::set(Type::String)),
        ("comment", Type::String),
        ("status", Type::String),
        ("created", Type::String),
        ("modified", Type::String),
        (
            "timeouts",
            Type::object([("create", Type::String), ("delete", Type::String)]),
        ),
    ]);
    vec![
        Type::Dynamic,
        Type::String,
        Type::Number,
        Type::Bool,
        Type::list(Type::Dynamic),
        Type::set(Type::Dynamic),
        Type::map(Type::Dynamic),
        Type::set(Type::String),
        Type::set(Type::set(Type::Number)),
        Type::list(Type::object([("a", Type::Number), ("b", Type::Dynamic)])),
        Type::map(Type::set(Type::Bool)),
        Type::Tuple(vec![Type::String, Type::Number, Type::Dynamic]),
        secret.clone(),
        Type::set(secret),
    ]
}

/// Splits fuzz input into a schema type and the value bytes. A first byte below 0x80 picks one
/// of the fixed types; otherwise the next byte is the length of a JSON type description that
/// follows (inputs whose description does not parse are skipped).
pub fn typed_input(data: &[u8]) -> Option<(Type, &[u8])> {
    let (&selector, rest) = data.split_first()?;
    if selector < 0x80 {
        let types = fixed_types();
        let ty = types[usize::from(selector) % types.len()].clone();
        return Some((ty, rest));
    }
    let (&length, rest) = rest.split_first()?;
    let length = usize::from(length).min(rest.len());
    let (type_json, value) = rest.split_at(length);
    let ty = Type::from_json(type_json).ok()?;
    Some((ty.without_optional_markers(), value))
}
