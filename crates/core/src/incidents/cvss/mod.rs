//! CVSS vectors (FIRST's Common Vulnerability Scoring System v3.0, v3.1 and v4.0): parsed
//! against the specification's metric tables here, so that a bad vector is refused with a
//! message naming its problem (an unknown metric, a value the metric does not take, a metric
//! given twice or missing, the order CVSS 4.0 requires), then scored: v3.x by the
//! specifications' equations in `v3` (base, temporal, environmental), v4.0 by RustSec's `cvss`
//! crate (the MacroVector lookup and interpolation of FIRST's reference calculator). Both are
//! checked against PyPI's `cvss` on thousands of generated vectors in the tests.
//!
//! The normalised vector lists the given metrics in the specification's order and leaves out
//! those given as `X` (Not Defined), which change nothing.

use serde::Serialize;
use std::collections::HashMap;

mod v3;

/// One metric of a version's table: its abbreviation, name, values, and whether a vector must
/// give it.
struct Metric {
    key: &'static str,
    name: &'static str,
    values: &'static [&'static str],
    mandatory: bool,
}

const fn base(key: &'static str, name: &'static str, values: &'static [&'static str]) -> Metric {
    Metric { key, name, values, mandatory: true }
}

const fn optional(key: &'static str, name: &'static str, values: &'static [&'static str]) -> Metric {
    Metric { key, name, values, mandatory: false }
}

const IMPACT3: &[&str] = &["H", "L", "N"];
const REQUIREMENT: &[&str] = &["X", "H", "M", "L"];
const MODIFIED_IMPACT3: &[&str] = &["X", "H", "L", "N"];

/// CVSS v3.0 and v3.1 (the same metrics), in the specification's order.
const V3: &[Metric] = &[
    base("AV", "Attack Vector", &["N", "A", "L", "P"]),
    base("AC", "Attack Complexity", &["L", "H"]),
    base("PR", "Privileges Required", &["N", "L", "H"]),
    base("UI", "User Interaction", &["N", "R"]),
    base("S", "Scope", &["U", "C"]),
    base("C", "Confidentiality", IMPACT3),
    base("I", "Integrity", IMPACT3),
    base("A", "Availability", IMPACT3),
    optional("E", "Exploit Code Maturity", &["X", "H", "F", "P", "U"]),
    optional("RL", "Remediation Level", &["X", "U", "W", "T", "O"]),
    optional("RC", "Report Confidence", &["X", "C", "R", "U"]),
    optional("CR", "Confidentiality Requirement", REQUIREMENT),
    optional("IR", "Integrity Requirement", REQUIREMENT),
    optional("AR", "Availability Requirement", REQUIREMENT),
    optional("MAV", "Modified Attack Vector", &["X", "N", "A", "L", "P"]),
    optional("MAC", "Modified Attack Complexity", &["X", "L", "H"]),
    optional("MPR", "Modified Privileges Required", &["X", "N", "L", "H"]),
    optional("MUI", "Modified User Interaction", &["X", "N", "R"]),
    optional("MS", "Modified Scope", &["X", "U", "C"]),
    optional("MC", "Modified Confidentiality", MODIFIED_IMPACT3),
    optional("MI", "Modified Integrity", MODIFIED_IMPACT3),
    optional("MA", "Modified Availability", MODIFIED_IMPACT3),
];

/// CVSS v4.0, in the specification's order (which a vector must keep).
const V4: &[Metric] = &[
    base("AV", "Attack Vector", &["N", "A", "L", "P"]),
    base("AC", "Attack Complexity", &["L", "H"]),
    base("AT", "Attack Requirements", &["N", "P"]),
    base("PR", "Privileges Required", &["N", "L", "H"]),
    base("UI", "User Interaction", &["N", "P", "A"]),
    base("VC", "Vulnerable System Confidentiality", IMPACT3),
    base("VI", "Vulnerable System Integrity", IMPACT3),
    base("VA", "Vulnerable System Availability", IMPACT3),
    base("SC", "Subsequent System Confidentiality", IMPACT3),
    base("SI", "Subsequent System Integrity", IMPACT3),
    base("SA", "Subsequent System Availability", IMPACT3),
    optional("E", "Exploit Maturity", &["X", "A", "P", "U"]),
    optional("CR", "Confidentiality Requirement", REQUIREMENT),
    optional("IR", "Integrity Requirement", REQUIREMENT),
    optional("AR", "Availability Requirement", REQUIREMENT),
    optional("MAV", "Modified Attack Vector", &["X", "N", "A", "L", "P"]),
    optional("MAC", "Modified Attack Complexity", &["X", "L", "H"]),
    optional("MAT", "Modified Attack Requirements", &["X", "N", "P"]),
    optional("MPR", "Modified Privileges Required", &["X", "N", "L", "H"]),
    optional("MUI", "Modified User Interaction", &["X", "N", "P", "A"]),
    optional("MVC", "Modified Vulnerable System Confidentiality", MODIFIED_IMPACT3),
    optional("MVI", "Modified Vulnerable System Integrity", MODIFIED_IMPACT3),
    optional("MVA", "Modified Vulnerable System Availability", MODIFIED_IMPACT3),
    optional("MSC", "Modified Subsequent System Confidentiality", MODIFIED_IMPACT3),
    optional("MSI", "Modified Subsequent System Integrity", &["X", "S", "H", "L", "N"]),
    optional("MSA", "Modified Subsequent System Availability", &["X", "S", "H", "L", "N"]),
    optional("S", "Safety", &["X", "N", "P"]),
    optional("AU", "Automatable", &["X", "N", "Y"]),
    optional("R", "Recovery", &["X", "A", "U", "I"]),
    optional("V", "Value Density", &["X", "D", "C"]),
    optional("RE", "Vulnerability Response Effort", &["X", "L", "M", "H"]),
    optional("U", "Provider Urgency", &["X", "Clear", "Green", "Amber", "Red"]),
];

