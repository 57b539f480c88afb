//! Benchmark: `terraform apply` / refreshing `plan` / `destroy` of 1 store + 20 secrets
//! (`examples/module`) against the in-process emulator, with each provider process's peak RSS,
//! wall times and API requests per command, next to the same steps with the test-only provider
//! (same number of resources) measured in the same run. Then, at scale: 100 secrets at the
//! provider's default rate limit at emulator activation delays of 0, 300 (the default) and
//! 2000 ms (one round each, wall time and requests per endpoint), and 1 store + N secrets next to 1 + N built-in `terraform_data`
//! resources for N = 100 and N = 1000 (rate limit lifted, activation immediate; ratio rows),
//! with the same configuration on `bench_floor_provider` (the shipped schemas, nothing behind
//! them) as the floor any plugin provider pays.
//!
//! `cargo run --release --example bench_apply [-- <rounds> [<rounds at N = 1000>]]` (default 3
//! rounds, 1 at N = 1000: a round there takes minutes). `BENCH_APPLY_ONLY=module,default-rate,
//! ratio-100,ratio-1000` (any of them) runs only those parts. Needs `terraform`
//! (or `tofu`) and `/usr/bin/time` (for peak RSS). Prints figures only; asserts no timings.

#[path = "bench_support/mod.rs"]
mod bench_support;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output, Stdio};
use std::time::{Duration, Instant};

use api_emulator::{EmulatorConfig, EmulatorState, RateBudget, RequestRecord, RunningEmulator};
use bench_support::{Providers, Summary, build_providers, kib_or_mib, profile_name, repo};
use rand::Rng;
use rand::distr::Alphanumeric;

const PROVIDER_SOURCE: &str = "cfsecrets/cloudflare";
const ACCOUNT_ID: &str = "be0cbe0cbe0cbe0cbe0cbe0cbe0cbe0c";
const API_TOKEN: &str = "bench-apply-token";
/// `CLOUDFLARE_RPS` for the timing figures: high enough that the client-side limit never waits.
const FAST_RPS: &str = "1000";
const DEFAULT_ROUNDS: usize = 3;
/// Secrets in the default-rate scenario.
const DEFAULT_RATE_SECRETS: usize = 100;
/// The emulator's activation delays the default-rate scenario runs at: immediate, the
/// emulator's default, and a slow one. Cloudflare documents no delay, so the provider's poll
/// schedule must do well across the range, not only at the emulator's default.
const DEFAULT_RATE_ACTIVATION_DELAYS_MS: [u64; 3] = [0, 300, 2000];
/// Secret counts of the rows against `terraform_data`.
const RATIO_SECRETS: [usize; 2] = [100, 1000];
/// The emulator's account limit for the scale scenarios (`--max-secrets 1100`).
const SCALE_MAX_SECRETS: usize = 1100;
const TIME_PROGRAM: &str = "/usr/bin/time";
/// Environment that would point terraform or the provider elsewhere.
const INHERITED_ENV: &[&str] = &[
    "CLOUDFLARE_API_KEY",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_ACCOUNT_ID",
    "CLOUDFLARE_BASE_URL",
    "CLOUDFLARE_RPS",
    "TF_LOG",
    "TF_LOG_PROVIDER",
    "TF_REATTACH_PROVIDERS",
    "TF_CLI_ARGS",
    "TF_CLI_ARGS_apply",
    "TF_CLI_ARGS_plan",
    "TF_CLI_ARGS_destroy",
    "TF_DATA_DIR",
    "TOKIO_WORKER_THREADS",
];

type BenchResult<T> = Result<T, String>;

/// Rounds of the N = 1000 rows unless given.
const DEFAULT_LARGE_ROUNDS: usize = 1;
/// The parts `BENCH_APPLY_ONLY` may name.
const PARTS: [&str; 4] = ["module", "default-rate", "ratio-100", "ratio-1000"];

/// A positive number from argument `index`, else `default`.
fn count_arg(index: usize, default: usize) -> Result<usize, String> {
    match std::env::args().nth(index) {
        None => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!(
                "usage: bench_apply [rounds] [rounds at N = 1000]  (positive numbers, not {text:?})"
            )),
        },
    }
}

fn main() -> ExitCode {
    let counts = count_arg(1, DEFAULT_ROUNDS)
        .and_then(|rounds| Ok((rounds, count_arg(2, DEFAULT_LARGE_ROUNDS)?)));
    let (rounds, large_rounds) = match counts {
        Ok(counts) => counts,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::FAILURE;
        }
    };
    let parts: Vec<String> = match std::env::var("BENCH_APPLY_ONLY") {
        Ok(list) => list.split(',').map(|p| p.trim().to_string()).collect(),
        Err(_) => PARTS.iter().map(|p| p.to_string()).collect(),
    };
    if let Some(unknown) = parts.iter().find(|p| !PARTS.contains(&p.as_str())) {
        eprintln!("BENCH_APPLY_ONLY: unknown part {unknown:?}; use any of {PARTS:?}");
        return ExitCode::FAILURE;
    }
    match run(rounds, large_rounds, &parts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench_apply failed: {message}");
            ExitCode::FAILURE
        }
    }
}

