//! The client against the emulator over a real socket: every endpoint and its error paths.

mod client_support;

use api_emulator::EmulatorConfig;
use client_support::{
    ACCOUNT, Harness, create_all, create_concurrently, delete_all, names, new_secret,
};
use cloudflare_api::{
    Credentials, Error, ErrorKind, ListSecretsParams, NewSecret, Secret, SecretPatch, SecretStatus,
};
use secrecy::SecretString;

#[tokio::test]
async fn store_lifecycle_and_one_store_limit() {
    let h = Harness::start().await;
    assert!(h.client.list_stores(ACCOUNT).await.unwrap().is_empty());

    let store = h.client.create_store(ACCOUNT, "team_keys").await.unwrap();
    assert_eq!(store.name, "team_keys");
    assert_eq!(store.id.len(), 32);
    assert_eq!(store.account_id.as_deref(), Some(ACCOUNT));

    let listed = h.client.list_stores(ACCOUNT).await.unwrap();
    assert_eq!(listed, vec![store.clone()]);
    assert_eq!(h.client.get_store(ACCOUNT, &store.id).await.unwrap(), store);

    let second = h.client.create_store(ACCOUNT, "other").await.unwrap_err();
    assert_eq!(second.kind(), ErrorKind::MaxStoresExceeded, "{second}");
    assert_eq!(h.state.stores().len(), 1);

    h.client
        .delete_store(ACCOUNT, &store.id, false)
        .await
        .unwrap();
    let gone = h.client.get_store(ACCOUNT, &store.id).await.unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound, "{gone}");
    let again = h
        .client
        .delete_store(ACCOUNT, &store.id, false)
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::NotFound, "{again}");
}

#[tokio::test]
async fn deleting_a_non_empty_store_needs_force() {
    let h = Harness::start().await;
    let store = h.store().await;
    h.client
        .create_secret(ACCOUNT, &store, new_secret("A", "a"))
        .await
        .unwrap();

    let err = h
        .client
        .delete_store(ACCOUNT, &store, false)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StoreNotEmpty, "{err}");
    assert_eq!(err.status(), Some(409));
    assert_eq!(h.state.secrets().len(), 1);

    h.client.delete_store(ACCOUNT, &store, true).await.unwrap();
    assert!(h.state.stores().is_empty());
    assert!(h.state.secrets().is_empty());
}

