//! Request bodies of the write operations on secrets (values go straight into `SecretString`).

use secrecy::SecretString;
use serde::Deserialize;

use crate::body::{optional_secret_string, secret_string};

/// One element of a create-secrets body.
#[derive(Debug, Deserialize)]
pub struct NewSecretInput {
    pub name: String,
    #[serde(deserialize_with = "secret_string")]
    pub value: SecretString,
    pub scopes: Vec<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A PATCH body: every field optional; `name` is only accepted unchanged.
#[derive(Debug, Default, Deserialize)]
pub struct SecretPatchInput {
    #[serde(default, deserialize_with = "optional_secret_string")]
    pub value: Option<SecretString>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// A duplicate body.
#[derive(Debug, Deserialize)]
pub struct DuplicateInput {
    pub name: String,
    pub scopes: Vec<String>,
    #[serde(default)]
    pub comment: Option<String>,
}
