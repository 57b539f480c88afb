//! `CredentialKey`: which user a request counts against, as a keyed hash of its credential
//! (the credential text itself is never kept).

use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use axum::http::{HeaderMap, header};

/// One user's key in the rate budget: a hash of the request's `Authorization` header, or of its
/// `X-Auth-Email` (case-insensitive) and `X-Auth-Key` pair, salted per emulator so it is no
/// stable fingerprint of the credential. Requests without credentials share one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CredentialKey(u64);

/// Hashes credentials with a salt chosen when the emulator starts.
#[derive(Debug, Default)]
pub(crate) struct CredentialHasher {
    salt: RandomState,
}

impl CredentialHasher {
    /// The key of the credential in `headers`, valid or not: a wrong token counts under its own key.
    pub fn key_of(&self, headers: &HeaderMap) -> CredentialKey {
        let mut hasher = self.salt.build_hasher();
        if let Some(authorization) = headers.get(header::AUTHORIZATION) {
            "token".hash(&mut hasher);
            authorization.as_bytes().hash(&mut hasher);
        } else {
            "key".hash(&mut hasher);
            let email = headers.get("x-auth-email").map(|value| value.as_bytes());
            email
                .map(<[u8]>::to_ascii_lowercase)
                .unwrap_or_default()
                .hash(&mut hasher);
            let key = headers.get("x-auth-key").map(|value| value.as_bytes());
            key.unwrap_or_default().hash(&mut hasher);
        }
        CredentialKey(hasher.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn each_credential_has_its_own_key_and_the_same_credential_the_same_key() {
        let hasher = CredentialHasher::default();
        let key = |pairs: &[(&'static str, &'static str)]| hasher.key_of(&headers(pairs));
        let token = key(&[("authorization", "Bearer a")]);
        assert_eq!(token, key(&[("authorization", "Bearer a")]));
        assert_ne!(token, key(&[("authorization", "Bearer b")]));
        let pair = key(&[("x-auth-email", "Me@example.com"), ("x-auth-key", "k")]);
        assert_eq!(
            pair,
            key(&[("x-auth-email", "me@example.com"), ("x-auth-key", "k")])
        );
        assert_ne!(
            pair,
            key(&[("x-auth-email", "me@example.com"), ("x-auth-key", "other")])
        );
        assert_ne!(pair, token);
        assert_eq!(key(&[]), key(&[]));
    }

    #[test]
    fn debug_output_shows_no_credential() {
        let hasher = CredentialHasher::default();
        let shown = format!(
            "{:?}",
            hasher.key_of(&headers(&[("authorization", "Bearer very-secret")]))
        );
        assert!(!shown.contains("very-secret"), "{shown}");
    }
}
