# The account's store. Cloudflare allows one store per account during the beta,
# so most configurations either create it once or adopt the existing one.
resource "cloudflare_secrets_store" "main" {
  # name defaults to "default_secrets_store", the name Cloudflare gives the store
  # it creates for an account from the dashboard.
  name = "default_secrets_store"

  # Take over the store if one of this name already exists instead of failing.
  adopt = true

  # Keep false in production: destroying a store that still holds secrets then
  # fails with a diagnostic that says how many it holds.
  force_destroy = false
}

output "secrets_store_id" {
  value = cloudflare_secrets_store.main.id
}
