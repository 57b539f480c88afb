terraform {
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

provider "cloudflare" {}

variable "account_id" {
  type = string
}

# Same type name in both providers: this provider takes the store's state over. Without this
# block (or a removed block of its own) Terraform plans to destroy the official provider's store.
resource "cloudflare_secrets_store" "main" {
  name = "default_secrets_store"
}

# Forget the official provider's secret without destroying it...
removed {
  from = cloudflare_secrets_store_secret.stripe

  lifecycle {
    destroy = false
  }
}

# ...and adopt the same secret by name; its value stays as it is (managed elsewhere) until
# value_wo is added.
import {
  to = cloudflare_store_secret.stripe
  id = "${var.account_id}/${cloudflare_secrets_store.main.id}/STRIPE_API_KEY"
}

resource "cloudflare_store_secret" "stripe" {
  name     = "STRIPE_API_KEY"
  store_id = cloudflare_secrets_store.main.id
}
