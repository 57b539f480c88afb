# Calls ./secrets with a map of 20 secrets. Terraform creates them in parallel;
# the provider shares one rate limit and retry policy across all of them.
# Names, comments and scopes are plain configuration; the values arrive in an
# ephemeral variable, so neither the state nor a saved plan (plan -out) holds
# them. Give it again to `terraform apply plan.bin`.
terraform {
  required_version = ">= 1.11"
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

provider "cloudflare" {}

variable "secret_values" {
  description = "Secret name => value, e.g. from TF_VAR_secret_values or a *.tfvars file kept out of git."
  type        = map(string)
  sensitive   = true
  ephemeral   = true
}

resource "cloudflare_secrets_store" "main" {
  adopt = true
}

locals {
  secret_comments = {
    DATABASE_URL          = "Primary Postgres connection string"
    DATABASE_READ_URL     = "Read replica connection string"
    REDIS_URL             = "Cache connection string"
    SESSION_SIGNING_KEY   = "Signs session cookies"
    CSRF_SECRET           = "CSRF token key"
    JWT_PRIVATE_KEY       = "Signs access tokens"
    STRIPE_API_KEY        = "Payments"
    STRIPE_WEBHOOK_SECRET = "Verifies Stripe webhooks"
    GITHUB_APP_KEY        = "GitHub App private key"
    GITHUB_WEBHOOK_SECRET = "Verifies GitHub webhooks"
    SLACK_BOT_TOKEN       = "Notifications"
    SENDGRID_API_KEY      = "Transactional email"
    OPENAI_API_KEY        = "LLM calls through AI Gateway"
    ANTHROPIC_API_KEY     = "LLM calls through AI Gateway"
    SENTRY_DSN            = "Error reporting"
    DATADOG_API_KEY       = "Metrics"
    S3_ACCESS_KEY_ID      = "Backups bucket"
    S3_SECRET_ACCESS_KEY  = "Backups bucket"
    TURNSTILE_SECRET_KEY  = "Bot protection"
    ENCRYPTION_MASTER_KEY = "Envelope encryption"
  }

  # LLM keys are also used by AI Gateway; everything else only by Workers.
  ai_gateway_secrets = toset(["OPENAI_API_KEY", "ANTHROPIC_API_KEY"])

  secrets = {
    for name, comment in local.secret_comments : name => {
      comment = comment
      scopes  = contains(local.ai_gateway_secrets, name) ? ["workers", "ai_gateway"] : ["workers"]
    }
  }
}

module "app_secrets" {
  source = "./secrets"

  store_id = cloudflare_secrets_store.main.id
  secrets  = local.secrets
  values   = var.secret_values
}

output "secret_ids" {
  value = module.app_secrets.ids
}

output "worker_bindings" {
  value = module.app_secrets.worker_bindings
}
