//! What every client trusts, built once: one rustls configuration, its root store read
//! once and shared by every virtual user's client (10,000 users each parsing the
//! system's store took a gigabyte); and every refusal rustls can give, in words.

use std::io::Read;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::Resumption;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    AlertDescription, CertRevocationListError, CertificateError, ClientConfig,
    DigitallySignedStruct, Error, PeerIncompatible, RootCertStore, SignatureScheme,
};

use super::ProbeArgs;
use crate::text::safe;

/// The most read of a `--cacert` file: a bundle of a few hundred certificates.
const MAX_CACERT_BYTES: u64 = 1024 * 1024;

/// TLS sessions a virtual user remembers: it talks to one host.
const SESSIONS_PER_USER: usize = 4;

/// The TLS configuration every client starts from.
pub struct Trust {
    config: ClientConfig,
}

impl Trust {
    /// The system's roots (for https only) and `--cacert`'s certificates, or nothing
    /// checked at all with `--insecure`.
    pub fn new(args: &ProbeArgs, https: bool) -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        if let Some(path) = &args.cacert {
            let shown = safe(&path.display().to_string()).into_owned();
            let mut pem = Vec::new();
            std::fs::File::open(path)
                .and_then(|file| file.take(MAX_CACERT_BYTES + 1).read_to_end(&mut pem))
                .map_err(|err| format!("--cacert {shown}: {err}"))?;
            if pem.len() as u64 > MAX_CACERT_BYTES {
                return Err(format!("--cacert {shown} is larger than 1 MiB"));
            }
            let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    format!("--cacert {shown} holds a PEM section that cannot be read (its BEGIN and END lines, or its base64)")
                })?;
            if certificates.is_empty() {
                return Err(format!("--cacert {shown} holds no PEM certificate"));
            }
            for (n, certificate) in certificates.into_iter().enumerate() {
                roots.add(certificate).map_err(|err| {
                    format!(
                        "--cacert {shown}: certificate {} cannot be trusted: {}",
                        n + 1,
                        describe(&err)
                    )
                })?;
            }
        }
        // A plain http probe never looks at a certificate: no store to read.
        if https && !args.insecure {
            // Unreadable entries of the system's store are left out, as a TLS client
            // does; a certificate they would have vouched for is then refused, named.
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        }
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|err| format!("no TLS configuration: {}", describe(&err)))?;
        let mut config = if args.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
                .with_no_client_auth()
        } else {
            builder
                .with_root_certificates(Arc::new(roots))
                .with_no_client_auth()
        };
        // HTTP/1.1 only, as the client speaks it.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self { config })
    }

    /// The configuration of one client: the same verifier, roots and provider (shared,
    /// not copied); a session cache of its own for a virtual user, as each browser has.
    pub fn config(&self, per_user: bool) -> ClientConfig {
        let mut config = self.config.clone();
        if per_user {
            config.resumption = Resumption::in_memory_sessions(SESSIONS_PER_USER);
        }
        config
    }
}

/// `--insecure`: any certificate is taken, but the handshake's signatures are still
/// checked against the key it carries.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A refused handshake in words: `certificate not accepted: …` for what `--cacert` and
/// `--insecure` are for, `TLS failed: …` for the rest. rustls's own Display of many
/// of its errors is a debug dump of its types; none of that reaches the user.
pub fn describe(error: &Error) -> String {
    match error {
        Error::InvalidCertificate(why) => {
            format!("certificate not accepted: {}", certificate_words(why))
        }
        other => format!("TLS failed: {}", error_words(other)),
    }
}

fn error_words(error: &Error) -> String {
    match error {
        Error::InvalidCertificate(why) => certificate_words(why),
        Error::InappropriateMessage { .. } | Error::InappropriateHandshakeMessage { .. } => {
            "the server sent a TLS message out of turn".into()
        }
        Error::InvalidEncryptedClientHello(_) => {
            "the server's encrypted client hello settings cannot be used".into()
        }
        Error::InvalidMessage(_) => "the server sent a malformed TLS message".into(),
        Error::NoCertificatesPresented => "the server presented no certificate".into(),
        Error::UnsupportedNameType => "the host name cannot be used for TLS".into(),
        Error::DecryptError => "a TLS record could not be decrypted".into(),
        Error::EncryptError => "a TLS record could not be encrypted".into(),
        Error::PeerIncompatible(why) => incompatible_words(why),
        Error::PeerMisbehaved(_) => "the server broke the TLS protocol".into(),
        Error::AlertReceived(alert) => alert_words(*alert),
        Error::InvalidCertRevocationList(why) => {
            format!("a revocation list is unusable: {}", crl_words(why))
        }
        Error::General(_) => "the TLS library failed".into(),
        Error::FailedToGetCurrentTime => "the system clock could not be read".into(),
        Error::FailedToGetRandomBytes => "the system gave no random bytes".into(),
        Error::HandshakeNotComplete => "the handshake did not complete".into(),
        Error::PeerSentOversizedRecord => "the server sent an oversized TLS record".into(),
        Error::NoApplicationProtocol => "the server speaks no HTTP/1.1 over TLS (ALPN)".into(),
        Error::BadMaxFragmentSize => "the TLS fragment size is invalid".into(),
        Error::InconsistentKeys(_) => "a certificate does not match its private key".into(),
        Error::Other(_) => "the TLS library failed for a reason of its own".into(),
        _ => "the TLS handshake failed".into(),
    }
}

