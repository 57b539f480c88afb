//! Benchmark: time from exec to the handshake line of the provider binary (median of N runs).
//!
//! `cargo run --example bench_handshake [-- <provider binary> [runs]]`; the binary defaults to
//! `terraform-provider-cloudflare` next to this example's directory (`target/<profile>/`).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

fn default_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    exe.parent()
        .and_then(|examples| examples.parent())
        .expect("target/<profile>/examples")
        .join("terraform-provider-cloudflare")
}

/// Starts the binary as Terraform would, waits for the handshake line, then stops it.
fn one_run(binary: &PathBuf) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env(COOKIE_KEY, COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the provider");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("reading the handshake");
    let elapsed = started.elapsed();
    assert!(
        line.starts_with("1|6|unix|"),
        "unexpected handshake: {line:?}"
    );
    // SIGTERM lets the provider remove its socket directory.
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    child.wait().expect("provider exits");
    elapsed
}

fn main() {
    let mut args = std::env::args().skip(1);
    let binary = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(default_binary);
    let runs: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20);
    let _warm_up = one_run(&binary);
    let mut times: Vec<Duration> = (0..runs).map(|_| one_run(&binary)).collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "exec → handshake over {runs} runs of {}: median {:.2} ms, min {:.2} ms, max {:.2} ms",
        binary.display(),
        ms(times[runs / 2]),
        ms(times[0]),
        ms(times[runs - 1]),
    );
}
