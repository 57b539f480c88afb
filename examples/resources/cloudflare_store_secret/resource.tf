# Requires Terraform >= 1.11 for the write-only value_wo (and >= 1.10 for
# ephemeral variables, which keep the values out of saved plans too).
variable "stripe_api_key" {
  description = "From TF_VAR_stripe_api_key or a secret manager; never stored in state or a saved plan."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "webhook_secret" {
  description = "From TF_VAR_webhook_secret; never stored in state or a saved plan."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "cloudflare_secrets_store" "main" {
  adopt = true
}

# A write-only value: Terraform never writes it to state or plan; bump
# value_wo_version to push a new value.
resource "cloudflare_store_secret" "stripe" {
  store_id         = cloudflare_secrets_store.main.id
  name             = "STRIPE_API_KEY"
  value_wo         = var.stripe_api_key
  value_wo_version = 1
  scopes           = ["workers", "ai_gateway"]
  comment          = "Stripe key used by the checkout Worker"
}

# store_id omitted: the account's default_secrets_store is used, and created at
# apply time if it does not exist.
resource "cloudflare_store_secret" "webhook" {
  name             = "WEBHOOK_SIGNING_SECRET"
  value_wo         = var.webhook_secret
  value_wo_version = 1
}
