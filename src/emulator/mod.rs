//! The local emulator of the Cloudflare Secrets Store API (axum): `app(state)` and `serve(...)`.
