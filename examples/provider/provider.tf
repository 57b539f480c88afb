# Provider configuration. Every attribute is optional and falls back to the
# environment variable named in the comment, so in CI the block can stay empty.
# The token variable is ephemeral (Terraform 1.10 or later): it never reaches
# state or a saved plan, and `terraform apply plan.bin` needs it given again.
terraform {
  required_version = ">= 1.10"
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

variable "cloudflare_api_token" {
  description = "API token with the Account Secrets Store Edit permission."
  type        = string
  sensitive   = true
  ephemeral   = true
  default     = null # null: CLOUDFLARE_API_TOKEN is used
}

variable "cloudflare_account_id" {
  description = "Account every resource uses unless it sets its own account_id."
  type        = string
  default     = null # null: CLOUDFLARE_ACCOUNT_ID is used
}

provider "cloudflare" {
  api_token  = var.cloudflare_api_token  # CLOUDFLARE_API_TOKEN
  account_id = var.cloudflare_account_id # CLOUDFLARE_ACCOUNT_ID

  # Retries for 429, 5xx and connection errors; Retry-After is honoured.
  max_retries = 5  # CLOUDFLARE_MAX_RETRIES
  min_backoff = 1  # seconds; CLOUDFLARE_MIN_BACKOFF
  max_backoff = 30 # seconds; CLOUDFLARE_MAX_BACKOFF

  # Client-side rate limit shared by every operation of one provider process.
  requests_per_second = 3.5 # CLOUDFLARE_RPS

  # Requests of Cloudflare's per-user budget left to people and other tools (default: a tenth).
  rate_limit_reserve = 120 # CLOUDFLARE_RATE_LIMIT_RESERVE

  # How long apply waits for a new secret to turn from pending to active.
  secret_activation_timeout = "60s" # CLOUDFLARE_SECRET_ACTIVATION_TIMEOUT

  user_agent_operator_suffix = "platform-team" # CLOUDFLARE_USER_AGENT_OPERATOR_SUFFIX
}
