//! The dashboard: my open tasks first, then open campaigns, pending decisions and what needs
//! attention (overdue reviews, record types' panels, offboardings, owed authority notifications) for those who
//! run the program, then counts of what the signed-in person may see.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use bulwark_core::dashboard;
use bulwark_core::store::Counts;

use super::Chrome;
use crate::AppState;
use crate::error::HtmlError;

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    chrome: Chrome,
    name: String,
    roles: String,
    counts: Counts,
    my_tokens: usize,
    my_tasks: Vec<bulwark_core::policies::campaigns::Task>,
    my_open_tasks: u64,
    open_campaigns: Vec<bulwark_core::policies::campaigns::Campaign>,
    pending_approvals: Vec<bulwark_core::approvals::Approval>,
    overdue_reviews: Vec<bulwark_core::policies::campaigns::Task>,
    panels: Vec<dashboard::Shown>,
    overdue_offboardings: Vec<bulwark_core::policies::campaigns::Task>,
    owed_notifications: Vec<bulwark_core::incidents::Incident>,
    now: bulwark_core::Timestamp,
}

pub async fn dashboard(State(app): State<AppState>, chrome: Chrome) -> Result<DashboardPage, HtmlError> {
    let actor = chrome.actor()?;
    let now = app.now();
    let d = dashboard::load(app.store.as_ref(), &actor, now).await?;
    let roles = actor.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
    Ok(DashboardPage {
        name: actor.label.clone(),
        roles,
        counts: d.counts,
        my_tokens: d.my_live_tokens,
        my_tasks: d.my_tasks,
        my_open_tasks: d.my_open_tasks,
        open_campaigns: d.open_campaigns,
        pending_approvals: d.pending_approvals,
        overdue_reviews: d.overdue_reviews,
        panels: d.panels,
        overdue_offboardings: d.overdue_offboardings,
        owed_notifications: d.owed_notifications,
        now,
        chrome: chrome.at("dashboard"),
    })
}
