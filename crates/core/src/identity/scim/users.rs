//! SCIM Users: the people of the directory. `displayName` is the person's name, the primary
//! (else work, else first) e-mail address is their e-mail, `userType` their kind, the
//! enterprise extension's `department` names their department (created when new) and
//! `manager` another person. `active: false` or DELETE starts the person's offboarding and
//! ends their access at once (sessions, tokens, sign-in); `active: true` cancels the
//! offboarding and gives sign-in back. The sign-in e-mail of an account holding a privileged
//! role changes only through an admin.

use super::listing::ListParams;
use super::{
    Ctx, ENTERPRISE_SCHEMA, ScimError, ScimPerson, ScimProfile, ScimResult, USER_SCHEMA, check_if_match, check_schemas,
    checked_line, etag, meta, patch, person_id, string_of,
};
use crate::audit::AuditRecord;
use crate::identity::scim_filter::field;
use crate::ids::{DepartmentId, PersonId};
use crate::organisation::people::{Person, PersonInput, PersonKind, PersonStatus};
use crate::store::Writer;
use crate::validate::Checks;
use serde_json::{Map, Value, json};

/// Attributes the provider cannot write.
const READ_ONLY: &[&str] = &["id", "meta", "groups"];
const OFFBOARDING_REASON: &str = "Deactivated by the identity provider (SCIM)";

/// A person as a SCIM User.
pub fn to_json(ctx: &Ctx<'_>, p: &ScimPerson) -> Value {
    let person = &p.person;
    let profile = p.profile.as_ref();
    let mut name = Map::new();
    if let Some(g) = profile.and_then(|p| p.given_name.as_deref()) {
        name.insert("givenName".into(), json!(g));
    }
    if let Some(f) = profile.and_then(|p| p.family_name.as_deref()) {
        name.insert("familyName".into(), json!(f));
    }
    name.insert("formatted".into(), json!(person.name));
    let mut enterprise = Map::new();
    if let Some(d) = &person.department_name {
        enterprise.insert("department".into(), json!(d));
    }
    if let Some(m) = profile.and_then(|p| p.manager_id) {
        let mut manager = json!({"value": m.to_string(), "$ref": ctx.location("Users", m)});
        if let Some(n) = &p.manager_name {
            manager["displayName"] = json!(n);
        }
        enterprise.insert("manager".into(), manager);
    }
    let mut user = json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
        "id": person.id.to_string(),
        "userName": p.user_name(),
        "name": name,
        "displayName": person.name,
        "userType": person.kind.label(),
        "active": matches!(person.status, PersonStatus::Onboarding | PersonStatus::Active),
        "emails": [{"value": person.email, "type": "work", "primary": true}],
        "groups": person.department_id.map(|d| vec![json!({
            "value": d.to_string(),
            "display": person.department_name.clone().unwrap_or_default(),
            "$ref": ctx.location("Groups", d),
            "type": "direct",
        })]).unwrap_or_default(),
        ENTERPRISE_SCHEMA: enterprise,
        "meta": meta("User", person.created_at, person.updated_at, ctx.location("Users", person.id)),
    });
    if let Some(x) = profile.and_then(|p| p.external_id.as_deref()) {
        user["externalId"] = json!(x);
    }
    user
}

/// The state a User resource asks for, checked.
struct Wanted {
    user_name: String,
    display_name: String,
    email: String,
    given_name: Option<String>,
    family_name: Option<String>,
    external_id: Option<String>,
    active: Option<bool>,
    kind: Option<PersonKind>,
    department: Option<String>,
    manager: Option<String>,
}