// The deprecated variants are still what some verifier paths give.
#[allow(deprecated)]
fn certificate_words(error: &CertificateError) -> String {
    use CertificateError as E;
    match error {
        E::BadEncoding => "the certificate is malformed".into(),
        E::Expired => "expired".into(),
        E::ExpiredContext { not_after, .. } => format!("expired on {}", date(*not_after)),
        E::NotValidYet => "not valid yet".into(),
        E::NotValidYetContext { not_before, .. } => {
            format!("not valid until {}", date(*not_before))
        }
        E::Revoked => "revoked".into(),
        E::UnhandledCriticalExtension => {
            "it has a critical extension this client does not know".into()
        }
        E::UnknownIssuer => "unknown issuer (give its CA with --cacert)".into(),
        E::UnknownRevocationStatus => "its revocation status is unknown".into(),
        E::ExpiredRevocationList | E::ExpiredRevocationListContext { .. } => {
            "the revocation list that covers it has expired".into()
        }
        E::BadSignature => "bad signature".into(),
        E::UnsupportedSignatureAlgorithm | E::UnsupportedSignatureAlgorithmContext { .. } => {
            "signed with an algorithm this client does not support".into()
        }
        E::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "signed with an algorithm that does not fit its issuer's key".into()
        }
        E::NotValidForName | E::NotValidForNameContext { .. } => {
            "not valid for this host name".into()
        }
        E::InvalidPurpose | E::InvalidPurposeContext { .. } => "not issued for a TLS server".into(),
        E::InvalidOcspResponse => "its OCSP response is invalid".into(),
        E::ApplicationVerificationFailure => "refused by this client's own check".into(),
        E::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            Some(why) => webpki_words(why),
            None => "refused by the certificate verifier".into(),
        },
        _ => "refused by the certificate verifier".into(),
    }
}

/// The reasons rustls passes on from its certificate verifier without a variant of
/// its own.
// The deprecated variants are still what some verifier paths give.
#[allow(deprecated)]
fn webpki_words(error: &webpki::Error) -> String {
    use webpki::Error as W;
    match error {
        W::CaUsedAsEndEntity => {
            "the server presents a CA certificate as its own (it needs one that CA signed)"
        }
        W::EndEntityUsedAsCa => "a server certificate is used as a CA in the chain",
        W::CertDistrusted => "its issuer is distrusted",
        W::PathLenConstraintViolated => "the chain is longer than a CA in it allows",
        W::NameConstraintViolation => "a CA in the chain is not allowed to vouch for this name",
        W::MaximumPathDepthExceeded
        | W::MaximumPathBuildCallsExceeded
        | W::MaximumSignatureChecksExceeded
        | W::MaximumNameConstraintComparisonsExceeded => {
            "the chain is too long or too tangled to check"
        }
        W::UnsupportedCertVersion => "the certificate is of an unsupported X.509 version",
        W::UnsupportedCriticalExtension => "it has a critical extension this client does not know",
        W::UnsupportedNameType => "it names the host in a form this client does not support",
        W::SignatureAlgorithmMismatch => "its signature algorithms disagree with each other",
        W::EmptyEkuExtension | W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) => {
            "not issued for a TLS server"
        }
        W::InvalidCertValidity => "its validity period is invalid",
        W::InvalidSerialNumber => "its serial number is invalid",
        _ => "the certificate is malformed or breaks a rule of the web PKI",
    }
    .into()
}

// The deprecated variants are still what some verifier paths give.
#[allow(deprecated)]
fn crl_words(error: &CertRevocationListError) -> &'static str {
    use CertRevocationListError as C;
    match error {
        C::BadSignature => "bad signature",
        C::UnsupportedSignatureAlgorithm
        | C::UnsupportedSignatureAlgorithmContext { .. }
        | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "signed with an algorithm this client does not support"
        }
        C::InvalidCrlNumber => "its number is invalid",
        C::InvalidRevokedCertSerialNumber => "a serial number in it is invalid",
        C::IssuerInvalidForCrl => "its issuer may not sign revocation lists",
        C::ParseError => "it is malformed",
        C::UnsupportedCrlVersion
        | C::UnsupportedCriticalExtension
        | C::UnsupportedDeltaCrl
        | C::UnsupportedIndirectCrl
        | C::UnsupportedRevocationReason => "it uses a feature this client does not support",
        _ => "it cannot be used",
    }
}

