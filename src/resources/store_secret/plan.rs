//! What the schema cannot say about planning `cloudflare_store_secret`: the provider's
//! `account_id` on create, and `status` staying `active` through an in-place update.

use async_trait::async_trait;

use super::StoreSecretResource;
use crate::provider::ProviderData;
use crate::resources::activation::ACTIVE;
use crate::resources::attributes::plan_provider_account;
use crate::tfplugin::{ModifyPlan, ModifyPlanRequest, ModifyPlanResponse, Value};

#[async_trait]
impl ModifyPlan<ProviderData> for StoreSecretResource {
    async fn modify_plan(&self, req: ModifyPlanRequest<ProviderData>) -> ModifyPlanResponse {
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
