//! The plan-time fault matrix: every read a plan (or a `terraform query`) makes, failed in turn
//! with a 503, a 403, a connection closed without an answer, and the API stopped, on every
//! scenario that makes that read. Each time the command must fail with an error that names the
//! failed request, plan nothing (no create or destroy of what exists, no "forces replacement"),
//! and a healthy re-run afterwards must plan exactly what it planned before the fault.
//! A plan is never built on a failed read.

mod acc_harness;
mod support;

use std::fmt::Write as _;

use acc_harness::{ACCOUNT_ID, Emulator, Run, Workdir};
use api_emulator::{AimedFault, EmulatorConfig, FaultAnswer};
use serde_json::Value as Json;

/// A read a plan or a query makes: its label in the table, the pattern the emulator's fault
/// aims at, and the text the diagnostic must name.
#[derive(Clone, Copy, Debug)]
struct Read {
    label: &'static str,
    pattern: &'static str,
    /// The request as the diagnostic names it, after `GET /accounts/{account_id}/secrets_store`.
    named: &'static str,
}

const STORES: Read = Read {
    label: "list stores",
    pattern: "/stores",
    named: "/stores failed",
};
const LISTING: Read = Read {
    label: "list secrets",
    pattern: "/stores/*/secrets",
    named: "/secrets failed",
};
const STORE_GET: Read = Read {
    label: "get store",
    pattern: "/stores/*",
    named: "/stores/",
};
const SECRET_GET: Read = Read {
    label: "get secret",
    pattern: "/stores/*/secrets/*",
    named: "/secrets/",
};
const SEARCH: Read = Read {
    label: "search secrets",
    pattern: "/stores/*/secrets?search=*",
    named: "/secrets?search=",
};

const FAULTS: [(&str, FaultAnswer); 3] = [
    ("503", FaultAnswer::Status(503)),
    ("403", FaultAnswer::Status(403)),
    ("close", FaultAnswer::Close),
];

/// What the command is: `terraform plan`, or `terraform query` (Terraform 1.14+).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Command {
    Plan,
    Query,
}

/// One scenario: a working directory in a known state, the reads its command makes, and what
/// the healthy command planned (or listed), to compare with after each fault.
struct Scenario {
    label: &'static str,
    emulator: Emulator,
    tf: Workdir,
    command: Command,
    reads: Vec<Read>,
    healthy: String,
}

impl Scenario {
    fn new(
        label: &'static str,
        emulator: Emulator,
        tf: Workdir,
        command: Command,
        reads: Vec<Read>,
    ) -> Scenario {
        let mut scenario = Scenario {
            label,
            emulator,
            tf,
            command,
            reads,
            healthy: String::new(),
        };
        scenario.healthy = scenario.healthy_outcome();
        scenario
    }

    fn run(&self) -> Run {
        match self.command {
            Command::Plan => self.tf.run(&[
                "plan",
                "-out=tfplan",
                "-input=false",
                "-no-color",
                "-detailed-exitcode",
            ]),
            Command::Query => self.tf.run(&["query", "-no-color"]),
        }
    }

    /// What the healthy command produces: the planned actions and values of every resource,
    /// data source and output (from the saved plan), or the query's listing.
    fn healthy_outcome(&self) -> String {
        let run = self.run();
        assert!(
            run.code == 0 || (self.command == Command::Plan && run.code == 2),
            "{}: the healthy run failed:\n{}",
            self.label,
            run.text()
        );
        if self.command == Command::Query {
            // The list blocks run at once, so their results come in either order.
            let mut listed: Vec<&str> = run
                .stdout
                .lines()
                .filter(|l| l.starts_with("list."))
                .collect();
            listed.sort_unstable();
            return listed.join("\n");
        }
        let show = self.tf.run(&["show", "-json", "tfplan"]);
        assert_eq!(show.code, 0, "show: {}", show.stderr);
        let plan: Json = serde_json::from_str(&show.stdout).expect("plan JSON");
        let mut outcome = String::new();
        for change in plan["resource_changes"].as_array().into_iter().flatten() {
            let _ = writeln!(
                outcome,
                "{} {} {}",
                change["address"].as_str().unwrap_or_default(),
                change["change"]["actions"],
                change["change"]["after"]
            );
        }
        let _ = writeln!(outcome, "outputs {}", plan["planned_values"]["outputs"]);
        for resource in plan["prior_state"]["values"]["root_module"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["mode"] == "data")
        {
            let address = resource["address"].as_str().unwrap_or_default();
            let _ = writeln!(outcome, "{address} {}", resource["values"]);
        }
        outcome
    }

