//! Provider source addresses (`registry.terraform.io/cfsecrets/cloudflare`) and the file names
//! Terraform derives from them.

use crate::{Result, fail};

/// The address this repository's provider is published under.
pub const DEFAULT_SOURCE: &str = "registry.terraform.io/cfsecrets/cloudflare";

/// A fully qualified provider source address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderAddress {
    pub hostname: String,
    pub namespace: String,
    pub provider_type: String,
}

impl ProviderAddress {
    /// Parses `NAMESPACE/TYPE` (on registry.terraform.io) or `HOSTNAME/NAMESPACE/TYPE`.
    pub fn parse(text: &str) -> Result<ProviderAddress> {
        let parts: Vec<&str> = text.split('/').collect();
        let (hostname, namespace, provider_type) = match parts.as_slice() {
            [namespace, provider_type] => ("registry.terraform.io", *namespace, *provider_type),
            [hostname, namespace, provider_type] => (*hostname, *namespace, *provider_type),
            _ => {
                return fail(format!(
                    "{text:?} is not a provider source; write NAMESPACE/TYPE or HOSTNAME/NAMESPACE/TYPE"
                ));
            }
        };
        let valid = |part: &str| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
        };
        if ![hostname, namespace, provider_type].into_iter().all(valid) {
            return fail(format!(
                "{text:?} is not a provider source: use letters, digits and dashes"
            ));
        }
        Ok(ProviderAddress {
            hostname: hostname.to_ascii_lowercase(),
            namespace: namespace.to_ascii_lowercase(),
            provider_type: provider_type.to_ascii_lowercase(),
        })
    }

    /// `terraform-provider-TYPE`.
    pub fn project_name(&self) -> String {
        format!("terraform-provider-{}", self.provider_type)
    }

    /// `HOSTNAME/NAMESPACE/TYPE`, the mirror's directory for this provider (relative).
    pub fn mirror_subdir(&self) -> std::path::PathBuf {
        [&self.hostname, &self.namespace, &self.provider_type]
            .iter()
            .collect()
    }
}

impl std::fmt::Display for ProviderAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.hostname, self.namespace, self.provider_type
        )
    }
}

/// Checks that `version` is a plain semantic version (what Terraform accepts for providers).
pub fn check_version(version: &str) -> Result<()> {
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let numbers: Vec<&str> = core.split('.').collect();
    let numeric = numbers.len() == 3
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    if numeric && !version.contains(['/', '\\', '_', ' ']) {
        Ok(())
    } else {
        fail(format!(
            "{version:?} is not a semantic version (MAJOR.MINOR.PATCH, e.g. 0.1.0)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_sources_parse() {
        let short = ProviderAddress::parse("cfsecrets/cloudflare").unwrap();
        assert_eq!(short.to_string(), DEFAULT_SOURCE);
        assert_eq!(short.project_name(), "terraform-provider-cloudflare");
        let long = ProviderAddress::parse("example.com/Acme/Thing").unwrap();
        assert_eq!(long.to_string(), "example.com/acme/thing");
        assert!(ProviderAddress::parse("cloudflare").is_err());
        assert!(ProviderAddress::parse("a/b c/d").is_err());
    }

    #[test]
    fn versions_must_be_semantic() {
        check_version("0.1.0").unwrap();
        check_version("1.2.3-beta.1").unwrap();
        assert!(check_version("1.2").is_err());
        assert!(check_version("v1.2.3").is_err());
        assert!(check_version("1.2.3_x").is_err());
    }
}
