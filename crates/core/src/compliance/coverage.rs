//! Coverage of a framework and its Statement of Applicability. A requirement is covered when
//! it applies and at least one implemented control mapped to it has fresh evidence; one whose
//! implemented controls lack fresh evidence is "implemented, evidence missing"; one with only
//! planned controls is planned; one with none is a gap. Requirements are applicable unless
//! marked otherwise, with a justification (ISO/IEC 27001 6.1.3 d).

use crate::audit::AuditRecord;
use crate::compliance::controls::ControlStatus;
use crate::compliance::frameworks::Framework;
use crate::error::{CoreError, CoreResult};
use crate::ids::{ControlId, FrameworkId};
use crate::time_util::Timestamp;
use crate::validate::Checks;
use crate::{Actor, Permission, Store};
use serde::Serialize;

/// A control mapped to a requirement, as coverage sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappedControl {
    pub id: ControlId,
    pub title: String,
    pub status: ControlStatus,
    /// It has evidence that has not expired (and no failed check is its newest word).
    pub fresh_evidence: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Covered,
    EvidenceMissing,
    Planned,
    Gap,
    NotApplicable,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Covered => "covered",
            State::EvidenceMissing => "evidence-missing",
            State::Planned => "planned",
            State::Gap => "gap",
            State::NotApplicable => "not-applicable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Covered => "Covered",
            State::EvidenceMissing => "Implemented, evidence missing",
            State::Planned => "Planned",
            State::Gap => "No control",
            State::NotApplicable => "Not applicable",
        }
    }
}

/// One line of the Statement of Applicability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementState {
    pub requirement_id: String,
    pub label: Option<String>,
    pub title: String,
    /// The top-level group it belongs to.
    pub group: Option<String>,
    pub applicable: bool,
    pub justification: String,
    pub controls: Vec<MappedControl>,
    pub state: State,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupCoverage {
    /// The top-level group's position in the catalog (None: requirements outside any group).
    pub position: Option<i64>,
    pub title: String,
    pub applicable: usize,
    pub covered: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub framework: Framework,
    pub applicable: usize,
    pub covered: usize,
    pub groups: Vec<GroupCoverage>,
    pub requirements: Vec<RequirementState>,
    /// The framework's groups and requirements it was computed from (no OSCAL bodies).
    #[serde(skip)]
    pub outline: crate::compliance::frameworks::FrameworkContent,
}

impl Coverage {
    /// Covered applicable requirements, in whole percent.
    pub fn percent(&self) -> usize {
        (self.covered * 100).checked_div(self.applicable).unwrap_or(0)
    }
}

/// Export columns of the Statement of Applicability.
pub const SOA_COLUMNS: &[&str] =
    &["requirement", "title", "group", "applicable", "justification", "controls", "control_status", "state"];

impl RequirementState {
    pub fn export_row(&self) -> Vec<String> {
        let statuses: Vec<&str> = self.controls.iter().map(|c| c.status.as_str()).collect();
        vec![
            self.label.clone().unwrap_or_else(|| self.requirement_id.clone()),
            self.title.clone(),
            self.group.clone().unwrap_or_default(),
            if self.applicable { "yes" } else { "no" }.into(),
            self.justification.clone(),
            self.controls.iter().map(|c| c.title.as_str()).collect::<Vec<_>>().join("; "),
            statuses.join("; "),
            self.state.as_str().into(),
        ]
    }
}

