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

# The store's id, as `terraform state show cloudflare_secrets_store.main` prints it before the
# migration.
variable "store_id" {
  type = string
}

# Forget the official provider's store and secret without destroying them...
removed {
  from = cloudflare_secrets_store.main

  lifecycle {
    destroy = false
  }
}

removed {
  from = cloudflare_secrets_store_secret.stripe

  lifecycle {
    destroy = false
  }
}

# ...and adopt the same store and secret under new addresses; the secret's value stays as it is
# (managed elsewhere) until value_wo is added.
import {
  to = cloudflare_secrets_store.secrets
  id = "${var.account_id}/${var.store_id}"
}

resource "cloudflare_secrets_store" "secrets" {
  name = "default_secrets_store"
}

import {
  to = cloudflare_store_secret.stripe
  id = "${var.account_id}/${var.store_id}/STRIPE_API_KEY"
}

resource "cloudflare_store_secret" "stripe" {
  name     = "STRIPE_API_KEY"
  store_id = cloudflare_secrets_store.secrets.id
}
