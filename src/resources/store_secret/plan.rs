//! What the schema cannot say about planning `cloudflare_store_secret`: the provider's
//! `account_id` on create, `status` staying `active` through an in-place update, no create
//! without a value, two resources planning one name, creates beyond the account's secrets quota
//! (`quota.rs`), and the warnings about a value changed outside Terraform (Read records what it
//! saw; only the plan knows the config).
//!
//! Terraform plans a replacement twice: first with the prior state (the plan finds the change
//! that replaces), then the new object with a null prior state, handing back the first plan's
//! private data. Every plan of an existing secret notes that secret there
//! (`SecretPrivate::planned_from`), so the second plan knows it replaces it: neither a second
//! resource planning the name nor a new secret in the account's quota.

use async_trait::async_trait;

use super::quota::{PlannedChange, quota_warning};
use super::{ExistingSecret, SecretModel, SecretPrivate, StoreSecretResource};
use crate::resources::activation::ACTIVE;
use crate::resources::attributes::plan_provider_account;
use crate::service::Service;
use crate::service::walk::PlannedName;
use tfplugin::{
    Attr, AttributePath, Diagnostic, Diagnostics, ModifyPlan, ModifyPlanRequest,
    ModifyPlanResponse, model,
};

#[async_trait]
impl ModifyPlan<Service> for StoreSecretResource {
    async fn modify_plan(
        &self,
        req: ModifyPlanRequest<Service>,
    ) -> Result<ModifyPlanResponse, Diagnostics> {
        let mut resp = ModifyPlanResponse {
            planned_private: req.prior_private.clone(),
            ..ModifyPlanResponse::default()
        };
        if req.planned_state.is_null() {
            return Ok(resp); // a destroy: nothing to add
        }
        let data = &req.provider;
        let config: SecretModel = model::from_value(&req.config)?;
        let prior: Option<SecretModel> = match req.prior_state.is_null() {
            true => None,
            false => Some(model::from_value(&req.prior_state)?),
        };
        let mut private = SecretPrivate::decode(&req.prior_private);
        // On a create: the secret this plan replaces, when it is the second plan of a
        // replacement. Noted afresh on every plan of an existing secret.
        let replaces = match &prior {
            None => private.planned_from.take(),
            Some(prior) => {
                private.planned_from = existing_secret(prior);
                None
            }
        };
        resp.planned_private = private.encode();
        let mut planned: SecretModel = model::from_value(&req.planned_state)?;
        plan_secret(
            prior.as_ref(),
            &mut planned,
            &config,
            data.default_account(),
        );
        let mut errors = Diagnostics::default();
        if prior.is_none() {
            let gone = match (planned.account_id.as_deref(), config.name.as_deref()) {
                (Some(account), Some(name)) => data.walk().was_gone(account, name),
                _ => false,
            };
            errors.extend(needs_value_to_create(&config, gone));
        }
        // The first of the two plans of a replacement is not a secret that will exist: the
        // second (a create) is.
        let replacing = prior.is_some() && !req.requires_replace.is_empty();
        if !replacing && let Some(name) = planned_name(&planned, &config) {
            let walk = data.walk();
            let recorded = match &replaces {
                Some(replaced) => walk.plan_replacement(name.clone(), &replaced.id, &req.config),
                None => {
                    let existing_id = prior.as_ref().and_then(|p| p.id.as_deref());
                    walk.plan_name(name.clone(), existing_id, &req.config)
                }
            };
            if !recorded {
                errors.add(duplicate_name(&name));
            }
        }
        if errors.has_errors() {
            return Err(errors);
        }
        let change = PlannedChange {
            prior: prior.as_ref(),
            planned: &planned,
            config: &config,
            replaces: replaces.as_ref(),
            replacing,
        };
        if let Some(warning) = quota_warning(data, &change, &req.cancel).await {
            resp.diagnostics.add(warning);
        }
        if private.value_drifted
            && let Some(warning) = drift_warning(prior.as_ref(), &planned, &config)
        {
            resp.diagnostics.add(warning);
        }
        resp.planned_state = planned.to_state()?;
        Ok(resp)
    }
}

/// The secret a plan starts from, when its state says which (every state this provider writes
/// does).
fn existing_secret(prior: &SecretModel) -> Option<ExistingSecret> {
    Some(ExistingSecret {
        account_id: prior.account_id.known()?.clone(),
        id: prior.id.known()?.clone(),
    })
}

