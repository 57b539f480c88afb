# Wiring Secrets Store secrets into a Worker's bindings, with the official
# Cloudflare provider deploying the Worker and this provider reading the
# secrets.
#
# The two providers share the type name `cloudflare`: the official one keeps
# the local name `cloudflare`, this one is `cfsecrets`, and every data source
# and resource of ours says `provider = cfsecrets` (see
# examples/with-official-provider and docs/index.md). The bindings are also
# shown in wrangler's shape for Workers deployed with wrangler. At runtime the
# Worker reads a secret with `await env.OPENAI_API_KEY.get()`.
terraform {
  required_providers {
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = ">= 5.0.0"
    }
    cfsecrets = {
      source = "cfsecrets/cloudflare"
    }
  }
}

variable "account_id" {
  type = string
}

provider "cloudflare" {}

provider "cfsecrets" {}

# Secrets that already exist in the account's default store (created by another
# team, the dashboard, or wrangler). Reading them never touches their values.
data "cloudflare_secret_ref" "openai" {
  provider = cfsecrets
  name     = "OPENAI_API_KEY"
}

data "cloudflare_secret_ref" "stripe" {
  provider = cfsecrets
  name     = "STRIPE_API_KEY"
}

locals {
  # JavaScript binding name => secret reference.
  secret_refs = {
    OPENAI_API_KEY = data.cloudflare_secret_ref.openai
    STRIPE         = data.cloudflare_secret_ref.stripe
  }

  # Each worker_binding is {type = "secrets_store_secret", name, store_id,
  # secret_name}; the Worker's binding name replaces `name`.
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

# The official provider's Worker script, bound to the secrets.
resource "cloudflare_workers_script" "payments" {
  account_id  = var.account_id
  script_name = "payments"
  main_module = "worker.js"
  content     = <<-JS
    export default {
      async fetch(request, env) {
        const stripe = await env.STRIPE.get();
        return new Response(stripe ? "ready" : "missing");
      },
    };
  JS
  bindings    = local.worker_bindings
}

output "worker_bindings" {
  description = "The bindings given to cloudflare_workers_script.payments."
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
