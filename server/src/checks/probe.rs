//! One probe: connect, speak the protocol within the check's timeout, and judge the
//! certificate the TLS handshake (if any) showed. Shared pieces of the line-based
//! protocols live here too.

use super::protocols;
use super::tls::Certificate;
use app::checks::{ProbeOutcome, ProbeTarget, Problem, CERT_WARNING_DAYS};
use chrono::{DateTime, Utc};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::net::TcpStream;

/// Longest line a service may send before we call it broken.
const MAX_LINE: u64 = 8 * 1024;
/// Most lines of one multi-line reply.
const MAX_REPLY_LINES: usize = 200;
/// Longest detail kept (banners can be long).
const MAX_DETAIL_CHARS: usize = 500;

/// Why a probe failed, in the protocol's terms.
#[derive(Debug)]
pub struct Failure {
    pub problem: Problem,
    pub detail: String,
}

impl Failure {
    pub fn new(problem: Problem, detail: impl Into<String>) -> Self {
        Failure {
            problem,
            detail: detail.into(),
        }
    }
}

pub type Step<T> = Result<T, Failure>;

/// What a probe learnt on the way; kept when a later step fails or times out.
#[derive(Default)]
pub struct Findings {
    pub certificate: Option<Certificate>,
    pub status_code: Option<i32>,
}

pub async fn run(target: ProbeTarget) -> ProbeOutcome {
    let checked_at = Utc::now();
    let started = Instant::now();
    let seconds = u64::try_from(target.timeout_seconds.clamp(1, 60)).unwrap_or(10);
    let mut findings = Findings::default();
    let spoken = tokio::time::timeout(
        Duration::from_secs(seconds),
        protocols::speak(&target, &mut findings),
    )
    .await;
    let response_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let (problem, detail) = match spoken {
        Err(_) => (
            Some(Problem::Timeout),
            format!("no complete answer within {seconds} s"),
        ),
        Ok(Err(failure)) => (Some(failure.problem), failure.detail),
        Ok(Ok(detail)) => judge(&target, findings.certificate.as_ref(), detail, checked_at),
    };
    ProbeOutcome {
        problem,
        response_ms,
        status_code: findings.status_code,
        detail: clip(&detail),
        cert_expires_at: findings.certificate.as_ref().map(|c| c.not_after),
        checked_at,
    }
}

/// A service that answered well is still down when its certificate expired, or is not
/// trusted and the check does not accept that.
fn judge(
    target: &ProbeTarget,
    certificate: Option<&Certificate>,
    detail: String,
    now: DateTime<Utc>,
) -> (Option<Problem>, String) {
    let Some(certificate) = certificate else {
        return (None, detail);
    };
    let until = certificate.not_after.format("%Y-%m-%d");
    let subject = &certificate.subject;
    if certificate.not_after <= now {
        return (
            Some(Problem::CertExpired),
            format!("{detail}; certificate {subject} expired on {until}"),
        );
    }
    if let Err(reason) = &certificate.trust {
        if !target.accept_untrusted {
            return (
                Some(Problem::Untrusted),
                format!("{detail}; certificate {subject}: {reason}"),
            );
        }
    }
    let days = (certificate.not_after - now).num_days();
    let soon = if days < i64::from(CERT_WARNING_DAYS) {
        " – expires soon"
    } else {
        ""
    };
    (
        None,
        format!("{detail}; certificate {subject} valid until {until} ({days} days{soon})"),
    )
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Connects to the first address of the host that answers.
pub async fn connect(target: &ProbeTarget) -> Step<TcpStream> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((target.host.as_str(), target.port))
        .await
        .map_err(|error| Failure::new(Problem::Dns, format!("{}: {error}", target.host)))?
        .collect();
    let mut last = None;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => {
                // small request and answer lines: no need to wait for fuller packets
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(error) => last = Some((address, error)),
        }
    }
    Err(match last {
        Some((address, error)) if error.kind() == std::io::ErrorKind::ConnectionRefused => {
            Failure::new(Problem::Refused, format!("connection refused by {address}"))
        }
        Some((address, error)) => Failure::new(Problem::Unreachable, format!("{address}: {error}")),
        None => Failure::new(Problem::Dns, format!("{}: no address", target.host)),
    })
}

/// An I/O error in the middle of a conversation.
pub fn io_failure(error: std::io::Error) -> Failure {
    use std::io::ErrorKind::*;
    match error.kind() {
        UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe => Failure::new(
            Problem::Closed,
            format!("the service closed the connection ({error})"),
        ),
        _ => Failure::new(Problem::Unreachable, error.to_string()),
    }
}

/// One line without its line end.
pub async fn read_line<S: AsyncBufRead + Unpin>(io: &mut S) -> Step<String> {
    let mut buffer = Vec::new();
    let read = (&mut *io)
        .take(MAX_LINE)
        .read_until(b'\n', &mut buffer)
        .await
        .map_err(io_failure)?;
    if read == 0 {
        return Err(Failure::new(
            Problem::Closed,
            "the service closed the connection without an answer",
        ));
    }
    if !buffer.ends_with(b"\n") && u64::try_from(read).unwrap_or(0) >= MAX_LINE {
        return Err(Failure::new(Problem::Protocol, "answer line too long"));
    }
    Ok(String::from_utf8_lossy(&buffer).trim_end().to_owned())
}

/// A numbered reply (SMTP, FTP): `250-…` lines continue, `250 …` ends it.
pub async fn read_reply<S: AsyncBufRead + Unpin>(io: &mut S) -> Step<(u16, Vec<String>)> {
    let mut lines = Vec::new();
    loop {
        let line = read_line(io).await?;
        let code = line.get(..3).and_then(|c| c.parse::<u16>().ok());
        let separator = line.as_bytes().get(3).copied();
        let Some(code) = code.filter(|_| matches!(separator, None | Some(b' ' | b'-'))) else {
            return Err(Failure::new(
                Problem::Protocol,
                format!("not a numbered reply: {line}"),
            ));
        };
        lines.push(line);
        if separator != Some(b'-') {
            return Ok((code, lines));
        }
        if lines.len() > MAX_REPLY_LINES {
            return Err(Failure::new(Problem::Protocol, "endless multi-line reply"));
        }
    }
}

pub async fn send<S: AsyncWrite + Unpin>(io: &mut S, line: &str) -> Step<()> {
    io.write_all(format!("{line}\r\n").as_bytes())
        .await
        .map_err(io_failure)?;
    io.flush().await.map_err(io_failure)
}

/// The plain connection under a reader, for the TLS handshake after STARTTLS. Bytes the
/// service sent before the handshake would be an injection attempt (or a broken server).
pub fn unwrap_plain(io: BufReader<TcpStream>) -> Step<TcpStream> {
    if io.buffer().is_empty() {
        Ok(io.into_inner())
    } else {
        Err(Failure::new(
            Problem::Protocol,
            "the service sent data before the TLS handshake",
        ))
    }
}
