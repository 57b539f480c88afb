//! `cargo xtask demo`: what a new user does, end to end, against the local API emulator. One
//! visible build (the quick `demo` profile); pack; install into a temporary mirror named in a throw-away CLI config;
//! `terraform init` (printing the lock-file entry); apply, outputs, an empty re-plan, destroy.
//! Nothing is written into the user's home directory and nothing leaves 127.0.0.1.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use xtask::dist::{self, PackRequest};
use xtask::install::{self, InstallRequest};
use xtask::platform::Platform;
use xtask::provider_address::{DEFAULT_SOURCE, ProviderAddress};
use xtask::{Error, Result, fail};

/// The emulated account (any 32-hex id works; the emulator knows only this one).
const DEMO_ACCOUNT_ID: &str = "d3e0c0ffee5ec2e75d3e0c0ffee5ec2e";
/// The Terraform variable that carries the write-only secret value.
const WRITE_ONLY_VARIABLE: &str = "payments_api_key";
/// How long the emulator may take to print its address.
const EMULATOR_START_TIMEOUT: Duration = Duration::from_secs(30);
/// Settings a user may have exported that would point the demo elsewhere or write outside its
/// temporary directory (a plugin cache or data directory in the home directory, for example).
const INHERITED_ENV: &[&str] = &[
    "CLOUDFLARE_API_KEY",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_ACCOUNT_ID",
    "CLOUDFLARE_BASE_URL",
    "TF_REATTACH_PROVIDERS",
    "TF_PLUGIN_CACHE_DIR",
    "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE",
    "TF_DATA_DIR",
    "TF_CLI_ARGS",
    "TF_CLI_ARGS_init",
    "TF_CLI_ARGS_apply",
    "TF_CLI_ARGS_plan",
    "TF_CLI_ARGS_destroy",
    "TF_WORKSPACE",
];