#[tokio::test]
async fn secret_create_get_patch_delete() {
    let h = Harness::start().await;
    let store = h.store().await;
    let created = h
        .client
        .create_secret(
            ACCOUNT,
            &store,
            NewSecret {
                name: "API_KEY".into(),
                value: SecretString::from("first-value"),
                scopes: vec!["workers".into(), "ai_gateway".into()],
                comment: Some("for the api".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(created.name, "API_KEY");
    assert_eq!(created.store_id, store);
    assert_eq!(
        created.scopes.as_deref(),
        Some(&["ai_gateway".to_string(), "workers".to_string()][..])
    );
    assert_eq!(created.comment.as_deref(), Some("for the api"));
    assert!(matches!(
        created.status,
        SecretStatus::Pending | SecretStatus::Active
    ));
    assert_eq!(
        h.state.secret_value_for_test(&created.id).as_deref(),
        Some("first-value")
    );

    let fetched = h
        .client
        .get_secret(ACCOUNT, &store, &created.id)
        .await
        .unwrap();
    assert_eq!(fetched.id, created.id);
    assert_eq!(fetched.name, "API_KEY");

    let patched = h
        .client
        .patch_secret(
            ACCOUNT,
            &store,
            &created.id,
            SecretPatch {
                value: Some(SecretString::from("second-value")),
                scopes: Some(vec!["workers".into()]),
                comment: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        patched.scopes.as_deref(),
        Some(&["workers".to_string()][..])
    );
    assert_eq!(patched.comment.as_deref(), Some("for the api"));
    assert_eq!(
        h.state.secret_value_for_test(&created.id).as_deref(),
        Some("second-value")
    );

    let cleared = h
        .client
        .patch_secret(
            ACCOUNT,
            &store,
            &created.id,
            SecretPatch {
                comment: Some(String::new()),
                ..SecretPatch::default()
            },
        )
        .await
        .unwrap();
    assert!(cleared.comment.as_deref().unwrap_or("").is_empty());
    assert_eq!(
        h.state.secret_value_for_test(&created.id).as_deref(),
        Some("second-value"),
        "a patch without a value keeps the value"
    );

    h.client
        .delete_secret(ACCOUNT, &store, &created.id)
        .await
        .unwrap();
    let gone = h
        .client
        .get_secret(ACCOUNT, &store, &created.id)
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound, "{gone}");
    // A secret already gone counts as deleted.
    h.client
        .delete_secret(ACCOUNT, &store, &created.id)
        .await
        .expect("deleting a secret that is gone succeeds");
}

#[tokio::test]
async fn secrets_become_active_after_the_delay() {
    // The emulator's delay runs on the tokio clock: pending however slow the requests are, until
    // the test moves the clock past it.
    let delay = std::time::Duration::from_secs(3600);
    let mut config = EmulatorConfig::new(ACCOUNT, client_support::TOKEN);
    config.activation_delay = delay;
    let h = Harness::start_with(config, |_| {}).await;
    let store = h.store().await;
    let created = h
        .client
        .create_secret(ACCOUNT, &store, new_secret("S", "v"))
        .await
        .unwrap();
    assert_eq!(created.status, SecretStatus::Pending);
    let fetch = || h.client.get_secret(ACCOUNT, &store, &created.id);
    assert_eq!(fetch().await.unwrap().status, SecretStatus::Pending);
    client_support::clock::jump(delay).await;
    assert_eq!(fetch().await.unwrap().status, SecretStatus::Active);
}

#[tokio::test]
async fn name_conflicts_and_validation_errors_are_not_retried() {
    let h = Harness::start().await;
    let store = h.store().await;
    h.client
        .create_secret(ACCOUNT, &store, new_secret("DUP", "a"))
        .await
        .unwrap();
    h.state.clear_request_log();

    let err = h
        .client
        .create_secret(ACCOUNT, &store, new_secret("DUP", "b"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NameConflict, "{err}");
    assert_eq!(h.log_lines().len(), 1, "a 4xx is answered once");

    h.state.clear_request_log();
    let mut bad = new_secret("NO_SCOPES", "v");
    bad.scopes.clear();
    let err = h
        .client
        .create_secret(ACCOUNT, &store, bad)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    assert_eq!(err.kind(), ErrorKind::Refused, "{err}");
    assert_eq!(h.log_lines().len(), 1);
    assert_eq!(h.state.secrets().len(), 1);
}

#[tokio::test]
async fn concurrent_creates_list_and_deletes() {
    let h = Harness::start().await;
    let store = h.store().await;
    let wanted = ["ONE", "TWO", "THREE"].map(String::from);
    let created: Vec<Secret> = create_all(&h.client, &store, &wanted)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let names: Vec<_> = created.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["ONE", "TWO", "THREE"]);

    let listed = h
        .client
        .list_secrets(
            ACCOUNT,
            &store,
            &ListSecretsParams {
                order: Some("name".into()),
                direction: Some("asc".into()),
                ..ListSecretsParams::default()
            },
        )
        .await
        .unwrap();
    let names: Vec<_> = listed.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["ONE", "THREE", "TWO"]);

    let ids: Vec<String> = created[..2].iter().map(|s| s.id.clone()).collect();
    let deleted = delete_all(&h.client, &store, &ids).await;
    assert!(deleted.iter().all(Result::is_ok), "{deleted:?}");
    let left = h
        .client
        .list_secrets(ACCOUNT, &store, &ListSecretsParams::default())
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].name, "THREE");
}