fn read(resource: &Value) -> ScimResult<Wanted> {
    let user_name = checked_line(string_of(field(resource, "userName"), "userName")?, "userName", 200)?
        .ok_or_else(|| ScimError::bad("invalidValue", "userName is required"))?;
    let name = field(resource, "name").filter(|n| !n.is_null());
    if name.is_some_and(|n| !n.is_object()) {
        return Err(ScimError::bad("invalidValue", "name must be an object"));
    }
    let part = |key: &str| -> ScimResult<Option<String>> {
        checked_line(string_of(name.and_then(|n| field(n, key)), &format!("name.{key}"))?, &format!("name.{key}"), 200)
    };
    let (given_name, family_name, formatted) = (part("givenName")?, part("familyName")?, part("formatted")?);
    let joined = [given_name.as_deref(), family_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let display_name = string_of(field(resource, "displayName"), "displayName")?
        .or(formatted)
        .or(Some(joined).filter(|j| !j.is_empty()))
        .unwrap_or_else(|| user_name.clone());
    let email = primary_email(resource)?
        .or_else(|| crate::validate::is_email(&user_name.to_lowercase()).then(|| user_name.clone()))
        .ok_or_else(|| {
            ScimError::bad("invalidValue", "an e-mail address is required: in emails, or as the userName")
        })?;
    let active = match field(resource, "active") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        // Some providers send booleans as strings.
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => return Err(ScimError::bad("invalidValue", "active must be true or false")),
    };
    let kind =
        match string_of(field(resource, "userType"), "userType")? {
            None => None,
            Some(t) => Some(PersonKind::ALL.iter().copied().find(|k| k.as_str().eq_ignore_ascii_case(&t)).ok_or_else(
                || ScimError::bad("invalidValue", format!("userType must be one of {}", PersonKind::choices())),
            )?),
        };
    let enterprise = field(resource, ENTERPRISE_SCHEMA).filter(|e| !e.is_null());
    if enterprise.is_some_and(|e| !e.is_object()) {
        return Err(ScimError::bad("invalidValue", format!("{ENTERPRISE_SCHEMA} must be an object")));
    }
    let department =
        checked_line(string_of(enterprise.and_then(|e| field(e, "department")), "department")?, "department", 120)?;
    let manager = match enterprise.and_then(|e| field(e, "manager")) {
        // A bare id is accepted too, as some providers send it.
        Some(Value::Object(_)) => {
            string_of(enterprise.and_then(|e| field(e, "manager")).and_then(|m| field(m, "value")), "manager.value")?
        }
        other => string_of(other, "manager")?,
    };
    Ok(Wanted {
        user_name,
        display_name,
        email,
        given_name,
        family_name,
        external_id: checked_line(string_of(field(resource, "externalId"), "externalId")?, "externalId", 200)?,
        active,
        kind,
        department,
        manager,
    })
}

