//! The framework semantics behind each resource and data-source RPC (in the spirit of
//! terraform-plugin-framework): write-only checks, generic planning then the resource's plan
//! modifier, create/update/delete dispatch, default state upgrade, and write-only nulling.
//! Framework types in, framework types out: the server edge decodes and encodes.

use super::adoption::check_import_request;
use super::{DataSourceEntry, ProviderService, ResourceEntry};
use crate::diagnostics::{Diagnostic, Diagnostics, PathStep};
use crate::framework::*;
use crate::schema::Schema;
use crate::value::Value;
use crate::{json, plan};

pub(super) fn error_diagnostics(summary: &str, detail: impl Into<String>) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.add(Diagnostic::error(summary, detail));
    d
}

pub(super) fn wire_error(what: &str, error: impl std::fmt::Display) -> Diagnostics {
    error_diagnostics(
        "Invalid value on the plugin wire",
        format!(
            "The provider could not process the {what}: {error}. This is a bug in the provider or \
             an incompatible Terraform version; please report it."
        ),
    )
}

pub(super) fn not_configured() -> Diagnostics {
    error_diagnostics(
        "Provider not configured",
        "The provider was asked to work with a resource before ConfigureProvider succeeded. \
         Check the provider block and any earlier errors.",
    )
}

/// An error for every write-only attribute set in `config` (for clients without write-only
/// support), pointing at the attribute and naming the non-write-only alternative when one exists.
pub(super) fn reject_write_only(schema: &Schema, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for path in plan::write_only_paths(schema, config) {
        let name = match path.0.last() {
            Some(PathStep::Attribute(name)) => name.clone(),
            _ => path.to_string(),
        };
        let alternative = name
            .strip_suffix("_wo")
            .filter(|base| path.0.len() == 1 && schema.attribute(base).is_some())
            .map(|base| format!(" Set `{base}` instead, which works with every version."))
            .unwrap_or_default();
        diags.add(
            Diagnostic::error(
                "Write-only attribute not supported",
                format!(
                    "`{name}` is a write-only attribute, which needs Terraform 1.11 or later (or \
                 OpenTofu 1.11 or later). Upgrade Terraform, or remove the attribute.{alternative}"
                ),
            )
            .at(path),
        );
    }
    diags
}

impl<P: Provider> ProviderService<P> {
    pub(super) fn validate_resource(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: ValidateConfigRequest,
    ) -> Diagnostics {
        let mut diags = Diagnostics::default();
        if !req.client_capabilities.write_only_attributes_allowed {
            diags = reject_write_only(&entry.schema, &req.config);
            if diags.has_errors() {
                return diags;
            }
        }
        if let Some(validator) = entry.resource.config_validator() {
            diags.extend(validator.validate_config(req).diagnostics);
        }
        diags
    }

    pub(super) fn validate_data_source(
        &self,
        entry: &DataSourceEntry<P::Data>,
        req: ValidateConfigRequest,
    ) -> Diagnostics {
        match entry.data_source.config_validator() {
            Some(validator) => validator.validate_config(req).diagnostics,
            None => Diagnostics::default(),
        }
    }

    pub(super) async fn plan(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: rpc::PlanResourceChangeRequest,
    ) -> rpc::PlanResourceChangeResponse {
        let destroy = req.proposed_new_state.is_null();
        let (mut planned, mut requires_replace) = if destroy {
            (Value::Null, Vec::new())
        } else {
            let generic = plan::plan_resource_change(
                &entry.schema,
                &req.prior_state,
                &req.proposed_new_state,
                &req.config,
            );
            (generic.planned_state, generic.requires_replace)
        };
        let mut planned_private = req.prior_private.clone();
        let mut diagnostics = Diagnostics::default();
        if let Some(modifier) = entry.resource.plan_modifier() {
            let Some(provider) = self.provider_data() else {
                return failed_plan(not_configured());
            };
            let modified = modifier
                .modify_plan(ModifyPlanRequest {
                    prior_state: req.prior_state,
                    proposed_new_state: req.proposed_new_state,
                    config: req.config,
                    planned_state: planned,
                    requires_replace: requires_replace.clone(),
                    prior_private: req.prior_private,
                    provider,
                    cancel: self.cancel_token(),
                })
                .await;
            // A destroy stays a destroy, whatever the modifier returned.
            planned = if destroy {
                Value::Null
            } else {
                modified.planned_state
            };
            for path in modified.requires_replace {
                if !requires_replace.contains(&path) {
                    requires_replace.push(path);
                }
            }
            planned_private = modified.planned_private;
            diagnostics = modified.diagnostics;
        }
        if diagnostics.has_errors() {
            return failed_plan(diagnostics);
        }
        plan::null_write_only(&entry.schema, &mut planned);
        rpc::PlanResourceChangeResponse {
            planned_state: Some(planned),
            requires_replace,
            planned_private,
            diagnostics,
        }
    }

