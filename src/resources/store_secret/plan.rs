//! Plan adjustments for `cloudflare_store_secret`: unknowns only where apply will decide,
//! prior values kept when nothing changes, `value_wo` always null, and no create without a
//! value.

use async_trait::async_trait;

use super::{DEFAULT_SCOPES, StoreSecretResource};
use crate::provider::ProviderData;
use crate::tfplugin::{
    AttributePath, Diagnostics, ModifyPlan, ModifyPlanRequest, ModifyPlanResponse, Value,
};

/// Attributes the user controls that an in-place update sends to the API.
const UPDATABLE: [&str; 4] = ["value", "value_wo_version", "scopes", "comment"];
/// Attributes whose change replaces the secret.
const REPLACING: [&str; 3] = ["name", "store_id", "account_id"];

#[async_trait]
impl ModifyPlan<ProviderData> for StoreSecretResource {
    async fn modify_plan(&self, req: ModifyPlanRequest<ProviderData>) -> ModifyPlanResponse {
        let mut resp = ModifyPlanResponse {
            planned_private: req.prior_private.clone(),
            ..ModifyPlanResponse::default()
        };
        if req.planned_state.is_null() {
            return resp;
        }
        if req.prior_state.is_null() {
            resp.diagnostics = needs_value_to_create(&req.config);
            if resp.diagnostics.has_errors() {
                return resp;
            }
        }
        let provider_account = req.provider.account_id().known().cloned();
        let (planned, requires_replace) = plan_secret(
            &req.prior_state,
            &req.planned_state,
            &req.config,
            provider_account,
        );
        resp.planned_state = planned;
        resp.requires_replace = requires_replace;
        resp
    }
}

/// A secret whose value is managed elsewhere (neither `value` nor `value_wo`) cannot be
/// created: an error when `config` is such a secret and the plan would create it.
pub fn needs_value_to_create(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if config.get("value").is_null() && config.get("value_wo").is_null() {
        let name = config.get("name").as_str().unwrap_or("<unknown name>");
        diags.error_at(
            AttributePath::root("value_wo"),
            "A value is needed to create this secret",
            format!(
                "Secret {name} does not exist (it is new, or was deleted outside Terraform), so \
                 Terraform must create it, and creating a secret needs its value. Without value \
                 and value_wo the value is managed elsewhere, which works only for a secret that \
                 exists. Set value_wo (Terraform 1.11+, kept out of state) or value, or create \
                 the secret elsewhere and import it."
            ),
        );
    }
    diags
}

/// The planned state given the prior state (null on create), the generic helper's plan and the
/// config; plus the attribute paths whose change forces replacement.
pub fn plan_secret(
    prior: &Value,
    helper_plan: &Value,
    config: &Value,
    provider_account: Option<String>,
) -> (Value, Vec<AttributePath>) {
    let mut planned = helper_plan.clone();
    planned.set("value_wo", Value::Null);
    for passthrough in ["name", "value", "value_wo_version", "comment"] {
        planned.set(passthrough, config.get(passthrough).clone());
    }
    if config.get("scopes").is_null() {
        planned.set("scopes", Value::string_set(DEFAULT_SCOPES));
    } else {
        planned.set("scopes", config.get("scopes").clone());
    }
    let mut requires_replace = Vec::new();
    if prior.is_null() {
        for computed in ["id", "status", "created", "modified"] {
            planned.set(computed, Value::unknown());
        }
        if config.get("account_id").is_null() {
            planned.set(
                "account_id",
                provider_account.map_or_else(Value::unknown, Value::String),
            );
        } else {
            planned.set("account_id", config.get("account_id").clone());
        }
        if config.get("store_id").is_null() {
            // The default store is found (or created) at apply time.
            planned.set("store_id", Value::unknown());
        } else {
            planned.set("store_id", config.get("store_id").clone());
        }
        return (planned, requires_replace);
    }

    for attribute in ["account_id", "store_id"] {
        if config.get(attribute).is_null() {
            planned.set(attribute, prior.get(attribute).clone());
        } else {
            planned.set(attribute, config.get(attribute).clone());
        }
    }
    for kept in ["id", "created"] {
        planned.set(kept, prior.get(kept).clone());
    }
    for attribute in REPLACING {
        let (before, after) = (prior.get(attribute), planned.get(attribute));
        if !before.is_null() && !after.is_null() && before != after {
            requires_replace.push(AttributePath::root(attribute));
        }
    }
    let changed = UPDATABLE.iter().any(|a| prior.get(a) != planned.get(a));
    if changed && requires_replace.is_empty() {
        planned.set("modified", Value::unknown());
        let status = prior.get("status");
        if status.as_str() == Some(super::ACTIVE) {
            planned.set("status", status.clone());
        } else {
            planned.set("status", Value::unknown());
        }
    } else {
        planned.set("status", prior.get("status").clone());
        planned.set("modified", prior.get("modified").clone());
    }
    (planned, requires_replace)
}
