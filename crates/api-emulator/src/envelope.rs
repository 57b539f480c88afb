//! The Cloudflare v4 response envelope and `ApiError`: the one place that produces every body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

/// Pagination details sent with list responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ResultInfo {
    pub page: usize,
    pub per_page: usize,
    pub count: usize,
    pub total_count: usize,
    pub total_pages: usize,
}

/// A successful response: `{"success": true, "errors": [], "messages": [], "result": ...}`.
pub struct Envelope {
    status: StatusCode,
    result: Value,
    result_info: Option<ResultInfo>,
    /// Items of a bulk request that were skipped (`BatchMode::PerItem`), as `errors[]`.
    skipped: Vec<ApiError>,
}

impl Envelope {
    /// HTTP 200 with `result`.
    pub fn ok(result: impl Serialize) -> Envelope {
        Envelope::with_status(StatusCode::OK, result)
    }

    /// HTTP 200 with a page of results and its `result_info`.
    pub fn page(result: impl Serialize, info: ResultInfo) -> Envelope {
        Envelope {
            result_info: Some(info),
            ..Envelope::ok(result)
        }
    }

    /// `result: null` with the given status (200 for store deletes, 202 for secret deletes).
    pub fn deleted(status: StatusCode) -> Envelope {
        Envelope::with_status(status, Value::Null)
    }

    /// A bulk request applied in part: `result` holds what was applied, `errors[]` one entry
    /// per skipped item, and `success` stays `true`.
    pub fn partial(status: StatusCode, result: impl Serialize, skipped: Vec<ApiError>) -> Envelope {
        Envelope {
            skipped,
            ..Envelope::with_status(status, result)
        }
    }

    fn with_status(status: StatusCode, result: impl Serialize) -> Envelope {
        let result = serde_json::to_value(result).unwrap_or(Value::Null);
        Envelope {
            status,
            result,
            result_info: None,
            skipped: Vec::new(),
        }
    }
}

impl IntoResponse for Envelope {
    fn into_response(self) -> Response {
        let errors: Vec<Value> = self.skipped.iter().map(ApiError::item).collect();
        let mut body = json!({
            "success": true,
            "errors": errors,
            "messages": [],
            "result": self.result,
        });
        if let Some(info) = self.result_info {
            body["result_info"] = json!(info);
        }
        json_response(self.status, &body)
    }
}

/// One `{code, message}` pair of an error's `error_chain`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainedError {
    pub code: u32,
    pub message: String,
}

/// A failed request: `{"success": false, "errors": [{code, message}], "messages": [], "result": null}`.
///
/// Messages never contain secret values or credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
    pub error_chain: Vec<ChainedError>,
    /// Seconds for a `Retry-After` header (429 only).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            error_chain: Vec::new(),
            retry_after: None,
        }
    }

    /// HTTP 400, code 1001: the request is invalid (`token: detail`).
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, 1001, message)
    }

    /// HTTP 400, code 1001 `invalid_json_body: <detail>`.
    pub fn invalid_json_body(detail: &str) -> ApiError {
        ApiError::invalid(format!("invalid_json_body: {detail}"))
    }

    /// HTTP 404, code 1001 `store_not_found`.
    pub fn store_not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, 1001, "store_not_found")
    }

    /// HTTP 404, code 1001 `secret_not_found`.
    pub fn secret_not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, 1001, "secret_not_found")
    }

    /// HTTP 404, code 7003: the URI names no resource the emulator knows.
    pub fn no_route(path: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            7003,
            format!("Could not route to {path}, perhaps your object identifier is invalid?"),
        )
    }

    /// HTTP 405, code 7001.
    pub fn method_not_allowed(method: &str, path: &str) -> ApiError {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            7001,
            format!("Method {method} not allowed for {path}"),
        )
    }

    /// HTTP 429, code 971, with `Retry-After: <seconds>`.
    pub fn rate_limited(retry_after_seconds: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after_seconds),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                971,
                "Please wait and consider throttling your request speed",
            )
        }
    }

    /// An injected server failure (5xx), code 10001.
    pub fn server_failure(status: StatusCode) -> ApiError {
        ApiError::new(
            status,
            10001,
            "Internal server error (injected by the emulator's fault settings)",
        )
    }

    pub fn with_chain(mut self, code: u32, message: impl Into<String>) -> ApiError {
        self.error_chain.push(ChainedError {
            code,
            message: message.into(),
        });
        self
    }

    /// This error as one `errors[]` item.
    fn item(&self) -> Value {
        json!({ "code": self.code, "message": self.message })
    }

    fn body(&self) -> Value {
        let mut error = self.item();
        if !self.error_chain.is_empty() {
            let chain: Vec<Value> = self
                .error_chain
                .iter()
                .map(|link| json!({ "code": link.code, "message": link.message }))
                .collect();
            error["error_chain"] = Value::Array(chain);
        }
        json!({
            "success": false,
            "errors": [error],
            "messages": [],
            "result": null,
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.status, &self.body());
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_every_required_key_and_the_chain() {
        let error = ApiError::new(StatusCode::BAD_REQUEST, 6003, "Invalid request headers")
            .with_chain(6111, "Invalid format for Authorization header");
        let body = error.body();
        assert_eq!(body["success"], json!(false));
        assert_eq!(body["result"], Value::Null);
        assert_eq!(body["messages"], json!([]));
        assert_eq!(body["errors"][0]["code"], json!(6003));
        assert_eq!(body["errors"][0]["error_chain"][0]["code"], json!(6111));
    }

    #[test]
    fn rate_limited_response_carries_retry_after() {
        let response = ApiError::rate_limited(7).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
    }
}
