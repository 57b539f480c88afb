//! Helpers shared by the `bench_*` examples: building the binaries they measure, and summaries.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Variables `cargo run` sets for the program it runs (besides `CARGO_PKG_*`). A nested
/// `cargo build` that inherits them makes ring's build script rerun and rebuild half the tree.
const CARGO_RUN_ENV: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "OUT_DIR",
];

/// The repository root (where Cargo.toml is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `target/<profile>`: this example runs from `target/<profile>/examples/<name>`.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the benchmark knows its own path");
    exe.parent()
        .and_then(Path::parent)
        .expect("the benchmark runs from target/<profile>/examples")
        .to_path_buf()
}

/// "release" or "debug": the profile this benchmark (and everything it builds) uses.
pub fn profile_name() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// The plugin binaries the benchmarks start.
pub struct Providers {
    /// The shipped `terraform-provider-cloudflare`.
    pub shipped: PathBuf,
    /// The test-only `protocol_test_provider` example.
    pub test: PathBuf,
    /// The `bench_floor_provider` example: the shipped schemas with no API behind them.
    pub floor: PathBuf,
}

/// Builds the shipped provider and the `protocol_test_provider` and `bench_floor_provider`
/// examples in this benchmark's own profile.
pub fn build_providers() -> Result<Providers, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build.current_dir(repo()).args([
        "build",
        "--quiet",
        "--bin",
        "terraform-provider-cloudflare",
        "--example",
        "protocol_test_provider",
        "--example",
        "bench_floor_provider",
    ]);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if CARGO_RUN_ENV.contains(&name.as_ref()) || name.starts_with("CARGO_PKG_") {
            build.env_remove(name.as_ref());
        }
    }
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    let status = build
        .status()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    if !status.success() {
        return Err(format!("cargo build failed ({status})"));
    }
    let dir = profile_dir();
    let providers = Providers {
        shipped: dir.join("terraform-provider-cloudflare"),
        test: dir.join("examples").join("protocol_test_provider"),
        floor: dir.join("examples").join("bench_floor_provider"),
    };
    for binary in [&providers.shipped, &providers.test, &providers.floor] {
        if !binary.is_file() {
            return Err(format!("{} was not built", binary.display()));
        }
    }
    Ok(providers)
}

/// Median, minimum and maximum of a set of measurements.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
}

impl Summary {
    /// Summarises `samples` (at least one).
    pub fn of(samples: &[Duration]) -> Summary {
        assert!(!samples.is_empty(), "no samples to summarise");
        let mut sorted = samples.to_vec();
        sorted.sort();
        Summary {
            median: sorted[sorted.len() / 2],
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        }
    }
}

/// A size given in KiB, shown in KiB below 1 MiB and in MiB (one decimal) above.
pub fn kib_or_mib(kib: u64) -> String {
    if kib < 1024 {
        format!("{kib} KiB")
    } else {
        format!("{:.1} MiB", kib as f64 / 1024.0)
    }
}
