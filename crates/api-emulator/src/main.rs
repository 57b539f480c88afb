//! `cloudflare-api-emulator`: runs the local Secrets Store API emulator until SIGINT/SIGTERM.

use std::collections::HashMap;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use api_emulator::{AimedFault, BatchMode, EmulatorConfig, EmulatorState, serve};

const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
const DEFAULT_ACCOUNT_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const DEFAULT_API_TOKEN: &str = "local-emulator-token";

/// Every flag, its environment variable and its help text.
const FLAGS: &[(&str, &str, &str)] = &[
    (
        "listen",
        "CF_EMULATOR_LISTEN",
        "address to listen on; port 0 picks a free port [default: 127.0.0.1:8787]",
    ),
    (
        "account-id",
        "CLOUDFLARE_ACCOUNT_ID",
        "the one account that exists [default: 023e105f4ecef8ad9ca31a8372d0c353]",
    ),
    (
        "api-token",
        "CLOUDFLARE_API_TOKEN",
        "the accepted Bearer token [default: local-emulator-token]",
    ),
    (
        "api-email",
        "CLOUDFLARE_EMAIL",
        "email accepted with --api-key (X-Auth-Email)",
    ),
    (
        "api-key",
        "CLOUDFLARE_API_KEY",
        "legacy global API key (X-Auth-Key); needs --api-email",
    ),
    (
        "max-stores",
        "CF_EMULATOR_MAX_STORES",
        "stores per account [default: 1]",
    ),
    (
        "max-secrets",
        "CF_EMULATOR_MAX_SECRETS",
        "secrets per account [default: 100]",
    ),
    (
        "max-value-bytes",
        "CF_EMULATOR_MAX_VALUE_BYTES",
        "largest secret value in bytes [default: 65536]",
    ),
    (
        "activation-delay-ms",
        "CF_EMULATOR_ACTIVATION_DELAY_MS",
        "pending -> active delay [default: 300]",
    ),
    (
        "batch-mode",
        "CF_EMULATOR_BATCH_MODE",
        "bulk create/delete with some bad items: all-or-nothing or per-item [default: all-or-nothing]",
    ),
    (
        "latency-ms",
        "CF_EMULATOR_LATENCY_MS",
        "fixed latency added to every request [default: 0]",
    ),
    (
        "rate-limit-next",
        "CF_EMULATOR_RATE_LIMIT_NEXT",
        "answer the first N requests with 429 [default: 0]",
    ),
    (
        "retry-after",
        "CF_EMULATOR_RETRY_AFTER",
        "Retry-After seconds on those 429s [default: 1]",
    ),
    (
        "fail-next",
        "CF_EMULATOR_FAIL_NEXT",
        "answer the first N requests with 503 [default: 0]",
    ),
    (
        "fail-every",
        "CF_EMULATOR_FAIL_EVERY",
        "answer every Nth request with 503 [default: off]",
    ),
    (
        "failure-rate",
        "CF_EMULATOR_FAILURE_RATE",
        "probability (0..1) of a 503 per request [default: 0]",
    ),
    (
        "failure-seed",
        "CF_EMULATOR_FAILURE_SEED",
        "seed for --failure-rate [default: 0]",
    ),
    (
        "drop-next-writes",
        "CF_EMULATOR_DROP_NEXT_WRITES",
        "apply the first N writes, then close the connection [default: 0]",
    ),
    (
        "fault",
        "CF_EMULATOR_FAULT",
        "faults aimed at one method and path, `;`-separated: `ANSWER METHOD PATH` where ANSWER \
         is an HTTP error status or `close` (no answer) and PATH is below \
         /client/v4/accounts/ID/secrets_store, `*` for one segment, e.g. `503 GET /stores` or \
         `close GET /stores/*/secrets` [default: none]",
    ),
];

