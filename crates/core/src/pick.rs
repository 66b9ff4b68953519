//! Names for ids. Forms ask for what the pages show — a person's name or e-mail, an asset's
//! name or identifier, a risk's title, a requirement's label ("SA-11", "SEP.2") — and these
//! functions resolve what was typed to the one record it names (an id still works, for the
//! API and for links). A name that fits several records is refused with how to tell them
//! apart; one that fits none says so. The `*_options` functions give the pages the
//! suggestions of their pickers (an HTML `datalist`: searchable as one types, with or
//! without JavaScript).

use crate::access::{Actor, Permission};
use crate::error::CoreResult;
use crate::ids::{AssetId, PersonId, RiskId};
use crate::list::{ListQuery, ListSpec, MAX_LIMIT};
use crate::organisation::people::PersonStatus;
use crate::store::{Reader, Store};
use crate::validate::Checks;

/// How many suggestions a picker offers at most (typing a name that is not among them still
/// works: the server resolves it).
pub const OPTIONS: u32 = MAX_LIMIT;

/// One suggestion: the value the field takes, and what the list shows beside it.
pub type PickOption = (String, String);

/// A search of `spec`'s list for `typed` (lower-cased, as the stored search text is).
fn search(spec: &ListSpec, typed: &str) -> ListQuery {
    ListQuery { q: Some(typed.to_lowercase()), ..spec.first_page(50) }
}

/// The one of `found` that `typed` names exactly (case aside), refusing none or several.
fn exactly_one<T>(c: &mut Checks, field: &str, typed: &str, found: Vec<T>, what: &str, tell_apart: &str) -> Option<T> {
    let count = found.len();
    let mut found = found.into_iter();
    match (found.next(), count) {
        (Some(one), 1) => Some(one),
        (None, _) => {
            c.clash(field, &format!("names no {what}: “{typed}”"));
            None
        }
        _ => {
            c.clash(field, &format!("fits {count} {what}s called “{typed}”: {tell_apart}"));
            None
        }
    }
}

/// A person by e-mail address, "Name <e-mail>", id, or their exact name if only one person
/// still with the company has it.
pub(crate) async fn person(r: &mut dyn Reader, c: &mut Checks, field: &str, raw: &str) -> CoreResult<Option<PersonId>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let email = match (raw.rfind('<'), raw.ends_with('>')) {
        (Some(start), true) => Some(&raw[start + 1..raw.len() - 1]),
        _ if raw.contains('@') => Some(raw),
        _ => None,
    };
    if let Some(email) = email {
        let found = r.find_person_by_email(&email.trim().to_lowercase()).await?.map(|p| p.id);
        if found.is_none() {
            c.clash(field, &format!("names nobody in the directory: “{raw}”"));
        }
        return Ok(found);
    }
    if let Ok(id) = raw.parse::<PersonId>() {
        let found = r.find_person(id).await?.map(|p| p.id);
        if found.is_none() {
            c.clash(field, "names nobody in the directory");
        }
        return Ok(found);
    }
    let named: Vec<PersonId> = r
        .list_people(&search(&crate::organisation::people::LIST, raw))
        .await?
        .items
        .into_iter()
        .filter(|p| p.status != PersonStatus::Left && p.name.eq_ignore_ascii_case(raw))
        .map(|p| p.id)
        .collect();
    Ok(exactly_one(c, field, raw, named, "person", "give their e-mail address"))
}

/// An asset by id, or its exact name or identifier.
pub(crate) async fn asset(r: &mut dyn Reader, c: &mut Checks, field: &str, raw: &str) -> CoreResult<Option<AssetId>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(id) = raw.parse::<AssetId>() {
        let found = r.find_asset(id).await?.map(|a| a.id);
        if found.is_none() {
            c.clash(field, "names no asset in the inventory");
        }
        return Ok(found);
    }
    let named: Vec<AssetId> = r
        .list_assets(&search(&crate::assets::LIST, raw))
        .await?
        .items
        .into_iter()
        .filter(|a| a.name.eq_ignore_ascii_case(raw) || (!a.identifier.is_empty() && a.identifier == raw))
        .map(|a| a.id)
        .collect();
    Ok(exactly_one(c, field, raw, named, "asset", "give its identifier"))
}

