//! The dashboard: real counts of what the signed-in person may see.

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
}

pub async fn dashboard(State(app): State<AppState>, chrome: Chrome) -> Result<DashboardPage, HtmlError> {
    let actor = chrome.actor()?;
    let dashboard::Dashboard { counts, my_live_tokens: my_tokens } =
        dashboard::load(app.store.as_ref(), &actor, app.now()).await?;
    let roles = actor.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
    Ok(DashboardPage { name: actor.label.clone(), roles, counts, my_tokens, chrome: chrome.at("dashboard") })
}
