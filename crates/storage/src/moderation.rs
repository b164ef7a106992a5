//! The Council's moderation queue: issues listed with filters and a
//! diacritic-insensitive search, counted per status, read one by one, and
//! changed under a lock with the change audited in the same transaction.

use chrono::{DateTime, Utc};
use langnghe_domain::UnitId;
use langnghe_domain::moderation::{IssueStatus, MERGED, QueueStatus, RejectReason, search_key};
use langnghe_domain::screen::Severity;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Change, snapshot};
use crate::entities::{issue, issue_support, response};
use crate::names::{by_name, by_name_opt, read, read_opt};
use crate::query::{Found, insert_if_absent, read_by_id, rows_in};
use crate::safeguarding::{Opening, open};
use crate::{Actor, Db, StoreError, begin};

/// An issue as the moderators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssueRow {
    pub id: Uuid,
    /// `form`, `event`.
    pub source: String,
    #[serde(serialize_with = "by_name")]
    pub status: IssueStatus,
    #[serde(serialize_with = "by_name_opt")]
    pub rejection_reason: Option<RejectReason>,
    pub survey_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    pub unit_id: Uuid,
    pub age_band: Option<String>,
    pub topic_id: Option<Uuid>,
    pub title: String,
    pub body: String,
    /// What screening redacted, by kind (`phone`, `email`, …).
    pub redactions: Option<String>,
    pub moderator_note: Option<String>,
    /// The canonical issue this one was merged into.
    pub merged_into: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// On the public list since; only an accepted issue is.
    pub published_at: Option<DateTime<Utc>>,
}

/// Statuses no moderator-facing list, count or read shows.
const HIDDEN: [&str; 3] = IssueStatus::HIDDEN;

fn row_of(m: issue::Model) -> Result<IssueRow, StoreError> {
    Ok(IssueRow {
        id: m.id,
        source: m.source,
        status: read(&m.status)?,
        rejection_reason: read_opt(m.rejection_reason.as_deref())?,
        survey_id: m.survey_id,
        event_id: m.event_id,
        unit_id: m.unit_id,
        age_band: m.age_band,
        topic_id: m.topic_id,
        title: m.title,
        body: m.body,
        redactions: m.redactions,
        moderator_note: m.moderator_note,
        merged_into: m.merged_into,
        created_at: m.created_at,
        updated_at: m.updated_at,
        published_at: m.published_at,
    })
}

/// What the queue is narrowed to; every field narrows it.
#[derive(Debug, Clone, Default)]
pub struct IssueFilter<'a> {
    pub status: Option<QueueStatus>,
    pub topic_id: Option<Uuid>,
    pub units: Option<&'a [UnitId]>,
    pub source: Option<&'a str>,
    /// Already folded (`moderation::search_query`).
    pub search: Option<&'a str>,
    /// Leave out issues merged into another.
    pub canonical_only: bool,
    /// Only issues a moderator published.
    pub published_only: bool,
}

fn filtered(filter: &IssueFilter<'_>, with_status: bool) -> Select<issue::Entity> {
    // A withheld issue belongs to its safeguarding case: no list or count
    // of the queue shows it, not even as "withheld".
    let mut q = issue::Entity::find().filter(issue::Column::Status.is_not_in(HIDDEN));
    if filter.published_only {
        q = q.filter(issue::Column::PublishedAt.is_not_null());
    }
    // The queue's status of a merged issue is `merged`, whatever its own
    // (`moderation::queue_status`).
    match filter.status {
        Some(QueueStatus::Merged) if with_status => q = q.filter(issue::Column::MergedInto.is_not_null()),
        Some(QueueStatus::Own(s)) if with_status => {
            q = q
                .filter(issue::Column::Status.eq(s.as_str()))
                .filter(issue::Column::MergedInto.is_null());
        }
        _ => {}
    }
    q = q
        .apply_if(filter.topic_id, |q, t| q.filter(issue::Column::TopicId.eq(t)))
        .apply_if(filter.units, |q, units| {
            q.filter(issue::Column::UnitId.is_in(units.iter().map(|u| u.0)))
        })
        .apply_if(filter.source, |q, s| q.filter(issue::Column::Source.eq(s)));
    if filter.canonical_only {
        q = q.filter(issue::Column::MergedInto.is_null());
    }
    if let Some(text) = filter.search {
        // LIKE with the wildcards in the text escaped; the key has a space
        // before every word, so the query matches from the start of a
        // word (`moderation::search_matches`), never inside one.
        let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        q = q.filter(Expr::col(issue::Column::SearchText).like(LikeExpr::new(format!("% {escaped}%")).escape('\\')));
    }
    q
}

