//! The one-command demo: builds the provider and the emulator, then runs `examples/demo` through
//! `terraform apply`, an empty second plan and `destroy` against the local emulator.
//!
//! Run it with `cargo run --release --example demo`. Nothing leaves the machine: the provider talks
//! to an emulator bound to 127.0.0.1, with a throw-away account id and API token.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;
use secrecy::SecretString;
use terraform_provider_cloudflare::cloudflare::{Client, ClientConfig, Credentials};

/// The provider source address the example configuration requires.
const PROVIDER_SOURCE: &str = "cfsecrets/cloudflare";
/// The emulated account (any 32-hex id works; the emulator knows only this one).
const DEMO_ACCOUNT_ID: &str = "d3e0c0ffee5ec2e75d3e0c0ffee5ec2e";
/// The Terraform variable that carries the write-only secret value.
const WRITE_ONLY_VARIABLE: &str = "payments_api_key";
/// How long the emulator may take to print its address.
const EMULATOR_START_TIMEOUT: Duration = Duration::from_secs(30);
/// Provider settings a user may have exported that would point the demo elsewhere.
const INHERITED_PROVIDER_ENV: &[&str] = &[
    "CLOUDFLARE_API_KEY",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_ACCOUNT_ID",
    "CLOUDFLARE_BASE_URL",
    "TF_REATTACH_PROVIDERS",
    "TF_CLI_ARGS",
    "TF_CLI_ARGS_apply",
    "TF_CLI_ARGS_plan",
    "TF_CLI_ARGS_destroy",
];

/// Variables `cargo run` sets for the program it runs (besides `CARGO_PKG_*`).
const CARGO_RUN_ENV: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "OUT_DIR",
];

/// A failure with a message for the user; the demo prints it and exits non-zero.
#[derive(Debug)]
struct DemoError(String);

impl<E: std::fmt::Display> From<E> for DemoError {
    fn from(error: E) -> DemoError {
        DemoError(error.to_string())
    }
}

type DemoResult<T> = Result<T, DemoError>;

fn fail<T>(message: impl Into<String>) -> DemoResult<T> {
    Err(DemoError(message.into()))
}

