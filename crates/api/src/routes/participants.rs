//! A child's data rights, exercised with their respondent token: read back
//! everything held under their pseudonym, and erase it.

use actix_web::{delete, get, web};
use chrono::{DateTime, Utc};
use langnghe_storage::participation as store;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Respondent;
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export_me).service(erase_me);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnResponseDto {
    pub id: Uuid,
    pub survey_id: Uuid,
    pub version: i32,
    pub age_band: String,
    pub gender: Option<String>,
    pub language: String,
    /// The answers as stored (free text already screened and redacted).
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    pub submitted_at: DateTime<Utc>,
    /// Set once withdrawn: it no longer counts anywhere.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnIssueDto {
    pub id: Uuid,
    pub status: String,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Everything held under the child's pseudonym. There is nothing else: no
/// name, contact or address is ever stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportDto {
    pub responses: Vec<OwnResponseDto>,
    pub issues: Vec<OwnIssueDto>,
}

/// Read back everything held about me (the bearer of this respondent
/// token): my answers and the issues I raised, as JSON.
#[utoipa::path(
    tag = "participants",
    security(("respondent" = [])),
    responses(
        (status = 200, body = ExportDto),
        (status = 401, response = crate::openapi::Unauthorized),
    )
)]
#[get("/participants/me/export")]
async fn export_me(who: Respondent, state: web::Data<AppState>) -> Result<web::Json<ExportDto>, ApiError> {
    let (responses, issues) = store::everything_of(&state.db, who.participant_id).await?;
    Ok(web::Json(ExportDto {
        responses: responses
            .into_iter()
            .map(|r| OwnResponseDto {
                id: r.id,
                survey_id: r.survey_id,
                version: r.version,
                age_band: r.age_band,
                gender: r.gender,
                language: r.language,
                answers: serde_json::from_str(&r.answers).unwrap_or(serde_json::Value::Null),
                submitted_at: r.submitted_at,
                withdrawn_at: r.withdrawn_at,
            })
            .collect(),
        issues: issues
            .into_iter()
            .map(|i| OwnIssueDto {
                id: i.id,
                status: i.status,
                title: i.title,
                body: i.body,
                created_at: i.created_at,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErasedDto {
    /// Responses that stopped counting now (results update at once).
    pub responses_withdrawn: u64,
    /// Issues no longer linked to me (they stay, anonymous, in the
    /// Council's queue).
    pub issues_detached: u64,
}

/// Erase what is held about me: every answer is withdrawn and taken out of
/// the results, and every issue I raised is detached from my pseudonym.
/// Safeguarding cases are kept, for the child's safety. Doing it again
/// changes nothing.
#[utoipa::path(
    tag = "participants",
    security(("respondent" = [])),
    responses(
        (status = 200, body = ErasedDto),
        (status = 401, response = crate::openapi::Unauthorized),
    )
)]
#[delete("/participants/me")]
async fn erase_me(who: Respondent, state: web::Data<AppState>) -> Result<web::Json<ErasedDto>, ApiError> {
    let e = store::erase_participant(&state.db, who.participant_id, state.clock.now()).await?;
    Ok(web::Json(ErasedDto {
        responses_withdrawn: e.responses_withdrawn,
        issues_detached: e.issues_detached,
    }))
}