/// A page of the queue: newest first (or oldest), after the id `after`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &IssueFilter<'_>,
    newest_first: bool,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<IssueRow>, StoreError> {
    let mut q = filtered(filter, true);
    if let Some(a) = after {
        q = q.filter(if newest_first {
            issue::Column::Id.lt(a)
        } else {
            issue::Column::Id.gt(a)
        });
    }
    q = if newest_first {
        q.order_by_desc(issue::Column::Id)
    } else {
        q.order_by_asc(issue::Column::Id)
    };
    q.limit(limit).all(conn).await?.into_iter().map(row_of).collect()
}

/// How many issues match the filter (its status aside), per status as
/// the queue shows it: merged issues under `merged`, the others under
/// their own.
pub async fn counts<C: ConnectionTrait>(conn: &C, filter: &IssueFilter<'_>) -> Result<Vec<(String, i64)>, StoreError> {
    let mut out: Vec<(String, i64)> = filtered(filter, false)
        .filter(issue::Column::MergedInto.is_null())
        .select_only()
        .column(issue::Column::Status)
        .column_as(issue::Column::Id.count(), "n")
        .group_by(issue::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let merged = filtered(filter, false)
        .filter(issue::Column::MergedInto.is_not_null())
        .count(conn)
        .await?;
    out.push((MERGED.to_owned(), i64::try_from(merged).unwrap_or(i64::MAX)));
    Ok(out)
}

/// A new issue's row: its id, source and status, unit and topic, words
/// (and their search key), raised at `at`; every other column empty, for
/// the caller to fill in.
pub(crate) fn new_issue_row(
    (id, source, status): (Uuid, &str, IssueStatus),
    (unit_id, topic_id): (Uuid, Option<Uuid>),
    (title, body): (&str, &str),
    at: DateTime<Utc>,
) -> issue::ActiveModel {
    use sea_orm::ActiveValue::Set;
    issue::ActiveModel {
        id: Set(id),
        source: Set(source.to_owned()),
        status: Set(status.as_str().to_owned()),
        unit_id: Set(unit_id),
        topic_id: Set(topic_id),
        title: Set(title.to_owned()),
        body: Set(body.to_owned()),
        search_text: Set(Some(search_key(title, body))),
        created_at: Set(at),
        updated_at: Set(at),
        published_at: Set(None),
        survey_id: Set(None),
        session_id: Set(None),
        participant_id: Set(None),
        age_band: Set(None),
        redactions: Set(None),
        receipt_hash: Set(None),
        idempotency_key: Set(None),
        request_hash: Set(None),
        event_id: Set(None),
        rejection_reason: Set(None),
        moderator_note: Set(None),
        merged_into: Set(None),
        response_id: Set(None),
        question_key: Set(None),
    }
}

/// Several issues, in no particular order; unknown ids are left out.
pub async fn get_many<C: ConnectionTrait>(conn: &C, ids: &[Uuid]) -> Result<Vec<IssueRow>, StoreError> {
    rows_in::<issue::Entity, _>(conn, issue::Column::Id, ids, &[])
        .await?
        .into_iter()
        .map(row_of)
        .collect()
}

/// Of these issues, the ids of those that still stand
/// ([`IssueStatus::stands`]); unknown ids are left out.
pub async fn standing<C: ConnectionTrait>(conn: &C, ids: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let standing = IssueStatus::ALL
        .into_iter()
        .filter(|s| s.stands())
        .map(IssueStatus::as_str);
    Ok(issue::Entity::find()
        .select_only()
        .column(issue::Column::Id)
        .filter(issue::Column::Id.is_in(ids.iter().copied()))
        .filter(issue::Column::Status.is_in(standing))
        .into_tuple::<Uuid>()
        .all(conn)
        .await?)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<IssueRow, StoreError> {
    read_by_id::<issue::Entity, _, _>(conn, id, row_of).await
}

/// What the audit log keeps of an issue: its state, never its words (a
/// child's words, even those a moderator redacted, must go when the child
/// erases their data). A change of title or body is recorded as
/// `"edited"` in the state after it.
fn audit_view(row: &IssueRow, before: Option<&IssueRow>) -> Option<serde_json::Value> {
    let mut v = snapshot(row)?;
    let o = v.as_object_mut()?;
    o.remove("title");
    o.remove("body");
    if let Some(b) = before {
        if b.title != row.title {
            o.insert("title".into(), "edited".into());
        }
        if b.body != row.body {
            o.insert("body".into(), "edited".into());
        }
    }
    Some(v)
}

/// Changes an issue: `decide` sees the current row (locked for the
/// transaction) and returns the new one, or a refusal that is passed back
/// untouched. The change is audited with the state before and after,
/// without the words ([`audit_view`]).
pub async fn update<E>(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    decide: impl FnOnce(&IssueRow) -> Result<IssueRow, E>,
) -> Result<Result<IssueRow, E>, StoreError> {
    let mut decide = Some(decide);
    let out = update_all(db, actor, &[id], |row| match decide.take() {
        Some(f) => f(row),
        None => Ok(row.clone()),
    })
    .await?;
    Ok(out.map(|mut rows| rows.remove(0)))
}

/// Changes several issues in one transaction, all or nothing: the first
/// refusal (or an unknown id, `NotFound`) leaves every issue as it was.
pub async fn update_all<E>(
    db: &Db,
    actor: &Actor,
    ids: &[Uuid],
    mut decide: impl FnMut(&IssueRow) -> Result<IssueRow, E>,
) -> Result<Result<Vec<IssueRow>, E>, StoreError> {
    let tx = begin(db).await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(current) = issue::Entity::find_by_id(*id)
            .lock_exclusive()
            .one(&tx)
            .await?
            .map(row_of)
            .transpose()?
        else {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        };
        let mut next = match decide(&current) {
            Ok(n) => n,
            Err(e) => {
                tx.rollback().await?;
                return Ok(Err(e));
            }
        };
        if next == current {
            out.push(current);
            continue;
        }
        next.updated_at = actor.at;
        issue::Entity::update_many()
            .col_expr(issue::Column::Status, Expr::value(next.status.as_str()))
            .col_expr(
                issue::Column::RejectionReason,
                Expr::value(next.rejection_reason.map(RejectReason::as_str)),
            )
            .col_expr(issue::Column::TopicId, Expr::value(next.topic_id))
            .col_expr(issue::Column::UnitId, Expr::value(next.unit_id))
            .col_expr(issue::Column::Title, Expr::value(next.title.clone()))
            .col_expr(issue::Column::Body, Expr::value(next.body.clone()))
            .col_expr(issue::Column::ModeratorNote, Expr::value(next.moderator_note.clone()))
            .col_expr(
                issue::Column::SearchText,
                Expr::value(search_key(&next.title, &next.body)),
            )
            .col_expr(issue::Column::UpdatedAt, Expr::value(next.updated_at))
            .col_expr(
                issue::Column::PublishedAt,
                Expr::value(next.published_at.filter(|_| next.status == IssueStatus::Accepted)),
            )
            .filter(issue::Column::Id.eq(*id))
            .exec(&tx)
            .await?;
        Change::of("issue.update", "issue", id)
            .before(audit_view(&current, None))
            .after(audit_view(&next, Some(&current)))
            .record(&tx, actor)
            .await?;
        out.push(next);
    }
    tx.commit().await?;
    Ok(Ok(out))
}

/// Fills the search text of issues stored before it existed, or in an
/// older form (before words were kept apart: `moderation::is_search_key`);
/// returns how many. Run at start-up; a no-op once done.
pub async fn backfill_search_text(db: &Db) -> Result<usize, StoreError> {
    let rows: Vec<(Uuid, String, String)> = issue::Entity::find()
        .select_only()
        .column(issue::Column::Id)
        .column(issue::Column::Title)
        .column(issue::Column::Body)
        .filter(
            sea_orm::Condition::any()
                .add(issue::Column::SearchText.is_null())
                .add(issue::Column::SearchText.not_like(" %")),
        )
        .into_tuple()
        .all(db)
        .await?;
    for (id, title, body) in &rows {
        issue::Entity::update_many()
            .col_expr(issue::Column::SearchText, Expr::value(search_key(title, body)))
            .filter(issue::Column::Id.eq(*id))
            .exec(db)
            .await?;
    }
    Ok(rows.len())
}

/// The issues merged into each of these.
pub async fn merged_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<Uuid>>, StoreError> {
    let mut out: std::collections::HashMap<Uuid, Vec<Uuid>> = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(Uuid, Option<Uuid>)> = issue::Entity::find()
            .select_only()
            .column(issue::Column::Id)
            .column(issue::Column::MergedInto)
            .filter(issue::Column::MergedInto.is_in(chunk.iter().copied()))
            .order_by_asc(issue::Column::Id)
            .into_tuple()
            .all(conn)
            .await?;
        for (id, into) in rows {
            if let Some(into) = into {
                out.entry(into).or_default().push(id);
            }
        }
    }
    Ok(out)
}