/// One terraform command of a round.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Step {
    Apply,
    Plan,
    Destroy,
}

impl Step {
    const ALL: [Step; 3] = [Step::Apply, Step::Plan, Step::Destroy];

    fn args(self) -> &'static [&'static str] {
        match self {
            Step::Apply => &["apply", "-auto-approve", "-input=false", "-no-color"],
            Step::Plan => &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
            Step::Destroy => &["destroy", "-auto-approve", "-input=false", "-no-color"],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Step::Apply => "apply",
            Step::Plan => "plan (refresh)",
            Step::Destroy => "destroy",
        }
    }
}

/// What one step measured.
struct StepResult {
    wall: Duration,
    /// CPU time (user + system) of Terraform, the provider processes it started, and this
    /// process (where the emulator runs), in clock ticks' resolution: a figure that, unlike
    /// wall time, hardly moves when other work shares the machine.
    cpu: Duration,
    /// Peak RSS of each provider process the command started, in KiB.
    peak_rss_kib: Vec<u64>,
    /// Emulator requests made during the command (empty for the test provider).
    requests: Vec<RequestRecord>,
}

/// Which provider a scenario runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Subject {
    Cloudflare,
    TestProvider,
    /// `bench_floor_provider`: the shipped schemas with no API and no plan logic behind them.
    Floor,
    /// Terraform's built-in `terraform_data` (no provider process).
    TerraformData,
}

impl Subject {
    fn label(self) -> &'static str {
        match self {
            Subject::Cloudflare => "terraform-provider-cloudflare",
            Subject::TestProvider => "baseline: protocol_test_provider",
            Subject::Floor => "baseline: bench_floor_provider",
            Subject::TerraformData => "baseline: terraform_data",
        }
    }
}

struct Tools {
    terraform: PathBuf,
    providers: Providers,
    secret_names: Vec<String>,
    runtime: tokio::runtime::Runtime,
}

fn run(rounds: usize, large_rounds: usize, parts: &[String]) -> BenchResult<()> {
    let terraform = find_terraform()?;
    if !Path::new(TIME_PROGRAM).is_file() {
        return Err(format!(
            "{TIME_PROGRAM} is needed to record each provider process's peak RSS (GNU time)"
        ));
    }
    let providers = build_providers()?;
    let secret_names = module_secret_names()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|error| format!("starting a tokio runtime for the emulator: {error}"))?;
    let tools = Tools {
        terraform,
        providers,
        secret_names,
        runtime,
    };
    // Warm terraform's binary into the page cache so the first measured command is not special.
    run_command(Command::new(&tools.terraform).arg("version"))?;

    let activation = EmulatorConfig::new(ACCOUNT_ID, API_TOKEN).activation_delay;
    println!(
        "bench_apply: {} build, {} cores, {} round(s), {}",
        profile_name(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        rounds,
        terraform_version(&tools.terraform),
    );
    println!(
        "  cloudflare: examples/module, 1 store + {} write-only secrets, in-process emulator \
         (activation delay {} ms, which apply waits out per new secret), CLOUDFLARE_RPS={FAST_RPS} (default 3.5 would dominate wall time)",
        tools.secret_names.len(),
        activation.as_millis(),
    );
    println!(
        "  baseline:   the test-only provider, 1 + {} cloudflare_test_thing (write-only token), \
         JSON file store",
        tools.secret_names.len(),
    );
    println!("  terraform's default -parallelism=10; peak RSS = VmHWM via {TIME_PROGRAM} -f %M");
    println!();
    let part = |name: &str| parts.iter().any(|p| p == name);
    if part("module") {
        module_rounds(&tools, rounds, activation)?;
    }
    if part("default-rate") {
        for delay in DEFAULT_RATE_ACTIVATION_DELAYS_MS {
            print_default_rate(&tools, Duration::from_millis(delay))?;
        }
    }
    let sizes: Vec<(usize, usize)> = [(RATIO_SECRETS[0], rounds), (RATIO_SECRETS[1], large_rounds)]
        .into_iter()
        .filter(|(n, _)| part(&format!("ratio-{n}")))
        .collect();
    if !sizes.is_empty() {
        print_ratios(&tools, &sizes)?;
    }
    Ok(())
}

