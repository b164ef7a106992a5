//! An agency's official letter (công văn) attached to its reply: the
//! agency uploads it as a PDF (judged by its content and size, never by its
//! declared type), reads it back; the Council's curators read it with the
//! delivery; anyone reads it on the public page if the agency made it
//! public. Served as an attachment, never inline.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use langnghe_domain::letter::{LetterRefusal, check_pdf};
use langnghe_domain::recommendation::RecommendationStatus;
use langnghe_storage::letters::{self as store, Letter, LetterRow};
use langnghe_storage::recommendations as recs;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::{AgencyCaller, Curator, Staff};
use crate::error::{ApiError, Code, OrNotFound};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upload)
        .service(agency_letter)
        .service(curator_letter)
        .service(public_letter);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// Show the letter on the public page of the recommendation (default
    /// false: the Council's curators and the agency only).
    pub public: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LetterDto {
    pub delivery_id: Uuid,
    /// Its size in bytes.
    pub bytes: i64,
    /// SHA-256 of the PDF, hex.
    pub sha256: String,
    pub public: bool,
    pub uploaded_at: DateTime<Utc>,
}

fn dto(l: &LetterRow) -> LetterDto {
    LetterDto {
        delivery_id: l.letter.delivery_id,
        bytes: l.letter.bytes,
        sha256: l.letter.sha256.clone(),
        public: l.letter.public,
        uploaded_at: l.uploaded_at,
    }
}

/// The letter's refusal as a problem, in both languages.
fn refused(r: LetterRefusal) -> ApiError {
    let (vi, en) = r.words();
    let code = match r {
        LetterRefusal::Empty | LetterRefusal::NotPdf => Code::NotAPdf,
        LetterRefusal::TooLarge { .. } => Code::PayloadTooLarge,
        LetterRefusal::ActiveContent(_) => Code::ActiveContent,
    };
    ApiError::new(code, "The letter is refused").said(vi, en)
}

/// Attach the agency's official letter (a PDF, sent as the body with
/// `Content-Type: application/pdf`) to its reply; a second upload replaces
/// the first. The content decides: a file that is not a PDF, whatever its
/// name or declared type, is refused, as is one with scripts, launch
/// actions or embedded files, or one over the size limit
/// (`LANGNGHE_LETTER_MAX_BYTES`).
#[utoipa::path(
    tag = "agency API",
    security(("oauth2" = []), ("bearer" = [])),
    params(("id" = Uuid, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses(
        (status = 201, body = LetterDto),
        crate::openapi::BadBody, crate::openapi::NoToken, crate::openapi::NotAllowed, crate::openapi::Missing, crate::openapi::InConflict,
    )
)]
#[post("/agency/deliveries/{id}/letter")]
async fn upload(
    req: HttpRequest,
    caller: AgencyCaller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<UploadQuery>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let delivery = crate::services::lookups::own_delivery(&state, caller.agency_id, *id).await?;
    if delivery.status.awaits_answer() {
        return Err(ApiError::new(Code::NotAnswered, "Reply first").said(
            format!("Công văn đi kèm câu trả lời: hãy trả lời trước (POST /api/v1/agency/deliveries/{id}/replies), rồi gửi công văn."),
            format!("A letter goes with the reply: reply first (POST /api/v1/agency/deliveries/{id}/replies), then attach the letter."),
        ));
    }
    let pdf = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/pdf"))
        });
    if !pdf {
        return Err(
            ApiError::new(Code::UnsupportedMediaType, "Unsupported media type").said(
                "Gửi công văn dạng PDF với Content-Type: application/pdf.",
                "send the letter with Content-Type: application/pdf",
            ),
        );
    }
    let max = state.letter_max_bytes;
    let too_large = || refused(LetterRefusal::TooLarge { max });
    let declared = crate::extract::declared_length(&req);
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(max));
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request(Code::BadRequest, format!("the body could not be read: {e}")))?;
        if bytes.len() + chunk.len() > max {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    check_pdf(&bytes, max).map_err(refused)?;
    let size = bytes.len() as i64;
    let stored = state.letters.put(bytes).await.map_err(|e| ApiError::internal(&e))?;
    let letter = Letter {
        delivery_id: delivery.id,
        agency_id: caller.agency_id,
        object_key: stored.key.clone(),
        bytes: size,
        sha256: stored.sha256,
        public: q.public.unwrap_or(false),
    };
    let put = store::put(&state.db, &caller.actor, letter).await;
    if put.is_err() {
        // Nothing names the object: take it away again.
        if let Err(gone) = state.letters.delete(&stored.key).await {
            tracing::warn!(key = %stored.key, cause = %gone, "an unrecorded letter could not be deleted");
        }
    }
    let (row, replaced) = put.or_not_found("delivery")?;
    if let Some(old) = replaced
        && let Err(e) = state.letters.delete(&old).await
    {
        tracing::warn!(key = %old, cause = %e, "a replaced letter could not be deleted");
    }
    Ok(HttpResponse::Created().json(dto(&row)))
}

