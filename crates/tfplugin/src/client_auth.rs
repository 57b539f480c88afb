//! Pinning the host's client certificate (`PLUGIN_CLIENT_CERT`): only the process that started
//! the plugin may talk to it. ECDSA P-521 handshake signatures are checked with the `p521` crate.
//!
//! A hand-written verifier: Terraform's certificate is a self-signed CA certificate with a P-521
//! key, which rustls' WebPKI verifier refuses as a client certificate and ring cannot verify;
//! pinning it byte for byte needs no chain at all.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm,
    UnixTime, alg_id,
};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};

/// The environment variable in which go-plugin hosts pass their client certificate (PEM).
pub const CLIENT_CERT_ENV: &str = "PLUGIN_CLIENT_CERT";

/// Parses the host's client certificate: exactly one PEM `CERTIFICATE` block.
pub fn parse_client_certificate(pem: &str) -> Result<CertificateDer<'static>, String> {
    let mut certificates = CertificateDer::pem_slice_iter(pem.as_bytes());
    let first = certificates
        .next()
        .ok_or_else(|| format!("{CLIENT_CERT_ENV} holds no PEM certificate"))?
        .map_err(|e| format!("{CLIENT_CERT_ENV} is not a valid PEM certificate: {e}"))?;
    if certificates.next().is_some() {
        return Err(format!(
            "{CLIENT_CERT_ENV} holds more than one certificate; the host passes exactly one"
        ));
    }
    Ok(first)
}

/// Accepts a client only when it presents exactly `expected`, byte for byte, and proves it holds
/// its key. No chain is built: the certificate is self-signed and pinned.
#[derive(Debug)]
pub struct PinnedClientCertificate {
    expected: CertificateDer<'static>,
    ring: WebPkiSupportedAlgorithms,
}

impl PinnedClientCertificate {
    /// A verifier for `expected`; schemes other than ECDSA P-521 go through `ring`'s algorithms.
    pub fn new(expected: CertificateDer<'static>, ring: WebPkiSupportedAlgorithms) -> Arc<Self> {
        Arc::new(PinnedClientCertificate { expected, ring })
    }

    /// The algorithms for `scheme`: P-521 from `p521`, everything else from ring.
    fn algorithms(&self, scheme: SignatureScheme) -> &WebPkiSupportedAlgorithms {
        if scheme == SignatureScheme::ECDSA_NISTP521_SHA512 {
            &P521_ALGORITHMS
        } else {
            &self.ring
        }
    }
}

impl ClientCertVerifier for PinnedClientCertificate {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    /// No hints: the host sends its one certificate whatever is hinted.
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            tracing::warn!("refused a connection presenting a certificate other than the host's");
            Err(Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, self.algorithms(dss.scheme))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, self.algorithms(dss.scheme))
    }

    /// Ring's schemes plus `ecdsa_secp521r1_sha512`, which go-plugin's P-521 key signs with: a
    /// client only sends its certificate when the server lists a scheme its key can use.
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        let mut schemes = self.ring.supported_schemes();
        if !schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512) {
            schemes.push(SignatureScheme::ECDSA_NISTP521_SHA512);
        }
        schemes
    }
}

/// ECDSA over NIST P-521 with SHA-512, verified by the pure-Rust `p521` crate.
#[derive(Debug)]
pub struct EcdsaP521Sha512;

impl SignatureVerificationAlgorithm for EcdsaP521Sha512 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        use p521::ecdsa::signature::Verifier;
        let key =
            p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let signature =
            p521::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
        key.verify(message, &signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P521
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_SHA512
    }
}

static P521_SHA512: &dyn SignatureVerificationAlgorithm = &EcdsaP521Sha512;

/// Only `ecdsa_secp521r1_sha512`, for handshake signatures in TLS 1.2 and 1.3.
static P521_ALGORITHMS: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[P521_SHA512],
    mapping: &[(SignatureScheme::ECDSA_NISTP521_SHA512, &[P521_SHA512])],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// A P-521 certificate and key like the ones go-plugin makes (from tests/fixtures).
    const P521_CERT: &str = include_str!("../tests/fixtures/p521_client_cert.pem");
    const P521_KEY: &str = include_str!("../tests/fixtures/p521_client_key.pem");

    fn ring_algorithms() -> WebPkiSupportedAlgorithms {
        rustls::crypto::ring::default_provider().signature_verification_algorithms
    }

    #[test]
    fn pem_parsing_wants_exactly_one_certificate() {
        let der = parse_client_certificate(P521_CERT).unwrap();
        assert!(der.len() > 100);
        let error = parse_client_certificate("").unwrap_err();
        assert!(error.contains("holds no PEM certificate"), "{error}");
        let error = parse_client_certificate(&format!("{P521_CERT}{P521_CERT}")).unwrap_err();
        assert!(error.contains("more than one"), "{error}");
        let error = parse_client_certificate(
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
        )
        .unwrap_err();
        assert!(error.contains("not a valid PEM"), "{error}");
    }

    #[test]
    fn only_the_pinned_certificate_is_accepted() {
        let der = parse_client_certificate(P521_CERT).unwrap();
        let verifier = PinnedClientCertificate::new(der.clone(), ring_algorithms());
        assert!(verifier.client_auth_mandatory());
        assert!(
            verifier
                .verify_client_cert(&der, &[], UnixTime::now())
                .is_ok()
        );
        let mut altered = der.to_vec();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        let result = verifier.verify_client_cert(&altered.into(), &[], UnixTime::now());
        assert!(result.is_err());
        assert!(
            verifier
                .supported_verify_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
        );
    }

    #[test]
    fn p521_signatures_verify_and_forgeries_do_not() {
        use p521::ecdsa::signature::Signer;
        use p521::pkcs8::DecodePrivateKey;
        let key = p521::ecdsa::SigningKey::from_bytes(
            &p521::SecretKey::from_pkcs8_pem(P521_KEY)
                .unwrap()
                .to_bytes(),
        )
        .unwrap();
        let public_key = p521::ecdsa::VerifyingKey::from(&key).to_encoded_point(false);
        let message = b"TLS handshake transcript";
        let signature: p521::ecdsa::Signature = key.sign(message);
        let der = signature.to_der();
        let algorithm = EcdsaP521Sha512;
        assert!(
            algorithm
                .verify_signature(public_key.as_bytes(), message, der.as_bytes())
                .is_ok()
        );
        assert!(
            algorithm
                .verify_signature(public_key.as_bytes(), b"another transcript", der.as_bytes())
                .is_err()
        );
        assert!(
            algorithm
                .verify_signature(public_key.as_bytes(), message, &der.as_bytes()[1..])
                .is_err()
        );
        assert!(
            algorithm
                .verify_signature(&[4, 1, 2, 3], message, der.as_bytes())
                .is_err()
        );
    }
}
