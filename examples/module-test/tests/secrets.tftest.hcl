# Tests of the module against a local cloudflare-api-emulator, run with
#   terraform test -var="emulator_base_url=http://127.0.0.1:8787/client/v4"
# (the address the emulator printed), the emulator started with its defaults. The
# token and account below are the emulator's, not real credentials; setting
# them here keeps a real CLOUDFLARE_API_TOKEN in the environment out of the
# tests. Every object the tests create is destroyed when the file ends.

provider "cloudflare" {
  base_url   = run.emulator.base_url
  api_token  = "local-emulator-token"             # the emulator's default token
  account_id = "023e105f4ecef8ad9ca31a8372d0c353" # the emulator's default account
}

variables {
  secrets = {
    API_KEY = { comment = "Backend API key" }
    LLM_KEY = { scopes = ["workers", "ai_gateway"] }
  }
  # Test values only; a real module gets its values from an ephemeral source.
  values = {
    API_KEY = "test-api-key"
    LLM_KEY = "test-llm-key"
  }
}

# Reads emulator_base_url (see tests/emulator); every later run uses it.
run "emulator" {
  command = plan

  module {
    source = "./tests/emulator"
  }
}

run "plan_has_the_names_and_scopes_but_no_value" {
  command = plan

  assert {
    condition     = keys(cloudflare_store_secret.this) == ["API_KEY", "LLM_KEY"]
    error_message = "One secret per entry of var.secrets."
  }

  assert {
    condition     = cloudflare_store_secret.this["LLM_KEY"].scopes == toset(["workers", "ai_gateway"])
    error_message = "LLM_KEY has both scopes."
  }

  assert {
    condition     = cloudflare_store_secret.this["API_KEY"].value_wo == null
    error_message = "A write-only value is never in a plan."
  }
}

run "apply_creates_active_secrets_and_bindings" {
  assert {
    condition     = alltrue([for secret in cloudflare_store_secret.this : secret.status == "active"])
    error_message = "Apply waits until every secret is active."
  }

  assert {
    condition = output.worker_bindings["API_KEY"] == {
      type        = "secrets_store_secret"
      name        = "API_KEY"
      store_id    = cloudflare_secrets_store.this.id
      secret_name = "API_KEY"
    }
    error_message = "The binding points at the secret in the module's store."
  }
}

run "a_new_comment_updates_in_place" {
  variables {
    secrets = {
      API_KEY = { comment = "Backend API key, rotated monthly" }
      LLM_KEY = { scopes = ["workers", "ai_gateway"] }
    }
  }

  assert {
    condition     = cloudflare_store_secret.this["API_KEY"].comment == "Backend API key, rotated monthly"
    error_message = "The comment is updated."
  }

  assert {
    condition     = output.ids == run.apply_creates_active_secrets_and_bindings.ids
    error_message = "An update keeps the secrets (no replacement)."
  }
}

run "a_name_without_a_value_is_refused" {
  command = plan

  variables {
    values = {
      API_KEY = "test-api-key"
    }
  }

  expect_failures = [var.values]
}
