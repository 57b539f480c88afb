//! Unit tests of provider settings: env fallback, validation, unknown configuration and
//! missing credentials.

use std::collections::HashMap;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::settings::parse_duration;
use super::*;
use cloudflare_api::check_base_url;
use tfplugin::{AttributePath, Severity, Value};

fn config(pairs: &[(&str, Value)]) -> Value {
    let mut object = Value::object(
        provider_schema()
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null)),
    );
    for (name, value) in pairs {
        object.set(name, value.clone());
    }
    object
}

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn configure(cfg: &Value, env_pairs: &[(&str, &str)]) -> ConfigureResponse<Service> {
    CloudflareProvider.configure_with_env(cfg, &env(env_pairs))
}

#[test]
fn schema_marks_credentials_sensitive_and_everything_optional() {
    let schema = provider_schema();
    for attribute in &schema.block.attributes {
        assert!(
            attribute.optional && !attribute.required,
            "{}",
            attribute.name
        );
    }
    assert!(schema.attribute("api_token").unwrap().sensitive);
    assert!(schema.attribute("api_key").unwrap().sensitive);
    assert!(schema.attribute("secret_activation_timeout").is_some());
}

#[test]
fn both_token_and_key_is_a_validate_error_at_api_key() {
    let cfg = config(&[
        ("api_token", Value::string("t")),
        ("api_key", Value::string("k")),
    ]);
    let resp = CloudflareProvider.validate_config(ValidateConfigRequest {
        config: cfg,
        client_capabilities: Default::default(),
    });
    let diag = &resp.diagnostics.as_slice()[0];
    assert_eq!(diag.severity, Severity::Error);
    assert_eq!(diag.path, Some(AttributePath::root("api_key")));
}

#[test]
fn unknown_credentials_do_not_conflict_at_validate_time() {
    let cfg = config(&[("api_token", Value::unknown()), ("api_key", Value::Null)]);
    let resp = CloudflareProvider.validate_config(ValidateConfigRequest {
        config: cfg,
        client_capabilities: Default::default(),
    });
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
}

#[test]
fn plain_http_is_only_for_loopback() {
    assert!(check_base_url("https://api.cloudflare.com/client/v4").is_ok());
    assert!(check_base_url("http://127.0.0.1:8787/client/v4").is_ok());
    assert!(check_base_url("http://localhost:1/client/v4").is_ok());
    assert!(check_base_url("http://[::1]:8787/client/v4").is_ok());
    // The same loopback rule as the client's (which accepts *.localhost too).
    assert!(check_base_url("http://emulator.localhost:8787/client/v4").is_ok());
    assert!(check_base_url("http://localhost.example.com/client/v4").is_err());
    assert!(check_base_url("http://example.com/client/v4").is_err());
    assert!(check_base_url("ftp://127.0.0.1/").is_err());
    assert!(check_base_url("not a url").is_err());
    assert!(check_base_url("https://user:pw@example.com/").is_err());
}

#[test]
fn base_url_with_credentials_is_refused_without_echoing_them() {
    let url = "https://admin:hunter2-pw@api.example.com/client/v4";
    for (cfg, env_pairs) in [
        (config(&[("base_url", Value::string(url))]), vec![]),
        (config(&[]), vec![("CLOUDFLARE_BASE_URL", url)]),
    ] {
        let resp = configure(&cfg, &env_pairs);
        assert!(resp.data.is_none());
        let diag = &resp.diagnostics.as_slice()[0];
        assert!(diag.detail.contains("credentials"), "{}", diag.detail);
        assert!(diag.detail.contains("api.example.com"), "{}", diag.detail);
        assert!(!diag.detail.contains("hunter2-pw"), "{}", diag.detail);
        assert!(!diag.detail.contains("admin"), "{}", diag.detail);
    }
}

#[test]
fn bad_base_url_from_env_names_the_variable() {
    let resp = configure(
        &config(&[]),
        &[("CLOUDFLARE_BASE_URL", "http://example.com/client/v4")],
    );
    assert!(resp.data.is_none());
    let diag = &resp.diagnostics.as_slice()[0];
    assert!(
        diag.detail.contains("CLOUDFLARE_BASE_URL"),
        "{}",
        diag.detail
    );
    assert_eq!(diag.path, Some(AttributePath::root("base_url")));
}

