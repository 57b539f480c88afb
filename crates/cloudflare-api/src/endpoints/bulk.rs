//! The bulk endpoints: the batch create of secrets, whose lost response is reconciled by name
//! before any retry (the one place that does it), and the bulk delete with its fallbacks to
//! deleting one by one (ids that keep failing, or a server that refuses the body's shape).

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use reqwest::Method;
use serde::de::IgnoredAny;

use super::bodies::{CreateSecretBody, DeleteSecretsBody};
use super::models::{ListSecretsParams, NewSecret, Secret};
use super::{endpoint, json, secrets};
use crate::transport::{Error, ErrorKind, Kind, Permit, Reconciled, Transport};

/// Bulk-delete passes before the remaining ids are deleted one by one.
const BULK_DELETE_PASSES: usize = 3;

/// What a batch create achieved: a failed batch may still have created some of its secrets.
pub(crate) struct BatchOutcome {
    /// The secrets that exist now: in the answer, or found after a lost response.
    pub(crate) created: Vec<Secret>,
    /// The secrets the last attempt carried (those missing from `created` are among them).
    pub(crate) remaining: Vec<NewSecret>,
    /// Why the request failed, if it did.
    pub(crate) error: Option<Error>,
}

/// `POST …/secrets` with `secrets` (`permit`: the first attempt's rate-limit token when the
/// caller already took it). A lost response is reconciled by name before any retry: secrets
/// that exist are not created again, and only the rest is sent.
pub(crate) async fn create_secrets(
    api: &Transport,
    account_id: &str,
    store_id: &str,
    secrets: Vec<NewSecret>,
    permit: Option<Permit>,
) -> BatchOutcome {
    let batch = Mutex::new(Batch {
        remaining: secrets,
        found: Vec::new(),
    });
    let path = ["stores", store_id, "secrets"];
    let result = match endpoint(Kind::Create, Method::POST, account_id, &path) {
        Ok(call) => {
            let body = || locked(&batch).body();
            let lookup = &api.for_lookup();
            api.send_reconciling::<Vec<Secret>>(&call, permit, &body, &mut || {
                Box::pin(reconcile(lookup, account_id, store_id, &batch))
            })
            .await
        }
        Err(e) => Err(e),
    };
    let Batch { remaining, found } = batch.into_inner().unwrap_or_else(PoisonError::into_inner);
    let (mut created, error) = match result {
        Ok(envelope) => (envelope.result.unwrap_or_default(), None),
        Err(e) => (Vec::new(), Some(e)),
    };
    created.extend(found);
    BatchOutcome {
        created,
        remaining,
        error,
    }
}

/// After a lost batch-create response: which of the remaining secrets exist now? One name is
/// looked up by search, several by listing the store.
async fn reconcile(
    api: &Transport,
    account_id: &str,
    store_id: &str,
    batch: &Mutex<Batch>,
) -> Result<Reconciled<Vec<Secret>>, Error> {
    let single = match locked(batch).remaining.as_slice() {
        [only] => Some(only.name.clone()),
        _ => None,
    };
    let existing = match single {
        Some(name) => secrets::find_by_name(api, account_id, store_id, &name)
            .await?
            .into_iter()
            .collect(),
        None => {
            let all = ListSecretsParams::default();
            secrets::list(api, account_id, store_id, &all).await?
        }
    };
    Ok(locked(batch).absorb(existing))
}

fn locked(batch: &Mutex<Batch>) -> std::sync::MutexGuard<'_, Batch> {
    batch.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The progress of a batch create across attempts.
struct Batch {
    /// Secrets not known to exist yet: the next attempt's body.
    remaining: Vec<NewSecret>,
    /// Secrets found to exist after a lost response.
    found: Vec<Secret>,
}

impl Batch {
    /// The next attempt's body: the secrets not known to exist yet.
    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        let items: Vec<CreateSecretBody<'_>> =
            self.remaining.iter().map(CreateSecretBody::from).collect();
        json(&items)
    }

    /// Moves every remaining secret that `existing` holds into `found`.
    fn absorb(&mut self, existing: Vec<Secret>) -> Reconciled<Vec<Secret>> {
        let before = self.remaining.len();
        for secret in existing {
            if let Some(index) = self.remaining.iter().position(|s| s.name == secret.name) {
                self.remaining.remove(index);
                self.found.push(secret);
            }
        }
        if self.remaining.is_empty() {
            Reconciled::Found(Vec::new())
        } else if self.remaining.len() < before {
            Reconciled::Partial
        } else {
            Reconciled::Missing
        }
    }
}

/// What a bulk delete achieved.
#[derive(Debug)]
pub(crate) enum BulkDeleted {
    /// Every id is gone.
    All,
    /// The API refused the form of the request, not the ids in it (see [`refuses_the_body`]):
    /// the bulk DELETE deleted nothing, and `remaining` are still to delete.
    BodyRefused { status: u16, remaining: Vec<String> },
}

