//! `cloudflare-api-emulator`: runs the local Secrets Store API emulator.

fn main() {}