pub async fn coverage(store: &dyn Store, actor: &Actor, id: FrameworkId, now: Timestamp) -> CoreResult<Coverage> {
    actor.require(Permission::ViewCompliance)?;
    let mut r = store.read().await?;
    let outline = r.framework_outline(id).await?.ok_or(CoreError::NotFound)?;
    let mappings = r.framework_mappings(id, now).await?;
    let mut mapped: std::collections::HashMap<&str, Vec<MappedControl>> = std::collections::HashMap::new();
    for (requirement, control) in &mappings {
        mapped.entry(requirement.as_str()).or_default().push(control.clone());
    }
    let marked = r.applicability(id).await?;
    let applicability: std::collections::HashMap<&str, (bool, String)> =
        marked.iter().map(|(req, a, j)| (req.as_str(), (*a, j.clone()))).collect();
    let mut requirements = Vec::with_capacity(outline.controls.len());
    let mut groups: Vec<GroupCoverage> = Vec::new();
    let by_id: std::collections::HashMap<&str, &crate::compliance::frameworks::oscal::ControlRow> =
        outline.controls.iter().map(|c| (c.control_id.as_str(), c)).collect();
    for c in &outline.controls {
        let mut top = c;
        while let Some(p) = top.parent_control.as_deref().and_then(|p| by_id.get(p)) {
            top = p;
        }
        let top_group = outline.group_path(top.group_position).first().map(|g| (g.position, g.title.clone()));
        let group = top_group.as_ref().map(|(_, t)| t.clone());
        let (applicable, justification) =
            applicability.get(c.control_id.as_str()).map(|(a, j)| (*a, j.clone())).unwrap_or((true, String::new()));
        let controls: Vec<MappedControl> = mapped.get(c.control_id.as_str()).cloned().unwrap_or_default();
        let implemented = controls.iter().filter(|m| m.status == ControlStatus::Implemented);
        let state = if !applicable {
            State::NotApplicable
        } else if implemented.clone().any(|m| m.fresh_evidence) {
            State::Covered
        } else if implemented.count() > 0 {
            State::EvidenceMissing
        } else if controls.iter().any(|m| m.status == ControlStatus::Planned) {
            State::Planned
        } else {
            State::Gap
        };
        let position = top_group.as_ref().map(|(p, _)| *p);
        let g = match groups.iter().position(|g| g.position == position) {
            Some(i) => &mut groups[i],
            None => {
                let title = group.clone().unwrap_or_else(|| "Other".into());
                groups.push(GroupCoverage { position, title, applicable: 0, covered: 0 });
                groups.last_mut().expect("just pushed")
            }
        };
        if applicable {
            g.applicable += 1;
            g.covered += usize::from(state == State::Covered);
        }
        requirements.push(RequirementState {
            requirement_id: c.control_id.clone(),
            label: c.label.clone(),
            title: c.title.clone(),
            group,
            applicable,
            justification,
            controls,
            state,
        });
    }
    let applicable = requirements.iter().filter(|r| r.applicable).count();
    let covered = requirements.iter().filter(|r| r.state == State::Covered).count();
    Ok(Coverage { framework: outline.framework.clone(), applicable, covered, groups, requirements, outline })
}

/// Marks a requirement as applicable, or not with a justification.
pub async fn set_applicability(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: FrameworkId,
    requirement: &str,
    applicable: bool,
    justification: &str,
) -> CoreResult<()> {
    actor.require(Permission::ManageCompliance)?;
    let mut c = Checks::new();
    let justification = c.optional_text("justification", justification, 2_000);
    if !applicable && justification.is_empty() {
        c.fail("justification", "is required when a requirement does not apply");
    }
    c.finish()?;
    let mut tx = store.write().await?;
    let outline = tx.framework_outline(id).await?.ok_or(CoreError::NotFound)?;
    if outline.control(requirement).is_none() {
        return Err(CoreError::NotFound);
    }
    tx.put_applicability(id, requirement, applicable, &justification, now).await?;
    let state =
        serde_json::json!({"requirement": requirement, "applicable": applicable, "justification": justification});
    tx.audit(AuditRecord::new(actor, now, "requirement.applicability", "framework", id, None::<&()>, Some(&state)));
    tx.commit().await?;
    Ok(())
}