#[test]
fn durations_parse_with_units() {
    assert_eq!(parse_duration("60s"), Some(Duration::from_secs(60)));
    assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
    assert_eq!(parse_duration("1m30s"), Some(Duration::from_secs(90)));
    assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
    assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
    for bad in ["", "60", "s", "-1s", "1d", "1.5.2s"] {
        assert_eq!(parse_duration(bad), None, "{bad}");
    }
}

#[test]
fn invalid_activation_timeout_is_an_error_at_its_path() {
    let resp = configure(
        &config(&[("secret_activation_timeout", Value::string("soon"))]),
        &[],
    );
    let diag = &resp.diagnostics.as_slice()[0];
    assert_eq!(
        diag.path,
        Some(AttributePath::root("secret_activation_timeout"))
    );
    assert!(diag.detail.contains("\"soon\""));
}

#[test]
fn durations_too_large_to_add_up_are_invalid_not_a_panic() {
    let huge = "5000000000000000000s".repeat(4);
    assert_eq!(parse_duration(&huge), None);
}

#[test]
fn activation_timeout_beyond_a_day_is_an_error_at_its_path() {
    for (config_value, env_value) in [(Some("100000000000h"), None), (None, Some("25h"))] {
        let cfg = config(&[(
            "secret_activation_timeout",
            config_value.map_or(Value::Null, Value::string),
        )]);
        let env_pairs: Vec<(&str, &str)> = env_value
            .map(|v| ("CLOUDFLARE_SECRET_ACTIVATION_TIMEOUT", v))
            .into_iter()
            .collect();
        let resp = configure(&cfg, &env_pairs);
        assert!(resp.data.is_none());
        let diag = &resp.diagnostics.as_slice()[0];
        assert_eq!(
            diag.path,
            Some(AttributePath::root("secret_activation_timeout"))
        );
        assert!(diag.detail.contains("24h"), "{}", diag.detail);
    }
    let day = configure(
        &config(&[("secret_activation_timeout", Value::string("24h"))]),
        &[],
    );
    assert!(!day.diagnostics.has_errors());
}

#[test]
fn activation_timeout_comes_from_env_when_unset() {
    let resp = configure(
        &config(&[]),
        &[("CLOUDFLARE_SECRET_ACTIVATION_TIMEOUT", "5s")],
    );
    let data = resp.data.expect("configured");
    assert_eq!(data.activation_timeout(), Duration::from_secs(5));
}

#[test]
fn missing_credentials_configure_fine_and_fail_only_on_use() {
    let resp = configure(&config(&[]), &[]);
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let data = resp.data.expect("configured");
    let diag = data
        .client_for(&CancellationToken::new())
        .expect_err("no client");
    assert!(
        diag.detail.contains("CLOUDFLARE_API_TOKEN"),
        "{}",
        diag.detail
    );
    assert!(
        diag.detail.contains("CLOUDFLARE_API_KEY"),
        "{}",
        diag.detail
    );
    assert!(diag.detail.contains("CLOUDFLARE_EMAIL"), "{}", diag.detail);
}

#[test]
fn missing_credentials_are_explained_in_full_once_per_process() {
    let data = configure(&config(&[]), &[]).data.expect("configured");
    let never = CancellationToken::new();
    let first = data.client_for(&never).expect_err("no client");
    assert!(
        first.detail.contains("CLOUDFLARE_API_TOKEN"),
        "{}",
        first.detail
    );
    let again = data
        .client_and_account(None, &never)
        .expect_err("no client");
    let again = again.iter().next().expect("one error");
    assert!(
        again.detail.contains("another resource"),
        "{}",
        again.detail
    );
    assert!(
        !again.detail.contains("CLOUDFLARE_API_TOKEN"),
        "{}",
        again.detail
    );
    // Known to be missing: a plan-time lookup is an error, not deferred.
    assert!(data.client_if_known(&never).is_err());
}

