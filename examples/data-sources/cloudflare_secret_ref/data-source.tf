# Looks up an existing secret by its exact name. Never creates anything and
# never reads the value. store_id omitted: the account's default_secrets_store.
data "cloudflare_secret_ref" "openai" {
  name = "OPENAI_API_KEY"
}

output "openai_secret_status" {
  value = data.cloudflare_secret_ref.openai.status
}

# Ready to merge into a Worker's bindings; add the JavaScript binding name.
output "openai_worker_binding" {
  value = merge(data.cloudflare_secret_ref.openai.worker_binding, { name = "OPENAI" })
}
