//! Plans that warn before the account's secrets quota bites, with real `terraform` against an
//! emulator whose account holds at most 5 secrets: exactly full plans quietly, one over warns
//! once (naming quota, usage and what fits), a replacement in a full account (renamed,
//! `-replace`, tainted) plans and applies without a warning, a name known only after apply
//! counts, a failed quota read plans on without the warning, and a plan that creates nothing
//! never reads the quota.

mod acc_harness;
mod support;

use acc_harness::{ACCOUNT_ID, API_TOKEN, Emulator, Run, Workdir};
use api_emulator::{AimedFault, EmulatorConfig, FaultAnswer};
use serde_json::Value as Json;

/// How many secrets the emulator's account may hold.
const QUOTA: usize = 5;

/// The end of the warning's summary.
const OVER_QUOTA: &str = "does not fit in the account's secrets quota";

fn emulator() -> Emulator {
    let mut config = EmulatorConfig::new(ACCOUNT_ID, API_TOKEN);
    config.max_secrets = QUOTA;
    Emulator::start_with(config)
}

/// A working directory whose provider retries once, fast.
fn workdir(emulator: &Emulator, test: &str) -> Option<Workdir> {
    let mut tf = Workdir::new(emulator, test)?;
    tf.set_env("CLOUDFLARE_MAX_RETRIES", "1");
    tf.set_env("CLOUDFLARE_MIN_BACKOFF", "0.01");
    tf.set_env("CLOUDFLARE_MAX_BACKOFF", "0.05");
    Some(tf)
}

/// Write-only secrets `cloudflare_store_secret.s[KEY]` named by `names` (key → name), in the
/// store `store_id` (an HCL expression; the account's default store when `None`).
fn secrets(names: &[(&str, &str)], store_id: Option<&str>) -> String {
    let map: Vec<String> = names
        .iter()
        .map(|(key, name)| format!("    {key} = \"{name}\""))
        .collect();
    let store = store_id.map_or(String::new(), |id| format!("  store_id         = {id}\n"));
    format!(
        "resource \"cloudflare_store_secret\" \"s\" {{\n  for_each = {{\n{}\n  }}\n{store}  \
         name             = each.value\n  value_wo         = \"v\"\n  value_wo_version = 1\n}}\n",
        map.join("\n")
    )
}

/// Secrets keyed and named by `names`.
fn named(names: &[&'static str]) -> Vec<(&'static str, &'static str)> {
    names.iter().map(|n| (*n, *n)).collect()
}

/// `terraform plan -json -detailed-exitcode`.
fn plan(tf: &Workdir) -> Run {
    tf.run(&["plan", "-json", "-detailed-exitcode", "-input=false"])
}

/// The diagnostics of a `-json` run.
fn diagnostics(run: &Run) -> Vec<Json> {
    run.stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Json>(line).ok())
        .filter(|message| message["type"] == "diagnostic")
        .map(|message| message["diagnostic"].clone())
        .collect()
}

/// The quota warnings of a `-json` plan that must succeed with changes (exit 2), and no error.
fn quota_warnings(run: &Run) -> Vec<Json> {
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let diagnostics = diagnostics(run);
    assert!(
        diagnostics.iter().all(|d| d["severity"] == "warning"),
        "{diagnostics:#?}"
    );
    diagnostics
        .into_iter()
        .filter(|d| {
            d["summary"]
                .as_str()
                .unwrap_or_default()
                .ends_with(OVER_QUOTA)
        })
        .collect()
}

/// How many quota reads the emulator saw since its log was cleared.
fn quota_reads(emulator: &Emulator) -> usize {
    emulator
        .state
        .request_log()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/secrets_store/quota"))
        .count()
}

/// The planned actions of `address` in a `-json` plan's output.
fn planned_actions(run: &Run, address: &str) -> Json {
    run.stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Json>(line).ok())
        .find(|m| m["type"] == "planned_change" && m["change"]["resource"]["addr"] == address)
        .map(|m| m["change"]["action"].clone())
        .unwrap_or(Json::Null)
}

