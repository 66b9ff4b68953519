//! The notifications page for admins: the channels with their events, and every message not
//! delivered yet with its attempts, last error and next try; the scheduler's pending jobs.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use bulwark_core::notify::{self, Channel, OutboxMessage};
use bulwark_core::scheduler::{self, Job};
use serde::Deserialize;

use super::{Chrome, Errors, form_errors};
use crate::AppState;
use crate::error::HtmlError;

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    channels: Vec<Channel>,
    waiting: Vec<OutboxMessage>,
    jobs: Vec<Job>,
    input: ChannelForm,
    errors: Errors,
    events: &'static [&'static notify::Event],
    /// The demo keeps messages instead of sending them.
    catching: bool,
}

/// A channel as the form gives it.
#[derive(Deserialize, Default)]
pub struct ChannelForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    events: Vec<String>,
}

impl ChannelForm {
    /// Whether the event is ticked.
    fn has(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event)
    }
}

async fn view(
    app: &AppState,
    chrome: Chrome,
    input: ChannelForm,
    errors: Errors,
) -> Result<NotificationsPage, HtmlError> {
    let (channels, waiting) = notify::status(app.store.as_ref(), &*chrome.actor()?).await?;
    let jobs = scheduler::pending(app.store.as_ref(), &*chrome.actor()?, 50).await?;
    Ok(NotificationsPage {
        catching: app.config.mail_catcher.is_some(),
        chrome: chrome.at("notifications"),
        channels,
        waiting,
        jobs,
        input,
        errors,
        events: notify::EVENTS,
    })
}

pub async fn page(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let input = ChannelForm { kind: "webhook".into(), ..Default::default() };
    Ok(view(&app, chrome, input, Errors::none()).await?.into_response())
}

/// Adds a channel, or changes the one of that name.
pub async fn save(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(f): Form<ChannelForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let channel = (f.name.as_str(), f.kind.as_str(), f.target.as_str());
    let internal = Some(app.config.webhook_internal_hosts.as_slice());
    match notify::add_channel_reaching(app.store.as_ref(), &actor, app.now(), channel, &f.events, internal).await {
        Ok(_) => Ok(Redirect::to("/notifications?done=saved").into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, view(&app, chrome, f, errors).await?).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
pub struct MessageAction {
    #[serde(default)]
    id: String,
}

async fn on_undelivered(
    app: &AppState,
    chrome: Chrome,
    id: &str,
    what: notify::Backlog,
) -> Result<Response, HtmlError> {
    notify::handle_undelivered(app.store.as_ref(), &*chrome.actor()?, app.now(), id, what).await?;
    Ok(Redirect::to("/notifications#waiting").into_response())
}

/// Tries an undelivered message again now.
pub async fn retry(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(f): Form<MessageAction>,
) -> Result<Response, HtmlError> {
    on_undelivered(&app, chrome, &f.id, notify::Backlog::Retry).await
}

/// Gives an undelivered message up.
pub async fn discard(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(f): Form<MessageAction>,
) -> Result<Response, HtmlError> {
    on_undelivered(&app, chrome, &f.id, notify::Backlog::Discard).await
}

#[derive(Deserialize, Default)]
pub struct ChannelAction {
    #[serde(default)]
    name: String,
}

/// Deletes a channel and what waits for it.
pub async fn delete(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(f): Form<ChannelAction>,
) -> Result<Response, HtmlError> {
    notify::delete_channel(app.store.as_ref(), &*chrome.actor()?, app.now(), &f.name).await?;
    Ok(Redirect::to("/notifications?done=removed").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications_mail.html")]
struct CaughtPage {
    chrome: Chrome,
    catching: bool,
    messages: Vec<crate::delivery::Caught>,
}

/// What the demo's catcher kept instead of sending (an instance that sends keeps nothing).
pub async fn caught(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let messages = app.config.mail_catcher.as_ref().map(|c| c.messages()).unwrap_or_default();
    let catching = app.config.mail_catcher.is_some();
    Ok(CaughtPage { chrome: chrome.at("notifications"), catching, messages }.into_response())
}
