terraform {
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

provider "cloudflare" {} # CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID from the environment
