//! What a receipt code opens, looked up by its keyed hash: a response not
//! withdrawn, or an issue not withdrawn, and the sent recommendations each
//! became part of. Nothing else of the child is read.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entities::{issue, recommendation as rec, recommendation_issue, response};
use crate::names::{read, read_opt};
use crate::{StoreError, recommendations::EvidenceRef};
use langnghe_domain::moderation::{IssueStatus, RejectReason};
use langnghe_domain::recommendation::RecommendationStatus;

/// What a receipt belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipted {
    /// A response, not withdrawn, to a survey.
    Response { survey_id: Uuid },
    /// An issue, not withdrawn: its own status, the issue it was merged
    /// into, why it was rejected.
    Issue {
        id: Uuid,
        status: IssueStatus,
        merged_into: Option<Uuid>,
        rejection_reason: Option<RejectReason>,
    },
}

/// The response or issue whose receipt has this keyed hash; `None` for an
/// unknown, withdrawn or erased one (their receipts are gone or ignored).
pub async fn by_receipt<C: ConnectionTrait>(conn: &C, receipt_hash: &str) -> Result<Option<Receipted>, StoreError> {
    let found = response::Entity::find()
        .select_only()
        .column(response::Column::SurveyId)
        .filter(response::Column::ReceiptHash.eq(receipt_hash))
        .filter(response::Column::WithdrawnAt.is_null())
        .into_tuple::<Uuid>()
        .one(conn)
        .await?;
    if let Some(survey_id) = found {
        return Ok(Some(Receipted::Response { survey_id }));
    }
    let Some(i) = issue::Entity::find()
        .filter(issue::Column::ReceiptHash.eq(receipt_hash))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let status: IssueStatus = read(&i.status)?;
    if status == IssueStatus::Withdrawn {
        return Ok(None);
    }
    Ok(Some(Receipted::Issue {
        id: i.id,
        status,
        merged_into: i.merged_into,
        rejection_reason: read_opt(i.rejection_reason.as_deref())?,
    }))
}

/// The sent recommendations that name one of these issues, newest sent
/// first, at most `limit`.
pub async fn sent_with_issues<C: ConnectionTrait>(
    conn: &C,
    issues: &[Uuid],
    limit: u64,
) -> Result<Vec<Uuid>, StoreError> {
    let recs: Vec<Uuid> = recommendation_issue::Entity::find()
        .select_only()
        .column(recommendation_issue::Column::RecommendationId)
        .filter(recommendation_issue::Column::IssueId.is_in(issues.iter().copied()))
        .into_tuple::<Uuid>()
        .all(conn)
        .await?;
    if recs.is_empty() {
        return Ok(Vec::new());
    }
    Ok(rec::Entity::find()
        .select_only()
        .column(rec::Column::Id)
        .filter(rec::Column::Id.is_in(recs))
        .filter(rec::Column::Status.eq(RecommendationStatus::Sent.as_str()))
        .order_by_desc(rec::Column::SentAt)
        .order_by_desc(rec::Column::Id)
        .limit(limit)
        .into_tuple::<Uuid>()
        .all(conn)
        .await?)
}

/// The sent recommendations whose evidence cites this survey, newest sent
/// first, at most `limit`.
pub async fn sent_citing_survey<C: ConnectionTrait>(
    conn: &C,
    survey_id: Uuid,
    limit: u64,
) -> Result<Vec<Uuid>, StoreError> {
    let rows: Vec<(Uuid, String)> = rec::Entity::find()
        .select_only()
        .column(rec::Column::Id)
        .column(rec::Column::Evidence)
        .filter(rec::Column::Status.eq(RecommendationStatus::Sent.as_str()))
        .filter(rec::Column::Evidence.contains(survey_id.to_string()))
        .order_by_desc(rec::Column::SentAt)
        .order_by_desc(rec::Column::Id)
        .into_tuple::<(Uuid, String)>()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, evidence)| {
            serde_json::from_str::<Vec<EvidenceRef>>(evidence)
                .map(|refs| refs.iter().any(|e| e.survey_id == survey_id))
                .unwrap_or(false)
        })
        .map(|(id, _)| id)
        .take(limit as usize)
        .collect())
}