    /// Runs the command with `fault` answering `read`, then checks it failed cleanly, naming
    /// the request, and that a healthy run plans what it planned before. A table row.
    fn fault_row(&self, read: Read, fault: &str, answer: FaultAnswer) -> String {
        let faults = self.emulator.state.faults();
        faults.aim(AimedFault::new("GET", read.pattern, answer));
        let run = self.run();
        faults.clear();
        let named = format!("GET /accounts/{ACCOUNT_ID}/secrets_store");
        self.check_failed(
            &run,
            &format!("{} × {fault}", read.label),
            &[&named, read.named],
        );
        self.check_healthy_again(&format!("{} × {fault}", read.label));
        format!(
            "| {} | {fault} | {} | {} | {} |",
            read.label,
            self.label,
            run.code,
            first_error_line(&run)
        )
    }

    /// The same with the emulator stopped: connections are refused.
    fn stopped_row(&mut self) -> String {
        self.emulator.pause();
        let run = self.run();
        self.emulator.resume();
        let named = format!("GET /accounts/{ACCOUNT_ID}/secrets_store");
        self.check_failed(&run, "emulator stopped", &[&named]);
        self.check_healthy_again("emulator stopped");
        format!(
            "| any | emulator stopped | {} | {} | {} |",
            self.label,
            run.code,
            first_error_line(&run)
        )
    }

    fn check_failed(&self, run: &Run, cell: &str, names: &[&str]) {
        let text = run.text();
        let label = self.label;
        assert!(
            run.code != 0 && run.code != 2,
            "{label}, {cell}: the command must fail:\n{text}"
        );
        assert!(
            text.contains("Error: "),
            "{label}, {cell}: no error:\n{text}"
        );
        assert!(
            !text.contains("forces replacement"),
            "{label}, {cell}: a replacement was planned on a failed read:\n{text}"
        );
        // Terraform shows what it planned for the resources whose reads succeeded ("planned
        // the following actions, but then encountered a problem"); each of those must be what
        // the healthy plan does with it, so nothing that exists is created or destroyed.
        for (address, action) in shown_actions(&run.stdout) {
            assert!(
                self.healthy.contains(&format!("{address} [{action}]")),
                "{label}, {cell}: {address} planned as {action}, which the healthy plan does not \
                 do:\n{text}\nhealthy:\n{}",
                self.healthy
            );
        }
        for name in names {
            assert!(
                text.contains(name),
                "{label}, {cell}: the diagnostic must name the request ({name}):\n{text}"
            );
        }
        assert!(
            !text.contains("panic"),
            "{label}, {cell}: the provider crashed:\n{text}"
        );
    }

    fn check_healthy_again(&self, cell: &str) {
        let again = self.healthy_outcome();
        assert_eq!(
            again, self.healthy,
            "{}, after {cell}: a healthy re-run must plan what it planned before the fault",
            self.label
        );
    }

    /// Every fault on every read of this scenario, then the stopped emulator; prints the rows.
    fn run_matrix(mut self) {
        let mut rows = Vec::new();
        for read in self.reads.clone() {
            for (fault, answer) in FAULTS {
                rows.push(self.fault_row(read, fault, answer));
            }
        }
        rows.push(self.stopped_row());
        println!(
            "| request | fault | scenario | exit | first line of the error |\n|---|---|---|---|---|\n{}",
            rows.join("\n")
        );
        self.emulator.state.faults().clear();
    }
}