/// A secret whose value is managed elsewhere (neither `value` nor `value_wo`) cannot be
/// created: an error when `config` is such a secret and the plan would create it. `gone`: a
/// refresh of this walk found it deleted outside Terraform (it is not new).
pub fn needs_value_to_create(config: &SecretModel, gone: bool) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if !(config.value.is_null() && config.value_wo.is_null()) {
        return diags;
    }
    let name = config.name.as_deref().unwrap_or("<unknown name>");
    let diag = if gone {
        Diagnostic::error(
            format!("Secret {name} was deleted outside Terraform"),
            format!(
                "Secret {name} no longer exists, and its value is managed elsewhere (neither \
                 value nor value_wo is set), so Terraform cannot create it again.\n\nIf it \
                 should stay deleted, stop managing it: replace this resource block with a \
                 `removed` block whose `from` is this resource's address (shown in the `with` \
                 line of this message) and `lifecycle {{ destroy = false }}` (Terraform 1.7+), or \
                 run `terraform state rm` with that address.\n\nIf it should exist, create it \
                 again where its value is managed (e.g. wrangler secrets-store secret create) \
                 and plan again, or set value_wo and value_wo_version so Terraform creates it."
            ),
        )
    } else {
        Diagnostic::error(
            "A value is needed to create this secret",
            format!(
                "Secret {name} does not exist yet, so Terraform must create it, and creating a \
                 secret needs its value. Without value and value_wo the value is managed \
                 elsewhere, which works only for a secret that exists. Set value_wo (Terraform \
                 1.11+, kept out of state) with value_wo_version, or value; or create the \
                 secret elsewhere and import it."
            ),
        )
    };
    diags.add(diag.at(AttributePath::root("value_wo")));
    diags
}

/// Where the planned secret will live, when the plan knows: its account, its store (`None` for
/// the account's default store, when `store_id` is not configured) and its name. `None` while
/// any of them is unknown (e.g. the id of a store created in the same apply).
fn planned_name(planned: &SecretModel, config: &SecretModel) -> Option<PlannedName> {
    let store_id = if config.store_id.is_null() {
        None
    } else {
        Some(planned.store_id.known()?.clone())
    };
    Some(PlannedName {
        account_id: planned.account_id.known()?.clone(),
        store_id,
        name: planned.name.known()?.clone(),
    })
}

/// The error for a second resource that plans a secret name another one already planned.
fn duplicate_name(name: &PlannedName) -> Diagnostic {
    let store = match &name.store_id {
        Some(id) => format!("store {id}"),
        None => "the account's default store".to_string(),
    };
    Diagnostic::error(
        format!("Two resources plan secret {}", name.name),
        format!(
            "Two cloudflare_store_secret resources in this configuration plan a secret named {} \
             in {store} of account {}. Names are unique in a store, so only one of them can \
             exist. Give one of them another name or another store_id; if both mean the same \
             secret, keep one resource and refer to it where the other is used.",
            name.name, name.account_id
        ),
    )
    .at(AttributePath::root("name"))
}

/// The warning for a secret whose value a refresh saw change outside Terraform (its `modified`
/// moved while comment and scopes did not), or `None` when there is nothing to say: its value
/// is managed elsewhere (neither `value` nor `value_wo`), or this plan sends `value_wo` again.
pub(super) fn drift_warning(
    prior: Option<&SecretModel>,
    planned: &SecretModel,
    config: &SecretModel,
) -> Option<Diagnostic> {
    let name = planned.name.as_deref().unwrap_or("?");
    if !config.value.is_null() {
        return Some(Diagnostic::warning(
            format!("Secret {name} was changed outside Terraform"),
            "Its modified time moved while its comment and scopes did not change, so its value \
             was probably replaced outside Terraform. This plan sends the configured value \
             again."
                .to_string(),
        ));
    }
    let version = &planned.value_wo_version;
    let prior_version = prior.map_or(&Attr::Null, |p| &p.value_wo_version);
    if config.value_wo.is_null() || version != prior_version {
        return None;
    }
    let advice = match version.known() {
        Some(n) => format!(
            "change value_wo_version from {} to another number",
            n.to_decimal_string()
        ),
        None => "set value_wo_version (e.g. to 1)".to_string(),
    };
    Some(Diagnostic::warning(
        format!("Secret {name} may hold a value set outside Terraform"),
        format!(
            "Its modified time moved while its comment and scopes did not change, so its value \
             was probably replaced outside Terraform. Terraform cannot compare a write-only \
             value: to push the configured value_wo again, {advice}, and apply."
        ),
    ))
}

/// The schema-driven plan adjusted: the provider's account on create, and the prior `active`
/// status kept by an update (apply waits for `active`).
pub fn plan_secret(
    prior: Option<&SecretModel>,
    planned: &mut SecretModel,
    config: &SecretModel,
    provider_account: Option<&str>,
) {
    let Some(prior) = prior else {
        plan_provider_account(
            &mut planned.account_id,
            &config.account_id,
            provider_account,
        );
        return;
    };
    if planned.status.is_unknown() && prior.status.as_deref() == Some(ACTIVE) {
        planned.status = prior.status.clone();
    }
}