/// How many children support each of these issues, counting with each the
/// issues merged into it, every child once.
pub async fn support_counts<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, i64>, StoreError> {
    supporters(conn, ids, None).await
}

/// As [`support_counts`], counting only the supports given before
/// `before`: what is published moves once a day, never with one child.
pub async fn support_counts_before<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
    before: DateTime<Utc>,
) -> Result<std::collections::HashMap<Uuid, i64>, StoreError> {
    supporters(conn, ids, Some(before)).await
}

async fn supporters<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
    before: Option<DateTime<Utc>>,
) -> Result<std::collections::HashMap<Uuid, i64>, StoreError> {
    let merged = merged_of(conn, ids).await?;
    let mut members: Vec<Uuid> = ids.to_vec();
    members.extend(merged.values().flatten().copied());
    let mut by_issue: std::collections::HashMap<Uuid, Vec<Uuid>> = std::collections::HashMap::new();
    for chunk in members.chunks(500) {
        let rows: Vec<(Uuid, Uuid)> = issue_support::Entity::find()
            .select_only()
            .column(issue_support::Column::IssueId)
            .column(issue_support::Column::ParticipantId)
            .filter(issue_support::Column::IssueId.is_in(chunk.iter().copied()))
            .apply_if(before, |q, before| {
                q.filter(issue_support::Column::CreatedAt.lt(before))
            })
            .into_tuple()
            .all(conn)
            .await?;
        for (issue_id, participant) in rows {
            by_issue.entry(issue_id).or_default().push(participant);
        }
    }
    let empty: Vec<Uuid> = Vec::new();
    Ok(ids
        .iter()
        .map(|id| {
            let group = std::iter::once(id)
                .chain(merged.get(id).into_iter().flatten())
                .map(|m| by_issue.get(m).unwrap_or(&empty).as_slice());
            (*id, langnghe_domain::moderation::group_supporters(group).len() as i64)
        })
        .collect())
}

