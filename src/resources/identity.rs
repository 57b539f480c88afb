//! Resource identities shared by both resources: the identity attributes (the account and the
//! object's ids) and import by identity (`import { identity = {…} }`, Terraform 1.12+).

use crate::common::rules::is_id;
use crate::service::Service;
use tfplugin::{Diagnostic, IdentityAttribute, IdentitySchema, Value};

/// The identity version both resources use.
pub const IDENTITY_VERSION: i64 = 0;

/// The account attribute of an identity; the provider's `account_id` fills it in on import.
pub fn account_identity_attribute() -> IdentityAttribute {
    IdentityAttribute::optional(
        "account_id",
        "Account that owns the store. Defaults to the provider's `account_id` on import.",
    )
}

/// An identity of `account_id` plus the required id attributes `ids` (name, description).
pub fn identity_schema(ids: &[(&'static str, &'static str)]) -> IdentitySchema {
    let mut attributes = vec![account_identity_attribute()];
    attributes.extend(
        ids.iter()
            .map(|(name, description)| IdentityAttribute::required(name, description)),
    );
    IdentitySchema {
        version: IDENTITY_VERSION,
        attributes,
    }
}

/// The account and ids an identity import names: `account_id` (the provider's when the
/// identity leaves it out) and each id attribute of `ids`, in that order, each checked to be an
/// id (`rules::is_id`). Read follows the import and fills in the rest (or reports the object
/// missing).
pub fn ids_from_identity(
    identity: &Value,
    ids: &[&str],
    provider: &Service,
    what: &str,
) -> Result<(String, Vec<String>), Diagnostic> {
    let account_id = provider.resolve_account_id(identity.get("account_id").as_str())?;
    let mut found = Vec::new();
    for name in ids {
        match identity.get(name).as_str() {
            Some(id) if is_id(id) => found.push(id.to_string()),
            Some(other) => {
                return Err(Diagnostic::error(
                    "Invalid import identity",
                    format!(
                        "The identity's {name} {other:?} is not a Cloudflare id (32 hexadecimal \
                         characters). Copy it from `terraform query` or the dashboard, or import \
                         the {what} by name with `id = \"…\"` instead."
                    ),
                ));
            }
            None => {
                return Err(Diagnostic::error(
                    "Incomplete import identity",
                    format!(
                        "Importing a {what} by identity needs {}; {name} is missing.",
                        ids.join(" and ")
                    ),
                ));
            }
        }
    }
    Ok((account_id, found))
}
