//! Unit tests of `cloudflare_store_secret` planning, validation and state conversion.

use super::plan::plan_secret;
use super::validate::validate;
use super::*;
use tfplugin::plan::plan_resource_change;
use tfplugin::{AttributePath, Diagnostics, Number, Severity, model};

/// The model in `value`.
fn m(value: &Value) -> SecretModel {
    model::from_value(value).expect("a secret value")
}

fn null_object() -> Value {
    Value::object(
        SCHEMA
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null)),
    )
}

fn with(base: &Value, pairs: &[(&str, Value)]) -> Value {
    let mut v = base.clone();
    for (k, x) in pairs {
        v.set(k, x.clone());
    }
    v
}

fn prior_state() -> Value {
    with(
        &null_object(),
        &[
            ("id", Value::string("3fd85f74b32742f1bff64a85009dda07")),
            ("account_id", Value::string("acct")),
            (
                "store_id",
                Value::string("fedcba9876543210fedcba9876543210"),
            ),
            ("name", Value::string("API_KEY")),
            ("value", Value::string("s3cret")),
            ("scopes", Value::string_set(["workers"])),
            ("status", Value::string("active")),
            ("created", Value::string("2026-01-01T00:00:00.000000Z")),
            ("modified", Value::string("2026-01-01T00:00:00.000000Z")),
        ],
    )
}

fn config_for(prior: &Value) -> Value {
    with(
        &null_object(),
        &[
            ("name", prior.get("name").clone()),
            ("value", prior.get("value").clone()),
        ],
    )
}

/// What Terraform proposes: the config, with prior values for computed attributes it leaves
/// unset (null on create).
fn proposed(prior: &Value, config: &Value) -> Value {
    let mut proposed = config.clone();
    for attribute in &SCHEMA.block.attributes {
        if attribute.computed && config.get(&attribute.name).is_null() {
            proposed.set(&attribute.name, prior.get(&attribute.name).clone());
        }
    }
    proposed
}

/// The whole plan as the provider makes it: schema-driven, then the resource's modifier.
fn plan(prior: &Value, config: &Value, account: Option<&str>) -> (Value, Vec<AttributePath>) {
    let generic = plan_resource_change(&SCHEMA, prior, &proposed(prior, config), config);
    let prior = (!prior.is_null()).then(|| m(prior));
    let mut planned = m(&generic.planned_state);
    plan_secret(prior.as_ref(), &mut planned, &m(config), account);
    (planned.to_state().unwrap(), generic.requires_replace)
}

#[test]
fn create_plans_unknowns_and_the_provider_account() {
    let config = with(
        &null_object(),
        &[
            ("name", Value::string("API_KEY")),
            ("value_wo", Value::string("s3cret")),
        ],
    );
    let (planned, replace) = plan(&Value::Null, &config, Some("acct"));
    assert!(replace.is_empty());
    assert_eq!(planned.get("value_wo"), &Value::Null);
    assert_eq!(planned.get("account_id"), &Value::string("acct"));
    assert!(planned.get("store_id").is_unknown());
    assert!(planned.get("id").is_unknown());
    assert!(planned.get("status").is_unknown());
    assert_eq!(planned.get("scopes"), &Value::string_set(["workers"]));
}

#[test]
fn unchanged_config_plans_exactly_the_prior_state() {
    let prior = prior_state();
    let config = config_for(&prior);
    let (planned, replace) = plan(&prior, &config, Some("acct"));
    assert!(replace.is_empty());
    assert_eq!(planned, prior);
}

#[test]
fn scope_order_never_causes_a_diff() {
    let prior = with(
        &prior_state(),
        &[("scopes", Value::string_set(["workers", "ai_gateway"]))],
    );
    let config = with(
        &config_for(&prior),
        &[("scopes", Value::string_set(["ai_gateway", "workers"]))],
    );
    let (planned, _) = plan(&prior, &config, None);
    assert_eq!(planned, prior);
}

