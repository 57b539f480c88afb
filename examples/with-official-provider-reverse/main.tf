# The reverse of examples/with-official-provider, for configurations with many
# Secrets Store resources and few from the official provider: this provider
# keeps the local name `cloudflare`, and the official one gets another local
# name that each of its resources names in `provider = …`.
terraform {
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
    official = {
      source  = "cloudflare/cloudflare"
      version = ">= 5.0.0"
    }
  }
}

variable "account_id" {
  type = string
}

provider "cloudflare" {
  account_id = var.account_id
}

provider "official" {}

data "cloudflare_secret_ref" "stripe" {
  name = "STRIPE_API_KEY"
}

resource "cloudflare_workers_script" "checkout" {
  provider    = official
  account_id  = var.account_id
  script_name = "checkout"
  main_module = "worker.js"
  content     = "export default { fetch: () => new Response(\"ok\") };"
  bindings = [
    merge(data.cloudflare_secret_ref.stripe.worker_binding, { name = "STRIPE" }),
  ]
}
