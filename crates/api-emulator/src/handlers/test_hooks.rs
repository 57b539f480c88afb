//! Test-only endpoints outside the API's paths, for tests that run the emulator in another process.

use axum::Json;
use axum::extract::State;

use crate::rate_report::RateLimitReport;
use crate::state::EmulatorState;

/// `GET /__emulator/rate-limit`: the rate budget's report as JSON.
pub async fn rate_limit_report(State(state): State<EmulatorState>) -> Json<RateLimitReport> {
    Json(state.rate_limit_report())
}
