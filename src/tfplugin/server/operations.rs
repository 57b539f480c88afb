//! The framework semantics behind each resource and data-source RPC (in the spirit of
//! terraform-plugin-framework): write-only checks, generic planning then the resource's plan
//! modifier, create/update/delete dispatch, default state upgrade, and write-only nulling.

use super::*;

pub(super) fn error_diagnostics(summary: &str, detail: impl Into<String>) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.error(summary, detail);
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
        diags.error_at(
            path,
            "Write-only attribute not supported",
            format!(
                "`{name}` is a write-only attribute, which needs Terraform 1.11 or later (or \
                 OpenTofu 1.11 or later). Upgrade Terraform, or remove the attribute.{alternative}"
            ),
        );
    }
    diags
}

impl<P: Provider> ProviderService<P> {
    pub(super) fn validate_resource(
        &self,
        req: pb::validate_resource_config::Request,
    ) -> Diagnostics {
        let entry = match self.resource(&req.type_name) {
            Ok(entry) => entry,
            Err(diags) => return diags,
        };
        let config = match decode_value(req.config.as_ref(), &entry.ty) {
            Ok(v) => v,
            Err(e) => return wire_error("resource configuration", e),
        };
        let client_capabilities = capabilities(req.client_capabilities.as_ref());
        let mut diags = Diagnostics::default();
        if !client_capabilities.write_only_attributes_allowed {
            diags = reject_write_only(&entry.schema, &config);
            if diags.has_errors() {
                return diags;
            }
        }
        if let Some(validator) = entry.resource.config_validator() {
            diags.extend(
                validator
                    .validate_config(ValidateConfigRequest {
                        config,
                        client_capabilities,
                    })
                    .diagnostics,
            );
        }
        diags
    }

