//! What a department head sees of the departments they head (SPEC §2): its people, the
//! assets assigned to them, how far each open campaign has got in it, and its offboardings in
//! progress — whose asset items the head checks off (`lifecycle::check_off`). Heading is a
//! fact of the directory (`Department::head_person_id`), not a role: whoever a department
//! names as its head sees it, and nobody else through this view.

use crate::access::Actor;
use crate::assets::Asset;
use crate::error::CoreResult;
use crate::list::{ListPage, ListQuery, MAX_LIMIT};
use crate::organisation::departments::Department;
use crate::organisation::information_systems::INFORMATION_SYSTEM;
use crate::organisation::lifecycle::Offboarding;
use crate::organisation::people::{Person, PersonStatus};
use crate::policies::campaigns::Campaign;
use crate::records::Record;
use crate::store::{Reader, Store};

/// How many people and assets the overview lists (the totals say if there are more).
pub const SHOWN: u32 = 200;

/// One department as its head sees it.
pub struct DepartmentOverview {
    pub department: Department,
    pub people: ListPage<Person>,
    pub assets: ListPage<Asset>,
    /// Each open campaign that gave this department tasks: (campaign, assigned, done).
    pub campaigns: Vec<(Campaign, i64, i64)>,
    pub offboardings: Vec<Offboarding>,
    /// The information systems it runs, which its head owns.
    pub systems: ListPage<Record>,
}

/// The departments the signed-in person heads (none for anyone else), each with its people,
/// their assets, open campaigns' completion and offboardings in progress.
pub async fn mine(store: &dyn Store, actor: &Actor) -> CoreResult<Vec<DepartmentOverview>> {
    let Some(me) = actor.person_id else { return Ok(vec![]) };
    let mut r = store.read().await?;
    let mut overviews = Vec::new();
    for department in headed_by(&mut *r, me).await? {
        overviews.push(overview(&mut *r, department).await?);
    }
    Ok(overviews)
}

/// Whether `person` heads the department of `of` (a person id).
pub(crate) async fn heads_department_of(
    r: &mut dyn Reader,
    person: crate::ids::PersonId,
    of: &Person,
) -> CoreResult<bool> {
    Ok(match of.department_id {
        Some(d) => r.find_department(d).await?.is_some_and(|d| d.head_person_id == Some(person)),
        None => false,
    })
}

async fn headed_by(r: &mut dyn Reader, me: crate::ids::PersonId) -> CoreResult<Vec<Department>> {
    let mut query = crate::organisation::departments::DEPARTMENTS.first_page(MAX_LIMIT);
    let mut headed = Vec::new();
    loop {
        let page = r.list_departments(&query).await?;
        headed.extend(page.items.into_iter().filter(|d| d.head_person_id == Some(me)));
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(headed),
        }
    }
}

async fn overview(r: &mut dyn Reader, department: Department) -> CoreResult<DepartmentOverview> {
    let id = department.id.to_string();
    let mut people_query = crate::organisation::people::LIST.first_page(SHOWN);
    people_query.filters.push(("department_id", id.clone()));
    let people = r.list_people(&people_query).await?;
    let mut asset_query = crate::assets::LIST.first_page(SHOWN);
    asset_query.filters.push(("assigned_department", id.clone()));
    let assets = r.list_assets(&asset_query).await?;
    let mut campaigns = Vec::new();
    for campaign in r.list_open_campaigns().await? {
        let completion = r.campaign_completion(campaign.id).await?;
        if let Some(mine) = completion.iter().find(|c| c.department.as_deref() == Some(department.name.as_str())) {
            let (assigned, signed) = (mine.assigned, mine.signed);
            campaigns.push((campaign, assigned, signed));
        }
    }
    let mut leaving_query = crate::organisation::people::LIST.first_page(MAX_LIMIT);
    leaving_query.filters.push(("department_id", department.id.to_string()));
    leaving_query.filters.push(("status", PersonStatus::Offboarding.as_str().to_string()));
    let mut offboardings = Vec::new();
    for person in r.list_people(&leaving_query).await?.items {
        if let Some(o) = r.open_offboarding(person.id).await? {
            offboardings.push(o);
        }
    }
    let systems_query =
        ListQuery { filters: vec![("department", id)], ..INFORMATION_SYSTEM.list_spec().first_page(SHOWN) };
    let systems = r.list_records(&INFORMATION_SYSTEM, &systems_query).await?;
    Ok(DepartmentOverview { department, people, assets, campaigns, offboardings, systems })
}
