//! `moved { from = cloudflare_secrets_store_secret.x  to = cloudflare_store_secret.x }`: takes
//! over the official provider's secret state without its plain-text `value`.

use super::{SecretModel, StoreSecretResource, TYPE_NAME};
use crate::resources::moved::{check_source, require_source, source_string};
use tfplugin::{Attr, MoveState, MoveStateRequest, MoveStateResponse};

/// The official provider's secret resource type.
pub const OFFICIAL_TYPE: &str = "cloudflare_secrets_store_secret";

impl MoveState for StoreSecretResource {
    fn move_state(&self, req: MoveStateRequest) -> MoveStateResponse {
        let mut resp = MoveStateResponse::default();
        let moved = check_source(&req, OFFICIAL_TYPE, TYPE_NAME)
            .and_then(|()| require_source(&req, &["id", "account_id", "store_id", "name"]))
            .and_then(|()| moved_model(&req).to_state());
        match moved {
            Ok(state) => resp.target_state = state,
            Err(diagnostics) => resp.diagnostics = diagnostics,
        }
        resp
    }
}

/// The secret as this provider keeps it. The official `value` (kept there in plain text) is
/// dropped: the next plan sends the configured `value_wo` or `value` once, in place.
fn moved_model(req: &MoveStateRequest) -> SecretModel {
    let text = |name: &str| Attr::from(source_string(req, name));
    let scopes = req.source_state.get("scopes").and_then(|s| s.as_array());
    SecretModel {
        id: text("id"),
        account_id: text("account_id"),
        store_id: text("store_id"),
        name: text("name"),
        scopes: Attr::from(scopes.map(|list| {
            list.iter()
                .filter_map(|s| s.as_str().map(|s| Attr::Known(s.to_string())))
                .collect()
        })),
        comment: text("comment"),
        status: text("status"),
        created: text("created"),
        modified: text("modified"),
        ..SecretModel::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::moved::OFFICIAL_PROVIDER;
    use tfplugin::Value;

    fn request(provider: &str, type_name: &str) -> MoveStateRequest {
        MoveStateRequest {
            source_provider_address: provider.into(),
            source_type_name: type_name.into(),
            source_schema_version: 0,
            source_state: serde_json::json!({
                "id": "a".repeat(32), "account_id": "b".repeat(32), "store_id": "c".repeat(32),
                "name": "API_KEY", "value": "plain-text-secret", "scopes": ["workers", "ai_gateway"],
                "comment": "from v5", "status": "active", "created": "t1", "modified": "t2"
            }),
        }
    }

    #[test]
    fn the_official_secret_moves_without_its_value() {
        let resp = StoreSecretResource.move_state(request(OFFICIAL_PROVIDER, OFFICIAL_TYPE));
        assert!(!resp.diagnostics.has_errors());
        let state = resp.target_state;
        assert_eq!(state.get("value"), &Value::Null);
        assert_eq!(state.get("name"), &Value::string("API_KEY"));
        assert_eq!(state.get("store_id"), &Value::string("c".repeat(32)));
        assert_eq!(
            state.get("scopes"),
            &Value::string_set(["workers", "ai_gateway"])
        );
        assert_eq!(state.get("comment"), &Value::string("from v5"));
        assert!(!format!("{:?}", state.debug_unredacted()).contains("plain-text-secret"));
    }

    #[test]
    fn other_sources_are_refused_naming_the_supported_one() {
        for (provider, type_name) in [
            (OFFICIAL_PROVIDER, "cloudflare_workers_secret"),
            ("registry.terraform.io/hashicorp/random", OFFICIAL_TYPE),
        ] {
            let resp = StoreSecretResource.move_state(request(provider, type_name));
            let text = format!("{:?}", resp.diagnostics);
            assert!(resp.diagnostics.has_errors(), "{provider} {type_name}");
            assert!(
                text.contains(OFFICIAL_TYPE) && text.contains(OFFICIAL_PROVIDER),
                "{text}"
            );
        }
    }
}