/// The sources (`form`, `event`) of an issue and the issues merged into it.
pub async fn group_sources<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Vec<String>, StoreError> {
    let mut sources: Vec<String> = issue::Entity::find()
        .select_only()
        .column(issue::Column::Source)
        .filter(
            sea_orm::sea_query::Condition::any()
                .add(issue::Column::Id.eq(id))
                .add(issue::Column::MergedInto.eq(id)),
        )
        .into_tuple()
        .all(conn)
        .await?;
    sources.sort();
    sources.dedup();
    Ok(sources)
}

/// Merges `id` into `into` (both locked), audited. `NotFound` when either
/// is unknown.
pub async fn merge(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    into: Uuid,
) -> Result<Result<(), langnghe_domain::moderation::MergeError>, StoreError> {
    use langnghe_domain::moderation::{MergeCheck, check_merge};
    let tx = begin(db).await?;
    let lock = |x: Uuid| issue::Entity::find_by_id(x).lock_exclusive().one(&tx);
    let issue = lock(id).await?.ok_or(StoreError::NotFound)?;
    let target = lock(into).await?.ok_or(StoreError::NotFound)?;
    let has_merged = issue::Entity::find()
        .filter(issue::Column::MergedInto.eq(id))
        .one(&tx)
        .await?
        .is_some();
    let check = MergeCheck {
        same_issue: id == into,
        issue_withheld: read::<IssueStatus>(&issue.status)?.is_hidden(),
        target_withheld: read::<IssueStatus>(&target.status)?.is_hidden(),
        issue_merged: issue.merged_into.is_some(),
        issue_has_merged: has_merged,
        target_merged: target.merged_into.is_some(),
    };
    if let Err(e) = check_merge(check) {
        tx.rollback().await?;
        return Ok(Err(e));
    }
    set_merged(&tx, actor, id, None, Some(into), "issue.merge").await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Undoes a merge, audited: both issues are as they were before it.
/// `false` when the issue is not merged.
pub async fn unmerge(db: &Db, actor: &Actor, id: Uuid) -> Result<bool, StoreError> {
    let tx = begin(db).await?;
    let issue = issue::Entity::find_by_id(id).lock_exclusive().found(&tx).await?;
    let Some(into) = issue.merged_into else {
        tx.rollback().await?;
        return Ok(false);
    };
    set_merged(&tx, actor, id, Some(into), None, "issue.unmerge").await?;
    tx.commit().await?;
    Ok(true)
}

async fn set_merged(
    tx: &crate::Tx,
    actor: &Actor,
    id: Uuid,
    before: Option<Uuid>,
    after: Option<Uuid>,
    action: &'static str,
) -> Result<(), StoreError> {
    issue::Entity::update_many()
        .col_expr(issue::Column::MergedInto, Expr::value(after))
        .col_expr(issue::Column::UpdatedAt, Expr::value(actor.at))
        .filter(issue::Column::Id.eq(id))
        .exec(tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action,
            entity: "issue",
            entity_id: Some(id.to_string()),
            before: Some(serde_json::json!({ "merged_into": before })),
            after: Some(serde_json::json!({ "merged_into": after })),
        },
    )
    .await?;
    Ok(())
}

