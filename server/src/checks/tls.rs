//! TLS for probes: the handshake always completes so the certificate can be read, while
//! the usual verification (Mozilla's roots, host name, validity) runs alongside and its
//! verdict is kept for the check to judge.

use super::probe::{Failure, Findings, Step};
use app::checks::Problem;
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::crypto::{ring, CryptoProvider};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error, ProtocolVersion, RootCertStore,
    SignatureScheme,
};
use tokio_rustls::TlsConnector;

/// The service's certificate as the handshake showed it.
#[derive(Clone, Debug)]
pub struct Certificate {
    pub not_after: DateTime<Utc>,
    /// `CN=…` of the subject, or the whole subject without a common name.
    pub subject: String,
    /// Whether the usual verification accepts it, else why not.
    pub trust: Result<(), String>,
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// The standard verifier over Mozilla's root certificates, built once.
fn standard_verifier() -> Result<Arc<WebPkiServerVerifier>, String> {
    static VERIFIER: OnceLock<Result<Arc<WebPkiServerVerifier>, String>> = OnceLock::new();
    VERIFIER
        .get_or_init(|| {
            let roots = RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(|error| error.to_string())
        })
        .clone()
}

/// Runs the standard verification, notes its verdict, and lets the handshake go on. The
/// handshake signatures are still checked, so the peer does hold the certificate's key.
#[derive(Debug)]
struct NotingVerifier {
    standard: Arc<WebPkiServerVerifier>,
    verdict: Mutex<Option<Result<(), String>>>,
}

impl ServerCertVerifier for NotingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verdict = self
            .standard
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map(drop)
            .map_err(|error| untrusted_reason(&error));
        if let Ok(mut slot) = self.verdict.lock() {
            *slot = Some(verdict);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.standard.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.standard.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.standard.supported_verify_schemes()
    }
}

fn untrusted_reason(error: &Error) -> String {
    match error {
        Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "issued by an unknown authority (self-signed or a private CA)".to_owned()
        }
        Error::InvalidCertificate(CertificateError::NotValidForName) => {
            "not valid for this host name".to_owned()
        }
        Error::InvalidCertificate(CertificateError::Expired) => "expired".to_owned(),
        Error::InvalidCertificate(CertificateError::NotValidYet) => "not valid yet".to_owned(),
        Error::InvalidCertificate(CertificateError::Revoked) => "revoked".to_owned(),
        other => other.to_string(),
    }
}

/// The TLS handshake as a client of `host`; notes the certificate in `findings`.
pub async fn handshake(
    stream: TcpStream,
    host: &str,
    findings: &mut Findings,
) -> Step<TlsStream<TcpStream>> {
    let standard =
        standard_verifier().map_err(|error| Failure::new(Problem::TlsHandshake, error))?;
    let verifier = Arc::new(NotingVerifier {
        standard,
        verdict: Mutex::new(None),
    });
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|error| Failure::new(Problem::TlsHandshake, error.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
    )
    .map_err(|_| {
        Failure::new(
            Problem::TlsHandshake,
            format!("{host} is no TLS server name"),
        )
    })?;
    let tls = TlsConnector::from(Arc::new(config))
        .connect(name, stream)
        .await
        .map_err(|error| Failure::new(Problem::TlsHandshake, error.to_string()))?;
    let der = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .ok_or_else(|| Failure::new(Problem::TlsHandshake, "the service sent no certificate"))?;
    let (_, parsed) = x509_parser::parse_x509_certificate(der.as_ref()).map_err(|error| {
        Failure::new(
            Problem::TlsHandshake,
            format!("the certificate is unreadable: {error}"),
        )
    })?;
    let not_after = DateTime::from_timestamp(parsed.validity().not_after.timestamp(), 0)
        .ok_or_else(|| {
            Failure::new(
                Problem::TlsHandshake,
                "the certificate's expiry is out of range",
            )
        })?;
    let subject = parsed
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(|cn| format!("CN={cn}"))
        .unwrap_or_else(|| parsed.subject().to_string());
    let trust = verifier
        .verdict
        .lock()
        .ok()
        .and_then(|verdict| verdict.clone())
        .unwrap_or_else(|| Err("not verified".to_owned()));
    findings.certificate = Some(Certificate {
        not_after,
        subject,
        trust,
    });
    Ok(tls)
}

/// "TLS 1.3" and the like, for the detail of a bare TLS check.
pub fn describe(tls: &TlsStream<TcpStream>) -> String {
    match tls.get_ref().1.protocol_version() {
        Some(ProtocolVersion::TLSv1_3) => "TLS 1.3 handshake".to_owned(),
        Some(ProtocolVersion::TLSv1_2) => "TLS 1.2 handshake".to_owned(),
        Some(other) => format!("{other:?} handshake"),
        None => "TLS handshake".to_owned(),
    }
}
