//! "What became of what I said": a receipt code's status, for the child
//! who keeps it. No account and no contact data: the receipt is the only
//! key, and the answer says what happened to the words (received, taken
//! up, merged with others', rejected in kind words, part of a sent
//! recommendation with the agencies' answers and progress) and nothing
//! else of the child — no text, no age, no session, no dates of theirs.
//!
//! Receipts are 160 random-looking bits (an HMAC of the id), stored only as
//! their keyed hash; the lookup is by that hash, so timing tells nothing of
//! the code. Wrong codes from one network are throttled as wrong join codes
//! are, and an unknown, withdrawn or erased receipt gets the same 404.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use langnghe_domain::moderation::IssueStatus;
use langnghe_domain::text::Lang;
use langnghe_domain::words;
use langnghe_storage::receipts::{self as store, Receipted};
use langnghe_storage::recommendations;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::dto::LangQuery;
use crate::error::{ApiError, Code};
use crate::services::lookups::{Lookup, commitments};
use crate::services::receipt_guesses::ReceiptGuess;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(receipt_status);
}

/// The most recommendations one receipt shows.
const MOST_RECOMMENDATIONS: u64 = 10;

/// What a receipt was given for.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// Answers to a survey.
    Response,
    /// An issue the child raised.
    Issue,
}

/// Where the child's words are now.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStage {
    /// Received (an issue not yet decided on; answers counted).
    Received,
    /// The Children's Council took the issue up.
    Accepted,
    /// Merged with other children's issues that said the same.
    Merged,
    /// Not taken up (`message` says why, kindly).
    Rejected,
    /// Part of a recommendation sent to agencies (see `recommendations`).
    Recommended,
}

impl ReceiptStage {
    fn as_str(self) -> &'static str {
        match self {
            ReceiptStage::Received => "received",
            ReceiptStage::Accepted => "accepted",
            ReceiptStage::Merged => "merged",
            ReceiptStage::Rejected => "rejected",
            ReceiptStage::Recommended => "recommended",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptPromiseDto {
    /// What the agency promised.
    pub text: String,
    /// `open`, `in_progress` or `done`.
    #[schema(value_type = crate::closed_sets::CommitmentStatusName)]
    pub status: String,
    /// The status in a child's words.
    pub status_words: String,
    /// The agency's latest note in child-friendly words, if it gave one.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptAnswerDto {
    pub agency: String,
    /// `accepted`, `partially_accepted`, `declined` or `not_responsible`;
    /// null until it answers.
    #[schema(value_type = Option<crate::closed_sets::StanceName>)]
    pub stance: Option<String>,
    /// The stance in a child's words ("said yes", "has not answered yet").
    pub stance_words: String,
    /// The agency's answer in child-friendly words, if it gave one.
    pub reply: Option<String>,
    pub promises: Vec<ReceiptPromiseDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptRecommendationDto {
    /// As in the public feed (`/api/v1/public/recommendations/{id}`).
    pub id: Uuid,
    pub title: String,
    pub child_summary: String,
    pub answers: Vec<ReceiptAnswerDto>,
}

/// What became of the words a receipt was given for: nothing else.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "issue", "stage": "recommended",
    "message": "Điều em nói đã trở thành một phần của kiến nghị gửi tới những người có thể thay đổi điều đó.",
    "recommendations": [{"id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d90", "title": "Lắp đèn trên đường đến trường",
        "child_summary": "Các bạn nói đường đến trường tối và đáng sợ. Hội đồng trẻ em đề nghị lắp thêm đèn.",
        "answers": [{"agency": "Ban Giám hiệu", "stance": "accepted", "stance_words": "đã đồng ý làm",
            "reply": "Trường sẽ lắp đèn.", "promises": [{"text": "Lắp 12 bóng đèn LED", "status": "in_progress",
            "status_words": "đang làm", "note": "Đã lắp 6 bóng."}]}]}]}))]
pub struct ReceiptStatusDto {
    pub kind: ReceiptKind,
    pub stage: ReceiptStage,
    /// The stage in a child's words, in the language asked for.
    pub message: String,
    /// The sent recommendations the words became part of, newest first (at
    /// most 10): for an issue, those naming it or the issue it was merged
    /// into; for answers, those citing the survey's results.
    pub recommendations: Vec<ReceiptRecommendationDto>,
}

