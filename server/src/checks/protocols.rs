//! The conversations: just enough of each protocol to know the service is there and
//! well (greeting, STARTTLS, one command over TLS, a polite goodbye). Nothing logs in.

use super::probe::{
    connect, io_failure, read_line, read_reply, send, unwrap_plain, Failure, Findings, Step,
};
use super::tls;
use app::checks::{CheckKind, ProbeTarget, Problem, TlsMode};
use tokio::io::{AsyncBufRead, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Largest MySQL greeting or PostgreSQL answer we read.
const MAX_PACKET: usize = 64 * 1024;

/// Speaks the target's protocol; the detail of a good answer, or why it failed.
pub async fn speak(target: &ProbeTarget, findings: &mut Findings) -> Step<String> {
    match target.kind {
        CheckKind::Http => http(target, findings).await,
        CheckKind::Tls => {
            let tcp = connect(target).await?;
            let tls = tls::handshake(tcp, &target.host, findings).await?;
            Ok(tls::describe(&tls))
        }
        CheckKind::Smtp => smtp(target, findings).await,
        CheckKind::Imap => imap(target, findings).await,
        CheckKind::Pop3 => pop3(target, findings).await,
        CheckKind::Ftp => ftp(target, findings).await,
        CheckKind::Mysql => mysql(target).await,
        CheckKind::Postgres => postgres(target, findings).await,
    }
}

async fn http(target: &ProbeTarget, findings: &mut Findings) -> Step<String> {
    let tcp = connect(target).await?;
    match target.tls_mode {
        TlsMode::None => http_request(BufReader::new(tcp), target, findings).await,
        TlsMode::Starttls | TlsMode::Implicit => {
            let tls = tls::handshake(tcp, &target.host, findings).await?;
            http_request(BufReader::new(tls), target, findings).await
        }
    }
}

/// `GET path` and the status line of the answer; the status must lie in the range.
async fn http_request<S: AsyncRead + AsyncWrite + Unpin>(
    mut io: BufReader<S>,
    target: &ProbeTarget,
    findings: &mut Findings,
) -> Step<String> {
    let default_port = if target.tls_mode == TlsMode::None {
        80
    } else {
        443
    };
    let host = if target.host.contains(':') {
        format!("[{}]", target.host)
    } else {
        target.host.clone()
    };
    let host = if target.port == default_port {
        host
    } else {
        format!("{host}:{}", target.port)
    };
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Kontor-Check/1\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        target.path
    );
    io.write_all(request.as_bytes()).await.map_err(io_failure)?;
    io.flush().await.map_err(io_failure)?;
    let line = read_line(&mut io).await?;
    let mut parts = line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().and_then(|c| c.parse::<i32>().ok());
    let reason = parts.next().unwrap_or_default();
    let Some(code) = code.filter(|_| version.starts_with("HTTP/")) else {
        return Err(Failure::new(
            Problem::Protocol,
            format!("not an HTTP answer: {line}"),
        ));
    };
    findings.status_code = Some(code);
    let detail = format!("HTTP {code} {reason}").trim_end().to_owned();
    if (target.expected_status_min..=target.expected_status_max).contains(&code) {
        Ok(detail)
    } else {
        Err(Failure::new(
            Problem::HttpStatus,
            format!(
                "{detail} (expected {}–{})",
                target.expected_status_min, target.expected_status_max
            ),
        ))
    }
}

/// A reply with the expected code, else the service's own words as the failure.
fn expect_code(code: u16, lines: &[String], expected: u16, problem: Problem) -> Step<String> {
    let first = lines.first().cloned().unwrap_or_default();
    if code == expected {
        Ok(first)
    } else {
        Err(Failure::new(problem, lines.join(" ")))
    }
}

/// Our own address as an SMTP address literal, the honest EHLO argument of a client
/// without a name of its own.
fn ehlo_argument(tcp: &TcpStream) -> String {
    match tcp.local_addr().map(|a| a.ip()) {
        Ok(std::net::IpAddr::V4(ip)) => format!("[{ip}]"),
        Ok(std::net::IpAddr::V6(ip)) => format!("[IPv6:{ip}]"),
        Err(_) => "[127.0.0.1]".to_owned(),
    }
}

async fn smtp_greeting<S: AsyncBufRead + Unpin>(io: &mut S) -> Step<String> {
    let (code, lines) = read_reply(io).await?;
    expect_code(code, &lines, 220, Problem::ServiceError)
}

