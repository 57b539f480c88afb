//! The one place that parses the Cloudflare v4 response envelope (`success`, `errors`,
//! `result`, `result_info`), tolerant of the older and newer shapes of the Secrets Store API.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::error::{ApiMessage, Error};

/// A successful response: the `result` (absent or `null` become `None`) and paging info.
#[derive(Debug)]
pub(crate) struct Envelope<T> {
    pub(crate) result: Option<T>,
    pub(crate) result_info: Option<ResultInfo>,
}

impl<T> Envelope<T> {
    /// The result, or a decode error naming what was expected.
    pub(crate) fn into_result(self, what: &str) -> Result<T, Error> {
        self.result
            .ok_or_else(|| Error::Decode(format!("the response carried no {what}")))
    }
}

/// `result_info` of list responses: what tells the last page. Every field is optional and may
/// be int or float; a negative or non-finite number counts as absent.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub(crate) struct ResultInfo {
    #[serde(default, deserialize_with = "whole_number")]
    pub per_page: Option<u64>,
    #[serde(default, deserialize_with = "whole_number")]
    pub total_count: Option<u64>,
    #[serde(default, deserialize_with = "whole_number")]
    pub total_pages: Option<u64>,
}

fn whole(number: Option<f64>) -> Option<u64> {
    number
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| n as u64)
}

fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Ok(whole(Option::<f64>::deserialize(deserializer)?))
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
    result_info: Option<ResultInfo>,
}

fn none<T>() -> Option<T> {
    None
}

/// Parses a response of HTTP `status`: a failure (non-2xx or `success: false`) becomes
/// [`Error::Api`] with the envelope's `errors[]` (empty when the body is not an envelope,
/// e.g. an HTML page from a proxy); a success yields the typed `result`.
pub(super) fn parse<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<Envelope<T>, Error> {
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
        result_info: body.result_info,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::error::ErrorKind;
    use serde_json::Value;

    #[test]
    fn parses_the_result_and_result_info_whose_numbers_may_be_floats() {
        let body = r#"{"success":true,"errors":[],"messages":[],"result":[{"id":"a"},{"id":"b"}],
            "result_info":{"page":1,"per_page":20.0,"count":2,"total_count":2,"total_pages":1}}"#;
        let envelope = parse::<Vec<Value>>(200, body.as_bytes()).unwrap();
        assert_eq!(envelope.result.unwrap().len(), 2);
        let info = envelope.result_info.unwrap();
        assert_eq!(info.total_pages, Some(1));
        assert_eq!(info.per_page, Some(20));
        let odd = r#"{"success":true,"errors":[],"messages":[],"result":[],
            "result_info":{"per_page":null,"total_count":-1}}"#;
        let info = parse::<Vec<Value>>(200, odd.as_bytes())
            .unwrap()
            .result_info;
        assert_eq!(
            info,
            Some(ResultInfo::default()),
            "null and negative count as absent"
        );
        let bare = r#"{"success":true,"errors":[],"messages":[],"result":[]}"#;
        let envelope = parse::<Vec<Value>>(200, bare.as_bytes()).unwrap();
        assert!(envelope.result_info.is_none());
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
        let err = parse::<Value>(400, body.as_bytes()).unwrap_err();
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
        let err = parse::<Value>(200, body.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    }

    #[test]
    fn error_chains_are_kept_in_the_message() {
        let body = r#"{"success":false,"errors":[{"code":6003,"message":"Invalid request headers",
            "error_chain":[{"code":6111,"message":"Invalid format for Authorization header"}]}],
            "messages":[],"result":null}"#;
        let err = parse::<Value>(400, body.as_bytes()).unwrap_err();
        assert_eq!(
            err.messages()[0].message,
            "Invalid request headers (Invalid format for Authorization header [code: 6111])"
        );
        assert_eq!(err.messages()[0].code, 6003);
    }

    #[test]
    fn non_json_error_bodies_keep_the_status() {
        let err = parse::<Value>(502, b"<html>Bad gateway</html>").unwrap_err();
        assert_eq!(err.status(), Some(502));
        assert!(err.is_retryable());
        assert!(err.to_string().contains("no error details"), "{err}");
    }

    #[test]
    fn non_json_success_bodies_are_decode_errors() {
        for body in [&b"hello"[..], b"[1,2]"] {
            let err = parse::<Value>(200, body).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
        }
    }

    #[test]
    fn a_result_of_the_wrong_shape_is_a_decode_error() {
        #[derive(Debug, Deserialize)]
        struct Named {
            #[allow(dead_code)]
            name: String,
        }
        let body = r#"{"success":true,"errors":[],"messages":[],"result":{"id":5}}"#;
        let err = parse::<Named>(200, body.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
    }
}
