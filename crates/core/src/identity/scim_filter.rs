//! SCIM 2.0 filters and PATCH paths (RFC 7644 §3.4.2.2 and §3.5.2): a parser for the whole
//! grammar — `eq ne co sw ew gt ge lt le pr`, `and`/`or`/`not`, parentheses, attribute paths
//! with a schema URI and a sub-attribute, and value paths (`emails[type eq "work"]`) — and an
//! evaluator over a resource as JSON. Attribute names match in any case; strings compare
//! without regard to case (no attribute Bulwark serves is case-exact); a multi-valued
//! attribute matches when any of its values does. Precedence: `not`, then `and`, then `or`.

use serde_json::Value;
use std::cmp::Ordering;

/// Why a filter or path was refused (SCIM's `invalidFilter` / `invalidPath`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `[urn:…:]name[.sub]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrPath {
    pub uri: Option<String>,
    pub name: String,
    pub sub: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare(AttrPath, CompareOp, Value),
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attr[filter]`: some value of the multi-valued `attr` matches `filter`.
    ValuePath(AttrPath, Box<Filter>),
}

/// A PATCH operation's `path`: an attribute, optionally narrowed to the values matching a
/// filter, optionally to one sub-attribute of those (`emails[type eq "work"].value`).
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    pub sub: Option<String>,
}

const MAX_FILTER_CHARS: usize = 4096;
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
}

fn tokens(text: &str) -> Result<Vec<Token>, FilterError> {
    if text.chars().count() > MAX_FILTER_CHARS {
        return Err(FilterError(format!("the filter is longer than {MAX_FILTER_CHARS} characters")));
    }
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            // Any whitespace, as words end at any (a form feed or a no-break space once left
            // the lexer pushing empty words forever).
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' => {
                chars.next();
                out.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    '[' => Token::OpenBracket,
                    _ => Token::CloseBracket,
                });
            }
            '"' => {
                chars.next();
                let mut raw = String::from('"');
                let mut closed = false;
                while let Some(c) = chars.next() {
                    raw.push(c);
                    if c == '\\' {
                        if let Some(n) = chars.next() {
                            raw.push(n);
                        }
                    } else if c == '"' {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err(FilterError("a string is not closed with \"".into()));
                }
                let s: String =
                    serde_json::from_str(&raw).map_err(|_| FilterError(format!("{raw} is not a valid string")))?;
                out.push(Token::Str(s));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '"') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                out.push(Token::Word(word));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.next();
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.next();
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError(format!("the filter nests deeper than {MAX_DEPTH} levels")));
        }
        let found = if self.keyword("not") {
            self.next();
            if self.peek() != Some(&Token::Open) {
                return Err(FilterError("\"not\" must be followed by a filter in parentheses".into()));
            }
            Filter::Not(Box::new(self.unary()?))
        } else if self.peek() == Some(&Token::Open) {
            self.next();
            let inner = self.or()?;
            if self.next() != Some(Token::Close) {
                return Err(FilterError("a \"(\" is not closed".into()));
            }
            inner
        } else {
            self.comparison()?
        };
        self.depth -= 1;
        Ok(found)
    }

    fn comparison(&mut self) -> Result<Filter, FilterError> {
        let path = match self.next() {
            Some(Token::Word(w)) => attr_path(&w)?,
            Some(other) => return Err(FilterError(format!("expected an attribute name, found {}", show(&other)))),
            None => return Err(FilterError("the filter ends where an attribute name was expected".into())),
        };
        if self.peek() == Some(&Token::OpenBracket) {
            self.next();
            let inner = self.or()?;
            if self.next() != Some(Token::CloseBracket) {
                return Err(FilterError("a \"[\" is not closed".into()));
            }
            return Ok(Filter::ValuePath(path, Box::new(inner)));
        }
        let op = match self.next() {
            Some(Token::Word(w)) => w.to_ascii_lowercase(),
            _ => return Err(FilterError(format!("expected an operator after {}", path.name))),
        };
        if op == "pr" {
            return Ok(Filter::Present(path));
        }
        let op = match op.as_str() {
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "co" => CompareOp::Co,
            "sw" => CompareOp::Sw,
            "ew" => CompareOp::Ew,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            other => return Err(FilterError(format!("unknown operator \"{other}\""))),
        };
        let value = match self.next() {
            Some(Token::Str(s)) => Value::String(s),
            Some(Token::Word(w)) => match w.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                n => n
                    .parse::<serde_json::Number>()
                    .map(Value::Number)
                    .map_err(|_| FilterError(format!("\"{n}\" is not a value: strings are quoted")))?,
            },
            _ => return Err(FilterError("a comparison needs a value".into())),
        };
        Ok(Filter::Compare(path, op, value))
    }
}

fn show(t: &Token) -> String {
    match t {
        Token::Word(w) => format!("\"{w}\""),
        Token::Str(s) => format!("the string \"{s}\""),
        Token::Open => "\"(\"".into(),
        Token::Close => "\")\"".into(),
        Token::OpenBracket => "\"[\"".into(),
        Token::CloseBracket => "\"]\"".into(),
    }
}

/// `[urn:…:]name[.sub]`: a schema URI ends at its last colon.
fn attr_path(text: &str) -> Result<AttrPath, FilterError> {
    let (uri, rest) = match text.rfind(':') {
        Some(i) if text[..i].to_ascii_lowercase().starts_with("urn:") => (Some(text[..i].to_string()), &text[i + 1..]),
        Some(_) => return Err(FilterError(format!("\"{text}\" is not an attribute path"))),
        None => (None, text),
    };
    let mut parts = rest.splitn(2, '.');
    let name = parts.next().unwrap_or_default().to_string();
    let sub = parts.next().map(str::to_string);
    let valid = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
    };
    if !valid(&name) || sub.as_deref().is_some_and(|s| !valid(s)) {
        return Err(FilterError(format!("\"{text}\" is not an attribute path")));
    }
    Ok(AttrPath { uri, name, sub })
}

/// Parses a `filter` query parameter.
pub fn parse(text: &str) -> Result<Filter, FilterError> {
    let mut p = Parser { tokens: tokens(text)?, at: 0, depth: 0 };
    if p.tokens.is_empty() {
        return Err(FilterError("the filter is empty".into()));
    }
    let filter = p.or()?;
    match p.peek() {
        None => Ok(filter),
        Some(t) => Err(FilterError(format!("unexpected {} after a complete filter", show(t)))),
    }
}

/// Parses a PATCH operation's `path`.
pub fn parse_patch_path(text: &str) -> Result<PatchPath, FilterError> {
    let text = text.trim();
    let Some(open) = text.find('[') else {
        return Ok(PatchPath { attr: attr_path(text)?, filter: None, sub: None });
    };
    // The last "]" closes the first "["; one before it (or none) leaves the "[" open.
    let close = text.rfind(']').filter(|close| *close > open);
    let close = close.ok_or_else(|| FilterError("a \"[\" is not closed".into()))?;
    let attr = attr_path(&text[..open])?;
    let filter = parse(&text[open + 1..close])?;
    let sub = match &text[close + 1..] {
        "" => None,
        rest => match rest.strip_prefix('.') {
            Some(s) if attr_path(s).is_ok_and(|p| p.uri.is_none() && p.sub.is_none()) => Some(s.to_string()),
            _ => return Err(FilterError(format!("\"{rest}\" after \"]\" is not a sub-attribute"))),
        },
    };
    Ok(PatchPath { attr, filter: Some(filter), sub })
}

/// The member of `object` named `name`, in any case.
pub fn field<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// The values an attribute path names in a resource (several for a multi-valued attribute).
fn values<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let base = match &path.uri {
        // An extension's attributes sit under its URI; the core schema's at the top.
        Some(uri) => field(resource, uri).or_else(|| Some(resource).filter(|_| uri.contains(":core:"))),
        None => Some(resource),
    };
    let Some(found) = base.and_then(|b| field(b, &path.name)) else { return vec![] };
    let items: Vec<&Value> = match found {
        Value::Array(a) => a.iter().collect(),
        one => vec![one],
    };
    match &path.sub {
        Some(sub) => items.into_iter().filter_map(|i| field(i, sub)).collect(),
        None => items.into_iter().map(|i| if i.is_object() { field(i, "value").unwrap_or(i) } else { i }).collect(),
    }
}

fn compare(found: &Value, op: CompareOp, wanted: &Value) -> bool {
    let text = |v: &Value| v.as_str().map(str::to_lowercase);
    match op {
        CompareOp::Eq => match (text(found), text(wanted)) {
            (Some(a), Some(b)) => a == b,
            _ => found == wanted,
        },
        CompareOp::Ne => !compare(found, CompareOp::Eq, wanted),
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => match (text(found), text(wanted)) {
            (Some(a), Some(b)) => match op {
                CompareOp::Co => a.contains(&b),
                CompareOp::Sw => a.starts_with(&b),
                _ => a.ends_with(&b),
            },
            _ => false,
        },
        CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le => {
            let order = match (found, wanted) {
                (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
                // Dates in RFC 3339 UTC order as text.
                (Value::String(a), Value::String(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
                _ => None,
            };
            matches!(
                (op, order),
                (CompareOp::Gt, Some(Ordering::Greater))
                    | (CompareOp::Ge, Some(Ordering::Greater | Ordering::Equal))
                    | (CompareOp::Lt, Some(Ordering::Less))
                    | (CompareOp::Le, Some(Ordering::Less | Ordering::Equal))
            )
        }
    }
}

impl Filter {
    /// Whether the resource (SCIM JSON) matches.
    pub fn matches(&self, resource: &Value) -> bool {
        match self {
            Filter::Compare(path, CompareOp::Ne, wanted) => {
                !values(resource, path).iter().any(|v| compare(v, CompareOp::Eq, wanted))
            }
            Filter::Compare(path, op, wanted) => values(resource, path).iter().any(|v| compare(v, *op, wanted)),
            Filter::Present(path) => values(resource, path).iter().any(|v| match v {
                Value::Null => false,
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                _ => true,
            }),
            Filter::And(a, b) => a.matches(resource) && b.matches(resource),
            Filter::Or(a, b) => a.matches(resource) || b.matches(resource),
            Filter::Not(inner) => !inner.matches(resource),
            Filter::ValuePath(path, inner) => {
                let whole = AttrPath { sub: None, ..path.clone() };
                let base = match &whole.uri {
                    Some(uri) => field(resource, uri).unwrap_or(resource),
                    None => resource,
                };
                match field(base, &whole.name) {
                    Some(Value::Array(items)) => items.iter().any(|i| inner.matches(i)),
                    Some(one) => inner.matches(one),
                    None => false,
                }
            }
        }
    }

    /// `userName eq "…"`: the one filter answered from an index instead of a scan.
    pub fn user_name_equals(&self) -> Option<&str> {
        match self {
            Filter::Compare(AttrPath { uri: None, name, sub: None }, CompareOp::Eq, Value::String(s))
                if name.eq_ignore_ascii_case("userName") =>
            {
                Some(s)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "userName": "Ada@Example.com",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "active": true,
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true},
                       {"value": "ada@home.example", "type": "home"}],
            "meta": {"lastModified": "2026-11-26T10:00:00Z"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Research"}
        })
    }

    fn hit(f: &str) -> bool {
        parse(f).unwrap_or_else(|e| panic!("{f}: {e}")).matches(&user())
    }

    #[test]
    fn every_operator_and_combinator_works() {
        assert!(hit(r#"userName eq "ada@example.com""#), "case-insensitive");
        assert!(hit(r#"USERNAME Eq "ADA@EXAMPLE.COM""#), "names and operators in any case");
        assert!(!hit(r#"userName ne "ada@example.com""#));
        assert!(hit(r#"name.familyName co "love""#));
        assert!(hit(r#"name.givenName sw "A""#) && hit(r#"userName ew ".com""#));
        assert!(hit(r#"meta.lastModified gt "2026-01-01T00:00:00Z""#));
        assert!(!hit(r#"meta.lastModified lt "2026-01-01T00:00:00Z""#));
        assert!(hit("active eq true") && !hit("active eq false"));
        assert!(hit("name.givenName pr") && !hit("nickName pr"));
        assert!(hit(r#"emails[type eq "work" and value co "example.com"]"#));
        assert!(!hit(r#"emails[type eq "work" and value co "home"]"#));
        assert!(hit(r#"emails.value eq "ada@home.example""#), "any value of a multi-valued attribute");
        assert!(hit(r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "research""#));
        assert!(hit(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "ada""#));
        assert!(hit(r#"not (active eq false)"#));
        assert!(hit(r#"userName eq "x" or (active eq true and not (name.givenName eq "Bob"))"#));
        assert!(!hit(r#"userName eq "x" or active eq true and userName eq "y""#), "and binds tighter than or");
        assert!(hit(r#"userName eq "x\"y" or active pr"#), "escaped quotes");
    }

    #[test]
    fn a_malformed_filter_says_what_is_wrong() {
        for (bad, says) in [
            ("", "empty"),
            ("userName", "operator"),
            (r#"userName zz "a""#, "unknown operator"),
            ("userName eq ada", "quoted"),
            (r#"userName eq "ada"#, "not closed"),
            (r#"(userName eq "a""#, "not closed"),
            (r#"emails[type eq "work""#, "not closed"),
            (r#"userName eq "a" and"#, "ends"),
            (r#"userName eq "a" )"#, "unexpected"),
            (r#"not userName eq "a""#, "parentheses"),
            (r#"1abc eq "a""#, "attribute path"),
        ] {
            let e = parse(bad).expect_err(bad);
            assert!(e.0.contains(says), "{bad}: {e}");
        }
        let deep = format!("{}active pr{}", "(".repeat(100), ")".repeat(100));
        assert!(parse(&deep).unwrap_err().0.contains("deeper"));
        assert!(parse(&"a".repeat(5000)).is_err());
    }

    #[test]
    fn any_whitespace_separates_words() {
        // Found by the parser fuzz test: a form feed or a no-break space made the lexer loop.
        for space in ['\u{0B}', '\u{0C}', '\u{A0}', '\u{2003}'] {
            let text = format!("userName{space}eq{space}\"ada@example.com\"");
            assert!(parse(&text).unwrap().matches(&user()), "{text:?}");
            assert!(parse_patch_path(&format!("emails{space}")).is_ok());
        }
    }

    #[test]
    fn patch_paths_name_attributes_values_and_sub_attributes() {
        let p = parse_patch_path(r#"members[value eq "2819c223"]"#).unwrap();
        assert_eq!(p.attr.name, "members");
        assert!(p.filter.unwrap().matches(&json!({"value": "2819c223"})));
        let p = parse_patch_path(r#"emails[type eq "work"].value"#).unwrap();
        assert_eq!(p.sub.as_deref(), Some("value"));
        let p = parse_patch_path("name.givenName").unwrap();
        assert_eq!((p.attr.name.as_str(), p.attr.sub.as_deref()), ("name", Some("givenName")));
        let p = parse_patch_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department").unwrap();
        assert_eq!(p.attr.name, "department");
        assert!(parse_patch_path("members[value eq").is_err());
        assert!(parse_patch_path(r#"members[value eq "x"]junk"#).is_err());
        // A "]" before the "[" closes nothing (this once panicked slicing the text backwards).
        let core = "urn:ietf:params:scim:schemas:core:2.0:User";
        let refused = parse_patch_path(&format!("{core}:userName]{core}:userName[")).unwrap_err();
        assert!(refused.0.contains("not closed"), "{}", refused.0);
        assert_eq!(parse(r#"userName eq "a@b.c""#).unwrap().user_name_equals(), Some("a@b.c"));
    }
}
