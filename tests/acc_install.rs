//! Acceptance: the provider installed the way users install it, from the packed release
//! artifacts (`xtask` packs the built binary exactly as `cargo xtask dist` does) and a plain
//! `terraform init`: (a) a filesystem mirror holding the zip itself, (b) `examples/module` from
//! the implied local mirror, (c) beside a stand-in for the official `cloudflare/cloudflare`
//! provider, both from one mirror. No `dev_overrides` anywhere. Also (d): the API emulator's own
//! release zip unpacks into an emulator that serves the API, and has checksums of its own.

mod acc_harness;
mod support;

use std::path::{Path, PathBuf};

use acc_harness::{ACCOUNT_ID, API_TOKEN, Emulator, TEST_REQUESTS_PER_SECOND};
use serde_json::Value as Json;
use support::{Workspace, example_binary, terraform_or_skip};
use xtask::dist::{self, EmulatorPackRequest, PackRequest, Packed};
use xtask::install::{self, InstallRequest, Installed};
use xtask::platform::Platform;
use xtask::provider_address::ProviderAddress;

const OUR_SOURCE: &str = "registry.terraform.io/cfsecrets/cloudflare";
/// Where the test-only provider is packed, standing in for the official provider.
const OFFICIAL_SOURCE: &str = "registry.terraform.io/cloudflare/cloudflare";
const STAND_IN_VERSION: &str = "5.0.0";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn version() -> String {
    dist::package_version(&repo().join("Cargo.toml")).expect("version in Cargo.toml")
}

/// Packs `binary` as provider `source` at `version` for this machine into `out_dir`.
fn pack(binary: &Path, source: &str, version: &str, out_dir: &Path) -> Packed {
    let source = ProviderAddress::parse(source).unwrap();
    dist::pack(&PackRequest {
        binary,
        project: &source.project_name(),
        version,
        platform: &Platform::host().unwrap(),
        out_dir,
    })
    .expect("packing the provider")
}

fn pack_ours(out_dir: &Path) -> Packed {
    pack(
        Path::new(env!("CARGO_BIN_EXE_terraform-provider-cloudflare")),
        OUR_SOURCE,
        &version(),
        out_dir,
    )
}

fn install_into(zip: &Path, mirror: &Path, source: &str) -> Installed {
    install::install(&InstallRequest {
        zip,
        mirror,
        source: &ProviderAddress::parse(source).unwrap(),
        expected_version: None,
        platform: &Platform::host().unwrap(),
    })
    .expect("installing the zip")
}

/// A CLI configuration that installs every provider from the filesystem mirror at `mirror`
/// and nothing from the network.
fn mirror_only_config(mirror: &Path) -> String {
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
        mirror.display()
    )
}

/// Points the workspace's provider at the emulator.
fn use_emulator(workspace: &mut Workspace, emulator: &Emulator) {
    for (key, value) in [
        ("CLOUDFLARE_BASE_URL", emulator.base_url.as_str()),
        ("CLOUDFLARE_API_TOKEN", API_TOKEN),
        ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID),
        ("CLOUDFLARE_RPS", TEST_REQUESTS_PER_SECOND),
        ("CLOUDFLARE_API_KEY", ""),
        ("CLOUDFLARE_EMAIL", ""),
    ] {
        workspace.set_env(key, value);
    }
}

/// The `hashes` of provider `address` in the workspace's `.terraform.lock.hcl`, and its version.
fn locked(workspace: &Workspace, address: &str) -> (String, Vec<String>) {
    let lock = std::fs::read_to_string(workspace.path().join(".terraform.lock.hcl"))
        .expect("terraform init writes .terraform.lock.hcl");
    let block = lock
        .split(&format!("provider \"{address}\" {{"))
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .unwrap_or_else(|| panic!("no lock entry for {address}:\n{lock}"));
    let version = block
        .lines()
        .find_map(|line| line.trim().strip_prefix("version = "))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_default();
    let hashes = block
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("\"h1:") || line.starts_with("\"zh:"))
        .map(|line| line.trim_end_matches(',').trim_matches('"').to_string())
        .collect();
    (version, hashes)
}