#[test]
fn a_new_comment_updates_in_place_with_unknown_modified() {
    let prior = prior_state();
    let config = with(
        &config_for(&prior),
        &[("comment", Value::string("rotated"))],
    );
    let (planned, replace) = plan(&prior, &config, None);
    assert!(replace.is_empty());
    assert_eq!(planned.get("comment"), &Value::string("rotated"));
    assert!(planned.get("modified").is_unknown());
    assert_eq!(planned.get("status"), &Value::string("active"));
    assert_eq!(planned.get("id"), prior.get("id"));
}

#[test]
fn bumping_value_wo_version_updates_and_value_wo_stays_null() {
    let prior = with(
        &prior_state(),
        &[("value", Value::Null), ("value_wo_version", Value::from(1))],
    );
    let config = with(
        &null_object(),
        &[
            ("name", Value::string("API_KEY")),
            ("value_wo", Value::string("new")),
            ("value_wo_version", Value::from(2)),
        ],
    );
    let (planned, _) = plan(&prior, &config, None);
    assert_eq!(planned.get("value_wo"), &Value::Null);
    assert!(planned.get("modified").is_unknown());
    let same_version = with(&config, &[("value_wo_version", Value::from(1))]);
    let (planned, _) = plan(&prior, &same_version, None);
    assert_eq!(planned, prior, "a changed value_wo alone is invisible");
}

#[test]
fn renaming_replaces() {
    let prior = prior_state();
    let config = with(&config_for(&prior), &[("name", Value::string("OTHER"))]);
    let (_, replace) = plan(&prior, &config, None);
    assert_eq!(replace, vec![AttributePath::root("name")]);
}

#[test]
fn a_nulled_value_after_drift_plans_an_update() {
    let prior = prior_state();
    let config = config_for(&prior);
    let drifted = with(&prior, &[("value", Value::Null)]);
    let (planned, replace) = plan(&drifted, &config, None);
    assert!(replace.is_empty());
    assert_eq!(planned.get("value"), &Value::string("s3cret"));
    assert!(planned.get("modified").is_unknown());
}

fn validate_config(config: &Value) -> Diagnostics {
    validate(&m(config))
}

#[test]
fn at_most_one_value_is_allowed_and_neither_needs_an_existing_secret() {
    let base = with(&null_object(), &[("name", Value::string("K"))]);
    let neither = validate_config(&base);
    assert!(
        !neither.has_errors(),
        "neither: the value is managed elsewhere"
    );
    let create = super::plan::needs_value_to_create(&m(&base), false);
    assert!(create.has_errors(), "creating needs a value");
    assert_eq!(
        create.as_slice()[0].path,
        Some(AttributePath::root("value_wo"))
    );
    assert!(create.as_slice()[0].detail.contains("does not exist yet"));
    let gone = super::plan::needs_value_to_create(&m(&base), true);
    let gone = &gone.as_slice()[0];
    assert!(
        gone.summary.contains("deleted outside Terraform"),
        "{}",
        gone.summary
    );
    assert!(
        gone.detail.contains("`removed` block") && gone.detail.contains("terraform state rm"),
        "{}",
        gone.detail
    );
    assert!(
        !super::plan::needs_value_to_create(
            &m(&with(&base, &[("value_wo", Value::unknown())])),
            false
        )
        .has_errors()
    );
    let both = validate_config(&with(
        &base,
        &[
            ("value", Value::string("a")),
            ("value_wo", Value::string("b")),
        ],
    ));
    assert_eq!(
        both.as_slice()[0].path,
        Some(AttributePath::root("value_wo"))
    );
    assert!(both.has_errors());
    let unknown = validate_config(&with(
        &base,
        &[
            ("value", Value::unknown()),
            ("value_wo", Value::string("b")),
            ("value_wo_version", Value::from(1)),
        ],
    ));
    assert!(!unknown.has_errors(), "{unknown:?}");
}