/// `examples/module` with both providers, `rounds` times; one apply each at the default rate
/// and with no activation wait.
fn module_rounds(tools: &Tools, rounds: usize, activation: Duration) -> BenchResult<()> {
    let mut results: BTreeMap<(Step, &str), Vec<StepResult>> = BTreeMap::new();
    for round in 1..=rounds {
        eprintln!("round {round}/{rounds}");
        for subject in [Subject::TestProvider, Subject::Cloudflare] {
            let setup = RoundSetup {
                rps: Some(FAST_RPS),
                activation_delay: activation,
                generated: None,
            };
            for (step, result) in run_round(tools, subject, setup, &Step::ALL)? {
                results
                    .entry((step, subject.label()))
                    .or_default()
                    .push(result);
            }
        }
    }
    print_timings(&results);
    print_layer_cost(&results);
    print_requests(&results);

    println!("\nOne apply each (cloudflare provider, fresh emulator):");
    let variants = [
        (
            "default CLOUDFLARE_RPS (3.5 requests/s), activation delay as above",
            RoundSetup {
                rps: None,
                activation_delay: activation,
                generated: None,
            },
        ),
        (
            "CLOUDFLARE_RPS=1000, emulator activation delay 0 ms (no waiting at all)",
            RoundSetup {
                rps: Some(FAST_RPS),
                activation_delay: Duration::ZERO,
                generated: None,
            },
        ),
    ];
    for (label, setup) in variants {
        let runs = run_round(tools, Subject::Cloudflare, setup, &[Step::Apply])?;
        if let Some((_, result)) = runs.first() {
            println!(
                "  {label}: {:.2} s, {} API requests",
                result.wall.as_secs_f64(),
                result.requests.len()
            );
        }
    }
    Ok(())
}

/// 100 secrets at the provider's default rate limit and the emulator activation delay
/// `activation`: one round of apply / refreshing plan / destroy, wall time and requests per
/// endpoint.
fn print_default_rate(tools: &Tools, activation: Duration) -> BenchResult<()> {
    println!(
        "\n{DEFAULT_RATE_SECRETS} secrets (1 store + {DEFAULT_RATE_SECRETS} write-only secrets, generated \
         configuration), default CLOUDFLARE_RPS (3.5 requests/s), activation delay {} ms, one round:",
        activation.as_millis()
    );
    eprintln!(
        "{DEFAULT_RATE_SECRETS} secrets at the default rate, activation delay {} ms",
        activation.as_millis()
    );
    let setup = RoundSetup {
        rps: None,
        activation_delay: activation,
        generated: Some(DEFAULT_RATE_SECRETS),
    };
    for (step, result) in run_round(tools, Subject::Cloudflare, setup, &Step::ALL)? {
        println!(
            "  {:<15} {:>8.2} s  {:>5} requests",
            step.label(),
            result.wall.as_secs_f64(),
            result.requests.len()
        );
        for (endpoint, count) in by_endpoint(&result.requests) {
            println!("    {count:>5}  {endpoint}");
        }
    }
    Ok(())
}