#[test]
fn an_empty_token_in_the_block_says_the_block_wins_over_the_environment() {
    let resp = configure(
        &config(&[("api_token", Value::string(""))]),
        &[("CLOUDFLARE_API_TOKEN", "from-env")],
    );
    let data = resp.data.expect("configured");
    let diag = data
        .client_for(&CancellationToken::new())
        .expect_err("no client");
    assert!(
        diag.detail.contains("sets api_token to an empty string"),
        "{}",
        diag.detail
    );
    assert!(
        diag.detail
            .contains("CLOUDFLARE_API_TOKEN is not used even when it is set"),
        "{}",
        diag.detail
    );
    assert!(!diag.detail.contains("from-env"), "{}", diag.detail);
    let key = configure(
        &config(&[
            ("api_key", Value::string("")),
            ("email", Value::string("a@b.c")),
        ]),
        &[("CLOUDFLARE_API_KEY", "from-env")],
    );
    let diag = key
        .data
        .expect("configured")
        .client_for(&CancellationToken::new())
        .expect_err("no client");
    assert!(
        diag.detail.contains("sets api_key to an empty string"),
        "{}",
        diag.detail
    );
}

#[test]
fn api_key_without_email_says_to_set_email() {
    let resp = configure(&config(&[("api_key", Value::string("k"))]), &[]);
    let data = resp.data.expect("configured");
    let diag = data
        .client_for(&CancellationToken::new())
        .expect_err("no client");
    assert!(diag.detail.contains("CLOUDFLARE_EMAIL"), "{}", diag.detail);
}

#[test]
fn unknown_token_configures_and_explains_on_use() {
    let resp = configure(&config(&[("api_token", Value::unknown())]), &[]);
    let data = resp.data.expect("configured");
    let diag = data
        .client_for(&CancellationToken::new())
        .expect_err("no client");
    assert!(diag.detail.contains("api_token"), "{}", diag.detail);
    assert!(diag.detail.contains("not known"), "{}", diag.detail);
    // Unknown until apply: a plan-time lookup waits for apply instead of failing.
    assert!(matches!(
        data.client_if_known(&CancellationToken::new()),
        Ok(None)
    ));
}

#[test]
fn secrets_never_appear_in_client_errors() {
    let resp = configure(
        &config(&[
            ("api_token", Value::string("tok-SECRET-123")),
            ("base_url", Value::unknown()),
        ]),
        &[],
    );
    let data = resp.data.expect("configured");
    let diag = data
        .client_for(&CancellationToken::new())
        .expect_err("no client");
    assert!(!diag.detail.contains("tok-SECRET-123"));
    assert!(!format!("{diag:?}").contains("tok-SECRET-123"));
}

#[test]
fn account_id_resolution_prefers_the_resource_then_the_provider() {
    let data = configure(
        &config(&[]),
        &[("CLOUDFLARE_ACCOUNT_ID", "0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e")],
    )
    .data
    .unwrap();
    assert_eq!(
        data.resolve_account_id(Some("acct-res")).unwrap(),
        "acct-res"
    );
    assert_eq!(
        data.resolve_account_id(None).unwrap(),
        "0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e"
    );

    let none = configure(&config(&[]), &[]).data.unwrap();
    // A planned account_id the plan left unknown (no account anywhere) reads the same way.
    for attribute in [None, Some("")] {
        let diag = none.resolve_account_id(attribute).unwrap_err();
        assert_eq!(diag.summary, "Missing Cloudflare account ID");
        assert!(diag.detail.contains("account_id"));
        assert!(diag.detail.contains("CLOUDFLARE_ACCOUNT_ID"));
        assert_eq!(diag.path, Some(AttributePath::root("account_id")));
    }
    assert_eq!(
        data.resolve_account_id(None).unwrap(),
        "0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e"
    );

    let unknown = configure(&config(&[("account_id", Value::unknown())]), &[])
        .data
        .unwrap();
    assert_eq!(unknown.default_account(), None);
    let diag = unknown.resolve_account_id(None).unwrap_err();
    assert!(diag.detail.contains("not known yet"));
}