#[test]
fn value_wo_needs_value_wo_version_and_an_unknown_counts_as_set() {
    let base = with(&null_object(), &[("name", Value::string("K"))]);
    let check = |value_wo: Value, version: Value| {
        validate_config(&with(
            &base,
            &[("value_wo", value_wo), ("value_wo_version", version)],
        ))
    };
    let missing = check(Value::string("s3cret"), Value::Null);
    assert!(missing.has_errors());
    let diag = &missing.as_slice()[0];
    assert_eq!(diag.summary, "value_wo needs value_wo_version");
    assert_eq!(diag.path, Some(AttributePath::root("value_wo")));
    assert!(
        diag.detail.contains("value_wo_version = 1"),
        "{}",
        diag.detail
    );
    assert!(!diag.detail.contains("s3cret"));
    // A value known only later (an ephemeral resource, a variable at validate time) is set.
    assert!(check(Value::unknown(), Value::Null).has_errors());
    // A version known only later is set too; no value_wo needs no version.
    assert!(!check(Value::string("s3cret"), Value::unknown()).has_errors());
    assert!(!check(Value::string("s3cret"), Value::from(1)).has_errors());
    assert!(!check(Value::Null, Value::Null).has_errors());
}

#[test]
fn value_size_limits() {
    let base = with(&null_object(), &[("name", Value::string("K"))]);
    let ok = validate_config(&with(&base, &[("value", Value::string("x".repeat(1024)))]));
    assert!(ok.is_empty());
    let large = validate_config(&with(&base, &[("value", Value::string("x".repeat(1025)))]));
    assert_eq!(large.as_slice()[0].severity, Severity::Warning);
    let too_large = validate_config(&with(
        &base,
        &[("value_wo", Value::string("x".repeat(65_537)))],
    ));
    assert!(too_large.has_errors());
    assert_eq!(
        too_large.as_slice()[0].path,
        Some(AttributePath::root("value_wo"))
    );
    assert!(
        !too_large.as_slice()[0].detail.contains("xxxx"),
        "never echo the value"
    );
}

#[test]
fn unknown_scopes_warn_and_empty_scopes_fail() {
    let base = with(
        &null_object(),
        &[("name", Value::string("K")), ("value", Value::string("v"))],
    );
    let odd = validate_config(&with(
        &base,
        &[("scopes", Value::string_set(["workers", "wrokers"]))],
    ));
    assert_eq!(odd.len(), 1);
    assert_eq!(odd.as_slice()[0].severity, Severity::Warning);
    assert!(odd.as_slice()[0].summary.contains("wrokers"));
    let empty = validate_config(&with(&base, &[("scopes", Value::Set(vec![]))]));
    assert!(empty.has_errors());
}

#[test]
fn bad_names_fail_validation() {
    let config = with(
        &null_object(),
        &[
            ("name", Value::string("MY KEY")),
            ("value", Value::string("v")),
        ],
    );
    let diags = validate_config(&config);
    assert_eq!(diags.as_slice()[0].path, Some(AttributePath::root("name")));
}

fn remote(modified: &str, comment: Option<&str>) -> Secret {
    Secret {
        id: "3fd85f74b32742f1bff64a85009dda07".into(),
        store_id: "fedcba9876543210fedcba9876543210".into(),
        name: "API_KEY".into(),
        status: "active".into(),
        created: "2026-01-01T00:00:00.000000Z".into(),
        modified: modified.into(),
        comment: comment.map(str::to_string),
        scopes: Some(vec!["workers".into()]),
    }
}

#[test]
fn moved_modified_with_same_metadata_means_value_drift() {
    let state = m(&prior_state());
    let mut same = state.clone();
    same.apply_remote(&remote("2026-01-01T00:00:00.000000Z", None), "acct");
    assert!(!value_changed_outside(&state, &same));
    let mut moved = state.clone();
    moved.apply_remote(&remote("2026-02-01T00:00:00.000000Z", None), "acct");
    assert!(value_changed_outside(&state, &moved));
    let mut commented = state.clone();
    commented.apply_remote(
        &remote("2026-02-01T00:00:00.000000Z", Some("edited")),
        "acct",
    );
    assert!(!value_changed_outside(&state, &commented));
    let imported = SecretModel {
        modified: Attr::Null,
        ..state.clone()
    };
    assert!(!value_changed_outside(&imported, &moved));
}