    pub(super) async fn plan(
        &self,
        req: pb::plan_resource_change::Request,
    ) -> Result<pb::plan_resource_change::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let decode = |v: Option<&pb::DynamicValue>, what: &str| {
            decode_value(v, &entry.ty).map_err(|e| wire_error(what, e))
        };
        let prior = decode(req.prior_state.as_ref(), "prior state")?;
        let proposed = decode(req.proposed_new_state.as_ref(), "proposed new state")?;
        let config = decode(req.config.as_ref(), "configuration")?;
        let mut response = pb::plan_resource_change::Response::default();
        if proposed.is_null() {
            response.planned_state =
                Some(encode_value(&Value::Null, &entry.ty).map_err(|e| wire_error("plan", e))?);
            response.planned_private = req.prior_private;
            return Ok(response);
        }
        let generic = plan::plan_resource_change(&entry.schema, &prior, &proposed, &config);
        let mut planned = generic.planned_state;
        let mut requires_replace = generic.requires_replace;
        let mut planned_private = req.prior_private.clone();
        let mut diags = Diagnostics::default();
        if let Some(modifier) = entry.resource.plan_modifier() {
            let provider = self.provider_data().ok_or_else(not_configured)?;
            let modified = modifier
                .modify_plan(ModifyPlanRequest {
                    prior_state: prior,
                    proposed_new_state: proposed,
                    config,
                    planned_state: planned,
                    prior_private: req.prior_private,
                    provider,
                    cancel: self.cancel_token(),
                })
                .await;
            planned = modified.planned_state;
            for path in modified.requires_replace {
                if !requires_replace.contains(&path) {
                    requires_replace.push(path);
                }
            }
            planned_private = modified.planned_private;
            diags = modified.diagnostics;
        }
        plan::null_write_only(&entry.schema, &mut planned);
        if !diags.has_errors() {
            response.planned_identity = self.identity_data(entry, &planned)?;
            response.planned_state =
                Some(encode_value(&planned, &entry.ty).map_err(|e| wire_error("plan", e))?);
            response.requires_replace = requires_replace.iter().map(path_to_proto).collect();
            response.planned_private = planned_private;
        }
        response.diagnostics = diagnostics_to_proto(&diags);
        Ok(response)
    }

    pub(super) async fn apply(
        &self,
        req: pb::apply_resource_change::Request,
    ) -> Result<pb::apply_resource_change::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let decode = |v: Option<&pb::DynamicValue>, what: &str| {
            decode_value(v, &entry.ty).map_err(|e| wire_error(what, e))
        };
        let prior = decode(req.prior_state.as_ref(), "prior state")?;
        let planned = decode(req.planned_state.as_ref(), "planned state")?;
        let config = decode(req.config.as_ref(), "configuration")?;
        let provider = self.provider_data().ok_or_else(not_configured)?;
        let cancel = self.cancel_token();
        let resource = &entry.resource;
        let (mut new_state, private, diags) = if planned.is_null() {
            let r = resource
                .delete(DeleteRequest {
                    prior_state: prior.clone(),
                    private: req.planned_private,
                    provider,
                    cancel,
                })
                .await;
            // A failed delete keeps the object in state.
            let state = if r.diagnostics.has_errors() {
                prior
            } else {
                Value::Null
            };
            (state, Vec::new(), r.diagnostics)
        } else if prior.is_null() {
            let r = resource
                .create(CreateRequest {
                    config,
                    planned_state: planned,
                    provider,
                    cancel,
                })
                .await;
            (r.new_state, r.private, r.diagnostics)
        } else {
            let r = resource
                .update(UpdateRequest {
                    prior_state: prior,
                    planned_state: planned,
                    config,
                    private: req.planned_private,
                    provider,
                    cancel,
                })
                .await;
            (r.new_state, r.private, r.diagnostics)
        };
        plan::null_write_only(&entry.schema, &mut new_state);
        Ok(pb::apply_resource_change::Response {
            new_identity: self.identity_data(entry, &new_state)?,
            new_state: Some(
                encode_value(&new_state, &entry.ty).map_err(|e| wire_error("new state", e))?,
            ),
            private,
            diagnostics: diagnostics_to_proto(&diags),
            ..Default::default()
        })
    }

    pub(super) async fn read(
        &self,
        req: pb::read_resource::Request,
    ) -> Result<pb::read_resource::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let current = decode_value(req.current_state.as_ref(), &entry.ty)
            .map_err(|e| wire_error("current state", e))?;
        let provider = self.provider_data().ok_or_else(not_configured)?;
        let r = entry
            .resource
            .read(ReadRequest {
                current_state: current,
                private: req.private,
                provider,
                cancel: self.cancel_token(),
            })
            .await;
        let mut state = r.new_state;
        plan::null_write_only(&entry.schema, &mut state);
        Ok(pb::read_resource::Response {
            new_identity: self.identity_data(entry, &state)?,
            new_state: Some(encode_value(&state, &entry.ty).map_err(|e| wire_error("state", e))?),
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            private: r.private,
            ..Default::default()
        })
    }

    pub(super) async fn import(
        &self,
        req: pb::import_resource_state::Request,
    ) -> Result<pb::import_resource_state::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let Some(importer) = entry.resource.importer() else {
            return Err(error_diagnostics(
                "Import not supported",
                format!(
                    "The resource type {} does not support import. Create it with Terraform \
                     instead.",
                    req.type_name
                ),
            ));
        };
        let identity = self.import_identity(entry, req.identity.as_ref())?;
        self.check_import_request(&req.id, &identity)?;
        let provider = self.provider_data().ok_or_else(not_configured)?;
        let r = importer
            .import_state(ImportStateRequest {
                id: req.id,
                identity,
                provider,
                cancel: self.cancel_token(),
            })
            .await;
        let mut response = pb::import_resource_state::Response {
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            ..Default::default()
        };
        if !r.diagnostics.has_errors() {
            let mut state = r.state;
            plan::null_write_only(&entry.schema, &mut state);
            response
                .imported_resources
                .push(pb::import_resource_state::ImportedResource {
                    type_name: req.type_name,
                    state: Some(
                        encode_value(&state, &entry.ty).map_err(|e| wire_error("state", e))?,
                    ),
                    identity: self.identity_data(entry, &state)?,
                    private: r.private,
                });
        }
        Ok(response)
    }

    pub(super) fn upgrade(
        &self,
        req: pb::upgrade_resource_state::Request,
    ) -> Result<pb::upgrade_resource_state::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let raw = req.raw_state.map(|r| r.json).unwrap_or_default();
        if raw.is_empty() {
            return Err(error_diagnostics(
                "Unsupported state format",
                "The stored state has no JSON form (it predates Terraform 0.12). Re-import the \
                 resource.",
            ));
        }
        let (mut state, diags) = match entry.resource.state_upgrader() {
            Some(upgrader) => {
                let raw_state: serde_json::Value =
                    serde_json::from_slice(&raw).map_err(|e| wire_error("stored state", e))?;
                let r = upgrader.upgrade_state(UpgradeStateRequest {
                    version: req.version,
                    raw_state,
                });
                (r.state, r.diagnostics)
            }
            None => (
                json::decode(&raw, &entry.ty).map_err(|e| wire_error("stored state", e))?,
                Diagnostics::default(),
            ),
        };
        plan::null_write_only(&entry.schema, &mut state);
        let mut response = pb::upgrade_resource_state::Response {
            diagnostics: diagnostics_to_proto(&diags),
            ..Default::default()
        };
        if !diags.has_errors() {
            response.upgraded_state =
                Some(encode_value(&state, &entry.ty).map_err(|e| wire_error("state", e))?);
        }
        Ok(response)
    }

    pub(super) async fn read_data(
        &self,
        req: pb::read_data_source::Request,
    ) -> Result<pb::read_data_source::Response, Diagnostics> {
        let entry = self.data_source(&req.type_name)?;
        let config = decode_value(req.config.as_ref(), &entry.ty)
            .map_err(|e| wire_error("configuration", e))?;
        let provider = self.provider_data().ok_or_else(not_configured)?;
        let r = entry
            .data_source
            .read(ReadDataSourceRequest {
                config,
                provider,
                cancel: self.cancel_token(),
            })
            .await;
        let mut response = pb::read_data_source::Response {
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            ..Default::default()
        };
        if !r.diagnostics.has_errors() {
            response.state =
                Some(encode_value(&r.state, &entry.ty).map_err(|e| wire_error("state", e))?);
        }
        Ok(response)
    }
}
