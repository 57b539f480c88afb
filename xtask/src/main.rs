//! `cargo xtask`: `dist` packs release archives (the provider's and the API emulator's),
//! `install` puts one into a provider mirror, `sums` rewrites the checksums (and signatures) of a
//! `dist/` directory, `demo` runs the whole user path against the local emulator. `cargo xtask
//! help` prints the usage.

mod demo;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use xtask::dist::{self, EmulatorPackRequest, PackRequest, Signer};
use xtask::install::{self, InstallRequest};
use xtask::platform::Platform;
use xtask::provider_address::{DEFAULT_SOURCE, ProviderAddress};
use xtask::{Error, Result, fail};

const USAGE: &str = "\
usage: cargo xtask <command> [options]

  dist      build release binaries and write the Terraform Registry release layout into dist/,
            plus the API emulator's own archives (cloudflare-api-emulator_V_OS_ARCH.zip) and
            checksums (cloudflare-api-emulator_V_SHA256SUMS), which the provider's never list
              --target TRIPLE   Rust target to build (repeatable; default: this machine)
              --binary PATH     pack an already built provider instead of building one
              --emulator-binary PATH  with --binary: also pack this already built emulator
              --platform OS_ARCH  the platform of --binary (default: this machine)
              --version V       version to pack (default: Cargo.toml's)
              --out DIR         output directory (default: dist/)
              --gpg-key ID      sign both SHA256SUMS files with this GnuPG key (gpg, or $GPG)
  sums      rewrite SHA256SUMS and the manifest over the zips in --out, and the emulator's own
            checksums over its zips there (and sign both with --gpg-key)
  install   unpack a release zip into a provider mirror
              [ZIP]             default: dist/terraform-provider-cloudflare_VERSION_OS_ARCH.zip
              --dir DIR         mirror root (default: ~/.terraform.d/plugins, %APPDATA%\\terraform.d\\plugins)
              --version V       refuse a zip of another version
              --platform OS_ARCH  install for another machine (default: this machine)
              --source ADDR     provider source address (default: cfsecrets/cloudflare)
  demo      build once, pack, install into a temporary mirror, terraform init, apply, re-plan and
            destroy against the local API emulator (nothing is written into your home directory)
";

/// Variables `cargo run` sets for the program it runs; a nested cargo that inherits them makes
/// build scripts that watch them (ring's) rebuild every time.
const CARGO_RUN_ENV: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "OUT_DIR",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dist") => Options::parse(&args[1..]).and_then(|o| run_dist(&o)),
        Some("sums") => Options::parse(&args[1..]).and_then(|o| run_sums(&o)),
        Some("install") => Options::parse(&args[1..]).and_then(|o| run_install(&o)),
        Some("demo") => demo::run(&repo_root()),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => fail(format!("unknown command {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The command-line options every command shares.
#[derive(Debug, Default)]
struct Options {
    targets: Vec<String>,
    binary: Option<PathBuf>,
    emulator_binary: Option<PathBuf>,
    platform: Option<Platform>,
    version: Option<String>,
    out: Option<PathBuf>,
    gpg_key: Option<String>,
    dir: Option<PathBuf>,
    source: Option<String>,
    zip: Option<PathBuf>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .cloned()
                    .ok_or_else(|| Error(format!("{arg} needs a value\n\n{USAGE}")))
            };
            match arg.as_str() {
                "--target" => options.targets.push(value()?),
                "--binary" => options.binary = Some(value()?.into()),
                "--emulator-binary" => options.emulator_binary = Some(value()?.into()),
                "--platform" => options.platform = Some(Platform::parse(&value()?)?),
                "--version" => options.version = Some(value()?),
                "--out" => options.out = Some(value()?.into()),
                "--gpg-key" => options.gpg_key = Some(value()?),
                "--dir" => options.dir = Some(value()?.into()),
                "--source" => options.source = Some(value()?),
                flag if flag.starts_with('-') => {
                    return fail(format!("unknown option {flag}\n\n{USAGE}"));
                }
                zip if options.zip.is_none() => options.zip = Some(zip.into()),
                extra => return fail(format!("unexpected argument {extra:?}\n\n{USAGE}")),
            }
        }
        Ok(options)
    }

    fn source(&self) -> Result<ProviderAddress> {
        ProviderAddress::parse(self.source.as_deref().unwrap_or(DEFAULT_SOURCE))
    }

    fn version(&self, repo: &Path) -> Result<String> {
        match &self.version {
            Some(version) => Ok(version.clone()),
            None => dist::package_version(&repo.join("Cargo.toml")),
        }
    }

    fn out_dir(&self, repo: &Path) -> PathBuf {
        self.out.clone().unwrap_or_else(|| repo.join("dist"))
    }

    fn platform(&self) -> Result<Platform> {
        match &self.platform {
            Some(platform) => Ok(platform.clone()),
            None => Platform::host(),
        }
    }
}

/// The repository root: the parent of this crate's directory.
fn repo_root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf()
}