#[test]
fn exactly_full_plans_quietly_and_one_over_warns_once() {
    let emulator = emulator();
    let Some(tf) = workdir(
        &emulator,
        "exactly_full_plans_quietly_and_one_over_warns_once",
    ) else {
        return;
    };
    let store = emulator.create_store("default_secrets_store");
    for name in ["HELD_0", "HELD_1"] {
        emulator.create_secret(&store, name, "held");
    }

    // 2 held + 3 planned = 5: no warning, and one quota read for the whole plan.
    tf.config(&secrets(&named(&["A", "B", "C"]), None));
    emulator.state.clear_request_log();
    let full = plan(&tf);
    assert_eq!(quota_warnings(&full), Vec::<Json>::new());
    assert_eq!(quota_reads(&emulator), 1);

    // One more: exactly one warning, on one of the creates, naming quota, usage and what fits.
    tf.config(&secrets(&named(&["A", "B", "C", "D"]), None));
    emulator.state.clear_request_log();
    let over = plan(&tf);
    let warnings = quota_warnings(&over);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let warning = &warnings[0];
    let detail = warning["detail"].as_str().unwrap();
    for expected in [
        &format!("Account {ACCOUNT_ID} holds 2 of its 5 secrets"),
        "so only 3 of the new secrets this plan creates fit",
        "this plan creates at least 4",
        "delete secrets the account no longer needs",
        "raise the account's secrets quota",
        "split the apply",
    ] {
        assert!(detail.contains(expected), "{expected:?} in {detail}");
    }
    let address = warning["address"].as_str().unwrap();
    assert!(
        address.starts_with("cloudflare_store_secret.s["),
        "{warning:#}"
    );
    assert_eq!(quota_reads(&emulator), 1);
    assert_eq!(emulator.state.secrets().len(), 2, "a plan creates nothing");

    // Exactly full applies without a warning.
    tf.config(&secrets(&named(&["A", "B", "C"]), None));
    let applied = tf.apply();
    assert!(!applied.text().contains(OVER_QUOTA), "{}", applied.text());
    assert_eq!(emulator.state.secrets().len(), QUOTA);

    // Nothing to create: no quota read, for an empty plan or an update in place.
    emulator.state.clear_request_log();
    tf.assert_plan_empty();
    assert_eq!(quota_reads(&emulator), 0, "an empty plan");
    tf.config(
        &secrets(&named(&["A", "B", "C"]), None)
            .replace("value_wo_version = 1", "value_wo_version = 2"),
    );
    let update = plan(&tf);
    assert_eq!(quota_warnings(&update), Vec::<Json>::new());
    assert_eq!(
        planned_actions(&update, "cloudflare_store_secret.s[\"A\"]"),
        "update"
    );
    assert_eq!(quota_reads(&emulator), 0, "a plan of updates");

    tf.destroy();
    assert_eq!(emulator.state.secrets().len(), 2, "the held secrets stay");
}

