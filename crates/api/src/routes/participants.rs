//! A child's data rights, exercised with their respondent token or with the
//! participant token their phone keeps (no open session needed): read back
//! everything held under their pseudonym, and erase it.

use std::collections::HashMap;

use actix_web::{delete, get, web};
use chrono::{DateTime, Utc};
use langnghe_storage::participation as store;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Child;
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
    #[schema(value_type = crate::closed_sets::AgeBandName)]
    pub age_band: String,
    #[schema(value_type = Option<crate::closed_sets::GenderName>)]
    pub gender: Option<String>,
    #[schema(value_type = crate::closed_sets::LangCode)]
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
    #[schema(value_type = crate::closed_sets::IssueStatusName)]
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
/// token, or of my participant token): my answers and the issues I
/// raised, as JSON.
#[utoipa::path(
    tag = "participants",
    security(("respondent" = []), ("participant" = [])),
    responses((status = 200, body = ExportDto), crate::openapi::NoToken)
)]
#[get("/participants/me/export")]
async fn export_me(who: Child, state: web::Data<AppState>) -> Result<web::Json<ExportDto>, ApiError> {
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
                answers: langnghe_storage::formats::answers::as_json(&r.answers).unwrap_or_else(|e| {
                    langnghe_storage::formats::report(&format_args!("response {}", r.id), &e);
                    serde_json::Value::Null
                }),
                submitted_at: r.submitted_at,
                withdrawn_at: r.withdrawn_at,
            })
            .collect(),
        issues: issues
            .into_iter()
            .map(|i| OwnIssueDto {
                id: i.id,
                status: i.status.as_str().to_owned(),
                title: i.title,
                body: i.body,
                created_at: i.created_at,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErasedDto {
    /// Answers gone at once (never in any figure yet).
    pub responses_deleted: u64,
    /// Answers already in figures: taken out at the next release of their
    /// group (so that nobody can see one child leave), their rows deleted
    /// then; no longer linked to me, my words gone from them now.
    pub responses_withdrawn: u64,
    /// Issues I raised, or that were made from my answers: their words
    /// erased, counted nowhere.
    pub issues_erased: u64,
}

/// Erase what is held about me: my answers, the words of my issues, my
/// supports and my pseudonym. My tokens are refused from then on (the app
/// starts afresh with a new participant token). Safeguarding cases are
/// kept, for the child's safety. Doing it again changes nothing.
#[utoipa::path(
    tag = "participants",
    security(("respondent" = []), ("participant" = [])),
    responses((status = 200, body = ErasedDto), crate::openapi::NoToken)
)]
#[delete("/participants/me")]
async fn erase_me(who: Child, state: web::Data<AppState>) -> Result<web::Json<ErasedDto>, ApiError> {
    // What the folder needs of an answer already in figures, to take it out
    // of them: every answer but the words of free text.
    let mut emptied = HashMap::new();
    for held in store::held_by(&state.db, who.participant_id).await? {
        let def = match langnghe_storage::surveys::version(&state.db, held.survey_id, held.version).await {
            Ok(v) => v.definition.definition,
            Err(langnghe_storage::StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        // Answers that cannot be read lose everything: the child's words
        // must go, whatever else goes with them.
        let answers = langnghe_storage::formats::answers::replace_texts(
            &def,
            &held.answers,
            langnghe_domain::consultation::ERASED,
        )
        .unwrap_or_else(|e| {
            langnghe_storage::formats::report(&format_args!("response {}", held.id), &e);
            langnghe_storage::formats::answers::empty()
        });
        emptied.insert(held.id, answers);
    }
    let e = store::erase_participant(
        &state.db,
        &store::Erasure {
            participant_id: who.participant_id,
            emptied: &emptied,
            erased_text: langnghe_domain::consultation::ERASED,
            now: state.clock.now(),
        },
    )
    .await?;
    Ok(web::Json(ErasedDto {
        responses_deleted: e.responses_deleted,
        responses_withdrawn: e.responses_withdrawn,
        issues_erased: e.issues_erased,
    }))
}