/// The `# ADDRESS will be …` headings of a plan's output, as (address, planned actions in the
/// JSON form of `show -json`, e.g. `"create"`).
fn shown_actions(stdout: &str) -> Vec<(String, &'static str)> {
    let actions = [
        (" will be created", "\"create\""),
        (" will be destroyed", "\"delete\""),
        (" will be updated in-place", "\"update\""),
        (" must be replaced", "\"delete\",\"create\""),
        (" will be read during apply", "\"read\""),
    ];
    stdout
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("# "))
        .filter_map(|heading| {
            actions.iter().find_map(|(phrase, action)| {
                heading
                    .split_once(phrase)
                    .map(|(address, _)| (address.to_string(), *action))
            })
        })
        .collect()
}

/// The first line of the command's first error, e.g. `Error: Unable to look up store …`.
fn first_error_line(run: &Run) -> String {
    let text = format!("{}\n{}", run.stdout, run.stderr);
    text.lines()
        .map(|l| l.trim_start_matches(['│', '╷', '╵', ' ']))
        .find(|l| l.starts_with("Error: "))
        .unwrap_or("(none)")
        .to_string()
}

/// A working directory whose provider retries once, fast, so each faulted run takes seconds.
fn workdir(emulator: &Emulator, test: &str) -> Option<Workdir> {
    let mut tf = Workdir::new(emulator, test)?;
    tf.set_env("CLOUDFLARE_MAX_RETRIES", "1");
    tf.set_env("CLOUDFLARE_MIN_BACKOFF", "0.01");
    tf.set_env("CLOUDFLARE_MAX_BACKOFF", "0.05");
    Some(tf)
}

const VICTIM: &str = r#"resource "cloudflare_store_secret" "victim" {
  name             = "VICTIM"
  value_wo         = "victim-value"
  value_wo_version = 1
"#;

/// (a) The first finding of the issue: a secret created in the default store, then the store
/// adopted and the secret pointed at it. Healthy: the store is adopted (1 to add), the secret
/// is untouched.
fn adopting_config() -> String {
    format!(
        "resource \"cloudflare_secrets_store\" \"main\" {{\n  adopt = true\n}}\n\n{VICTIM}  \
         store_id         = cloudflare_secrets_store.main.id\n}}\n"
    )
}

#[test]
fn plan_faults_adopting_an_existing_store() {
    let emulator = Emulator::start();
    let Some(tf) = workdir(&emulator, "plan_faults_adopting_an_existing_store") else {
        return;
    };
    tf.config(&format!("{VICTIM}}}\n"));
    tf.apply();
    tf.config(&adopting_config());
    let scenario = Scenario::new(
        "(a) adopt",
        emulator,
        tf,
        Command::Plan,
        vec![STORES, LISTING],
    );
    assert!(
        scenario
            .healthy
            .contains("cloudflare_secrets_store.main [\"create\"]")
            && scenario
                .healthy
                .contains("cloudflare_store_secret.victim [\"no-op\"]"),
        "the healthy plan adopts the store and keeps the secret:\n{}",
        scenario.healthy
    );
    scenario.run_matrix();
}

#[test]
fn plan_faults_with_secrets_in_an_adopted_store() {
    let emulator = Emulator::start();
    let Some(tf) = workdir(&emulator, "plan_faults_with_secrets_in_an_adopted_store") else {
        return;
    };
    tf.config(&format!("{VICTIM}}}\n"));
    tf.apply();
    tf.config(&adopting_config());
    tf.apply();
    let scenario = Scenario::new(
        "(b) adopted store",
        emulator,
        tf,
        Command::Plan,
        vec![LISTING],
    );
    scenario.run_matrix();
}

#[test]
fn plan_faults_looking_up_secret_refs() {
    // Secrets made outside Terraform stay `pending` here, so each lookup also searches.
    let mut config = EmulatorConfig::new(ACCOUNT_ID, acc_harness::API_TOKEN);
    config.activation_delay = std::time::Duration::from_secs(3600);
    let emulator = Emulator::start_with(config);
    let Some(tf) = workdir(&emulator, "plan_faults_looking_up_secret_refs") else {
        return;
    };
    let store = emulator.create_store("default_secrets_store");
    emulator.create_secret(&store, "REF_A", "a");
    emulator.create_secret(&store, "REF_B", "b");
    tf.config(&format!(
        "data \"cloudflare_secret_ref\" \"by_default\" {{\n  name = \"REF_A\"\n}}\n\n\
         data \"cloudflare_secret_ref\" \"by_store\" {{\n  name     = \"REF_B\"\n  \
         store_id = \"{store}\"\n}}\n\n\
         output \"statuses\" {{\n  value = [data.cloudflare_secret_ref.by_default.status, \
         data.cloudflare_secret_ref.by_store.status]\n}}\n"
    ));
    let scenario = Scenario::new(
        "(c) secret_ref",
        emulator,
        tf,
        Command::Plan,
        vec![STORES, LISTING, SEARCH],
    );
    assert!(
        scenario.healthy.contains("[\"pending\",\"pending\"]"),
        "{}",
        scenario.healthy
    );
    scenario.run_matrix();
}

