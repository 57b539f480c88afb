//! Logging for the plugin process: hclog-style JSON lines on stderr (what Terraform parses),
//! level chosen by `TF_LOG_PROVIDER` then `TF_LOG`, and the panic policy (report, then exit).
//!
//! A hand-written tracing layer: go-plugin reads a stderr line as a log entry only in hclog's
//! shape (`@level` in lower case, `@message`, `@module`, `@timestamp` with exactly six fractional
//! digits, fields as top-level keys) and as plain text otherwise; tracing-subscriber's JSON format
//! names and nests these differently.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value as Json};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// Events from other crates are shown only at warn and error.
/// Libraries below the provider whose debug output is transport chatter (h2 frames, connection
/// pools, TLS records): only their warnings and errors are written. Every other target (this
/// crate, the provider, its API client) logs at the level Terraform asks for.
const TRANSPORT_LIBRARIES: &[&str] = &[
    "h2",
    "hyper",
    "hyper_util",
    "mio",
    "reqwest",
    "rustls",
    "tokio_rustls",
    "tonic",
    "tower",
];

/// Whether `target` belongs to one of [`TRANSPORT_LIBRARIES`].
fn is_transport_chatter(target: &str) -> bool {
    let krate = target.split("::").next().unwrap_or(target);
    TRANSPORT_LIBRARIES.contains(&krate)
}

/// The log level asked for by the environment: `TF_LOG_PROVIDER` wins over `TF_LOG`;
/// unset or empty means off; `JSON` means trace; an unrecognised value means trace, as in Terraform.
pub fn level_from_env(tf_log_provider: Option<&str>, tf_log: Option<&str>) -> LevelFilter {
    let chosen = [tf_log_provider, tf_log]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|v| !v.is_empty());
    match chosen.map(str::to_ascii_uppercase).as_deref() {
        None | Some("OFF") => LevelFilter::OFF,
        Some("ERROR") => LevelFilter::ERROR,
        Some("WARN") => LevelFilter::WARN,
        Some("INFO") => LevelFilter::INFO,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some(_) => LevelFilter::TRACE,
    }
}

/// The hclog name of a tracing level.
pub fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

