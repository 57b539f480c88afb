//! Benchmark: time from exec to the handshake line of the shipped provider, next to baselines
//! measured in the same run (a bare process spawn and the test-only protocol provider).
//!
//! `cargo run --release --example bench_handshake [-- <runs>]` (default 20 runs per subject, after
//! one warm-up each). Builds what it measures in its own profile first. Prints figures only;
//! nothing is asserted about timings.

#[path = "bench_support/mod.rs"]
mod bench_support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use bench_support::{Summary, build_providers, kib_or_mib, profile_name};

const COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const DEFAULT_RUNS: usize = 20;
/// The spawn floor: a process that does nothing.
const TRIVIAL_PROGRAM: &str = "/bin/true";

/// What one run of a subject measures.
#[derive(Clone, Copy)]
enum Measure {
    /// exec → the process has exited (for the trivial program).
    ExecToExit,
    /// exec → the plugin handshake line is on stdout.
    ExecToHandshake,
}

struct Subject {
    label: &'static str,
    program: PathBuf,
    measure: Measure,
    samples: Vec<Duration>,
}

fn main() -> ExitCode {
    let runs = match std::env::args().nth(1) {
        None => DEFAULT_RUNS,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("usage: bench_handshake [runs]  (runs: a positive number, not {text:?})");
                return ExitCode::FAILURE;
            }
        },
    };
    match run(runs) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench_handshake failed: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(runs: usize) -> Result<(), String> {
    let providers = build_providers()?;
    let mut subjects = vec![
        Subject {
            label: "spawn floor (/bin/true, exec → exit)",
            program: PathBuf::from(TRIVIAL_PROGRAM),
            measure: Measure::ExecToExit,
            samples: Vec::new(),
        },
        Subject {
            label: "baseline: protocol_test_provider",
            program: providers.test,
            measure: Measure::ExecToHandshake,
            samples: Vec::new(),
        },
        Subject {
            label: "terraform-provider-cloudflare",
            program: providers.shipped,
            measure: Measure::ExecToHandshake,
            samples: Vec::new(),
        },
    ];
    // One warm-up each (page cache), then the runs interleaved so drift hits every subject alike.
    for subject in &subjects {
        one_run(&subject.program, subject.measure)?;
    }
    for _ in 0..runs {
        for subject in &mut subjects {
            let elapsed = one_run(&subject.program, subject.measure)?;
            subject.samples.push(elapsed);
        }
    }

    println!(
        "exec → handshake line, {runs} runs per subject, interleaved ({} build, {} cores)",
        profile_name(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    println!(
        "{:<40} {:>10} {:>10} {:>10} {:>10}",
        "subject", "median", "min", "max", "binary"
    );
    for subject in &subjects {
        let summary = Summary::of(&subject.samples);
        println!(
            "{:<40} {:>10} {:>10} {:>10} {:>10}",
            subject.label,
            millis(summary.median),
            millis(summary.min),
            millis(summary.max),
            file_size(&subject.program),
        );
    }
    Ok(())
}

fn one_run(program: &Path, measure: Measure) -> Result<Duration, String> {
    match measure {
        Measure::ExecToExit => {
            let started = Instant::now();
            let status = Command::new(program)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map_err(|error| format!("cannot run {}: {error}", program.display()))?;
            let elapsed = started.elapsed();
            if !status.success() {
                return Err(format!("{} exited with {status}", program.display()));
            }
            Ok(elapsed)
        }
        Measure::ExecToHandshake => time_to_handshake(program),
    }
}

/// Starts `program` as Terraform would, waits for the handshake line, then stops it.
fn time_to_handshake(program: &Path) -> Result<Duration, String> {
    let started = Instant::now();
    let mut child = Command::new(program)
        .env(COOKIE_KEY, COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| format!("cannot start {}: {error}", program.display()))?;
    let mut line = String::new();
    let read = BufReader::new(child.stdout.take().expect("stdout is piped")).read_line(&mut line);
    let elapsed = started.elapsed();
    // SIGTERM lets the provider remove its socket directory.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    read.map_err(|error| format!("reading the handshake of {}: {error}", program.display()))?;
    if !line.starts_with("1|6|unix|") {
        return Err(format!(
            "unexpected handshake from {}: {:?}",
            program.display(),
            line.trim_end()
        ));
    }
    Ok(elapsed)
}

/// Milliseconds with two decimals.
fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// Size of a file (KiB below 1 MiB, else MiB), or "?" when it cannot be read.
fn file_size(path: &Path) -> String {
    std::fs::metadata(path)
        .map(|meta| kib_or_mib(meta.len() / 1024))
        .unwrap_or_else(|_| "?".into())
}
