//! The response-body cap: an answer of exactly 16 MiB is read, one byte more is refused with a
//! clear error, whether or not the server announces its length.

mod client_support;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use client_support::{ACCOUNT, fast_config, token};
use cloudflare_api::{Client, Error};

/// The client's cap on a response body (its error message names it: "larger than 16 MiB").
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

const QUOTA: &str =
    r#"{"success":true,"errors":[],"messages":[],"result":{"secrets":{"quota":100,"usage":7}}}"#;

/// Serves every request with the quota envelope padded with spaces to `size` bytes, with a
/// `Content-Length` or streamed in chunks without one.
async fn server(size: usize, announce_length: bool) -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(move || async move {
        let mut body = QUOTA.as_bytes().to_vec();
        body.resize(size, b' ');
        let mut response = if announce_length {
            Response::new(Body::from(body))
        } else {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                body.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
            Response::new(Body::from_stream(tokio_stream::iter(chunks)))
        };
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Client::new(fast_config(&format!("http://{address}/client/v4"), token())).unwrap()
}

#[tokio::test]
async fn a_response_at_the_cap_is_read() {
    for announce_length in [true, false] {
        let client = server(MAX_RESPONSE_BYTES, announce_length).await;
        let quota = client.quota(ACCOUNT).await.unwrap();
        assert_eq!((quota.quota, quota.usage), (100, 7));
    }
}

#[tokio::test]
async fn a_response_one_byte_past_the_cap_is_refused() {
    for announce_length in [true, false] {
        let client = server(MAX_RESPONSE_BYTES + 1, announce_length).await;
        let error = client.quota(ACCOUNT).await.unwrap_err();
        assert!(matches!(error, Error::Decode(_)), "{error:?}");
        let message = error.to_string();
        assert!(message.contains("larger than 16 MiB"), "{message}");
        assert!(message.contains("base_url"), "{message}");
    }
}
