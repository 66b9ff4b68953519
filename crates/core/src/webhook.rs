//! What a chat webhook may reach, and what it is sent. A channel's URL is typed by an admin,
//! but the server is the one that connects: to loopback, link-local (a cloud's metadata
//! service at 169.254.169.254), private ranges or any other address that is not public, it
//! connects only for hosts the instance's operator named as internal (an internal chat
//! server). Spellings like `0x7f000001` or `2130706433` are read as the address they are (the
//! WHATWG URL parser), and a name is resolved once and the request sent to the address that
//! was checked (no second lookup that could answer differently).
//!
//! Texts carry titles typed by employees and anonymous reporters; Slack, Mattermost and
//! Rocket.Chat would read markup in them: `<!channel>` or `<https://evil|a link>` (Slack),
//! `@channel`/`@here`/`@all` mentions, and Markdown links `[text](url)` (Mattermost,
//! Rocket.Chat). [`chat_text`] neutralises all of them, keeping what a reader sees.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Where a webhook is sent: its host as written, port, and whether the operator allowed the
/// host as internal (then any address it resolves to is fine).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub host: String,
    pub port: u16,
    /// The address itself when the URL names one.
    pub literal: Option<IpAddr>,
    pub internal_allowed: bool,
}

/// Reads a webhook URL; refuses what is not http(s), has no host, or names an address that
/// is not public (unless the host is among `internal_hosts`).
pub fn destination(target: &str, internal_hosts: &[String]) -> Result<Destination, String> {
    let url = url::Url::parse(target.trim()).map_err(|_| "must be an http(s) URL".to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http(s) URL".into());
    }
    let port = url.port_or_known_default().ok_or("must be an http(s) URL")?;
    let (host, literal) = match url.host() {
        Some(url::Host::Domain(d)) => (d.to_ascii_lowercase(), None),
        Some(url::Host::Ipv4(a)) => (a.to_string(), Some(IpAddr::V4(a))),
        Some(url::Host::Ipv6(a)) => (a.to_string(), Some(IpAddr::V6(a))),
        None => return Err("must name a host".into()),
    };
    let internal_allowed = internal_hosts.iter().any(|h| h.trim().eq_ignore_ascii_case(&host));
    let local_name = host == "localhost" || host.ends_with(".localhost");
    if !internal_allowed && (local_name || literal.is_some_and(|a| !is_public(a))) {
        return Err(format!(
            "{host} is not a public address; an operator allows an internal chat server with --webhook-internal-host"
        ));
    }
    Ok(Destination { host, port, literal, internal_allowed })
}

/// The host a URL names, as [`destination`] compares it.
pub fn host_of(target: &str) -> Option<String> {
    url::Url::parse(target.trim()).ok()?.host().map(|h| match h {
        url::Host::Domain(d) => d.to_ascii_lowercase(),
        other => other.to_string().trim_matches(['[', ']']).to_string(),
    })
}

/// Whether an address is reachable on the public internet (not loopback, private, link-local,
/// shared, reserved, documentation, multicast or unspecified).
pub fn is_public(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => is_public_v4(a),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(a),
        },
    }
}

fn is_public_v4(a: Ipv4Addr) -> bool {
    let [b0, b1, b2, _] = a.octets();
    !(a.is_unspecified()
        || a.is_loopback()
        || a.is_private()
        || a.is_link_local()
        || a.is_broadcast()
        || a.is_documentation()
        || a.is_multicast()
        || b0 == 0
        || (b0 == 100 && (64..128).contains(&b1)) // shared address space (carrier-grade NAT)
        || (b0 == 192 && b1 == 0 && b2 == 0) // IETF protocol assignments
        || (b0 == 198 && (18..20).contains(&b1)) // benchmarking
        || b0 >= 240) // reserved
}

fn is_public_v6(a: Ipv6Addr) -> bool {
    let first = a.segments()[0];
    !(a.is_unspecified()
        || a.is_loopback()
        || a.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first == 0x2001 && a.segments()[1] == 0x0db8) // documentation
        || (first == 0x0064 && a.segments()[1] == 0xff9b)) // NAT64, may reach IPv4 inside
}

/// The text as a chat platform should show it, with no markup of its own taking effect.
pub fn chat_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A zero-width space after "@" ends a mention; after "]" it ends a Markdown link.
            '@' | ']' => {
                out.push(c);
                if chars.peek().is_some_and(|n| n.is_alphanumeric() || *n == '(') {
                    out.push('\u{200b}');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_public_addresses_are_refused_in_every_spelling() {
        for url in [
            "http://127.0.0.1/hook",
            "http://0x7f000001/hook",
            "http://2130706433/hook",
            "http://127.1/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://10.0.0.8/hook",
            "http://[::1]/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://[fd00::1]/hook",
            "http://localhost:8065/hooks/x",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
        ] {
            assert!(destination(url, &[]).is_err(), "{url}");
        }
        assert!(destination("ftp://example.com/x", &[]).is_err());
        let ok = destination("https://hooks.slack.com/services/T0/B0/x", &[]).unwrap();
        assert_eq!((ok.host.as_str(), ok.port, ok.literal), ("hooks.slack.com", 443, None));
        assert!(destination("http://93.184.216.34/x", &[]).is_ok());
        let internal = destination("http://127.0.0.1:9/x", &["127.0.0.1".into()]).unwrap();
        assert!(internal.internal_allowed);
        assert!(destination("http://chat.internal/x", &["CHAT.internal".into()]).unwrap().internal_allowed);
    }

    #[test]
    fn chat_markup_from_titles_takes_no_effect() {
        assert_eq!(chat_text("<!channel> pwned"), "&lt;!channel&gt; pwned");
        assert_eq!(chat_text("<https://evil.example|Reset>"), "&lt;https://evil.example|Reset&gt;");
        assert_eq!(chat_text("hi @channel @here @all"), "hi @\u{200b}channel @\u{200b}here @\u{200b}all");
        assert_eq!(chat_text("[Reset](https://evil.example)"), "[Reset]\u{200b}(https://evil.example)");
        assert_eq!(chat_text("a@b.example & c"), "a@\u{200b}b.example &amp; c");
        assert_eq!(chat_text("New report: https://bulwark.example/x"), "New report: https://bulwark.example/x");
    }
}
