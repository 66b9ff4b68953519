//! CVSS scores compared with an independent implementation: thousands of generated v3.0,
//! v3.1 and v4.0 vectors (every metric group, deterministic) scored here and by PyPI's
//! `cvss` package, which must agree on every base, temporal, environmental and v4.0 score; and
//! mutations of generated vectors, which must be scored or refused with a message, never panic.

use bulwark_core::incidents::cvss;
use std::io::Write;
use std::process::{Command, Stdio};

/// A small deterministic generator (xorshift64*), so a failure names a vector that recurs.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// A random vector of `version`: every base metric, each other metric half the time.
fn vector(rng: &mut Rng, version: &str) -> String {
    let mut parts = vec![format!("CVSS:{version}")];
    for (key, _, values, mandatory) in cvss::metrics(version) {
        if mandatory || rng.below(2) == 0 {
            parts.push(format!("{key}:{}", values[rng.below(values.len())]));
        }
    }
    parts.join("/")
}

fn reference_available() -> bool {
    let found = Command::new("python3").args(["-c", "import cvss"]).output().is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var("BULWARK_TEST_REQUIRE_CVSS_REFERENCE").is_err(),
        "BULWARK_TEST_REQUIRE_CVSS_REFERENCE is set but PyPI's cvss is missing"
    );
    found
}

/// For each line's vector, the reference's scores as text: "base temporal environmental" for
/// v3.x, "base score" for v4.0 (the score of the base metrics alone, then of the whole vector).
const REFERENCE: &str = r#"
import sys
from cvss import CVSS3, CVSS4
for line in sys.stdin:
    v = line.strip()
    if v.startswith("CVSS:4.0"):
        base = "/".join(v.split("/")[:12])
        print(CVSS4(base).base_score, CVSS4(v).base_score)
    else:
        print(*CVSS3(v).scores())
"#;

#[test]
fn scores_agree_with_an_independent_implementation_on_thousands_of_vectors() {
    if !reference_available() {
        return;
    }
    let mut rng = Rng(0x5EED_C055);
    let mut vectors = Vec::new();
    for (version, count) in [("3.0", 1_500), ("3.1", 2_500), ("4.0", 3_000)] {
        vectors.extend((0..count).map(|_| vector(&mut rng, version)));
    }
    let mut python = Command::new("python3")
        .args(["-c", REFERENCE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut stdin = python.stdin.take().expect("stdin");
    let input = vectors.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = python.wait_with_output().expect("the reference ran");
    writer.join().expect("writer").expect("wrote the vectors");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = String::from_utf8(output.stdout).expect("UTF-8");
    let expected: Vec<&str> = expected.lines().collect();
    assert_eq!(expected.len(), vectors.len());
    let mut temporal_seen = 0;
    for (v, want) in vectors.iter().zip(expected) {
        let s = cvss::score(v).unwrap_or_else(|e| panic!("{v}: {e}"));
        let got = if s.version == "4.0" {
            format!("{:?} {:?}", s.base_score, s.score.unwrap_or(s.base_score))
        } else {
            temporal_seen += usize::from(s.temporal_score.is_some());
            let t = s.temporal_score.unwrap_or(s.base_score);
            format!("{:?} {:?} {:?}", s.base_score, t, s.environmental_score.unwrap_or(t))
        };
        assert_eq!(got, want, "{v}");
    }
    assert!(temporal_seen > 1_000, "the temporal and environmental groups were exercised");
}

/// Mutations of valid vectors (a character dropped, doubled, replaced by one from CVSS's
/// alphabet or beyond, two parts swapped) never panic: each is scored or refused with a
/// message, and a refused vector's message says what is wrong.
#[test]
fn mutated_vectors_are_scored_or_refused_never_a_panic() {
    let mut rng = Rng(0xF022_5EED);
    let alphabet: Vec<char> = "CVSS:/3.014ANLPHRUXMEIO-_ é\u{0}\u{202e}".chars().collect();
    let mut refused = 0;
    for n in 0..20_000 {
        let version = ["3.0", "3.1", "4.0"][n % 3];
        let mut chars: Vec<char> = vector(&mut rng, version).chars().collect();
        for _ in 0..=rng.below(3) {
            let at = rng.below(chars.len());
            match rng.below(4) {
                0 => {
                    chars.remove(at);
                }
                1 => chars.insert(at, chars[at]),
                2 => chars[at] = alphabet[rng.below(alphabet.len())],
                _ => {
                    let other = rng.below(chars.len());
                    chars.swap(at, other)
                }
            }
            if chars.is_empty() {
                break;
            }
        }
        let mutated: String = chars.into_iter().collect();
        if let Err(message) = cvss::score(&mutated) {
            refused += 1;
            assert!(!message.is_empty() && !message.contains("cannot be scored"), "{mutated}: {message}");
        }
    }
    assert!(refused > 10_000, "most mutations break the vector ({refused} refused)");
}