fn main() -> ExitCode {
    let started = Instant::now();
    match run() {
        Ok(()) => {
            println!(
                "==> Demo finished in {:.1} s: applied, nothing to change on re-plan, destroyed.",
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(DemoError(message)) => {
            eprintln!("\ndemo failed: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> DemoResult<()> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let terraform = find_terraform()?;
    let bin_dir = build_binaries(&repo)?;

    let workspace = tempfile::Builder::new()
        .prefix("cf-secrets-demo-")
        .tempdir()?;
    let work_dir = workspace.path().join("demo");
    copy_configuration(&repo.join("examples").join("demo"), &work_dir)?;
    let plugin_dir = workspace.path().join("plugins");
    link_provider(&bin_dir, &plugin_dir)?;
    let cli_config = workspace.path().join("terraform.tfrc");
    std::fs::write(&cli_config, dev_overrides_config(&plugin_dir))?;

    let api_token = random_string(40);
    let emulator = Emulator::start(&bin_dir, &api_token, workspace.path())?;
    println!("==> Emulator listening on {}", emulator.base_url);

    let write_only_value = format!("demo-{}", random_string(24));
    let terraform = Terraform {
        program: terraform,
        work_dir: work_dir.clone(),
        env: vec![
            ("TF_CLI_CONFIG_FILE".into(), cli_config.into_os_string()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            (
                "CLOUDFLARE_BASE_URL".into(),
                emulator.base_url.clone().into(),
            ),
            ("CLOUDFLARE_API_TOKEN".into(), api_token.clone().into()),
            ("CLOUDFLARE_ACCOUNT_ID".into(), DEMO_ACCOUNT_ID.into()),
            (
                format!("TF_VAR_{WRITE_ONLY_VARIABLE}").into(),
                write_only_value.clone().into(),
            ),
        ],
    };

    // On failure there is nothing to clean up: the emulator keeps everything in memory and is
    // killed when `emulator` drops, and the temporary directory goes with `workspace`.
    run_terraform_steps(&terraform, &emulator, &api_token, &write_only_value)
        .map_err(|error| DemoError(format!("{}{}", error.0, emulator.log_tail())))
}

/// apply, show outputs, check state, re-plan, destroy, check the emulator is empty.
fn run_terraform_steps(
    terraform: &Terraform,
    emulator: &Emulator,
    api_token: &str,
    write_only_value: &str,
) -> DemoResult<()> {
    println!("==> terraform apply (a store, two secrets, one read back by name)");
    let apply = terraform.run_checked(&["apply", "-auto-approve", "-input=false", "-no-color"])?;
    print_progress_lines(&apply);

    println!("==> Outputs");
    let outputs = terraform.run_checked(&["output", "-no-color"])?;
    for line in String::from_utf8_lossy(&outputs.stdout).lines() {
        println!("    {line}");
    }

    let state = std::fs::read_to_string(terraform.work_dir.join("terraform.tfstate"))?;
    if state.contains(write_only_value) {
        return fail("the write-only value was found in terraform.tfstate");
    }
    println!("==> The write-only value is not in terraform.tfstate");

    println!("==> terraform plan -detailed-exitcode (expecting no changes)");
    let plan = terraform.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])?;
    match plan.status.code() {
        Some(0) => println!("    No changes."),
        Some(2) => {
            return fail(format!(
                "the second plan is not empty:\n{}",
                String::from_utf8_lossy(&plan.stdout)
            ));
        }
        _ => return fail(command_failure("terraform plan", &plan)),
    }

    println!("==> terraform destroy");
    let destroy =
        terraform.run_checked(&["destroy", "-auto-approve", "-input=false", "-no-color"])?;
    print_progress_lines(&destroy);

    let leftovers = emulator.remaining_stores(api_token)?;
    if !leftovers.is_empty() {
        return fail(format!(
            "destroy left stores behind in the emulator: {leftovers:?}"
        ));
    }
    println!("==> The emulator holds no stores and no secrets");
    Ok(())
}

/// `TF_ACC_TERRAFORM_PATH`, else `terraform` on PATH, else `tofu` on PATH.
fn find_terraform() -> DemoResult<PathBuf> {
    if let Some(path) = std::env::var_os("TF_ACC_TERRAFORM_PATH") {
        return Ok(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["terraform", "tofu"] {
        if let Some(found) = std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
        {
            return Ok(found);
        }
    }
    fail(
        "neither terraform (>= 1.11) nor tofu is on PATH; install one or set TF_ACC_TERRAFORM_PATH",
    )
}

/// Builds both binaries in this example's own profile and returns the directory holding them.
fn build_binaries(repo: &Path) -> DemoResult<PathBuf> {
    let release = !cfg!(debug_assertions);
    println!(
        "==> Building terraform-provider-cloudflare and cloudflare-api-emulator ({})",
        if release { "release" } else { "debug" }
    );
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build.current_dir(repo).args(["build", "--bins", "--quiet"]);
    // `cargo run` hands this process the package's CARGO_MANIFEST_DIR, CARGO_PKG_* and so on.
    // Build scripts that watch those (ring watches CARGO_MANIFEST_DIR) would see them change and
    // rebuild half the dependency tree on every run, so the inner build gets a clean environment.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if CARGO_RUN_ENV.contains(&name.as_ref()) || name.starts_with("CARGO_PKG_") {
            build.env_remove(name.as_ref());
        }
    }
    if release {
        build.arg("--release");
    }
    let status = build.status()?;
    if !status.success() {
        return fail(format!("cargo build failed ({status})"));
    }
    // This example runs from <target>/<profile>/examples/demo; the binaries sit in <profile>.
    let exe = std::env::current_exe()?;
    let Some(bin_dir) = exe.parent().and_then(Path::parent) else {
        return fail(format!(
            "cannot find the target directory from {}",
            exe.display()
        ));
    };
    for binary in ["terraform-provider-cloudflare", "cloudflare-api-emulator"] {
        if !bin_dir.join(binary).is_file() {
            return fail(format!("{binary} was not built in {}", bin_dir.display()));
        }
    }
    Ok(bin_dir.to_path_buf())
}

/// Copies the `*.tf` files of the example into a fresh working directory.
fn copy_configuration(from: &Path, to: &Path) -> DemoResult<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "tf")
            && let Some(name) = path.file_name()
        {
            std::fs::copy(&path, to.join(name))?;
        }
    }
    Ok(())
}

/// A directory holding only the provider binary, for `dev_overrides`.
fn link_provider(bin_dir: &Path, plugin_dir: &Path) -> DemoResult<()> {
    std::fs::create_dir_all(plugin_dir)?;
    let binary = bin_dir.join("terraform-provider-cloudflare");
    let target = plugin_dir.join("terraform-provider-cloudflare");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&binary, &target)?;
    #[cfg(not(unix))]
    std::fs::copy(&binary, &target)?;
    Ok(())
}