/// Runs the demo from the repository at `repo`.
pub fn run(repo: &Path) -> Result<()> {
    let started = Instant::now();
    let terraform = find_terraform()?;
    let bin_dir = build_demo_binaries(repo)?;

    let workspace = tempfile::Builder::new()
        .prefix("cf-secrets-demo-")
        .tempdir()
        .map_err(|e| Error(format!("creating a temporary directory: {e}")))?;
    let root = workspace.path();
    let work_dir = root.join("demo");
    copy_configuration(&repo.join("examples").join("demo"), &work_dir)?;

    let source = ProviderAddress::parse(DEFAULT_SOURCE)?;
    let version = dist::package_version(&repo.join("Cargo.toml"))?;
    let platform = Platform::host()?;
    println!("==> cargo xtask dist (packing the binary)");
    let packed = dist::pack(&PackRequest {
        binary: &bin_dir.join(format!(
            "terraform-provider-cloudflare{}",
            platform.executable_suffix()
        )),
        project: &source.project_name(),
        version: &version,
        platform: &platform,
        out_dir: &root.join("dist"),
    })?;
    println!(
        "    {} ({:.1} MiB), lock-file hash {}",
        packed.zip.file_name().unwrap_or_default().to_string_lossy(),
        packed.bytes as f64 / (1024.0 * 1024.0),
        packed.h1
    );

    let mirror = root.join("mirror");
    println!("==> cargo xtask install --dir {}", mirror.display());
    let installed = install::install(&InstallRequest {
        zip: &packed.zip,
        mirror: &mirror,
        source: &source,
        expected_version: Some(&version),
        platform: &platform,
    })?;
    println!("    {}", installed.dir.display());
    let cli_config = root.join("terraform.tfrc");
    std::fs::write(&cli_config, mirror_cli_config(&mirror, &source))
        .map_err(|e| Error(format!("writing {}: {e}", cli_config.display())))?;
    // Terraform's home for this run: whatever it might write there stays in the temporary dir.
    let home = root.join("home");
    std::fs::create_dir_all(&home)
        .map_err(|e| Error(format!("creating {}: {e}", home.display())))?;

    let api_token = random_string(40);
    let emulator = Emulator::start(&bin_dir, &api_token, root)?;
    println!("==> Emulator listening on {}", emulator.base_url);

    let write_only_value = format!("demo-{}", random_string(24));
    let terraform = Terraform {
        program: terraform,
        work_dir,
        env: vec![
            ("TF_CLI_CONFIG_FILE".into(), cli_config.into_os_string()),
            ("HOME".into(), home.clone().into_os_string()),
            ("APPDATA".into(), home.into_os_string()),
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
    init(&terraform, &packed.h1)
        .and_then(|()| run_terraform_steps(&terraform, &emulator, &api_token, &write_only_value))
        .map_err(|error| Error(format!("{}{}", error.0, emulator.log_tail())))?;
    println!(
        "==> Demo finished in {:.1} s: installed with terraform init, applied, nothing to change on re-plan, destroyed.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `terraform init` from the mirror; prints what it installed and the lock-file entry, and
/// checks the entry's hash is the one the packer printed.
fn init(terraform: &Terraform, packed_h1: &str) -> Result<()> {
    println!("==> terraform init");
    let init = terraform.run_checked(&["init", "-input=false", "-no-color"])?;
    for line in String::from_utf8_lossy(&init.stdout).lines() {
        if line.starts_with("- ") || line.contains("successfully initialized") {
            println!("    {}", line.trim());
        }
    }
    let lock_path = terraform.work_dir.join(".terraform.lock.hcl");
    let lock = std::fs::read_to_string(&lock_path)
        .map_err(|e| Error(format!("terraform init wrote no lock file: {e}")))?;
    println!("==> .terraform.lock.hcl (commit this file)");
    for line in lock
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
    {
        println!("    {line}");
    }
    if !lock.contains(packed_h1) {
        return fail(format!(
            "the lock file does not record the packed archive's hash {packed_h1}"
        ));
    }
    Ok(())
}

/// apply, show outputs, check state, re-plan, destroy, check the emulator is empty.
fn run_terraform_steps(
    terraform: &Terraform,
    emulator: &Emulator,
    api_token: &str,
    write_only_value: &str,
) -> Result<()> {
    println!("==> terraform apply (a store, two secrets, one read back by name)");
    let apply = terraform.run_checked(&["apply", "-auto-approve", "-input=false", "-no-color"])?;
    print_progress_lines(&apply);

    println!("==> Outputs");
    let outputs = terraform.run_checked(&["output", "-no-color"])?;
    for line in String::from_utf8_lossy(&outputs.stdout).lines() {
        println!("    {line}");
    }

    let state_path = terraform.work_dir.join("terraform.tfstate");
    let state = std::fs::read_to_string(&state_path)
        .map_err(|e| Error(format!("reading {}: {e}", state_path.display())))?;
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
fn find_terraform() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let suffix = std::env::consts::EXE_SUFFIX;
    for name in ["terraform", "tofu"] {
        if let Some(found) = std::env::split_paths(&path)
            .map(|dir| dir.join(format!("{name}{suffix}")))
            .find(|candidate| candidate.is_file())
        {
            return Ok(found);
        }
    }
    fail(
        "neither terraform (>= 1.11) nor tofu is on PATH; install one or set TF_ACC_TERRAFORM_PATH",
    )
}

/// The cargo profile of the demo's build: unoptimised and without debug info, so a first run
/// builds in about half the time of the shipped (fat LTO) release profile (Cargo.toml).
const DEMO_PROFILE: &str = "demo";

/// One `cargo build --profile demo` of the provider and the emulator, with cargo's own progress
/// on the terminal; returns the directory holding both.
fn build_demo_binaries(repo: &Path) -> Result<PathBuf> {
    println!(
        "==> cargo build --profile {DEMO_PROFILE} (terraform-provider-cloudflare and \
         cloudflare-api-emulator; the first build takes a minute or two)"
    );
    let status = crate::cargo(repo)
        .args([
            "build",
            "--profile",
            DEMO_PROFILE,
            "--package",
            "terraform-provider-cloudflare",
            "--package",
            "api-emulator",
        ])
        .status()
        .map_err(|e| Error(format!("cannot run cargo: {e}")))?;
    if !status.success() {
        return fail(format!("cargo build failed ({status})"));
    }
    let bin_dir = crate::target_dir(repo).join(DEMO_PROFILE);
    let suffix = std::env::consts::EXE_SUFFIX;
    for binary in ["terraform-provider-cloudflare", "cloudflare-api-emulator"] {
        if !bin_dir.join(format!("{binary}{suffix}")).is_file() {
            return fail(format!("{binary} was not built in {}", bin_dir.display()));
        }
    }
    Ok(bin_dir)
}

/// Copies the `*.tf` files of the example into a fresh working directory.
fn copy_configuration(from: &Path, to: &Path) -> Result<()> {
    let copy = || -> std::io::Result<()> {
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
    };
    copy().map_err(|e| Error(format!("copying {}: {e}", from.display())))
}

/// A CLI configuration that installs `source` from the filesystem mirror at `mirror` only.
fn mirror_cli_config(mirror: &Path, source: &ProviderAddress) -> String {
    let dir = mirror.display().to_string().replace('\\', "/");
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{dir}\"\n    include = [\"{source}\"]\n  }}\n  direct {{\n    exclude = [\"{source}\"]\n  }}\n}}\n"
    )
}

fn random_string(len: usize) -> String {
    // Not for cryptography: a throw-away token for a loopback emulator, from the OS's
    // per-process hash seed and the clock.
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(Instant::now().elapsed().as_nanos());
        let mut bits = hasher.finish();
        for _ in 0..8 {
            out.push(ALPHABET[(bits % ALPHABET.len() as u64) as usize] as char);
            bits /= ALPHABET.len() as u64;
        }
    }
    out.truncate(len);
    out
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
    fn run(&self, args: &[&str]) -> Result<Output> {
        let mut command = Command::new(&self.program);
        command.current_dir(&self.work_dir).args(args);
        for name in INHERITED_ENV {
            command.env_remove(name);
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
            .stdin(Stdio::null())
            .output()
            .map_err(|error| Error(format!("cannot run {}: {error}", self.program.display())))
    }

    fn run_checked(&self, args: &[&str]) -> Result<Output> {
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
    fn start(bin_dir: &Path, api_token: &str, log_dir: &Path) -> Result<Emulator> {
        println!("==> Starting cloudflare-api-emulator on 127.0.0.1 (port chosen by the OS)");
        let log_path = log_dir.join("emulator.log");
        let log = std::fs::File::create(&log_path)
            .map_err(|e| Error(format!("creating {}: {e}", log_path.display())))?;
        let mut command = Command::new(bin_dir.join(format!(
            "cloudflare-api-emulator{}",
            std::env::consts::EXE_SUFFIX
        )));
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
            .stderr(log)
            .spawn()
            .map_err(|error| Error(format!("cannot start cloudflare-api-emulator: {error}")))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut emulator = Emulator {
            child,
            base_url: String::new(),
            log_path,
        };
        emulator.base_url = read_listening_line(stdout)?;
        Ok(emulator)
    }

    /// Names of the stores left in the emulated account (a plain HTTP GET on loopback).
    fn remaining_stores(&self, api_token: &str) -> Result<BTreeSet<String>> {
        let url = self
            .base_url
            .strip_prefix("http://")
            .ok_or_else(|| Error(format!("unexpected emulator URL {}", self.base_url)))?;
        let (host, base_path) = url.split_once('/').unwrap_or((url, ""));
        let request = format!(
            "GET /{base_path}/accounts/{DEMO_ACCOUNT_ID}/secrets_store/stores HTTP/1.0\r\n\
             Host: {host}\r\nAuthorization: Bearer {api_token}\r\nAccept: application/json\r\n\r\n"
        );
        let ask = || -> std::io::Result<String> {
            let mut stream = std::net::TcpStream::connect(host)?;
            stream.set_read_timeout(Some(Duration::from_secs(10)))?;
            stream.write_all(request.as_bytes())?;
            let mut response = String::new();
            stream.read_to_string(&mut response)?;
            Ok(response)
        };
        let response = ask().map_err(|e| Error(format!("asking the emulator for stores: {e}")))?;
        let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
        let parsed: serde_json::Value = serde_json::from_str(body).map_err(|e| {
            Error(format!(
                "the emulator's store list is not JSON ({e}): {response}"
            ))
        })?;
        let Some(stores) = parsed["result"].as_array() else {
            return fail(format!("the emulator did not list stores: {body}"));
        };
        Ok(stores
            .iter()
            .filter_map(|store| store["name"].as_str().map(str::to_string))
            .collect())
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
fn read_listening_line(stdout: impl Read + Send + 'static) -> Result<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_config_installs_only_our_provider_from_the_mirror() {
        let source = ProviderAddress::parse(DEFAULT_SOURCE).unwrap();
        let config = mirror_cli_config(Path::new("/tmp/m"), &source);
        assert!(config.contains("path    = \"/tmp/m\""), "{config}");
        assert!(config.contains("include = [\"registry.terraform.io/cfsecrets/cloudflare\"]"));
        assert!(config.contains("exclude = [\"registry.terraform.io/cfsecrets/cloudflare\"]"));
        assert!(!config.contains("dev_overrides"));
    }

    #[test]
    fn random_strings_have_the_length_and_alphabet_asked_for() {
        let a = random_string(40);
        assert_eq!(a.len(), 40);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, random_string(40));
    }
}
