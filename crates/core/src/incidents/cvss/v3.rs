//! CVSS v3.0 and v3.1 scores: the base, temporal and environmental equations of the
//! specifications (section 7 of each), with each version's differences — the Roundup
//! function and, for a changed modified scope, the modified impact formula.
//!
//! Roundup is the smallest one-decimal number at or above its input. v3.1 defines it on the
//! input rounded to five decimals, so that floating-point noise (5.0 × 0.92 computed as
//! 4.6000000000000005) does not round up; v3.0 states it mathematically, and the same
//! five-decimal rounding is what computes it exactly.

use std::collections::HashMap;

/// Roundup of both versions: the smallest one-decimal number at or above `x`, taken to five
/// decimals first.
pub fn roundup(x: f64) -> f64 {
    let scaled = (x * 100_000.0).round() as i64;
    if scaled % 10_000 == 0 { scaled as f64 / 100_000.0 } else { ((scaled / 10_000) + 1) as f64 / 10.0 }
}

/// The scores of a checked vector (metric key → value, as given; absent optional metrics
/// are Not Defined).
pub struct Scores {
    pub base: f64,
    pub temporal: f64,
    pub environmental: f64,
}

fn weight(key: &str, value: &str, scope_changed: bool) -> f64 {
    match (key, value) {
        ("AV", "N") => 0.85,
        ("AV", "A") => 0.62,
        ("AV", "L") => 0.55,
        ("AV", "P") => 0.2,
        ("AC", "L") => 0.77,
        ("AC", "H") => 0.44,
        ("PR", "N") => 0.85,
        ("PR", "L") => {
            if scope_changed {
                0.68
            } else {
                0.62
            }
        }
        ("PR", "H") => {
            if scope_changed {
                0.5
            } else {
                0.27
            }
        }
        ("UI", "N") => 0.85,
        ("UI", "R") => 0.62,
        ("C" | "I" | "A", "H") => 0.56,
        ("C" | "I" | "A", "L") => 0.22,
        ("C" | "I" | "A", "N") => 0.0,
        ("E", "F") => 0.97,
        ("E", "P") => 0.94,
        ("E", "U") => 0.91,
        ("RL", "W") => 0.97,
        ("RL", "T") => 0.96,
        ("RL", "O") => 0.95,
        ("RC", "R") => 0.96,
        ("RC", "U") => 0.92,
        ("CR" | "IR" | "AR", "H") => 1.5,
        ("CR" | "IR" | "AR", "L") => 0.5,
        // Not Defined, and the values that weigh 1 (E:H, RL:U, RC:C, requirements M).
        _ => 1.0,
    }
}

pub fn scores(version: &str, given: &HashMap<&str, &str>) -> Scores {
    let get = |key: &str| given.get(key).copied().unwrap_or("X");
    // A modified metric that is Not Defined takes the base metric's value.
    let modified = |key: &str| match get(&format!("M{key}")) {
        "X" => get(key),
        v => v,
    };
    let changed = get("S") == "C";
    let w = |key: &str, value: &str, changed: bool| weight(key, value, changed);

    let iss =
        1.0 - (1.0 - w("C", get("C"), changed)) * (1.0 - w("I", get("I"), changed)) * (1.0 - w("A", get("A"), changed));
    let impact = if changed { 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15) } else { 6.42 * iss };
    let exploitability = 8.22
        * w("AV", get("AV"), changed)
        * w("AC", get("AC"), changed)
        * w("PR", get("PR"), changed)
        * w("UI", get("UI"), changed);
    let base = match (impact <= 0.0, changed) {
        (true, _) => 0.0,
        (false, false) => roundup((impact + exploitability).min(10.0)),
        (false, true) => roundup((1.08 * (impact + exploitability)).min(10.0)),
    };
    let temporal_factor = w("E", get("E"), changed) * w("RL", get("RL"), changed) * w("RC", get("RC"), changed);
    let temporal = roundup(base * temporal_factor);

    let m_changed = modified("S") == "C";
    let requirement = |impact: &str, req: &str| w(req, get(req), m_changed) * w(impact, modified(impact), m_changed);
    let miss = (1.0 - (1.0 - requirement("C", "CR")) * (1.0 - requirement("I", "IR")) * (1.0 - requirement("A", "AR")))
        .min(0.915);
    let m_impact = match (m_changed, version) {
        (false, _) => 6.42 * miss,
        (true, "3.0") => 7.52 * (miss - 0.029) - 3.25 * (miss - 0.02).powi(15),
        (true, _) => 7.52 * (miss - 0.029) - 3.25 * (miss * 0.9731 - 0.02).powi(13),
    };
    let m_exploitability = 8.22
        * w("AV", modified("AV"), m_changed)
        * w("AC", modified("AC"), m_changed)
        * w("PR", modified("PR"), m_changed)
        * w("UI", modified("UI"), m_changed);
    let environmental = match (m_impact <= 0.0, m_changed) {
        (true, _) => 0.0,
        (false, false) => roundup(roundup((m_impact + m_exploitability).min(10.0)) * temporal_factor),
        (false, true) => roundup(roundup((1.08 * (m_impact + m_exploitability)).min(10.0)) * temporal_factor),
    };
    Scores { base, temporal, environmental }
}

#[cfg(test)]
mod tests {
    use super::roundup;

    #[test]
    fn roundup_ignores_floating_point_noise() {
        assert_eq!(roundup(5.0 * 0.92), 4.6);
        assert_eq!(roundup(4.02), 4.1);
        assert_eq!(roundup(4.0), 4.0);
        assert_eq!(roundup(4.000_001), 4.0);
    }
}
