# Every secret whose name starts with APP_ in the account's default_secrets_store.
list "cloudflare_store_secret" "app" {
  provider = cloudflare

  config {
    name_prefix = "APP_"
    scopes      = ["workers"]
  }
}

# The account's stores.
list "cloudflare_secrets_store" "stores" {
  provider = cloudflare
}
