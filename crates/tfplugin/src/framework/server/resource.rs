//! The resource and data-source operations: validation (write-only support, then the type's
//! validator), generic planning then the plan modifier, create/update/delete dispatch, refresh,
//! import, state upgrades and data-source reads. Every state that leaves has its write-only
//! attributes nulled and its identity projected.

use super::{FrameworkServer, ResourceEntry, invalid_value};
use crate::diagnostics::{Diagnostic, Diagnostics, PathStep};
use crate::framework::adoption::needs_terraform;
use crate::framework::*;
use crate::schema::Schema;
use crate::value::Value;
use crate::{json, plan};

/// An error for every write-only attribute set in `config` (for clients without write-only
/// support), pointing at the attribute and naming the non-write-only alternative when one exists.
fn reject_write_only(schema: &Schema, config: &Value) -> Diagnostics {
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

/// An import with neither id nor identity comes from a Terraform that could not send the
/// identity the configuration asked for: say which version can.
fn check_import_request(id: &str, identity: &Value) -> Result<(), Diagnostics> {
    if id.is_empty() && identity.is_null() {
        return Err(needs_terraform(
            "Import by identity",
            "1.12",
            "import with `id = \"…\"` (see the resource's documentation for the id forms).",
        ));
    }
    Ok(())
}

impl<P: Provider> FrameworkServer<P> {
    /// Validates a resource configuration. Every walk of a Terraform command validates again,
    /// so a warning comes once per walk; Terraform groups the repeats.
    pub fn validate_resource(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: ValidateConfigRequest,
    ) -> Diagnostics {
        if !req.client_capabilities.write_only_attributes_allowed {
            let refused = reject_write_only(&entry.schema, &req.config);
            if refused.has_errors() {
                return refused;
            }
        }
        match entry.resource.config_validator() {
            Some(validator) => validator.validate_config(req).diagnostics,
            None => Diagnostics::default(),
        }
    }

    pub fn validate_data_source(
        &self,
        entry: &super::DataSourceEntry<P::Data>,
        req: ValidateConfigRequest,
    ) -> Diagnostics {
        match entry.data_source.config_validator() {
            Some(validator) => validator.validate_config(req).diagnostics,
            None => Diagnostics::default(),
        }
    }

    pub async fn plan(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: rpc::PlanResourceChangeRequest,
    ) -> rpc::Answer<rpc::PlannedChange> {
        let destroy = req.proposed_new_state.is_null();
        let generic = plan::plan_resource_change(
            &entry.schema,
            &req.prior_state,
            &req.proposed_new_state,
            &req.config,
        );
        let (mut planned, mut requires_replace) = (generic.planned_state, generic.requires_replace);
        let mut planned_private = req.prior_private.clone();
        let mut diagnostics = Diagnostics::default();
        if let Some(modifier) = entry.resource.plan_modifier() {
            let modified = modifier
                .modify_plan(ModifyPlanRequest {
                    prior_state: req.prior_state,
                    proposed_new_state: req.proposed_new_state,
                    config: req.config,
                    planned_state: planned,
                    requires_replace: requires_replace.clone(),
                    prior_private: req.prior_private,
                    provider: self.provider_data()?,
                    cancel: self.cancel_token(),
                })
                .await?;
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
            return Err(diagnostics);
        }
        plan::null_write_only(&entry.schema, &mut planned);
        diagnostics.extend(self.notices());
        let change = rpc::PlannedChange {
            planned_identity: entry.identity_of(&planned),
            planned_state: planned,
            requires_replace,
            planned_private,
        };
        Ok((change, diagnostics))
    }

    pub async fn apply(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: rpc::ApplyResourceChangeRequest,
    ) -> rpc::ApplyResourceChangeResponse {
        let (mut new_state, private, mut diagnostics) = match self.provider_data() {
            Err(diags) => (req.prior_state, req.planned_private, diags),
            Ok(provider) => self.change(entry, req, provider).await,
        };
        diagnostics.extend(self.notices());
        plan::null_write_only(&entry.schema, &mut new_state);
        rpc::ApplyResourceChangeResponse {
            new_identity: entry.identity_of(&new_state),
            new_state,
            private,
            diagnostics,
        }
    }

    /// Deletes (null plan), creates (null prior) or updates; the new state, private data and
    /// diagnostics.
    async fn change(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: rpc::ApplyResourceChangeRequest,
        provider: std::sync::Arc<P::Data>,
    ) -> (Value, Vec<u8>, Diagnostics) {
        let cancel = self.cancel_token();
        let resource = &entry.resource;
        if req.planned_state.is_null() {
            let deleted = resource
                .delete(DeleteRequest {
                    prior_state: req.prior_state.clone(),
                    private: req.planned_private.clone(),
                    provider,
                    cancel,
                })
                .await;
            match deleted {
                Ok(r) if !r.diagnostics.has_errors() => (Value::Null, Vec::new(), r.diagnostics),
                // A failed delete keeps the object in state, and its private data with it.
                Ok(DeleteResponse { diagnostics }) | Err(diagnostics) => {
                    (req.prior_state, req.planned_private, diagnostics)
                }
            }
        } else if req.prior_state.is_null() {
            let created = resource
                .create(CreateRequest {
                    config: req.config,
                    planned_state: req.planned_state,
                    planned_private: req.planned_private,
                    provider,
                    cancel,
                })
                .await;
            match created {
                Ok(r) => (r.new_state, r.private, r.diagnostics),
                // Nothing was created.
                Err(diagnostics) => (Value::Null, Vec::new(), diagnostics),
            }
        } else {
            let updated = resource
                .update(UpdateRequest {
                    prior_state: req.prior_state.clone(),
                    planned_state: req.planned_state,
                    config: req.config,
                    private: req.planned_private.clone(),
                    provider,
                    cancel,
                })
                .await;
            match updated {
                Ok(r) => (r.new_state, r.private, r.diagnostics),
                // The object is as it was before the update.
                Err(diagnostics) => (req.prior_state, req.planned_private, diagnostics),
            }
        }
    }

    pub async fn read(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: rpc::ReadResourceRequest,
    ) -> rpc::ReadResourceResponse {
        let (mut new_state, private, mut diagnostics) = match self.provider_data() {
            Err(diags) => (req.current_state, req.private, diags),
            Ok(provider) => {
                let read = ReadRequest {
                    current_state: req.current_state.clone(),
                    private: req.private.clone(),
                    provider,
                    cancel: self.cancel_token(),
                };
                match entry.resource.read(read).await {
                    Ok(r) => (r.new_state, r.private, r.diagnostics),
                    // The state stays as it was.
                    Err(diagnostics) => (req.current_state, req.private, diagnostics),
                }
            }
        };
        diagnostics.extend(self.notices());
        plan::null_write_only(&entry.schema, &mut new_state);
        rpc::ReadResourceResponse {
            new_identity: entry.identity_of(&new_state),
            new_state,
            private,
            diagnostics,
        }
    }

    pub async fn import(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: rpc::ImportResourceStateRequest,
    ) -> rpc::Answer<rpc::ImportedResource> {
        let Some(importer) = entry.resource.importer() else {
            let detail = format!(
                "The resource type {} does not support import. Create it with Terraform instead.",
                entry.resource.type_name()
            );
            return Err(Diagnostic::error("Import not supported", detail).into());
        };
        check_import_request(&req.id, &req.identity)?;
        let r = importer
            .import_state(ImportStateRequest {
                id: req.id,
                identity: req.identity,
                provider: self.provider_data()?,
                cancel: self.cancel_token(),
            })
            .await?;
        if r.diagnostics.has_errors() {
            return Err(r.diagnostics);
        }
        let mut state = r.state;
        plan::null_write_only(&entry.schema, &mut state);
        let imported = rpc::ImportedResource {
            identity: entry.identity_of(&state),
            state,
            private: r.private,
        };
        Ok((imported, r.diagnostics))
    }

    /// The stored state in the current schema: the resource's upgrader when it has one, else
    /// the JSON decoded as it is (attributes the schema no longer has are dropped, new ones are
    /// null).
    pub fn upgrade(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: rpc::UpgradeResourceStateRequest,
    ) -> rpc::Answer<Value> {
        if req.raw_state_json.is_empty() {
            return Err(Diagnostic::error(
                "Unsupported state format",
                "The stored state has no JSON form (it predates Terraform 0.12). Re-import the \
                 resource.",
            )
            .into());
        }
        let (mut state, diagnostics) = match entry.resource.state_upgrader() {
            Some(upgrader) => {
                let raw_state = serde_json::from_slice(&req.raw_state_json)
                    .map_err(|e| invalid_value("stored state", e))?;
                let r = upgrader.upgrade_state(UpgradeStateRequest {
                    version: req.version,
                    raw_state,
                });
                (r.state, r.diagnostics)
            }
            None => (
                json::decode(&req.raw_state_json, &entry.ty)
                    .map_err(|e| invalid_value("stored state", e))?,
                Diagnostics::default(),
            ),
        };
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        plan::null_write_only(&entry.schema, &mut state);
        Ok((state, diagnostics))
    }

    pub async fn read_data(
        &self,
        entry: &super::DataSourceEntry<P::Data>,
        req: rpc::ReadDataSourceRequest,
    ) -> rpc::Answer<Value> {
        let r = entry
            .data_source
            .read(ReadDataSourceRequest {
                config: req.config,
                provider: self.provider_data()?,
                cancel: self.cancel_token(),
            })
            .await?;
        if r.diagnostics.has_errors() {
            return Err(r.diagnostics);
        }
        let mut diagnostics = r.diagnostics;
        diagnostics.extend(self.notices());
        Ok((r.state, diagnostics))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_with_neither_id_nor_identity_names_the_terraform_version_that_can() {
        let diags = check_import_request("", &Value::Null).expect_err("refused");
        let text = format!("{diags:?}");
        assert!(text.contains("Terraform 1.12 or later"), "{text}");
        assert!(text.contains("id = "), "says what works instead: {text}");
        assert!(check_import_request("acc/store/NAME", &Value::Null).is_ok());
        let identity = Value::object([("id", Value::string("x"))]);
        assert!(check_import_request("", &identity).is_ok());
    }
}
