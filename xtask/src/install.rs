//! Unpacking a release zip into a provider mirror (the implied local mirror by default), in the
//! unpacked layout `HOSTNAME/NAMESPACE/TYPE/VERSION/OS_ARCH/` that `terraform init` reads.

use std::path::{Path, PathBuf};

use crate::dirhash::hash_dir;
use crate::dist::executable_name;
use crate::platform::Platform;
use crate::provider_address::ProviderAddress;
use crate::{Error, Result, archive, fail, io_context};

/// What to install where.
#[derive(Debug, Clone)]
pub struct InstallRequest<'a> {
    pub zip: &'a Path,
    /// The mirror's root (the directory `filesystem_mirror { path = … }` names).
    pub mirror: &'a Path,
    pub source: &'a ProviderAddress,
    /// The version the caller expects; the zip's must match.
    pub expected_version: Option<&'a str>,
    /// The platform the provider is installed for (normally this machine's).
    pub platform: &'a Platform,
}

/// Where a provider went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub dir: PathBuf,
    pub version: String,
    /// The `h1:` hash of the installed directory (equal to the zip's).
    pub h1: String,
}

/// Splits `terraform-provider-TYPE_VERSION_OS_ARCH.zip` into (version, platform).
pub fn parse_zip_name(file_name: &str, project: &str) -> Result<(String, Platform)> {
    let expected = format!("{project}_VERSION_OS_ARCH.zip");
    let Some(rest) = file_name
        .strip_prefix(project)
        .and_then(|rest| rest.strip_prefix('_'))
        .and_then(|rest| rest.strip_suffix(".zip"))
    else {
        return fail(format!(
            "{file_name:?} is not a release archive of {project}; expected {expected}"
        ));
    };
    let mut parts = rest.rsplitn(3, '_');
    let (Some(arch), Some(os), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return fail(format!(
            "{file_name:?} does not name a version and platform; expected {expected}"
        ));
    };
    crate::provider_address::check_version(version)
        .map_err(|e| Error(format!("{file_name:?}: {e}")))?;
    Ok((
        version.to_string(),
        Platform::parse(&format!("{os}_{arch}"))?,
    ))
}

