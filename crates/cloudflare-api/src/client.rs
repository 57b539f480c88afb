//! The client and one method per Secrets Store endpoint; the request loop behind them lives
//! in `request`.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, Url};
use serde::de::IgnoredAny;
use tokio_util::sync::CancellationToken;

use super::batch::Batch;
use super::bulk::Coalescer;
use super::cancel::Cancellation;
use super::config::{ClientConfig, normalized_base_url};
use super::envelope::OneOrMany;
use super::error::Error;
use super::http;
use super::models::{
    CreateStoreBody, ListSecretsParams, NewSecret, PatchSecretBody, Quota, QuotaResult, Secret,
    SecretPatch, Store,
};
use super::pages::Pages;
use super::rate_limit::RateLimiter;
use super::request::{Kind, MAX_PER_PAGE, Reconciled, json, require};
use super::retry::RetryPolicy;

/// The shared API client. Cheap to clone; clones share the rate limiter and connection pool.
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
    /// What ends this handle's waits; never fires unless set with [`Client::with_cancel`].
    pub(super) cancel: Cancellation,
}

pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    pub(super) base_url: Url,
    pub(super) limiter: RateLimiter,
    pub(super) retry: RetryPolicy,
    pub(super) timeout: Duration,
    /// Per-store queues that join concurrent creates, deletes and status polls.
    pub(super) coalescer: Coalescer,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("retry", &self.inner.retry)
            .field("timeout", &self.inner.timeout)
            .field("cancelled", &self.cancel.is_cancelled())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Validates `config` and builds the client (no request is sent).
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        config.validate()?;
        let base_url = Url::parse(&normalized_base_url(&config.base_url)?)
            .map_err(|e| Error::Config(format!("base_url is not a valid URL: {e}")))?;
        if base_url.cannot_be_a_base() {
            return Err(Error::Config(format!(
                "base_url {:?} cannot hold API paths",
                config.base_url
            )));
        }
        Ok(Client {
            inner: Arc::new(Inner {
                http: http::build(&config, base_url.scheme() == "https")?,
                base_url,
                limiter: RateLimiter::new(config.requests_per_second),
                retry: RetryPolicy {
                    max_retries: config.max_retries,
                    min_backoff: config.min_backoff,
                    max_backoff: config.max_backoff,
                },
                timeout: config.request_timeout,
                coalescer: Coalescer::default(),
            }),
            cancel: Cancellation::default(),
        })
    }

    /// A clone (sharing the rate limiter and connection pool) whose requests stop when `token`
    /// fires: waits for the rate limiter, backoff or `Retry-After` end at once and no new
    /// attempt is sent; the call fails with [`Error::Cancelled`]. An attempt already sent is
    /// awaited (bounded by the request timeout), so a create in flight is never abandoned.
    pub fn with_cancel(&self, token: CancellationToken) -> Client {
        Client {
            inner: self.inner.clone(),
            cancel: Cancellation::new(token),
        }
    }

    /// The client for the lookup after a create whose response was lost: after a stop it still
    /// sends requests that need no wait, so what the create made can be found, not orphaned.
    pub(super) fn for_lookup(&self) -> Client {
        Client {
            inner: self.inner.clone(),
            cancel: self.cancel.for_lookup(),
        }
    }

    /// All stores of the account (every page).
    pub async fn list_stores(&self, account_id: &str) -> Result<Vec<Store>, Error> {
        self.store_pages(account_id)?.all().await
    }

    /// The stores of the account, one page per request as the caller asks for them.
    pub fn store_pages(&self, account_id: &str) -> Result<Pages<'_, Store>, Error> {
        let call = self.call(Kind::Read, Method::GET, account_id, &["stores"])?;
        Ok(Pages::new(self, call, MAX_PER_PAGE, |s: &Store| {
            s.id.as_str()
        }))
    }

    /// Creates a store; a lost response is reconciled by listing the stores, never duplicated.
    pub async fn create_store(&self, account_id: &str, name: &str) -> Result<Store, Error> {
        require(name, "the store name")?;
        let call = self.call(Kind::Create, Method::POST, account_id, &["stores"])?;
        let body = json(&CreateStoreBody { name })?;
        let lookup = &self.for_lookup();
        let envelope = self
            .run::<OneOrMany<Store>>(&call, &|| Ok(body.clone()), &mut || {
                Box::pin(async move {
                    let stores = lookup.list_stores(account_id).await?;
                    Ok(match stores.into_iter().find(|s| s.name == name) {
                        Some(store) => Reconciled::Found(OneOrMany::One(store)),
                        None => Reconciled::Missing,
                    })
                })
            })
            .await?;
        envelope.into_result("store")?.into_single("store")
    }

    pub async fn get_store(&self, account_id: &str, store_id: &str) -> Result<Store, Error> {
        require(store_id, "store_id")?;
        let call = self.call(Kind::Read, Method::GET, account_id, &["stores", store_id])?;
        self.simple::<OneOrMany<Store>>(&call, None)
            .await?
            .into_result("store")?
            .into_single("store")
    }

    /// Deletes a store; `force` deletes it with its secrets.
    pub async fn delete_store(
        &self,
        account_id: &str,
        store_id: &str,
        force: bool,
    ) -> Result<(), Error> {
        require(store_id, "store_id")?;
        let mut call = self.call(
            Kind::Delete,
            Method::DELETE,
            account_id,
            &["stores", store_id],
        )?;
        if force {
            call.query.push(("force", "true".into()));
        }
        self.simple::<IgnoredAny>(&call, None).await.map(|_| ())
    }

    /// Every secret of the store matching `params` (all pages).
    pub async fn list_secrets(
        &self,
        account_id: &str,
        store_id: &str,
        params: &ListSecretsParams,
    ) -> Result<Vec<Secret>, Error> {
        self.secret_pages(account_id, store_id, params)?.all().await
    }

    /// The secrets of the store matching `params`, one page per request as the caller asks
    /// for them.
    pub fn secret_pages(
        &self,
        account_id: &str,
        store_id: &str,
        params: &ListSecretsParams,
    ) -> Result<Pages<'_, Secret>, Error> {
        require(store_id, "store_id")?;
        let mut call = self.call(
            Kind::Read,
            Method::GET,
            account_id,
            &["stores", store_id, "secrets"],
        )?;
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
        let pages = Pages::new(self, call, per_page, |s: &Secret| s.id.as_str());
        Ok(pages.finishing_with(Secret::normalized))
    }

    /// Batch create. Results come back in the order of `secrets`. A lost response is
    /// reconciled by name before any retry: secrets that exist are not created again.
    pub(super) async fn create_secrets(
        &self,
        account_id: &str,
        store_id: &str,
        secrets: Vec<NewSecret>,
    ) -> Result<Vec<Secret>, Error> {
        require(store_id, "store_id")?;
        if secrets.is_empty() {
            return Ok(Vec::new());
        }
        for secret in &secrets {
            require(&secret.name, "the secret name")?;
        }
        let call = self.call(
            Kind::Create,
            Method::POST,
            account_id,
            &["stores", store_id, "secrets"],
        )?;
        let order: Vec<String> = secrets.iter().map(|s| s.name.clone()).collect();
        let batch = Mutex::new(Batch {
            remaining: secrets,
            found: Vec::new(),
        });
        let body = || batch.lock().unwrap_or_else(|p| p.into_inner()).body();
        let lookup = &self.for_lookup();
        let envelope = self
            .run::<Vec<Secret>>(&call, &body, &mut || {
                Box::pin(lookup.reconcile_batch(account_id, store_id, &batch))
            })
            .await?;
        let created = envelope.into_result("secrets")?;
        let found = std::mem::take(&mut batch.lock().unwrap_or_else(|p| p.into_inner()).found);
        let mut all: Vec<Secret> = created
            .into_iter()
            .chain(found)
            .map(Secret::normalized)
            .collect();
        all.sort_by_key(|s| {
            order
                .iter()
                .position(|n| *n == s.name)
                .unwrap_or(usize::MAX)
        });
        Ok(all)
    }

    /// After a lost batch-create response: which of the remaining secrets exist now?
    /// One name is looked up by search, several by listing the store.
    pub(super) async fn reconcile_batch(
        &self,
        account_id: &str,
        store_id: &str,
        batch: &Mutex<Batch>,
    ) -> Result<Reconciled<Vec<Secret>>, Error> {
        let single = {
            let batch = batch.lock().unwrap_or_else(|p| p.into_inner());
            match batch.remaining.as_slice() {
                [only] => Some(only.name.clone()),
                _ => None,
            }
        };
        let existing = match single {
            Some(name) => self
                .find_secret_by_name(account_id, store_id, &name)
                .await?
                .into_iter()
                .collect(),
            None => {
                self.list_secrets(account_id, store_id, &ListSecretsParams::default())
                    .await?
            }
        };
        let mut batch = batch.lock().unwrap_or_else(|p| p.into_inner());
        Ok(batch.absorb(existing))
    }

    /// Creates one secret; a lost response is reconciled by name, never duplicated. Secrets
    /// that concurrent calls create in the same store while the rate limiter or a request in
    /// flight holds the line go out together as one bulk POST (an idle client sends at once);
    /// each call still gets its own outcome, e.g. its own "name already exists".
    pub async fn create_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret: NewSecret,
    ) -> Result<Secret, Error> {
        require(account_id, "account_id")?;
        require(store_id, "store_id")?;
        require(&secret.name, "the secret name")?;
        self.create_coalesced(account_id, store_id, secret).await
    }

    pub async fn get_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<Secret, Error> {
        require(store_id, "store_id")?;
        require(secret_id, "secret_id")?;
        let call = self.call(
            Kind::Read,
            Method::GET,
            account_id,
            &["stores", store_id, "secrets", secret_id],
        )?;
        Ok(self
            .simple::<Secret>(&call, None)
            .await?
            .into_result("secret")?
            .normalized())
    }

    /// The secret named exactly `name` (all pages searched), if any. The API's `search` also
    /// matches substrings and comments, so results are filtered for the exact name.
    pub async fn find_secret_by_name(
        &self,
        account_id: &str,
        store_id: &str,
        name: &str,
    ) -> Result<Option<Secret>, Error> {
        require(name, "the secret name")?;
        let params = ListSecretsParams {
            search: Some(name.to_string()),
            ..ListSecretsParams::default()
        };
        let secrets = self.list_secrets(account_id, store_id, &params).await?;
        Ok(secrets
            .into_iter()
            .find(|s| s.name == name && !s.is_deleted()))
    }

    pub async fn patch_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
        patch: SecretPatch,
    ) -> Result<Secret, Error> {
        require(store_id, "store_id")?;
        require(secret_id, "secret_id")?;
        let call = self.call(
            Kind::Update,
            Method::PATCH,
            account_id,
            &["stores", store_id, "secrets", secret_id],
        )?;
        let body = json(&PatchSecretBody::from(&patch))?;
        Ok(self
            .simple::<Secret>(&call, body)
            .await?
            .into_result("secret")?
            .normalized())
    }

    /// Deletes one secret. Deletes that concurrent calls make in the same store while the
    /// rate limiter or a request in flight holds the line go out as one bulk DELETE; a lone
    /// delete uses the single-secret endpoint. A secret already gone counts as deleted.
    pub async fn delete_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<(), Error> {
        require(account_id, "account_id")?;
        require(store_id, "store_id")?;
        require(secret_id, "secret_id")?;
        self.delete_coalesced(account_id, store_id, secret_id).await
    }

    /// `DELETE …/secrets/{id}`, once (with retries); the first token is taken when
    /// `prepaid_permit`.
    pub(super) async fn delete_one(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
        prepaid_permit: bool,
    ) -> Result<(), Error> {
        let mut call = self.call(
            Kind::Delete,
            Method::DELETE,
            account_id,
            &["stores", store_id, "secrets", secret_id],
        )?;
        call.prepaid_permit = prepaid_permit;
        self.simple::<IgnoredAny>(&call, None).await.map(|_| ())
    }

    /// The secret as a listing sent after this call began shows it, or `None` when that
    /// listing does not hold it (e.g. not visible yet right after a create). Concurrent calls
    /// for one store share one listing (newest changes first, paged only until every polled
    /// secret was seen): what waiting for activation uses instead of one GET per secret.
    pub async fn poll_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<Option<Secret>, Error> {
        require(account_id, "account_id")?;
        require(store_id, "store_id")?;
        require(secret_id, "secret_id")?;
        self.poll_coalesced(account_id, store_id, secret_id).await
    }

    pub async fn quota(&self, account_id: &str) -> Result<Quota, Error> {
        let call = self.call(Kind::Read, Method::GET, account_id, &["quota"])?;
        let result = self
            .simple::<QuotaResult>(&call, None)
            .await?
            .into_result("quota")?;
        Ok(result.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Credentials;
    use secrecy::SecretString;

    fn client() -> Client {
        let config = ClientConfig::new(
            "http://127.0.0.1:9/client/v4/",
            Credentials::ApiToken(SecretString::from("tok")),
        );
        Client::new(config).unwrap()
    }

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn endpoint_futures_are_send() {
        let c = client();
        let new = || NewSecret {
            name: "N".into(),
            value: SecretString::from("v"),
            scopes: vec![],
            comment: None,
        };
        assert_send(&c.create_secret("a", "s", new()));
        assert_send(&c.create_secrets("a", "s", vec![new()]));
        assert_send(&c.create_store("a", "n"));
        assert_send(&c.list_secrets("a", "s", &ListSecretsParams::default()));
        assert_send(&c.patch_secret("a", "s", "i", SecretPatch::default()));
        assert_send(&c.delete_secret("a", "s", "i"));
        assert_send(&c.poll_secret("a", "s", "i"));
    }
}
