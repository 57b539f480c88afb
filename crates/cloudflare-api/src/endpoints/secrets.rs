//! The secret endpoints one secret at a time (get, patch, delete), the secret listing, and the
//! lookup of a secret by name.

use reqwest::Method;
use serde::de::IgnoredAny;

use super::bodies::PatchSecretBody;
use super::models::{ListSecretsParams, Secret, SecretPatch};
use super::pages::Pages;
use super::{MAX_PER_PAGE, endpoint, json, require};
use crate::transport::{Error, Kind, Permit, Transport};

/// The secrets of the store matching `params`, one page per request as the caller asks for
/// them.
pub(crate) fn pages<'a>(
    api: &'a Transport,
    account_id: &str,
    store_id: &str,
    params: &ListSecretsParams,
) -> Result<Pages<'a, Secret>, Error> {
    require(store_id, "store_id")?;
    let path = ["stores", store_id, "secrets"];
    let mut call = endpoint(Kind::Read, Method::GET, account_id, &path)?;
    let filters = [
        ("search", &params.search),
        ("order", &params.order),
        ("direction", &params.direction),
    ];
    for (key, value) in filters {
        if let Some(value) = value {
            call.query.push((key, value.clone()));
        }
    }
    let per_page = params.per_page.unwrap_or(MAX_PER_PAGE);
    Ok(Pages::new(api, call, per_page, |s: &Secret| s.id.as_str()))
}

/// Every secret of the store matching `params` (all pages).
pub(crate) async fn list(
    api: &Transport,
    account_id: &str,
    store_id: &str,
    params: &ListSecretsParams,
) -> Result<Vec<Secret>, Error> {
    pages(api, account_id, store_id, params)?.all().await
}

/// The secret named exactly `name` (all pages searched), if any. The API's `search` also
/// matches substrings and comments, so results are filtered for the exact name.
pub(crate) async fn find_by_name(
    api: &Transport,
    account_id: &str,
    store_id: &str,
    name: &str,
) -> Result<Option<Secret>, Error> {
    require(name, "the secret name")?;
    let params = ListSecretsParams {
        search: Some(name.to_string()),
        ..ListSecretsParams::default()
    };
    let secrets = list(api, account_id, store_id, &params).await?;
    Ok(secrets
        .into_iter()
        .find(|s| s.name == name && !s.is_deleted()))
}

pub(crate) async fn get(
    api: &Transport,
    account_id: &str,
    store_id: &str,
    secret_id: &str,
) -> Result<Secret, Error> {
    require(store_id, "store_id")?;
    require(secret_id, "secret_id")?;
    let path = ["stores", store_id, "secrets", secret_id];
    let call = endpoint(Kind::Read, Method::GET, account_id, &path)?;
    let envelope = api.send::<Secret>(&call, None, None).await?;
    envelope.into_result("secret")
}

pub(crate) async fn patch(
    api: &Transport,
    account_id: &str,
    store_id: &str,
    secret_id: &str,
    patch: SecretPatch,
) -> Result<Secret, Error> {
    require(store_id, "store_id")?;
    require(secret_id, "secret_id")?;
    let path = ["stores", store_id, "secrets", secret_id];
    let call = endpoint(Kind::Update, Method::PATCH, account_id, &path)?;
    let body = json(&PatchSecretBody::from(&patch))?;
    let envelope = api.send::<Secret>(&call, None, body).await?;
    envelope.into_result("secret")
}

/// `DELETE …/secrets/{id}`, once (with retries); `permit` is the first attempt's rate-limit
/// token when the caller already took it.
pub(crate) async fn delete(
    api: &Transport,
    account_id: &str,
    store_id: &str,
    secret_id: &str,
    permit: Option<Permit>,
) -> Result<(), Error> {
    let path = ["stores", store_id, "secrets", secret_id];
    let call = endpoint(Kind::Delete, Method::DELETE, account_id, &path)?;
    api.send::<IgnoredAny>(&call, permit, None)
        .await
        .map(|_| ())
}
