//! `Lookup`: what a read that a plan, a refresh or a data source depends on found: the object,
//! its absence, or a failure that names the request.
//!
//! The rule it carries: a plan is never built on a failed read. A request that was made and
//! failed (5xx or a connection error after the retries, 401/403, a timeout, an answer that cannot
//! be read) is [`Lookup::Failed`], which callers turn into an error diagnostic on the resource
//! that needed it; never into an unknown value, a null state or "not found". Only a real 404 for
//! the object itself (or for the store that held it) is [`Lookup::Absent`].
//!
//! The fallbacks `Service` may take, all on an absence, never on a failure:
//! * a secret missing from the shared listing of its store is read with its own GET (it may be
//!   newer than the listing);
//! * a store whose shared listing shows no secrets (or 404s) is read with its own GET: an empty
//!   listing proves nothing about the store;
//! * a name the listing does not show as `active` is looked up with the API's search.

use cloudflare_api::{Error, ErrorKind};

/// The outcome of one lookup.
#[derive(Clone, Debug)]
pub enum Lookup<T> {
    Found(T),
    /// The API answered that the object does not exist.
    Absent,
    /// A request was made and failed.
    Failed(ReadFailure),
}

/// A failed request: which one, and the error it ended with. Never holds a secret value or a
/// credential (`Error` does not).
#[derive(Clone, Debug)]
pub struct ReadFailure {
    /// The request, e.g. `GET /accounts/…/secrets_store/stores`.
    pub request: String,
    pub error: Error,
}

impl ReadFailure {
    pub fn new(request: String, error: Error) -> ReadFailure {
        ReadFailure { request, error }
    }
}

impl<T> Lookup<T> {
    /// `Found(f(t))`, the absence or the failure unchanged.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Lookup<U> {
        match self {
            Lookup::Found(t) => Lookup::Found(f(t)),
            Lookup::Absent => Lookup::Absent,
            Lookup::Failed(failure) => Lookup::Failed(failure),
        }
    }

    /// The object, its absence (`None`), or the failure as an error.
    pub fn into_result(self) -> Result<Option<T>, ReadFailure> {
        match self {
            Lookup::Found(t) => Ok(Some(t)),
            Lookup::Absent => Ok(None),
            Lookup::Failed(failure) => Err(failure),
        }
    }

    /// Sorts the answer of one request: a 404 for the object is an absence, any other error a
    /// failure of `request`.
    pub fn from_response(request: impl FnOnce() -> String, answer: Result<T, Error>) -> Lookup<T> {
        match answer {
            Ok(t) => Lookup::Found(t),
            Err(e) if e.kind() == ErrorKind::NotFound => Lookup::Absent,
            Err(e) => Lookup::Failed(ReadFailure::new(request(), e)),
        }
    }
}

/// `GET /accounts/{account_id}/secrets_store/{rest}`: how diagnostics name a read.
pub fn get_request(account_id: &str, rest: &str) -> String {
    format!("GET /accounts/{account_id}/secrets_store/{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudflare_api::ApiMessage;

    fn api(status: u16, code: u32, message: &str) -> Error {
        Error::Api {
            status,
            errors: vec![ApiMessage {
                code,
                message: message.into(),
            }],
        }
    }

    #[test]
    fn only_a_404_for_the_object_is_an_absence() {
        let request = || get_request("acct", "stores/s");
        let absent = Lookup::<()>::from_response(request, Err(api(404, 1001, "store_not_found")));
        assert!(matches!(absent, Lookup::Absent));
        for error in [
            api(503, 1, "unavailable"),
            api(403, 10000, "Authentication error"),
            api(404, 7003, "Could not route to /accounts/acct/secrets_store"),
            Error::Transport("connection refused".into()),
            Error::Timeout(std::time::Duration::from_secs(60)),
        ] {
            match Lookup::<()>::from_response(request, Err(error.clone())) {
                Lookup::Failed(failure) => {
                    assert_eq!(failure.request, "GET /accounts/acct/secrets_store/stores/s");
                    assert_eq!(failure.error.to_string(), error.to_string());
                }
                other => panic!("{error} must be a failure, got {other:?}"),
            }
        }
        let found = Lookup::from_response(request, Ok(7)).map(|n| n * 2);
        assert_eq!(found.into_result().unwrap(), Some(14));
    }
}
