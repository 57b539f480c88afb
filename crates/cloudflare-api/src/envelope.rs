//! The one place that parses the Cloudflare v4 response envelope (`success`, `errors`,
//! `result`, `result_info`), tolerant of the older and newer shapes of the Secrets Store API.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::Error;
use super::models::ApiMessage;

/// A successful response: the `result` (absent or `null` become `None`) and paging info.
#[derive(Debug)]
pub(crate) struct Envelope<T> {
    pub result: Option<T>,
    pub result_info: Option<ResultInfo>,
}

impl<T> Envelope<T> {
    /// The result, or a decode error naming what was expected.
    pub fn into_result(self, what: &str) -> Result<T, Error> {
        self.result
            .ok_or_else(|| Error::Decode(format!("the response carried no {what}")))
    }
}

/// `result_info` of list responses; every field is optional and may be int or float.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ResultInfo {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    pub count: Option<u64>,
    pub total_count: Option<u64>,
    pub total_pages: Option<u64>,
}

#[derive(Deserialize)]
struct RawResultInfo {
    page: Option<f64>,
    per_page: Option<f64>,
    count: Option<f64>,
    total_count: Option<f64>,
    total_pages: Option<f64>,
}

fn whole(number: Option<f64>) -> Option<u64> {
    number
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| n as u64)
}

impl From<RawResultInfo> for ResultInfo {
    fn from(raw: RawResultInfo) -> ResultInfo {
        ResultInfo {
            page: whole(raw.page),
            per_page: whole(raw.per_page),
            count: whole(raw.count),
            total_count: whole(raw.total_count),
            total_pages: whole(raw.total_pages),
        }
    }
}

/// An `errors[]` / `messages[]` item, with the optional `error_chain` of auth errors.
#[derive(Deserialize)]
struct RawMessage {
    #[serde(default)]
    code: Option<f64>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error_chain: Vec<RawMessage>,
}

impl RawMessage {
    fn into_api_message(self) -> ApiMessage {
        let code = whole(self.code)
            .and_then(|c| u32::try_from(c).ok())
            .unwrap_or(0);
        let mut message = self.message.unwrap_or_default();
        if !self.error_chain.is_empty() {
            let chain = self
                .error_chain
                .into_iter()
                .map(|inner| {
                    let inner = inner.into_api_message();
                    format!("{} [code: {}]", inner.message, inner.code)
                })
                .collect::<Vec<_>>()
                .join("; ");
            message = format!("{message} ({chain})");
        }
        ApiMessage { code, message }
    }
}

#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    errors: Option<Vec<RawMessage>>,
}

#[derive(Deserialize)]
struct Body<T> {
    #[serde(default = "none")]
    result: Option<T>,
    #[serde(default)]
    result_info: Option<RawResultInfo>,
}

fn none<T>() -> Option<T> {
    None
}

/// Parses a response of HTTP `status`: a failure (non-2xx or `success: false`) becomes
/// [`Error::Api`] with the envelope's `errors[]` (empty when the body is not an envelope,
/// e.g. an HTML page from a proxy); a success yields the typed `result`.
pub(crate) fn parse<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<Envelope<T>, Error> {
    let ok_status = (200..300).contains(&status);
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(_) if !ok_status => {
            return Err(Error::Api {
                status,
                errors: Vec::new(),
            });
        }
        Err(e) => {
            return Err(Error::Decode(format!(
                "HTTP {status} with a body that is not JSON ({e})"
            )));
        }
    };
    let head: Head = serde_json::from_value(value.clone()).unwrap_or(Head {
        success: None,
        errors: None,
    });
    if !ok_status || head.success == Some(false) {
        let errors = head
            .errors
            .unwrap_or_default()
            .into_iter()
            .map(RawMessage::into_api_message)
            .collect();
        return Err(Error::Api { status, errors });
    }
    if !value.is_object() {
        return Err(Error::Decode(format!(
            "HTTP {status} with a JSON body that is not an envelope object"
        )));
    }
    let body: Body<T> = serde_json::from_value(value).map_err(|e| {
        Error::Decode(format!(
            "HTTP {status}: the result has an unexpected shape ({e})"
        ))
    })?;
    Ok(Envelope {
        result: body.result,
        result_info: body.result_info.map(ResultInfo::from),
    })
}

/// A result that older API versions sent as an array and newer ones as a single object
/// (create store).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany<T> {
    Many(Vec<T>),
    One(T),
}