    pub(super) async fn apply(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: rpc::ApplyResourceChangeRequest,
    ) -> rpc::ApplyResourceChangeResponse {
        let Some(provider) = self.provider_data() else {
            return rpc::ApplyResourceChangeResponse {
                new_state: req.prior_state,
                private: req.planned_private,
                diagnostics: not_configured(),
            };
        };
        let cancel = self.cancel_token();
        let resource = &entry.resource;
        let (mut new_state, private, diagnostics) = if req.planned_state.is_null() {
            let r = resource
                .delete(DeleteRequest {
                    prior_state: req.prior_state.clone(),
                    private: req.planned_private.clone(),
                    provider,
                    cancel,
                })
                .await;
            if r.diagnostics.has_errors() {
                // A failed delete keeps the object in state, and its private data with it.
                (req.prior_state, req.planned_private, r.diagnostics)
            } else {
                (Value::Null, Vec::new(), r.diagnostics)
            }
        } else if req.prior_state.is_null() {
            let r = resource
                .create(CreateRequest {
                    config: req.config,
                    planned_state: req.planned_state,
                    planned_private: req.planned_private,
                    provider,
                    cancel,
                })
                .await;
            (r.new_state, r.private, r.diagnostics)
        } else {
            let r = resource
                .update(UpdateRequest {
                    prior_state: req.prior_state,
                    planned_state: req.planned_state,
                    config: req.config,
                    private: req.planned_private,
                    provider,
                    cancel,
                })
                .await;
            (r.new_state, r.private, r.diagnostics)
        };
        plan::null_write_only(&entry.schema, &mut new_state);
        rpc::ApplyResourceChangeResponse {
            new_state,
            private,
            diagnostics,
        }
    }

    pub(super) async fn read(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: rpc::ReadResourceRequest,
    ) -> rpc::ReadResourceResponse {
        let Some(provider) = self.provider_data() else {
            return rpc::ReadResourceResponse {
                new_state: req.current_state,
                private: req.private,
                diagnostics: not_configured(),
            };
        };
        let r = entry
            .resource
            .read(ReadRequest {
                current_state: req.current_state,
                private: req.private,
                provider,
                cancel: self.cancel_token(),
            })
            .await;
        let mut new_state = r.new_state;
        plan::null_write_only(&entry.schema, &mut new_state);
        rpc::ReadResourceResponse {
            new_state,
            private: r.private,
            diagnostics: r.diagnostics,
        }
    }

    pub(super) async fn import(
        &self,
        type_name: &str,
        entry: &ResourceEntry<P::Data>,
        req: rpc::ImportResourceStateRequest,
    ) -> rpc::ImportResourceStateResponse {
        let failed = |diagnostics| rpc::ImportResourceStateResponse {
            imported: None,
            diagnostics,
        };
        let Some(importer) = entry.resource.importer() else {
            return failed(error_diagnostics(
                "Import not supported",
                format!(
                    "The resource type {type_name} does not support import. Create it with \
                     Terraform instead."
                ),
            ));
        };
        if let Err(diagnostics) = check_import_request(&req.id, &req.identity) {
            return failed(diagnostics);
        }
        let Some(provider) = self.provider_data() else {
            return failed(not_configured());
        };
        let r = importer
            .import_state(ImportStateRequest {
                id: req.id,
                identity: req.identity,
                provider,
                cancel: self.cancel_token(),
            })
            .await;
        if r.diagnostics.has_errors() {
            return failed(r.diagnostics);
        }
        let mut state = r.state;
        plan::null_write_only(&entry.schema, &mut state);
        rpc::ImportResourceStateResponse {
            imported: Some(rpc::ImportedResource {
                state,
                private: r.private,
            }),
            diagnostics: r.diagnostics,
        }
    }

    pub(super) fn upgrade(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: rpc::UpgradeResourceStateRequest,
    ) -> rpc::UpgradeResourceStateResponse {
        let failed = |diagnostics| rpc::UpgradeResourceStateResponse {
            upgraded_state: None,
            diagnostics,
        };
        if req.raw_state_json.is_empty() {
            return failed(error_diagnostics(
                "Unsupported state format",
                "The stored state has no JSON form (it predates Terraform 0.12). Re-import the \
                 resource.",
            ));
        }
        let (mut state, diagnostics) = match entry.resource.state_upgrader() {
            Some(upgrader) => {
                let raw_state = match serde_json::from_slice(&req.raw_state_json) {
                    Ok(raw) => raw,
                    Err(e) => return failed(wire_error("stored state", e)),
                };
                let r = upgrader.upgrade_state(UpgradeStateRequest {
                    version: req.version,
                    raw_state,
                });
                (r.state, r.diagnostics)
            }
            None => match json::decode(&req.raw_state_json, &entry.ty) {
                Ok(state) => (state, Diagnostics::default()),
                Err(e) => return failed(wire_error("stored state", e)),
            },
        };
        if diagnostics.has_errors() {
            return failed(diagnostics);
        }
        plan::null_write_only(&entry.schema, &mut state);
        rpc::UpgradeResourceStateResponse {
            upgraded_state: Some(state),
            diagnostics,
        }
    }

    pub(super) async fn read_data(
        &self,
        entry: &DataSourceEntry<P::Data>,
        req: rpc::ReadDataSourceRequest,
    ) -> rpc::ReadDataSourceResponse {
        let Some(provider) = self.provider_data() else {
            return rpc::ReadDataSourceResponse {
                state: None,
                diagnostics: not_configured(),
            };
        };
        let r = entry
            .data_source
            .read(ReadDataSourceRequest {
                config: req.config,
                provider,
                cancel: self.cancel_token(),
            })
            .await;
        let state = (!r.diagnostics.has_errors()).then_some(r.state);
        rpc::ReadDataSourceResponse {
            state,
            diagnostics: r.diagnostics,
        }
    }
}

fn failed_plan(diagnostics: Diagnostics) -> rpc::PlanResourceChangeResponse {
    rpc::PlanResourceChangeResponse {
        diagnostics,
        ..Default::default()
    }
}