/// 1 store + N secrets next to the same configuration on `bench_floor_provider` and 1 + N
/// `terraform_data`, rate limit lifted and activation immediate, for each (N, rounds) of
/// `sizes`: median wall and CPU times and their ratios.
///
/// The floor provider serves the shipped schemas with nothing behind them, so the figures split
/// the distance to `terraform_data` into what Terraform spends on any plugin serving this schema
/// (floor / `terraform_data`) and what the shipped provider adds to that (cloudflare / floor).
fn print_ratios(tools: &Tools, sizes: &[(usize, usize)]) -> BenchResult<()> {
    println!(
        "\nAgainst terraform_data: 1 store + N secrets vs 1 + N terraform_data, CLOUDFLARE_RPS={FAST_RPS}, \
         activation delay 0 ms, emulator max secrets {SCALE_MAX_SECRETS}; \"floor\" is the same \
         configuration on bench_floor_provider (the shipped schemas, no API behind them). Median of \
         the rounds, wall time and CPU time (Terraform + provider processes + emulator; it moves \
         little when other work shares the machine):"
    );
    println!(
        "  {:>5}  {:>6}  {:<15} {:>10} {:>10} {:>10} {:>7} {:>7} {:>8} {:>15} {:>10} {:>10} {:>10} {:>7} {:>7} {:>8} {:>9}",
        "N",
        "rounds",
        "command",
        "cloudflare",
        "floor",
        "tf_data",
        "cf/td",
        "fl/td",
        "cf/fl",
        "cf/td per round",
        "cpu: cf",
        "cpu: fl",
        "cpu: td",
        "cf/td",
        "fl/td",
        "cf/fl",
        "requests"
    );
    const SUBJECTS: [Subject; 3] = [Subject::TerraformData, Subject::Floor, Subject::Cloudflare];
    for &(n, rounds) in sizes {
        let setup = RoundSetup {
            rps: Some(FAST_RPS),
            activation_delay: Duration::ZERO,
            generated: Some(n),
        };
        let mut results: BTreeMap<(Step, &str), Vec<StepResult>> = BTreeMap::new();
        for round in 1..=rounds {
            eprintln!("N = {n}: round {round}/{rounds}");
            for subject in SUBJECTS {
                for (step, result) in run_round(tools, subject, setup, &Step::ALL)? {
                    results
                        .entry((step, subject.label()))
                        .or_default()
                        .push(result);
                }
            }
        }
        // Median wall and CPU seconds of `subject` at `step`.
        let medians = |step: Step, subject: Subject| {
            results.get(&(step, subject.label())).map(|runs| {
                let median = |figure: fn(&StepResult) -> Duration| {
                    Summary::of(&runs.iter().map(figure).collect::<Vec<_>>())
                        .median
                        .as_secs_f64()
                };
                (median(|run| run.wall), median(|run| run.cpu))
            })
        };
        for step in Step::ALL {
            let (Some(cloudflare), Some(floor), Some(baseline)) = (
                medians(step, Subject::Cloudflare),
                medians(step, Subject::Floor),
                medians(step, Subject::TerraformData),
            ) else {
                continue;
            };
            let ratio = |a: f64, b: f64| a / b.max(0.01);
            let requests = results
                .get(&(step, Subject::Cloudflare.label()))
                .map_or(0, |runs| runs[0].requests.len());
            // The spread of the wall-time ratio from round to round: what noise alone moves.
            let per_round: Vec<f64> = results[&(step, Subject::Cloudflare.label())]
                .iter()
                .zip(&results[&(step, Subject::TerraformData.label())])
                .map(|(cf, td)| ratio(cf.wall.as_secs_f64(), td.wall.as_secs_f64()))
                .collect();
            let spread = format!(
                "{:.2}-{:.2}x",
                per_round.iter().copied().fold(f64::INFINITY, f64::min),
                per_round.iter().copied().fold(0.0, f64::max)
            );
            // Three times (cloudflare, floor, terraform_data) and their three ratios.
            let columns = |(cf, fl, td): (f64, f64, f64)| {
                format!(
                    "{cf:>8.2} s {fl:>8.2} s {td:>8.2} s {:>6.2}x {:>6.2}x {:>7.2}x",
                    ratio(cf, td),
                    ratio(fl, td),
                    ratio(cf, fl)
                )
            };
            println!(
                "  {n:>5}  {rounds:>6}  {:<15} {} {spread:>15} {} {requests:>9}",
                step.label(),
                columns((cloudflare.0, floor.0, baseline.0)),
                columns((cloudflare.1, floor.1, baseline.1)),
            );
        }
    }
    Ok(())
}

/// How the provider and the emulator are set up for one round.
#[derive(Clone, Copy)]
struct RoundSetup {
    /// `CLOUDFLARE_RPS`, or `None` for the provider's default.
    rps: Option<&'static str>,
    /// How long the emulator keeps a new secret `pending`.
    activation_delay: Duration,
    /// `None`: `examples/module` (20 secrets); `Some(n)`: a generated configuration of one
    /// store and `n` secrets (emulator limit raised to [`SCALE_MAX_SECRETS`]).
    generated: Option<usize>,
}

impl RoundSetup {
    /// Whether each provider process runs under `/usr/bin/time` for its peak RSS (only the
    /// module scenario reports it; elsewhere the wrapper's extra exec per provider start would
    /// only add to the timings).
    fn measures_rss(&self) -> bool {
        self.generated.is_none()
    }
}

impl RoundSetup {
    fn secret_names(&self, tools: &Tools) -> Vec<String> {
        match self.generated {
            None => tools.secret_names.clone(),
            Some(n) => (0..n).map(|i| format!("BENCH_SECRET_{i:04}")).collect(),
        }
    }
}

