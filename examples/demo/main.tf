# The demo run by `cargo xtask demo` against the local
# emulator: a store, two secrets (one write-only), one read back through
# cloudflare_secret_ref, and the Worker binding built from it.
terraform {
  required_version = ">= 1.11"
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

# Credentials, account and API address come from CLOUDFLARE_API_TOKEN,
# CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_BASE_URL (set by the demo runner).
provider "cloudflare" {}

variable "payments_api_key" {
  description = "Set through TF_VAR_payments_api_key; write-only, so it never reaches state or plan."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "cloudflare_secrets_store" "demo" {
  name = "default_secrets_store"
}

# Write-only: the value goes to Cloudflare and nowhere else.
resource "cloudflare_store_secret" "payments_api_key" {
  store_id         = cloudflare_secrets_store.demo.id
  name             = "PAYMENTS_API_KEY"
  value_wo         = var.payments_api_key
  value_wo_version = 1
  scopes           = ["workers", "ai_gateway"]
  comment          = "Payments provider key for the checkout Worker"
}

# Classic value, kept in state and in saved plans as a sensitive attribute (for
# Terraform < 1.11 and OpenTofu without write-only support). A literal, and a
# harmless one, on purpose: `value` cannot take an ephemeral variable, so a real
# secret here would sit in every state and saved plan.
resource "cloudflare_store_secret" "feature_flags_token" {
  store_id = cloudflare_secrets_store.demo.id
  name     = "FEATURE_FLAGS_TOKEN"
  value    = "demo-feature-flags-token"
}

# Read the write-only secret back by name: metadata only, never the value.
data "cloudflare_secret_ref" "payments_api_key" {
  store_id = cloudflare_store_secret.payments_api_key.store_id
  name     = cloudflare_store_secret.payments_api_key.name
}

output "store_id" {
  value = cloudflare_secrets_store.demo.id
}

output "secrets" {
  value = {
    for secret in [cloudflare_store_secret.payments_api_key, cloudflare_store_secret.feature_flags_token] :
    secret.name => { id = secret.id, status = secret.status, scopes = secret.scopes }
  }
}

output "secret_ref" {
  value = {
    id      = data.cloudflare_secret_ref.payments_api_key.id
    status  = data.cloudflare_secret_ref.payments_api_key.status
    comment = data.cloudflare_secret_ref.payments_api_key.comment
  }
}

output "worker_binding" {
  description = "Merge into a Worker's bindings; the Worker then calls `await env.PAYMENTS_API_KEY.get()`."
  value       = merge(data.cloudflare_secret_ref.payments_api_key.worker_binding, { name = "PAYMENTS_API_KEY" })
}
