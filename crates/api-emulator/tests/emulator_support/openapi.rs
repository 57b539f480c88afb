//! A validator for the JSON-Schema subset used by the Secrets Store OpenAPI file, and the
//! lookup of an operation's response schema by method, concrete path and status.

use serde_json::Value;

/// The OpenAPI document, with `$ref` resolution.
pub struct OpenApi {
    document: Value,
}

const FAILURE_SCHEMA: &str = "#/components/schemas/secrets-store_api-response-common-failure";

impl OpenApi {
    pub fn from_document(document: Value) -> OpenApi {
        OpenApi { document }
    }

    /// Checks `body` against the response schema of the operation matching `method` and
    /// `path` (a concrete path, with or without the `/client/v4` prefix) for `status`.
    /// Paths and statuses the file does not describe are checked against the failure
    /// envelope (they must be errors). Returns every violation found.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Vec<String> {
        let schema = match self.response_schema(method, path, status) {
            Some(schema) => schema,
            None if status >= 400 => serde_json::json!({ "$ref": FAILURE_SCHEMA }),
            None => {
                return vec![format!(
                    "{method} {path} answered {status}, which the OpenAPI file does not describe"
                )];
            }
        };
        let mut errors = Vec::new();
        self.check(&schema, body, "", &mut errors);
        errors
    }

    fn response_schema(&self, method: &str, path: &str, status: u16) -> Option<Value> {
        let path = path.strip_prefix("/client/v4").unwrap_or(path);
        let paths = self.document.get("paths")?.as_object()?;
        let (_, item) = paths
            .iter()
            .find(|(template, _)| path_matches(template, path))?;
        let operation = item.get(method.to_ascii_lowercase())?;
        let responses = operation.get("responses")?;
        let class = format!("{}XX", status / 100);
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get(&class))
            .or_else(|| responses.get("default"))?;
        let response = self.resolve(response);
        response
            .get("content")?
            .get("application/json")?
            .get("schema")
            .cloned()
    }

    /// Follows `$ref`s (local `#/...` pointers only) to the schema they name.
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let pointer = reference.trim_start_matches('#');
            match self.document.pointer(pointer) {
                Some(target) => schema = target,
                None => break,
            }
        }
        schema
    }

    /// Validates `value` against `schema`, appending violations with their JSON pointer.
    pub fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str)
            && self
                .document
                .pointer(reference.trim_start_matches('#'))
                .is_none()
        {
            errors.push(format!("{at}: unresolvable $ref {reference}"));
            return;
        }
        let schema = self.resolve(schema);
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        if value.is_null() && nullable {
            return;
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            for part in parts {
                self.check(part, value, at, errors);
            }
        }
        for keyword in ["anyOf", "oneOf"] {
            if let Some(options) = schema.get(keyword).and_then(Value::as_array) {
                let passing = options
                    .iter()
                    .filter(|option| {
                        let mut scratch = Vec::new();
                        self.check(option, value, at, &mut scratch);
                        scratch.is_empty()
                    })
                    .count();
                let ok = if keyword == "oneOf" {
                    passing == 1
                } else {
                    passing >= 1
                };
                if !ok {
                    errors.push(format!("{at}: {passing} of the {keyword} options match"));
                }
            }
        }
        if let Some(expected) = schema.get("type").and_then(Value::as_str)
            && !type_matches(expected, value)
        {
            errors.push(format!("{at}: expected {expected}, got {value}"));
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
        self.check_scalar(schema, value, at, errors);
        if let Some(object) = value.as_object() {
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if !object.contains_key(name) {
                        errors.push(format!("{at}: missing required property {name:?}"));
                    }
                }
            }
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property_schema) in properties {
                    if let Some(property) = object.get(name) {
                        let resolved = self.resolve(property_schema);
                        if resolved.get("writeOnly").and_then(Value::as_bool) == Some(true) {
                            errors.push(format!("{at}/{name}: write-only property in a response"));
                        }
                        self.check(property_schema, property, &format!("{at}/{name}"), errors);
                    }
                }
            }
        }
        if let Some(items) = value.as_array() {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    self.check(item_schema, item, &format!("{at}/{index}"), errors);
                }
            }
            if schema.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
                for (index, item) in items.iter().enumerate() {
                    if items[..index].contains(item) {
                        errors.push(format!("{at}/{index}: duplicate item"));
                    }
                }
            }
        }
    }

    fn check_scalar(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        if let Some(text) = value.as_str() {
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
                && text.chars().count() as u64 > max
            {
                errors.push(format!("{at}: longer than {max} characters"));
            }
            if schema.get("format").and_then(Value::as_str) == Some("date-time")
                && chrono::DateTime::parse_from_rfc3339(text).is_err()
            {
                errors.push(format!("{at}: {text:?} is not an RFC 3339 date-time"));
            }
        }
        if let (Some(number), Some(minimum)) = (
            value.as_f64(),
            schema.get("minimum").and_then(Value::as_f64),
        ) && number < minimum
        {
            errors.push(format!("{at}: {number} is below the minimum {minimum}"));
        }
    }
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "null" => value.is_null(),
        _ => false,
    }
}

/// `/accounts/{account_id}/secrets_store/stores` matches `/accounts/abc/secrets_store/stores`.
fn path_matches(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template
            .iter()
            .zip(&path)
            .all(|(expected, actual)| expected.starts_with('{') || expected == actual)
}
