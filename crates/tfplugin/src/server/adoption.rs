//! The framework side of adopting existing objects (framework types only; `server` converts):
//! identity upgrades, list resources (`terraform query`), configuration generation and moving
//! state between types.

use tokio::sync::mpsc;

use super::operations::{error_diagnostics, not_configured, wire_error};
use super::{ProviderService, ResourceEntry};
use crate::adoption::{
    ListEvent, ListRequest, ListSink, MoveStateRequest, MoveStateResponse, generated_config,
    needs_terraform,
};
use crate::diagnostics::Diagnostics;
use crate::framework::Provider;
use crate::schema::Schema;
use crate::value::Value;
use crate::{json, plan};

/// An import with neither id nor identity comes from a Terraform that could not send the
/// identity the configuration asked for: say which version can.
pub(super) fn check_import_request(id: &str, identity: &Value) -> Result<(), Diagnostics> {
    if id.is_empty() && identity.is_null() {
        return Err(needs_terraform(
            "Import by identity",
            "1.12",
            "import with `id = \"…\"` (see the resource's documentation for the id forms).",
        ));
    }
    Ok(())
}

impl<P: Provider> ProviderService<P> {
    /// The resource entry of a list resource type, or an error naming it.
    pub(super) fn lister_entry(
        &self,
        type_name: &str,
    ) -> Result<(&ResourceEntry<P::Data>, &Schema), Diagnostics> {
        match self.resources.get(type_name) {
            Some(entry) if entry.list_schema.is_some() => {
                Ok((entry, entry.list_schema.as_ref().unwrap_or(&entry.schema)))
            }
            _ => Err(error_diagnostics(
                "Unknown list resource type",
                format!(
                    "This provider ({}) has no list resource type {type_name:?} for `terraform \
                     query`. Check the spelling of the list block.",
                    self.provider.type_name()
                ),
            )),
        }
    }

    /// Stored identity data of `version`, as the current identity.
    pub(super) fn upgrade_identity(
        &self,
        type_name: &str,
        entry: &ResourceEntry<P::Data>,
        version: i64,
        raw_json: &[u8],
    ) -> Result<Value, Diagnostics> {
        let Some(schema) = &entry.identity else {
            return Err(error_diagnostics(
                "Resource identity not supported",
                format!(
                    "The resource type {type_name} has no resource identity. Remove identity \
                     data from the state or configuration."
                ),
            ));
        };
        if version != schema.version {
            return Err(error_diagnostics(
                "Unknown identity version",
                format!(
                    "The stored identity of this {type_name} has version {version}, but this \
                     provider knows only version {}. Use the provider version that wrote the \
                     state, or remove the resource from state and import it again.",
                    schema.version
                ),
            ));
        }
        json::decode(raw_json, &schema.value_type()).map_err(|e| wire_error("stored identity", e))
    }

    pub(super) fn validate_list(
        &self,
        entry: &ResourceEntry<P::Data>,
        config: &Value,
    ) -> Diagnostics {
        entry
            .resource
            .lister()
            .map(|lister| lister.validate_list_config(config))
            .unwrap_or_default()
    }

    /// Starts listing in the background; the receiver yields what the list resource finds,
    /// at most `limit` objects (no limit when 0 or less).
    pub(super) fn start_list(
        &self,
        entry: &ResourceEntry<P::Data>,
        config: Value,
        limit: i64,
    ) -> Result<mpsc::Receiver<ListEvent>, Diagnostics> {
        let provider = self.provider_data().ok_or_else(not_configured)?;
        let (sink, receiver) = ListSink::new(if limit > 0 { limit } else { i64::MAX });
        let resource = entry.resource.clone();
        let cancel = self.cancel_token();
        tokio::spawn(async move {
            if let Some(lister) = resource.lister() {
                let request = ListRequest {
                    config,
                    provider,
                    cancel,
                };
                lister.list(request, sink).await;
            }
        });
        Ok(receiver)
    }

    /// The configuration `-generate-config-out` writes for `state`.
    pub(super) fn generate_config(&self, entry: &ResourceEntry<P::Data>, state: &Value) -> Value {
        let config = generated_config(&entry.schema, state);
        match entry.resource.config_generator() {
            Some(generator) => generator.generate_config(config),
            None => config,
        }
    }

    pub(super) fn move_state(
        &self,
        entry: &ResourceEntry<P::Data>,
        target_type_name: &str,
        req: MoveStateRequest,
    ) -> MoveStateResponse {
        let Some(mover) = entry.resource.state_mover() else {
            return MoveStateResponse {
                target_state: Value::Null,
                diagnostics: error_diagnostics(
                    "Moving resources across types is not supported",
                    format!(
                        "{target_type_name} cannot take over state from {}. Remove the `moved` \
                         block and import the object instead.",
                        req.source_type_name
                    ),
                ),
            };
        };
        let mut r = mover.move_state(req);
        plan::null_write_only(&entry.schema, &mut r.target_state);
        r
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