#[test]
fn state_never_carries_value_wo_and_round_trips() {
    let state = prior_state();
    let model = m(&state);
    assert_eq!(model.to_state().unwrap(), state);
    let configured = SecretModel {
        value_wo: Attr::Known("s3cret".into()),
        ..model
    };
    assert_eq!(configured.to_state().unwrap().get("value_wo"), &Value::Null);
}

#[test]
fn private_state_round_trips_and_tolerates_garbage() {
    let p = SecretPrivate {
        value_drifted: true,
        ..SecretPrivate::default()
    };
    assert_eq!(SecretPrivate::decode(&p.encode()), p);
    // Written by versions that also kept a (never read) `write_only` flag.
    let older = br#"{"write_only":true,"value_drifted":true}"#;
    assert_eq!(SecretPrivate::decode(older), p);
    assert_eq!(SecretPrivate::decode(b""), SecretPrivate::default());
    assert!(
        SecretPrivate::default().encode().is_empty(),
        "nothing to keep: no private state at all"
    );
    assert_eq!(SecretPrivate::decode(b"\xff"), SecretPrivate::default());
}

#[test]
fn activation_failure_says_tainted_only_for_a_create() {
    let pending = remote("2026-02-01T00:00:00.000000Z", None);
    let timeout = WaitError::Timeout {
        last_status: "pending".into(),
    };
    let limit = Duration::from_secs(5);
    let created = not_active(&pending, limit, &timeout, Change::Created);
    assert!(created.detail.contains("tainted"), "{}", created.detail);
    assert!(created.detail.contains(&pending.id), "{}", created.detail);
    assert!(
        created
            .detail
            .contains("`terraform untaint` with this resource's address"),
        "{}",
        created.detail
    );
    assert!(
        !created.detail.contains('<'),
        "no placeholder: {}",
        created.detail
    );
    assert!(created.detail.contains("secret_activation_timeout"));
    let updated = not_active(&pending, limit, &timeout, Change::Updated);
    assert!(!updated.detail.contains("tainted"), "{}", updated.detail);
    assert!(
        updated.detail.contains("stays in state"),
        "{}",
        updated.detail
    );
    let cancelled = not_active(&pending, limit, &WaitError::Cancelled, Change::Created);
    assert!(
        !cancelled.detail.contains("secret_activation_timeout"),
        "{}",
        cancelled.detail
    );
}

#[test]
fn drift_warnings_depend_on_how_the_config_sets_the_value() {
    let warn = |prior: &Value, planned: &Value, config: &Value| {
        super::plan::drift_warning(Some(&m(prior)), &m(planned), &m(config))
    };
    let state = |version: Value| {
        with(
            &null_object(),
            &[("name", Value::string("K")), ("value_wo_version", version)],
        )
    };
    let config = |attribute: &str, version: Value| {
        with(
            &null_object(),
            &[
                ("name", Value::string("K")),
                (attribute, Value::string("v")),
                ("value_wo_version", version),
            ],
        )
    };
    // Managed elsewhere: nothing to say.
    let elsewhere = with(&null_object(), &[("name", Value::string("K"))]);
    assert!(warn(&state(Value::Null), &state(Value::Null), &elsewhere).is_none());
    // A state-stored value: this plan sends it again.
    let sent = warn(
        &state(Value::Null),
        &state(Value::Null),
        &config("value", Value::Null),
    )
    .expect("a warning");
    assert!(sent.detail.contains("This plan sends"), "{}", sent.detail);
    // value_wo with an unchanged version: bump it, named as given.
    let fractional = Value::number(Number::Float(1.5));
    let bump = warn(
        &state(fractional.clone()),
        &state(fractional.clone()),
        &config("value_wo", fractional),
    )
    .expect("a warning");
    assert!(
        bump.detail
            .contains("change value_wo_version from 1.5 to another number"),
        "{}",
        bump.detail
    );
    // value_wo whose version this plan changes: the value is sent, nothing to say.
    assert!(
        warn(
            &state(Value::from(1i64)),
            &state(Value::from(2i64)),
            &config("value_wo", Value::from(2i64))
        )
        .is_none()
    );
}

