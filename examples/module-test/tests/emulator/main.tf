# Test helper: takes the emulator's address from the variable emulator_base_url
# (terraform test -var=... or TF_VAR_emulator_base_url) and hands it to the
# provider block of the tests. It accepts only plain http on a loopback address,
# so the tests can never reach the real Cloudflare API.
variable "emulator_base_url" {
  description = "The address cloudflare-api-emulator printed, e.g. http://127.0.0.1:8787/client/v4."
  type        = string

  validation {
    condition     = can(regex("^http://(127\\.0\\.0\\.1|localhost|\\[::1\\]):[0-9]+/client/v4$", var.emulator_base_url))
    error_message = "Give the address cloudflare-api-emulator printed: http://127.0.0.1:PORT/client/v4."
  }
}

output "base_url" {
  value = var.emulator_base_url
}
