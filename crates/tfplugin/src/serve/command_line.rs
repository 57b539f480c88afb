//! The provider binary's command line: `--debug`, `--version`, `--help`, or (no argument) plugin
//! mode after the start-up checks: the magic cookie and, once, the protocol version.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::{serve_debug, serve_plugin};
use crate::framework::Provider;
use crate::handshake::{MAGIC_COOKIE_KEY, check_magic_cookie, negotiate_protocol};

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run as a plugin launched by Terraform / OpenTofu.
    Plugin,
    /// `--debug`: serve for reattach until SIGINT/SIGTERM.
    Debug,
    /// `--version`.
    Version,
    /// `--help`.
    Help,
}

/// Parses the binary's arguments (without the program name).
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut command = Command::Plugin;
    for arg in args {
        command = match arg.as_str() {
            "--debug" | "-debug" => Command::Debug,
            "--version" | "-version" | "-v" => Command::Version,
            "--help" | "-help" | "-h" => Command::Help,
            other => {
                return Err(format!(
                    "unknown argument {other:?}; try --help, --version or --debug"
                ));
            }
        };
    }
    Ok(command)
}

fn usage(binary: &str) -> String {
    format!(
        "{binary}: a Terraform / OpenTofu provider plugin. Terraform starts it by itself.\n\n\
         Options:\n  --debug     serve for a debugger: prints a TF_REATTACH_PROVIDERS value to use\n  \
         --version   print the version\n  --help      print this text\n"
    )
}

/// Resolves on SIGINT or SIGTERM (Ctrl-C elsewhere). The handlers are installed when this is
/// called, before the returned future is first polled, so a signal sent right after the caller
/// announced itself is caught instead of killing the process.
fn interrupted_or_terminated() -> Result<impl std::future::Future<Output = ()>, String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
        let mut terminate = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        let mut ctrl_c = tokio::signal::windows::ctrl_c().map_err(|e| e.to_string())?;
        Ok(async move {
            ctrl_c.recv().await;
        })
    }
}

async fn serve_debug_until_signal<P: Provider>(provider: P, source: &str) -> Result<(), String> {
    let server = serve_debug(provider, source)
        .await
        .map_err(|e| format!("starting the debug server: {e}"))?;
    let signalled = interrupted_or_terminated();
    println!(
        "Provider started in debug mode. To attach Terraform, set this in the shell that runs it:\n\n\
         \tTF_REATTACH_PROVIDERS='{}'\n\nStop with Ctrl-C.",
        server.reattach_json()
    );
    let _ = io::stdout().flush();
    let result = match signalled {
        Ok(signal) => {
            signal.await;
            Ok(())
        }
        Err(e) => Err(e),
    };
    server.shutdown().await;
    result
}

/// The whole binary: parses `args`, then serves `provider` as a plugin or in debug mode.
/// `source` is the provider address (for debug mode), e.g. `registry.terraform.io/acme/example`.
pub fn run<P: Provider>(provider: P, source: &str, args: Vec<String>) -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    crate::hclog::install_panic_hook(source);
    let binary = args
        .first()
        .map(|a| {
            Path::new(a)
                .file_name()
                .map_or(a.clone(), |f| f.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "terraform-provider".to_string());
    let command = match parse_args(args.into_iter().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Version => {
            println!("{binary} {}", provider.version());
            return ExitCode::SUCCESS;
        }
        Command::Help => {
            print!("{}", usage(&binary));
            return ExitCode::SUCCESS;
        }
        Command::Plugin => {
            if let Err(message) =
                check_magic_cookie(std::env::var(MAGIC_COOKIE_KEY).ok().as_deref())
            {
                eprintln!("{message}");
                return ExitCode::FAILURE;
            }
            if let Err(message) =
                negotiate_protocol(std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref())
            {
                eprintln!("{message}");
                return ExitCode::FAILURE;
            }
        }
        Command::Debug => {}
    }
    crate::hclog::init_from_env(&format!("provider.{binary}"));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match command {
            Command::Debug => serve_debug_until_signal(provider, source).await,
            _ => serve_plugin(provider).await,
        }
    });
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse() {
        assert_eq!(parse_args(Vec::<String>::new()), Ok(Command::Plugin));
        assert_eq!(parse_args(vec!["--debug".into()]), Ok(Command::Debug));
        assert_eq!(parse_args(vec!["--version".into()]), Ok(Command::Version));
        assert!(parse_args(vec!["--bogus".into()]).is_err());
    }
}
