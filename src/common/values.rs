//! Reading attributes out of `Value`s and writing them back.

use tfplugin::Value;

/// The string of a known, non-null string value.
pub fn known_string(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

/// A string attribute value, null for `None`.
pub fn string_or_null(value: Option<&str>) -> Value {
    value.map_or(Value::Null, Value::string)
}

/// The strings of a known set or list; `None` when null, unknown or partly unknown.
pub fn known_strings(value: &Value) -> Option<Vec<String>> {
    value
        .as_strings()
        .map(|items| items.into_iter().map(str::to_string).collect())
}
