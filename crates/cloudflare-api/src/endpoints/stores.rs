//! The store endpoints (list, create, get, delete) and the account's secrets quota.

use reqwest::Method;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::bodies::CreateStoreBody;
use super::models::{Quota, QuotaResult, Store};
use super::pages::Pages;
use super::{MAX_PER_PAGE, endpoint, json, require};
use crate::transport::{Error, Kind, Reconciled, Transport};

/// The stores of the account, one page per request as the caller asks for them.
pub(crate) fn pages<'a>(api: &'a Transport, account_id: &str) -> Result<Pages<'a, Store>, Error> {
    let call = endpoint(Kind::Read, Method::GET, account_id, &["stores"])?;
    Ok(Pages::new(api, call, MAX_PER_PAGE, |s: &Store| {
        s.id.as_str()
    }))
}

/// Creates a store; a lost response is reconciled by listing the stores, never duplicated.
pub(crate) async fn create(api: &Transport, account_id: &str, name: &str) -> Result<Store, Error> {
    require(name, "the store name")?;
    let call = endpoint(Kind::Create, Method::POST, account_id, &["stores"])?;
    let body = json(&CreateStoreBody { name })?;
    let lookup = &api.for_lookup();
    let envelope = api
        .send_reconciling::<OneOrMany<Store>>(&call, None, &|| Ok(body.clone()), &mut || {
            Box::pin(async move {
                let stores = pages(lookup, account_id)?.all().await?;
                Ok(match stores.into_iter().find(|s| s.name == name) {
                    Some(store) => Reconciled::Found(OneOrMany::One(store)),
                    None => Reconciled::Missing,
                })
            })
        })
        .await?;
    envelope.into_result("store")?.into_single("store")
}

pub(crate) async fn get(api: &Transport, account_id: &str, store_id: &str) -> Result<Store, Error> {
    require(store_id, "store_id")?;
    let call = endpoint(Kind::Read, Method::GET, account_id, &["stores", store_id])?;
    api.send::<OneOrMany<Store>>(&call, None, None)
        .await?
        .into_result("store")?
        .into_single("store")
}

/// Deletes a store; `force` deletes it with its secrets.
pub(crate) async fn delete(
    api: &Transport,
    account_id: &str,
    store_id: &str,
    force: bool,
) -> Result<(), Error> {
    require(store_id, "store_id")?;
    let path = ["stores", store_id];
    let mut call = endpoint(Kind::Delete, Method::DELETE, account_id, &path)?;
    if force {
        call.query.push(("force", "true".into()));
    }
    api.send::<IgnoredAny>(&call, None, None).await.map(|_| ())
}

/// The account's secrets quota and usage.
pub(crate) async fn quota(api: &Transport, account_id: &str) -> Result<Quota, Error> {
    let call = endpoint(Kind::Read, Method::GET, account_id, &["quota"])?;
    let envelope = api.send::<QuotaResult>(&call, None, None).await?;
    Ok(envelope.into_result("quota")?.secrets)
}

/// A result that older API versions sent as an array and newer ones as a single object
/// (create store).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    Many(Vec<T>),
    One(T),
}

impl<T> OneOrMany<T> {
    /// The single item, or a decode error when the array is empty.
    fn into_single(self, what: &str) -> Result<T, Error> {
        match self {
            OneOrMany::One(item) => Ok(item),
            OneOrMany::Many(items) => items
                .into_iter()
                .next()
                .ok_or_else(|| Error::Decode(format!("the response carried no {what}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::ErrorKind;

    #[test]
    fn a_created_store_may_come_as_an_object_or_an_array() {
        let store = r#"{"id":"023e105f4ecef8ad9ca31a8372d0c353","name":"service_x_keys",
            "created":"2023-09-21T18:56:32.624632Z","modified":"2023-09-21T18:56:32.624632Z"}"#;
        for result in [store.to_string(), format!("[{store}]")] {
            let parsed: OneOrMany<Store> = serde_json::from_str(&result).unwrap();
            let store = parsed.into_single("store").unwrap();
            assert_eq!(store.name, "service_x_keys");
            assert_eq!(store.account_id, None);
        }
        let empty: OneOrMany<Store> = serde_json::from_str("[]").unwrap();
        let err = empty.into_single("store").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
    }
}