/// The hclog JSON timestamp of `time`: UTC, exactly six fractional digits.
pub fn timestamp(time: chrono::DateTime<chrono::Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// One hclog JSON line (without the newline). `fields` must not use the `@` keys.
pub fn format_line(
    level: &Level,
    message: &str,
    module: &str,
    time: chrono::DateTime<chrono::Utc>,
    fields: Map<String, Json>,
) -> String {
    let mut line = Map::new();
    line.insert("@level".into(), Json::from(level_name(level)));
    line.insert("@message".into(), Json::from(message));
    line.insert("@module".into(), Json::from(module));
    line.insert("@timestamp".into(), Json::from(timestamp(time)));
    for (key, value) in fields {
        line.entry(key).or_insert(value);
    }
    Json::Object(line).to_string()
}

/// A tracing layer writing each event as one hclog JSON line.
pub struct HclogLayer {
    module: String,
    out: Arc<Mutex<dyn Write + Send>>,
}

impl HclogLayer {
    /// A layer writing to stderr with the given `@module` (e.g. `provider.terraform-provider-example`).
    pub fn stderr(module: &str) -> HclogLayer {
        HclogLayer::new(module, Arc::new(Mutex::new(io::stderr())))
    }

    pub fn new(module: &str, out: Arc<Mutex<dyn Write + Send>>) -> HclogLayer {
        HclogLayer {
            module: module.to_string(),
            out,
        }
    }
}

/// Collects an event's fields: `message` apart, the rest as JSON.
#[derive(Default)]
struct FieldCollector {
    message: String,
    fields: Map<String, Json>,
}

impl Visit for FieldCollector {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.fields.insert(field.name().into(), Json::from(value));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.insert(field.name().into(), Json::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.insert(field.name().into(), Json::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.insert(field.name().into(), Json::from(value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields.insert(field.name().into(), Json::from(text));
        }
    }
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        if is_transport_chatter(meta.target()) && *meta.level() > Level::WARN {
            // Library chatter (h2 frames, hyper) only when it matters.
            return;
        }
        let mut collector = FieldCollector::default();
        event.record(&mut collector);
        collector
            .fields
            .insert("target".into(), Json::from(meta.target()));
        let line = format_line(
            meta.level(),
            &collector.message,
            &self.module,
            chrono::Utc::now(),
            collector.fields,
        );
        if let Ok(mut out) = self.out.lock() {
            // A failed log write has nowhere better to go.
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }
}

/// Installs the stderr hclog subscriber at the level the environment asks for.
pub fn init_from_env(module: &str) {
    let level = level_from_env(
        std::env::var("TF_LOG_PROVIDER").ok().as_deref(),
        std::env::var("TF_LOG").ok().as_deref(),
    );
    let layer = HclogLayer::stderr(module).with_filter(level);
    // Already installed (e.g. by a test harness) is fine.
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "unknown panic"
    }
}

/// Where users report a bug in the provider at `source` (e.g.
/// `registry.terraform.io/acme/example`): its registry page links the issue tracker.
pub fn bug_report_hint(source: &str) -> String {
    let page = match source.split('/').collect::<Vec<_>>().as_slice() {
        [host, namespace, name] => format!("https://{host}/providers/{namespace}/{name}"),
        _ => source.to_string(),
    };
    format!(
        "This is a bug in the provider {source}, not in your configuration. Please report it, \
         with the lines above and the Terraform command you ran, through the issue tracker \
         linked from {page} (for a security problem, follow SECURITY.md instead)."
    )
}

/// The panic policy, like a Go provider's: a panic anywhere (a request handler or a task it
/// started) prints `panic: <message>`, where it happened and [`bug_report_hint`] on stderr, then
/// ends the process with status 2. Terraform sees the plugin exit, shows those lines and
/// "The plugin crashed!" as an error, and never waits on a request that will not answer.
pub fn install_panic_hook(source: &str) {
    let hint = bug_report_hint(source);
    std::panic::set_hook(Box::new(move |info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let mut err = io::stderr().lock();
        let _ = writeln!(err, "panic: {}", panic_message(info.payload()));
        let _ = writeln!(err, "\tat {location}");
        let _ = writeln!(err, "\n{hint}");
        let _ = err.flush();
        std::process::exit(2);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn bug_reports_point_at_the_registry_page() {
        let hint = bug_report_hint("registry.terraform.io/acme/example");
        assert!(hint.contains("bug in the provider"), "{hint}");
        assert!(
            hint.contains("https://registry.terraform.io/providers/acme/example"),
            "{hint}"
        );
    }

    #[test]
    fn panic_payloads_become_messages() {
        let from_str: Box<dyn std::any::Any + Send> = Box::new("static text");
        let from_string: Box<dyn std::any::Any + Send> = Box::new(String::from("owned text"));
        let other: Box<dyn std::any::Any + Send> = Box::new(42_u8);
        assert_eq!(panic_message(from_str.as_ref()), "static text");
        assert_eq!(panic_message(from_string.as_ref()), "owned text");
        assert_eq!(panic_message(other.as_ref()), "unknown panic");
    }

    #[test]
    fn provider_level_wins_over_tf_log() {
        assert_eq!(
            level_from_env(Some("warn"), Some("TRACE")),
            LevelFilter::WARN
        );
        assert_eq!(level_from_env(None, Some("DEBUG")), LevelFilter::DEBUG);
        assert_eq!(level_from_env(Some(""), Some("info")), LevelFilter::INFO);
    }

    #[test]
    fn unset_is_off_and_json_is_trace() {
        assert_eq!(level_from_env(None, None), LevelFilter::OFF);
        assert_eq!(level_from_env(None, Some("JSON")), LevelFilter::TRACE);
        assert_eq!(level_from_env(Some("off"), Some("trace")), LevelFilter::OFF);
    }

    #[test]
    fn timestamp_has_six_fraction_digits_and_utc_zone() {
        let t = chrono::Utc
            .with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
            .unwrap()
            .checked_add_signed(chrono::TimeDelta::microseconds(7))
            .unwrap();
        assert_eq!(timestamp(t), "2026-01-02T03:04:05.000007Z");
    }

    #[test]
    fn line_has_hclog_keys_and_extra_fields() {
        let mut fields = Map::new();
        fields.insert("rpc".into(), Json::from("PlanResourceChange"));
        fields.insert("@level".into(), Json::from("spoofed"));
        let t = chrono::Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let line = format_line(&Level::WARN, "hello", "provider", t, fields);
        let parsed: Json = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["@level"], "warn");
        assert_eq!(parsed["@message"], "hello");
        assert_eq!(parsed["@module"], "provider");
        assert_eq!(parsed["@timestamp"], "2026-01-02T03:04:05.000000Z");
        assert_eq!(parsed["rpc"], "PlanResourceChange");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn layer_writes_one_json_line_per_event() {
        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl Write for Buffer {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let layer = HclogLayer::new("provider", Arc::new(Mutex::new(buffer.clone())))
            .with_filter(LevelFilter::INFO);
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(rpc = "ReadResource", count = 3, "served");
            tracing::debug!("filtered out");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        let parsed: Json = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(parsed["@level"], "info");
        assert_eq!(parsed["@message"], "served");
        assert_eq!(parsed["rpc"], "ReadResource");
        assert_eq!(parsed["count"], 3);
    }
}