/// A CLI configuration that makes Terraform use the local build for `cfsecrets/cloudflare`.
fn dev_overrides_config(plugin_dir: &Path) -> String {
    let dir = plugin_dir.display().to_string().replace('\\', "/");
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = \"{dir}\"\n  }}\n  direct {{}}\n}}\n"
    )
}

fn random_string(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Prints Terraform's one-line summaries ("…: Creation complete after 1s [id=…]").
fn print_progress_lines(output: &Output) {
    const MARKERS: &[&str] = &[
        "Creation complete",
        "Read complete",
        "Modifications complete",
        "Destruction complete",
        "Apply complete",
        "Destroy complete",
    ];
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        if MARKERS.iter().any(|marker| line.contains(marker)) {
            println!("    {}", line.trim());
        }
    }
}

fn command_failure(what: &str, output: &Output) -> String {
    format!(
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The terraform binary with the demo's working directory and environment.
struct Terraform {
    program: PathBuf,
    work_dir: PathBuf,
    env: Vec<(OsString, OsString)>,
}

impl Terraform {
    fn run(&self, args: &[&str]) -> DemoResult<Output> {
        let mut command = Command::new(&self.program);
        command.current_dir(&self.work_dir).args(args);
        for name in INHERITED_PROVIDER_ENV {
            command.env_remove(name);
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
            .stdin(Stdio::null())
            .output()
            .map_err(|error| DemoError(format!("cannot run {}: {error}", self.program.display())))
    }

    fn run_checked(&self, args: &[&str]) -> DemoResult<Output> {
        let output = self.run(args)?;
        if output.status.success() {
            Ok(output)
        } else {
            fail(command_failure(&format!("terraform {}", args[0]), &output))
        }
    }
}

/// The emulator process; killed when dropped, so every exit path stops it.
struct Emulator {
    child: Child,
    base_url: String,
    log_path: PathBuf,
}

impl Emulator {
    fn start(bin_dir: &Path, api_token: &str, log_dir: &Path) -> DemoResult<Emulator> {
        println!("==> Starting cloudflare-api-emulator on 127.0.0.1 (port chosen by the OS)");
        let log_path = log_dir.join("emulator.log");
        let mut command = Command::new(bin_dir.join("cloudflare-api-emulator"));
        // Settings exported in the user's shell (fault injection, other credentials) must not
        // change the demo; the token goes through the environment to stay out of `ps`.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if name.starts_with("CLOUDFLARE_") || name.starts_with("CF_EMULATOR_") {
                command.env_remove(name.as_ref());
            }
        }
        let mut child = command
            .args(["--listen", "127.0.0.1:0", "--account-id", DEMO_ACCOUNT_ID])
            .env("CLOUDFLARE_API_TOKEN", api_token)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log_path)?)
            .spawn()
            .map_err(|error| DemoError(format!("cannot start cloudflare-api-emulator: {error}")))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut emulator = Emulator {
            child,
            base_url: String::new(),
            log_path,
        };
        emulator.base_url = read_listening_line(stdout)?;
        Ok(emulator)
    }

    /// Stores left in the emulated account, asked through the crate's own API client.
    fn remaining_stores(&self, api_token: &str) -> DemoResult<BTreeSet<String>> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let credentials = Credentials::ApiToken(SecretString::from(api_token.to_string()));
        let client = Client::new(ClientConfig::new(self.base_url.clone(), credentials))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let stores = runtime.block_on(client.list_stores(DEMO_ACCOUNT_ID))?;
        Ok(stores.into_iter().map(|store| store.name).collect())
    }

    /// The last lines of the emulator's log, to append to an error.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = &lines[lines.len().saturating_sub(20)..];
        if tail.is_empty() {
            return String::new();
        }
        format!(
            "\n--- last lines of the emulator's log ---\n{}",
            tail.join("\n")
        )
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for `listening on http://ADDR/client/v4` and returns the URL; keeps draining stdout.
fn read_listening_line(stdout: impl Read + Send + 'static) -> DemoResult<String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next();
        let _ = sender.send(first);
        for _ in lines {}
    });
    let line = match receiver.recv_timeout(EMULATOR_START_TIMEOUT) {
        Ok(Some(Ok(line))) => line,
        Ok(_) => return fail("cloudflare-api-emulator exited before printing its address"),
        Err(_) => {
            return fail(format!(
                "cloudflare-api-emulator printed no address within {} s",
                EMULATOR_START_TIMEOUT.as_secs()
            ));
        }
    };
    match line.trim().strip_prefix("listening on ") {
        Some(url) if url.starts_with("http://") => Ok(url.to_string()),
        _ => fail(format!(
            "unexpected first line from cloudflare-api-emulator: {line:?}"
        )),
    }
}
