//! What the dashboard shows a signed-in person: their own open tasks first (overdue ones
//! marked), then — for those who run the program — open campaigns with their completion and
//! policy versions waiting for ratification, then instance counts.

use crate::access::{Actor, Permission};
use crate::campaigns::{self, Campaign, Task};
use crate::error::CoreResult;
use crate::policies;
use crate::store::{Counts, Store};
use crate::time_util::Timestamp;

/// How many of each list the dashboard shows (each links to the whole list).
const SHOWN: u32 = 10;

pub struct Dashboard {
    pub counts: Counts,
    pub my_live_tokens: usize,
    /// My open tasks, soonest due first.
    pub my_tasks: Vec<Task>,
    pub my_open_tasks: u64,
    /// Open campaigns, soonest due first (for those who may see campaigns).
    pub open_campaigns: Vec<Campaign>,
    /// (policy id, title) of policies with a version in review (for those who ratify).
    pub awaiting_ratification: Vec<(crate::ids::PolicyId, String)>,
    /// Policy reviews past their due date (for those who run the program).
    pub overdue_reviews: Vec<Task>,
}

pub async fn load(store: &dyn Store, actor: &Actor, now: Timestamp) -> CoreResult<Dashboard> {
    let mut r = store.read().await?;
    let counts = r.counts().await?;
    let my_live_tokens = match actor.account_id {
        Some(id) => r.count_usable_tokens(id, now).await? as usize,
        None => 0,
    };
    let (my_tasks, my_open_tasks) = match actor.person_id {
        Some(person) => {
            let mut q = campaigns::TASKS.first_page(SHOWN);
            q.filters.push(("state", "open".into()));
            let page = r.list_tasks(person, &q).await?;
            (page.items, page.total)
        }
        None => (vec![], 0),
    };
    let open_campaigns = if actor.can(Permission::ViewCampaigns) {
        let mut q = campaigns::LIST.first_page(SHOWN);
        q.filters.push(("state", "open".into()));
        r.list_campaigns(&q).await?.items
    } else {
        vec![]
    };
    let awaiting_ratification = if actor.can(Permission::RatifyPolicies) {
        let mut q = policies::LIST.first_page(SHOWN);
        q.filters.push(("in_review", "yes".into()));
        r.list_policies(&q).await?.items.into_iter().map(|p| (p.id, p.title)).collect()
    } else {
        vec![]
    };
    let overdue_reviews =
        if actor.can(Permission::ViewCampaigns) { r.list_overdue_tasks("review", now, SHOWN).await? } else { vec![] };
    Ok(Dashboard {
        counts,
        my_live_tokens,
        my_tasks,
        my_open_tasks,
        open_campaigns,
        awaiting_ratification,
        overdue_reviews,
    })
}
