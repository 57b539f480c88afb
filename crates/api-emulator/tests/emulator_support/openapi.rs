//! Responses checked against the Secrets Store OpenAPI file with the `jsonschema` crate: the
//! response schema of an operation by method, concrete path and status, its `$ref`s resolved
//! into the file's own `components`, OpenAPI 3.0's `nullable` and `writeOnly` rewritten as
//! JSON Schema.

use jsonschema::Draft;
use serde_json::{Map, Value, json};

/// The OpenAPI document's paths and its components as JSON Schema.
pub struct OpenApi {
    paths: Map<String, Value>,
    components: Value,
}

const FAILURE_SCHEMA: &str = "#/components/schemas/secrets-store_api-response-common-failure";

impl OpenApi {
    pub fn from_document(mut document: Value) -> OpenApi {
        let paths = document["paths"].as_object().cloned().unwrap_or_default();
        let mut components = document["components"].take();
        to_json_schema(&mut components);
        OpenApi { paths, components }
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
        match self.response_schema(method, path, status) {
            Some(schema) => self.violations(schema, body),
            None if status >= 400 => self.violations(&json!({ "$ref": FAILURE_SCHEMA }), body),
            None => vec![format!(
                "{method} {path} answered {status}, which the OpenAPI file does not describe"
            )],
        }
    }

    /// Every violation of `schema` (whose `$ref`s point into the file's components) by
    /// `value`, as `instance path: message`. A write-only property is a violation: these are
    /// responses.
    pub fn violations(&self, schema: &Value, value: &Value) -> Vec<String> {
        let mut root = json!({ "allOf": [schema], "components": self.components });
        to_json_schema(&mut root);
        let validator = jsonschema::options()
            .with_draft(Draft::Draft4)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|error| panic!("the OpenAPI schema {schema} compiles: {error}"));
        validator
            .iter_errors(value)
            .map(|error| format!("{}: {error}", error.instance_path()))
            .collect()
    }

    fn response_schema(&self, method: &str, path: &str, status: u16) -> Option<&Value> {
        let path = path.strip_prefix("/client/v4").unwrap_or(path);
        let (_, item) = self
            .paths
            .iter()
            .find(|(template, _)| path_matches(template, path))?;
        let responses = item.get(method.to_ascii_lowercase())?.get("responses")?;
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get(format!("{}XX", status / 100)))
            .or_else(|| responses.get("default"))?;
        response.pointer("/content/application~1json/schema")
    }
}

/// Rewrites OpenAPI 3.0 schema keywords JSON Schema lacks: `nullable: true` adds `null` to the
/// `type`, and a `writeOnly` schema matches nothing (never in a response).
fn to_json_schema(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            if object.get("writeOnly") == Some(&Value::Bool(true)) {
                *schema = json!({ "not": {} });
                return;
            }
            if object.get("nullable") == Some(&Value::Bool(true))
                && let Some(Value::String(kind)) = object.get("type")
            {
                object.insert("type".into(), json!([kind, "null"]));
            }
            object.values_mut().for_each(to_json_schema);
        }
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        _ => {}
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
