//! `cloudflare_secrets_store_secret` and `cloudflare_secrets_store` with the official provider's
//! schemas (v5.20–5.22, schema version 500), holding state that is being migrated away: reads
//! report the object as recorded, and any create, update or delete is refused.

use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::*;

use super::Store;

/// The official provider's schema version of both resources.
const OFFICIAL_SCHEMA_VERSION: i64 = 500;

/// One of the official Secrets Store resources, by type name and attributes.
struct OfficialStandIn {
    type_name: &'static str,
    attributes: fn() -> Vec<Attribute>,
}

/// The official `cloudflare_secrets_store_secret`: `value` is required and kept in state.
fn secret_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string("id").computed().use_state_for_unknown(),
        Attribute::string("account_id")
            .required()
            .requires_replace(),
        Attribute::string("store_id").required().requires_replace(),
        Attribute::string("name").required().requires_replace(),
        Attribute::string("value").required().sensitive(),
        Attribute::new("scopes", Type::list(Type::String)).required(),
        Attribute::string("comment").optional(),
        Attribute::string("status").computed(),
        Attribute::string("created").computed(),
        Attribute::string("modified").computed(),
    ]
}

/// The official `cloudflare_secrets_store`.
fn store_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string("id").computed().use_state_for_unknown(),
        Attribute::string("account_id")
            .required()
            .requires_replace(),
        Attribute::string("name").required().requires_replace(),
        Attribute::string("created").computed(),
        Attribute::string("modified").computed(),
    ]
}

/// The error for every write: this stand-in only holds state that is being migrated away.
fn refused(type_name: &str, action: &str) -> Diagnostics {
    Diagnostic::error(
        "Not supported by the stand-in",
        format!(
            "The test stand-in for the official provider does not {action} {type_name}: a \
             migration away from it must neither create nor destroy anything."
        ),
    )
    .into()
}

#[async_trait]
impl Resource<Store> for OfficialStandIn {
    fn type_name(&self) -> &'static str {
        self.type_name
    }

    fn schema(&self) -> Schema {
        let mut schema = Schema::new(
            "The official provider's resource (test stand-in).",
            (self.attributes)(),
        );
        schema.version = OFFICIAL_SCHEMA_VERSION;
        schema
    }

    async fn create(&self, _req: CreateRequest<Store>) -> Result<CreateResponse, Diagnostics> {
        Ok(async move {
            CreateResponse {
                diagnostics: refused(self.type_name, "create"),
                ..CreateResponse::default()
            }
        }
        .await)
    }

    async fn read(&self, req: ReadRequest<Store>) -> Result<ReadResponse, Diagnostics> {
        Ok(async move {
            ReadResponse {
                new_state: req.current_state,
                private: req.private,
                diagnostics: Diagnostics::default(),
            }
        }
        .await)
    }

    async fn update(&self, _req: UpdateRequest<Store>) -> Result<UpdateResponse, Diagnostics> {
        Ok(async move {
            UpdateResponse {
                diagnostics: refused(self.type_name, "update"),
                ..UpdateResponse::default()
            }
        }
        .await)
    }

    async fn delete(&self, _req: DeleteRequest<Store>) -> Result<DeleteResponse, Diagnostics> {
        Ok(async move {
            DeleteResponse {
                diagnostics: refused(self.type_name, "delete"),
            }
        }
        .await)
    }
}

/// Both stand-ins, for the provider's resource list.
pub fn resources() -> Vec<Arc<dyn Resource<Store>>> {
    vec![
        Arc::new(OfficialStandIn {
            type_name: "cloudflare_secrets_store_secret",
            attributes: secret_attributes,
        }),
        Arc::new(OfficialStandIn {
            type_name: "cloudflare_secrets_store",
            attributes: store_attributes,
        }),
    ]
}