/// What supporting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supported {
    /// Counted now.
    Now,
    /// This child already supported it.
    Already,
    /// No accepted issue has this id.
    NotFound,
}

/// A child supports an accepted issue, once: the primary key refuses a
/// second support, even from concurrent requests.
pub async fn support(
    db: &Db,
    issue_id: Uuid,
    participant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Supported, StoreError> {
    let accepted = issue::Entity::find_by_id(issue_id)
        .filter(issue::Column::Status.eq(IssueStatus::Accepted.as_str()))
        .filter(issue::Column::PublishedAt.is_not_null())
        .one(db)
        .await?
        .is_some();
    if !accepted {
        return Ok(Supported::NotFound);
    }
    let support = issue_support::ActiveModel {
        issue_id: sea_orm::ActiveValue::Set(issue_id),
        participant_id: sea_orm::ActiveValue::Set(participant_id),
        created_at: sea_orm::ActiveValue::Set(now),
    };
    let columns = [issue_support::Column::IssueId, issue_support::Column::ParticipantId];
    let inserted = insert_if_absent(db, support, columns).await?;
    Ok(if inserted > 0 {
        Supported::Now
    } else {
        Supported::Already
    })
}

/// Published issues for children, newest first: in the units given, on a
/// topic, after the id `after`.
pub async fn public_list<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[UnitId]>,
    topic_id: Option<Uuid>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<IssueRow>, StoreError> {
    let filter = IssueFilter {
        status: Some(QueueStatus::Own(IssueStatus::Accepted)),
        topic_id,
        units,
        canonical_only: true,
        published_only: true,
        ..IssueFilter::default()
    };
    list(conn, &filter, true, after, limit).await
}

/// A response that counts, with its answers, for moderators reading free
/// text.
#[derive(Debug, Clone)]
pub struct AnswerRow {
    pub response_id: Uuid,
    pub unit_id: Uuid,
    pub age_band: String,
    pub submitted_at: DateTime<Utc>,
    pub answers: String,
}

/// Responses of one survey version that count, oldest first, after `after`.
pub async fn answers_of<C: ConnectionTrait>(
    conn: &C,
    survey_id: Uuid,
    version: i32,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<AnswerRow>, StoreError> {
    use crate::entities::response;
    let q = crate::query::counted_answers(survey_id, version)
        .column(response::Column::Id)
        .apply_if(after, |q, a| q.filter(response::Column::Id.gt(a)));
    let rows: Vec<(Uuid, String, DateTime<Utc>, String, Uuid)> = q
        .order_by_asc(response::Column::Id)
        // The databases take a signed limit.
        .limit(Ord::min(limit, i64::MAX as u64))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(unit_id, age_band, submitted_at, answers, response_id)| AnswerRow {
            response_id,
            unit_id,
            age_band,
            submitted_at,
            answers,
        })
        .collect())
}