/// Fresh emulator and workspace; runs `steps` in order and checks what each left behind.
fn run_round(
    tools: &Tools,
    subject: Subject,
    setup: RoundSetup,
    steps: &[Step],
) -> BenchResult<Vec<(Step, StepResult)>> {
    let scratch = tempfile::Builder::new()
        .prefix("cf-bench-apply-")
        .tempdir()
        .map_err(|error| format!("creating a scratch directory: {error}"))?;
    let emulator = match subject {
        Subject::Cloudflare => Some(
            tools
                .runtime
                .block_on(RunningEmulator::start(EmulatorState::new(EmulatorConfig {
                    activation_delay: setup.activation_delay,
                    max_secrets: if setup.generated.is_some() {
                        SCALE_MAX_SECRETS
                    } else {
                        EmulatorConfig::new(ACCOUNT_ID, API_TOKEN).max_secrets
                    },
                    // With the client's rate limit lifted, lift the budget the `Ratelimit`
                    // headers report too (Cloudflare's 1,200 per 5 minutes paces a client to
                    // about 3.6 requests a second); at the default rate keep Cloudflare's.
                    rate_limit: setup.rps.map(|_| RateBudget::LIFTED),
                    ..EmulatorConfig::new(ACCOUNT_ID, API_TOKEN)
                })))
                .map_err(|error| format!("starting the emulator: {error}"))?,
        ),
        Subject::TestProvider | Subject::Floor | Subject::TerraformData => None,
    };
    let secret_names = setup.secret_names(tools);
    let workspace = Workspace::new(
        scratch.path(),
        tools,
        subject,
        emulator.as_ref(),
        setup,
        &secret_names,
    )?;
    // The module example calls a child module, which `terraform get` installs (not timed).
    let get = workspace.terraform(&["get", "-no-color"])?;
    if !get.status.success() {
        return Err(format!(
            "terraform get failed ({}):\n{}",
            get.status,
            String::from_utf8_lossy(&get.stderr)
        ));
    }

    let mut results = Vec::new();
    for &step in steps {
        if let Some(emulator) = &emulator {
            emulator.state().clear_request_log();
        }
        let cpu_before = cpu_time()?;
        let started = Instant::now();
        let output = workspace.terraform(step.args())?;
        let wall = started.elapsed();
        let cpu = cpu_time()?.saturating_sub(cpu_before);
        if !output.status.success() {
            let what = if step == Step::Plan && output.status.code() == Some(2) {
                "the plan after apply is not empty"
            } else {
                "failed"
            };
            return Err(format!(
                "{} with {}: terraform {} {what} ({}):\n{}{}",
                subject.label(),
                step.label(),
                step.args()[0],
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
            ));
        }
        let requests = emulator
            .as_ref()
            .map(|emulator| emulator.state().request_log())
            .unwrap_or_default();
        if matches!(subject, Subject::Cloudflare | Subject::TestProvider) {
            workspace.check_remote(step, emulator.as_ref(), secret_names.len())?;
        }
        results.push((
            step,
            StepResult {
                wall,
                cpu,
                peak_rss_kib: workspace.take_peak_rss()?,
                requests,
            },
        ));
    }
    if let Some(emulator) = emulator {
        let _ = tools.runtime.block_on(emulator.shutdown());
    }
    Ok(results)
}

/// A scratch terraform working directory whose `dev_overrides` point at a wrapper script that
/// runs the provider under `/usr/bin/time`, so every provider process leaves its peak RSS.
struct Workspace {
    terraform: PathBuf,
    work_dir: PathBuf,
    rss_dir: PathBuf,
    remote_file: PathBuf,
    env: Vec<(OsString, OsString)>,
}

