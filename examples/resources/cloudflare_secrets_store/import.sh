#!/bin/sh
# A store can be imported by "<account_id>/<store_id>", by "<store_id>" (the
# provider's account_id), or by "<account_id>/<store_name>".
terraform import cloudflare_secrets_store.main 023e105f4ecef8ad9ca31a8372d0c353/0a1b2c3d4e5f60718293a4b5c6d7e8f9
terraform import cloudflare_secrets_store.main 0a1b2c3d4e5f60718293a4b5c6d7e8f9
terraform import cloudflare_secrets_store.main 023e105f4ecef8ad9ca31a8372d0c353/default_secrets_store
