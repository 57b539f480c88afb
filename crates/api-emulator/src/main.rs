//! `cloudflare-api-emulator`: runs the local Secrets Store API emulator until SIGINT/SIGTERM.

use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use api_emulator::{
    AimedFault, BatchMode, BulkDeleteBody, EmulatorConfig, EmulatorState, NameConflictStatus,
    RateBudget, serve,
};
use clap::Parser;

/// The command line. Every option can also come from the environment variable shown, and
/// takes its value as `--option VALUE` or `--option=VALUE`; the last one given wins.
#[derive(Debug, Parser)]
#[command(
    name = "cloudflare-api-emulator",
    about = "A local emulator of the Cloudflare Secrets Store API",
    after_help = "The first line on stdout is `listening on http://ADDR/client/v4`.\n\
                  Each option can also come from the environment variable shown.",
    args_override_self = true
)]
struct Options {
    /// address to listen on; port 0 picks a free port
    #[arg(long, env = "CF_EMULATOR_LISTEN", default_value = "127.0.0.1:8787")]
    listen: String,
    /// the one account that exists
    #[arg(
        long,
        env = "CLOUDFLARE_ACCOUNT_ID",
        default_value = "023e105f4ecef8ad9ca31a8372d0c353"
    )]
    account_id: String,
    /// the accepted Bearer token
    #[arg(
        long,
        env = "CLOUDFLARE_API_TOKEN",
        default_value = "local-emulator-token",
        hide_env_values = true
    )]
    api_token: String,
    /// email accepted with --api-key (X-Auth-Email)
    #[arg(long, env = "CLOUDFLARE_EMAIL", requires = "api_key")]
    api_email: Option<String>,
    /// legacy global API key (X-Auth-Key); needs --api-email
    #[arg(
        long,
        env = "CLOUDFLARE_API_KEY",
        requires = "api_email",
        hide_env_values = true
    )]
    api_key: Option<String>,
    /// stores per account
    #[arg(long, env = "CF_EMULATOR_MAX_STORES", default_value = "1", value_parser = number::<usize>)]
    max_stores: usize,
    /// secrets per account
    #[arg(long, env = "CF_EMULATOR_MAX_SECRETS", default_value = "100", value_parser = number::<usize>)]
    max_secrets: usize,
    /// largest secret value in bytes
    #[arg(long, env = "CF_EMULATOR_MAX_VALUE_BYTES", default_value = "65536", value_parser = number::<usize>)]
    max_value_bytes: usize,
    /// pending -> active delay
    #[arg(long, env = "CF_EMULATOR_ACTIVATION_DELAY_MS", default_value = "300", value_parser = number::<u64>)]
    activation_delay_ms: u64,
    /// bulk create/delete with some bad items: all-or-nothing or per-item
    #[arg(long, env = "CF_EMULATOR_BATCH_MODE", default_value = "all-or-nothing", value_parser = batch_mode)]
    batch_mode: BatchMode,
    /// the bulk delete's body: ids ({"ids": [...]}) or objects ([{"id": ...}], an older schema)
    #[arg(long, env = "CF_EMULATOR_BULK_DELETE_BODY", default_value = "ids", value_parser = bulk_delete_body)]
    bulk_delete_body: BulkDeleteBody,
    /// HTTP status of a duplicate secret name (code 1003): 409 or 400
    #[arg(long, env = "CF_EMULATOR_NAME_CONFLICT_STATUS", default_value = "409", value_parser = name_conflict_status)]
    name_conflict_status: NameConflictStatus,
    /// fixed latency added to every request
    #[arg(long, env = "CF_EMULATOR_LATENCY_MS", default_value = "0", value_parser = number::<u64>)]
    latency_ms: u64,
    /// answer the first N requests with 429
    #[arg(long, env = "CF_EMULATOR_RATE_LIMIT_NEXT", default_value = "0", value_parser = number::<u32>)]
    rate_limit_next: u32,
    /// Retry-After seconds on those 429s
    #[arg(long, env = "CF_EMULATOR_RETRY_AFTER", default_value = "1", value_parser = number::<u64>)]
    retry_after: u64,
    /// answer the first N requests with 503
    #[arg(long, env = "CF_EMULATOR_FAIL_NEXT", default_value = "0", value_parser = number::<u32>)]
    fail_next: u32,
    /// answer every Nth request with 503 [default: off]
    #[arg(long, env = "CF_EMULATOR_FAIL_EVERY", value_parser = number::<u64>)]
    fail_every: Option<u64>,
    /// probability (0..1) of a 503 per request
    #[arg(long, env = "CF_EMULATOR_FAILURE_RATE", default_value = "0", value_parser = probability)]
    failure_rate: f64,
    /// seed for --failure-rate
    #[arg(long, env = "CF_EMULATOR_FAILURE_SEED", default_value = "0", value_parser = number::<u64>)]
    failure_seed: u64,
    /// apply the first N writes, then close the connection
    #[arg(long, env = "CF_EMULATOR_DROP_NEXT_WRITES", default_value = "0", value_parser = number::<u32>)]
    drop_next_writes: u32,
    /// faults aimed at one method and path, `;`-separated: `ANSWER METHOD PATH` where ANSWER is
    /// an HTTP error status or `close` (no answer) and PATH is below
    /// /client/v4/accounts/ID/secrets_store, `*` for one segment, e.g. `503 GET /stores` or
    /// `close GET /stores/*/secrets` [default: none]
    #[arg(long, env = "CF_EMULATOR_FAULT", value_parser = fault_rules)]
    fault: Option<FaultRules>,
    /// enforce QUOTA requests per WINDOW seconds per credential, as Cloudflare does (1200/300):
    /// over it, every request of that credential answers 429 with Retry-After for WINDOW
    /// seconds; e.g. 20/15 or 20/15s [default: off; the headers still report 1200/300]
    #[arg(long, env = "CF_EMULATOR_ENFORCE_RATE_LIMIT", value_name = "QUOTA/WINDOW", value_parser = RateBudget::parse)]
    enforce_rate_limit: Option<RateBudget>,
    /// log every request (method, path, status) to stderr
    #[arg(short, long)]
    verbose: bool,
}

