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

variable "store_id" {
  type = string
}

# Forget the official provider's object without destroying it...
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
  id = "${var.account_id}/${var.store_id}/STRIPE_API_KEY"
}

resource "cloudflare_store_secret" "stripe" {
  name     = "STRIPE_API_KEY"
  store_id = var.store_id
}
