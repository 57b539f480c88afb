//! What the schema cannot say about planning `cloudflare_store_secret`: the provider's
//! `account_id` on create, `status` staying `active` through an in-place update, and no create
//! without a value.

use async_trait::async_trait;

use super::StoreSecretResource;
use crate::provider::ProviderData;
use crate::resources::activation::ACTIVE;
use crate::resources::attributes::plan_provider_account;
use crate::tfplugin::{
    AttributePath, Diagnostic, Diagnostics, ModifyPlan, ModifyPlanRequest, ModifyPlanResponse,
    Value,
};

#[async_trait]
impl ModifyPlan<ProviderData> for StoreSecretResource {
    async fn modify_plan(&self, req: ModifyPlanRequest<ProviderData>) -> ModifyPlanResponse {
        if req.prior_state.is_null() && !req.planned_state.is_null() {
            let diagnostics = needs_value_to_create(&req.config);
            if diagnostics.has_errors() {
                return ModifyPlanResponse {
                    planned_private: req.prior_private,
                    diagnostics,
                    ..ModifyPlanResponse::default()
                };
            }
        }
        let provider_account = req.provider.account_id().known().cloned();
        ModifyPlanResponse {
            planned_state: plan_secret(
                &req.prior_state,
                req.planned_state,
                &req.config,
                provider_account,
            ),
            planned_private: req.prior_private,
            ..ModifyPlanResponse::default()
        }
    }
}

/// A secret whose value is managed elsewhere (neither `value` nor `value_wo`) cannot be
/// created: an error when `config` is such a secret and the plan would create it.
pub fn needs_value_to_create(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if config.get("value").is_null() && config.get("value_wo").is_null() {
        let name = config.get("name").as_str().unwrap_or("<unknown name>");
        diags.add(
            Diagnostic::error(
                "A value is needed to create this secret",
                format!(
                    "Secret {name} does not exist (it is new, or was deleted outside Terraform), \
                     so Terraform must create it, and creating a secret needs its value. Without \
                     value and value_wo the value is managed elsewhere, which works only for a \
                     secret that exists. Set value_wo (Terraform 1.11+, kept out of state) or \
                     value, or create the secret elsewhere and import it."
                ),
            )
            .at(AttributePath::root("value_wo")),
        );
    }
    diags
}

/// The schema-driven plan (`planned`, from `tfplugin::plan`) adjusted: the provider's account
/// on create, and the prior `active` status kept by an update (apply waits for `active`).
pub fn plan_secret(
    prior: &Value,
    mut planned: Value,
    config: &Value,
    provider_account: Option<String>,
) -> Value {
    if planned.is_null() {
        return planned;
    }
    plan_provider_account(prior, config, provider_account, &mut planned);
    let prior_status = prior.get("status");
    if planned.get("status").is_unknown() && prior_status.as_str() == Some(ACTIVE) {
        planned.set("status", prior_status.clone());
    }
    planned
}
