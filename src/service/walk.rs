//! What one provider process learns while Terraform walks a configuration: the secret names
//! planned so far (two resources planning one name in one store cannot both exist) and the
//! secrets a refresh found deleted outside Terraform (so their plan can say so).

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use tfplugin::Value;

/// Where a planned secret will live: its account, its store (`None`: the account's default
/// store, `store_id` omitted) and its name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PlannedName {
    pub account_id: String,
    pub store_id: Option<String>,
    pub name: String,
}

/// One planned secret: the secret it already is (`None` for a create) and its configuration.
#[derive(Debug)]
struct Planned {
    existing_id: Option<String>,
    config: Value,
}

/// The notes of one process. In one walk Terraform plans each resource instance once, so two
/// plans of one name in a walk are two resources. A process may serve several walks, though:
/// a CLI command's provider processes each serve one, but `terraform test` (1.15) serves every
/// run block of a file from one process. The planned names are therefore forgotten when a new
/// walk shows itself: after an apply, and when a resource is planned again exactly as before.
#[derive(Debug, Default)]
pub struct WalkNotes {
    planned: Mutex<HashMap<PlannedName, Planned>>,
    /// (account id, secret name) of secrets a refresh found gone.
    gone: Mutex<HashSet<(String, String)>>,
}

impl WalkNotes {
    /// Records that a resource with configuration `config` plans `name` (`existing_id`: the
    /// secret it already manages, `None` for a create). `false` when another resource of this
    /// walk already planned it.
    pub fn plan_name(&self, name: PlannedName, existing_id: Option<&str>, config: &Value) -> bool {
        let mut planned = self.planned.lock().unwrap_or_else(PoisonError::into_inner);
        let this = Planned {
            existing_id: existing_id.map(str::to_string),
            config: config.clone(),
        };
        let Some(earlier) = planned.get(&name) else {
            planned.insert(name, this);
            return true;
        };
        if earlier.existing_id == this.existing_id && earlier.config == this.config {
            // The same resource planned again, as it was: a new walk of the same configuration.
            planned.clear();
            planned.insert(name, this);
            return true;
        }
        // The same existing secret, planned with another configuration: one resource.
        this.existing_id.is_some() && earlier.existing_id == this.existing_id
    }

    /// Records that Terraform's plan of the new secret of a replacement (its second plan of the
    /// resource, with a null prior state) plans `name`, replacing secret `replaced_id`. `false`
    /// when another resource of this walk already planned the name. The resource's own first
    /// plan may have recorded the name already, when Terraform rather than the provider decided
    /// to replace (`-replace`, `replace_triggered_by`) and the name stayed: that is the same
    /// resource, and not a new walk either.
    pub fn plan_replacement(&self, name: PlannedName, replaced_id: &str, config: &Value) -> bool {
        let mut planned = self.planned.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(earlier) = planned.get(&name)
            && earlier.existing_id.as_deref() != Some(replaced_id)
        {
            return false;
        }
        let this = Planned {
            existing_id: Some(replaced_id.to_string()),
            config: config.clone(),
        };
        planned.insert(name, this);
        true
    }

    /// Records that an apply happened: the walk that planned before it is over.
    pub fn applied(&self) {
        self.planned
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Records that a refresh found secret `name` of the account deleted outside Terraform.
    pub fn note_gone(&self, account_id: &str, name: &str) {
        self.gone
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((account_id.to_string(), name.to_string()));
    }

    /// Whether a refresh of this process found secret `name` of the account gone.
    pub fn was_gone(&self, account_id: &str, name: &str) -> bool {
        self.gone
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&(account_id.to_string(), name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(store: Option<&str>, name: &str) -> PlannedName {
        PlannedName {
            account_id: "acct".into(),
            store_id: store.map(str::to_string),
            name: name.into(),
        }
    }

    fn config(comment: &str) -> Value {
        Value::object([("comment", Value::string(comment))])
    }

    #[test]
    fn a_second_resource_planning_a_name_is_caught() {
        let notes = WalkNotes::default();
        let plan = |store: Option<&str>, secret: &str, comment: &str| {
            notes.plan_name(name(store, secret), None, &config(comment))
        };
        assert!(plan(Some("s"), "API_KEY", "first"));
        assert!(!plan(Some("s"), "API_KEY", "second"));
        // Other stores, the default store and other names are other secrets.
        assert!(plan(Some("t"), "API_KEY", "second"));
        assert!(plan(None, "API_KEY", "second"));
        assert!(plan(Some("s"), "OTHER", "second"));
    }

    #[test]
    fn an_existing_secret_planned_again_is_the_same_resource() {
        let notes = WalkNotes::default();
        let plan = |id: Option<&str>, comment: &str| {
            notes.plan_name(name(Some("s"), "K"), id, &config(comment))
        };
        assert!(plan(Some("id1"), "a"));
        assert!(plan(Some("id1"), "b"));
        assert!(!plan(Some("id2"), "b"));
        assert!(!plan(None, "c"));
    }

    #[test]
    fn the_new_secret_of_a_replacement_is_the_resource_it_replaces() {
        let notes = WalkNotes::default();
        let a = || name(Some("s"), "A");
        // `-replace` with the name kept: the first plan records the existing secret, the
        // second (the new secret) is the same resource.
        assert!(notes.plan_name(a(), Some("id1"), &config("x")));
        assert!(notes.plan_replacement(a(), "id1", &config("x")));
        // Not a new walk: another resource planning B is still caught.
        assert!(notes.plan_name(name(Some("s"), "B"), None, &config("b")));
        assert!(!notes.plan_name(name(Some("s"), "B"), None, &config("other")));
        // A rename replaces id2 with C; a second resource creating C is caught, and so is the
        // replacement of another secret to a name a create already holds.
        assert!(notes.plan_replacement(name(Some("s"), "C"), "id2", &config("c")));
        assert!(!notes.plan_name(name(Some("s"), "C"), None, &config("c2")));
        assert!(!notes.plan_replacement(name(Some("s"), "B"), "id3", &config("b")));
    }

    #[test]
    fn a_new_walk_forgets_the_names_planned_before() {
        let notes = WalkNotes::default();
        let plan = |secret: &str, comment: &str| {
            notes.plan_name(name(None, secret), None, &config(comment))
        };
        // `terraform test` run blocks in one process: A and B, then A again as it was (a new
        // walk), then B with another comment (a variable changed between the runs).
        assert!(plan("A", "a"));
        assert!(plan("B", "b"));
        assert!(plan("A", "a"));
        assert!(plan("B", "changed"));
        // After an apply, a create planned under a name planned before is a new walk too.
        notes.applied();
        assert!(plan("B", "changed again"));
        assert!(!plan("B", "a second resource"));
    }

    #[test]
    fn gone_secrets_are_remembered_by_account_and_name() {
        let notes = WalkNotes::default();
        notes.note_gone("acct", "K");
        assert!(notes.was_gone("acct", "K"));
        assert!(!notes.was_gone("acct", "L"));
        assert!(!notes.was_gone("other", "K"));
    }
}
