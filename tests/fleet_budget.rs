//! The fleet test: six `terraform apply` runs at once, in six working directories with one
//! token, 15 secrets each, then the six `destroy`s, against an emulator that enforces a
//! scaled-down Cloudflare budget (20 requests per 15 s, then a lockout as long as the window).
//! The provider processes share the budget only through the API's `Ratelimit` headers. Five
//! passes in a row must each succeed without a lockout, end exact (90 secrets, then none), and
//! pace down to the reserve (so the pacing was exercised, not avoided). Prints one row per pass.
//!
//! Not an `acc_*` test: CI runs it once (on the terraform on PATH), not once per Terraform
//! version, as it takes minutes by design. `FLEET_PASSES=n` changes the number of passes;
//! `FLEET_PROVIDER_BINARY=path` runs another build of the provider (e.g. one from before header
//! pacing, to measure what it does), and then only reports, asserting nothing.

mod acc_harness;
mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

use acc_harness::{ACCOUNT_ID, API_TOKEN, Emulator, Run, Workdir};
use api_emulator::{EmulatorConfig, RateBudget, RateLimitReport};

const RUNS: usize = 6;
const SECRETS_PER_RUN: usize = 15;
const BUDGET: RateBudget = RateBudget {
    quota: 20,
    window: Duration::from_secs(15),
};
/// The reserve the runs keep: one request for each provider process that may send its first
/// request without knowing the budget. A process learns the budget from its first answer, and
/// each Terraform command starts new ones: a plan process and an apply process per run, so a
/// step of the fleet (six applies, or six destroys) starts with up to 12 such requests, all at
/// once, at whatever the budget was left at. The default reserve, a tenth of the quota, is 120
/// at Cloudflare's 1,200 and covers that many times over; scaled down to a quota of 20 it would
/// be 2, and the fleet's own first requests alone could overrun the budget.
/// `FLEET_RESERVE=n` runs with another reserve (`default`: the provider's default).
const RESERVE: u32 = 2 * RUNS as u32;
const DEFAULT_PASSES: usize = 5;

fn config(run: usize) -> String {
    format!(
        r#"resource "cloudflare_store_secret" "secret" {{
  for_each = toset([for i in range({SECRETS_PER_RUN}) : format("FLEET_{run}_%02d", i)])

  name             = each.key
  value_wo         = "value-${{each.key}}"
  value_wo_version = 1
}}"#
    )
}

/// What one pass measured.
struct Pass {
    apply: Duration,
    destroy: Duration,
    report_after_apply: RateLimitReport,
    report: RateLimitReport,
    secrets_after_apply: BTreeSet<String>,
    secrets_after_destroy: usize,
    failures: Vec<String>,
    /// The runs' output (apply and destroy) and provider debug logs, all together.
    output: String,
    logs: String,
}

fn wait_all(children: Vec<Child>) -> Vec<Run> {
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().expect("waiting for terraform");
            Run {
                code: output.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }
        })
        .collect()
}

fn one_pass(pass: usize, provider: Option<&PathBuf>, reserve: Option<u32>) -> Option<Pass> {
    let emulator = Emulator::start_with(EmulatorConfig {
        rate_limit: Some(BUDGET),
        ..EmulatorConfig::new(ACCOUNT_ID, API_TOKEN)
    });
    let mut dirs = Vec::new();
    let mut logs = Vec::new();
    for run in 0..RUNS {
        let test = format!("fleet_budget_pass{pass}_run{run}");
        let mut dir = match provider {
            Some(binary) => Workdir::with_provider_binary(&emulator, &test, binary)?,
            None => Workdir::new(&emulator, &test)?,
        };
        // The provider's defaults, as users run it (the harness lifts the client-side rate),
        // and the fleet's reserve.
        dir.set_env("CLOUDFLARE_RPS", "3.5");
        if let Some(reserve) = reserve {
            dir.set_env("CLOUDFLARE_RATE_LIMIT_RESERVE", &reserve.to_string());
        }
        dir.set_env("CLOUDFLARE_SECRET_ACTIVATION_TIMEOUT", "5m");
        // Every run's provider debug log (in its working directory, or FLEET_LOG_DIR).
        let log = std::env::var_os("FLEET_LOG_DIR")
            .map_or_else(|| dir.path().to_path_buf(), PathBuf::from)
            .join(format!("pass{pass}-run{run}.log"));
        dir.set_env("TF_LOG_PROVIDER", "debug");
        dir.set_env("TF_LOG_PATH", &log.to_string_lossy());
        logs.push(log);
        dir.config(&config(run));
        dirs.push(dir);
    }
    let mut failures = Vec::new();
    let mut output = String::new();
    let mut check = |failures: &mut Vec<String>, step: &str, runs: Vec<Run>| {
        for (run, result) in runs.iter().enumerate() {
            if result.code != 0 {
                failures.push(format!("{step} {run}: {}", result.text()));
            }
            output.push_str(&result.text());
        }
    };
    let args = ["apply", "-auto-approve", "-input=false", "-no-color"];
    let started = Instant::now();
    check(
        &mut failures,
        "apply",
        wait_all(dirs.iter().map(|d| d.spawn(&args)).collect()),
    );
    let apply = started.elapsed();
    let report_after_apply = emulator.state.rate_limit_report();
    let secrets_after_apply: BTreeSet<String> = emulator
        .state
        .secrets()
        .into_iter()
        .map(|s| s.name)
        .collect();
    let secrets_listed = emulator.state.secrets().len();
    if secrets_listed != secrets_after_apply.len() {
        failures.push(format!(
            "{secrets_listed} secrets for {} names",
            secrets_after_apply.len()
        ));
    }

    let args = ["destroy", "-auto-approve", "-input=false", "-no-color"];
    let started = Instant::now();
    check(
        &mut failures,
        "destroy",
        wait_all(dirs.iter().map(|d| d.spawn(&args)).collect()),
    );
    let destroy = started.elapsed();
    let logs = logs
        .iter()
        .map(|log| std::fs::read_to_string(log).unwrap_or_default())
        .collect();
    Some(Pass {
        output,
        logs,
        apply,
        destroy,
        report_after_apply,
        report: emulator.state.rate_limit_report(),
        secrets_after_apply,
        secrets_after_destroy: emulator.state.secrets().len(),
        failures,
    })
}

