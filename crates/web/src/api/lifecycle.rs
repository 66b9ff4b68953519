//! A person's lifecycle over the API: onboarding facts, and offboarding with its checklist.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bulwark_core::ids::PersonId;
use bulwark_core::organisation::lifecycle::{self, ItemInput, Offboarding, OnboardingInput, OnboardingRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_id;
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, Problem};

/// A screening check done (never its findings) or the terms of employment signed.
#[derive(Serialize, ToSchema)]
pub struct OnboardingView {
    pub id: String,
    /// screening or terms
    pub kind: String,
    pub detail: String,
    #[schema(format = Date)]
    pub done_on: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl From<OnboardingRecord> for OnboardingView {
    fn from(r: OnboardingRecord) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            detail: r.detail,
            done_on: r.done_on.to_string(),
            recorded_by: r.recorded_by,
            recorded_at: bulwark_core::time_util::rfc3339(r.recorded_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OffboardingItemView {
    pub position: i64,
    /// asset (to return) or account (to de-register)
    pub kind: String,
    pub asset_id: Option<String>,
    pub label: String,
    pub done_at: Option<String>,
    pub done_by: Option<String>,
    pub received_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OffboardingView {
    pub id: String,
    pub person_id: String,
    pub person_name: String,
    pub reason: String,
    pub started_at: String,
    pub started_by: String,
    pub closed_at: Option<String>,
    pub outstanding: usize,
    pub items: Vec<OffboardingItemView>,
}

impl From<Offboarding> for OffboardingView {
    fn from(o: Offboarding) -> Self {
        let time = |t: Option<bulwark_core::Timestamp>| t.map(bulwark_core::time_util::rfc3339);
        Self {
            outstanding: o.outstanding(),
            id: o.id,
            person_id: o.person_id.to_string(),
            person_name: o.person_name,
            reason: o.reason,
            started_at: bulwark_core::time_util::rfc3339(o.started_at),
            started_by: o.started_by,
            closed_at: time(o.closed_at),
            items: o
                .items
                .into_iter()
                .map(|i| OffboardingItemView {
                    position: i.position,
                    kind: i.kind,
                    asset_id: i.asset_id.map(|a| a.to_string()),
                    label: i.label,
                    done_at: time(i.done_at),
                    done_by: i.done_by,
                    received_by: i.received_by,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LifecycleView {
    pub onboarding: Vec<OnboardingView>,
    pub offboardings: Vec<OffboardingView>,
}

#[utoipa::path(get, path = "/api/v1/people/{id}/lifecycle", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = LifecycleView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_lifecycle(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<LifecycleView>, ApiError> {
    let person: PersonId = parse_id(&id)?;
    bulwark_core::organisation::people::get(app.store.as_ref(), &actor, person).await?;
    let (onboarding, offboardings) = lifecycle::of_person(app.store.as_ref(), &actor, person).await?;
    Ok(Json(LifecycleView {
        onboarding: onboarding.into_iter().map(Into::into).collect(),
        offboardings: offboardings.into_iter().map(Into::into).collect(),
    }))
}

/// The screening checks (what was checked, never the findings).
#[derive(Deserialize, ToSchema)]
pub enum ScreeningCheck {
    Identity,
    #[serde(rename = "Right to work")]
    #[schema(rename = "Right to work")]
    RightToWork,
    References,
    #[serde(rename = "Education and qualifications")]
    #[schema(rename = "Education and qualifications")]
    Education,
    #[serde(rename = "Criminal record (where lawful)")]
    #[schema(rename = "Criminal record (where lawful)")]
    CriminalRecord,
    #[serde(rename = "Credit history (where lawful)")]
    #[schema(rename = "Credit history (where lawful)")]
    CreditHistory,
}

impl ScreeningCheck {
    fn name(&self) -> &'static str {
        let all = bulwark_core::organisation::lifecycle::SCREENING_CHECKS;
        match self {
            Self::Identity => all[0],
            Self::RightToWork => all[1],
            Self::References => all[2],
            Self::Education => all[3],
            Self::CriminalRecord => all[4],
            Self::CreditHistory => all[5],
        }
    }
}

/// A screening check done, or the terms of employment signed.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum OnboardingBody {
    Screening {
        check: ScreeningCheck,
        /// Today when absent.
        #[serde(default)]
        #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
        done_on: Option<String>,
    },
    Terms {
        /// Today when absent.
        #[serde(default)]
        #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
        done_on: Option<String>,
    },
}

#[utoipa::path(post, path = "/api/v1/people/{id}/onboarding", tag = "people", params(("id" = String, Path)),
    request_body = OnboardingBody,
    responses((status = 201, body = OnboardingView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn record_onboarding(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OnboardingBody>,
) -> Result<(StatusCode, Json<OnboardingView>), ApiError> {
    let person: PersonId = parse_id(&id)?;
    let (kind, check, done_on) = match body {
        OnboardingBody::Screening { check, done_on } => ("screening", check.name(), done_on),
        OnboardingBody::Terms { done_on } => ("terms", "", done_on),
    };
    super::given_not_empty(&[("done_on", &done_on)])?;
    let input = OnboardingInput { kind: kind.into(), check: check.into(), done_on: done_on.unwrap_or_default() };
    let record = lifecycle::record_onboarding(app.store.as_ref(), &actor, app.now(), person, &input).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct OffboardingBody {
    #[serde(default)]
    #[schema(max_length = 500, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/people/{id}/offboarding", tag = "people", params(("id" = String, Path)),
    request_body = OffboardingBody,
    responses((status = 200, description = "The offboarding (the one running, if any)", body = OffboardingView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The person has left", body = Problem, content_type = "application/problem+json")))]
pub async fn start_offboarding(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OffboardingBody>,
) -> Result<Json<OffboardingView>, ApiError> {
    let person: PersonId = parse_id(&id)?;
    let reason = body.reason.unwrap_or_default();
    Ok(Json(lifecycle::start_offboarding(app.store.as_ref(), &actor, app.now(), person, &reason).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/offboardings/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = OffboardingView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_offboarding(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<OffboardingView>, ApiError> {
    Ok(Json(lifecycle::get(app.store.as_ref(), &actor, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ItemBody {
    /// For an asset: who received it (the caller when absent).
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub received_by: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/offboardings/{id}/items/{position}", tag = "people",
    params(("id" = String, Path), ("position" = i64, Path)), request_body = ItemBody,
    responses((status = 200, body = OffboardingView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Checked off already, or closed", body = Problem, content_type = "application/problem+json")))]
pub async fn check_off(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path((id, position)): Path<(String, String)>,
    ApiJson(body): ApiJson<ItemBody>,
) -> Result<Json<OffboardingView>, ApiError> {
    let position: i64 = parse_id(&position)?;
    let input = ItemInput { received_by: body.received_by.unwrap_or_default() };
    Ok(Json(lifecycle::check_off(app.store.as_ref(), &actor, app.now(), &id, position, &input).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/offboardings/{id}/close", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = OffboardingView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Items are outstanding, or it is closed already", body = Problem,
               content_type = "application/problem+json")))]
pub async fn close_offboarding(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<OffboardingView>, ApiError> {
    Ok(Json(lifecycle::close(app.store.as_ref(), &actor, app.now(), &id).await?.into()))
}