#[tokio::test]
async fn listing_follows_every_page() {
    let h = Harness::start().await;
    let store = h.store().await;
    let created = create_all(&h.client, &store, &names("S", 25)).await;
    assert!(created.iter().all(Result::is_ok), "{created:?}");
    h.state.clear_request_log();

    let listed = h
        .client
        .list_secrets(
            ACCOUNT,
            &store,
            &ListSecretsParams {
                per_page: Some(10),
                order: Some("name".into()),
                direction: Some("desc".into()),
                ..ListSecretsParams::default()
            },
        )
        .await
        .unwrap();
    let names: Vec<_> = listed.iter().map(|s| s.name.clone()).collect();
    let expected: Vec<_> = (0..25).rev().map(|i| format!("S_{i:02}")).collect();
    assert_eq!(names, expected);
    let pages: Vec<_> = h
        .state
        .request_log()
        .iter()
        .map(|r| r.query.clone().unwrap_or_default())
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages.iter().all(|q| q.contains("per_page=10")), "{pages:?}");
    assert!(pages[2].contains("page=3"), "{pages:?}");
}

#[tokio::test]
async fn find_by_name_is_exact_and_searches_every_page() {
    let mut config = EmulatorConfig::new(ACCOUNT, client_support::TOKEN);
    config.max_secrets = 300;
    let h = Harness::start_with(config, |_| {}).await;
    let store = h.store().await;
    // Created first, so the default order (created, desc) puts it on the last page.
    let wanted = h
        .client
        .create_secret(ACCOUNT, &store, new_secret("KEY", "v"))
        .await
        .unwrap();
    let mut similar: Vec<NewSecret> = (0..120)
        .map(|i| new_secret(&format!("KEY_{i:03}"), "v"))
        .collect();
    let mut commented = new_secret("OTHER", "v");
    commented.comment = Some("mentions KEY".into());
    similar.push(commented);
    let created = create_concurrently(&h.client, &store, similar).await;
    assert!(created.iter().all(Result::is_ok), "{created:?}");
    h.state.clear_request_log();

    let found = h
        .client
        .find_secret_by_name(ACCOUNT, &store, "KEY")
        .await
        .unwrap()
        .expect("KEY exists");
    assert_eq!(found.id, wanted.id);
    assert!(h.state.request_count() >= 2, "the match is on a later page");

    let found = h
        .client
        .find_secret_by_name(ACCOUNT, &store, "KEY_007")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.name, "KEY_007");
    assert_eq!(
        h.client
            .find_secret_by_name(ACCOUNT, &store, "KE")
            .await
            .unwrap(),
        None,
        "a substring is not a match"
    );
    assert_eq!(
        h.client
            .find_secret_by_name(ACCOUNT, &store, "NOPE")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn quota_reports_usage() {
    let h = Harness::start().await;
    let store = h.store().await;
    let before = h.client.quota(ACCOUNT).await.unwrap();
    assert_eq!(before.quota, 100);
    assert_eq!(before.usage, 0);
    let created = create_all(&h.client, &store, &["A", "B"].map(String::from)).await;
    assert!(created.iter().all(Result::is_ok), "{created:?}");
    assert_eq!(h.client.quota(ACCOUNT).await.unwrap().usage, 2);
}

#[tokio::test]
async fn unknown_store_and_account_are_errors() {
    let h = Harness::start().await;
    let err = h
        .client
        .list_secrets(
            ACCOUNT,
            "ffffffffffffffffffffffffffffffff",
            &ListSecretsParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let err = h.client.list_stores("not-the-account").await.unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::NoRoute, "{err}");
    assert_eq!(h.state.request_count(), 2, "neither is retried");
}

#[tokio::test]
async fn bad_credentials_are_auth_errors_and_legacy_keys_work() {
    let mut config = EmulatorConfig::new(ACCOUNT, client_support::TOKEN);
    config.api_key = Some(("ops@example.com".into(), "legacy-key-123".into()));
    let h = Harness::start_with(config, |_| {}).await;

    let wrong = h.client_with(|c| {
        c.credentials = Credentials::ApiToken(SecretString::from("wrong-token"));
    });
    let err = wrong.list_stores(ACCOUNT).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth, "{err}");
    assert_eq!(h.state.request_count(), 1, "auth errors are not retried");

    let legacy = h.client_with(|c| {
        c.credentials = Credentials::ApiKey {
            email: "ops@example.com".into(),
            key: SecretString::from("legacy-key-123"),
        };
    });
    assert!(legacy.list_stores(ACCOUNT).await.unwrap().is_empty());
}