impl<T> OneOrMany<T> {
    /// The single item, or a decode error when the array is empty.
    pub fn into_single(self, what: &str) -> Result<T, Error> {
        match self {
            OneOrMany::One(item) => Ok(item),
            OneOrMany::Many(items) => items
                .into_iter()
                .next()
                .ok_or_else(|| Error::Decode(format!("the response carried no {what}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::models::{Quota, QuotaResult, Secret, Store};

    const SECRET_LIST: &str = r#"{"success":true,"errors":[],"messages":[],
        "result":[{"id":"3fd85f74b32742f1bff64a85009dda07","store_id":"023e105f4ecef8ad9ca31a8372d0c353",
                   "name":"MY_API_KEY","status":"pending","created":"2023-09-21T18:56:32.624632Z",
                   "modified":"2023-09-21T18:56:32.624632Z","comment":"info","scopes":["workers"]}],
        "result_info":{"page":1,"per_page":20,"count":1,"total_count":1,"total_pages":1}}"#;

    #[test]
    fn parses_a_secret_list_with_result_info() {
        let envelope = parse::<Vec<Secret>>(200, SECRET_LIST.as_bytes()).unwrap();
        let secrets = envelope.result.unwrap();
        assert_eq!(secrets.len(), 1);
        assert_eq!(secrets[0].name, "MY_API_KEY");
        assert_eq!(
            secrets[0].scopes.as_deref(),
            Some(&["workers".to_string()][..])
        );
        assert_eq!(secrets[0].comment.as_deref(), Some("info"));
        let info = envelope.result_info.unwrap();
        assert_eq!(info.total_pages, Some(1));
        assert_eq!(info.per_page, Some(20));
    }

    #[test]
    fn tolerates_old_secrets_without_scopes_and_missing_result_info() {
        let body = r#"{"success":true,"errors":[],"messages":[],"result":[{"id":"a","store_id":"s",
            "name":"N","status":"active","created":"c","modified":"m"}]}"#;
        let envelope = parse::<Vec<Secret>>(200, body.as_bytes()).unwrap();
        let secret = &envelope.result.unwrap()[0];
        assert_eq!(secret.scopes, None);
        assert_eq!(secret.comment, None);
        assert!(envelope.result_info.is_none());
    }

    #[test]
    fn create_store_result_may_be_an_object_or_an_array() {
        let store = r#"{"id":"023e105f4ecef8ad9ca31a8372d0c353","name":"service_x_keys",
            "created":"2023-09-21T18:56:32.624632Z","modified":"2023-09-21T18:56:32.624632Z"}"#;
        for result in [store.to_string(), format!("[{store}]")] {
            let body = format!(r#"{{"success":true,"errors":[],"messages":[],"result":{result}}}"#);
            let store = parse::<OneOrMany<Store>>(200, body.as_bytes())
                .unwrap()
                .into_result("store")
                .unwrap()
                .into_single("store")
                .unwrap();
            assert_eq!(store.name, "service_x_keys");
            assert_eq!(store.account_id, None);
        }
        let empty = r#"{"success":true,"errors":[],"messages":[],"result":[]}"#;
        let err = parse::<OneOrMany<Store>>(200, empty.as_bytes())
            .unwrap()
            .into_result("store")
            .unwrap()
            .into_single("store")
            .unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
    }

    #[test]
    fn delete_results_may_be_null_object_array_or_absent() {
        for result in [
            r#","result":null"#,
            r#","result":{"id":"x"}"#,
            r#","result":[{"id":"x"}]"#,
            "",
        ] {
            let body = format!(r#"{{"success":true,"errors":[],"messages":[]{result}}}"#);
            parse::<serde::de::IgnoredAny>(202, body.as_bytes()).unwrap();
        }
    }

    #[test]
    fn failures_become_api_errors_with_their_messages() {
        let body = r#"{"success":false,"errors":[{"code":1003,"message":"maximum_stores_exceeded"}],
            "messages":[],"result":null}"#;
        let err = parse::<OneOrMany<Store>>(400, body.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxStoresExceeded);
        assert_eq!(err.status(), Some(400));
        assert_eq!(
            err.to_string(),
            "Cloudflare API returned HTTP 400: maximum_stores_exceeded [code: 1003]"
        );
    }

    #[test]
    fn success_false_with_http_200_is_still_an_error() {
        let body = r#"{"success":false,"errors":[{"code":1001,"message":"secret_not_found"}],
            "messages":[],"result":null}"#;
        let err = parse::<Secret>(200, body.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    }

    #[test]
    fn error_chains_are_kept_in_the_message() {
        let body = r#"{"success":false,"errors":[{"code":6003,"message":"Invalid request headers",
            "error_chain":[{"code":6111,"message":"Invalid format for Authorization header"}]}],
            "messages":[],"result":null}"#;
        let err = parse::<Secret>(400, body.as_bytes()).unwrap_err();
        assert_eq!(
            err.messages()[0].message,
            "Invalid request headers (Invalid format for Authorization header [code: 6111])"
        );
        assert_eq!(err.messages()[0].code, 6003);
    }

    #[test]
    fn non_json_error_bodies_keep_the_status() {
        let err = parse::<Secret>(502, b"<html>Bad gateway</html>").unwrap_err();
        assert_eq!(err.status(), Some(502));
        assert!(err.is_retryable());
        assert!(err.to_string().contains("no error details"), "{err}");
    }

    #[test]
    fn non_json_success_bodies_are_decode_errors() {
        let err = parse::<Secret>(200, b"hello").unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        let err = parse::<Secret>(200, b"[1,2]").unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
    }

    #[test]
    fn a_result_of_the_wrong_shape_is_a_decode_error() {
        let body = r#"{"success":true,"errors":[],"messages":[],"result":{"id":5}}"#;
        let err = parse::<Secret>(200, body.as_bytes()).unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
    }

    #[test]
    fn quota_numbers_may_be_floats() {
        let body = r#"{"success":true,"errors":[],"messages":[],
            "result":{"secrets":{"quota":100.0,"usage":2}}}"#;
        let quota: Quota = parse::<QuotaResult>(200, body.as_bytes())
            .unwrap()
            .into_result("quota")
            .unwrap()
            .into();
        assert_eq!(
            quota,
            Quota {
                quota: 100,
                usage: 2
            }
        );
    }
}
