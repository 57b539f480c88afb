//! The state of a batch create across attempts: which secrets are still to be sent and which
//! were found to exist after a lost response.

use super::error::Error;
use super::models::{CreateSecretBody, NewSecret, Secret};
use super::request::{Reconciled, json};

/// The progress of a batch create across attempts.
pub(super) struct Batch {
    /// Secrets not known to exist yet: the next attempt's body.
    pub(super) remaining: Vec<NewSecret>,
    /// Secrets found to exist after a lost response.
    pub(super) found: Vec<Secret>,
}

impl Batch {
    /// The next attempt's body: the secrets not known to exist yet.
    pub(super) fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        let items: Vec<CreateSecretBody<'_>> =
            self.remaining.iter().map(CreateSecretBody::from).collect();
        json(&items)
    }

    /// Moves every remaining secret that `existing` holds into `found`.
    pub(super) fn absorb(&mut self, existing: Vec<Secret>) -> Reconciled<Vec<Secret>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::SecretStatus;
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