fn print_row(pass: usize, p: &Pass) {
    let lowest = |r: &RateLimitReport| r.lowest_remaining.map_or("-".into(), |r| r.to_string());
    println!(
        "pass {pass}: apply {:>5.1} s, {:>3} requests, {:>2} 429s, {} lockouts | destroy {:>5.1} s, \
         {:>3} requests, {:>2} 429s, {} lockouts | lowest r {} | secrets {} then {}",
        p.apply.as_secs_f64(),
        p.report_after_apply.requests,
        p.report_after_apply.budget_429s,
        p.report_after_apply.lockouts,
        p.destroy.as_secs_f64(),
        p.report.requests - p.report_after_apply.requests,
        p.report.budget_429s - p.report_after_apply.budget_429s,
        p.report.lockouts - p.report_after_apply.lockouts,
        lowest(&p.report),
        p.secrets_after_apply.len(),
        p.secrets_after_destroy,
    );
}

#[test]
fn six_runs_sharing_one_token_stay_within_the_budget_and_end_exact() {
    let passes: usize = std::env::var("FLEET_PASSES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_PASSES);
    let provider = std::env::var_os("FLEET_PROVIDER_BINARY").map(PathBuf::from);
    let reserve = match std::env::var("FLEET_RESERVE").ok().as_deref() {
        None => Some(RESERVE),
        Some("default") => None,
        Some(n) => Some(n.parse().expect("FLEET_RESERVE is a number or `default`")),
    };
    let expected_lowest = reserve.unwrap_or(BUDGET.quota / 10);
    let expected: BTreeSet<String> = (0..RUNS)
        .flat_map(|run| (0..SECRETS_PER_RUN).map(move |i| format!("FLEET_{run}_{i:02}")))
        .collect();
    println!(
        "{RUNS} applies x {SECRETS_PER_RUN} secrets, then {RUNS} destroys, one token, budget {} \
         requests per {} s, reserve {}{}",
        BUDGET.quota,
        BUDGET.window.as_secs(),
        reserve.map_or("default".to_string(), |r| r.to_string()),
        provider
            .as_ref()
            .map(|p| format!(", provider {}", p.display()))
            .unwrap_or_default()
    );
    for pass in 1..=passes {
        let Some(result) = one_pass(pass, provider.as_ref(), reserve) else {
            return;
        };
        print_row(pass, &result);
        if provider.is_some() {
            // Measuring another build: report only.
            continue;
        }
        assert!(
            result.failures.is_empty(),
            "pass {pass}: {:#?}",
            result.failures
        );
        assert_eq!(
            result.report.lockouts, 0,
            "pass {pass}: the budget was overrun"
        );
        assert_eq!(
            result.secrets_after_apply, expected,
            "pass {pass}: not exact after apply"
        );
        assert_eq!(result.secrets_after_destroy, 0, "pass {pass}: left behind");
        // The budget is in the debug log, and a run held up for long says so; neither the token
        // nor a value is anywhere.
        assert!(
            result.logs.contains("Cloudflare API rate-limit budget"),
            "pass {pass}: no budget in the debug log"
        );
        assert!(
            result
                .output
                .contains("Slowed down by the Cloudflare API rate limit"),
            "pass {pass}: no run said it waited"
        );
        for text in [&result.logs, &result.output] {
            assert!(
                !text.contains(API_TOKEN) && !text.contains("value-FLEET_"),
                "pass {pass}"
            );
        }
        let lowest = result.report.lowest_remaining.expect("headers were sent");
        assert!(
            lowest <= expected_lowest,
            "pass {pass}: the budget never came down to the reserve ({lowest} left at the \
             lowest), so the pacing was not exercised"
        );
    }
}