#[test]
fn a_cancelled_create_says_whether_the_secret_was_created() {
    let not_created = create_cancelled("API_KEY", "acct", "store-1", false);
    assert_eq!(not_created.summary, "Creating secret API_KEY was cancelled");
    assert!(
        not_created.detail.contains("the secret was not created"),
        "{}",
        not_created.detail
    );
    let unsure = create_cancelled("API_KEY", "acct", "store-1", true);
    assert!(unsure.summary.contains("may exist"), "{}", unsure.summary);
    assert!(
        unsure.detail.contains("import id acct/store-1/API_KEY"),
        "{}",
        unsure.detail
    );
}

#[test]
fn a_stop_during_activation_says_the_secret_exists_and_what_happens_next() {
    let mut pending = remote("2026-02-01T00:00:00.000000Z", None);
    pending.status = "pending".into();
    let timeout = Duration::from_secs(60);
    let created = not_active(&pending, timeout, &WaitError::Cancelled, Change::Created);
    assert!(
        created.detail.contains("(it was \"pending\")"),
        "{}",
        created.detail
    );
    assert!(
        created
            .detail
            .contains("asked the provider to stop after secret API_KEY (id 3fd85f74b32742f1bff64a85009dda07) was created"),
        "{}",
        created.detail
    );
    assert!(created.detail.contains("tainted"), "{}", created.detail);
    let updated = not_active(&pending, timeout, &WaitError::Cancelled, Change::Updated);
    assert!(updated.detail.contains("was updated"), "{}", updated.detail);
    assert!(!updated.detail.contains("tainted"), "{}", updated.detail);
}

#[test]
fn a_store_id_change_replaces_and_an_unset_one_keeps_the_prior_store() {
    let prior = prior_state();
    let moved = with(
        &config_for(&prior),
        &[(
            "store_id",
            Value::string("0123456789abcdef0123456789abcdef"),
        )],
    );
    let (planned, replace) = plan(&prior, &moved, None);
    assert_eq!(replace, vec![AttributePath::root("store_id")]);
    assert!(planned.get("status").is_wholly_known());
    // The same store, now given explicitly (the implicit default store made explicit).
    let explicit = with(
        &config_for(&prior),
        &[("store_id", prior.get("store_id").clone())],
    );
    assert_eq!(plan(&prior, &explicit, None), (prior.clone(), Vec::new()));
}

#[test]
fn a_taken_name_explains_create_before_destroy_and_import_without_placeholders() {
    let diag = name_taken("create secret API_KEY in store s1", "API_KEY", "acct", "s1");
    assert!(diag.detail.contains("unique in a store"), "{}", diag.detail);
    assert!(
        diag.detail.contains("create_before_destroy"),
        "{}",
        diag.detail
    );
    assert!(
        diag.detail.contains("import id acct/s1/API_KEY"),
        "{}",
        diag.detail
    );
    assert!(
        !diag.detail.contains('<'),
        "no placeholder: {}",
        diag.detail
    );
}

