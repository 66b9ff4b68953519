//! `GET /api/v1/cvss?vector=…`: a CVSS v3.0, v3.1 or v4.0 vector scored, or refused with the
//! problem named (422).

use axum::Json;
use bulwark_core::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiQuery};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CvssParams {
    /// The vector, e.g. `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`.
    #[param(
        min_length = 1,
        max_length = 300,
        pattern = r"^CVSS:(3\.0|3\.1|4\.0)/[A-Za-z]+:[A-Za-z]+(/[A-Za-z]+:[A-Za-z]+)*$"
    )]
    pub vector: String,
}

/// A scored vector.
#[derive(Serialize, ToSchema)]
pub struct CvssView {
    /// 3.0, 3.1 or 4.0
    pub version: String,
    /// The given metrics in the specification's order, without those Not Defined (X).
    pub vector: String,
    /// The score of the base metrics alone.
    pub base_score: f64,
    /// None, Low, Medium, High or Critical (of the base score).
    pub severity: String,
    /// CVSS 3.x with temporal metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporal_score: Option<f64>,
    /// CVSS 3.x with environmental metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environmental_score: Option<f64>,
    /// CVSS 4.0 with threat or environmental metrics: the score of the whole vector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// CVSS-BT, CVSS-BE or CVSS-BTE, with `score`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nomenclature: Option<String>,
}

impl From<bulwark_core::incidents::cvss::Scored> for CvssView {
    fn from(s: bulwark_core::incidents::cvss::Scored) -> Self {
        Self {
            version: s.version.into(),
            vector: s.vector,
            base_score: s.base_score,
            severity: s.severity.into(),
            temporal_score: s.temporal_score,
            environmental_score: s.environmental_score,
            score: s.score,
            nomenclature: s.nomenclature.map(String::from),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/cvss", tag = "vulnerabilities", params(CvssParams),
    responses((status = 200, description = "The vector's scores", body = CvssView)))]
pub async fn score_vector(ApiQuery(params): ApiQuery<CvssParams>) -> Result<Json<CvssView>, ApiError> {
    // An invalid vector's problem is named on the `vector` field.
    let scored = bulwark_core::incidents::cvss::score(&params.vector)
        .map_err(|message| ApiError::invalid(vec![FieldError::new("vector", message)]))?;
    Ok(Json(scored.into()))
}
