//! Retention: raw free text (answers, and issues never taken up),
//! per-response rows and closed safeguarding cases are purged after their
//! periods; the result cells stay. Each step
//! takes the instant it counts back from, so tests inject the clock.

use chrono::{DateTime, Utc};
use langnghe_domain::moderation::IssueStatus;
use langnghe_domain::safeguarding::CaseStatus;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::audit::{self, Change};
use crate::entities::{fold_queue, response, safeguarding_case as case, safeguarding_note as note};
use crate::query::{delete_in, page};
use crate::{Actor, Db, StoreError, begin};

/// A response whose free text is due for purging.
#[derive(Debug, Clone)]
pub struct TextDue {
    pub id: Uuid,
    pub survey_id: Uuid,
    pub version: i32,
    /// In the format of [`crate::formats::answers`].
    pub answers: String,
}

/// Up to `limit` responses submitted before `cutoff` whose text is not yet
/// purged, with ids after `after` (a purge that skips a row it cannot read
/// moves past it), in id order.
pub async fn texts_due(
    db: &Db,
    cutoff: DateTime<Utc>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<TextDue>, StoreError> {
    let rows: Vec<(Uuid, Uuid, i32, String)> = page(response::Entity::find(), response::Column::Id, after, limit)
        .select_only()
        .column(response::Column::Id)
        .column(response::Column::SurveyId)
        .column(response::Column::Version)
        .column(response::Column::Answers)
        .filter(response::Column::SubmittedAt.lt(cutoff))
        .filter(response::Column::TextPurgedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, survey_id, version, answers)| TextDue {
            id,
            survey_id,
            version,
            answers,
        })
        .collect())
}