fn main() -> ExitCode {
    let options = match parse_options(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print_help();
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("cloudflare-api-emulator: {message}\nRun with --help to see the options.");
            return ExitCode::from(2);
        }
    };
    let verbose = options.contains_key("verbose");
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(if verbose {
            tracing::Level::DEBUG
        } else {
            tracing::Level::INFO
        })
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cloudflare-api-emulator: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cloudflare-api-emulator: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `None` means `--help` was asked for.
fn parse_options(
    mut args: impl Iterator<Item = String>,
) -> Result<Option<HashMap<String, String>>, String> {
    let mut options = HashMap::new();
    for (name, env_var, _) in FLAGS {
        if let Ok(value) = std::env::var(env_var) {
            options.insert(name.to_string(), value);
        }
    }
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            return Ok(None);
        }
        if arg == "--verbose" || arg == "-v" {
            options.insert("verbose".to_string(), String::new());
            continue;
        }
        let Some(flag) = arg.strip_prefix("--") else {
            return Err(format!("unexpected argument {arg:?}"));
        };
        let (name, inline_value) = match flag.split_once('=') {
            Some((name, value)) => (name.to_string(), Some(value.to_string())),
            None => (flag.to_string(), None),
        };
        if !FLAGS.iter().any(|(known, _, _)| *known == name) {
            return Err(format!("unknown option --{name}"));
        }
        let value = match inline_value {
            Some(value) => value,
            None => args
                .next()
                .ok_or_else(|| format!("--{name} needs a value"))?,
        };
        options.insert(name, value);
    }
    Ok(Some(options))
}

fn number<T: FromStr>(
    options: &HashMap<String, String>,
    name: &str,
    default: T,
) -> Result<T, String> {
    match options.get(name) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("--{name} must be a number, got {text:?}")),
    }
}

fn build_state(options: &HashMap<String, String>) -> Result<EmulatorState, String> {
    let text = |name: &str, default: &str| options.get(name).cloned().unwrap_or(default.into());
    let mut config = EmulatorConfig::new(
        &text("account-id", DEFAULT_ACCOUNT_ID),
        &text("api-token", DEFAULT_API_TOKEN),
    );
    config.api_key = match (options.get("api-email"), options.get("api-key")) {
        (Some(email), Some(key)) => Some((email.clone(), key.clone())),
        (None, None) => None,
        _ => return Err("--api-email and --api-key must be given together".into()),
    };
    config.max_stores = number(options, "max-stores", config.max_stores)?;
    config.max_secrets = number(options, "max-secrets", config.max_secrets)?;
    config.max_value_bytes = number(options, "max-value-bytes", config.max_value_bytes)?;
    config.activation_delay = Duration::from_millis(number(options, "activation-delay-ms", 300)?);
    if let Some(mode) = options.get("batch-mode") {
        config.batch_mode = BatchMode::parse(mode).ok_or_else(|| {
            format!("--batch-mode must be all-or-nothing or per-item, got {mode:?}")
        })?;
    }
    let state = EmulatorState::new(config);
    let faults = state.faults();
    faults.set_latency(Duration::from_millis(number(options, "latency-ms", 0)?));
    faults.rate_limit_next(
        number(options, "rate-limit-next", 0)?,
        number(options, "retry-after", 1)?,
    );
    faults.fail_next(number(options, "fail-next", 0)?, 503);
    faults.fail_every_nth(number(options, "fail-every", 0)?);
    let rate: f64 = number(options, "failure-rate", 0.0)?;
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!(
            "--failure-rate must be between 0 and 1, got {rate}"
        ));
    }
    faults.set_failure_rate(rate, number(options, "failure-seed", 0)?);
    faults.drop_next_write_responses(number(options, "drop-next-writes", 0)?);
    for rule in options
        .get("fault")
        .into_iter()
        .flat_map(|text| text.split(';'))
    {
        if !rule.trim().is_empty() {
            faults.aim(AimedFault::parse(rule).map_err(|e| format!("--fault: {e}"))?);
        }
    }
    Ok(state)
}

async fn run(options: HashMap<String, String>) -> Result<(), String> {
    let state = build_state(&options)?;
    let listen = options
        .get("listen")
        .cloned()
        .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|error| format!("cannot listen on {listen}: {error}"))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("cannot read the listening address: {error}"))?;
    println!("listening on http://{address}/client/v4");
    tracing::info!(
        account_id = %state.config().account_id,
        "emulator ready; stop it with Ctrl-C"
    );
    serve(listener, state, shutdown_signal())
        .await
        .map_err(|error| format!("server failed: {error}"))
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn print_help() {
    println!("cloudflare-api-emulator: a local emulator of the Cloudflare Secrets Store API\n");
    println!("USAGE: cloudflare-api-emulator [--OPTION VALUE]... [--verbose]\n");
    println!("The first line on stdout is `listening on http://ADDR/client/v4`.");
    println!("Each option can also come from the environment variable shown.\n");
    for (name, env_var, help) in FLAGS {
        println!("  --{name:<22} ${env_var}\n      {help}");
    }
    println!("  --verbose                log every request (method, path, status) to stderr");
}
