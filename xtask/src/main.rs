//! `cargo xtask`: `dist` packs release archives (the provider's and the API emulator's),
//! `install` puts one into a provider mirror, `sums` rewrites the checksums (and signatures) of a
//! `dist/` directory, `demo` runs the whole user path against the local emulator, `docs` writes
//! the registry pages from the schemas. `cargo xtask help` prints the usage.

mod demo;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::{Args, CommandFactory, Parser, Subcommand};

use xtask::dist::{self, EmulatorPackRequest, PackRequest, Signer};
use xtask::install::{self, InstallRequest};
use xtask::platform::Platform;
use xtask::provider_address::{DEFAULT_SOURCE, ProviderAddress};
use xtask::{Error, Result, fail};

/// The release tool: packs release archives, installs one, runs the demo, writes the docs.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Option<Task>,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// build release binaries and write the Terraform Registry release layout into dist/, plus
    /// the API emulator's own archives (cloudflare-api-emulator_V_OS_ARCH.zip) and checksums
    /// (cloudflare-api-emulator_V_SHA256SUMS), which the provider's never list
    Dist(DistOptions),
    /// rewrite SHA256SUMS and the manifest over the zips in --out, and the emulator's own
    /// checksums over its zips there (and sign both with --gpg-key)
    Sums(SumsOptions),
    /// unpack a release zip into a provider mirror
    Install(InstallOptions),
    /// build once, pack, install into a temporary mirror, terraform init, apply, re-plan and
    /// destroy against the local API emulator (nothing is written into your home directory)
    Demo,
    /// write docs/index.md, docs/resources/*.md and docs/data-sources/*.md from the provider's
    /// schemas, templates/ and examples/ (the provider's generate_docs example)
    Docs,
}

/// Which release: every command that reads or writes the release directory.
#[derive(Debug, Args)]
struct Release {
    /// the release version (default: Cargo.toml's); install refuses a zip of another version
    #[arg(long, value_name = "V")]
    version: Option<String>,
    /// the release directory (default: dist/)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// provider source address
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_SOURCE, value_parser = ProviderAddress::parse)]
    source: ProviderAddress,
}

#[derive(Debug, Args)]
struct SumsOptions {
    #[command(flatten)]
    release: Release,
    /// sign both SHA256SUMS files with this GnuPG key (gpg, or $GPG)
    #[arg(long, value_name = "ID")]
    gpg_key: Option<String>,
}

#[derive(Debug, Args)]
struct DistOptions {
    /// Rust target to build (repeatable; default: this machine)
    #[arg(long = "target", value_name = "TRIPLE", conflicts_with = "binary")]
    targets: Vec<String>,
    /// pack an already built provider instead of building one
    #[arg(long, value_name = "PATH")]
    binary: Option<PathBuf>,
    /// with --binary: also pack this already built emulator
    #[arg(long, value_name = "PATH", requires = "binary")]
    emulator_binary: Option<PathBuf>,
    /// the platform of --binary (default: this machine)
    #[arg(long, value_name = "OS_ARCH", value_parser = Platform::parse)]
    platform: Option<Platform>,
    #[command(flatten)]
    sums: SumsOptions,
}

