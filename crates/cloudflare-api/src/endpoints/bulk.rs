//! The bulk endpoints: the batch create of secrets, whose lost response is reconciled by name
//! before any retry (the one place that does it), and the bulk delete with its fallback to
//! deleting one by one.

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

/// Bulk delete (`{"ids": [...]}`); an id the store no longer holds counts as deleted. After a
/// "not found" (an id already gone, or a lost answer to an applied attempt) the store is listed
/// and the ids it still holds are sent again; after a few passes they go one by one. `permit`
/// is the first request's rate-limit token when the caller already took it.
pub(crate) async fn delete_secrets(
    api: &Transport,
    account_id: &str,
    store_id: &str,
    mut ids: Vec<String>,
    mut permit: Option<Permit>,
) -> Result<(), Error> {
    for _ in 0..BULK_DELETE_PASSES {
        if ids.is_empty() {
            return Ok(());
        }
        // Update, not Delete: a "not found" after a retry does not prove every id is gone.
        let path = ["stores", store_id, "secrets"];
        let call = endpoint(Kind::Update, Method::DELETE, account_id, &path)?;
        let body = json(&DeleteSecretsBody { ids: &ids })?;
        match api.send::<IgnoredAny>(&call, permit.take(), body).await {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let all = ListSecretsParams::default();
                let listed = match secrets::list(api, account_id, store_id, &all).await {
                    Ok(listed) => listed,
                    Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
                    Err(e) => return Err(e),
                };
                let live: HashSet<&str> = listed
                    .iter()
                    .filter(|s| !s.is_deleted())
                    .map(|s| s.id.as_str())
                    .collect();
                ids.retain(|id| live.contains(id.as_str()));
            }
            Err(e) => return Err(e),
        }
    }
    for id in ids {
        match secrets::delete(api, account_id, store_id, &id, None).await {
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::SecretStatus;
    use secrecy::SecretString;

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
