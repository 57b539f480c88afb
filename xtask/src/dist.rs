//! The Terraform Registry release layout: `NAME_VERSION_OS_ARCH.zip` per platform, then
//! `NAME_VERSION_SHA256SUMS`, `NAME_VERSION_manifest.json` and, with a key, the detached
//! `NAME_VERSION_SHA256SUMS.sig` made by `gpg`; beside it, the API emulator's own archives
//! `cloudflare-api-emulator_VERSION_OS_ARCH.zip` with their own checksums (and signature), which
//! the provider's checksums never list.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::dirhash::{hash_zip, sha256_hex};
use crate::platform::Platform;
use crate::provider_address::check_version;
use crate::{Error, Result, fail, io_context};

/// What to put into one release zip.
#[derive(Debug, Clone)]
pub struct PackRequest<'a> {
    /// The built provider executable.
    pub binary: &'a Path,
    /// `terraform-provider-TYPE`.
    pub project: &'a str,
    pub version: &'a str,
    pub platform: &'a Platform,
    pub out_dir: &'a Path,
}

/// One written release zip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    pub zip: PathBuf,
    pub bytes: u64,
    /// SHA-256 of the zip file (what SHA256SUMS lists).
    pub sha256: String,
    /// Terraform's `h1:` hash of the zip's contents (what `.terraform.lock.hcl` records; of use
    /// for provider zips only).
    pub h1: String,
}

/// The API emulator's name: its executable's, and the prefix of its release files.
pub const EMULATOR: &str = "cloudflare-api-emulator";

/// What to put into one emulator release zip.
#[derive(Debug, Clone)]
pub struct EmulatorPackRequest<'a> {
    /// The built `cloudflare-api-emulator` executable.
    pub binary: &'a Path,
    pub version: &'a str,
    pub platform: &'a Platform,
    pub out_dir: &'a Path,
}

/// `NAME_VERSION_OS_ARCH.zip`.
pub fn zip_name(project: &str, version: &str, platform: &Platform) -> String {
    format!("{project}_{version}_{platform}.zip")
}

/// The executable's name inside the zip: `NAME_vVERSION` (plus `.exe` on Windows).
pub fn executable_name(project: &str, version: &str, platform: &Platform) -> String {
    format!("{project}_v{version}{}", platform.executable_suffix())
}

/// `cloudflare-api-emulator_VERSION_OS_ARCH.zip`.
pub fn emulator_zip_name(version: &str, platform: &Platform) -> String {
    format!("{EMULATOR}_{version}_{platform}.zip")
}

/// The emulator's executable inside its zip: `cloudflare-api-emulator` (plus `.exe` on
/// Windows), the name users run it by.
pub fn emulator_executable_name(platform: &Platform) -> String {
    format!("{EMULATOR}{}", platform.executable_suffix())
}

/// Writes the release zip for one platform into `out_dir`.
pub fn pack(request: &PackRequest<'_>) -> Result<Packed> {
    check_version(request.version)?;
    pack_executable(
        "provider",
        request.binary,
        request.out_dir,
        &zip_name(request.project, request.version, request.platform),
        &executable_name(request.project, request.version, request.platform),
    )
}

/// Writes the emulator's release zip for one platform into `out_dir`, as reproducible as the
/// provider's.
pub fn pack_emulator(request: &EmulatorPackRequest<'_>) -> Result<Packed> {
    check_version(request.version)?;
    pack_executable(
        "emulator",
        request.binary,
        request.out_dir,
        &emulator_zip_name(request.version, request.platform),
        &emulator_executable_name(request.platform),
    )
}

/// Writes `out_dir/zip_name` holding the executable at `binary` as `entry`.
fn pack_executable(
    what: &str,
    binary: &Path,
    out_dir: &Path,
    zip_name: &str,
    entry: &str,
) -> Result<Packed> {
    let contents = std::fs::read(binary).map_err(|error| {
        Error(format!(
            "reading the {what} binary {}: {error}; build it first (cargo build --release)",
            binary.display()
        ))
    })?;
    std::fs::create_dir_all(out_dir).map_err(io_context("creating", out_dir))?;
    let zip = out_dir.join(zip_name);
    crate::archive::write_reproducible(&zip, &[(entry, contents.as_slice())])?;
    let written = std::fs::read(&zip).map_err(io_context("reading", &zip))?;
    Ok(Packed {
        bytes: written.len() as u64,
        sha256: sha256_hex(&written),
        h1: hash_zip(&zip)?,
        zip,
    })
}