const STORE_AND_SECRET: &str = r#"
terraform {
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

resource "cloudflare_secrets_store" "main" {
  name = "default_secrets_store"
}

resource "cloudflare_store_secret" "api" {
  store_id = cloudflare_secrets_store.main.id
  name     = "PACKED_API_KEY"
  value    = "installed-from-the-zip"
}
"#;

#[test]
fn a_packed_zip_in_a_filesystem_mirror_installs_with_terraform_init_and_locks_its_h1() {
    let test = "a_packed_zip_in_a_filesystem_mirror_installs_with_terraform_init_and_locks_its_h1";
    let Some(terraform) = terraform_or_skip(test) else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let packed = pack_ours(&scratch.path().join("dist"));
    // The packed layout: HOSTNAME/NAMESPACE/TYPE/<the release zip itself>.
    let mirror = scratch.path().join("mirror");
    let provider_dir = mirror.join("registry.terraform.io/cfsecrets/cloudflare");
    std::fs::create_dir_all(&provider_dir).unwrap();
    std::fs::copy(
        &packed.zip,
        provider_dir.join(packed.zip.file_name().unwrap()),
    )
    .unwrap();

    let emulator = Emulator::start();
    let mut workspace = Workspace::with_cli_config(terraform, &mirror_only_config(&mirror));
    use_emulator(&mut workspace, &emulator);
    workspace.write_main_tf(STORE_AND_SECRET);

    let init = workspace.run_ok(&["init", "-no-color"]);
    let version = version();
    assert!(
        init.stdout.contains(&format!(
            "- Installed cfsecrets/cloudflare v{version} (unauthenticated)"
        )),
        "{}",
        init.combined()
    );
    let (locked_version, hashes) = locked(&workspace, OUR_SOURCE);
    assert_eq!(locked_version, version);
    assert_eq!(
        hashes,
        vec![packed.h1.clone()],
        "the lock file records the packer's h1"
    );
    println!("terraform init:\n{}", init.stdout);
    println!(
        ".terraform.lock.hcl:\n{}",
        std::fs::read_to_string(workspace.path().join(".terraform.lock.hcl")).unwrap()
    );
    println!(
        "packed: {} ({} bytes), {}",
        packed.zip.display(),
        packed.bytes,
        packed.h1
    );

    workspace.apply();
    let secrets = emulator.state.secrets();
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0].name, "PACKED_API_KEY");
    workspace.assert_plan_empty();
    // A second init with the lock file in place verifies the installed package against it.
    workspace.run_ok(&["init", "-no-color"]);
    workspace.destroy();
    assert!(emulator.state.secrets().is_empty());
}

#[test]
fn the_module_example_initialises_with_a_plain_terraform_init_from_the_implied_mirror() {
    let test = "the_module_example_initialises_with_a_plain_terraform_init_from_the_implied_mirror";
    let Some(terraform) = terraform_or_skip(test) else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let packed = pack_ours(&scratch.path().join("dist"));
    // `cargo xtask install`'s default destination, under a throw-away home directory.
    let home = scratch.path().join("home");
    let platform = Platform::host().unwrap();
    let implied = install::implied_mirror(&platform, |name| match name {
        "HOME" | "APPDATA" => Some(home.clone().into_os_string()),
        _ => None,
    })
    .unwrap();
    let installed = install_into(&packed.zip, &implied, OUR_SOURCE);
    assert_eq!(installed.h1, packed.h1);

    let emulator = Emulator::start();
    // No provider_installation block at all: Terraform's defaults, as for a new user.
    let mut workspace = Workspace::with_cli_config(terraform, "");
    workspace.set_env("HOME", &home.to_string_lossy());
    use_emulator(&mut workspace, &emulator);
    let example = repo().join("examples/module");
    copy_tree(&example, workspace.path());
    let main_tf = std::fs::read_to_string(example.join("main.tf")).unwrap();
    let values: serde_json::Map<String, Json> = main_tf
        .lines()
        .skip_while(|line| !line.contains("secret_comments = {"))
        .skip(1)
        .take_while(|line| line.trim() != "}")
        .filter_map(|line| line.split_whitespace().next())
        .map(|name| (name.to_string(), Json::from(format!("value-of-{name}"))))
        .collect();
    assert_eq!(values.len(), 20, "the module example passes 20 secrets");
    workspace.set_env("TF_VAR_secret_values", &Json::Object(values).to_string());

    // One plain init installs the child module and the provider (no `terraform get`).
    let init = workspace.run_ok(&["init", "-no-color"]);
    assert!(
        init.stdout.contains("Initializing modules..."),
        "{}",
        init.stdout
    );
    assert!(
        init.stdout
            .contains(&format!("- Installed cfsecrets/cloudflare v{}", version())),
        "{}",
        init.stdout
    );
    let (_, hashes) = locked(&workspace, OUR_SOURCE);
    assert_eq!(hashes, vec![installed.h1]);

    workspace.apply();
    assert_eq!(emulator.state.secrets().len(), 20);
    workspace.assert_plan_empty();
    workspace.destroy();
    assert!(emulator.state.secrets().is_empty());
}

