//! `terraform-provider-cloudflare`: the plugin binary Terraform and OpenTofu launch.

fn main() {}
