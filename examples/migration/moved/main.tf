terraform {
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

provider "cloudflare" {}

variable "stripe_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Was: resource "cloudflare_secrets_store_secret" "stripe" of cloudflare/cloudflare.
moved {
  from = cloudflare_secrets_store_secret.stripe
  to   = cloudflare_store_secret.stripe
}

# Same type name in both providers: no moved block; this provider takes the state over.
resource "cloudflare_secrets_store" "main" {
  name = "default_secrets_store"
}

resource "cloudflare_store_secret" "stripe" {
  name             = "STRIPE_API_KEY"
  store_id         = cloudflare_secrets_store.main.id
  scopes           = ["workers"]
  value_wo         = var.stripe_api_key
  value_wo_version = 1
}
