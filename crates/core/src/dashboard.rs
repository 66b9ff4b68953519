//! What the dashboard shows a signed-in person: their own open tasks first (overdue ones
//! marked), then — for those who run the program — open campaigns with their completion,
//! approval requests waiting for a decision and overdue reviews, the panels record types
//! register (keys needing attention),
//! overdue offboardings and incidents whose authority notification is owed, then instance
//! counts.

use crate::access::{Actor, Permission};
use crate::approvals::{Approval, ApprovalFilter, ApprovalState};
use crate::error::CoreResult;
use crate::policies::campaigns::{self, Campaign, Task};
use crate::records::{Panel, Record, RecordType, registry};
use crate::store::{Counts, Store};
use crate::time_util::Timestamp;

/// A registered panel with what it lists now.
pub struct Shown {
    pub ty: &'static RecordType,
    pub panel: &'static Panel,
    pub overdue: Vec<Task>,
    pub records: Vec<Record>,
}

impl Shown {
    /// The type's list filtered as the panel is.
    pub fn link(&self) -> String {
        let query: Vec<String> = self.panel.filters.iter().map(|(f, v)| format!("{f}={v}")).collect();
        format!("/{}?{}", self.ty.path, query.join("&"))
    }
}

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
    /// Approval requests waiting for a decision that the actor may decide or asked for
    /// (auditors and admins: all).
    pub pending_approvals: Vec<Approval>,
    /// Policy reviews past their due date (for those who run the program).
    pub overdue_reviews: Vec<Task>,
    /// The panels record types register (`RecordType::panel`), for those who see the type,
    /// each with what it lists; a panel with nothing to show is left out.
    pub panels: Vec<Shown>,
    /// Offboardings whose tasks are past their due date (for those who see the directory).
    pub overdue_offboardings: Vec<Task>,
    /// Incidents whose notification of the data protection authority is owed, the longest
    /// owed first (for the security team).
    pub owed_notifications: Vec<crate::incidents::Incident>,
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
    let filter = ApprovalFilter {
        state: Some(ApprovalState::Pending),
        visible_to_roles: (!actor.can(Permission::ViewAudit)).then(|| actor.roles.clone()),
        person: actor.person_id,
        requested_by: actor.label.clone(),
    };
    let pending_approvals = r.list_approvals(&filter, SHOWN).await?;
    let overdue_reviews =
        if actor.can(Permission::ViewCampaigns) { r.list_overdue_tasks("review", now, SHOWN).await? } else { vec![] };
    let mut panels = Vec::new();
    for ty in registry::ALL.iter().copied().filter(|ty| actor.can(ty.access.view)) {
        let Some(panel) = &ty.panel else { continue };
        let overdue = match panel.overdue {
            Some(kind) => r.list_overdue_tasks(kind, now, SHOWN).await?,
            None => vec![],
        };
        let mut matching = ty.list_spec().first_page(SHOWN);
        matching.filters.extend(panel.filters.iter().map(|(f, v)| (*f, v.to_string())));
        let records = r.list_records(ty, &matching).await?.items;
        if !overdue.is_empty() || !records.is_empty() {
            panels.push(Shown { ty, panel, overdue, records });
        }
    }
    let overdue_offboardings =
        if actor.can(Permission::ViewDirectory) { r.list_overdue_tasks("offboard", now, SHOWN).await? } else { vec![] };
    let owed_notifications =
        if actor.can(Permission::HandleIncidents) { r.incidents_owing_notification(SHOWN).await? } else { vec![] };
    Ok(Dashboard {
        owed_notifications,
        panels,
        overdue_offboardings,
        counts,
        my_live_tokens,
        my_tasks,
        my_open_tasks,
        open_campaigns,
        pending_approvals,
        overdue_reviews,
    })
}
