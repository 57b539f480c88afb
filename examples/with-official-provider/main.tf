# This provider beside the official Cloudflare provider in one configuration.
#
# Both have the type name `cloudflare`, and both have a resource called
# `cloudflare_secrets_store`. Terraform picks a resource's provider from the
# prefix of its type unless the resource says `provider = …`, so:
#   - the official provider keeps the local name `cloudflare` (its resources
#     need nothing extra);
#   - this one gets the local name `cfsecrets`, and every resource and data
#     source of ours sets `provider = cfsecrets`. Forgetting it sends the
#     resource to the official provider, with the official provider's token.
terraform {
  required_version = ">= 1.11"
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

variable "openai_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

# The official provider: CLOUDFLARE_API_TOKEN from the environment.
provider "cloudflare" {}

# This provider: a token with Secrets Store permissions only. It also reads
# CLOUDFLARE_API_TOKEN when api_token is not set.
provider "cfsecrets" {
  account_id = var.account_id
}

resource "cloudflare_secrets_store" "main" {
  provider = cfsecrets
  name     = "default_secrets_store"
  adopt    = true
}

resource "cloudflare_store_secret" "openai" {
  provider         = cfsecrets
  store_id         = cloudflare_secrets_store.main.id
  name             = "OPENAI_API_KEY"
  value_wo         = var.openai_api_key
  value_wo_version = 1
  scopes           = ["workers", "ai_gateway"]
}

# Read back by name: gives the binding a Worker needs, never the value.
data "cloudflare_secret_ref" "openai" {
  provider = cfsecrets
  store_id = cloudflare_store_secret.openai.store_id
  name     = cloudflare_store_secret.openai.name
}

# The official provider's Worker, bound to the secret.
resource "cloudflare_workers_script" "api" {
  account_id  = var.account_id
  script_name = "api"
  main_module = "worker.js"
  content     = <<-JS
    export default {
      async fetch(request, env) {
        const key = await env.OPENAI_API_KEY.get();
        return new Response(key ? "configured" : "missing");
      },
    };
  JS
  bindings = [
    merge(data.cloudflare_secret_ref.openai.worker_binding, { name = "OPENAI_API_KEY" }),
    { type = "plain_text", name = "ENVIRONMENT", text = "production" },
  ]
}

output "worker_binding" {
  value = data.cloudflare_secret_ref.openai.worker_binding
}
