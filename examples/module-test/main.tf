# A small module with its own tests (tests/*.tftest.hcl), which `terraform test`
# runs against the local API emulator: a store and one write-only secret per
# entry of var.secrets, plus the Worker bindings for them. The guide
# docs/guides/testing-modules-with-the-emulator.md walks through it.
terraform {
  required_version = ">= 1.11"
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

variable "secrets" {
  description = "Secret name => comment and scopes. Not secret: it decides which secrets exist."
  type = map(object({
    comment = optional(string)
    scopes  = optional(set(string), ["workers"])
  }))
}

variable "values" {
  description = "Secret name => value, one for every name in var.secrets."
  type        = map(string)
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = alltrue([for name in keys(var.secrets) : contains(keys(var.values), name)])
    error_message = "Every name in var.secrets needs a value in var.values."
  }
}

resource "cloudflare_secrets_store" "this" {
  adopt = true
}

resource "cloudflare_store_secret" "this" {
  for_each = var.secrets

  store_id         = cloudflare_secrets_store.this.id
  name             = each.key
  value_wo         = var.values[each.key]
  value_wo_version = 1
  comment          = each.value.comment
  scopes           = each.value.scopes
}

output "ids" {
  description = "Secret name => secret id."
  value       = { for name, secret in cloudflare_store_secret.this : name => secret.id }
}

output "worker_bindings" {
  description = "Secret name => its Worker binding, bound under the secret's own name."
  value = {
    for name, secret in cloudflare_store_secret.this : name => {
      type        = "secrets_store_secret"
      name        = name
      store_id    = secret.store_id
      secret_name = secret.name
    }
  }
}