#[test]
fn only_new_secrets_and_moves_to_another_account_use_up_the_quota() {
    use super::quota::{PlannedChange, account_gaining_a_secret};
    let prior = m(&prior_state());
    let config = m(&config_for(&prior_state()));
    let (created, _) = plan(&Value::Null, &config_for(&prior_state()), Some("acct"));
    let created = m(&created);
    let moved_config = with(
        &config_for(&prior_state()),
        &[("account_id", Value::string("other"))],
    );
    let (moved, replace) = plan(&prior_state(), &moved_config, None);
    assert_eq!(replace, vec![AttributePath::root("account_id")]);
    let moved = m(&moved);
    let replaced = ExistingSecret {
        account_id: "acct".into(),
        id: "3fd85f74b32742f1bff64a85009dda07".into(),
    };
    let gaining = |prior, planned, replaces, replacing| {
        account_gaining_a_secret(&PlannedChange {
            prior,
            planned,
            config: &config,
            replaces,
            replacing,
        })
        .map(str::to_string)
    };
    // A create, and not Terraform's second plan of a replacement.
    assert_eq!(
        gaining(None, &created, None, false).as_deref(),
        Some("acct")
    );
    assert_eq!(gaining(None, &created, Some(&replaced), false), None);
    // An update, a replacement within the account, a replacement into another account.
    assert_eq!(gaining(Some(&prior), &prior, None, false), None);
    assert_eq!(gaining(Some(&prior), &created, None, true), None);
    assert_eq!(
        gaining(Some(&prior), &moved, None, true).as_deref(),
        Some("other")
    );
    // An account not known at plan time cannot be asked.
    let unknown_account = SecretModel {
        account_id: Attr::Unknown,
        ..created.clone()
    };
    assert_eq!(gaining(None, &unknown_account, None, false), None);
}

#[test]
fn the_quota_warning_names_quota_usage_room_and_what_to_do() {
    use super::quota::over_quota;
    use crate::service::QuotaStanding;
    let standing = |usage, planned| QuotaStanding {
        quota: 5,
        usage,
        planned,
    };
    let warning = over_quota("acct", Some("API_KEY"), &standing(3, 3));
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.path, Some(AttributePath::root("name")));
    assert_eq!(
        warning.summary,
        "Secret API_KEY does not fit in the account's secrets quota"
    );
    assert_eq!(
        warning.detail,
        "Account acct holds 3 of its 5 secrets, so only 2 of the new secrets this plan creates \
         fit; this plan creates at least 3, and secret API_KEY is one of those past the quota. \
         Apply would create the secrets that fit and then fail on the others, leaving a partial \
         apply. Before applying, delete secrets the account no longer needs, ask Cloudflare to \
         raise the account's secrets quota, or split the apply (for example with -target) into \
         parts that fit. Secrets this run deletes before it creates free room too, which is why \
         this is a warning and not an error."
    );
    let one = over_quota("acct", Some("K"), &standing(4, 2)).detail;
    assert!(
        one.contains("so only 1 of the new secrets this plan creates fits;"),
        "{one}"
    );
    let unnamed = over_quota("acct", None, &standing(7, 1));
    assert_eq!(
        unnamed.summary,
        "A new secret does not fit in the account's secrets quota"
    );
    assert!(
        unnamed.detail.contains(
            "holds 7 of its 5 secrets, so none of the new secrets this plan creates fits; this \
             plan creates at least 1, and this secret (its name is known after apply) is one"
        ),
        "{}",
        unnamed.detail
    );
    assert!(standing(3, 2).fits() && !standing(3, 3).fits() && !standing(7, 1).fits());
}

#[test]
fn the_note_of_the_secret_a_plan_starts_from_never_reaches_state() {
    let planned = SecretPrivate {
        value_drifted: true,
        planned_from: Some(ExistingSecret {
            account_id: "acct".into(),
            id: "3fd85f74b32742f1bff64a85009dda07".into(),
        }),
    };
    let bytes = planned.encode();
    assert_eq!(SecretPrivate::decode(&bytes), planned);
    let kept = SecretPrivate::for_state(&bytes);
    assert_eq!(
        kept,
        SecretPrivate {
            value_drifted: true,
            planned_from: None
        }
    );
    assert!(!String::from_utf8_lossy(&kept.encode()).contains("planned_from"));
}
