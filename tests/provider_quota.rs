//! The plan's check of the account's secrets quota, on `Service` against the emulator over a
//! real socket: the quota is read once per process and only for creates, only the creates past
//! the room left warn, the second plan of a replacement adds no secret, and a failed or slow
//! read plans on without the check.

#[path = "../crates/cloudflare-api/tests/client_support/clock.rs"]
#[allow(dead_code)]
mod clock;
mod service_support;

use api_emulator::{AimedFault, EmulatorConfig, FaultAnswer};
use clock::FrozenClock;
use cloudflare_api::{NewSecret, Secret};
use secrecy::SecretString;
use service_support::{ACCOUNT, ServiceHarness};
use terraform_provider_cloudflare::resources::store_secret::{SCHEMA, StoreSecretResource};
use terraform_provider_cloudflare::service::quota::READ_PATIENCE;
use tfplugin::plan::plan_resource_change;
use tfplugin::{
    Diagnostic, Diagnostics, ModifyPlanRequest, ModifyPlanResponse, Resource, Severity, Value,
};
use tokio_util::sync::CancellationToken;

const TOKEN: &str = "provider-quota-token";
const QUOTA: usize = 5;

/// The harness, and the store the tests' secrets live in.
struct Setup {
    harness: ServiceHarness,
    store_id: String,
}

impl std::ops::Deref for Setup {
    type Target = ServiceHarness;

    fn deref(&self) -> &ServiceHarness {
        &self.harness
    }
}

/// An emulator whose account holds at most [`QUOTA`] secrets, with one store, `held` secrets
/// (`HELD_0`, …) in it and an empty request log, and a provider configured against it.
async fn setup(held: usize) -> Setup {
    let mut emulator_config = EmulatorConfig::new(ACCOUNT, TOKEN);
    emulator_config.max_secrets = QUOTA;
    let harness =
        ServiceHarness::start(emulator_config, TOKEN, &[("CLOUDFLARE_MAX_RETRIES", "1")]).await;
    let store_id = harness
        .client
        .create_store(ACCOUNT, "main")
        .await
        .unwrap()
        .id;
    let s = Setup { harness, store_id };
    for n in 0..held {
        s.secret(&format!("HELD_{n}")).await;
    }
    s.state.clear_request_log();
    s
}

impl Setup {
    /// Creates a secret named `name` in the store through the plain client.
    async fn secret(&self, name: &str) -> Secret {
        let new = NewSecret {
            name: name.to_string(),
            value: SecretString::from("v".to_string()),
            scopes: vec!["workers".to_string()],
            comment: None,
        };
        self.client
            .create_secret(ACCOUNT, &self.store_id, new)
            .await
            .unwrap()
    }

    /// The configuration of a secret named `name` in the store.
    fn config(&self, name: &str) -> Value {
        secret_object(&[
            ("name", Value::string(name)),
            ("store_id", Value::string(&self.store_id)),
            ("value", Value::string("v")),
        ])
    }

    /// The provider's plan of a `cloudflare_store_secret` from `prior` (null for a create) to
    /// `config`, as Terraform asks for it: the schema-driven plan, then the resource's modifier.
    async fn plan(
        &self,
        prior: &Value,
        config: &Value,
        prior_private: Vec<u8>,
    ) -> Result<ModifyPlanResponse, Diagnostics> {
        let proposed = proposed(prior, config);
        let generic = plan_resource_change(&SCHEMA, prior, &proposed, config);
        let modifier = StoreSecretResource
            .plan_modifier()
            .expect("a plan modifier");
        modifier
            .modify_plan(ModifyPlanRequest {
                prior_state: prior.clone(),
                proposed_new_state: proposed,
                config: config.clone(),
                planned_state: generic.planned_state,
                requires_replace: generic.requires_replace,
                prior_private,
                provider: self.data.clone(),
                cancel: CancellationToken::new(),
            })
            .await
    }