/// Stores the answers with their text purged, and marks them done.
pub async fn store_purged_texts(db: &Db, purged: &[(Uuid, String)], now: DateTime<Utc>) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    for (id, answers) in purged {
        response::Entity::update_many()
            .col_expr(response::Column::Answers, Expr::value(answers.clone()))
            .col_expr(response::Column::TextPurgedAt, Expr::value(now))
            .filter(response::Column::Id.eq(*id))
            .exec(&tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Purges the words of issues raised before `cutoff` that were never taken
/// up ([`IssueStatus::never_taken_up`]: still new, rejected, withheld to
/// safeguarding or in review, and in no recommendation): title and body
/// become `marker`, and the search text, the link to the child, the
/// moderator's note and what was redacted go. The row stays, with its
/// status, unit, age band and topic, so every count stays. Issues taken up
/// (accepted, which is also every published one, or in a recommendation)
/// are the consultation's record and keep their (redacted) words. A
/// withdrawn issue's words are gone already; it loses its link to the child.
/// How many issues lost words or links; a second run finds none.
pub async fn purge_issue_texts(db: &Db, cutoff: DateTime<Utc>, marker: &str) -> Result<u64, StoreError> {
    use crate::entities::{issue, recommendation_issue};
    let tx = begin(db).await?;
    let in_recommendations = Query::select()
        .column(recommendation_issue::Column::IssueId)
        .from(recommendation_issue::Entity)
        .to_owned();
    let never_taken_up = IssueStatus::ALL
        .into_iter()
        .filter(|s| s.never_taken_up())
        .map(IssueStatus::as_str);
    let words = issue::Entity::update_many()
        .col_expr(issue::Column::Title, Expr::value(marker))
        .col_expr(issue::Column::Body, Expr::value(marker))
        .col_expr(issue::Column::SearchText, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::ParticipantId, Expr::value(Option::<Uuid>::None))
        .col_expr(issue::Column::IdempotencyKey, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::Redactions, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::ModeratorNote, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::PublishedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(issue::Column::CreatedAt.lt(cutoff))
        .filter(issue::Column::Status.is_in(never_taken_up))
        .filter(issue::Column::Id.not_in_subquery(in_recommendations))
        .filter(
            Condition::any()
                .add(issue::Column::Title.ne(marker))
                .add(issue::Column::Body.ne(marker))
                .add(issue::Column::SearchText.is_not_null())
                .add(issue::Column::ParticipantId.is_not_null())
                .add(issue::Column::ModeratorNote.is_not_null()),
        )
        .exec(&tx)
        .await?;
    let links = issue::Entity::update_many()
        .col_expr(issue::Column::SearchText, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::ParticipantId, Expr::value(Option::<Uuid>::None))
        .col_expr(issue::Column::IdempotencyKey, Expr::value(Option::<String>::None))
        .col_expr(issue::Column::Redactions, Expr::value(Option::<String>::None))
        .filter(issue::Column::CreatedAt.lt(cutoff))
        .filter(issue::Column::Status.eq(IssueStatus::Withdrawn.as_str()))
        .filter(issue::Column::ParticipantId.is_not_null())
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(words.rows_affected + links.rows_affected)
}

/// Deletes response rows submitted before `cutoff` whose changes are all
/// folded (none left in the fold queue): the cells keep counting them. A
/// response never released (its +1 entry still waits: its cell never
/// gathered a release) counts in no cell, so it goes with its entries.
pub async fn delete_old_responses(db: &Db, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
    let tx = begin(db).await?;
    let unreleased = Query::select()
        .column(fold_queue::Column::ResponseId)
        .from(fold_queue::Entity)
        .and_where(Expr::col(fold_queue::Column::Sign).eq(1))
        .and_where(
            Expr::col(fold_queue::Column::ResponseId).in_subquery(
                Query::select()
                    .column(response::Column::Id)
                    .from(response::Entity)
                    .and_where(Expr::col(response::Column::SubmittedAt).lt(cutoff))
                    .to_owned(),
            ),
        )
        .to_owned();
    fold_queue::Entity::delete_many()
        .filter(fold_queue::Column::ResponseId.in_subquery(unreleased))
        .exec(&tx)
        .await?;
    let r = response::Entity::delete_many()
        .filter(response::Column::SubmittedAt.lt(cutoff))
        .filter(crate::query::not_queued())
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(r.rows_affected)
}

/// Clears the request hashes of responses and issues submitted before
/// `cutoff`: past the idempotency window a retry is no longer recognised,
/// and nothing derived from what the child wrote is kept for it.
pub async fn expire_request_hashes(db: &Db, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
    use crate::entities::issue;
    let tx = begin(db).await?;
    let r = response::Entity::update_many()
        .col_expr(response::Column::RequestHash, Expr::value(String::new()))
        .filter(response::Column::SubmittedAt.lt(cutoff))
        .filter(response::Column::RequestHash.ne(""))
        .exec(&tx)
        .await?;
    let i = issue::Entity::update_many()
        .col_expr(issue::Column::RequestHash, Expr::value(Option::<String>::None))
        .filter(issue::Column::CreatedAt.lt(cutoff))
        .filter(issue::Column::RequestHash.is_not_null())
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(r.rows_affected + i.rows_affected)
}

/// Deletes safeguarding cases closed before `cutoff`, with their notes.
pub async fn delete_closed_cases(db: &Db, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
    let tx = begin(db).await?;
    let ids: Vec<Uuid> = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .filter(case::Column::Status.eq(CaseStatus::Closed.as_str()))
        .filter(case::Column::ClosedAt.lt(cutoff))
        .into_tuple()
        .all(&tx)
        .await?;
    delete_in::<note::Entity, _>(&tx, note::Column::CaseId, &ids).await?;
    delete_in::<case::Entity, _>(&tx, case::Column::Id, &ids).await?;
    tx.commit().await?;
    Ok(ids.len() as u64)
}

/// Records a purge run in the audit log (counts only).
pub async fn record_purge(db: &Db, counts: serde_json::Value, at: DateTime<Utc>) -> Result<(), StoreError> {
    audit::record(
        db,
        &Actor::system(at),
        Change {
            action: "retention.purge",
            entity: "retention",
            entity_id: None,
            before: None,
            after: Some(counts),
        },
    )
    .await
}