/// The files written next to the zips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseFiles {
    pub sums: PathBuf,
    pub manifest: PathBuf,
    pub signature: Option<PathBuf>,
    /// The zips the checksums cover, by file name.
    pub zips: Vec<String>,
}

/// Writes `NAME_VERSION_manifest.json` (a copy of `registry_manifest`) and
/// `NAME_VERSION_SHA256SUMS` over every `NAME_VERSION_*.zip` in `out_dir` plus the manifest,
/// sorted by name; with `gpg_key`, signs the sums with `gpg` (detached, binary signature).
pub fn write_release_files(
    out_dir: &Path,
    project: &str,
    version: &str,
    registry_manifest: &str,
    signer: Option<&Signer<'_>>,
) -> Result<ReleaseFiles> {
    let manifest_name = format!("{project}_{version}_manifest.json");
    let manifest = out_dir.join(&manifest_name);
    serde_json::from_str::<serde_json::Value>(registry_manifest)
        .map_err(|e| Error(format!("terraform-registry-manifest.json is not JSON: {e}")))?;
    std::fs::write(&manifest, registry_manifest).map_err(io_context("writing", &manifest))?;

    let prefix = format!("{project}_{version}_");
    let zips = zips_named(out_dir, &prefix)?;
    if zips.is_empty() {
        return fail(format!(
            "no {prefix}*.zip in {}; pack at least one platform first",
            out_dir.display()
        ));
    }
    let mut listed: Vec<&str> = zips.iter().map(String::as_str).collect();
    listed.push(&manifest_name);
    let sums_text = sums_text(out_dir, listed)?;
    let sums = out_dir.join(format!("{project}_{version}_SHA256SUMS"));
    std::fs::write(&sums, sums_text).map_err(io_context("writing", &sums))?;
    let signature = match signer {
        Some(signer) => Some(signer.sign(&sums)?),
        None => None,
    };
    Ok(ReleaseFiles {
        sums,
        manifest,
        signature,
        zips,
    })
}

/// The emulator's checksum file (and signature) next to its zips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatorSums {
    pub sums: PathBuf,
    pub signature: Option<PathBuf>,
    /// The zips the checksums cover, by file name.
    pub zips: Vec<String>,
}

/// Writes `cloudflare-api-emulator_VERSION_SHA256SUMS` over every
/// `cloudflare-api-emulator_VERSION_*.zip` in `out_dir`, sorted by name; with `signer`, signs it
/// like the provider's. `None` (and nothing written) when `out_dir` holds no such zip. The
/// provider's files are left alone, so its checksums and signature do not change.
pub fn write_emulator_sums(
    out_dir: &Path,
    version: &str,
    signer: Option<&Signer<'_>>,
) -> Result<Option<EmulatorSums>> {
    check_version(version)?;
    let zips = zips_named(out_dir, &format!("{EMULATOR}_{version}_"))?;
    if zips.is_empty() {
        return Ok(None);
    }
    let text = sums_text(out_dir, zips.iter().map(String::as_str).collect())?;
    let sums = out_dir.join(format!("{EMULATOR}_{version}_SHA256SUMS"));
    std::fs::write(&sums, text).map_err(io_context("writing", &sums))?;
    let signature = match signer {
        Some(signer) => Some(signer.sign(&sums)?),
        None => None,
    };
    Ok(Some(EmulatorSums {
        sums,
        signature,
        zips,
    }))
}

/// The names of the `PREFIX*.zip` files in `out_dir`, sorted.
fn zips_named(out_dir: &Path, prefix: &str) -> Result<Vec<String>> {
    let mut zips = Vec::new();
    for entry in std::fs::read_dir(out_dir).map_err(io_context("reading", out_dir))? {
        let name = entry
            .map_err(io_context("reading", out_dir))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.starts_with(prefix) && name.ends_with(".zip") {
            zips.push(name);
        }
    }
    zips.sort();
    Ok(zips)
}

