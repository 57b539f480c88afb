//! Terraform platform names (`linux_amd64`, `windows_arm64`, …) from Rust targets and the host.

use crate::{Result, fail};

/// A Terraform platform: GOOS and GOARCH spelling, as in `terraform-provider-x_1.0.0_linux_amd64.zip`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Platform {
    pub os: String,
    pub arch: String,
}

impl Platform {
    /// The platform this program runs on.
    pub fn host() -> Result<Platform> {
        Platform::from_rust(std::env::consts::OS, std::env::consts::ARCH)
    }

    /// The platform of a Rust target triple such as `aarch64-apple-darwin`.
    pub fn from_target_triple(triple: &str) -> Result<Platform> {
        let arch = triple.split('-').next().unwrap_or_default();
        let os = if triple.contains("-linux") {
            "linux"
        } else if triple.contains("-darwin") {
            "macos"
        } else if triple.contains("-windows") {
            "windows"
        } else if triple.contains("-freebsd") {
            "freebsd"
        } else {
            return fail(format!(
                "unsupported target {triple:?}: use a linux, darwin, windows or freebsd target"
            ));
        };
        Platform::from_rust(os, arch)
    }

    /// Maps Rust's `std::env::consts::{OS, ARCH}` spelling to Terraform's.
    pub fn from_rust(os: &str, arch: &str) -> Result<Platform> {
        let os = match os {
            "linux" => "linux",
            "macos" => "darwin",
            "windows" => "windows",
            "freebsd" => "freebsd",
            other => return fail(format!("unsupported operating system {other:?}")),
        };
        let arch = match arch {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" | "i686" | "i586" => "386",
            "arm" | "armv7" => "arm",
            other => return fail(format!("unsupported architecture {other:?}")),
        };
        Ok(Platform {
            os: os.into(),
            arch: arch.into(),
        })
    }

    /// Parses `linux_amd64`.
    pub fn parse(text: &str) -> Result<Platform> {
        match text.split_once('_') {
            Some((os, arch)) if !os.is_empty() && !arch.is_empty() && !arch.contains('_') => {
                Ok(Platform {
                    os: os.into(),
                    arch: arch.into(),
                })
            }
            _ => fail(format!(
                "{text:?} is not a platform; write it as OS_ARCH, e.g. linux_amd64"
            )),
        }
    }

    /// `.exe` on Windows, nothing elsewhere.
    pub fn executable_suffix(&self) -> &'static str {
        if self.os == "windows" { ".exe" } else { "" }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.os, self.arch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_targets_map_to_terraform_platforms() {
        for (triple, platform) in [
            ("x86_64-unknown-linux-gnu", "linux_amd64"),
            ("aarch64-unknown-linux-musl", "linux_arm64"),
            ("x86_64-apple-darwin", "darwin_amd64"),
            ("aarch64-apple-darwin", "darwin_arm64"),
            ("x86_64-pc-windows-msvc", "windows_amd64"),
            ("aarch64-pc-windows-msvc", "windows_arm64"),
            ("x86_64-pc-windows-gnu", "windows_amd64"),
        ] {
            assert_eq!(
                Platform::from_target_triple(triple).unwrap().to_string(),
                platform
            );
        }
        assert!(Platform::from_target_triple("wasm32-unknown-unknown").is_err());
    }

    #[test]
    fn platforms_parse_and_name_their_executables() {
        let windows = Platform::parse("windows_arm64").unwrap();
        assert_eq!(windows.executable_suffix(), ".exe");
        assert_eq!(
            Platform::parse("linux_amd64").unwrap().executable_suffix(),
            ""
        );
        let error = Platform::parse("linux").unwrap_err();
        assert!(error.0.contains("OS_ARCH"), "{error}");
    }
}
