//! The Terraform Registry release layout: `NAME_VERSION_OS_ARCH.zip` per platform, then
//! `NAME_VERSION_SHA256SUMS`, `NAME_VERSION_manifest.json` and, with a key, the detached
//! `NAME_VERSION_SHA256SUMS.sig` made by `gpg`.

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
    /// Terraform's `h1:` hash of the zip's contents (what `.terraform.lock.hcl` records).
    pub h1: String,
}

/// `NAME_VERSION_OS_ARCH.zip`.
pub fn zip_name(project: &str, version: &str, platform: &Platform) -> String {
    format!("{project}_{version}_{platform}.zip")
}

/// The executable's name inside the zip: `NAME_vVERSION` (plus `.exe` on Windows).
pub fn executable_name(project: &str, version: &str, platform: &Platform) -> String {
    format!("{project}_v{version}{}", platform.executable_suffix())
}

/// Writes the release zip for one platform into `out_dir`.
pub fn pack(request: &PackRequest<'_>) -> Result<Packed> {
    check_version(request.version)?;
    let binary = std::fs::read(request.binary).map_err(|error| {
        Error(format!(
            "reading the provider binary {}: {error}; build it first (cargo build --release)",
            request.binary.display()
        ))
    })?;
    std::fs::create_dir_all(request.out_dir).map_err(io_context("creating", request.out_dir))?;
    let zip = request
        .out_dir
        .join(zip_name(request.project, request.version, request.platform));
    let entry = executable_name(request.project, request.version, request.platform);
    crate::archive::write_reproducible(&zip, &[(entry.as_str(), binary.as_slice())])?;
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
    let mut zips = Vec::new();
    for entry in std::fs::read_dir(out_dir).map_err(io_context("reading", out_dir))? {
        let name = entry
            .map_err(io_context("reading", out_dir))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.starts_with(&prefix) && name.ends_with(".zip") {
            zips.push(name);
        }
    }
    if zips.is_empty() {
        return fail(format!(
            "no {prefix}*.zip in {}; pack at least one platform first",
            out_dir.display()
        ));
    }
    zips.sort();
    let mut listed: Vec<&str> = zips.iter().map(String::as_str).collect();
    listed.push(&manifest_name);
    listed.sort();
    let mut sums_text = String::new();
    for name in listed {
        let path = out_dir.join(name);
        let bytes = std::fs::read(&path).map_err(io_context("reading", &path))?;
        sums_text.push_str(&format!("{}  {name}\n", sha256_hex(&bytes)));
    }
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