/// The longest vector accepted (every v4.0 metric with its longest value is about 190).
pub const MAX_VECTOR_CHARS: usize = 300;

/// A scored vector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub version: &'static str,
    /// The given metrics in the specification's order, without those Not Defined (`X`).
    pub vector: String,
    /// The score of the base metrics alone.
    pub base_score: f64,
    /// The qualitative rating of the base score: None, Low, Medium, High or Critical.
    pub severity: &'static str,
    /// v3.x with temporal metrics: the temporal score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporal_score: Option<f64>,
    /// v3.x with environmental metrics: the environmental score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environmental_score: Option<f64>,
    /// v4.0 with threat or environmental metrics: the score of the whole vector, and which
    /// groups it covers (`CVSS-BT`, `CVSS-BE`, `CVSS-BTE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nomenclature: Option<&'static str>,
}

/// The qualitative severity rating of a score (the same scale in v3.x and v4.0).
pub fn severity(score: f64) -> &'static str {
    match score {
        0.0 => "None",
        s if s < 4.0 => "Low",
        s if s < 7.0 => "Medium",
        s if s < 9.0 => "High",
        _ => "Critical",
    }
}

/// Checks a vector against its version's table; returns the version and the normalised
/// vector, or a message naming the problem.
fn normalise(vector: &str) -> Result<(&'static str, &'static [Metric], String), String> {
    if vector.chars().count() > MAX_VECTOR_CHARS {
        return Err(format!("is longer than {MAX_VECTOR_CHARS} characters"));
    }
    let rest = vector.strip_prefix("CVSS:").ok_or("must start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/")?;
    let (version, metrics) = rest.split_once('/').unwrap_or((rest, ""));
    let (version, table, ordered): (&'static str, &'static [Metric], bool) = match version {
        "3.0" => ("3.0", V3, false),
        "3.1" => ("3.1", V3, false),
        "4.0" => ("4.0", V4, true),
        other => return Err(format!("names CVSS version {other}, which is not supported (3.0, 3.1 or 4.0)")),
    };
    let mut given: Vec<Option<&str>> = vec![None; table.len()];
    let mut last = None;
    for part in metrics.split('/') {
        let (key, value) =
            part.split_once(':').ok_or_else(|| format!("has `{part}` where a metric:value pair belongs"))?;
        let position = table
            .iter()
            .position(|m| m.key == key)
            .ok_or_else(|| format!("names `{key}`, which is not a CVSS {version} metric"))?;
        let metric = &table[position];
        if given[position].is_some() {
            return Err(format!("gives {} ({key}) twice", metric.name));
        }
        if !metric.values.contains(&value) {
            return Err(format!(
                "gives `{value}` for {} ({key}), which takes {}",
                metric.name,
                metric.values.join(", ")
            ));
        }
        if let Some(previous) = last.filter(|l: &usize| ordered && *l > position) {
            return Err(format!(
                "must list {key} before {} (CVSS {version} keeps the specification's order)",
                table[previous].key
            ));
        }
        given[position] = Some(value);
        last = Some(position);
    }
    let missing: Vec<&str> =
        table.iter().zip(&given).filter(|(m, v)| m.mandatory && v.is_none()).map(|(m, _)| m.key).collect();
    if !missing.is_empty() {
        let plural = if missing.len() > 1 { "s" } else { "" };
        return Err(format!("lacks the base metric{plural} {}", missing.join(", ")));
    }
    let mut normal = format!("CVSS:{version}");
    for (m, v) in table.iter().zip(&given) {
        if let Some(v) = v.filter(|v| *v != "X") {
            normal.push_str(&format!("/{}:{v}", m.key));
        }
    }
    Ok((version, table, normal))
}

