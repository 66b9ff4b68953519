//! Real receivers on loopback for notification tests: an SMTP server that accepts and keeps
//! every message (speaking enough of RFC 5321 for a real client), and an HTTP endpoint that
//! keeps every JSON body posted to it and can be told to fail.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message the SMTP sink received.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent: headers, blank line, body.
    pub data: String,
}

pub struct SmtpSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP sink");
        let port = listener.local_addr().expect("addr").port();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let kept = mails.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let _ = session(socket, kept).await;
                });
            }
        });
        Self { port, mails }
    }

    pub fn received(&self) -> Vec<Mail> {
        self.mails.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

async fn session(socket: tokio::net::TcpStream, kept: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            write.write_all(b"250-sink.test\r\n250 8BITMIME\r\n").await?;
        } else if upper.starts_with("HELO") || upper.starts_with("RSET") || upper.starts_with("NOOP") {
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = command[10..].trim().trim_matches(['<', '>']).to_string();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().trim_matches(['<', '>']).to_string());
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line.trim_end_matches(['\r', '\n']) == "." {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            if let Ok(mut m) = kept.lock() {
                m.push(Mail { from: from.clone(), to: std::mem::take(&mut to), data });
            }
            write.write_all(b"250 OK: queued\r\n").await?;
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"502 Command not implemented\r\n").await?;
        }
    }
}

/// An incoming-webhook stand-in: keeps every JSON body; the first `fail_first` requests
/// answer 503.
pub struct WebhookReceiver {
    pub url: String,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
}

impl WebhookReceiver {
    pub async fn start(fail_first: usize) -> Self {
        use axum::extract::State;
        use axum::http::StatusCode;
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind webhook receiver");
        let url = format!("http://{}/hooks/channel", listener.local_addr().expect("addr"));
        let bodies: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
        let failures = Arc::new(Mutex::new(fail_first));
        type Shared = (Arc<Mutex<Vec<serde_json::Value>>>, Arc<Mutex<usize>>);
        async fn hook(State((bodies, failures)): State<Shared>, body: axum::Json<serde_json::Value>) -> StatusCode {
            let mut left = failures.lock().expect("lock");
            if *left > 0 {
                *left -= 1;
                return StatusCode::SERVICE_UNAVAILABLE;
            }
            bodies.lock().expect("lock").push(body.0);
            StatusCode::OK
        }
        let router = axum::Router::new()
            .route("/hooks/channel", axum::routing::post(hook))
            .with_state((bodies.clone(), failures));
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { url, bodies }
    }

    pub fn received(&self) -> Vec<serde_json::Value> {
        self.bodies.lock().map(|b| b.clone()).unwrap_or_default()
    }
}