#[test]
fn client_and_account_reports_every_missing_piece_at_once() {
    let nothing = configure(&config(&[]), &[]).data.unwrap();
    let stop = CancellationToken::new();
    let diags = nothing.client_and_account(None, &stop).unwrap_err();
    let summaries: Vec<&str> = diags.iter().map(|d| d.summary.as_str()).collect();
    assert_eq!(
        summaries,
        [
            "Cloudflare API client is not configured",
            "Missing Cloudflare account ID"
        ]
    );

    let ready = configure(
        &config(&[]),
        &[
            ("CLOUDFLARE_API_TOKEN", "tok"),
            ("CLOUDFLARE_ACCOUNT_ID", "0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e"),
        ],
    )
    .data
    .unwrap();
    let (client, account) = ready.client_and_account(Some("acct-res"), &stop).unwrap();
    assert_eq!(account, "acct-res");
    // The operation's client is bound to the request's token.
    assert!(
        format!("{client:?}").contains("cancelled: false"),
        "{client:?}"
    );
    stop.cancel();
    assert!(
        format!("{client:?}").contains("cancelled: true"),
        "{client:?}"
    );
    let plain = ready.client_for(&CancellationToken::new()).unwrap();
    assert!(
        format!("{plain:?}").contains("cancelled: false"),
        "{plain:?}"
    );
}

#[test]
fn config_wins_over_env() {
    let data = configure(
        &config(&[(
            "account_id",
            Value::string("c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"),
        )]),
        &[("CLOUDFLARE_ACCOUNT_ID", "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0")],
    )
    .data
    .unwrap();
    assert_eq!(
        data.default_account(),
        Some("c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0")
    );
}

#[test]
fn numeric_settings_are_range_checked() {
    let resp = configure(&config(&[("max_retries", Value::from(-1))]), &[]);
    assert_eq!(
        resp.diagnostics.as_slice()[0].path,
        Some(AttributePath::root("max_retries"))
    );
    let resp = configure(&config(&[]), &[("CLOUDFLARE_RPS", "fast")]);
    let diag = &resp.diagnostics.as_slice()[0];
    assert!(diag.detail.contains("CLOUDFLARE_RPS"), "{}", diag.detail);
    let resp = configure(
        &config(&[
            ("min_backoff", Value::from(10)),
            ("max_backoff", Value::from(2)),
        ]),
        &[],
    );
    assert_eq!(
        resp.diagnostics.as_slice()[0].path,
        Some(AttributePath::root("min_backoff"))
    );
}

#[test]
fn real_schemas_have_no_problems() {
    let provider = CloudflareProvider;
    let mut checked = vec![("provider".to_string(), provider.schema())];
    for resource in provider.resources() {
        checked.push((resource.type_name().to_string(), resource.schema()));
    }
    for data_source in provider.data_sources() {
        checked.push((data_source.type_name().to_string(), data_source.schema()));
    }
    assert_eq!(checked.len(), 4);
    for (name, schema) in checked {
        assert_eq!(schema.problems(), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn every_model_names_exactly_the_attributes_of_its_schema() {
    use crate::data_sources::secret_ref::SecretRefModel;
    use crate::resources::secrets_store::{StoreModel, list::StoreListConfig};
    use crate::resources::store_secret::{SecretModel, list::SecretListConfig};
    use tfplugin::{ListResource, model};

    let provider = CloudflareProvider;
    let resources = provider.resources();
    let schema_of = |type_name: &str| {
        let resource = resources.iter().find(|r| r.type_name() == type_name);
        resource.expect("served").schema()
    };
    let list_schema_of = |type_name: &str| {
        let resource = resources.iter().find(|r| r.type_name() == type_name);
        resource
            .and_then(|r| r.lister().map(ListResource::list_schema))
            .expect("listable")
    };
    let data_sources = provider.data_sources();
    let data_source = data_sources
        .iter()
        .find(|d| d.type_name() == "cloudflare_secret_ref");
    let checks = [
        (
            "cloudflare_secrets_store",
            model::check::<StoreModel>(&schema_of("cloudflare_secrets_store")),
        ),
        (
            "cloudflare_store_secret",
            model::check::<SecretModel>(&schema_of("cloudflare_store_secret")),
        ),
        (
            "cloudflare_secret_ref",
            model::check::<SecretRefModel>(&data_source.expect("served").schema()),
        ),
        (
            "list cloudflare_secrets_store",
            model::check::<StoreListConfig>(&list_schema_of("cloudflare_secrets_store")),
        ),
        (
            "list cloudflare_store_secret",
            model::check::<SecretListConfig>(&list_schema_of("cloudflare_store_secret")),
        ),
    ];
    for (what, checked) in checks {
        assert_eq!(checked, Ok(()), "{what}: its model and its schema disagree");
    }
    assert_eq!(
        resources.len() + data_sources.len(),
        3,
        "a new type needs its model checked here"
    );
}