    /// A plan of a create of secret `name`; its warnings.
    async fn plan_create(&self, name: &str) -> Vec<Diagnostic> {
        let planned = self
            .plan(&Value::Null, &self.config(name), Vec::new())
            .await;
        let resp = planned.unwrap_or_else(|e| panic!("plan of {name} failed: {e:?}"));
        warnings(resp.diagnostics)
    }

    /// How many quota reads the emulator answered or refused.
    fn quota_requests(&self) -> usize {
        self.state
            .request_log()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/secrets_store/quota"))
            .count()
    }

    /// The state of secret `secret` as the provider writes it.
    fn state_of(&self, secret: &Secret) -> Value {
        secret_object(&[
            ("id", Value::string(&secret.id)),
            ("account_id", Value::string(ACCOUNT)),
            ("store_id", Value::string(&self.store_id)),
            ("name", Value::string(&secret.name)),
            ("value", Value::string("v")),
            ("scopes", Value::string_set(["workers"])),
            ("status", Value::string(secret.status.as_str())),
            ("created", Value::string(&secret.created)),
            ("modified", Value::string(&secret.modified)),
        ])
    }
}

/// A `cloudflare_store_secret` object: every attribute null except `pairs`.
fn secret_object(pairs: &[(&str, Value)]) -> Value {
    let mut object = Value::object(
        SCHEMA
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

/// What Terraform proposes: the config, with prior values for computed attributes it leaves
/// unset (null on create).
fn proposed(prior: &Value, config: &Value) -> Value {
    let mut proposed = config.clone();
    for attribute in &SCHEMA.block.attributes {
        if attribute.computed && config.get(&attribute.name).is_null() {
            let prior_value = if prior.is_null() {
                Value::Null
            } else {
                prior.get(&attribute.name).clone()
            };
            proposed.set(&attribute.name, prior_value);
        }
    }
    proposed
}

/// The warnings among `diagnostics`; panics on an error.
fn warnings(diagnostics: Diagnostics) -> Vec<Diagnostic> {
    let diagnostics = diagnostics.as_slice().to_vec();
    assert!(
        diagnostics.iter().all(|d| d.severity == Severity::Warning),
        "{diagnostics:?}"
    );
    diagnostics
}

fn over_quota(warnings: &[Diagnostic]) -> Vec<&Diagnostic> {
    warnings
        .iter()
        .filter(|d| {
            d.summary
                .ends_with("does not fit in the account's secrets quota")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_share_one_quota_read_and_those_past_the_room_warn() {
    let s = setup(3).await;
    let plans = tokio::join!(
        s.plan_create("NEW_A"),
        s.plan_create("NEW_B"),
        s.plan_create("NEW_C"),
        s.plan_create("NEW_D"),
    );
    let warned: Vec<Diagnostic> = [plans.0, plans.1, plans.2, plans.3].concat();
    assert_eq!(over_quota(&warned).len(), 2, "{warned:?}");
    assert_eq!(s.quota_requests(), 1, "one read for the whole process");
    for warning in &warned {
        assert!(
            warning
                .detail
                .contains(&format!("Account {ACCOUNT} holds 3 of its 5 secrets")),
            "{}",
            warning.detail
        );
        assert!(
            warning
                .detail
                .contains("so only 2 of the new secrets this plan creates fit"),
            "{}",
            warning.detail
        );
        assert_eq!(
            warning.path.as_ref().map(|p| p.to_string()).as_deref(),
            Some("name")
        );
    }
    assert_eq!(s.state.secrets().len(), 3, "a plan creates nothing");
}

#[tokio::test]
async fn plans_that_create_nothing_read_no_quota() {
    let s = setup(QUOTA - 1).await;
    let existing = s.secret("EXISTING").await;
    s.state.clear_request_log();
    let state = s.state_of(&existing);
    // No change, then a new comment (an update in place), then a destroy.
    let mut commented = s.config("EXISTING");
    commented.set("comment", Value::string("updated"));
    for config in [s.config("EXISTING"), commented] {
        let resp = s.plan(&state, &config, Vec::new()).await.unwrap();
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    }
    let destroy = s.plan(&state, &Value::Null, Vec::new()).await.unwrap();
    assert!(destroy.diagnostics.is_empty());
    assert_eq!(s.quota_requests(), 0);
}

#[tokio::test]
async fn the_new_secret_of_a_replacement_adds_none_to_a_full_account() {
    let s = setup(QUOTA - 1).await;
    let replaced = s.secret("OLD_NAME").await;
    s.state.clear_request_log();
    // A rename replaces: Terraform plans with the prior state, then the new secret with a null
    // prior state and the first plan's private data.
    let renamed = s.config("NEW_NAME");
    let first = s.plan(&s.state_of(&replaced), &renamed, Vec::new()).await;
    let first = first.unwrap();
    assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);
    assert!(
        String::from_utf8_lossy(&first.planned_private).contains(&replaced.id),
        "the first plan notes the secret it starts from"
    );
    let second = s.plan(&Value::Null, &renamed, first.planned_private).await;
    let second = second.unwrap();
    assert!(second.diagnostics.is_empty(), "{:?}", second.diagnostics);
    assert!(
        second.planned_private.is_empty(),
        "the note never reaches the plan of the new secret"
    );
    assert_eq!(s.quota_requests(), 0, "a replacement needs no quota read");

    // A create without the note is a new secret, and the account is full.
    let warned = s.plan_create("OTHER_NAME").await;
    let warned = over_quota(&warned);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert_eq!(
        warned[0].summary,
        "Secret OTHER_NAME does not fit in the account's secrets quota"
    );
    assert!(
        warned[0].detail.contains(
            "holds 5 of its 5 secrets, so none of the new secrets this plan creates fits"
        ),
        "{}",
        warned[0].detail
    );
    assert_eq!(s.quota_requests(), 1);

    // A create whose name the refresh's listing of its store shows (a tainted secret, whose
    // replacement Terraform plans as a plain create) adds none either, and asks nothing.
    let listed = s
        .data
        .listings()
        .read(&s.client, ACCOUNT, &s.store_id, &replaced.id)
        .await;
    assert!(listed.into_result().unwrap().is_some());
    s.state.clear_request_log();
    assert!(over_quota(&s.plan_create("OLD_NAME").await).is_empty());
    assert!(
        s.state.request_log().is_empty(),
        "{:?}",
        s.state.request_log()
    );
}

#[tokio::test]
async fn a_failed_quota_read_plans_on_without_the_check_and_is_not_repeated() {
    let s = setup(QUOTA).await;
    s.state
        .faults()
        .aim(AimedFault::new("GET", "/quota", FaultAnswer::Status(503)));
    for name in ["NEW_A", "NEW_B"] {
        assert!(s.plan_create(name).await.is_empty(), "no warning, no error");
    }
    // One read (and its retry), failed; the next create does not ask again.
    assert_eq!(s.quota_requests(), 2, "{:?}", s.state.request_log());
}

#[tokio::test]
async fn a_quota_read_held_by_a_long_retry_after_gives_up_at_its_patience() {
    let s = setup(QUOTA).await;
    // Rate limited, come back in ten minutes: the plan waits no longer than its patience.
    s.state.faults().rate_limit_next(10, 600);
    let clock = FrozenClock::freeze();
    let started = tokio::time::Instant::now();
    // Just past the patience (timers fire on the millisecond after their deadline).
    let moved = READ_PATIENCE + std::time::Duration::from_millis(10);
    let (warned, ()) = tokio::join!(s.plan_create("NEW_A"), async {
        while s.state.request_log().is_empty() {
            tokio::task::yield_now().await;
        }
        clock.advance(moved).await;
    });
    assert_eq!(started.elapsed(), moved, "no wait for the Retry-After");
    clock.thaw();
    assert!(warned.is_empty(), "{warned:?}");
    assert_eq!(s.quota_requests(), 1);
}