/// The letter as a download: never shown inline, never sniffed, and run in
/// a sandbox should a browser open it.
async fn served(state: &AppState, letter: &Letter, public: bool) -> Result<HttpResponse, ApiError> {
    let bytes = state
        .letters
        .get(&letter.object_key)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"cong-van-{}.pdf\"", letter.delivery_id),
        ))
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'"))
        .insert_header((
            header::CACHE_CONTROL,
            if public {
                "public, max-age=300"
            } else {
                "private, no-store"
            },
        ))
        .body(bytes))
}

/// The agency's own letter, as it attached it.
#[utoipa::path(
    tag = "agency API",
    security(("oauth2" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The letter", content_type = "application/pdf", body = Vec<u8>),
        crate::openapi::BadInput, crate::openapi::NoToken, crate::openapi::NotAllowed, crate::openapi::Missing,
    )
)]
#[get("/agency/deliveries/{id}/letter")]
async fn agency_letter(
    caller: AgencyCaller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let letter = store::get(&state.db, *id).await.or_not_found("letter")?.letter;
    if letter.agency_id != caller.agency_id {
        return Err(ApiError::not_found("letter"));
    }
    served(&state, &letter, false).await
}

/// A delivery's letter, for the Council's curators.
#[utoipa::path(
    tag = "recommendations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The recommendation"), ("delivery_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The letter", content_type = "application/pdf", body = Vec<u8>),
        crate::openapi::BadInput, crate::openapi::NoToken, crate::openapi::NotAllowed, crate::openapi::Missing,
    )
)]
#[get("/recommendations/{id}/deliveries/{delivery_id}/letter")]
async fn curator_letter(
    _staff: Staff<Curator>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (rec, delivery) = path.into_inner();
    let d = recs::get_delivery(&state.db, delivery).await.or_not_found("letter")?;
    if d.recommendation_id != rec {
        return Err(ApiError::not_found("letter"));
    }
    let letter = store::get(&state.db, delivery).await.or_not_found("letter")?.letter;
    served(&state, &letter, false).await
}

/// A letter the agency made public, with the sent recommendation it
/// answers. No sign-in.
#[utoipa::path(
    tag = "public",
    params(("id" = Uuid, Path, description = "The recommendation"), ("delivery_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The letter", content_type = "application/pdf", body = Vec<u8>),
        crate::openapi::BadInput, crate::openapi::Missing,
    )
)]
#[get("/public/recommendations/{id}/letters/{delivery_id}")]
async fn public_letter(state: web::Data<AppState>, path: web::Path<(Uuid, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (rec, delivery) = path.into_inner();
    let sent = recs::get(&state.db, rec).await.or_not_found("letter")?.status == RecommendationStatus::Sent;
    let d = recs::get_delivery(&state.db, delivery).await.or_not_found("letter")?;
    let letter = store::get(&state.db, delivery).await.or_not_found("letter")?.letter;
    if !sent || d.recommendation_id != rec || !letter.public {
        return Err(ApiError::not_found("letter"));
    }
    served(&state, &letter, true).await
}
