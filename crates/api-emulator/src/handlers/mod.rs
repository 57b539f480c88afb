//! HTTP handlers for the 12 Secrets Store operations, the quota and the test hooks, plus shared
//! extractors.

pub mod secrets;
pub mod stores;
pub mod test_hooks;

use axum::extract::Query;
use axum::http::Uri;

use super::envelope::ApiError;

/// The request's query pairs, in order (repeated keys kept).
pub(crate) fn query_pairs(uri: &Uri) -> Result<Vec<(String, String)>, ApiError> {
    Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|Query(pairs)| pairs)
        .map_err(|_| ApiError::invalid("invalid_query_parameter: the query string is malformed"))
}

/// The first non-whitespace byte of a body, to tell arrays from objects.
pub(crate) fn first_json_byte(body: &[u8]) -> Option<u8> {
    body.iter()
        .copied()
        .find(|byte| !byte.is_ascii_whitespace())
}
