//! `moved { from = cloudflare_secrets_store.x (official provider)  to = cloudflare_secrets_store.x }`:
//! takes over the official provider's store state.

use super::{SecretsStoreResource, StoreModel, TYPE_NAME};
use crate::resources::moved::{check_source, require_source, source_string};
use crate::tfplugin::{MoveState, MoveStateRequest, MoveStateResponse};

impl MoveState for SecretsStoreResource {
    fn move_state(&self, req: MoveStateRequest) -> MoveStateResponse {
        let mut resp = MoveStateResponse::default();
        if let Err(diags) = check_source(&req, TYPE_NAME, TYPE_NAME)
            .and_then(|()| require_source(&req, &["id", "account_id", "name"]))
        {
            resp.diagnostics = diags;
            return resp;
        }
        resp.target_state = StoreModel {
            id: source_string(&req, "id"),
            account_id: source_string(&req, "account_id"),
            name: source_string(&req, "name"),
            adopt: false,
            force_destroy: false,
            created: source_string(&req, "created"),
            modified: source_string(&req, "modified"),
        }
        .to_value();
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::moved::OFFICIAL_PROVIDER;
    use crate::tfplugin::Value;

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
