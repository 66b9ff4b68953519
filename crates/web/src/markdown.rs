//! Markdown to safe HTML (policies and other documents written in the tool): CommonMark with
//! tables, strikethrough and task lists by pulldown-cmark, then sanitized by ammonia so that no
//! script, event handler, style or `javascript:` link survives; links get `rel="noopener
//! noreferrer"`.

use pulldown_cmark::{Options, Parser, html};

/// The HTML of a Markdown text, safe to embed in a page.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::Builder::default().link_rel(Some("noopener noreferrer")).clean(&unsafe_html).to_string()
}

/// One line of a line-by-line comparison of two texts.
pub struct DiffLine {
    /// "added", "removed" or "same".
    pub kind: &'static str,
    pub text: String,
}

/// The lines of `new` compared with `old`.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| DiffLine {
            kind: match c.tag() {
                similar::ChangeTag::Insert => "added",
                similar::ChangeTag::Delete => "removed",
                similar::ChangeTag::Equal => "same",
            },
            text: c.value().trim_end_matches('\n').to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_scripts_do_not_survive() {
        let html = to_safe_html(
            "# Scope\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n\
             [x](javascript:alert(1)) <img src=x onerror=alert(1)> [ok](https://example.com)",
        );
        assert!(html.contains("<h1>Scope</h1>") && html.contains("<table>"), "{html}");
        assert!(!html.contains("<script") && !html.contains("javascript:") && !html.contains("onerror"), "{html}");
        assert!(html.contains(r#"<a href="https://example.com" rel="noopener noreferrer">ok</a>"#), "{html}");
    }

    #[test]
    fn the_diff_marks_added_and_removed_lines() {
        let kinds: Vec<_> = line_diff("a\nb\n", "a\nc\n").iter().map(|l| (l.kind, l.text.clone())).collect();
        assert_eq!(kinds, [("same", "a".into()), ("removed", "b".into()), ("added", "c".into())]);
    }
}