#[test]
fn both_providers_install_from_one_mirror_and_each_gets_only_its_own_resources() {
    let test = "both_providers_install_from_one_mirror_and_each_gets_only_its_own_resources";
    let Some(terraform) = terraform_or_skip(test) else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let dist_dir = scratch.path().join("dist");
    let ours = pack_ours(&dist_dir);
    let stand_in_binary = example_binary("protocol_test_provider");
    let stand_in = pack(
        &stand_in_binary,
        OFFICIAL_SOURCE,
        STAND_IN_VERSION,
        &dist_dir,
    );
    let mirror = scratch.path().join("mirror");
    install_into(&ours.zip, &mirror, OUR_SOURCE);
    install_into(&stand_in.zip, &mirror, OFFICIAL_SOURCE);

    let emulator = Emulator::start();
    let mut workspace = Workspace::with_cli_config(terraform, &mirror_only_config(&mirror));
    use_emulator(&mut workspace, &emulator);
    let stand_in_store = scratch.path().join("official-provider-objects.json");
    workspace.set_env(
        "TEST_PROVIDER_STORE_PATH",
        &stand_in_store.to_string_lossy(),
    );
    workspace.set_env("TF_VAR_account_id", ACCOUNT_ID);
    workspace.set_env("TF_VAR_openai_api_key", "sk-side-by-side");
    copy_tree(
        &repo().join("examples/with-official-provider"),
        workspace.path(),
    );

    let init = workspace.run_ok(&["init", "-no-color"]);
    assert!(
        init.stdout.contains("- Installed cfsecrets/cloudflare v"),
        "{}",
        init.stdout
    );
    assert!(
        init.stdout.contains(&format!(
            "- Installed cloudflare/cloudflare v{STAND_IN_VERSION}"
        )),
        "{}",
        init.stdout
    );
    assert_eq!(locked(&workspace, OUR_SOURCE).1, vec![ours.h1]);
    assert_eq!(locked(&workspace, OFFICIAL_SOURCE).1, vec![stand_in.h1]);

    workspace.apply();
    workspace.assert_plan_empty();

    // Terraform's own record of which provider owns what.
    let shown = workspace.show_json();
    let resources = shown["values"]["root_module"]["resources"]
        .as_array()
        .unwrap();
    let owners: Vec<(String, String)> = resources
        .iter()
        .map(|r| {
            (
                r["address"].as_str().unwrap().to_string(),
                r["provider_name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (address, provider) in &owners {
        let expected = if address == "cloudflare_workers_script.api" {
            OFFICIAL_SOURCE
        } else {
            OUR_SOURCE
        };
        assert_eq!(provider, expected, "{address}");
    }
    assert_eq!(owners.len(), 4, "{owners:?}");

    // The stand-in received the Worker and nothing else; its binding points at our secret.
    let objects: Json = serde_json::from_slice(&std::fs::read(&stand_in_store).unwrap()).unwrap();
    let objects = objects.as_object().unwrap();
    assert_eq!(
        objects.keys().collect::<Vec<_>>(),
        vec!["api"],
        "{objects:?}"
    );
    let stores = emulator.state.stores();
    assert_eq!(stores.len(), 1);
    assert_eq!(
        objects["api"]["bindings"][0],
        serde_json::json!({
            "type": "secrets_store_secret",
            "name": "OPENAI_API_KEY",
            "store_id": stores[0].id,
            "secret_name": "OPENAI_API_KEY",
        })
    );
    // Ours received the store and the secret and nothing else: every API call was Secrets Store.
    let secrets = emulator.state.secrets();
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0].name, "OPENAI_API_KEY");
    for record in emulator.state.request_log() {
        assert!(
            record.path.contains("/secrets_store/"),
            "unexpected API call {} {}",
            record.method,
            record.path
        );
    }

    workspace.destroy();
    assert!(emulator.state.secrets().is_empty());
    let objects: Json = serde_json::from_slice(&std::fs::read(&stand_in_store).unwrap()).unwrap();
    assert_eq!(objects, serde_json::json!({}));
}

/// Copies the files (and subdirectories) of `from` into `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The emulator unpacked from a release zip, killed when dropped.
struct UnpackedEmulator(std::process::Child);

impl Drop for UnpackedEmulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET path` over HTTP/1.1 with a Bearer `token`; returns the status line and the body.
fn http_get(address: &str, path: &str, token: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("connecting to the emulator");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.lines().next().unwrap_or_default().to_string();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn the_emulator_zip_unpacks_into_a_running_emulator_with_checksums_of_its_own() {
    let scratch = tempfile::tempdir().unwrap();
    let dist_dir = scratch.path().join("dist");
    let platform = Platform::host().unwrap();
    let provider = pack_ours(&dist_dir);
    let packed = dist::pack_emulator(&EmulatorPackRequest {
        binary: &support::emulator_binary(),
        version: &version(),
        platform: &platform,
        out_dir: &dist_dir,
    })
    .expect("packing the emulator");
    assert_eq!(
        packed.zip.file_name().unwrap().to_string_lossy(),
        format!("cloudflare-api-emulator_{}_{platform}.zip", version())
    );

    // Unpacked as a user would, it is the one executable, marked executable.
    let entries = xtask::archive::read_entries(&packed.zip).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name, dist::emulator_executable_name(&platform));
    assert_eq!(entries[0].mode.map(|mode| mode & 0o111), Some(0o111));
    let unpacked = scratch.path().join("bin").join(&entries[0].name);
    std::fs::create_dir_all(unpacked.parent().unwrap()).unwrap();
    std::fs::write(&unpacked, &entries[0].contents).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = entries[0].mode.unwrap();
        std::fs::set_permissions(&unpacked, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    // It starts as the guide shows, announces its address and serves the API with its default
    // account and token.
    let mut command = std::process::Command::new(&unpacked);
    command
        .args(["--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    for name in [
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_ACCOUNT_ID",
        "CLOUDFLARE_API_KEY",
        "CLOUDFLARE_EMAIL",
    ] {
        command.env_remove(name);
    }
    let mut child = command.spawn().expect("the unpacked emulator starts");
    let stdout = child.stdout.take().unwrap();
    let _running = UnpackedEmulator(child);
    let mut first_line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut first_line).unwrap();
    let address = first_line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.strip_suffix("/client/v4"))
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .to_string();
    let quota = "/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/secrets_store/quota";
    let (status, body) = http_get(&address, quota, "local-emulator-token");
    assert!(status.contains(" 200 "), "{status}\n{body}");
    let body: Json = serde_json::from_str(&body).expect("JSON body");
    assert_eq!(body["result"]["secrets"]["usage"], 0, "{body}");
    let (status, _) = http_get(&address, quota, "another-token");
    assert!(status.contains(" 403 "), "{status}");

    // Its checksums are its own; the provider's list only the provider's files.
    let manifest =
        std::fs::read_to_string(repo().join("terraform-registry-manifest.json")).unwrap();
    let project = ProviderAddress::parse(OUR_SOURCE).unwrap().project_name();
    let files =
        dist::write_release_files(&dist_dir, &project, &version(), &manifest, None).unwrap();
    let provider_sums = std::fs::read_to_string(&files.sums).unwrap();
    let listed: Vec<&str> = provider_sums
        .lines()
        .filter_map(|line| line.split("  ").nth(1))
        .collect();
    assert_eq!(
        listed,
        vec![
            provider
                .zip
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string(),
            format!("{project}_{}_manifest.json", version()),
        ]
    );
    let emulator_sums = dist::write_emulator_sums(&dist_dir, &version(), None)
        .unwrap()
        .expect("the emulator's sums");
    assert_eq!(
        std::fs::read_to_string(&emulator_sums.sums).unwrap(),
        format!(
            "{}  {}\n",
            packed.sha256,
            packed.zip.file_name().unwrap().to_string_lossy()
        )
    );
}