#[test]
fn a_full_account_replaces_secrets_without_a_warning() {
    let emulator = emulator();
    let Some(tf) = workdir(
        &emulator,
        "a_full_account_replaces_secrets_without_a_warning",
    ) else {
        return;
    };
    let store = "resource \"cloudflare_secrets_store\" \"main\" {}\n\n";
    let config = |names: &[(&str, &str)]| {
        format!(
            "{store}{}",
            secrets(names, Some("cloudflare_secrets_store.main.id"))
        )
    };
    let full = [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D"), ("e", "E")];
    tf.config(&config(&full));
    let applied = tf.apply();
    assert!(!applied.text().contains(OVER_QUOTA), "{}", applied.text());
    assert_eq!(emulator.state.secrets().len(), QUOTA);
    tf.assert_plan_empty();

    // A rename replaces: Terraform destroys the old secret first, which frees its room.
    let renamed = [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D"), ("e", "E2")];
    tf.config(&config(&renamed));
    let rename = plan(&tf);
    assert_eq!(quota_warnings(&rename), Vec::<Json>::new());
    assert_eq!(
        planned_actions(&rename, "cloudflare_store_secret.s[\"e\"]"),
        "replace"
    );
    let applied = tf.apply();
    assert!(!applied.text().contains(OVER_QUOTA), "{}", applied.text());
    let names: Vec<String> = emulator
        .state
        .secrets()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert!(names.contains(&"E2".to_string()) && !names.contains(&"E".to_string()));
    assert_eq!(names.len(), QUOTA);

    // `-replace` keeps the name: neither a second resource planning it nor a new secret.
    let replace = ["-replace=cloudflare_store_secret.s[\"a\"]"];
    let forced = tf.run(&[
        "plan",
        "-json",
        "-detailed-exitcode",
        "-input=false",
        replace[0],
    ]);
    assert_eq!(quota_warnings(&forced), Vec::<Json>::new());
    let applied = tf.run(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        replace[0],
    ]);
    assert_eq!(applied.code, 0, "{}", applied.text());
    assert!(!applied.text().contains(OVER_QUOTA), "{}", applied.text());

    // A tainted secret: Terraform plans its replacement as a plain create, which the listing of
    // its store (read by the refresh) shows is no new secret.
    let taint = tf.run(&["taint", "cloudflare_store_secret.s[\"b\"]"]);
    assert_eq!(taint.code, 0, "{}", taint.text());
    emulator.state.clear_request_log();
    let tainted = plan(&tf);
    assert_eq!(quota_warnings(&tainted), Vec::<Json>::new());
    assert_eq!(quota_reads(&emulator), 0, "a name the listing shows");
    let applied = tf.apply();
    assert!(!applied.text().contains(OVER_QUOTA), "{}", applied.text());
    assert_eq!(emulator.state.secrets().len(), QUOTA);
    tf.assert_plan_empty();

    // A new secret in the full account warns.
    let more = [
        ("a", "A"),
        ("b", "B"),
        ("c", "C"),
        ("d", "D"),
        ("e", "E2"),
        ("f", "F"),
    ];
    tf.config(&config(&more));
    let over = plan(&tf);
    let warnings = quota_warnings(&over);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(
        warnings[0]["summary"],
        "Secret F does not fit in the account's secrets quota"
    );
    assert!(
        warnings[0]["detail"].as_str().unwrap().contains(
            "holds 5 of its 5 secrets, so none of the new secrets this plan creates fits"
        ),
        "{:#}",
        warnings[0]
    );

    tf.config(&config(&full));
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn a_name_known_only_after_apply_still_counts() {
    let emulator = emulator();
    let Some(tf) = workdir(&emulator, "a_name_known_only_after_apply_still_counts") else {
        return;
    };
    let store = emulator.create_store("default_secrets_store");
    for n in 0..QUOTA - 1 {
        emulator.create_secret(&store, &format!("HELD_{n}"), "held");
    }
    // The last room goes to one of two creates; the other is over, whichever it is.
    tf.config(
        "resource \"terraform_data\" \"suffix\" {\n  input = \"x\"\n}\n\n\
         resource \"cloudflare_store_secret\" \"known\" {\n  name             = \"KNOWN\"\n  \
         value_wo         = \"v\"\n  value_wo_version = 1\n}\n\n\
         resource \"cloudflare_store_secret\" \"late\" {\n  \
         name             = \"LATE_${substr(terraform_data.suffix.id, 0, 8)}\"\n  \
         value_wo         = \"v\"\n  value_wo_version = 1\n}\n",
    );
    let run = plan(&tf);
    let warnings = quota_warnings(&run);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let summary = warnings[0]["summary"].as_str().unwrap();
    assert!(
        [
            "Secret KNOWN does not fit in the account's secrets quota",
            "A new secret does not fit in the account's secrets quota",
        ]
        .contains(&summary),
        "{summary}"
    );
}

#[test]
fn a_failed_quota_read_plans_on_without_the_warning() {
    let emulator = emulator();
    let Some(tf) = workdir(
        &emulator,
        "a_failed_quota_read_plans_on_without_the_warning",
    ) else {
        return;
    };
    tf.config(&secrets(&named(&["A", "B", "C", "D", "E", "F"]), None));
    emulator
        .state
        .faults()
        .aim(AimedFault::new("GET", "/quota", FaultAnswer::Status(503)));
    let run = tf.run_with_env(
        &["plan", "-json", "-detailed-exitcode", "-input=false"],
        &[("TF_LOG_PROVIDER", "WARN")],
    );
    assert_eq!(quota_warnings(&run), Vec::<Json>::new());
    assert!(
        run.stderr
            .contains("could not read the account's secrets quota"),
        "the failed read is logged:\n{}",
        run.stderr
    );
    // One read and its one retry, for the whole plan.
    assert_eq!(quota_reads(&emulator), 2);

    emulator.state.faults().clear();
    let healthy = plan(&tf);
    assert_eq!(quota_warnings(&healthy).len(), 1);
    emulator.assert_empty();
}