impl Workspace {
    fn new(
        scratch: &Path,
        tools: &Tools,
        subject: Subject,
        emulator: Option<&RunningEmulator>,
        setup: RoundSetup,
        secret_names: &[String],
    ) -> BenchResult<Workspace> {
        let io = |error: std::io::Error| format!("preparing the workspace: {error}");
        let work_dir = scratch.join("work");
        let plugin_dir = scratch.join("plugins");
        let rss_dir = scratch.join("rss");
        for dir in [&work_dir, &plugin_dir, &rss_dir] {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let remote_file = scratch.join("things.json");
        let real_provider = match subject {
            Subject::Cloudflare => &tools.providers.shipped,
            Subject::Floor => &tools.providers.floor,
            Subject::TestProvider | Subject::TerraformData => &tools.providers.test,
        };
        if setup.measures_rss() {
            write_wrapper(&plugin_dir, real_provider, &rss_dir).map_err(io)?;
        } else {
            std::os::unix::fs::symlink(
                real_provider,
                plugin_dir.join("terraform-provider-cloudflare"),
            )
            .map_err(io)?;
        }
        let cli_config = scratch.join("terraform.tfrc");
        std::fs::write(&cli_config, dev_overrides_config(&plugin_dir)).map_err(io)?;

        let values: serde_json::Map<String, serde_json::Value> = secret_names
            .iter()
            .map(|name| (name.clone(), random_string(32).into()))
            .collect();
        let mut env: Vec<(OsString, OsString)> = vec![
            ("TF_CLI_CONFIG_FILE".into(), cli_config.into()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            (
                "TF_VAR_secret_values".into(),
                serde_json::Value::Object(values).to_string().into(),
            ),
        ];
        match (subject, emulator) {
            (Subject::Cloudflare, Some(emulator)) => {
                match setup.generated {
                    None => {
                        copy_tree(&repo().join("examples").join("module"), &work_dir).map_err(io)?
                    }
                    Some(_) => std::fs::write(work_dir.join("main.tf"), GENERATED_CONFIGURATION)
                        .map_err(io)?,
                }
                env.push(("CLOUDFLARE_BASE_URL".into(), emulator.base_url().into()));
                env.push(("CLOUDFLARE_API_TOKEN".into(), API_TOKEN.into()));
                env.push(("CLOUDFLARE_ACCOUNT_ID".into(), ACCOUNT_ID.into()));
                if let Some(rps) = setup.rps {
                    env.push(("CLOUDFLARE_RPS".into(), rps.into()));
                }
            }
            (Subject::Floor, _) => {
                std::fs::write(work_dir.join("main.tf"), GENERATED_CONFIGURATION).map_err(io)?;
                env.push(("CLOUDFLARE_ACCOUNT_ID".into(), ACCOUNT_ID.into()));
            }
            (Subject::TerraformData, _) => {
                std::fs::write(work_dir.join("main.tf"), TERRAFORM_DATA_CONFIGURATION)
                    .map_err(io)?;
            }
            _ => {
                std::fs::write(
                    work_dir.join("main.tf"),
                    baseline_configuration(secret_names),
                )
                .map_err(io)?;
                env.push(("TF_VAR_store_path".into(), remote_file.clone().into()));
            }
        }
        Ok(Workspace {
            terraform: tools.terraform.clone(),
            work_dir,
            rss_dir,
            remote_file,
            env,
        })
    }

    fn terraform(&self, args: &[&str]) -> BenchResult<Output> {
        let mut command = Command::new(&self.terraform);
        command.current_dir(&self.work_dir).args(args);
        for name in INHERITED_ENV {
            command.env_remove(name);
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
            .stdin(Stdio::null())
            .output()
            .map_err(|error| format!("cannot run {}: {error}", self.terraform.display()))
    }

    /// The peak RSS (KiB) of every provider process that exited since the last call.
    fn take_peak_rss(&self) -> BenchResult<Vec<u64>> {
        let io = |error: std::io::Error| format!("reading peak RSS records: {error}");
        let mut peaks = Vec::new();
        for entry in std::fs::read_dir(&self.rss_dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            let text = std::fs::read_to_string(&path).map_err(io)?;
            // GNU time may put "Command terminated by signal N" first; the figure comes last.
            let figure = text
                .lines()
                .rev()
                .find_map(|line| line.trim().parse::<u64>().ok())
                .ok_or_else(|| format!("no RSS figure in {}: {text:?}", path.display()))?;
            peaks.push(figure);
            std::fs::remove_file(&path).map_err(io)?;
        }
        peaks.sort_unstable();
        Ok(peaks)
    }

    /// After apply everything exists, after destroy nothing does.
    fn check_remote(
        &self,
        step: Step,
        emulator: Option<&RunningEmulator>,
        secrets: usize,
    ) -> BenchResult<()> {
        let (stores, secrets_left) = match emulator {
            Some(emulator) => (
                emulator.state().stores().len(),
                emulator.state().secrets().len(),
            ),
            None => {
                let things = std::fs::read(&self.remote_file)
                    .ok()
                    .and_then(|bytes| {
                        serde_json::from_slice::<BTreeMap<String, serde_json::Value>>(&bytes).ok()
                    })
                    .map_or(0, |things| things.len());
                (things.min(1), things.saturating_sub(1))
            }
        };
        let expected = match step {
            Step::Apply | Step::Plan => (1, secrets),
            Step::Destroy => (0, 0),
        };
        if (stores, secrets_left) != expected {
            return Err(format!(
                "after {}: {stores} store(s) and {secrets_left} secret(s) remote, expected {} and {}",
                step.label(),
                expected.0,
                expected.1
            ));
        }
        Ok(())
    }
}

/// `terraform-provider-cloudflare` in `plugin_dir`: a shell script that execs the real provider
/// under GNU time, which writes the peak RSS to `<rss_dir>/<pid>.kib` when the provider exits.
/// User + system CPU time of this process and of its waited-for descendants (Terraform, and
/// through it every provider process), from `/proc/self/stat`.
fn cpu_time() -> BenchResult<Duration> {
    let text = std::fs::read_to_string("/proc/self/stat")
        .map_err(|error| format!("reading /proc/self/stat: {error}"))?;
    // Fields after the command name (which may hold spaces) in parentheses: utime, stime,
    // cutime and cstime are fields 14 to 17 of the line, 12 to 15 after ") ".
    let after_name = text
        .rsplit_once(") ")
        .map(|(_, rest)| rest)
        .ok_or_else(|| format!("unexpected /proc/self/stat: {text:?}"))?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields
        .get(11..15)
        .ok_or_else(|| format!("unexpected /proc/self/stat: {text:?}"))?
        .iter()
        .map(|field| field.parse::<u64>().unwrap_or(0))
        .sum();
    // USER_HZ is 100 on every Linux ABI Terraform ships for.
    Ok(Duration::from_millis(ticks * 10))
}

fn write_wrapper(plugin_dir: &Path, provider: &Path, rss_dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let script = plugin_dir.join("terraform-provider-cloudflare");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nexec {TIME_PROGRAM} -f %M -o '{}/'$$.kib '{}' \"$@\"\n",
            rss_dir.display(),
            provider.display()
        ),
    )?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
}

fn dev_overrides_config(plugin_dir: &Path) -> String {
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
        plugin_dir.display()
    )
}

