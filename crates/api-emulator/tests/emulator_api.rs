//! Every emulator endpoint and error path, in process through `app(state)` and `oneshot`;
//! every response body is checked against the OpenAPI file.

mod emulator_support;

use std::time::Duration;

use api_emulator::{BulkDeleteBody, NameConflictStatus};
use axum::http::StatusCode;
use emulator_support::{ACCOUNT, Auth, Emulator, TOKEN};
use serde_json::{Value, json};

fn is_hex_id(value: &Value) -> bool {
    value.as_str().is_some_and(|id| {
        id.len() == 32
            && id
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

fn is_micro_timestamp(value: &Value) -> bool {
    value.as_str().is_some_and(|stamp| {
        stamp.len() == 27
            && stamp.ends_with('Z')
            && stamp.as_bytes()[19] == b'.'
            && chrono::DateTime::parse_from_rfc3339(stamp).is_ok()
    })
}

fn names(reply: &Value) -> Vec<String> {
    reply["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn store_create_get_list_delete() {
    let emulator = Emulator::new();
    let created = emulator
        .call(
            "POST",
            "/stores",
            Some(json!({"name": "default_secrets_store"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let store = &created.body["result"];
    assert!(is_hex_id(&store["id"]), "{store}");
    assert_eq!(store["name"], "default_secrets_store");
    assert_eq!(store["account_id"], ACCOUNT);
    assert!(is_micro_timestamp(&store["created"]), "{store}");
    assert_eq!(store["created"], store["modified"]);
    assert!(created.body.get("result_info").is_none());
    let id = store["id"].as_str().unwrap();

    let fetched = emulator.call("GET", &format!("/stores/{id}"), None).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(&fetched.body["result"], store);

    let listed = emulator.call("GET", "/stores", None).await;
    assert_eq!(listed.body["result"], json!([store]));
    assert_eq!(
        listed.body["result_info"],
        json!({"page": 1, "per_page": 20, "count": 1, "total_count": 1, "total_pages": 1})
    );

    let deleted = emulator
        .call("DELETE", &format!("/stores/{id}"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.body["result"], Value::Null);
    assert_eq!(deleted.body["success"], true);

    let gone = emulator.call("GET", &format!("/stores/{id}"), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.error(), (1001, "store_not_found".to_string()));
    assert!(emulator.state.stores().is_empty());
}

#[tokio::test]
async fn store_limits_and_bad_bodies() {
    let emulator = Emulator::new();
    emulator.create_store("first").await;
    let second = emulator
        .call("POST", "/stores", Some(json!({"name": "second"})))
        .await;
    assert_eq!(second.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        second.error(),
        (1003, "maximum_stores_exceeded".to_string())
    );

    let array = emulator
        .call("POST", "/stores", Some(json!([{"name": "x"}])))
        .await;
    assert_eq!(
        array.status,
        StatusCode::BAD_REQUEST,
        "the array form counts too"
    );
    assert_eq!(array.error(), (1003, "maximum_stores_exceeded".to_string()));

    let nameless = emulator.call("POST", "/stores", Some(json!({}))).await;
    assert_eq!(nameless.status, StatusCode::BAD_REQUEST);
    assert!(nameless.error().1.contains("missing field `name`"));

    let blank = emulator
        .call("POST", "/stores", Some(json!({"name": " "})))
        .await;
    assert_eq!(blank.status, StatusCode::BAD_REQUEST);
    assert!(blank.error().1.starts_with("store_name_empty"));

    let not_json = emulator
        .raw(
            "POST",
            &format!("/client/v4/accounts/{ACCOUNT}/secrets_store/stores"),
            Some("{name:".into()),
            Auth::Token(TOKEN),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert!(not_json.error().1.contains("not valid JSON"));
    assert_eq!(emulator.state.stores().len(), 1);
}

#[tokio::test]
async fn store_listing_orders_and_pages() {
    let emulator = Emulator::with_config(|config| config.max_stores = 5);
    for name in ["b", "c", "a"] {
        emulator.create_store(name).await;
    }
    let default_order = emulator.call("GET", "/stores", None).await;
    assert_eq!(names(&default_order.body), ["a", "c", "b"]);
    let by_name = emulator
        .call("GET", "/stores?order=name&direction=asc", None)
        .await;
    assert_eq!(names(&by_name.body), ["a", "b", "c"]);
    let page_two = emulator
        .call("GET", "/stores?per_page=2&page=2", None)
        .await;
    assert_eq!(names(&page_two.body), ["b"]);
    assert_eq!(
        page_two.body["result_info"],
        json!({"page": 2, "per_page": 2, "count": 1, "total_count": 3, "total_pages": 2})
    );
    let past_end = emulator
        .call("GET", "/stores?per_page=2&page=3", None)
        .await;
    assert_eq!(past_end.status, StatusCode::OK);
    assert_eq!(past_end.body["result"], json!([]));
    let too_big = emulator.call("GET", "/stores?per_page=101", None).await;
    assert_eq!(too_big.status, StatusCode::BAD_REQUEST);
    assert!(
        too_big
            .error()
            .1
            .contains("per_page must be between 1 and 100")
    );
    let bad_order = emulator.call("GET", "/stores?order=status", None).await;
    assert_eq!(bad_order.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn secrets_are_created_in_batches_without_echoing_values() {
    let emulator = Emulator::new();
    let store = emulator.create_store("s").await;
    let reply = emulator
        .call(
            "POST",
            &format!("/stores/{store}/secrets"),
            Some(json!([
                {"name": "API_KEY", "value": "value-one-xyz", "scopes": ["workers", "ai_gateway"], "comment": "first"},
                {"name": "db-pass_2", "value": "value-two-xyz", "scopes": ["dex"]}
            ])),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(!reply.text.contains("value-one-xyz") && !reply.text.contains("value-two-xyz"));
    let created = reply.body["result"].as_array().unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0]["name"], "API_KEY");
    assert_eq!(created[0]["scopes"], json!(["ai_gateway", "workers"]));
    assert_eq!(created[0]["comment"], "first");
    assert_eq!(created[0]["status"], "pending");
    assert_eq!(created[0]["store_id"], store.as_str());
    assert!(created[0].get("value").is_none());
    assert!(created[1].get("comment").is_none());
    assert!(is_hex_id(&created[1]["id"]));
    assert!(is_micro_timestamp(&created[1]["created"]));
    let id = created[0]["id"].as_str().unwrap();
    assert_eq!(
        emulator.state.secret_value_for_test(id).as_deref(),
        Some("value-one-xyz")
    );
    let quota = emulator.call("GET", "/quota", None).await;
    assert_eq!(
        quota.body["result"],
        json!({"secrets": {"quota": 100, "usage": 2}})
    );
    assert_eq!(emulator.state.secrets().len(), 2);
}

#[tokio::test]
async fn a_batch_with_one_bad_secret_creates_nothing() {
    let emulator = Emulator::new();
    let store = emulator.create_store("s").await;
    emulator
        .create_secret(&store, "TAKEN", "v", &["workers"])
        .await;
    let path = format!("/stores/{store}/secrets");
    let cases = [
        (
            json!([{"name": "OK", "value": "v", "scopes": ["workers"]}, {"name": "BAD", "value": "v", "scopes": ["pages"]}]),
            400,
            1001,
            "secret_scope_invalid",
        ),
        (
            json!([{"name": "OK", "value": "v", "scopes": ["workers"]}, {"name": "OK", "value": "v", "scopes": ["workers"]}]),
            409,
            1003,
            "secret_name_already_exists: OK",
        ),
        (
            json!([{"name": "TAKEN", "value": "v", "scopes": ["workers"]}]),
            409,
            1003,
            "secret_name_already_exists: TAKEN",
        ),
        (
            json!([{"name": "", "value": "v", "scopes": ["workers"]}]),
            400,
            1001,
            "secret_name_empty",
        ),
        (
            json!([{"name": "MY KEY", "value": "v", "scopes": ["workers"]}]),
            400,
            1001,
            "secret_name_invalid",
        ),
        (
            json!([{"name": "a.b", "value": "v", "scopes": ["workers"]}]),
            400,
            1001,
            "secret_name_invalid",
        ),
        (
            json!([{"name": "E", "value": "v", "scopes": []}]),
            400,
            1001,
            "secret_scopes_empty",
        ),
        (
            json!([{"name": "E", "scopes": ["workers"]}]),
            400,
            1001,
            "invalid_json_body: missing field `value`",
        ),
        (
            json!({"name": "E", "value": "v", "scopes": ["workers"]}),
            400,
            1001,
            "invalid_json_body",
        ),
        (json!([]), 400, 1001, "invalid_json_body"),
        (
            json!([{"name": "E", "value": "s3cr3t-val", "scopes": "s3cr3t-val"}]),
            400,
            1001,
            "invalid_json_body",
        ),
        (json!(["s3cr3t-val"]), 400, 1001, "invalid_json_body"),
    ];
    for (body, status, code, message) in cases {
        let reply = emulator.call("POST", &path, Some(body.clone())).await;
        assert_eq!(reply.status.as_u16(), status, "{body}: {}", reply.text);
        let (got_code, got_message) = reply.error();
        assert_eq!(got_code, code, "{body}");
        assert!(got_message.starts_with(message), "{body}: {got_message}");
        assert!(!reply.text.contains("s3cr3t-val"), "{}", reply.text);
    }
    assert_eq!(emulator.state.secrets().len(), 1);
}

#[tokio::test]
async fn value_size_limit_counts_bytes() {
    let emulator = Emulator::with_config(|config| config.max_value_bytes = 8);
    let store = emulator.create_store("s").await;
    let path = format!("/stores/{store}/secrets");
    let fits = emulator
        .call(
            "POST",
            &path,
            Some(json!([{"name": "A", "value": "12345678", "scopes": ["workers"]}])),
        )
        .await;
    assert_eq!(fits.status, StatusCode::OK);
    let too_big = emulator
        .call(
            "POST",
            &path,
            Some(json!([{"name": "B", "value": "ééééé", "scopes": ["workers"]}])),
        )
        .await;
    assert_eq!(too_big.status, StatusCode::BAD_REQUEST);
    let (code, message) = too_big.error();
    assert_eq!(code, 1001);
    assert!(
        message.contains("10 bytes") && message.contains("8 bytes"),
        "{message}"
    );
    assert!(!too_big.text.contains("ééééé"));
    let id = fits.body["result"][0]["id"].as_str().unwrap();
    let patch = emulator
        .call(
            "PATCH",
            &format!("{path}/{id}"),
            Some(json!({"value": "123456789"})),
        )
        .await;
    assert_eq!(patch.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        emulator.state.secret_value_for_test(id).as_deref(),
        Some("12345678")
    );
}

#[tokio::test(start_paused = true)]
async fn new_secrets_turn_active_after_the_delay() {
    let emulator =
        Emulator::with_config(|config| config.activation_delay = Duration::from_millis(300));
    let store = emulator.create_store("s").await;
    let secret = emulator.create_secret(&store, "A", "v", &["workers"]).await;
    assert_eq!(secret["status"], "pending");
    let path = format!("/stores/{store}/secrets/{}", secret["id"].as_str().unwrap());
    tokio::time::advance(Duration::from_millis(100)).await;
    assert_eq!(
        emulator.call("GET", &path, None).await.body["result"]["status"],
        "pending"
    );
    tokio::time::advance(Duration::from_millis(250)).await;
    assert_eq!(
        emulator.call("GET", &path, None).await.body["result"]["status"],
        "active"
    );
}

#[tokio::test]
async fn get_secret_and_not_found_cases() {
    let emulator = Emulator::with_config(|config| config.max_stores = 2);
    let store = emulator.create_store("s").await;
    let other = emulator.create_store("t").await;
    let secret = emulator.create_secret(&store, "A", "v", &["workers"]).await;
    let id = secret["id"].as_str().unwrap();
    let fetched = emulator
        .call("GET", &format!("/stores/{store}/secrets/{id}"), None)
        .await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body["result"]["name"], "A");
    for path in [
        format!("/stores/{other}/secrets/{id}"),
        format!("/stores/{store}/secrets/0123456789abcdef0123456789abcdef"),
    ] {
        let reply = emulator.call("GET", &path, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.error(), (1001, "secret_not_found".to_string()));
    }
    let no_store = emulator
        .call(
            "GET",
            "/stores/ffffffffffffffffffffffffffffffff/secrets",
            None,
        )
        .await;
    assert_eq!(no_store.status, StatusCode::NOT_FOUND);
    assert_eq!(no_store.error().1, "store_not_found");
}

#[tokio::test]
async fn patch_changes_value_scopes_comment_and_bumps_modified() {
    let emulator = Emulator::new();
    let store = emulator.create_store("s").await;
    let secret = emulator
        .create_secret(&store, "A", "old-value", &["workers"])
        .await;
    let id = secret["id"].as_str().unwrap();
    let path = format!("/stores/{store}/secrets/{id}");
    let patched = emulator
        .call(
            "PATCH",
            &path,
            Some(json!({"value": "new-value", "scopes": ["workers", "access"], "comment": "note"})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    let result = &patched.body["result"];
    assert_eq!(result["scopes"], json!(["access", "workers"]));
    assert_eq!(result["comment"], "note");
    assert_eq!(result["created"], secret["created"]);
    assert!(result["modified"].as_str().unwrap() > secret["modified"].as_str().unwrap());
    assert!(!patched.text.contains("new-value"));
    assert_eq!(
        emulator.state.secret_value_for_test(id).as_deref(),
        Some("new-value")
    );

    let only_comment = emulator
        .call("PATCH", &path, Some(json!({"comment": ""})))
        .await;
    assert!(only_comment.body["result"].get("comment").is_none());
    assert_eq!(
        only_comment.body["result"]["scopes"],
        json!(["access", "workers"])
    );

    let same_name = emulator
        .call("PATCH", &path, Some(json!({"name": "A"})))
        .await;
    assert_eq!(same_name.status, StatusCode::OK);
    let rename = emulator
        .call("PATCH", &path, Some(json!({"name": "B"})))
        .await;
    assert_eq!(rename.status, StatusCode::BAD_REQUEST);
    assert!(rename.error().1.starts_with("secret_name_immutable"));
    let bad_scope = emulator
        .call("PATCH", &path, Some(json!({"scopes": ["nope"]})))
        .await;
    assert_eq!(bad_scope.status, StatusCode::BAD_REQUEST);
    assert!(bad_scope.error().1.starts_with("secret_scope_invalid"));
    let empty_scopes = emulator
        .call("PATCH", &path, Some(json!({"scopes": []})))
        .await;
    assert!(empty_scopes.error().1.starts_with("secret_scopes_empty"));
    assert_eq!(emulator.state.secrets()[0].scopes, ["access", "workers"]);
    let missing = emulator
        .call(
            "PATCH",
            &format!("/stores/{store}/secrets/{}", "a".repeat(32)),
            Some(json!({})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn single_and_bulk_deletes_answer_202_with_null() {
    let emulator = Emulator::new();
    let store = emulator.create_store("s").await;
    let mut ids = Vec::new();
    for name in ["A", "B", "C"] {
        let secret = emulator
            .create_secret(&store, name, "v", &["workers"])
            .await;
        ids.push(secret["id"].as_str().unwrap().to_string());
    }
    let single = format!("/stores/{store}/secrets/{}", ids[0]);
    let deleted = emulator.call("DELETE", &single, None).await;
    assert_eq!(deleted.status, StatusCode::ACCEPTED);
    assert_eq!(deleted.body["result"], Value::Null);
    let again = emulator.call("DELETE", &single, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.error().1, "secret_not_found");

    let bulk = format!("/stores/{store}/secrets");
    let partial = emulator
        .call("DELETE", &bulk, Some(json!({"ids": [ids[1], ids[0]]})))
        .await;
    assert_eq!(partial.status, StatusCode::NOT_FOUND);
    assert_eq!(
        emulator.state.secrets().len(),
        2,
        "nothing is deleted when an id is unknown"
    );
    let no_body = emulator.call("DELETE", &bulk, None).await;
    assert_eq!(no_body.status, StatusCode::BAD_REQUEST);
    assert!(no_body.error().1.starts_with("invalid_json_body"));
    let both = emulator
        .call("DELETE", &bulk, Some(json!({"ids": [ids[1], ids[2]]})))
        .await;
    assert_eq!(both.status, StatusCode::ACCEPTED);
    assert_eq!(both.body["result"], Value::Null);
    assert!(emulator.state.secrets().is_empty());
}

/// Three secrets in a fresh store of an emulator whose bulk delete takes `shape`.
async fn three_secrets(shape: BulkDeleteBody) -> (Emulator, String, Vec<String>) {
    let emulator = Emulator::with_config(|config| config.bulk_delete_body = shape);
    let store = emulator.create_store("s").await;
    let mut ids = Vec::new();
    for name in ["A", "B", "C"] {
        let secret = emulator
            .create_secret(&store, name, "v", &["workers"])
            .await;
        ids.push(secret["id"].as_str().unwrap().to_string());
    }
    (emulator, store, ids)
}

#[tokio::test]
async fn the_bulk_delete_takes_ids_by_default_and_refuses_the_array_of_objects() {
    let (emulator, store, ids) = three_secrets(BulkDeleteBody::default()).await;
    assert_eq!(
        emulator.state.config().bulk_delete_body,
        BulkDeleteBody::Ids
    );
    let bulk = format!("/stores/{store}/secrets");
    let objects = json!([{"id": ids[0]}, {"id": ids[1]}]);
    let refused = emulator.call("DELETE", &bulk, Some(objects)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.error().0, 1001);
    assert!(
        refused
            .error()
            .1
            .starts_with("invalid_json_body: got an array"),
        "{}",
        refused.text
    );
    assert_eq!(emulator.state.secrets().len(), 3, "nothing was deleted");
    let deleted = emulator
        .call("DELETE", &bulk, Some(json!({"ids": [ids[0], ids[1]]})))
        .await;
    assert_eq!(deleted.status, StatusCode::ACCEPTED);
    let left: Vec<String> = emulator.state.secrets().into_iter().map(|s| s.id).collect();
    assert_eq!(left, [ids[2].clone()]);
}

#[tokio::test]
async fn in_objects_mode_the_bulk_delete_takes_only_the_array_of_objects() {
    let (emulator, store, ids) = three_secrets(BulkDeleteBody::Objects).await;
    let bulk = format!("/stores/{store}/secrets");
    let refused = emulator
        .call("DELETE", &bulk, Some(json!({"ids": [ids[0], ids[1]]})))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.error().0, 1001);
    assert!(
        refused
            .error()
            .1
            .starts_with("invalid_json_body: got an object"),
        "{}",
        refused.text
    );
    let no_body = emulator.call("DELETE", &bulk, None).await;
    assert_eq!(no_body.status, StatusCode::BAD_REQUEST);
    let bare_ids = emulator
        .call("DELETE", &bulk, Some(json!([ids[0], ids[1]])))
        .await;
    assert_eq!(
        bare_ids.status,
        StatusCode::BAD_REQUEST,
        "{}",
        bare_ids.text
    );
    assert_eq!(emulator.state.secrets().len(), 3, "nothing was deleted");

    // Unknown ids follow the batch mode as in the other shape: refused whole by default.
    let unknown = json!([{"id": ids[0]}, {"id": "f".repeat(32)}]);
    let partial = emulator.call("DELETE", &bulk, Some(unknown)).await;
    assert_eq!(partial.status, StatusCode::NOT_FOUND);
    assert_eq!(emulator.state.secrets().len(), 3);
    let deleted = emulator
        .call(
            "DELETE",
            &bulk,
            Some(json!([{"id": ids[0]}, {"id": ids[1]}])),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::ACCEPTED);
    assert_eq!(deleted.body["result"], Value::Null);
    let left: Vec<String> = emulator.state.secrets().into_iter().map(|s| s.id).collect();
    assert_eq!(left, [ids[2].clone()]);
    // The single-secret DELETE is the same in both generations.
    let single = format!("/stores/{store}/secrets/{}", ids[2]);
    assert_eq!(
        emulator.call("DELETE", &single, None).await.status,
        StatusCode::ACCEPTED
    );
    assert!(emulator.state.secrets().is_empty());
}

#[tokio::test]
async fn a_duplicate_name_answers_409_or_the_configured_400_with_code_1003() {
    for (setting, status) in [
        (NameConflictStatus::default(), StatusCode::CONFLICT),
        (NameConflictStatus::BadRequest, StatusCode::BAD_REQUEST),
    ] {
        let emulator = Emulator::with_config(|config| config.name_conflict_status = setting);
        let store = emulator.create_store("s").await;
        let taken = emulator
            .create_secret(&store, "TAKEN", "v", &["workers"])
            .await;
        let secrets = format!("/stores/{store}/secrets");
        let new = |name: &str| json!({"name": name, "value": "v", "scopes": ["workers"]});
        let duplicate = format!(
            "/stores/{store}/secrets/{}/duplicate",
            taken["id"].as_str().unwrap()
        );
        let refusals = [
            ("POST", secrets.as_str(), json!([new("TAKEN")]), "TAKEN"),
            (
                "POST",
                secrets.as_str(),
                json!([new("TWICE"), new("TWICE")]),
                "TWICE",
            ),
            (
                "POST",
                duplicate.as_str(),
                json!({"name": "TAKEN", "scopes": ["workers"]}),
                "TAKEN",
            ),
        ];
        for (method, path, body, name) in refusals {
            let reply = emulator.call(method, path, Some(body)).await;
            assert_eq!(reply.status, status, "{setting:?} {path}: {}", reply.text);
            assert_eq!(
                reply.error(),
                (1003, format!("secret_name_already_exists: {name}")),
                "{setting:?}"
            );
        }
        assert_eq!(emulator.state.secrets().len(), 1, "{setting:?}");
    }
}

#[tokio::test]
async fn duplicate_copies_the_value_under_a_new_name() {
    let emulator = Emulator::new();
    let store = emulator.create_store("s").await;
    let source = emulator
        .create_secret(&store, "ORIGINAL", "shared-value", &["workers"])
        .await;
    let path = format!(
        "/stores/{store}/secrets/{}/duplicate",
        source["id"].as_str().unwrap()
    );
    let copy = emulator
        .call(
            "POST",
            &path,
            Some(json!({"name": "COPY", "scopes": ["dex", "access"], "comment": "c"})),
        )
        .await;
    assert_eq!(copy.status, StatusCode::OK, "{}", copy.text);
    let result = &copy.body["result"];
    assert_ne!(result["id"], source["id"]);
    assert_eq!(result["name"], "COPY");
    assert_eq!(result["scopes"], json!(["access", "dex"]));
    assert_eq!(result["comment"], "c");
    assert_eq!(
        emulator
            .state
            .secret_value_for_test(result["id"].as_str().unwrap())
            .as_deref(),
        Some("shared-value")
    );
    let taken = emulator
        .call(
            "POST",
            &path,
            Some(json!({"name": "COPY", "scopes": ["dex"]})),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(
        taken.error(),
        (1003, "secret_name_already_exists: COPY".to_string())
    );
    let no_scopes = emulator
        .call("POST", &path, Some(json!({"name": "X"})))
        .await;
    assert_eq!(no_scopes.status, StatusCode::BAD_REQUEST);
    let unknown = emulator
        .call(
            "POST",
            &format!("/stores/{store}/secrets/{}/duplicate", "b".repeat(32)),
            Some(json!({"name": "Y", "scopes": ["dex"]})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(emulator.state.secrets().len(), 2);
}

#[tokio::test]
async fn store_delete_needs_force_when_not_empty() {
    let emulator = Emulator::new();
    let store = emulator.create_store("s").await;
    emulator.create_secret(&store, "A", "v", &["workers"]).await;
    let refused = emulator
        .call("DELETE", &format!("/stores/{store}"), None)
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.error().1.starts_with("store_not_empty"));
    let bad_force = emulator
        .call("DELETE", &format!("/stores/{store}?force=maybe"), None)
        .await;
    assert_eq!(bad_force.status, StatusCode::BAD_REQUEST);
    let forced = emulator
        .call("DELETE", &format!("/stores/{store}?force=true"), None)
        .await;
    assert_eq!(forced.status, StatusCode::OK);
    assert!(emulator.state.stores().is_empty());
    assert!(emulator.state.secrets().is_empty());
    let recreated = emulator
        .call("POST", "/stores", Some(json!({"name": "again"})))
        .await;
    assert_eq!(
        recreated.status,
        StatusCode::OK,
        "the store slot is free again"
    );
}

#[tokio::test]
async fn the_secrets_quota_is_enforced_and_reported() {
    let emulator = Emulator::with_config(|config| config.max_secrets = 2);
    let store = emulator.create_store("s").await;
    let path = format!("/stores/{store}/secrets");
    let three = emulator
        .call(
            "POST",
            &path,
            Some(json!([
                {"name": "A", "value": "v", "scopes": ["workers"]},
                {"name": "B", "value": "v", "scopes": ["workers"]},
                {"name": "C", "value": "v", "scopes": ["workers"]}
            ])),
        )
        .await;
    assert_eq!(three.status, StatusCode::BAD_REQUEST);
    assert_eq!(three.error().0, 1003);
    assert!(three.error().1.starts_with("maximum_secrets_exceeded"));
    assert!(emulator.state.secrets().is_empty());
    let first = emulator.create_secret(&store, "A", "v", &["workers"]).await;
    emulator.create_secret(&store, "B", "v", &["workers"]).await;
    let over = emulator
        .call(
            "POST",
            &path,
            Some(json!([{"name": "C", "value": "v", "scopes": ["workers"]}])),
        )
        .await;
    assert!(over.error().1.starts_with("maximum_secrets_exceeded"));
    let duplicate = emulator
        .call(
            "POST",
            &format!("{path}/{}/duplicate", first["id"].as_str().unwrap()),
            Some(json!({"name": "D", "scopes": ["workers"]})),
        )
        .await;
    assert!(duplicate.error().1.starts_with("maximum_secrets_exceeded"));
    let quota = emulator.call("GET", "/quota", None).await;
    assert_eq!(quota.status, StatusCode::OK);
    assert_eq!(
        quota.body["result"],
        json!({"secrets": {"quota": 2, "usage": 2}})
    );
}

#[tokio::test]
async fn secret_listing_searches_filters_orders_and_pages() {
    let emulator = Emulator::new();
    let store = emulator.create_store("s").await;
    let path = format!("/stores/{store}/secrets");
    let reply = emulator
        .call(
            "POST",
            &path,
            Some(json!([
                {"name": "alpha", "value": "v", "scopes": ["workers"], "comment": "Payment KEY"},
                {"name": "Bravo_key", "value": "v", "scopes": ["workers", "dex"]},
                {"name": "charlie", "value": "v", "scopes": ["dex"], "comment": "zzz"}
            ])),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let list = |query: &str| {
        let path = format!("{path}{query}");
        let emulator = &emulator;
        async move { emulator.call("GET", &path, None).await }
    };
    assert_eq!(
        names(&list("").await.body),
        ["charlie", "Bravo_key", "alpha"]
    );
    assert_eq!(
        names(&list("?direction=asc").await.body),
        ["alpha", "Bravo_key", "charlie"]
    );
    assert_eq!(
        names(&list("?order=name&direction=asc").await.body),
        ["Bravo_key", "alpha", "charlie"]
    );
    assert_eq!(
        names(&list("?order=comment&direction=asc").await.body),
        ["Bravo_key", "alpha", "charlie"]
    );
    assert_eq!(
        names(&list("?order=status").await.body),
        ["charlie", "Bravo_key", "alpha"]
    );
    assert_eq!(
        names(&list("?search=KEY").await.body),
        ["Bravo_key", "alpha"]
    );
    assert_eq!(names(&list("?search=zz").await.body), ["charlie"]);
    assert_eq!(
        names(&list("?scopes=dex").await.body),
        ["charlie", "Bravo_key"]
    );
    assert_eq!(
        names(&list("?scopes=dex,workers").await.body),
        ["Bravo_key"]
    );
    let paged = list("?per_page=2&page=2&direction=asc").await;
    assert_eq!(names(&paged.body), ["charlie"]);
    assert_eq!(
        paged.body["result_info"],
        json!({"page": 2, "per_page": 2, "count": 1, "total_count": 3, "total_pages": 2})
    );
    assert_eq!(list("?per_page=2&page=5").await.body["result"], json!([]));
    assert_eq!(list("?per_page=500").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(list("?scopes=pages").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        list("?direction=sideways").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn authentication_failures_use_the_documented_codes() {
    let emulator = Emulator::with_config(|config| {
        config.api_key = Some(("me@example.com".into(), "legacy-key".into()));
    });
    let uri = format!("/client/v4/accounts/{ACCOUNT}/secrets_store/quota");
    let none = emulator.raw("GET", &uri, None, Auth::Nothing).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert_eq!(none.error().0, 9106);

    let malformed = emulator
        .raw(
            "GET",
            &uri,
            None,
            Auth::Header("authorization", "Basic abc"),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        malformed.error(),
        (6003, "Invalid request headers".to_string())
    );
    assert_eq!(malformed.body["errors"][0]["error_chain"][0]["code"], 6111);

    let wrong = emulator
        .raw("GET", &uri, None, Auth::Token("not-the-token"))
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(wrong.error(), (10000, "Authentication error".to_string()));
    assert!(!wrong.text.contains("not-the-token"));

    let key_ok = emulator
        .raw(
            "GET",
            &uri,
            None,
            Auth::KeyPair("me@example.com", "legacy-key"),
        )
        .await;
    assert_eq!(key_ok.status, StatusCode::OK);
    let key_wrong = emulator
        .raw("GET", &uri, None, Auth::KeyPair("me@example.com", "other"))
        .await;
    assert_eq!(key_wrong.status, StatusCode::FORBIDDEN);
    let key_only = emulator
        .raw("GET", &uri, None, Auth::Header("x-auth-key", "legacy-key"))
        .await;
    assert_eq!(key_only.status, StatusCode::BAD_REQUEST);
    assert_eq!(key_only.error().0, 6003);

    let statuses: Vec<u16> = emulator
        .state
        .request_log()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [400, 400, 403, 200, 403, 400]);
    assert!(emulator.state.stores().is_empty());
}

#[tokio::test]
async fn unknown_accounts_routes_and_methods_are_errors() {
    let emulator = Emulator::new();
    let other_account = emulator
        .raw(
            "GET",
            "/client/v4/accounts/ffffffffffffffffffffffffffffffff/secrets_store/stores",
            None,
            Auth::Token(TOKEN),
        )
        .await;
    assert_eq!(other_account.status, StatusCode::NOT_FOUND);
    assert_eq!(other_account.error().0, 7003);
    let other_create = emulator
        .raw(
            "POST",
            "/client/v4/accounts/ffffffffffffffffffffffffffffffff/secrets_store/stores",
            Some(json!({"name": "x"}).to_string()),
            Auth::Token(TOKEN),
        )
        .await;
    assert_eq!(other_create.status, StatusCode::NOT_FOUND);
    assert!(emulator.state.stores().is_empty());

    let no_route = emulator
        .raw(
            "GET",
            "/client/v4/accounts/x/workers/scripts",
            None,
            Auth::Token(TOKEN),
        )
        .await;
    assert_eq!(no_route.status, StatusCode::NOT_FOUND);
    assert_eq!(no_route.error().0, 7003);
    let wrong_method = emulator.call("PUT", "/stores", Some(json!({}))).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.error().0, 7001);
}

#[tokio::test]
async fn the_request_log_records_requests_but_never_bodies() {
    let emulator = Emulator::new();
    let store = emulator.create_store("s").await;
    emulator
        .create_secret(&store, "A", "very-secret-value", &["workers"])
        .await;
    emulator
        .call("GET", &format!("/stores/{store}/secrets?per_page=5"), None)
        .await;
    let log = emulator.state.request_log();
    assert_eq!(emulator.state.request_count(), 3);
    assert_eq!(log[0].method, "POST");
    assert_eq!(
        log[0].path,
        format!("/client/v4/accounts/{ACCOUNT}/secrets_store/stores")
    );
    assert_eq!(log[0].status, 200);
    assert_eq!(log[2].query.as_deref(), Some("per_page=5"));
    assert!(log.iter().all(|record| !record.response_dropped));
    let shown = format!("{log:?}{:?}", emulator.state.secrets());
    assert!(!shown.contains("very-secret-value"));
    assert!(!shown.contains(TOKEN));
    emulator.state.clear_request_log();
    assert_eq!(emulator.state.request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_never_exceed_the_quota() {
    let emulator = std::sync::Arc::new(Emulator::with_config(|config| config.max_secrets = 5));
    let store = emulator.create_store("s").await;
    let tasks: Vec<_> = (0..12)
        .map(|index| {
            let emulator = emulator.clone();
            let path = format!("/stores/{store}/secrets");
            tokio::spawn(async move {
                let body =
                    json!([{"name": format!("S{index}"), "value": "v", "scopes": ["workers"]}]);
                emulator.call("POST", &path, Some(body)).await.status
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            StatusCode::OK => created += 1,
            StatusCode::BAD_REQUEST => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(created, 5);
    assert_eq!(emulator.state.secrets().len(), 5);
}

#[tokio::test]
async fn store_create_also_takes_the_older_one_element_array() {
    let emulator = Emulator::new();
    let reply = emulator
        .call("POST", "/stores", Some(json!([{"name": "legacy"}])))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let store = &reply.body["result"];
    assert!(
        store.is_object(),
        "one store, as for the object form: {store}"
    );
    assert_eq!(store["name"], "legacy");
    let stores = emulator.state.stores();
    assert_eq!(stores.len(), 1);
    assert_eq!(store["id"], stores[0].id.as_str());
    let fetched = emulator
        .call("GET", &format!("/stores/{}", stores[0].id), None)
        .await;
    assert_eq!(&fetched.body["result"], store);
}

#[tokio::test]
async fn store_create_refuses_an_array_of_any_other_length() {
    let emulator = Emulator::with_config(|config| config.max_stores = 5);
    let cases = [
        (
            json!([{"name": "a"}, {"name": "b"}]),
            "got an array of 2 stores",
        ),
        (json!([]), "got an array of 0 stores"),
        (json!([{}]), "missing field `name`"),
    ];
    for (body, expected) in cases {
        let reply = emulator.call("POST", "/stores", Some(body.clone())).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        let (code, message) = reply.error();
        assert_eq!(code, 1001, "{body}");
        assert!(message.starts_with("invalid_json_body: "), "{message}");
        assert!(message.contains(expected), "{body}: {message}");
    }
    assert!(emulator.state.stores().is_empty());
}
