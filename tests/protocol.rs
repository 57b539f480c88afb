//! Protocol acceptance tests: the real `terraform` drives the test-only provider
//! (`tests/test_provider`) through `dev_overrides` on the built example binary and through
//! reattach to an in-process debug server; plus the binary's start-up contract.

mod support;
mod test_provider;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value as Json;
use support::{Workspace, example_binary, terraform_or_skip};
use tfplugin::serve;

const SOURCE: &str = "cfsecrets/cloudflare";
const ADDRESS: &str = "registry.terraform.io/cfsecrets/cloudflare";
const THING: &str = "cloudflare_test_thing.a";
const WRITE_ONLY_SECRET: &str = "wo-secret-5f3a9c";

fn config(store: &Path, name: &str, size: i64) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    cloudflare = {{ source = "{SOURCE}" }}
  }}
}}

provider "cloudflare" {{
  store_path = "{store}"
}}

resource "cloudflare_test_thing" "a" {{
  name             = "{name}"
  size             = {size}
  password         = "hunter2"
  token_wo         = "{WRITE_ONLY_SECRET}"
  token_wo_version = 1
}}
"#,
        store = store.display()
    )
}

fn stored(store: &Path) -> Json {
    std::fs::read_to_string(store)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Json::Null)
}

fn dev_workspace(test: &str) -> Option<Workspace> {
    let terraform = terraform_or_skip(test)?;
    let binary = example_binary("protocol_test_provider");
    Some(Workspace::with_dev_override(terraform, SOURCE, &binary))
}

#[test]
fn lifecycle_through_dev_overrides() {
    let Some(ws) = dev_workspace("lifecycle_through_dev_overrides") else {
        return;
    };
    let store = ws.path().join("store.json");
    ws.write_main_tf(&config(&store, "alpha", 3));

    let validated = ws.validate();
    assert!(validated.success(), "{}", validated.combined());

    // Create: computed id, default note, write-only token delivered but never stored.
    ws.apply();
    let values = ws.resource_values(THING).expect("resource in state");
    let id = values["id"].as_str().expect("known id").to_string();
    assert_eq!(values["name"], "alpha");
    assert_eq!(values["note"], "hello");
    assert_eq!(values["size"], 3);
    assert!(values["token_wo"].is_null());
    assert!(!ws.state_text().contains(WRITE_ONLY_SECRET));
    assert_eq!(stored(&store)[&id]["token_wo_received"], true);
    ws.assert_plan_empty();

    // In-place update keeps the id.
    ws.write_main_tf(&config(&store, "alpha", 4));
    ws.apply();
    let values = ws.resource_values(THING).unwrap();
    assert_eq!(values["id"], id.as_str());
    assert_eq!(values["size"], 4);
    ws.assert_plan_empty();

    // A name change replaces the object.
    ws.write_main_tf(&config(&store, "beta", 4));
    let planned = ws.plan();
    assert_eq!(planned.code, Some(2), "{}", planned.combined());
    assert!(
        planned.stdout.contains("must be replaced"),
        "{}",
        planned.stdout
    );
    ws.apply();
    let before_import = ws.resource_values(THING).unwrap();
    let new_id = before_import["id"].as_str().unwrap().to_string();
    assert_ne!(new_id, id);
    assert!(stored(&store).get(&id).is_none(), "old object deleted");
    ws.assert_plan_empty();

    // Forget it, import it back: every attribute as before, and no diff.
    ws.run_ok(&["state", "rm", "-no-color", THING]);
    let imported = ws.import(THING, &new_id);
    assert!(imported.success(), "{}", imported.combined());
    assert_eq!(ws.resource_values(THING).unwrap(), before_import);
    ws.assert_plan_empty();

    let missing = ws.import("cloudflare_test_thing.b", "thing-404");
    assert!(!missing.success());

    ws.destroy();
    assert_eq!(stored(&store), serde_json::json!({}));
}

