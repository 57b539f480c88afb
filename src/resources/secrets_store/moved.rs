//! Taking over the official provider's store state: by `moved {}` from another address, and,
//! because both providers name the type `cloudflare_secrets_store`, by a state upgrade from
//! the official schema version when the same address changes provider.

use super::{SecretsStoreResource, StoreModel, TYPE_NAME};
use crate::resources::moved::{check_source, require_source, source_string};
use tfplugin::{
    Attr, Diagnostic, MoveState, MoveStateRequest, MoveStateResponse, UpgradeState,
    UpgradeStateRequest, UpgradeStateResponse,
};

/// This resource's schema version: above the official provider's 500, so Terraform hands
/// state written by either provider to [`UpgradeState`] instead of refusing it as newer.
pub const SCHEMA_VERSION: i64 = 501;
/// The official provider's `cloudflare_secrets_store` schema version.
pub const OFFICIAL_SCHEMA_VERSION: i64 = 500;

/// State of schema version 0 (this provider before 501), 500 (the official provider: no
/// `adopt` or `force_destroy`) or 501, read by attribute name.
impl UpgradeState for SecretsStoreResource {
    fn upgrade_state(&self, req: UpgradeStateRequest) -> UpgradeStateResponse {
        let mut resp = UpgradeStateResponse::default();
        if req.version > SCHEMA_VERSION
            || (req.version > 0 && req.version < OFFICIAL_SCHEMA_VERSION)
        {
            resp.diagnostics.add(Diagnostic::error(
                "Unknown store state version",
                format!(
                    "This {TYPE_NAME} was written with schema version {}, which this provider \
                     does not know (it reads 0, {OFFICIAL_SCHEMA_VERSION} from the official \
                     Cloudflare provider, and {SCHEMA_VERSION}). Use the provider version that \
                     wrote it, or remove it from state and import the store.",
                    req.version
                ),
            ));
            return resp;
        }
        let raw = &req.raw_state;
        let text =
            |name: &str| Attr::from(raw.get(name).and_then(|v| v.as_str()).map(str::to_string));
        // The official provider has no such flags: they read as this provider's defaults.
        let flag =
            |name: &str| Attr::Known(raw.get(name).and_then(|v| v.as_bool()).unwrap_or(false));
        let model = StoreModel {
            id: text("id"),
            account_id: text("account_id"),
            name: text("name"),
            adopt: flag("adopt"),
            force_destroy: flag("force_destroy"),
            created: text("created"),
            modified: text("modified"),
        };
        match model.to_state() {
            Ok(state) => resp.state = state,
            Err(diagnostics) => resp.diagnostics = diagnostics,
        }
        resp
    }
}

impl MoveState for SecretsStoreResource {
    fn move_state(&self, req: MoveStateRequest) -> MoveStateResponse {
        let mut resp = MoveStateResponse::default();
        if let Err(diags) = check_source(&req, TYPE_NAME, TYPE_NAME)
            .and_then(|()| require_source(&req, &["id", "account_id", "name"]))
        {
            resp.diagnostics = diags;
            return resp;
        }
        let model = StoreModel {
            id: source_string(&req, "id").into(),
            account_id: source_string(&req, "account_id").into(),
            name: source_string(&req, "name").into(),
            adopt: Attr::Known(false),
            force_destroy: Attr::Known(false),
            created: source_string(&req, "created").into(),
            modified: source_string(&req, "modified").into(),
        };
        match model.to_state() {
            Ok(state) => resp.target_state = state,
            Err(diagnostics) => resp.diagnostics = diagnostics,
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::moved::OFFICIAL_PROVIDER;
    use tfplugin::Value;

    #[test]
    fn the_official_store_moves_with_its_id_account_and_name() {
        let resp = SecretsStoreResource.move_state(MoveStateRequest {
            source_provider_address: OFFICIAL_PROVIDER.into(),
            source_type_name: TYPE_NAME.into(),
            source_schema_version: 500,
            source_state: serde_json::json!({
                "id": "a".repeat(32), "account_id": "b".repeat(32), "name": "main",
                "created": "t1", "modified": "t2"
            }),
        });
        assert!(!resp.diagnostics.has_errors());
        assert_eq!(resp.target_state.get("id"), &Value::string("a".repeat(32)));
        assert_eq!(resp.target_state.get("name"), &Value::string("main"));
        assert_eq!(resp.target_state.get("force_destroy"), &Value::Bool(false));
    }

    #[test]
    fn state_of_every_known_version_upgrades_by_attribute_name() {
        let raw = serde_json::json!({
            "id": "a".repeat(32), "account_id": "b".repeat(32), "name": "main",
            "created": "t1", "modified": "t2"
        });
        for version in [0, OFFICIAL_SCHEMA_VERSION, SCHEMA_VERSION] {
            let resp = SecretsStoreResource.upgrade_state(UpgradeStateRequest {
                version,
                raw_state: raw.clone(),
            });
            assert!(!resp.diagnostics.has_errors(), "{version}");
            assert_eq!(resp.state.get("name"), &Value::string("main"));
            assert_eq!(resp.state.get("adopt"), &Value::Bool(false));
        }
        let newer = SecretsStoreResource.upgrade_state(UpgradeStateRequest {
            version: SCHEMA_VERSION + 1,
            raw_state: raw,
        });
        assert!(newer.diagnostics.has_errors());
    }

    #[test]
    fn a_store_from_another_provider_is_refused() {
        let resp = SecretsStoreResource.move_state(MoveStateRequest {
            source_provider_address: "registry.terraform.io/cfsecrets/other".into(),
            source_type_name: TYPE_NAME.into(),
            source_schema_version: 0,
            source_state: serde_json::json!({}),
        });
        assert!(resp.diagnostics.has_errors());
    }
}
