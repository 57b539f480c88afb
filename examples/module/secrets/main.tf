# A reusable module: one cloudflare_store_secret per entry of var.secrets, with
# write-only values (never stored in state), plus ready-made Worker bindings.
# The input comes in two parts: var.secrets (names, comments, scopes: plain
# configuration) and var.values, an ephemeral map that no state or saved plan
# ever holds. Ephemeral variables need Terraform 1.10 or later.
terraform {
  required_version = ">= 1.11"
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

variable "store_id" {
  description = "Store to create the secrets in; null uses the account's default_secrets_store."
  type        = string
  default     = null
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

variable "value_version" {
  description = "Bump to push every value again (write-only values cannot be compared)."
  type        = number
  default     = 1
}

resource "cloudflare_store_secret" "this" {
  # for_each takes the metadata: an ephemeral value cannot decide which
  # resources exist, but can feed a write-only attribute.
  for_each = var.secrets

  store_id         = var.store_id
  name             = each.key
  value_wo         = var.values[each.key]
  value_wo_version = var.value_version
  comment          = each.value.comment
  scopes           = each.value.scopes
}

output "ids" {
  description = "Secret name => secret id."
  value       = { for name, secret in cloudflare_store_secret.this : name => secret.id }
}

output "worker_bindings" {
  description = "Worker bindings, one per secret, bound under the secret's own name."
  value = [
    for name, secret in cloudflare_store_secret.this : {
      type        = "secrets_store_secret"
      name        = name
      store_id    = secret.store_id
      secret_name = secret.name
    }
  ]
}
