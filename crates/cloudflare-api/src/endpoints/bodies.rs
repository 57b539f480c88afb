//! The request bodies of the endpoints: the only place a secret value leaves its
//! `SecretString`, as it is serialized for the request.

use secrecy::ExposeSecret;
use serde::Serialize;

use super::models::{NewSecret, SecretPatch};

/// Body element of `POST /stores/{id}/secrets`; the only place a new value is exposed.
#[derive(Serialize)]
pub(super) struct CreateSecretBody<'a> {
    name: &'a str,
    value: &'a str,
    scopes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
}

impl<'a> From<&'a NewSecret> for CreateSecretBody<'a> {
    fn from(secret: &'a NewSecret) -> Self {
        CreateSecretBody {
            name: &secret.name,
            value: secret.value.expose_secret(),
            scopes: &secret.scopes,
            comment: secret.comment.as_deref(),
        }
    }
}

/// Body of `PATCH /stores/{id}/secrets/{id}`; only the fields being changed are sent.
#[derive(Serialize)]
pub(super) struct PatchSecretBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scopes: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
}

impl<'a> From<&'a SecretPatch> for PatchSecretBody<'a> {
    fn from(patch: &'a SecretPatch) -> Self {
        PatchSecretBody {
            value: patch.value.as_ref().map(|value| value.expose_secret()),
            scopes: patch.scopes.as_deref(),
            comment: patch.comment.as_deref(),
        }
    }
}

/// Body of `POST /stores`.
#[derive(Serialize)]
pub(super) struct CreateStoreBody<'a> {
    pub name: &'a str,
}

/// Body of `DELETE /stores/{id}/secrets` (bulk delete).
#[derive(Serialize)]
pub(super) struct DeleteSecretsBody<'a> {
    pub ids: &'a [String],
}