/// The rules of `--fault`, in order.
#[derive(Clone, Debug)]
struct FaultRules(Vec<AimedFault>);

/// A number, spaces around it allowed.
fn number<T: FromStr>(text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("must be a number, got {text:?}"))
}

fn probability(text: &str) -> Result<f64, String> {
    let rate: f64 = number(text)?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("must be between 0 and 1, got {rate}"))
    }
}

fn batch_mode(text: &str) -> Result<BatchMode, String> {
    BatchMode::parse(text)
        .ok_or_else(|| format!("must be all-or-nothing or per-item, got {text:?}"))
}

fn bulk_delete_body(text: &str) -> Result<BulkDeleteBody, String> {
    BulkDeleteBody::parse(text).ok_or_else(|| format!("must be ids or objects, got {text:?}"))
}

fn name_conflict_status(text: &str) -> Result<NameConflictStatus, String> {
    NameConflictStatus::parse(text).ok_or_else(|| format!("must be 409 or 400, got {text:?}"))
}

/// `;`-separated aimed faults; blank rules are skipped.
fn fault_rules(text: &str) -> Result<FaultRules, String> {
    let rules = text.split(';').filter(|rule| !rule.trim().is_empty());
    Ok(FaultRules(
        rules.map(AimedFault::parse).collect::<Result<_, _>>()?,
    ))
}

fn main() -> ExitCode {
    // Bad usage exits 2 with clap's message and a hint; --help prints the options.
    let options = Options::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(if options.verbose {
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

fn build_state(options: Options) -> EmulatorState {
    let mut config = EmulatorConfig::new(&options.account_id, &options.api_token);
    config.api_key = options.api_email.zip(options.api_key);
    config.max_stores = options.max_stores;
    config.max_secrets = options.max_secrets;
    config.max_value_bytes = options.max_value_bytes;
    config.activation_delay = Duration::from_millis(options.activation_delay_ms);
    config.batch_mode = options.batch_mode;
    config.rate_limit = options.enforce_rate_limit;
    config.bulk_delete_body = options.bulk_delete_body;
    config.name_conflict_status = options.name_conflict_status;
    let state = EmulatorState::new(config);
    let faults = state.faults();
    faults.set_latency(Duration::from_millis(options.latency_ms));
    faults.rate_limit_next(options.rate_limit_next, options.retry_after);
    faults.fail_next(options.fail_next, 503);
    faults.fail_every_nth(options.fail_every.unwrap_or(0));
    faults.set_failure_rate(options.failure_rate, options.failure_seed);
    faults.drop_next_write_responses(options.drop_next_writes);
    for rule in options.fault.map(|rules| rules.0).unwrap_or_default() {
        faults.aim(rule);
    }
    state
}

async fn run(options: Options) -> Result<(), String> {
    let listen = options.listen.clone();
    let state = build_state(options);
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
    let served = serve(listener, state.clone(), shutdown_signal())
        .await
        .map_err(|error| format!("server failed: {error}"));
    if state.config().rate_limit.is_some() {
        eprintln!("cloudflare-api-emulator: {}", state.rate_limit_report());
    }
    served
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