#[test]
fn validation_errors_point_at_the_attribute() {
    let Some(ws) = dev_workspace("validation_errors_point_at_the_attribute") else {
        return;
    };
    let store = ws.path().join("store.json");
    ws.write_main_tf(&config(&store, "alpha", -1));
    let output = ws.validate();
    assert!(!output.success());
    let text = output.combined();
    assert!(text.contains("Invalid size"), "{text}");
    assert!(text.contains("size must be zero or more"), "{text}");
    // Terraform quotes the offending line when the diagnostic has an attribute path.
    assert!(text.contains("size             = -1"), "{text}");
}

#[test]
fn lifecycle_through_reattach() {
    let Some(terraform) = terraform_or_skip("lifecycle_through_reattach") else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime
        .block_on(serve::serve_debug(test_provider::TestProvider, ADDRESS))
        .expect("debug server starts");
    let ws = Workspace::with_reattach(terraform, server.reattach_json());
    let store = ws.path().join("store.json");
    ws.write_main_tf(&config(&store, "gamma", 1));
    ws.apply();
    let values = ws.resource_values(THING).unwrap();
    assert_eq!(values["name"], "gamma");
    ws.assert_plan_empty();
    ws.destroy();
    assert_eq!(stored(&store), serde_json::json!({}));
    let socket = server.socket_path().to_path_buf();
    runtime.block_on(server.shutdown());
    assert!(!socket.exists(), "socket directory removed on shutdown");
}

fn provider_command(binary: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .env_remove(serve::MAGIC_COOKIE_KEY)
        .env_remove("PLUGIN_PROTOCOL_VERSIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

#[test]
fn run_by_hand_explains_and_fails() {
    let binary = example_binary("protocol_test_provider");
    let output = provider_command(&binary).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not meant to be executed directly"),
        "{stderr}"
    );
}

#[test]
fn only_protocol_five_is_refused() {
    let binary = example_binary("protocol_test_provider");
    let output = provider_command(&binary)
        .env(serve::MAGIC_COOKIE_KEY, serve::MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("only plugin protocol 6"), "{stderr}");
}

#[test]
fn handshake_line_then_sigterm_cleans_up() {
    let binary = example_binary("protocol_test_provider");
    let mut child = provider_command(&binary)
        .env(serve::MAGIC_COOKIE_KEY, serve::MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(fields.len(), 6, "{line}");
    assert_eq!(&fields[..3], ["1", "6", "unix"]);
    assert_eq!(fields[4], "grpc");
    assert!(fields[5].len() > 50 && !fields[5].contains('='));
    let socket = Path::new(fields[3]);
    assert!(socket.exists());
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(socket.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    // SIGINT is ignored (Terraform follows up with StopProvider); SIGTERM ends the process.
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(child.try_wait().unwrap().is_none(), "survives SIGINT");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        !socket.parent().unwrap().exists(),
        "socket directory removed"
    );
}

/// A gRPC channel to a debug server's unix socket.
async fn channel_to(socket: &Path) -> tonic::transport::Channel {
    let socket = socket.to_path_buf();
    tonic::transport::Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_| {
            let socket = socket.clone();
            async move {
                let stream = tokio::net::UnixStream::connect(socket).await?;
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
            }
        }))
        .await
        .expect("connecting to the debug server")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn side_services_answer_and_shutdown_stops_the_server() {
    use tfplugin::proto::plugin::Empty;
    use tfplugin::proto::plugin::grpc_controller_client::GrpcControllerClient;
    use tfplugin::proto::plugin::grpc_stdio_client::GrpcStdioClient;
    use tfplugin::proto::tfplugin6::get_provider_schema;
    use tfplugin::proto::tfplugin6::provider_client::ProviderClient;
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

    let server = serve::serve_debug(test_provider::TestProvider, ADDRESS)
        .await
        .unwrap();
    let channel = channel_to(server.socket_path()).await;

    let health = HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(health.status, ServingStatus::Serving as i32);

    let schema = ProviderClient::new(channel.clone())
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(
        schema
            .resource_schemas
            .contains_key("cloudflare_test_thing")
    );

    let _stdio = GrpcStdioClient::new(channel.clone())
        .stream_stdio(())
        .await
        .expect("stdio stream opens");

    let stopped = server.shutdown_token();
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), stopped.cancelled())
        .await
        .expect("Shutdown stops the server");
}

