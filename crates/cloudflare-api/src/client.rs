//! [`Client`], the type the provider holds, on top of the stack: creates, deletes and status
//! polls of secrets go through the coalescer, every other call straight to its endpoint.

use std::fmt;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::coalescer::{Coalescer, PollSchedule};
use crate::endpoints::{
    ListSecretsParams, NewSecret, Pages, Quota, Secret, SecretPatch, Store, secrets, stores,
};
use crate::transport::{ClientConfig, Error, Transport};

/// The shared API client. Cheap to clone; clones share the rate limiter, the connection pool
/// and the coalescer's lanes.
#[derive(Clone)]
pub struct Client {
    api: Transport,
    coalescer: Coalescer,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Client").field(&self.api).finish()
    }
}

impl Client {
    /// Validates `config` and builds the client (no request is sent).
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        Ok(Client {
            api: Transport::new(&config)?,
            coalescer: Coalescer::default(),
        })
    }

    /// A clone (sharing the rate limiter and connection pool) whose requests stop when `token`
    /// fires: waits for the rate limiter, backoff or `Retry-After` end at once and no new
    /// attempt is sent; the call fails with [`Error::Cancelled`]. An attempt already sent is
    /// awaited (bounded by the request timeout), so a create in flight is never abandoned.
    pub fn with_cancel(&self, token: CancellationToken) -> Client {
        Client {
            api: self.api.with_cancel(token),
            coalescer: self.coalescer.clone(),
        }
    }

    /// The total time this client's requests waited for the rate limit (its own pace, or the
    /// API's budget shared with other clients), once: the first time it is asked after the total
    /// passed 30 s, so a slow run can say why, once.
    pub fn take_long_rate_limit_wait(&self) -> Option<Duration> {
        self.api.take_long_wait()
    }

    /// All stores of the account (every page).
    pub async fn list_stores(&self, account_id: &str) -> Result<Vec<Store>, Error> {
        self.store_pages(account_id)?.all().await
    }

    /// The stores of the account, one page per request as the caller asks for them.
    pub fn store_pages(&self, account_id: &str) -> Result<Pages<'_, Store>, Error> {
        stores::pages(&self.api, account_id)
    }

    /// Creates a store; a lost response is reconciled by listing the stores, never duplicated.
    pub async fn create_store(&self, account_id: &str, name: &str) -> Result<Store, Error> {
        stores::create(&self.api, account_id, name).await
    }

    pub async fn get_store(&self, account_id: &str, store_id: &str) -> Result<Store, Error> {
        stores::get(&self.api, account_id, store_id).await
    }

    /// Deletes a store; `force` deletes it with its secrets.
    pub async fn delete_store(
        &self,
        account_id: &str,
        store_id: &str,
        force: bool,
    ) -> Result<(), Error> {
        stores::delete(&self.api, account_id, store_id, force).await
    }

    /// The account's secrets quota and usage.
    pub async fn quota(&self, account_id: &str) -> Result<Quota, Error> {
        stores::quota(&self.api, account_id).await
    }

    /// Every secret of the store matching `params` (all pages).
    pub async fn list_secrets(
        &self,
        account_id: &str,
        store_id: &str,
        params: &ListSecretsParams,
    ) -> Result<Vec<Secret>, Error> {
        secrets::list(&self.api, account_id, store_id, params).await
    }

    /// The secrets of the store matching `params`, one page per request as the caller asks
    /// for them.
    pub fn secret_pages(
        &self,
        account_id: &str,
        store_id: &str,
        params: &ListSecretsParams,
    ) -> Result<Pages<'_, Secret>, Error> {
        secrets::pages(&self.api, account_id, store_id, params)
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
        self.coalescer
            .create(&self.api, account_id, store_id, secret)
            .await
    }

    pub async fn get_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<Secret, Error> {
        secrets::get(&self.api, account_id, store_id, secret_id).await
    }

    /// The secret named exactly `name` (all pages searched), if any. The API's `search` also
    /// matches substrings and comments, so results are filtered for the exact name.
    pub async fn find_secret_by_name(
        &self,
        account_id: &str,
        store_id: &str,
        name: &str,
    ) -> Result<Option<Secret>, Error> {
        secrets::find_by_name(&self.api, account_id, store_id, name).await
    }

    pub async fn patch_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
        patch: SecretPatch,
    ) -> Result<Secret, Error> {
        secrets::patch(&self.api, account_id, store_id, secret_id, patch).await
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
        self.coalescer
            .delete(&self.api, account_id, store_id, secret_id)
            .await
    }

    /// When to poll a secret that waits to become `active` (with [`Client::poll_secret`]): a
    /// schedule of growing steps whose first poll is where this client's earlier polls saw
    /// secrets turn active. Tell it what each poll showed ([`PollSchedule::found_pending`],
    /// [`PollSchedule::found_active`]).
    pub fn activation_schedule(&self) -> PollSchedule {
        self.coalescer.activation_schedule()
    }

    /// The secret as a listing sent after this call began shows it, or `None` when that
    /// listing does not hold it (e.g. not visible yet right after a create). Concurrent calls
    /// for one store share one listing (newest changes first, paged only until every polled
    /// secret was seen): what waiting for activation uses instead of one GET per secret. When
    /// that listing shows this secret active but others, polled for the first time with it,
    /// still pending, the answer waits for the store's next listing (at most one rate-limit
    /// interval, 350 ms to 2 s, and 20 ms), so a wave of creates finishes together.
    pub async fn poll_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<Option<Secret>, Error> {
        self.coalescer
            .poll(&self.api, account_id, store_id, secret_id)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Credentials;
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
        assert_send(&c.create_store("a", "n"));
        assert_send(&c.list_secrets("a", "s", &ListSecretsParams::default()));
        assert_send(&c.find_secret_by_name("a", "s", "n"));
        assert_send(&c.patch_secret("a", "s", "i", SecretPatch::default()));
        assert_send(&c.delete_secret("a", "s", "i"));
        assert_send(&c.poll_secret("a", "s", "i"));
    }
}