/// Terraform's implied local mirror for the current user: `~/.terraform.d/plugins`, or
/// `%APPDATA%\terraform.d\plugins` on Windows. `var` reads an environment variable.
pub fn implied_mirror(
    platform: &Platform,
    var: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<PathBuf> {
    if platform.os == "windows" {
        match var("APPDATA") {
            Some(appdata) => Ok(PathBuf::from(appdata).join("terraform.d").join("plugins")),
            None => fail("APPDATA is not set; pass --dir to choose the mirror directory"),
        }
    } else {
        match var("HOME") {
            Some(home) if !home.is_empty() => {
                Ok(PathBuf::from(home).join(".terraform.d").join("plugins"))
            }
            _ => fail("HOME is not set; pass --dir to choose the mirror directory"),
        }
    }
}

/// Checks the zip against the request and unpacks it into the mirror, replacing an earlier
/// install of the same version and platform.
pub fn install(request: &InstallRequest<'_>) -> Result<Installed> {
    let zip = request.zip;
    if !zip.is_file() {
        return fail(format!(
            "{} does not exist; build it with `cargo xtask dist` or pass the path of a release zip",
            zip.display()
        ));
    }
    let project = request.source.project_name();
    let file_name = zip.file_name().unwrap_or_default().to_string_lossy();
    let (version, platform) = parse_zip_name(&file_name, &project)?;
    if &platform != request.platform {
        return fail(format!(
            "{file_name} is built for {platform}, but it is being installed for {}; \
             use the {} archive (or pass --platform {platform} to fill a mirror for another machine)",
            request.platform, request.platform
        ));
    }
    if let Some(expected) = request.expected_version
        && expected != version
    {
        return fail(format!(
            "{file_name} holds version {version}, not the requested {expected}; \
             pack version {expected} or leave out --version"
        ));
    }
    let executable = executable_name(&project, &version, &platform);
    let entries = archive::read_entries(zip)?;
    if !entries.iter().any(|entry| entry.name == executable) {
        return fail(format!(
            "{file_name} does not contain {executable}; it is not a release archive of {} {version}",
            request.source
        ));
    }

    let dir = request
        .mirror
        .join(request.source.mirror_subdir())
        .join(&version)
        .join(platform.to_string());
    let not_writable = |error: std::io::Error| {
        Error(format!(
            "cannot write the provider mirror at {}: {error}; choose a writable directory with --dir",
            request.mirror.display()
        ))
    };
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent).map_err(not_writable)?;
    }
    // Unpack next to the target, then swap it in, so a failed install leaves no half directory.
    let staging = dir.with_file_name(format!(".{platform}.installing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir(&staging).map_err(not_writable)?;
    let unpacked = unpack(&entries, &staging);
    if let Err(error) = unpacked {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(io_context("replacing", &dir))?;
    }
    std::fs::rename(&staging, &dir).map_err(io_context("moving the provider into", &dir))?;
    Ok(Installed {
        h1: hash_dir(&dir)?,
        dir,
        version,
    })
}

fn unpack(entries: &[archive::Entry], into: &Path) -> Result<()> {
    for entry in entries {
        let path = into.join(&entry.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_context("creating", parent))?;
        }
        std::fs::write(&path, &entry.contents).map_err(io_context("writing", &path))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = entry.mode.unwrap_or(0o644) & 0o777;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                .map_err(io_context("setting permissions of", &path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{PackRequest, pack};

    fn linux() -> Platform {
        Platform::parse("linux_amd64").unwrap()
    }

    fn source() -> ProviderAddress {
        ProviderAddress::parse("cfsecrets/cloudflare").unwrap()
    }

    /// A packed zip of a fake binary for `platform`, version 1.2.3.
    fn packed_zip(dir: &Path, platform: &Platform) -> PathBuf {
        let binary = dir.join("binary");
        std::fs::write(&binary, b"#!/bin/sh\nexit 0\n").unwrap();
        pack(&PackRequest {
            binary: &binary,
            project: "terraform-provider-cloudflare",
            version: "1.2.3",
            platform,
            out_dir: &dir.join("dist"),
        })
        .unwrap()
        .zip
    }

    fn request<'a>(
        zip: &'a Path,
        mirror: &'a Path,
        source: &'a ProviderAddress,
        platform: &'a Platform,
    ) -> InstallRequest<'a> {
        InstallRequest {
            zip,
            mirror,
            source,
            expected_version: None,
            platform,
        }
    }

    #[test]
    fn a_zip_unpacks_into_the_mirror_layout_with_the_same_h1() {
        let dir = tempfile::tempdir().unwrap();
        let zip = packed_zip(dir.path(), &linux());
        let mirror = dir.path().join("mirror");
        let (source, platform) = (source(), linux());
        let installed = install(&request(&zip, &mirror, &source, &platform)).unwrap();
        let expected_dir =
            mirror.join("registry.terraform.io/cfsecrets/cloudflare/1.2.3/linux_amd64");
        assert_eq!(installed.dir, expected_dir);
        assert_eq!(installed.version, "1.2.3");
        let binary = expected_dir.join("terraform-provider-cloudflare_v1.2.3");
        assert_eq!(std::fs::read(&binary).unwrap(), b"#!/bin/sh\nexit 0\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&binary).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o755);
        }
        assert_eq!(installed.h1, crate::dirhash::hash_zip(&zip).unwrap());
        // Installing again replaces the earlier copy.
        install(&request(&zip, &mirror, &source, &platform)).unwrap();
        assert_eq!(std::fs::read_dir(&expected_dir).unwrap().count(), 1);
        assert_eq!(
            std::fs::read_dir(expected_dir.parent().unwrap())
                .unwrap()
                .count(),
            1
        );
    }

    #[test]
    fn a_missing_zip_says_how_to_make_one() {
        let dir = tempfile::tempdir().unwrap();
        let (source, platform) = (source(), linux());
        let zip = dir
            .path()
            .join("terraform-provider-cloudflare_1.2.3_linux_amd64.zip");
        let error = install(&request(&zip, dir.path(), &source, &platform)).unwrap_err();
        assert!(error.0.contains("does not exist"), "{error}");
        assert!(error.0.contains("cargo xtask dist"), "{error}");
    }

    #[test]
    fn a_zip_for_another_platform_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let zip = packed_zip(dir.path(), &Platform::parse("darwin_arm64").unwrap());
        let (source, platform) = (source(), linux());
        let error = install(&request(&zip, dir.path(), &source, &platform)).unwrap_err();
        assert!(error.0.contains("built for darwin_arm64"), "{error}");
        assert!(error.0.contains("installed for linux_amd64"), "{error}");
    }

    #[test]
    fn a_version_other_than_the_zips_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let zip = packed_zip(dir.path(), &linux());
        let (source, platform) = (source(), linux());
        let mut wrong = request(&zip, dir.path(), &source, &platform);
        wrong.expected_version = Some("2.0.0");
        let error = install(&wrong).unwrap_err();
        assert!(
            error
                .0
                .contains("holds version 1.2.3, not the requested 2.0.0"),
            "{error}"
        );
    }

    #[test]
    fn an_unwritable_mirror_is_reported_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let zip = packed_zip(dir.path(), &linux());
        // A regular file where a directory should be: unwritable even for root.
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"").unwrap();
        let (source, platform) = (source(), linux());
        let error =
            install(&request(&zip, &blocker.join("mirror"), &source, &platform)).unwrap_err();
        assert!(
            error.0.contains("cannot write the provider mirror"),
            "{error}"
        );
        assert!(error.0.contains("--dir"), "{error}");
    }

    #[test]
    fn archive_names_must_follow_the_release_layout() {
        assert_eq!(
            parse_zip_name(
                "terraform-provider-cloudflare_0.1.0_windows_amd64.zip",
                "terraform-provider-cloudflare"
            )
            .unwrap(),
            (
                "0.1.0".to_string(),
                Platform::parse("windows_amd64").unwrap()
            )
        );
        let error = parse_zip_name("provider.zip", "terraform-provider-cloudflare").unwrap_err();
        assert!(
            error
                .0
                .contains("expected terraform-provider-cloudflare_VERSION_OS_ARCH.zip"),
            "{error}"
        );
        assert!(
            parse_zip_name(
                "terraform-provider-cloudflare_linux_amd64.zip",
                "terraform-provider-cloudflare"
            )
            .is_err()
        );
    }

    #[test]
    fn the_implied_mirror_follows_the_platform() {
        let env = |name: &str| match name {
            "HOME" => Some("/home/u".into()),
            "APPDATA" => Some("C:\\Users\\u\\AppData\\Roaming".into()),
            _ => None,
        };
        assert_eq!(
            implied_mirror(&linux(), env).unwrap(),
            PathBuf::from("/home/u/.terraform.d/plugins")
        );
        let windows = implied_mirror(&Platform::parse("windows_amd64").unwrap(), env).unwrap();
        assert!(windows.starts_with("C:\\Users\\u\\AppData\\Roaming"));
        assert!(windows.ends_with(Path::new("terraform.d").join("plugins")));
        let error = implied_mirror(&linux(), |_| None).unwrap_err();
        assert!(error.0.contains("--dir"), "{error}");
    }
}