#[test]
fn debug_flag_prints_reattach_line_and_stops_on_sigint() {
    let binary = example_binary("protocol_test_provider");
    let mut child = provider_command(&binary).arg("--debug").spawn().unwrap();
    let reader = BufReader::new(child.stdout.take().unwrap());
    let line = reader
        .lines()
        .map(Result::unwrap)
        .find(|l| l.contains("TF_REATTACH_PROVIDERS="))
        .expect("a reattach line");
    let json = line
        .split_once("TF_REATTACH_PROVIDERS='")
        .and_then(|(_, rest)| rest.strip_suffix('\''))
        .expect("quoted JSON");
    let parsed: Json = serde_json::from_str(json).unwrap();
    let entry = &parsed[ADDRESS];
    assert_eq!(entry["Pid"], child.id());
    assert_eq!(entry["Test"], true);
    let socket = entry["Addr"]["String"].as_str().unwrap().to_string();
    assert!(Path::new(&socket).exists());
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert!(!Path::new(&socket).exists(), "socket removed on exit");
}

#[test]
fn provider_logs_reach_terraform_as_hclog_without_secrets() {
    let Some(ws) = dev_workspace("provider_logs_reach_terraform_as_hclog_without_secrets") else {
        return;
    };
    let store = ws.path().join("store.json");
    ws.write_main_tf(&config(&store, "alpha", 3));
    let output = ws.run_with_env(
        &["apply", "-auto-approve", "-no-color"],
        &[("TF_LOG_PROVIDER", "TRACE")],
    );
    assert!(output.success(), "{}", output.combined());
    // Terraform re-emits parsed hclog lines with the level in brackets and the module name.
    let logs = &output.stderr;
    assert!(
        logs.lines().any(|l| l.contains("[INFO]")
            && l.contains("provider.terraform-provider-cloudflare: plugin server started")),
        "{logs}"
    );
    assert!(
        logs.lines()
            .any(|l| l.contains("[DEBUG]") && l.contains("rpc=ApplyResourceChange")),
        "{logs}"
    );
    assert!(!logs.contains(WRITE_ONLY_SECRET));
    assert!(!logs.contains("hunter2"));
    ws.destroy();
}

#[test]
fn a_panic_in_a_handler_is_reported_as_a_provider_bug_and_never_hangs() {
    let Some(ws) = dev_workspace("a_panic_in_a_handler_is_reported_as_a_provider_bug") else {
        return;
    };
    let store = ws.path().join("store.json");
    ws.write_main_tf(&config(&store, test_provider::PANIC_TRIGGER, 3));
    let started = std::time::Instant::now();
    let output = ws.run_with_env(
        &["apply", "-auto-approve", "-no-color"],
        &[("TF_LOG", "TRACE")],
    );
    let elapsed = started.elapsed();
    assert!(!output.success(), "{}", output.combined());
    let text = output.combined();
    assert!(text.contains("plugin crashed"), "{text}");
    assert!(
        text.contains("panic: test provider asked to panic"),
        "{text}"
    );
    assert!(text.contains("This is a bug in the provider"), "{text}");
    assert!(
        text.contains("https://registry.terraform.io/providers/cfsecrets/cloudflare"),
        "{text}"
    );
    // Nothing secret in the crash report or in the trace logs around it.
    assert!(!text.contains(WRITE_ONLY_SECRET), "write-only value leaked");
    assert!(!text.contains("hunter2"), "sensitive value leaked");
    println!("terraform reported the panic after {elapsed:?}");
    assert!(
        elapsed < std::time::Duration::from_secs(120),
        "terraform took {elapsed:?}"
    );
}