/// EHLO; the extensions the server names.
async fn smtp_ehlo<S: AsyncBufRead + AsyncWrite + Unpin>(
    io: &mut S,
    argument: &str,
) -> Step<Vec<String>> {
    send(io, &format!("EHLO {argument}")).await?;
    let (code, lines) = read_reply(io).await?;
    expect_code(code, &lines, 250, Problem::ServiceError)?;
    Ok(lines
        .iter()
        .skip(1)
        .map(|line| line.get(4..).unwrap_or_default().to_ascii_uppercase())
        .collect())
}

/// Says goodbye; the answer does not matter any more.
async fn goodbye<S: AsyncBufRead + AsyncWrite + Unpin>(io: &mut S, command: &str) {
    if send(io, command).await.is_ok() {
        let _ = read_line(io).await;
    }
    let _ = io.shutdown().await;
}

async fn smtp(target: &ProbeTarget, findings: &mut Findings) -> Step<String> {
    let tcp = connect(target).await?;
    let argument = ehlo_argument(&tcp);
    if target.tls_mode == TlsMode::Implicit {
        let mut io = BufReader::new(tls::handshake(tcp, &target.host, findings).await?);
        let greeting = smtp_greeting(&mut io).await?;
        smtp_ehlo(&mut io, &argument).await?;
        goodbye(&mut io, "QUIT").await;
        return Ok(greeting);
    }
    let mut io = BufReader::new(tcp);
    let greeting = smtp_greeting(&mut io).await?;
    let extensions = smtp_ehlo(&mut io, &argument).await?;
    if target.tls_mode == TlsMode::None {
        goodbye(&mut io, "QUIT").await;
        return Ok(greeting);
    }
    if !extensions.iter().any(|e| e == "STARTTLS") {
        return Err(Failure::new(
            Problem::NoTls,
            format!("{greeting}; EHLO names no STARTTLS"),
        ));
    }
    send(&mut io, "STARTTLS").await?;
    let (code, lines) = read_reply(&mut io).await?;
    expect_code(code, &lines, 220, Problem::NoTls)?;
    let tls = tls::handshake(unwrap_plain(io)?, &target.host, findings).await?;
    let mut io = BufReader::new(tls);
    smtp_ehlo(&mut io, &argument).await?;
    goodbye(&mut io, "QUIT").await;
    Ok(greeting)
}

/// Reads IMAP lines until the tagged answer to `tag`; Ok when it is OK.
async fn imap_tagged<S: AsyncBufRead + Unpin>(io: &mut S, tag: &str, problem: Problem) -> Step<()> {
    for _ in 0..100 {
        let line = read_line(io).await?;
        if let Some(rest) = line.strip_prefix(tag).and_then(|r| r.strip_prefix(' ')) {
            return if rest.get(..2).is_some_and(|s| s.eq_ignore_ascii_case("OK")) {
                Ok(())
            } else {
                Err(Failure::new(problem, line))
            };
        }
    }
    Err(Failure::new(
        Problem::Protocol,
        format!("no answer to {tag}"),
    ))
}

async fn imap_greeting<S: AsyncBufRead + Unpin>(io: &mut S) -> Step<String> {
    let line = read_line(io).await?;
    let upper = line.to_ascii_uppercase();
    if upper.starts_with("* OK") || upper.starts_with("* PREAUTH") {
        Ok(line)
    } else if upper.starts_with("* BYE") {
        Err(Failure::new(Problem::ServiceError, line))
    } else {
        Err(Failure::new(
            Problem::Protocol,
            format!("not an IMAP greeting: {line}"),
        ))
    }
}

async fn imap(target: &ProbeTarget, findings: &mut Findings) -> Step<String> {
    let tcp = connect(target).await?;
    if target.tls_mode == TlsMode::Implicit {
        let mut io = BufReader::new(tls::handshake(tcp, &target.host, findings).await?);
        let greeting = imap_greeting(&mut io).await?;
        goodbye(&mut io, "k9 LOGOUT").await;
        return Ok(greeting);
    }
    let mut io = BufReader::new(tcp);
    let greeting = imap_greeting(&mut io).await?;
    if target.tls_mode == TlsMode::None {
        goodbye(&mut io, "k9 LOGOUT").await;
        return Ok(greeting);
    }
    send(&mut io, "k1 STARTTLS").await?;
    imap_tagged(&mut io, "k1", Problem::NoTls).await?;
    let tls = tls::handshake(unwrap_plain(io)?, &target.host, findings).await?;
    let mut io = BufReader::new(tls);
    // one command over TLS shows the service really speaks on it
    send(&mut io, "k2 CAPABILITY").await?;
    imap_tagged(&mut io, "k2", Problem::Protocol).await?;
    goodbye(&mut io, "k9 LOGOUT").await;
    Ok(greeting)
}

