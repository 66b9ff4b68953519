//! Property test (bounded fuzzing) of Markdown rendering and sanitizing: whatever a policy's
//! author writes — arbitrary text, or text built from Markdown and HTML pieces an attacker
//! would try — the HTML that pages embed has no script, no event handler, no style, no frame
//! and no `javascript:` or `data:` link, and rendering never panics. `PROPTEST_CASES` raises
//! the bounded case count; failures are kept in `markdown_fuzz.proptest-regressions` beside this file.

use bulwark_web::markdown::to_safe_html;
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x>",
    "javascript:alert(1)",
    "JaVaScRiPt:",
    "java\tscript:",
    "data:text/html,<b>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"",
    "\">",
    "'",
    "\"",
    "<iframe src=//x>",
    "<style>*{}</style>",
    "<svg onload=alert(1)>",
    "<object data=x>",
    "<embed src=x>",
    "<form action=//x>",
    "<details open ontoggle=x>",
    "[link](",
    ")",
    "](javascript:alert(1))",
    "![img](",
    "<",
    ">",
    "&#x6A;avascript:",
    "&lt;",
    "`",
    "```\n",
    "\n",
    "| a | b |\n|---|---|\n",
    "- [ ] ",
    "~~",
    "**",
    "_",
    "# ",
    "> ",
    "<!--",
    "-->",
    "<![CDATA[",
    "\u{0}",
    "ö",
    " ",
    "<a href=javascript:x>",
    "<p style=x>",
];

/// Each tag of the HTML: what sits between `<` and `>`.
fn tags(html: &str) -> impl Iterator<Item = String> + '_ {
    html.split('<').skip(1).map(|rest| rest.split('>').next().unwrap_or_default().to_ascii_lowercase())
}

/// A tag's name and its attributes (name, value), read as a browser would.
fn parse_tag(tag: &str) -> (String, Vec<(String, String)>) {
    let mut chars = tag.trim_start_matches('/').chars().peekable();
    let name: String = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '/')).collect();
    let mut attributes = Vec::new();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == '/').is_some() {}
        let attribute: String = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if attribute.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            match chars.next_if(|c| *c == '"' || *c == '\'') {
                Some(quote) => value = std::iter::from_fn(|| chars.next_if(|c| *c != quote)).collect(),
                None => value = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect(),
            }
            chars.next();
        }
        attributes.push((attribute, value));
    }
    (name, attributes)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1500),
        ..ProptestConfig::default()
    })]

    #[test]
    fn rendered_markdown_never_carries_script(
        text in prop_oneof![
            prop::collection::vec(prop::sample::select(PIECES), 0..30).prop_map(|p| p.concat()),
            any::<String>(),
        ]
    ) {
        let html = to_safe_html(&text);
        for tag in tags(&html) {
            let (name, attributes) = parse_tag(&tag);
            prop_assert!(
                !["script", "style", "iframe", "object", "embed", "svg", "form", "frame", "base", "meta", "link"].contains(&name.as_str()),
                "<{}> survived in {:?}", tag, html
            );
            for (attribute, value) in attributes {
                prop_assert!(!attribute.starts_with("on"), "an event handler survived: <{}>", tag);
                prop_assert!(attribute != "style", "a style survived: <{}>", tag);
                if ["href", "src", "action", "formaction", "srcset", "cite", "poster", "background"].contains(&attribute.as_str()) {
                    let url: String = value.replace("&amp;", "&").chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
                    prop_assert!(
                        !url.starts_with("javascript:") && !url.starts_with("data:") && !url.starts_with("vbscript:"),
                        "a dangerous link survived: <{}>", tag
                    );
                }
            }
        }
    }
}
