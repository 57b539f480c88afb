//! The test-support OpenAPI check itself: it accepts the documented shapes and rejects
//! bodies that break the schema, so the emulator's validated responses mean something.

mod emulator_support;

use emulator_support::{assert_matches_spec, spec};
use serde_json::{Value, json};

fn secret() -> Value {
    json!({
        "id": "3fd85f74b32742f1bff64a85009dda07",
        "store_id": "023e105f4ecef8ad9ca31a8372d0c353",
        "name": "MY_API_KEY",
        "status": "active",
        "created": "2023-09-21T18:56:32.624632Z",
        "modified": "2023-09-21T18:56:32.624632Z",
        "scopes": ["workers"]
    })
}

fn envelope(result: Value) -> Value {
    json!({"success": true, "errors": [], "messages": [], "result": result})
}

const SECRET_PATH: &str =
    "/client/v4/accounts/a/secrets_store/stores/s/secrets/3fd85f74b32742f1bff64a85009dda07";

fn violations(method: &str, path: &str, status: u16, body: &Value) -> Vec<String> {
    spec().check_response(method, path, status, body)
}

#[test]
fn documented_bodies_pass() {
    let errors = violations("GET", SECRET_PATH, 200, &envelope(secret()));
    assert!(errors.is_empty(), "{errors:?}");
    let failure = json!({"success": false, "errors": [{"code": 1001, "message": "secret_not_found"}],
                         "messages": [], "result": null});
    assert_eq!(
        violations("GET", SECRET_PATH, 404, &failure),
        Vec::<String>::new()
    );
    let deleted = envelope(Value::Null);
    assert_eq!(
        violations("DELETE", SECRET_PATH, 202, &deleted),
        Vec::<String>::new()
    );
}

#[test]
fn broken_bodies_are_reported_at_their_path() {
    let mut missing = secret();
    missing.as_object_mut().unwrap().remove("status");
    let mut bad_status = secret();
    bad_status["status"] = json!("ready");
    let mut bad_time = secret();
    bad_time["created"] = json!("yesterday");
    let mut long_id = secret();
    long_id["id"] = json!("x".repeat(33));
    let mut bad_scope = secret();
    bad_scope["scopes"] = json!(["pages"]);
    let mut bad_comment = secret();
    bad_comment["comment"] = json!(5);
    let cases = [
        (
            envelope(missing),
            "/result: \"status\" is a required property",
        ),
        (
            envelope(bad_status),
            "/result/status: \"ready\" is not one of",
        ),
        (
            envelope(bad_time),
            "/result/created: \"yesterday\" is not a \"date-time\"",
        ),
        (
            envelope(long_id),
            "/result/id: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" is longer than 32 characters",
        ),
        (
            envelope(bad_scope),
            "/result/scopes/0: \"pages\" is not one of",
        ),
        (
            envelope(bad_comment),
            "/result/comment: 5 is not of type \"string\"",
        ),
        (
            json!({"success": true, "messages": [], "result": secret()}),
            ": \"errors\" is a required property",
        ),
        (
            json!({"success": "yes", "errors": [], "messages": []}),
            "/success: \"yes\" is not of type \"boolean\"",
        ),
    ];
    for (body, expected) in cases {
        let errors = violations("GET", SECRET_PATH, 200, &body);
        assert!(
            errors.iter().any(|error| error.starts_with(expected)),
            "expected a violation {expected:?}, got {errors:?}"
        );
    }
    let bad_error = json!({"success": false, "errors": [{"code": 5, "message": "x"}], "messages": [], "result": null});
    assert_eq!(
        violations("GET", SECRET_PATH, 404, &bad_error),
        ["/errors/0/code: 5 is less than the minimum of 1000"]
    );
    let not_null = json!({"success": false, "errors": [{"code": 1001, "message": "x"}], "messages": [], "result": {}});
    let errors = violations("GET", SECRET_PATH, 404, &not_null);
    assert!(
        errors.iter().any(|error| error.starts_with("/result: ")),
        "{errors:?}"
    );
    let undocumented = violations("GET", SECRET_PATH, 201, &envelope(secret()));
    assert!(!undocumented.is_empty());
    let quota =
        json!({"success": true, "errors": [], "messages": [], "result": {"secrets": {"quota": 1}}});
    let errors = violations("GET", "/accounts/a/secrets_store/quota", 200, &quota);
    assert_eq!(
        errors,
        ["/result/secrets: \"usage\" is a required property"]
    );
}

#[test]
fn write_only_properties_are_refused_in_responses() {
    let create = json!({"name": "A", "value": "v", "scopes": ["workers"]});
    let errors = spec().violations(
        &json!({"$ref": "#/components/schemas/secrets-store_createSecretObject"}),
        &create,
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("/value: "), "{errors:?}");
}

#[test]
#[should_panic(expected = "body does not match the OpenAPI file")]
fn a_non_conforming_body_fails_the_test_that_checks_it() {
    let mut bad_status = secret();
    bad_status["status"] = json!("ready");
    assert_matches_spec("GET", SECRET_PATH, 200, &envelope(bad_status));
}