/// A POP3 answer: `+OK …`, or the `-ERR …` as a failure of the kind given.
async fn pop3_ok<S: AsyncBufRead + Unpin>(io: &mut S, problem: Problem) -> Step<String> {
    let line = read_line(io).await?;
    if line.starts_with("+OK") {
        Ok(line)
    } else if line.starts_with("-ERR") {
        Err(Failure::new(problem, line))
    } else {
        Err(Failure::new(
            Problem::Protocol,
            format!("not a POP3 answer: {line}"),
        ))
    }
}

async fn pop3(target: &ProbeTarget, findings: &mut Findings) -> Step<String> {
    let tcp = connect(target).await?;
    if target.tls_mode == TlsMode::Implicit {
        let mut io = BufReader::new(tls::handshake(tcp, &target.host, findings).await?);
        let greeting = pop3_ok(&mut io, Problem::ServiceError).await?;
        goodbye(&mut io, "QUIT").await;
        return Ok(greeting);
    }
    let mut io = BufReader::new(tcp);
    let greeting = pop3_ok(&mut io, Problem::ServiceError).await?;
    if target.tls_mode == TlsMode::None {
        goodbye(&mut io, "QUIT").await;
        return Ok(greeting);
    }
    send(&mut io, "STLS").await?;
    pop3_ok(&mut io, Problem::NoTls).await?;
    let tls = tls::handshake(unwrap_plain(io)?, &target.host, findings).await?;
    let mut io = BufReader::new(tls);
    send(&mut io, "QUIT").await?;
    pop3_ok(&mut io, Problem::Protocol).await?;
    Ok(greeting)
}

async fn ftp(target: &ProbeTarget, findings: &mut Findings) -> Step<String> {
    let tcp = connect(target).await?;
    let mut io = BufReader::new(tcp);
    let (code, lines) = read_reply(&mut io).await?;
    let greeting = expect_code(code, &lines, 220, Problem::ServiceError)?;
    if target.tls_mode == TlsMode::None {
        goodbye(&mut io, "QUIT").await;
        return Ok(greeting);
    }
    send(&mut io, "AUTH TLS").await?;
    let (code, lines) = read_reply(&mut io).await?;
    expect_code(code, &lines, 234, Problem::NoTls)?;
    let tls = tls::handshake(unwrap_plain(io)?, &target.host, findings).await?;
    let mut io = BufReader::new(tls);
    send(&mut io, "QUIT").await?;
    let (code, lines) = read_reply(&mut io).await?;
    expect_code(code, &lines, 221, Problem::Protocol)?;
    Ok(greeting)
}

/// The server's first packet: protocol 10 with its version, or an error packet (host
/// blocked, too many connections).
async fn mysql(target: &ProbeTarget) -> Step<String> {
    let mut tcp = connect(target).await?;
    let mut header = [0u8; 4];
    tcp.read_exact(&mut header).await.map_err(io_failure)?;
    let length =
        usize::from(header[0]) | usize::from(header[1]) << 8 | usize::from(header[2]) << 16;
    if length == 0 || length > MAX_PACKET {
        return Err(Failure::new(
            Problem::Protocol,
            format!("not a MySQL greeting (packet of {length} bytes)"),
        ));
    }
    let mut payload = vec![0u8; length];
    tcp.read_exact(&mut payload).await.map_err(io_failure)?;
    match payload.first() {
        Some(0x0a) => {
            let rest = payload.get(1..).unwrap_or_default();
            let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
            let version = String::from_utf8_lossy(rest.get(..end).unwrap_or_default()).into_owned();
            // after the version: thread id (4), scramble (8), filler (1), capabilities (2)
            let capabilities = rest
                .get(end + 14..end + 16)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .unwrap_or(0);
            let product = if version.contains("MariaDB") {
                "MariaDB"
            } else {
                "MySQL"
            };
            // MariaDB prefixes "5.5.5-" for old replication clients
            let version = version.strip_prefix("5.5.5-").unwrap_or(&version);
            let tls = if capabilities & 0x0800 != 0 {
                ", TLS offered"
            } else {
                ""
            };
            Ok(format!("{product} {version}{tls}"))
        }
        Some(0xff) => {
            let code = payload
                .get(1..3)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .unwrap_or(0);
            let message = match payload.get(3) {
                Some(b'#') => payload.get(9..),
                _ => payload.get(3..),
            }
            .unwrap_or_default();
            Err(Failure::new(
                Problem::ServiceError,
                format!("error {code}: {}", String::from_utf8_lossy(message)),
            ))
        }
        other => Err(Failure::new(
            Problem::Protocol,
            format!("not a MySQL greeting (protocol {other:?})"),
        )),
    }
}