/// `SHA256  NAME` lines (two spaces, as `sha256sum` writes them) for the files `names` of
/// `out_dir`, sorted by name.
fn sums_text(out_dir: &Path, mut names: Vec<&str>) -> Result<String> {
    names.sort();
    let mut text = String::new();
    for name in names {
        let path = out_dir.join(name);
        let bytes = std::fs::read(&path).map_err(io_context("reading", &path))?;
        text.push_str(&format!("{}  {name}\n", sha256_hex(&bytes)));
    }
    Ok(text)
}

/// Who signs the checksums: a GnuPG key id and the gpg program to run.
#[derive(Debug, Clone)]
pub struct Signer<'a> {
    pub key: &'a str,
    pub gpg: &'a std::ffi::OsStr,
}

impl Signer<'_> {
    /// `gpg --detach-sign` of `file` into `file.sig`.
    fn sign(&self, file: &Path) -> Result<PathBuf> {
        let (gpg, key) = (self.gpg, self.key);
        let mut signature = file.as_os_str().to_owned();
        signature.push(".sig");
        let signature = PathBuf::from(signature);
        let output = Command::new(gpg)
            .args(["--batch", "--yes", "--local-user", key, "--output"])
            .arg(&signature)
            .arg("--detach-sign")
            .arg(file)
            .output()
            .map_err(|error| {
                Error(format!(
                    "cannot run {}: {error}; install GnuPG or leave out --gpg-key",
                    gpg.to_string_lossy()
                ))
            })?;
        if !output.status.success() {
            return fail(format!(
                "gpg could not sign {} with key {key} ({}):\n{}",
                file.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(signature)
    }
}

/// The `version` of the `[package]` section of the Cargo.toml at `manifest`.
pub fn package_version(manifest: &Path) -> Result<String> {
    let text = std::fs::read_to_string(manifest).map_err(io_context("reading", manifest))?;
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package
            && let Some(value) = line.strip_prefix("version")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            return Ok(value.trim().trim_matches('"').to_string());
        }
    }
    fail(format!(
        "no version in the [package] section of {}",
        manifest.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linux() -> Platform {
        Platform::parse("linux_amd64").unwrap()
    }

    fn pack_fake(dir: &Path, platform: &Platform, contents: &[u8]) -> Packed {
        let binary = dir.join("built-binary");
        std::fs::write(&binary, contents).unwrap();
        pack(&PackRequest {
            binary: &binary,
            project: "terraform-provider-cloudflare",
            version: "1.2.3",
            platform,
            out_dir: &dir.join("dist"),
        })
        .unwrap()
    }

    #[test]
    fn a_zip_holds_the_versioned_executable_and_reports_its_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let packed = pack_fake(dir.path(), &linux(), b"provider bytes");
        assert_eq!(
            packed.zip.file_name().unwrap(),
            "terraform-provider-cloudflare_1.2.3_linux_amd64.zip"
        );
        let entries = crate::archive::read_entries(&packed.zip).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "terraform-provider-cloudflare_v1.2.3");
        assert_eq!(entries[0].contents, b"provider bytes");
        assert_eq!(
            packed.h1,
            crate::dirhash::hash1([(
                "terraform-provider-cloudflare_v1.2.3",
                &b"provider bytes"[..]
            )])
            .unwrap()
        );
        assert_eq!(
            packed.sha256,
            sha256_hex(&std::fs::read(&packed.zip).unwrap())
        );
        assert_eq!(packed.bytes, std::fs::metadata(&packed.zip).unwrap().len());

        let windows = Platform::parse("windows_arm64").unwrap();
        let packed = pack_fake(dir.path(), &windows, b"exe");
        let entries = crate::archive::read_entries(&packed.zip).unwrap();
        assert_eq!(entries[0].name, "terraform-provider-cloudflare_v1.2.3.exe");
    }

    #[test]
    fn packing_twice_gives_the_same_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let first = pack_fake(dir.path(), &linux(), b"same binary");
        let second = pack_fake(dir.path(), &linux(), b"same binary");
        assert_eq!(first.sha256, second.sha256);
        let third = pack_fake(dir.path(), &linux(), b"other binary");
        assert_ne!(first.sha256, third.sha256);
    }

    #[test]
    fn sums_cover_every_zip_of_the_version_and_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let linux = pack_fake(dir.path(), &linux(), b"linux");
        let windows = pack_fake(
            dir.path(),
            &Platform::parse("windows_amd64").unwrap(),
            b"win",
        );
        let out = dir.path().join("dist");
        std::fs::write(
            out.join("terraform-provider-cloudflare_9.9.9_linux_amd64.zip"),
            b"old",
        )
        .unwrap();
        let manifest = r#"{"version":1,"metadata":{"protocol_versions":["6.0"]}}"#;
        let files = write_release_files(
            &out,
            "terraform-provider-cloudflare",
            "1.2.3",
            manifest,
            None,
        )
        .unwrap();
        assert_eq!(files.signature, None);
        let sums = std::fs::read_to_string(&files.sums).unwrap();
        assert_eq!(
            sums,
            format!(
                "{}  terraform-provider-cloudflare_1.2.3_linux_amd64.zip\n\
                 {}  terraform-provider-cloudflare_1.2.3_manifest.json\n\
                 {}  terraform-provider-cloudflare_1.2.3_windows_amd64.zip\n",
                linux.sha256,
                sha256_hex(manifest.as_bytes()),
                windows.sha256
            )
        );
        assert_eq!(std::fs::read_to_string(&files.manifest).unwrap(), manifest);
    }

    #[test]
    fn bad_input_gets_a_message_that_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let error = pack(&PackRequest {
            binary: &dir.path().join("missing"),
            project: "terraform-provider-cloudflare",
            version: "1.2.3",
            platform: &linux(),
            out_dir: dir.path(),
        })
        .unwrap_err();
        assert!(error.0.contains("build it first"), "{error}");
        let error = write_release_files(dir.path(), "terraform-provider-x", "1.0.0", "{}", None)
            .unwrap_err();
        assert!(
            error.0.contains("pack at least one platform first"),
            "{error}"
        );
    }

    #[test]
    fn signing_fails_clearly_without_a_usable_gpg() {
        let dir = tempfile::tempdir().unwrap();
        pack_fake(dir.path(), &linux(), b"linux");
        // A gpg that always fails stands in for a missing key.
        let fake_gpg = dir.path().join("fake-gpg");
        executable_script(
            &fake_gpg,
            "#!/bin/sh\necho 'secret key not available' >&2\nexit 2\n",
        );
        let error = sign_with(&fake_gpg, &dir.path().join("dist"), "DEADBEEF").unwrap_err();
        assert!(error.0.contains("could not sign"), "{error}");
        assert!(error.0.contains("secret key not available"), "{error}");
    }

    fn sign_with(gpg: &Path, out: &Path, key: &str) -> Result<ReleaseFiles> {
        let signer = Signer {
            key,
            gpg: gpg.as_os_str(),
        };
        write_release_files(
            out,
            "terraform-provider-cloudflare",
            "1.2.3",
            "{}",
            Some(&signer),
        )
    }

    fn executable_script(path: &Path, text: &str) {
        std::fs::write(path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    /// A real signature with a throw-away key, checked with `gpg --verify` (skipped without gpg).
    #[test]
    fn a_key_id_gives_a_detached_signature_gpg_verifies() {
        if Command::new("gpg").arg("--version").output().is_err() {
            eprintln!("SKIP: gpg is not installed");
            return;
        }
        let home = tempfile::Builder::new()
            .prefix("gpg")
            .tempdir_in("/tmp")
            .unwrap();
        let gpg = home.path().join("gpg-here");
        executable_script(
            &gpg,
            &format!(
                "#!/bin/sh\nGNUPGHOME='{}' exec gpg \"$@\"\n",
                home.path().display()
            ),
        );
        let generated = Command::new(&gpg)
            .args([
                "--batch",
                "--passphrase",
                "",
                "--quick-gen-key",
                "Release Test <release@example.invalid>",
                "ed25519",
                "sign",
                "never",
            ])
            .output()
            .unwrap();
        assert!(
            generated.status.success(),
            "{}",
            String::from_utf8_lossy(&generated.stderr)
        );
        pack_fake(home.path(), &linux(), b"linux");
        let out = home.path().join("dist");
        let files = sign_with(&gpg, &out, "release@example.invalid").unwrap();
        let signature = files.signature.expect("a signature file");
        assert!(signature.to_string_lossy().ends_with("_SHA256SUMS.sig"));
        let verified = Command::new(&gpg)
            .arg("--verify")
            .arg(&signature)
            .arg(&files.sums)
            .output()
            .unwrap();
        let _ = Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .env("GNUPGHOME", home.path())
            .output();
        assert!(
            verified.status.success(),
            "{}",
            String::from_utf8_lossy(&verified.stderr)
        );
    }

    fn pack_fake_emulator(dir: &Path, platform: &Platform, contents: &[u8]) -> Packed {
        let binary = dir.join("built-emulator");
        std::fs::write(&binary, contents).unwrap();
        pack_emulator(&EmulatorPackRequest {
            binary: &binary,
            version: "1.2.3",
            platform,
            out_dir: &dir.join("dist"),
        })
        .unwrap()
    }

    #[test]
    fn an_emulator_zip_holds_the_executable_under_the_name_users_run() {
        let dir = tempfile::tempdir().unwrap();
        let packed = pack_fake_emulator(dir.path(), &linux(), b"emulator bytes");
        assert_eq!(
            packed.zip.file_name().unwrap(),
            "cloudflare-api-emulator_1.2.3_linux_amd64.zip"
        );
        let entries = crate::archive::read_entries(&packed.zip).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "cloudflare-api-emulator");
        assert_eq!(entries[0].contents, b"emulator bytes");
        assert_eq!(entries[0].mode.map(|m| m & 0o777), Some(0o755));
        assert_eq!(
            packed.sha256,
            sha256_hex(&std::fs::read(&packed.zip).unwrap())
        );

        let windows = Platform::parse("windows_arm64").unwrap();
        let packed = pack_fake_emulator(dir.path(), &windows, b"exe");
        assert_eq!(
            packed.zip.file_name().unwrap(),
            "cloudflare-api-emulator_1.2.3_windows_arm64.zip"
        );
        let entries = crate::archive::read_entries(&packed.zip).unwrap();
        assert_eq!(entries[0].name, "cloudflare-api-emulator.exe");
    }

    #[test]
    fn emulator_zips_are_reproducible_and_need_a_built_binary() {
        let dir = tempfile::tempdir().unwrap();
        let first = pack_fake_emulator(dir.path(), &linux(), b"same emulator");
        let first_bytes = std::fs::read(&first.zip).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let second = pack_fake_emulator(dir.path(), &linux(), b"same emulator");
        assert_eq!(first_bytes, std::fs::read(&second.zip).unwrap());
        let third = pack_fake_emulator(dir.path(), &linux(), b"other emulator");
        assert_ne!(first.sha256, third.sha256);

        let error = pack_emulator(&EmulatorPackRequest {
            binary: &dir.path().join("missing"),
            version: "1.2.3",
            platform: &linux(),
            out_dir: dir.path(),
        })
        .unwrap_err();
        assert!(
            error.0.contains("reading the emulator binary") && error.0.contains("build it first"),
            "{error}"
        );
    }

    /// A stand-in for gpg whose "signature" is the key and the signed bytes, so two signatures
    /// are equal exactly when the same key signed the same bytes.
    fn fake_gpg(dir: &Path) -> PathBuf {
        let gpg = dir.join("fake-gpg");
        executable_script(
            &gpg,
            "#!/bin/sh\nwhile [ $# -gt 0 ]; do\n  case \"$1\" in\n    --local-user) key=\"$2\"; shift ;;\n    \
             --output) out=\"$2\"; shift ;;\n    --detach-sign) file=\"$2\"; shift ;;\n  esac\n  shift\ndone\n\
             { echo \"signed by $key\"; cat \"$file\"; } > \"$out\"\n",
        );
        gpg
    }

    /// Packs provider zips for two platforms into `dir/dist` and, with `with_emulator`, emulator
    /// zips for both as well (and an emulator zip of another version); then writes the provider's
    /// release files and the emulator's sums, signed by the fake gpg.
    fn release(dir: &Path, with_emulator: bool) -> (ReleaseFiles, Option<EmulatorSums>) {
        let windows = Platform::parse("windows_amd64").unwrap();
        pack_fake(dir, &linux(), b"linux provider");
        pack_fake(dir, &windows, b"windows provider");
        let out = dir.join("dist");
        if with_emulator {
            pack_fake_emulator(dir, &linux(), b"linux emulator");
            pack_fake_emulator(dir, &windows, b"windows emulator");
            std::fs::write(
                out.join("cloudflare-api-emulator_9.9.9_linux_amd64.zip"),
                b"old",
            )
            .unwrap();
        }
        let gpg = fake_gpg(dir);
        let signer = Signer {
            key: "RELEASEKEY",
            gpg: gpg.as_os_str(),
        };
        let manifest = r#"{"version":1,"metadata":{"protocol_versions":["6.0"]}}"#;
        let provider = write_release_files(
            &out,
            "terraform-provider-cloudflare",
            "1.2.3",
            manifest,
            Some(&signer),
        )
        .unwrap();
        let emulator = write_emulator_sums(&out, "1.2.3", Some(&signer)).unwrap();
        (provider, emulator)
    }

    #[test]
    fn the_emulator_has_its_own_sums_and_the_providers_sums_and_signature_do_not_change() {
        let (without, with) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (provider_alone, no_emulator) = release(without.path(), false);
        let (provider, emulator) = release(with.path(), true);
        assert_eq!(no_emulator, None, "no emulator zip, no emulator sums");

        // The provider's checksums and signature are byte-identical with the emulator beside them.
        let read = |path: &Path| std::fs::read(path).unwrap();
        assert_eq!(read(&provider.sums), read(&provider_alone.sums));
        let (signature, signature_alone) = (
            provider.signature.as_deref().unwrap(),
            provider_alone.signature.as_deref().unwrap(),
        );
        assert_eq!(read(signature), read(signature_alone));
        assert_eq!(provider.zips, provider_alone.zips);
        let provider_sums = String::from_utf8(read(&provider.sums)).unwrap();
        assert!(!provider_sums.contains(EMULATOR), "{provider_sums}");

        // The emulator's own checksums cover its zips of this version, nothing else.
        let emulator = emulator.expect("emulator sums");
        assert_eq!(
            emulator.sums.file_name().unwrap(),
            "cloudflare-api-emulator_1.2.3_SHA256SUMS"
        );
        let out = with.path().join("dist");
        let sha = |name: &str| sha256_hex(&read(&out.join(name)));
        let linux_zip = "cloudflare-api-emulator_1.2.3_linux_amd64.zip";
        let windows_zip = "cloudflare-api-emulator_1.2.3_windows_amd64.zip";
        assert_eq!(emulator.zips, vec![linux_zip, windows_zip]);
        assert_eq!(
            String::from_utf8(read(&emulator.sums)).unwrap(),
            format!(
                "{}  {linux_zip}\n{}  {windows_zip}\n",
                sha(linux_zip),
                sha(windows_zip)
            )
        );
        let signature = emulator
            .signature
            .expect("the emulator's sums are signed too");
        assert_eq!(
            signature.file_name().unwrap(),
            "cloudflare-api-emulator_1.2.3_SHA256SUMS.sig"
        );
        let mut expected = b"signed by RELEASEKEY\n".to_vec();
        expected.extend(read(&emulator.sums));
        assert_eq!(read(&signature), expected);
    }

    #[test]
    fn package_version_reads_the_package_section_only() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("Cargo.toml");
        std::fs::write(
            &manifest,
            "[workspace]\nmembers = []\n\n[package]\nname = \"x\"\nversion = \"0.4.1\"\n\n[dependencies]\nversion = \"9\"\n",
        )
        .unwrap();
        assert_eq!(package_version(&manifest).unwrap(), "0.4.1");
    }
}