#[test]
fn query_faults_listing_secrets_and_stores() {
    let emulator = Emulator::start();
    let Some(mut tf) = Workdir::at_least(
        &emulator,
        "query_faults_listing_secrets_and_stores",
        (1, 14),
        "terraform query",
    ) else {
        return;
    };
    tf.set_env("CLOUDFLARE_MAX_RETRIES", "1");
    tf.set_env("CLOUDFLARE_MIN_BACKOFF", "0.01");
    tf.set_env("CLOUDFLARE_MAX_BACKOFF", "0.05");
    let store = emulator.create_store("default_secrets_store");
    emulator.create_secret(&store, "LISTED_A", "a");
    emulator.create_secret(&store, "LISTED_B", "b");
    tf.config("provider \"cloudflare\" {}");
    tf.write_file(
        "all.tfquery.hcl",
        "list \"cloudflare_store_secret\" \"all\" {\n  provider = cloudflare\n}\n\n\
         list \"cloudflare_secrets_store\" \"stores\" {\n  provider = cloudflare\n}\n",
    );
    let scenario = Scenario::new(
        "(d) query",
        emulator,
        tf,
        Command::Query,
        vec![STORES, LISTING],
    );
    assert!(
        scenario.healthy.contains("LISTED_A") && scenario.healthy.contains("LISTED_B"),
        "{}",
        scenario.healthy
    );
    scenario.run_matrix();
}

#[test]
fn plan_faults_refreshing_an_empty_store() {
    let emulator = Emulator::start();
    let Some(tf) = workdir(&emulator, "plan_faults_refreshing_an_empty_store") else {
        return;
    };
    tf.config("resource \"cloudflare_secrets_store\" \"empty\" {}\n");
    tf.apply();
    // An empty listing proves nothing, so the refresh also reads the store itself.
    let scenario = Scenario::new(
        "(e) empty store",
        emulator,
        tf,
        Command::Plan,
        vec![LISTING, STORE_GET],
    );
    scenario.run_matrix();
}

#[test]
fn plan_faults_refreshing_a_secret_deleted_outside_terraform() {
    let emulator = Emulator::start();
    let Some(tf) = workdir(
        &emulator,
        "plan_faults_refreshing_a_secret_deleted_outside_terraform",
    ) else {
        return;
    };
    tf.config(
        "resource \"cloudflare_secrets_store\" \"main\" {}\n\n\
         resource \"cloudflare_store_secret\" \"s\" {\n  for_each         = toset([\"KEPT\", \"DELETED\"])\n  \
         store_id         = cloudflare_secrets_store.main.id\n  name             = each.key\n  \
         value_wo         = \"v\"\n  value_wo_version = 1\n}\n",
    );
    tf.apply();
    let deleted = tf.resource("cloudflare_store_secret.s[\"DELETED\"]");
    let path = format!(
        "/stores/{}/secrets/{}",
        deleted["store_id"].as_str().unwrap(),
        deleted["id"].as_str().unwrap()
    );
    emulator.api("DELETE", &path, None);
    // The listing no longer shows it, so its refresh confirms with its own GET (a 404: gone).
    let scenario = Scenario::new(
        "(f) deleted outside",
        emulator,
        tf,
        Command::Plan,
        vec![LISTING, SECRET_GET],
    );
    assert!(
        scenario
            .healthy
            .contains("cloudflare_store_secret.s[\"DELETED\"] [\"create\"]"),
        "{}",
        scenario.healthy
    );
    scenario.run_matrix();
}
