//! The security team's areas (SPEC §2: offensive, defensive, application security, GRC …)
//! and their members, two record kit types: a member is a part of its area, listed and added
//! on the area's page. Everyone signed in sees the team (`security_team`): every employee
//! knows whom to ask.

use crate::access::{Actor, Permission};
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;
use crate::records::access::RecordAccess;
use crate::records::input::RawRecord;
use crate::records::{Field, FieldKind, Record, RecordType, Target, service};
use crate::store::{Reader, Store};
use crate::time_util::Timestamp;

/// The security team's areas a new instance starts with (SPEC: editable).
pub const DEFAULT_AREAS: [(&str, &str); 4] = [
    ("Offensive security", "Red team: penetration tests, adversary simulation."),
    ("Defensive security", "Blue team: detection, monitoring and incident response."),
    ("Application security", "Secure engineering, code review and vulnerability disclosure."),
    ("Governance, risk & compliance", "Policies, risks, controls, audits and vendors."),
];

const DIRECTORY: RecordAccess = RecordAccess {
    view: Permission::ViewDirectory,
    manage: Permission::ManageDirectory,
    scope: None,
    scope_edits: false,
};

pub static AREA: RecordType = RecordType {
    kind: "area",
    table: "areas",
    path: "areas",
    singular: "area",
    title: "Security areas",
    intro: "The security team's areas: what each does and who works in it.",
    name_field: "name",
    fields: &[
        Field::line("name", "Name", 120).required().listed().sorted().searched().unique("is already taken"),
        Field::text("description", "What it does", 2000).listed().searched(),
        Field::count("members", "Members", ("area_members", "area")).listed().sorted(),
    ],
    parent: None,
    access: DIRECTORY,
    actions: &[],
    rules: None,
    panel: None,
    derive: None,
    after_save: None,
};

/// `AREA` as the target of its members' `area` field.
pub const AREA_TARGET: Target = Target {
    kind: "area",
    table: "areas",
    name_column: "name",
    link: "/areas/",
    what: "area",
    view: Permission::ViewDirectory,
};

pub static AREA_MEMBER: RecordType = RecordType {
    kind: "area_member",
    table: "area_members",
    path: "area-members",
    singular: "member",
    title: "Members",
    intro: "The people of the security team, by area.",
    name_field: "person",
    fields: &[
        Field::new("area", "Area", FieldKind::Ref(&AREA_TARGET)).required().listed().filtered().sorted(),
        Field::new("person", "Person", FieldKind::Person)
            .required()
            .listed()
            .filtered()
            .sorted()
            .unique("is already a member of this area"),
        Field::line("specialty", "Specialty", 200).listed().searched().hint("E.g. cloud security, forensics."),
    ],
    parent: Some("area"),
    access: DIRECTORY,
    actions: &[],
    rules: None,
    panel: None,
    derive: None,
    after_save: None,
};

/// One member as the team page shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamMember {
    pub person_id: PersonId,
    pub name: String,
    pub email: String,
    pub specialty: String,
}

/// Creates the default areas on an instance that has never had any, audited as the system.
/// Returns how many were created (none once areas exist or were ever recorded).
pub async fn ensure_default_areas(store: &dyn Store, now: Timestamp) -> CoreResult<usize> {
    let mut tx = store.write().await?;
    if tx.list_records(&AREA, &AREA.list_spec().first_page(1)).await?.total > 0 {
        return Ok(0);
    }
    let ever = crate::audit::AuditFilter { entity_type: Some(AREA.kind.into()), ..Default::default() };
    if tx.list_audit(&ever, 1).await?.total > 0 {
        return Ok(0);
    }
    let actor = Actor::system("bulwark");
    for (name, description) in DEFAULT_AREAS {
        let raw = RawRecord::from_pairs([("name", name), ("description", description)]);
        service::create_in(&mut *tx, &actor, &AREA, now, &raw).await?;
    }
    tx.commit().await?;
    Ok(DEFAULT_AREAS.len())
}

/// The security team as everyone may see it: each area with what it does and its members,
/// by name, e-mail and specialty.
pub async fn security_team(store: &dyn Store, actor: &Actor) -> CoreResult<Vec<(Record, Vec<TeamMember>)>> {
    if actor.account_id.is_none() && actor.person_id.is_none() {
        return Err(CoreError::Unauthenticated);
    }
    let mut r = store.read().await?;
    let areas = r.list_records(&AREA, &sorted_by_name(&AREA, None)).await?;
    let mut team = Vec::new();
    for area in areas.items {
        let members = r.list_records(&AREA_MEMBER, &sorted_by_name(&AREA_MEMBER, Some(&area.id))).await?;
        team.push((area, team_members(&mut *r, members.items).await?));
    }
    Ok(team)
}

/// The first 200 records (an area's members when `area` is given), by name.
fn sorted_by_name(ty: &'static RecordType, area: Option<&str>) -> crate::list::ListQuery {
    let mut query = ty.list_spec().first_page(200);
    let by = if area.is_some() { "person" } else { "name" };
    if let Some(sort) = ty.list_spec().sorts.iter().find(|s| s.name == by) {
        query.sort = *sort;
    }
    query.filters.extend(area.map(|a| ("area", a.to_string())));
    query
}

async fn team_members(r: &mut dyn Reader, members: Vec<Record>) -> CoreResult<Vec<TeamMember>> {
    let mut shown = Vec::new();
    for m in members {
        let Some(person_id) = m.value("person").as_id().and_then(|id| id.parse().ok()) else { continue };
        let Some(person) = r.find_person(person_id).await? else { continue };
        let specialty = m.value("specialty").plain();
        shown.push(TeamMember { person_id, name: person.name, email: person.email, specialty });
    }
    Ok(shown)
}
