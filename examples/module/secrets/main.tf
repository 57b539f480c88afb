# A reusable module: one cloudflare_store_secret per entry of var.secrets, with
# write-only values (never stored in state), plus ready-made Worker bindings.
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
  description = "Secret name => value and metadata."
  type = map(object({
    value   = string
    comment = optional(string)
    scopes  = optional(set(string), ["workers"])
  }))
  sensitive = true
}

variable "value_version" {
  description = "Bump to push every value again (write-only values cannot be compared)."
  type        = number
  default     = 1
}

resource "cloudflare_store_secret" "this" {
  # The names are not secret; the values are. for_each keys must not be sensitive.
  for_each = nonsensitive(toset(keys(var.secrets)))

  store_id         = var.store_id
  name             = each.key
  value_wo         = var.secrets[each.key].value
  value_wo_version = var.value_version
  comment          = nonsensitive(var.secrets[each.key].comment)
  scopes           = nonsensitive(var.secrets[each.key].scopes)
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