/// Parses and scores a vector.
pub fn score(vector: &str) -> Result<Scored, String> {
    let (version, table, normal) = normalise(vector)?;
    let given: HashMap<&str, &str> = normal.split('/').skip(1).filter_map(|p| p.split_once(':')).collect();
    let in_group = |first: &str, last: &str| {
        let (from, to) = (table.iter().position(|m| m.key == first), table.iter().position(|m| m.key == last));
        table[from.unwrap_or(0)..=to.unwrap_or(0)].iter().any(|m| given.contains_key(m.key))
    };
    if version == "4.0" {
        let unscorable = |e: ::cvss::Error| format!("cannot be scored: {e}");
        let base_only: String = normal.split('/').take(12).collect::<Vec<_>>().join("/");
        let base: ::cvss::v4::Vector = base_only.parse().map_err(unscorable)?;
        let whole: ::cvss::v4::Vector = normal.parse().map_err(unscorable)?;
        let base_score = base.score().value();
        let nomenclature = match whole.nomenclature() {
            ::cvss::v4::score::Nomenclature::CvssBT => Some("CVSS-BT"),
            ::cvss::v4::score::Nomenclature::CvssBE => Some("CVSS-BE"),
            ::cvss::v4::score::Nomenclature::CvssBTE => Some("CVSS-BTE"),
            _ => None,
        };
        // Supplemental metrics never change the score.
        let score = in_group("E", "MSA").then(|| whole.score().value());
        return Ok(Scored {
            version,
            vector: normal,
            base_score,
            severity: severity(base_score),
            temporal_score: None,
            environmental_score: None,
            score,
            nomenclature: nomenclature.filter(|_| score.is_some()),
        });
    }
    let scores = v3::scores(version, &given);
    Ok(Scored {
        version,
        base_score: scores.base,
        severity: severity(scores.base),
        temporal_score: in_group("E", "RC").then_some(scores.temporal),
        environmental_score: in_group("CR", "MA").then_some(scores.environmental),
        score: None,
        nomenclature: None,
        vector: normal,
    })
}

/// The metrics of a version as a calculator form shows them: (key, name, values, mandatory).
pub fn metrics(version: &str) -> Vec<(&'static str, &'static str, &'static [&'static str], bool)> {
    let table = if version == "4.0" { V4 } else { V3 };
    table.iter().map(|m| (m.key, m.name, m.values, m.mandatory)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(vector: &str) -> String {
        score(vector).expect_err(vector)
    }

    #[test]
    fn first_published_examples_score_as_specified() {
        // CVSS v3.1 specification examples (CVE-2014-0160 Heartbleed, CVE-2013-1937) and
        // the CVSS v4.0 specification's defaults.
        let heartbleed = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N").unwrap();
        assert_eq!((heartbleed.base_score, heartbleed.severity), (7.5, "High"));
        assert_eq!(score("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N").unwrap().base_score, 6.1);
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap().base_score, 9.8);
        let v4 = score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").unwrap();
        assert_eq!((v4.base_score, v4.severity, v4.score), (9.3, "Critical", None));
        let threat = score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U").unwrap();
        assert_eq!((threat.base_score, threat.score, threat.nomenclature), (9.3, Some(8.1), Some("CVSS-BT")));
        // The CVSS v3.1 examples document: CVE-2013-0375, CVE-2014-3566 (POODLE), CVE-2012-1516,
        // CVE-2009-0783, CVE-2012-0384, CVE-2015-1098, CVE-2014-0224, CVE-2016-1645.
        for (metrics, expected) in [
            ("AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
            ("AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1),
            ("AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9),
            ("AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2),
            ("AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8),
            ("AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8),
            ("AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4),
            ("AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8),
        ] {
            assert_eq!(score(&format!("CVSS:3.1/{metrics}")).unwrap().base_score, expected, "{metrics}");
        }
        let none = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N").unwrap();
        assert_eq!((none.base_score, none.severity), (0.0, "None"));
    }

    #[test]
    fn vectors_are_normalised_to_the_specification_order_without_not_defined() {
        let s = score("CVSS:3.1/AC:L/AV:N/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/RL:O").unwrap();
        assert_eq!(s.vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/RL:O");
        assert_eq!(s.temporal_score, Some(9.4));
    }

    #[test]
    fn bad_vectors_are_refused_naming_the_problem() {
        assert_eq!(refused("AV:N/AC:L"), "must start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/");
        assert_eq!(refused("CVSS:2.0/AV:N"), "names CVSS version 2.0, which is not supported (3.0, 3.1 or 4.0)");
        assert_eq!(
            refused("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1"),
            "names `ZZ`, which is not a CVSS 3.1 metric"
        );
        assert_eq!(refused("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "gives Attack Vector (AV) twice");
        assert_eq!(
            refused("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            "gives `Q` for Attack Vector (AV), which takes N, A, L, P"
        );
        assert_eq!(refused("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H"), "lacks the base metrics I, A");
        assert_eq!(
            refused("CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            "must list AV before AC (CVSS 4.0 keeps the specification's order)"
        );
        assert_eq!(refused("CVSS:3.1/AV:N/"), "has `` where a metric:value pair belongs");
        assert!(refused(&format!("CVSS:3.1/{}", "AV:N/".repeat(100))).starts_with("is longer than"));
    }
}
