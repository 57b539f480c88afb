# Requires Terraform >= 1.12 for import by identity. The ids come from `terraform query`
# (see the bulk adoption guide) or the dashboard; account_id defaults to the provider's.
terraform {
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

provider "cloudflare" {}

import {
  to = cloudflare_secrets_store.main
  identity = {
    id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
  }
}

import {
  to = cloudflare_store_secret.stripe
  identity = {
    store_id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    id       = "3fd85f74b32742f1bff64a85009dda07"
  }
}

resource "cloudflare_secrets_store" "main" {}

# No value or value_wo: the value stays managed elsewhere (e.g. by wrangler).
resource "cloudflare_store_secret" "stripe" {
  name     = "STRIPE_API_KEY"
  store_id = cloudflare_secrets_store.main.id
}