/// What became of a response or an issue, by its receipt code: the only
/// key, with no account. It says nothing else of the child. An unknown,
/// withdrawn or erased receipt is the same 404; wrong receipts from one
/// network are throttled.
#[utoipa::path(
    tag = "consultation",
    params(("receipt_code" = String, Path, description = "The receipt code given with the response or issue"), LangQuery),
    responses(
        (status = 200, body = ReceiptStatusDto),
        (status = 404, description = "No response or issue has this receipt (`receipt_unknown`)", body = crate::error::Problem, content_type = "application/problem+json"),
        crate::openapi::BadInput, crate::openapi::Throttled,
    )
)]
#[get("/receipts/{receipt_code}")]
async fn receipt_status(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    q: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = crate::extract::query_lang(&req, q.lang.as_deref())?;
    let guess = ReceiptGuess::admit(
        &state,
        crate::network::client_network_key(&req, &state, "receipt"),
        lang,
    )
    .await?;
    let code = code.trim().to_ascii_lowercase();
    let found = if crate::credentials::receipt_shaped(&code) {
        store::by_receipt(&state.db, &state.data_key.hash("receipt", &code)).await?
    } else {
        None
    };
    let Some(found) = found else {
        guess.wrong(&state).await?;
        return Err(ApiError::new(Code::ReceiptUnknown, "Not found")
            .detail("no response or issue has this receipt code")
            .said(
                "Không tìm thấy mã biên nhận này. Có thể câu trả lời hay ý kiến đã được rút lại hoặc xoá.",
                "This receipt code was not found. The answers or issue may have been taken back or erased.",
            )
            .written_in(lang));
    };
    let (kind, stage, reason, recs) = match found {
        Receipted::Response { survey_id } => (
            ReceiptKind::Response,
            ReceiptStage::Received,
            None,
            store::sent_citing_survey(&state.db, survey_id, MOST_RECOMMENDATIONS).await?,
        ),
        Receipted::Issue {
            id,
            status,
            merged_into,
            rejection_reason,
        } => {
            let stage = match (status, merged_into) {
                (_, Some(_)) => ReceiptStage::Merged,
                (IssueStatus::Accepted, None) => ReceiptStage::Accepted,
                (IssueStatus::Rejected, None) => ReceiptStage::Rejected,
                // Whatever safeguarding does with it is not said here.
                _ => ReceiptStage::Received,
            };
            let mut named = vec![id];
            named.extend(merged_into);
            let recs = if matches!(stage, ReceiptStage::Accepted | ReceiptStage::Merged) {
                store::sent_with_issues(&state.db, &named, MOST_RECOMMENDATIONS).await?
            } else {
                Vec::new()
            };
            (ReceiptKind::Issue, stage, rejection_reason.map(|r| r.as_str()), recs)
        }
    };
    let stage = if recs.is_empty() {
        stage
    } else {
        ReceiptStage::Recommended
    };
    let kind_name = match kind {
        ReceiptKind::Response => "response",
        ReceiptKind::Issue => "issue",
    };
    let body = ReceiptStatusDto {
        kind,
        stage,
        message: words::receipt_status(kind_name, stage.as_str(), reason, lang).to_owned(),
        recommendations: recommendations_of(&state, &recs, lang).await?,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body))
}

async fn recommendations_of(
    state: &AppState,
    ids: &[Uuid],
    lang: Lang,
) -> Result<Vec<ReceiptRecommendationDto>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let look = Lookup::load(state).await?;
    let mut rows = recommendations::get_many(&state.db, ids).await?;
    rows.sort_by_key(|r| std::cmp::Reverse((r.sent_at, r.id)));
    let deliveries = recommendations::deliveries_of(&state.db, ids).await?;
    let delivery_ids: Vec<Uuid> = deliveries.iter().map(|d| d.id).collect();
    let promised = commitments(state, &delivery_ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| ReceiptRecommendationDto {
            id: r.id,
            title: r.draft.title.get(lang).to_owned(),
            child_summary: r.draft.child_summary.get(lang).to_owned(),
            answers: deliveries
                .iter()
                .filter(|d| d.recommendation_id == r.id)
                .map(|d| {
                    let stance = d.stance.map(|s| s.as_str().to_owned());
                    ReceiptAnswerDto {
                        agency: look.agency_name_in(d.agency_id, lang),
                        stance_words: words::child_stance(stance.as_deref(), lang).to_owned(),
                        stance,
                        reply: d.reply_child_summary.clone(),
                        promises: promised
                            .of(d.id)
                            .map(|c| ReceiptPromiseDto {
                                text: c.body.clone(),
                                status: c.status.as_str().to_owned(),
                                status_words: words::child_progress(c.status.as_str(), lang).to_owned(),
                                note: promised.updates(c.id).filter_map(|u| u.child_note.clone()).next_back(),
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect())
}