/// A risk by id, or its exact title.
pub(crate) async fn risk(r: &mut dyn Reader, c: &mut Checks, field: &str, raw: &str) -> CoreResult<Option<RiskId>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(id) = raw.parse::<RiskId>() {
        let found = r.find_risk(id).await?.map(|x| x.id);
        if found.is_none() {
            c.clash(field, "names no risk in the register");
        }
        return Ok(found);
    }
    let named: Vec<RiskId> = r
        .list_risks(&search(&crate::compliance::risks::LIST, raw))
        .await?
        .items
        .into_iter()
        .filter(|x| x.title.eq_ignore_ascii_case(raw))
        .map(|x| x.id)
        .collect();
    Ok(exactly_one(c, field, raw, named, "risk", "open the risk and link it from there by its id"))
}

/// Suggestions for a person field: e-mail addresses (what the field takes) with names,
/// people still with the company, by name.
pub async fn people_options(store: &dyn Store, actor: &Actor) -> CoreResult<Vec<PickOption>> {
    if !actor.can(Permission::ViewDirectory) {
        return Ok(vec![]);
    }
    let page = store.read().await?.list_people(&crate::organisation::people::LIST.first_page(OPTIONS)).await?;
    let active = page.items.into_iter().filter(|p| p.status != PersonStatus::Left);
    Ok(active.map(|p| (p.email, p.name)).collect())
}

/// Suggestions for an asset field: names with kind and identifier, by name.
pub async fn asset_options(store: &dyn Store, actor: &Actor) -> CoreResult<Vec<PickOption>> {
    if !actor.can(Permission::ViewAssets) {
        return Ok(vec![]);
    }
    let page = store.read().await?.list_assets(&crate::assets::LIST.first_page(OPTIONS)).await?;
    let described = |a: &crate::assets::Asset| match a.identifier.as_str() {
        "" => a.kind.label().to_string(),
        id => format!("{}, {id}", a.kind.label()),
    };
    Ok(page.items.iter().map(|a| (a.name.clone(), described(a))).collect())
}

/// Suggestions for a risk field: titles, by title.
pub async fn risk_options(store: &dyn Store, actor: &Actor) -> CoreResult<Vec<PickOption>> {
    if !actor.can(Permission::ViewRisks) {
        return Ok(vec![]);
    }
    let mut query = crate::compliance::risks::LIST.first_page(OPTIONS);
    if let Some(title) = crate::compliance::risks::LIST.sorts.iter().find(|s| s.name == "title") {
        query.sort = *title;
    }
    let page = store.read().await?.list_risks(&query).await?;
    Ok(page
        .items
        .into_iter()
        .map(|x| (format!("score {}", x.score()), x.title))
        .map(|(score, title)| (title, score))
        .collect())
}

/// What a person field shows for a stored person: their e-mail address (the one label that
/// names one person), or the id if they are gone from the directory.
pub async fn person_label(store: &dyn Store, id: PersonId) -> CoreResult<String> {
    Ok(store.read().await?.find_person(id).await?.map_or_else(|| id.to_string(), |p| p.email))
}

/// Suggestions for a requirement field: each imported framework's requirements by the label
/// the pages show (their id where the catalog gives none), with title and framework; at most
/// `OPTIONS` per framework.
pub async fn requirement_options(store: &dyn Store, actor: &Actor) -> CoreResult<Vec<PickOption>> {
    if !actor.can(Permission::ManageCompliance) {
        return Ok(vec![]);
    }
    let mut r = store.read().await?;
    let mut options = Vec::new();
    for framework in r.list_frameworks().await? {
        let Some(outline) = r.framework_outline(framework.id).await? else { continue };
        for req in outline.controls.iter().take(OPTIONS as usize) {
            let shown = req.label.clone().unwrap_or_else(|| req.control_id.clone());
            options.push((shown, format!("{} ({})", req.title, framework.title)));
        }
    }
    Ok(options)
}