/// The issues promoted from these responses: (response, question) → issue.
pub async fn promoted_from<C: ConnectionTrait>(
    conn: &C,
    responses: &[Uuid],
) -> Result<Vec<(Uuid, String, Uuid)>, StoreError> {
    let mut out = Vec::new();
    for chunk in responses.chunks(500) {
        let rows: Vec<(Option<Uuid>, Option<String>, Uuid)> = issue::Entity::find()
            .select_only()
            .column(issue::Column::ResponseId)
            .column(issue::Column::QuestionKey)
            .column(issue::Column::Id)
            .filter(issue::Column::ResponseId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows.into_iter().filter_map(|(r, q, i)| Some((r?, q?, i))));
    }
    Ok(out)
}

/// A response that counts, for promoting one of its answers.
#[derive(Debug, Clone)]
pub struct PromotableResponse {
    pub survey_id: Uuid,
    pub version: i32,
    pub session_id: Uuid,
    pub unit_id: Uuid,
    pub participant_id: Uuid,
    pub age_band: String,
    pub answers: String,
}

pub async fn promotable<C: ConnectionTrait>(conn: &C, response_id: Uuid) -> Result<PromotableResponse, StoreError> {
    use crate::entities::response;
    let r = response::Entity::find_by_id(response_id)
        .filter(response::Column::WithdrawnAt.is_null())
        .found(conn)
        .await?;
    Ok(PromotableResponse {
        survey_id: r.survey_id,
        version: r.version,
        session_id: r.session_id,
        unit_id: r.unit_id,
        participant_id: r.participant_id,
        age_band: r.age_band,
        answers: r.answers,
    })
}

/// A new issue from a child's answer.
pub struct Promotion<'a> {
    pub response_id: Uuid,
    pub question_key: &'a str,
    pub from: &'a PromotableResponse,
    pub topic_id: Option<Uuid>,
    pub title: &'a str,
    pub body: &'a str,
}

/// Creates the issue (source `survey_answer`, linked to the answer and to
/// the child's pseudonym, so erasure detaches it), audited. Returns its id
/// and whether it is new: an answer already promoted gives its issue.
pub async fn promote(db: &Db, actor: &Actor, p: &Promotion<'_>) -> Result<(Uuid, bool), StoreError> {
    let existing = issue::Entity::find()
        .filter(issue::Column::ResponseId.eq(p.response_id))
        .filter(issue::Column::QuestionKey.eq(p.question_key))
        .one(db)
        .await?;
    if let Some(e) = existing {
        return Ok((e.id, false));
    }
    let tx = begin(db).await?;
    // The answer is still the child's to give: locked, so that a withdrawal
    // either went first (nothing left to promote) or waits for this
    // promotion and then withdraws its issue with the answer.
    let live = response::Entity::find_by_id(p.response_id)
        .filter(response::Column::WithdrawnAt.is_null())
        .lock_exclusive()
        .one(&tx)
        .await?;
    if live.is_none() {
        tx.rollback().await?;
        return Err(StoreError::NotFound);
    }
    let id = Uuid::now_v7();
    let now = actor.at;
    use sea_orm::ActiveValue::Set;
    let inserted = issue::Entity::insert(issue::ActiveModel {
        survey_id: Set(Some(p.from.survey_id)),
        session_id: Set(Some(p.from.session_id)),
        participant_id: Set(Some(p.from.participant_id)),
        age_band: Set(Some(p.from.age_band.clone())),
        response_id: Set(Some(p.response_id)),
        question_key: Set(Some(p.question_key.to_owned())),
        ..new_issue_row(
            (id, "survey_answer", IssueStatus::New),
            (p.from.unit_id, p.topic_id),
            (p.title, p.body),
            now,
        )
    })
    .exec_without_returning(&tx)
    .await;
    if let Err(e) = inserted {
        tx.rollback().await?;
        // A concurrent promotion of the same answer won: give its issue.
        if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) {
            let e = issue::Entity::find()
                .filter(issue::Column::ResponseId.eq(p.response_id))
                .filter(issue::Column::QuestionKey.eq(p.question_key))
                .found(db)
                .await?;
            return Ok((e.id, false));
        }
        return Err(e.into());
    }
    Change::of("issue.promote", "issue", id)
        .after(serde_json::json!({"response_id": p.response_id, "question_key": p.question_key}))
        .commit(tx, actor)
        .await?;
    Ok((id, true))
}

