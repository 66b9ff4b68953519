//! The notifications page for admins: the channels with their events, and every message not
//! delivered yet with its attempts, last error and next try.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bulwark_core::notify::{self, Channel, OutboxMessage};

use super::Chrome;
use crate::AppState;
use crate::error::HtmlError;

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    channels: Vec<Channel>,
    waiting: Vec<OutboxMessage>,
}

pub async fn page(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let (channels, waiting) = notify::status(app.store.as_ref(), &*chrome.actor()?).await?;
    Ok(NotificationsPage { chrome: chrome.at("notifications"), channels, waiting }.into_response())
}
