//! Acceptance: the TCP transport (go-plugin's `tcp` network, the default on Windows), selected on
//! Unix with `PLUGIN_TRANSPORT=tcp`: real Terraform applies, re-plans and destroys over it, and
//! the handshake names a loopback address inside go-plugin's `PLUGIN_MIN_PORT`..`PLUGIN_MAX_PORT`.

mod acc_harness;
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use acc_harness::{Emulator, Workdir};
use tfplugin::serve;

#[test]
fn terraform_drives_the_provider_over_loopback_tcp() {
    let emulator = Emulator::start();
    let Some(mut workdir) =
        Workdir::new(&emulator, "terraform_drives_the_provider_over_loopback_tcp")
    else {
        return;
    };
    workdir.set_env(serve::TRANSPORT_ENV, "tcp");
    workdir.config(
        r#"
resource "cloudflare_secrets_store" "main" {
  name = "default_secrets_store"
}

resource "cloudflare_store_secret" "over_tcp" {
  store_id = cloudflare_secrets_store.main.id
  name     = "OVER_TCP"
  value    = "sent-over-tcp"
}
"#,
    );
    // The provider logs where it listens; Terraform relays that log. The apply can only have
    // worked over that address, since the provider listens nowhere else.
    let apply = workdir.run_with_env(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[("TF_LOG_PROVIDER", "info")],
    );
    assert_eq!(
        apply.code, 0,
        "apply failed:\n{}\n{}",
        apply.stdout, apply.stderr
    );
    let started: Vec<&str> = apply
        .stderr
        .lines()
        .filter(|line| line.contains("plugin server started:"))
        .collect();
    assert!(
        !started.is_empty(),
        "no start line in the log:\n{}",
        apply.stderr
    );
    for line in &started {
        assert!(line.contains(" network=tcp"), "{line}");
        let port: u16 = line
            .split(" address=127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no 127.0.0.1 address in {line}"));
        // go-plugin's client hands the plugin PLUGIN_MIN_PORT=10000 and PLUGIN_MAX_PORT=25000.
        assert!((10000..=25000).contains(&port), "{line}");
    }
    assert_eq!(emulator.state.secrets().len(), 1);
    workdir.assert_plan_empty();
    workdir.destroy();
    emulator.assert_empty();
}

#[test]
fn the_handshake_names_a_tcp_port_inside_the_range_and_the_range_is_checked() {
    let binary = env!("CARGO_BIN_EXE_terraform-provider-cloudflare");
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let mut child = Command::new(binary)
        .env(serve::MAGIC_COOKIE_KEY, serve::MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env(serve::TRANSPORT_ENV, "tcp")
        .env("PLUGIN_MIN_PORT", port.to_string())
        .env("PLUGIN_MAX_PORT", port.saturating_add(50).to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(fields.len(), 6, "{line}");
    assert_eq!(&fields[..3], ["1", "6", "tcp"], "{line}");
    let address: std::net::SocketAddr = fields[3].parse().unwrap();
    assert_eq!(address.ip().to_string(), "127.0.0.1");
    assert!(
        address.port() >= port && address.port() <= port.saturating_add(50),
        "{line}"
    );
    // Something is listening there.
    assert!(std::net::TcpStream::connect(address).is_ok());
    let _ = child.kill();
    let _ = child.wait();

    // An impossible range is a clear error on stderr, not a crash.
    let output = Command::new(binary)
        .env(serve::MAGIC_COOKIE_KEY, serve::MAGIC_COOKIE_VALUE)
        .env(serve::TRANSPORT_ENV, "tcp")
        .env("PLUGIN_MIN_PORT", "30000")
        .env("PLUGIN_MAX_PORT", "20000")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("PLUGIN_MIN_PORT (30000) is greater than PLUGIN_MAX_PORT (20000)"),
        "{stderr}"
    );
}