/// The issues a likely duplicate is looked for among: canonical ones not
/// withheld, the `limit` most recent.
pub async fn similar_candidates<C: ConnectionTrait>(conn: &C, limit: u64) -> Result<Vec<IssueRow>, StoreError> {
    issue::Entity::find()
        .filter(issue::Column::MergedInto.is_null())
        .filter(issue::Column::Status.is_not_in(HIDDEN))
        .order_by_desc(issue::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(row_of)
        .collect()
}

/// What a moderator's referral opens: a safeguarding case with the words as
/// the moderator read them, the issue's or answer's visible copy replaced
/// by `withheld`.
pub struct Referral<'a> {
    pub severity: Severity,
    pub categories: &'a [String],
    /// What replaces the text in the moderator's view.
    pub withheld: &'a str,
}

impl Referral<'_> {
    /// The case it opens, holding `text`, from `unit_id`.
    fn case(&self, text: String, unit_id: Uuid, now: DateTime<Utc>) -> Opening<'_> {
        Opening {
            categories: self.categories,
            unit_id: Some(unit_id),
            ..Opening::new("referral", self.severity, text, now)
        }
    }
}

/// A moderator refers an issue to safeguarding: a case opens with its
/// title and body, and the issue leaves the moderators' view (`withheld`,
/// unpublished, its text replaced). Audited without the text. Returns the
/// case's id; `NotFound` for an unknown or already hidden issue.
pub async fn refer_issue(db: &Db, actor: &Actor, id: Uuid, r: &Referral<'_>) -> Result<Uuid, StoreError> {
    let tx = begin(db).await?;
    let Some(issue) = issue::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&tx)
        .await?
        .filter(|i| !HIDDEN.contains(&i.status.as_str()))
    else {
        tx.rollback().await?;
        return Err(StoreError::NotFound);
    };
    let now = actor.at;
    let case = Opening {
        issue_id: Some(id),
        session_id: issue.session_id,
        ..r.case(format!("{}\n\n{}", issue.title, issue.body), issue.unit_id, now)
    };
    let case_id = open(&tx, case, now).await?;
    issue::Entity::update_many()
        .col_expr(issue::Column::Status, Expr::value(IssueStatus::Withheld.as_str()))
        .col_expr(issue::Column::Title, Expr::value(r.withheld))
        .col_expr(issue::Column::Body, Expr::value(r.withheld))
        .col_expr(
            issue::Column::SearchText,
            Expr::value(search_key(r.withheld, r.withheld)),
        )
        .col_expr(issue::Column::PublishedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(issue::Column::UpdatedAt, Expr::value(now))
        .filter(issue::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    Change::of("issue.refer", "issue", id)
        .after(serde_json::json!({"case_id": case_id, "severity": r.severity.as_str()}))
        .commit(tx, actor)
        .await?;
    Ok(case_id)
}

/// A moderator refers a free-text answer to safeguarding: a case opens with
/// the answer's text, and the answer is replaced by `withheld` (which no
/// moderator list shows). `NotFound` for an unknown response or an answer
/// that is not a text or already withheld.
pub async fn refer_answer(
    db: &Db,
    actor: &Actor,
    response_id: Uuid,
    key: &str,
    r: &Referral<'_>,
) -> Result<Uuid, StoreError> {
    let tx = begin(db).await?;
    let Some(resp) = response::Entity::find_by_id(response_id).one(&tx).await? else {
        tx.rollback().await?;
        return Err(StoreError::NotFound);
    };
    let readable = crate::formats::answers::text_of(&resp.answers, key)
        .and_then(|text| Ok(text.zip(crate::formats::answers::with_text(&resp.answers, key, r.withheld)?)));
    let (text, answers) = match readable {
        Ok(Some((t, answers))) if t != r.withheld && !t.trim().is_empty() => (t, answers),
        Ok(_) => {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        }
        Err(e) => {
            tx.rollback().await?;
            crate::formats::report(&response_id, &e);
            return Err(e.into());
        }
    };
    let now = actor.at;
    let case = Opening {
        response_id: Some(response_id),
        question_key: Some(key.to_owned()),
        session_id: Some(resp.session_id),
        ..r.case(text, resp.unit_id, now)
    };
    let case_id = open(&tx, case, now).await?;
    response::Entity::update_many()
        .col_expr(response::Column::Answers, Expr::value(answers))
        .filter(response::Column::Id.eq(response_id))
        .exec(&tx)
        .await?;
    Change::of("answer.refer", "response", response_id)
        .after(serde_json::json!({"case_id": case_id, "question_key": key, "severity": r.severity.as_str()}))
        .commit(tx, actor)
        .await?;
    Ok(case_id)
}