/// The primary e-mail address, else the work one, else the first.
fn primary_email(resource: &Value) -> ScimResult<Option<String>> {
    let Some(list) = field(resource, "emails").filter(|e| !e.is_null()) else { return Ok(None) };
    let Some(items) = list.as_array() else {
        return Err(ScimError::bad("invalidValue", "emails must be a list"));
    };
    let is = |i: &&Value, key: &str, v: Value| field(i, key).is_some_and(|x| *x == v);
    let chosen = items
        .iter()
        .find(|i| is(i, "primary", json!(true)))
        .or_else(|| {
            items
                .iter()
                .find(|i| field(i, "type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("work")))
        })
        .or_else(|| items.first());
    chosen.map(|c| string_of(field(c, "value"), "emails.value")).transpose().map(Option::flatten)
}

/// The department named `name` (in any case), created when there is none.
async fn department_named(tx: &mut dyn Writer, ctx: &Ctx<'_>, name: &str) -> ScimResult<DepartmentId> {
    let existing = tx.list_department_names().await?.into_iter().find(|(_, n)| n.to_lowercase() == name.to_lowercase());
    if let Some((id, _)) = existing {
        return Ok(id);
    }
    super::new_department(tx, ctx, name).await
}

/// Resolves references and uniqueness of a wanted User; `me` is the person being edited.
async fn resolve(
    tx: &mut dyn Writer,
    ctx: &Ctx<'_>,
    w: &Wanted,
    me: Option<PersonId>,
) -> ScimResult<(Option<DepartmentId>, Option<PersonId>)> {
    if let Some(other) = tx.scim_person_named(&w.user_name.to_lowercase()).await?
        && Some(other.person.id) != me
    {
        return Err(ScimError::new(409, Some("uniqueness"), format!("userName {} is taken", w.user_name)));
    }
    let mut c = Checks::new();
    let email = c.email("emails", &w.email);
    c.finish()?;
    if let Some(other) = tx.find_person_by_email(&email).await?
        && Some(other.id) != me
    {
        return Err(ScimError::new(409, Some("uniqueness"), format!("another person has the e-mail address {email}")));
    }
    let department = match &w.department {
        Some(name) => Some(department_named(tx, ctx, name).await?),
        None => None,
    };
    let manager = match &w.manager {
        None => None,
        Some(raw) => {
            let id = raw.parse::<PersonId>().ok().filter(|id| Some(*id) != me);
            let live = match id {
                Some(id) => tx.scim_person(id).await?.filter(|p| !p.is_deleted()).map(|p| p.person.id),
                None => None,
            };
            Some(live.ok_or_else(|| ScimError::bad("invalidValue", format!("manager {raw} is not another User")))?)
        }
    };
    Ok((department, manager))
}

fn profile_of(id: PersonId, w: &Wanted, manager: Option<PersonId>) -> ScimProfile {
    ScimProfile {
        person_id: id,
        user_name: w.user_name.clone(),
        external_id: w.external_id.clone(),
        given_name: w.given_name.clone(),
        family_name: w.family_name.clone(),
        manager_id: manager,
        deleted_at: None,
    }
}

/// A live (not deleted) User, or 404.
async fn live(tx: &mut dyn Writer, id: &str) -> ScimResult<ScimPerson> {
    tx.scim_person(person_id(id)?).await?.filter(|p| !p.is_deleted()).ok_or_else(|| ScimError::not_found("user"))
}

pub async fn get(ctx: &Ctx<'_>, id: &str, params: &ListParams) -> ScimResult<Value> {
    ctx.require()?;
    let id = person_id(id)?;
    let found = ctx.store.read().await?.scim_person(id).await?.filter(|p| !p.is_deleted());
    found.map(|p| params.project(to_json(ctx, &p))).ok_or_else(|| ScimError::not_found("user"))
}

pub async fn list(ctx: &Ctx<'_>, params: &ListParams) -> ScimResult<Value> {
    ctx.require()?;
    let mut r = ctx.store.read().await?;
    // `userName eq "…"` (how providers look a person up) is answered from the index.
    if let Some(name) = params.filter.as_ref().and_then(|f| f.user_name_equals()) {
        // No userName holds a control character (and PostgreSQL cannot even compare NUL).
        let found = match name.chars().any(char::is_control) {
            true => None,
            false => r.scim_person_named(&name.to_lowercase()).await?.filter(|p| !p.is_deleted()),
        };
        let all: Vec<Value> = found.iter().map(|p| to_json(ctx, p)).collect();
        let (page, total) = params.select(all);
        return Ok(params.response(page, total));
    }
    if params.is_plain() {
        let (people, total) = r.scim_people(params.start_index - 1, params.count).await?;
        return Ok(params.response(people.iter().map(|p| to_json(ctx, p)).collect(), total));
    }
    let mut all = Vec::new();
    loop {
        let (batch, _) = r.scim_people(all.len() as i64, 2000).await?;
        let done = batch.len() < 2000;
        all.extend(batch.iter().map(|p| to_json(ctx, p)));
        if done {
            break;
        }
    }
    let (page, total) = params.select(all);
    Ok(params.response(page, total))
}

pub async fn create(ctx: &Ctx<'_>, body: &Value) -> ScimResult<Value> {
    ctx.require()?;
    check_schemas(body, USER_SCHEMA)?;
    let w = read(body)?;
    let mut tx = ctx.store.write().await?;
    let (department, manager) = resolve(&mut *tx, ctx, &w, None).await?;
    let input = PersonInput {
        name: w.display_name.clone(),
        email: w.email.clone(),
        kind: w.kind.unwrap_or(PersonKind::Employee).as_str().into(),
        department_id: department.map(|d| d.to_string()).unwrap_or_default(),
        status: PersonStatus::Active.as_str().into(),
        version: None,
    };
    let person = crate::organisation::people::create_in(&mut *tx, ctx.actor, ctx.now, &input).await?;
    let profile = profile_of(person.id, &w, manager);
    tx.put_scim_profile(&profile).await?;
    tx.audit(AuditRecord::new(
        ctx.actor,
        ctx.now,
        "scim_user.create",
        "person",
        person.id,
        None::<&()>,
        Some(&profile),
    ));
    if w.active == Some(false) {
        crate::organisation::lifecycle::start_offboarding_in(
            &mut *tx,
            ctx.actor,
            ctx.now,
            person.id,
            OFFBOARDING_REASON,
        )
        .await?;
    }
    let created = tx.scim_person(person.id).await?.ok_or_else(|| ScimError::not_found("user"))?;
    tx.commit().await?;
    Ok(to_json(ctx, &created))
}

/// PUT: the body replaces the attributes it names; the ones it leaves out are kept.
pub async fn replace(ctx: &Ctx<'_>, id: &str, body: &Value, if_match: Option<&str>) -> ScimResult<Value> {
    ctx.require()?;
    check_schemas(body, USER_SCHEMA)?;
    let body = body.as_object().cloned().unwrap_or_default();
    update(ctx, id, if_match, move |resource| {
        for (k, v) in body {
            if READ_ONLY.iter().any(|r| r.eq_ignore_ascii_case(&k)) {
                continue;
            }
            let key = resource.as_object().and_then(|o| o.keys().find(|x| x.eq_ignore_ascii_case(&k)).cloned());
            resource[key.unwrap_or(k)] = v;
        }
        Ok(())
    })
    .await
}

pub async fn patch(ctx: &Ctx<'_>, id: &str, body: &Value, if_match: Option<&str>) -> ScimResult<Value> {
    ctx.require()?;
    let ops = patch::parse_request(body)?;
    update(ctx, id, if_match, move |resource| patch::apply(resource, &ops, READ_ONLY)).await
}

/// Applies `change` to the User as JSON and stores the result, in one transaction.
async fn update(
    ctx: &Ctx<'_>,
    id: &str,
    if_match: Option<&str>,
    change: impl FnOnce(&mut Value) -> ScimResult<()>,
) -> ScimResult<Value> {
    let mut tx = ctx.store.write().await?;
    let current = live(&mut *tx, id).await?;
    check_if_match(if_match, &etag(current.person.updated_at))?;
    let before_json = to_json(ctx, &current);
    let mut resource = before_json.clone();
    change(&mut resource)?;
    let w = read(&resource)?;
    let me = current.person.id;
    let (department, manager) = resolve(&mut *tx, ctx, &w, Some(me)).await?;
    let before = &current.person;
    let wanted = Person {
        name: w.display_name.clone(),
        email: w.email.trim().to_lowercase(),
        kind: w.kind.unwrap_or(before.kind),
        department_id: department,
        department_name: None,
        ..before.clone()
    };
    let profile = profile_of(me, &w, manager);
    let same_person = Person { department_name: None, ..before.clone() } == wanted;
    if same_person && current.profile.as_ref() == Some(&profile) && w.active.is_none_or(|a| a == is_active(before)) {
        return Ok(before_json); // nothing changes: nothing written
    }
    let mut c = Checks::new();
    c.text("displayName", &wanted.name, 200);
    c.finish()?;
    let profile_changed = current.profile.as_ref() != Some(&profile);
    if wanted.email != before.email
        && crate::identity::accounts::check_sign_in_email_change(&mut *tx, ctx.actor, me).await.is_err()
    {
        return Err(ScimError::bad(
            "mutability",
            "this person's account holds a privileged role: an admin changes its e-mail in Bulwark",
        ));
    }
    if !same_person || profile_changed {
        // A new version (ETag) whenever anything the User shows changes.
        let after = Person { updated_at: ctx.now, ..wanted };
        tx.update_person(before, &after).await?;
        tx.audit(AuditRecord::new(ctx.actor, ctx.now, "person.update", "person", me, Some(before), Some(&after)));
    }
    if profile_changed {
        tx.put_scim_profile(&profile).await?;
        let old = current.profile.as_ref();
        tx.audit(AuditRecord::new(ctx.actor, ctx.now, "scim_user.update", "person", me, old, Some(&profile)));
    }
    match w.active {
        Some(false) if is_active(before) => {
            crate::organisation::lifecycle::start_offboarding_in(&mut *tx, ctx.actor, ctx.now, me, OFFBOARDING_REASON)
                .await?;
            crate::identity::accounts::end_access_in(&mut *tx, ctx.actor, ctx.now, me).await?;
        }
        Some(true) if !is_active(before) => {
            crate::organisation::lifecycle::reactivate_in(&mut *tx, ctx.actor, ctx.now, me).await?;
        }
        _ => {}
    }
    let updated = tx.scim_person(me).await?.ok_or_else(|| ScimError::not_found("user"))?;
    tx.commit().await?;
    Ok(to_json(ctx, &updated))
}

fn is_active(p: &Person) -> bool {
    matches!(p.status, PersonStatus::Onboarding | PersonStatus::Active)
}

/// DELETE: the person's offboarding starts (unless they left already) and the User is gone
/// from SCIM; the person and their history stay.
pub async fn delete(ctx: &Ctx<'_>, id: &str, if_match: Option<&str>) -> ScimResult<()> {
    ctx.require()?;
    let mut tx = ctx.store.write().await?;
    let current = live(&mut *tx, id).await?;
    check_if_match(if_match, &etag(current.person.updated_at))?;
    let person = &current.person;
    if person.status != PersonStatus::Left {
        crate::organisation::lifecycle::start_offboarding_in(
            &mut *tx,
            ctx.actor,
            ctx.now,
            person.id,
            OFFBOARDING_REASON,
        )
        .await?;
    }
    crate::identity::accounts::end_access_in(&mut *tx, ctx.actor, ctx.now, person.id).await?;
    let before = current.profile.clone();
    let profile = ScimProfile {
        deleted_at: Some(ctx.now),
        ..before.clone().unwrap_or(ScimProfile {
            person_id: person.id,
            user_name: person.email.clone(),
            external_id: None,
            given_name: None,
            family_name: None,
            manager_id: None,
            deleted_at: None,
        })
    };
    tx.put_scim_profile(&profile).await?;
    tx.audit(AuditRecord::new(
        ctx.actor,
        ctx.now,
        "scim_user.delete",
        "person",
        person.id,
        before.as_ref(),
        Some(&profile),
    ));
    tx.commit().await?;
    Ok(())
}