/// The baseline: as many resources as the module example (one "store" plus one per secret),
/// each with a write-only value, on the test-only provider.
fn baseline_configuration(secret_names: &[String]) -> String {
    let names: Vec<String> = secret_names.iter().map(|n| format!("{n:?}")).collect();
    format!(
        r#"terraform {{
  required_providers {{
    cloudflare = {{
      source = "{PROVIDER_SOURCE}"
    }}
  }}
}}

variable "store_path" {{
  type = string
}}

variable "secret_values" {{
  type      = map(string)
  sensitive = true
}}

provider "cloudflare" {{
  store_path = var.store_path
}}

resource "cloudflare_test_thing" "store" {{
  name = "store"
}}

resource "cloudflare_test_thing" "secret" {{
  for_each = toset([{}])

  name             = each.key
  note             = "secret ${{each.key}}"
  token_wo         = var.secret_values[each.key]
  token_wo_version = 1
  depends_on       = [cloudflare_test_thing.store]
}}
"#,
        names.join(", ")
    )
}

/// One store and a write-only secret per entry of `var.secret_values` (the scale scenarios).
const GENERATED_CONFIGURATION: &str = r#"terraform {
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

provider "cloudflare" {}

variable "secret_values" {
  type      = map(string)
  sensitive = true
}

resource "cloudflare_secrets_store" "main" {
  adopt = true
}

resource "cloudflare_store_secret" "secret" {
  for_each = nonsensitive(toset(keys(var.secret_values)))

  store_id         = cloudflare_secrets_store.main.id
  name             = each.key
  value_wo         = var.secret_values[each.key]
  value_wo_version = 1
}
"#;

/// The `terraform_data` baseline: 1 + N resources of Terraform's built-in provider, shaped like
/// the generated configuration (one "store", then one per secret depending on it) and iterating
/// over the same `for_each` expression, so the two differ only in the provider: Terraform
/// evaluates `for_each` once per instance, and a different expression (e.g. a literal list,
/// which Terraform converts to a set element by element) would weigh on one side only.
const TERRAFORM_DATA_CONFIGURATION: &str = r#"variable "secret_values" {
  type      = map(string)
  sensitive = true
}

resource "terraform_data" "store" {
  input = "store"
}

resource "terraform_data" "secret" {
  for_each = nonsensitive(toset(keys(var.secret_values)))

  input = {
    store = terraform_data.store.id
    name  = each.key
  }
}
"#;

/// The secret names `examples/module/main.tf` passes to its child module (`secret_comments`).
fn module_secret_names() -> BenchResult<Vec<String>> {
    let path = repo().join("examples").join("module").join("main.tf");
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("reading {}: {error}", path.display()))?;
    let names: Vec<String> = text
        .lines()
        .skip_while(|line| !line.contains("secret_comments = {"))
        .skip(1)
        .take_while(|line| line.trim() != "}")
        .filter_map(|line| {
            line.split_once('=')
                .map(|(name, _)| name.trim().to_string())
        })
        .collect();
    if names.is_empty() {
        return Err(format!(
            "found no secret_comments entries in {}",
            path.display()
        ));
    }
    Ok(names)
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let Some(name) = path.file_name() else {
            continue;
        };
        if path.is_dir() {
            if name != ".terraform" {
                copy_tree(&path, &to.join(name))?;
            }
        } else if path.extension().is_some_and(|ext| ext == "tf") {
            std::fs::copy(&path, to.join(name))?;
        }
    }
    Ok(())
}