/// The current state of a framework as an OSCAL assessment-results document: one finding per
/// applicable requirement (satisfied when covered), with an observation for each piece of
/// evidence of the controls mapped to it. `base_url` makes links to Bulwark absolute.
pub async fn assessment_results(
    store: &dyn Store,
    actor: &Actor,
    id: FrameworkId,
    now: Timestamp,
    base_url: &str,
) -> CoreResult<serde_json::Value> {
    use serde_json::json;
    let coverage = coverage(store, actor, id, now).await?;
    let mut evidence = std::collections::HashMap::new();
    {
        let mut r = store.read().await?;
        let mapped: std::collections::BTreeSet<ControlId> =
            coverage.requirements.iter().flat_map(|r| &r.controls).map(|c| c.id).collect();
        for id in mapped {
            evidence.insert(id, r.control_evidence(id).await?);
        }
    }
    // OSCAL asks for version 4 (random) or 5 uuids.
    let uuid = || uuid::Uuid::new_v4().to_string();
    let at = crate::time_util::rfc3339;
    let base = base_url.trim_end_matches('/');
    let mut observations = Vec::new();
    let mut observation_of = std::collections::HashMap::new();
    for (control, items) in &evidence {
        for e in items {
            let href = match &e.url {
                Some(u) => u.clone(),
                None => format!("{base}/evidence/{}/file", e.id),
            };
            let method = if e.kind == crate::compliance::controls::EvidenceKind::Check { "TEST" } else { "EXAMINE" };
            let observation = uuid();
            let mut description = format!("{} ({}), valid until {}", e.title, e.kind.label(), at(e.expires_at));
            if let Some(o) = &e.outcome {
                description.push_str(&format!("; the check {o}"));
            }
            if let Some(sha) = &e.sha256 {
                description.push_str(&format!("; SHA-256 {sha}"));
            }
            observations.push(json!({
                "uuid": observation,
                "title": e.title,
                "description": description,
                "methods": [method],
                "collected": at(e.collected_at),
                "expires": at(e.expires_at),
                "relevant-evidence": [{"href": href, "description": e.title}],
            }));
            observation_of.entry(*control).or_insert_with(Vec::new).push(observation);
        }
    }
    let findings: Vec<serde_json::Value> = coverage
        .requirements
        .iter()
        .filter(|r| r.applicable)
        .map(|r| {
            let related: Vec<serde_json::Value> = r
                .controls
                .iter()
                .flat_map(|c| observation_of.get(&c.id).cloned().unwrap_or_default())
                .map(|o| json!({"observation-uuid": o}))
                .collect();
            let state = if r.state == State::Covered { "satisfied" } else { "not-satisfied" };
            let controls: Vec<&str> = r.controls.iter().map(|c| c.title.as_str()).collect();
            let description = match controls.is_empty() {
                true => format!("{}: no control is mapped.", r.state.label()),
                false => format!("{}. Controls: {}.", r.state.label(), controls.join("; ")),
            };
            let mut finding = json!({
                "uuid": uuid(),
                "title": format!("{} {}", r.label.clone().unwrap_or_else(|| r.requirement_id.clone()), r.title),
                "description": description,
                "target": {"type": "objective-id", "target-id": r.requirement_id, "status": {"state": state}},
            });
            if !related.is_empty() {
                finding["related-observations"] = json!(related);
            }
            finding
        })
        .collect();
    let mut result = json!({
        "uuid": uuid(),
        "title": format!("Current state of {}", coverage.framework.title),
        "description": format!("{} of {} applicable requirements covered ({}%).", coverage.covered, coverage.applicable, coverage.percent()),
        "start": at(now),
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
    });
    if !findings.is_empty() {
        result["findings"] = json!(findings);
    }
    if !observations.is_empty() {
        result["observations"] = json!(observations);
    }
    Ok(json!({"assessment-results": {
        "uuid": uuid(),
        "metadata": {
            "title": format!("Assessment results: {}", coverage.framework.title),
            "last-modified": at(now),
            "version": now.date().to_string(),
            "oscal-version": "1.1.2",
        },
        "import-ap": {"href": format!("{base}/frameworks/{}", coverage.framework.id)},
        "results": [result],
    }}))
}
