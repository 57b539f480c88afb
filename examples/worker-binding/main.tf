# Wiring Secrets Store secrets into a Worker's bindings.
#
# This provider manages only Secrets Store, so the Worker itself is deployed by
# another tool. The bindings are built here as plain values: pass
# local.worker_bindings to the official provider's cloudflare_workers_script
# `bindings`, or local.wrangler_secrets_store_secrets to wrangler's
# `secrets_store_secrets`. At runtime the Worker reads a secret with
# `await env.OPENAI_API_KEY.get()`.
terraform {
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

# Secrets that already exist in the account's default store (created by another
# team, the dashboard, or wrangler). Reading them never touches their values.
data "cloudflare_secret_ref" "openai" {
  name = "OPENAI_API_KEY"
}

data "cloudflare_secret_ref" "stripe" {
  name = "STRIPE_API_KEY"
}

locals {
  # JavaScript binding name => secret reference.
  secret_refs = {
    OPENAI_API_KEY = data.cloudflare_secret_ref.openai
    STRIPE         = data.cloudflare_secret_ref.stripe
  }

  # Each worker_binding is {type = "secrets_store_secret", store_id, secret_name};
  # a Worker binding also needs its JavaScript name.
  worker_bindings = concat(
    [for binding_name, ref in local.secret_refs : merge(ref.worker_binding, { name = binding_name })],
    [{ type = "plain_text", name = "ENVIRONMENT", text = "production" }],
  )

  # The same bindings in wrangler's configuration shape.
  wrangler_secrets_store_secrets = [
    for binding_name, ref in local.secret_refs : {
      binding     = binding_name
      store_id    = ref.worker_binding.store_id
      secret_name = ref.worker_binding.secret_name
    }
  ]
}

output "worker_bindings" {
  description = "Bindings for cloudflare_workers_script (official provider)."
  value       = local.worker_bindings
}

output "wrangler_config" {
  description = "A wrangler.json fragment with the same secrets."
  value       = jsonencode({ secrets_store_secrets = local.wrangler_secrets_store_secrets })
}

# Binding a Worker to a secret that is still pending is rejected by Cloudflare;
# the provider's apply already waits for secrets it creates to become active,
# and the data source exposes the status of secrets it did not create.
output "all_secrets_active" {
  value = alltrue([for ref in values(local.secret_refs) : ref.status == "active"])
}