#[derive(Debug, Args)]
struct InstallOptions {
    /// default: dist/terraform-provider-cloudflare_VERSION_OS_ARCH.zip
    zip: Option<PathBuf>,
    /// mirror root (default: ~/.terraform.d/plugins, %APPDATA%\terraform.d\plugins)
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// install for another machine (default: this machine)
    #[arg(long, value_name = "OS_ARCH", value_parser = Platform::parse)]
    platform: Option<Platform>,
    #[command(flatten)]
    release: Release,
}

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
    // Bad usage exits 2 with clap's message; `help`, `--help` and no command print the usage.
    let result = match Cli::parse().task {
        Some(Task::Dist(options)) => run_dist(&options),
        Some(Task::Sums(options)) => write_sums(&options, &repo_root()),
        Some(Task::Install(options)) => run_install(&options),
        Some(Task::Demo) => demo::run(&repo_root()),
        Some(Task::Docs) => run_docs(&repo_root()),
        None => Cli::command()
            .print_help()
            .map_err(|e| Error(e.to_string())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

impl Release {
    fn version(&self, repo: &Path) -> Result<String> {
        match &self.version {
            Some(version) => Ok(version.clone()),
            None => dist::package_version(&repo.join("Cargo.toml")),
        }
    }

    fn out_dir(&self, repo: &Path) -> PathBuf {
        self.out.clone().unwrap_or_else(|| repo.join("dist"))
    }
}

/// The repository root: the parent of this crate's directory.
fn repo_root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf()
}

fn run_dist(options: &DistOptions) -> Result<()> {
    let repo = repo_root();
    let release = &options.sums.release;
    let project = release.source.project_name();
    let version = release.version(&repo)?;
    let out_dir = release.out_dir(&repo);
    let mut builds: Vec<(Built, Platform)> = Vec::new();
    if let Some(binary) = &options.binary {
        if options.emulator_binary.is_none() {
            println!("==> no --emulator-binary: packing the provider only");
        }
        let built = Built {
            provider: binary.clone(),
            emulator: options.emulator_binary.clone(),
        };
        let platform = options.platform.clone().map_or_else(Platform::host, Ok)?;
        builds.push((built, platform));
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
    write_sums(&options.sums, &repo)
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

fn write_sums(options: &SumsOptions, repo: &Path) -> Result<()> {
    let project = options.release.source.project_name();
    let version = options.release.version(repo)?;
    let manifest_path = repo.join("terraform-registry-manifest.json");
    let manifest = std::fs::read_to_string(&manifest_path)
        .map_err(|e| Error(format!("reading {}: {e}", manifest_path.display())))?;
    let gpg: OsString = std::env::var_os("GPG").unwrap_or_else(|| "gpg".into());
    let signer = options
        .gpg_key
        .as_deref()
        .map(|key| Signer { key, gpg: &gpg });
    let files = dist::write_release_files(
        &options.release.out_dir(repo),
        &project,
        &version,
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
        dist::write_emulator_sums(&options.release.out_dir(repo), &version, signer.as_ref())?
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

/// Runs the provider's `generate_docs` example: it alone knows the schemas, and xtask's own build
/// stays free of the provider.
fn run_docs(repo: &Path) -> Result<()> {
    let args = [
        "run",
        "-p",
        "terraform-provider-cloudflare",
        "--example",
        "generate_docs",
    ];
    println!("==> cargo {}", args.join(" "));
    let status = cargo(repo)
        .args(args)
        .status()
        .map_err(|e| Error(format!("cannot run cargo: {e}")))?;
    if !status.success() {
        return fail(format!("generate_docs failed ({status})"));
    }
    Ok(())
}

fn run_install(options: &InstallOptions) -> Result<()> {
    let repo = repo_root();
    let source = &options.release.source;
    let platform = options.platform.clone().map_or_else(Platform::host, Ok)?;
    let zip = match &options.zip {
        Some(zip) => zip.clone(),
        None => options.release.out_dir(&repo).join(dist::zip_name(
            &source.project_name(),
            &options.release.version(&repo)?,
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
        source,
        expected_version: options.release.version.as_deref(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> std::result::Result<Option<Task>, clap::Error> {
        Cli::try_parse_from(["cargo xtask"].iter().chain(args)).map(|cli| cli.task)
    }

    #[test]
    fn the_usage_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn dist_takes_every_option_it_documents() {
        let Ok(Some(Task::Dist(dist))) = parse(&[
            "dist",
            "--target",
            "x86_64-unknown-linux-gnu",
            "--target",
            "aarch64-apple-darwin",
            "--version",
            "1.2.3",
            "--out",
            "out",
            "--gpg-key",
            "KEY",
            "--source",
            "example/cloudflare",
        ]) else {
            panic!("dist parses");
        };
        assert_eq!(
            dist.targets,
            ["x86_64-unknown-linux-gnu", "aarch64-apple-darwin"]
        );
        let release = &dist.sums.release;
        assert_eq!(release.version.as_deref(), Some("1.2.3"));
        assert_eq!(release.out, Some(PathBuf::from("out")));
        let example = ProviderAddress::parse("example/cloudflare").unwrap();
        assert_eq!(release.source, example);
        assert_eq!(dist.sums.gpg_key.as_deref(), Some("KEY"));
        let Ok(Some(Task::Dist(packed))) = parse(&[
            "dist",
            "--binary",
            "provider",
            "--emulator-binary",
            "emulator",
            "--platform",
            "linux_arm64",
        ]) else {
            panic!("dist --binary parses");
        };
        assert_eq!(packed.binary, Some(PathBuf::from("provider")));
        assert_eq!(packed.emulator_binary, Some(PathBuf::from("emulator")));
        assert_eq!(
            packed.platform,
            Some(Platform::parse("linux_arm64").unwrap())
        );
        assert_eq!(
            packed.sums.release.source,
            ProviderAddress::parse(DEFAULT_SOURCE).unwrap()
        );
    }

    #[test]
    fn install_sums_demo_and_docs_parse() {
        let Ok(Some(Task::Install(install))) = parse(&[
            "install",
            "release.zip",
            "--dir",
            "mirror",
            "--version",
            "1.0.0",
            "--platform",
            "darwin_arm64",
            "--source",
            "example.com/me/cloudflare",
            "--out",
            "dist2",
        ]) else {
            panic!("install parses");
        };
        assert_eq!(install.zip, Some(PathBuf::from("release.zip")));
        assert_eq!(install.dir, Some(PathBuf::from("mirror")));
        assert_eq!(
            install.platform,
            Some(Platform::parse("darwin_arm64").unwrap())
        );
        assert_eq!(install.release.version.as_deref(), Some("1.0.0"));
        assert_eq!(install.release.out, Some(PathBuf::from("dist2")));
        let mine = ProviderAddress::parse("example.com/me/cloudflare").unwrap();
        assert_eq!(install.release.source, mine);
        let Ok(Some(Task::Sums(sums))) = parse(&["sums", "--out", "d", "--gpg-key", "K"]) else {
            panic!("sums parses");
        };
        assert_eq!(sums.gpg_key.as_deref(), Some("K"));
        assert!(matches!(parse(&["demo"]), Ok(Some(Task::Demo))));
        assert!(matches!(parse(&["docs"]), Ok(Some(Task::Docs))));
        assert!(matches!(parse(&[]), Ok(None)));
    }

    #[test]
    fn bad_usage_is_refused() {
        for args in [
            &[
                "dist",
                "--binary",
                "p",
                "--target",
                "x86_64-unknown-linux-gnu",
            ][..],
            &["dist", "--emulator-binary", "e"],
            &["install", "--platform", "nowhere"],
            &["install", "a.zip", "b.zip"],
            &["sums", "--dir", "mirror"],
            &["deploy"],
        ] {
            let error = parse(args).expect_err(&format!("{args:?} is refused"));
            assert_eq!(error.exit_code(), 2, "{args:?}: {error}");
        }
    }
}