/// Bulk delete (`{"ids": [...]}`); an id the store no longer holds counts as deleted. After a
/// "not found" (an id already gone, or a lost answer to an applied attempt) the store is listed
/// and the ids it still holds are sent again; after a few passes they go one by one. An answer
/// that refuses the body itself ends the bulk attempts with [`BulkDeleted::BodyRefused`], so the
/// caller can go one by one (and remember to). `permit` is the first request's rate-limit token
/// when the caller already took it.
pub(crate) async fn delete_secrets(
    api: &Transport,
    account_id: &str,
    store_id: &str,
    mut ids: Vec<String>,
    mut permit: Option<Permit>,
) -> Result<BulkDeleted, Error> {
    for _ in 0..BULK_DELETE_PASSES {
        if ids.is_empty() {
            return Ok(BulkDeleted::All);
        }
        // Update, not Delete: a "not found" after a retry does not prove every id is gone.
        let path = ["stores", store_id, "secrets"];
        let call = endpoint(Kind::Update, Method::DELETE, account_id, &path)?;
        let body = json(&DeleteSecretsBody { ids: &ids })?;
        match api.send::<IgnoredAny>(&call, permit.take(), body).await {
            Ok(_) => return Ok(BulkDeleted::All),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let all = ListSecretsParams::default();
                let listed = match secrets::list(api, account_id, store_id, &all).await {
                    Ok(listed) => listed,
                    Err(e) if e.kind() == ErrorKind::NotFound => return Ok(BulkDeleted::All),
                    Err(e) => return Err(e),
                };
                let live: HashSet<&str> = listed
                    .iter()
                    .filter(|s| !s.is_deleted())
                    .map(|s| s.id.as_str())
                    .collect();
                ids.retain(|id| live.contains(id.as_str()));
            }
            Err(e) if refuses_the_body(&e) => {
                let status = e.status().unwrap_or_default();
                return Ok(BulkDeleted::BodyRefused {
                    status,
                    remaining: ids,
                });
            }
            Err(e) => return Err(e),
        }
    }
    delete_one_by_one(api, account_id, store_id, ids, permit).await?;
    Ok(BulkDeleted::All)
}

/// Deletes `ids` with the single-secret DELETE, one after the other; an id already gone counts
/// as deleted. `permit` is the first request's rate-limit token when the caller already took it.
pub(crate) async fn delete_one_by_one(
    api: &Transport,
    account_id: &str,
    store_id: &str,
    ids: Vec<String>,
    mut permit: Option<Permit>,
) -> Result<(), Error> {
    for id in ids {
        match secrets::delete(api, account_id, store_id, &id, permit.take()).await {
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}

/// Whether `error`, the answer to a bulk DELETE, refuses the form of the request rather than
/// the ids in it. The shape of that body is not settled: the current OpenAPI file says
/// `{"ids": [...]}`, an older schema generation (and SDKs built from it) an array of
/// `{"id": ...}` objects, Cloudflare's generated TypeScript and Python SDKs send no body at all.
/// A server of another generation answers 400, 415 or 422, or some other 4xx; what does not
/// count: 401/403 (credentials, which a single DELETE would meet too), 404 and any "not found"
/// (an id or the store is gone: handled as deleted) and 429 (the rate limit).
fn refuses_the_body(error: &Error) -> bool {
    let Some(status) = error.status() else {
        return false;
    };
    (400..500).contains(&status)
        && !matches!(status, 401 | 403 | 404 | 429)
        && error.kind() != ErrorKind::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::SecretStatus;
    use secrecy::SecretString;

    #[test]
    fn only_refusals_of_the_form_count_as_a_refused_bulk_delete_body() {
        let api = |status, message: &str| Error::Api {
            status,
            errors: vec![crate::transport::ApiMessage {
                code: 1001,
                message: message.into(),
            }],
        };
        for status in [400, 405, 409, 413, 415, 422] {
            assert!(
                refuses_the_body(&api(status, "invalid_json_body")),
                "{status}"
            );
        }
        for status in [401, 403, 404, 429, 500, 503] {
            assert!(
                !refuses_the_body(&api(status, "invalid_json_body")),
                "{status}"
            );
        }
        // A "not found" says an id or the store is gone, whatever its status.
        assert!(!refuses_the_body(&api(400, "secret_not_found")));
        assert!(!refuses_the_body(&api(400, "store_not_found")));
        assert!(!refuses_the_body(&Error::Transport("reset".into())));
        assert!(!refuses_the_body(&Error::Decode("x".into())));
    }

    #[test]
    fn batch_absorb_tracks_what_already_exists() {
        let new = |name: &str| NewSecret {
            name: name.into(),
            value: SecretString::from("v"),
            scopes: vec![],
            comment: None,
        };
        let existing = |name: &str| Secret {
            id: format!("id-{name}"),
            store_id: "s".into(),
            name: name.into(),
            status: SecretStatus::Active,
            created: "c".into(),
            modified: "m".into(),
            comment: None,
            scopes: None,
        };
        let mut batch = Batch {
            remaining: vec![new("A"), new("B")],
            found: vec![],
        };
        assert!(matches!(
            batch.absorb(vec![existing("X")]),
            Reconciled::Missing
        ));
        assert!(matches!(
            batch.absorb(vec![existing("B")]),
            Reconciled::Partial
        ));
        assert_eq!(batch.remaining.len(), 1);
        assert_eq!(batch.remaining[0].name, "A");
        assert!(matches!(
            batch.absorb(vec![existing("A"), existing("B")]),
            Reconciled::Found(_)
        ));
        assert_eq!(batch.found.len(), 2);
    }
}