async fn postgres(target: &ProbeTarget, findings: &mut Findings) -> Step<String> {
    let mut tcp = connect(target).await?;
    if target.tls_mode == TlsMode::None {
        return postgres_startup(tcp).await;
    }
    // SSLRequest: length 8, code 80877103; the answer is one byte, S or N
    tcp.write_all(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])
        .await
        .map_err(io_failure)?;
    let mut answer = [0u8; 1];
    tcp.read_exact(&mut answer).await.map_err(io_failure)?;
    match answer[0] {
        b'S' => {
            let tls = tls::handshake(tcp, &target.host, findings).await?;
            postgres_startup(tls).await
        }
        b'N' => Err(Failure::new(
            Problem::NoTls,
            "the server answered the SSLRequest with N (no TLS)",
        )),
        other => Err(Failure::new(
            Problem::Protocol,
            format!("not a PostgreSQL answer to SSLRequest ({other:#04x})"),
        )),
    }
}

/// A startup message for a user that logs in nowhere: the server answers with an
/// authentication request or an error. An error that says the server cannot take
/// connections (starting up, shutting down, full) is a failure; a refused login is not.
async fn postgres_startup<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S) -> Step<String> {
    let mut body = 196_608_u32.to_be_bytes().to_vec(); // protocol 3.0
    for (key, value) in [
        ("user", "kontor_check"),
        ("database", "postgres"),
        ("application_name", "kontor-check"),
    ] {
        body.extend_from_slice(key.as_bytes());
        body.push(0);
        body.extend_from_slice(value.as_bytes());
        body.push(0);
    }
    body.push(0);
    let length = u32::try_from(body.len() + 4).unwrap_or(u32::MAX);
    let mut message = length.to_be_bytes().to_vec();
    message.extend_from_slice(&body);
    stream.write_all(&message).await.map_err(io_failure)?;
    stream.flush().await.map_err(io_failure)?;
    let mut head = [0u8; 5];
    stream.read_exact(&mut head).await.map_err(io_failure)?;
    let length = usize::try_from(u32::from_be_bytes([head[1], head[2], head[3], head[4]]))
        .unwrap_or(usize::MAX);
    if !(4..=MAX_PACKET).contains(&length) {
        return Err(Failure::new(
            Problem::Protocol,
            format!("not a PostgreSQL answer (message of {length} bytes)"),
        ));
    }
    let mut payload = vec![0u8; length - 4];
    stream.read_exact(&mut payload).await.map_err(io_failure)?;
    let _ = stream.shutdown().await;
    match head[0] {
        b'R' => {
            let method = payload
                .get(..4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                .unwrap_or(u32::MAX);
            let asks = match method {
                0 => "accepts the connection",
                3 => "asks for a password",
                5 => "asks for an MD5 password",
                10 => "asks for SCRAM authentication",
                _ => "asks for authentication",
            };
            Ok(format!("PostgreSQL {asks}"))
        }
        b'E' => {
            let (code, message) = postgres_error(&payload);
            // class 57P (cannot connect now, shutting down) and 53300 (too many connections)
            if code.starts_with("57P") || code == "53300" {
                Err(Failure::new(
                    Problem::ServiceError,
                    format!("{code}: {message}"),
                ))
            } else {
                Ok(format!("PostgreSQL answers: {message}"))
            }
        }
        b'v' => Ok("PostgreSQL answers (protocol negotiation)".to_owned()),
        other => Err(Failure::new(
            Problem::Protocol,
            format!("not a PostgreSQL answer ({other:#04x})"),
        )),
    }
}

/// SQLSTATE and message of an ErrorResponse: fields of a type byte and a C string.
fn postgres_error(payload: &[u8]) -> (String, String) {
    let (mut code, mut message) = (String::new(), String::new());
    let mut fields = payload.split(|b| *b == 0);
    while let Some(field) = fields.next().filter(|f| !f.is_empty()) {
        let text = String::from_utf8_lossy(field.get(1..).unwrap_or_default()).into_owned();
        match field[0] {
            b'C' => code = text,
            b'M' => message = text,
            _ => {}
        }
    }
    (code, message)
}