fn print_timings(results: &BTreeMap<(Step, &str), Vec<StepResult>>) {
    println!(
        "{:<15} {:<34} {:>22} {:>6} {:>12}  peak RSS per process (round 1)",
        "command", "provider", "wall median (min-max)", "procs", "max RSS"
    );
    for ((step, subject), runs) in results {
        let summary = Summary::of(&runs.iter().map(|run| run.wall).collect::<Vec<_>>());
        let max_rss = runs
            .iter()
            .flat_map(|run| run.peak_rss_kib.iter().copied())
            .max();
        let first: Vec<String> = runs[0]
            .peak_rss_kib
            .iter()
            .map(|&kib| kib_or_mib(kib))
            .collect();
        println!(
            "{:<15} {:<34} {:>22} {:>6} {:>12}  {}",
            step.label(),
            subject,
            format!(
                "{:.2} s ({:.2}-{:.2})",
                summary.median.as_secs_f64(),
                summary.min.as_secs_f64(),
                summary.max.as_secs_f64()
            ),
            runs[0].peak_rss_kib.len(),
            max_rss.map_or_else(|| "n/a".into(), kib_or_mib),
            first.join(", "),
        );
    }
}

/// Per command: the cloudflare provider's median wall time and max RSS minus the baseline's.
fn print_layer_cost(results: &BTreeMap<(Step, &str), Vec<StepResult>>) {
    println!("\nWhat the Cloudflare layer costs (cloudflare minus baseline):");
    for step in Step::ALL {
        let (Some(cloudflare), Some(baseline)) = (
            results.get(&(step, Subject::Cloudflare.label())),
            results.get(&(step, Subject::TestProvider.label())),
        ) else {
            continue;
        };
        let median = |runs: &[StepResult]| {
            Summary::of(&runs.iter().map(|run| run.wall).collect::<Vec<_>>())
                .median
                .as_secs_f64()
        };
        let max_rss = |runs: &[StepResult]| {
            runs.iter()
                .flat_map(|run| run.peak_rss_kib.iter().copied())
                .max()
                .unwrap_or(0) as f64
                / 1024.0
        };
        println!(
            "  {:<15} wall {:+.2} s, max RSS per process {:+.1} MiB",
            step.label(),
            median(cloudflare) - median(baseline),
            max_rss(cloudflare) - max_rss(baseline),
        );
    }
}

fn print_requests(results: &BTreeMap<(Step, &str), Vec<StepResult>>) {
    println!("\nAPI requests per command (cloudflare provider; breakdown of round 1):");
    for ((step, subject), runs) in results {
        if *subject != Subject::Cloudflare.label() {
            continue;
        }
        let totals: Vec<String> = runs
            .iter()
            .map(|run| run.requests.len().to_string())
            .collect();
        println!(
            "  {}: {} requests (per round: {})",
            step.label(),
            runs[0].requests.len(),
            totals.join(", ")
        );
        for (endpoint, count) in by_endpoint(&runs[0].requests) {
            println!("    {count:>4}  {endpoint}");
        }
    }
}

/// How many of `requests` went to each endpoint.
fn by_endpoint(requests: &[RequestRecord]) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for record in requests {
        *counts.entry(endpoint(record)).or_default() += 1;
    }
    counts
}

/// `METHOD /path/with/{placeholders} -> status`, ids replaced by what they identify.
fn endpoint(record: &RequestRecord) -> String {
    let path = record
        .path
        .strip_prefix(api_emulator::API_PREFIX)
        .unwrap_or(&record.path);
    let mut template = Vec::new();
    let mut previous = "";
    for segment in path.split('/') {
        let placeholder = match previous {
            "accounts" => Some("{account_id}"),
            "stores" => Some("{store_id}"),
            "secrets" => Some("{secret_id}"),
            _ => None,
        };
        template.push(placeholder.unwrap_or(segment));
        previous = segment;
    }
    let query = if record.query.is_some() { "?…" } else { "" };
    format!(
        "{} {}{query} -> {}",
        record.method,
        template.join("/"),
        record.status
    )
}

/// `TF_ACC_TERRAFORM_PATH`, else `terraform` on PATH, else `tofu` on PATH.
fn find_terraform() -> BenchResult<PathBuf> {
    if let Some(path) = std::env::var_os("TF_ACC_TERRAFORM_PATH") {
        return Ok(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    ["terraform", "tofu"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            "neither terraform nor tofu is on PATH; install one or set TF_ACC_TERRAFORM_PATH".into()
        })
}

fn terraform_version(terraform: &Path) -> String {
    Command::new(terraform)
        .arg("version")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .ok()
        .and_then(|output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .next()
                .map(str::to_string)
        })
        .unwrap_or_else(|| terraform.display().to_string())
}

fn run_command(command: &mut Command) -> BenchResult<()> {
    let output = command
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .map_err(|error| format!("cannot run {command:?}: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed ({})", output.status))
    }
}

fn random_string(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}