fn incompatible_words(error: &PeerIncompatible) -> String {
    use PeerIncompatible as P;
    match error {
        P::NoCipherSuitesInCommon => "the server and this client share no cipher suite",
        P::NoKxGroupsInCommon => "the server and this client share no key exchange group",
        P::NoSignatureSchemesInCommon | P::NoCertificateRequestSignatureSchemesInCommon => {
            "the server and this client share no signature scheme"
        }
        P::ServerDoesNotSupportTls12Or13
        | P::Tls12NotOffered
        | P::Tls12NotOfferedOrEnabled
        | P::ServerTlsVersionIsDisabledByOurConfig => {
            "the server speaks neither TLS 1.2 nor TLS 1.3"
        }
        _ => "the server's TLS is incompatible with this client's",
    }
    .into()
}

fn alert_words(alert: AlertDescription) -> String {
    use AlertDescription as A;
    let words = match alert {
        A::HandshakeFailure => "the server refused the handshake (no settings in common)",
        A::ProtocolVersion => "the server refused this client's TLS versions",
        A::UnrecognisedName => "the server does not serve this host name",
        A::BadCertificate | A::UnsupportedCertificate | A::CertificateUnknown => {
            "the server refused a certificate"
        }
        A::CertificateRequired | A::NoCertificate => {
            "the server asks for a client certificate, which probe does not send"
        }
        A::AccessDenied => "the server denied access",
        A::InsufficientSecurity => "the server wants stronger settings than offered",
        A::InternalError => "the server had an internal error",
        A::NoApplicationProtocol => "the server speaks no HTTP/1.1 over TLS (ALPN)",
        A::DecodeError | A::IllegalParameter | A::UnexpectedMessage | A::DecryptError => {
            "the server could not understand this client's handshake"
        }
        _ => {
            return format!(
                "the server ended the handshake with TLS alert {}",
                u8::from(alert)
            )
        }
    };
    words.into()
}

/// A certificate's date, as a person reads it.
fn date(time: UnixTime) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(time.as_secs());
    humantime::format_rfc3339_seconds(at).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_is_words_not_a_dump() {
        let other = |e: webpki::Error| {
            Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(Arc::new(e))))
        };
        let samples = [
            Error::InvalidCertificate(CertificateError::UnknownIssuer),
            Error::InvalidCertificate(
                CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext {
                    signature_algorithm_id: vec![1, 2, 3],
                    public_key_algorithm_id: vec![4, 5],
                },
            ),
            Error::InvalidCertificate(CertificateError::ExpiredContext {
                time: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_800_000_000)),
                not_after: UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                    1_700_000_000,
                )),
            }),
            other(webpki::Error::CaUsedAsEndEntity),
            other(webpki::Error::MalformedExtensions),
            Error::PeerMisbehaved(rustls::PeerMisbehaved::IllegalMiddleboxChangeCipherSpec),
            Error::PeerIncompatible(PeerIncompatible::NoCipherSuitesInCommon),
            Error::AlertReceived(AlertDescription::HandshakeFailure),
            Error::AlertReceived(AlertDescription::Unknown(200)),
            Error::InvalidMessage(rustls::InvalidMessage::MissingData("x")),
            Error::General("detail".into()),
        ];
        for error in samples {
            let words = describe(&error);
            // A type's name (`UnknownIssuer`) or a struct's braces: a dump, not words.
            let type_name = words.split_whitespace().find(|word| {
                word.chars()
                    .zip(word.chars().skip(1))
                    .any(|(a, b)| a.is_lowercase() && b.is_uppercase())
            });
            assert!(type_name.is_none() && !words.contains('{'), "{words}");
        }
        assert_eq!(
            describe(&other(webpki::Error::CaUsedAsEndEntity)),
            "certificate not accepted: the server presents a CA certificate as its own (it needs one that CA signed)"
        );
        assert_eq!(
            describe(&Error::InvalidCertificate(
                CertificateError::ExpiredContext {
                    time: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_800_000_000)),
                    not_after: UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                        1_700_000_000
                    )),
                }
            )),
            "certificate not accepted: expired on 2023-11-14T22:13:20Z"
        );
        assert_eq!(
            describe(&Error::AlertReceived(AlertDescription::Unknown(200))),
            "TLS failed: the server ended the handshake with TLS alert 200"
        );
    }
}
