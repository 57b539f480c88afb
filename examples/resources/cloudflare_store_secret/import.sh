#!/bin/sh
# A secret can be imported by "<account_id>/<store_id>/<secret_id>",
# by "<account_id>/<store_id>/<secret_name>", or by "<secret_name>" (the
# provider's account_id and the account's default_secrets_store).
terraform import cloudflare_store_secret.stripe 023e105f4ecef8ad9ca31a8372d0c353/0a1b2c3d4e5f60718293a4b5c6d7e8f9/3fd85f74b32742f1bff64a85009dda07
terraform import cloudflare_store_secret.stripe 023e105f4ecef8ad9ca31a8372d0c353/0a1b2c3d4e5f60718293a4b5c6d7e8f9/STRIPE_API_KEY
terraform import cloudflare_store_secret.stripe STRIPE_API_KEY

# After an import Terraform cannot know the value: with value_wo (and no
# value_wo_version) the next plan is empty; with value, or with a
# value_wo_version, it shows one in-place update that re-sends the value.