fn run_dist(options: &Options) -> Result<()> {
    let repo = repo_root();
    let source = options.source()?;
    let project = source.project_name();
    let version = options.version(&repo)?;
    let out_dir = options.out_dir(&repo);
    let mut builds: Vec<(Built, Platform)> = Vec::new();
    if let Some(binary) = &options.binary {
        if !options.targets.is_empty() {
            return fail("--binary packs a binary that is already built; leave out --target");
        }
        if options.emulator_binary.is_none() {
            println!("==> no --emulator-binary: packing the provider only");
        }
        let built = Built {
            provider: binary.clone(),
            emulator: options.emulator_binary.clone(),
        };
        builds.push((built, options.platform()?));
    } else if options.emulator_binary.is_some() {
        return fail("--emulator-binary goes with --binary; without them dist builds both");
    } else if options.targets.is_empty() {
        builds.push((build_release(&repo, None)?, Platform::host()?));
    } else {
        for target in &options.targets {
            let platform = Platform::from_target_triple(target)?;
            builds.push((build_release(&repo, Some(target))?, platform));
        }
    }
    for (built, platform) in &builds {
        let packed = dist::pack(&PackRequest {
            binary: &built.provider,
            project: &project,
            version: &version,
            platform,
            out_dir: &out_dir,
        })?;
        print_packed(&packed);
        if let Some(emulator) = &built.emulator {
            let packed = dist::pack_emulator(&EmulatorPackRequest {
                binary: emulator,
                version: &version,
                platform,
                out_dir: &out_dir,
            })?;
            println!(
                "==> {} ({:.1} MiB)\n    sha256         {}",
                packed.zip.display(),
                packed.bytes as f64 / (1024.0 * 1024.0),
                packed.sha256
            );
        }
    }
    write_sums(options, &repo, &project, &version)
}

fn print_packed(packed: &dist::Packed) {
    println!(
        "==> {} ({:.1} MiB)\n    sha256         {}\n    lock-file hash {}",
        packed.zip.display(),
        packed.bytes as f64 / (1024.0 * 1024.0),
        packed.sha256,
        packed.h1
    );
}

/// The executables one build produced.
struct Built {
    provider: PathBuf,
    emulator: Option<PathBuf>,
}

fn run_sums(options: &Options) -> Result<()> {
    let repo = repo_root();
    let project = options.source()?.project_name();
    let version = options.version(&repo)?;
    write_sums(options, &repo, &project, &version)
}

fn write_sums(options: &Options, repo: &Path, project: &str, version: &str) -> Result<()> {
    let manifest_path = repo.join("terraform-registry-manifest.json");
    let manifest = std::fs::read_to_string(&manifest_path)
        .map_err(|e| Error(format!("reading {}: {e}", manifest_path.display())))?;
    let gpg: OsString = std::env::var_os("GPG").unwrap_or_else(|| "gpg".into());
    let signer = options
        .gpg_key
        .as_deref()
        .map(|key| Signer { key, gpg: &gpg });
    let files = dist::write_release_files(
        &options.out_dir(repo),
        project,
        version,
        &manifest,
        signer.as_ref(),
    )?;
    println!(
        "==> {} ({} zips and the manifest)\n==> {}",
        files.sums.display(),
        files.zips.len(),
        files.manifest.display()
    );
    if let Some(signature) = &files.signature {
        println!("==> {}", signature.display());
    }
    // The emulator's checksums go into a file of their own: the provider's stay as they are.
    if let Some(emulator) =
        dist::write_emulator_sums(&options.out_dir(repo), version, signer.as_ref())?
    {
        println!(
            "==> {} ({} zips)",
            emulator.sums.display(),
            emulator.zips.len()
        );
        if let Some(signature) = &emulator.signature {
            println!("==> {}", signature.display());
        }
    }
    Ok(())
}

/// `cargo build --release` of the provider and the emulator (for `target`), with cargo's
/// progress on the terminal.
fn build_release(repo: &Path, target: Option<&str>) -> Result<Built> {
    println!(
        "==> cargo build --release --package terraform-provider-cloudflare --package api-emulator{}",
        target.map(|t| format!(" --target {t}")).unwrap_or_default()
    );
    let mut build = cargo(repo);
    build.args([
        "build",
        "--release",
        "--package",
        "terraform-provider-cloudflare",
        "--package",
        "api-emulator",
    ]);
    if let Some(target) = target {
        build.args(["--target", target]);
    }
    let status = build
        .status()
        .map_err(|e| Error(format!("cannot run cargo: {e}")))?;
    if !status.success() {
        return fail(format!("cargo build failed ({status})"));
    }
    let platform = match target {
        Some(target) => Platform::from_target_triple(target)?,
        None => Platform::host()?,
    };
    let mut dir = target_dir(repo);
    if let Some(target) = target {
        dir = dir.join(target);
    }
    let release = dir.join("release");
    Ok(Built {
        provider: release.join(format!(
            "terraform-provider-cloudflare{}",
            platform.executable_suffix()
        )),
        emulator: Some(release.join(dist::emulator_executable_name(&platform))),
    })
}

/// A `cargo` command in `repo` without the variables `cargo run` handed this process.
pub(crate) fn cargo(repo: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(repo);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if CARGO_RUN_ENV.contains(&name.as_ref()) || name.starts_with("CARGO_PKG_") {
            command.env_remove(name.as_ref());
        }
    }
    command
}

/// `CARGO_TARGET_DIR`, else `target/` in the repository.
pub(crate) fn target_dir(repo: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_relative() {
                repo.join(dir)
            } else {
                dir
            }
        })
        .unwrap_or_else(|| repo.join("target"))
}

fn run_install(options: &Options) -> Result<()> {
    let repo = repo_root();
    let source = options.source()?;
    let platform = options.platform()?;
    let zip = match &options.zip {
        Some(zip) => zip.clone(),
        None => options.out_dir(&repo).join(dist::zip_name(
            &source.project_name(),
            &options.version(&repo)?,
            &platform,
        )),
    };
    let mirror = match &options.dir {
        Some(dir) => dir.clone(),
        None => install::implied_mirror(&platform, |name| std::env::var_os(name))?,
    };
    let installed = install::install(&InstallRequest {
        zip: &zip,
        mirror: &mirror,
        source: &source,
        expected_version: options.version.as_deref(),
        platform: &platform,
    })?;
    println!(
        "==> Installed {source} {} for {platform} into {}\n    lock-file hash {}",
        installed.version,
        installed.dir.display(),
        installed.h1
    );
    Ok(())
}
