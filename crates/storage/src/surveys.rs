//! Survey definitions and their versions. A definition is stored in the
//! format of [`crate::formats::survey`] and read back as it was saved. A
//! published version is never changed: editing a published survey adds a
//! new draft version.

use chrono::{DateTime, Utc};
use langnghe_domain::consultation::{self, SurveyStatus, SurveyTransitionError};
use langnghe_domain::{TopicId, UnitId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryTrait,
};
use uuid::Uuid;

use crate::audit::{Change, snapshot};
use crate::entities::{survey, survey_version};
use crate::formats::survey::{self as format, StoredSurvey};
use crate::names::read;
use crate::query::{Found, page};
use crate::{Actor, Db, StoreError, begin};
use langnghe_domain::survey::SurveyKind;

/// A survey as listed: its summary and where its versions stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRecord {
    pub id: Uuid,
    pub kind: SurveyKind,
    pub owner_unit_id: UnitId,
    pub topic_id: Option<TopicId>,
    pub status: SurveyStatus,
    pub latest_version: i32,
    pub published_version: Option<i32>,
    pub title_vi: String,
    /// Suppressed results are open to everyone.
    pub results_public: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One version of a definition.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyVersion {
    pub version: i32,
    pub definition: StoredSurvey,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

fn to_record(m: survey::Model) -> Result<SurveyRecord, StoreError> {
    Ok(SurveyRecord {
        id: m.id,
        kind: read(&m.kind)?,
        owner_unit_id: UnitId(m.owner_unit_id),
        topic_id: m.topic_id.map(TopicId),
        status: read(&m.status)?,
        latest_version: m.latest_version,
        published_version: m.published_version,
        title_vi: m.title_vi,
        results_public: m.results_public,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// The summary fields kept beside each definition, for listing.
#[derive(Debug, Clone)]
pub struct SurveySummary {
    pub kind: SurveyKind,
    pub owner_unit_id: UnitId,
    pub topic_id: Option<TopicId>,
    pub title_vi: String,
    pub results_public: bool,
}

impl SurveySummary {
    /// The summary of a stored definition: its kind, owner, topic (by id,
    /// among `topics`), Vietnamese title and whether its results are public.
    pub fn of(stored: &StoredSurvey, topics: &[langnghe_domain::catalog::Topic]) -> SurveySummary {
        let def = &stored.definition;
        SurveySummary {
            kind: def.kind(),
            owner_unit_id: stored.owner_unit_id,
            topic_id: def
                .topic()
                .and_then(|slug| topics.iter().find(|t| t.slug.as_str() == slug))
                .map(|t| t.id),
            title_vi: def.title().vi().to_owned(),
            results_public: stored.results_public.unwrap_or(false),
        }
    }

    /// Sets the survey's summary columns to these.
    fn apply(&self, row: &mut survey::ActiveModel) {
        row.kind = Set(self.kind.as_str().to_owned());
        row.owner_unit_id = Set(self.owner_unit_id.0);
        row.topic_id = Set(self.topic_id.map(|t| t.0));
        row.title_vi = Set(self.title_vi.clone());
        row.results_public = Set(self.results_public);
    }
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    summary: &SurveySummary,
    definition: &StoredSurvey,
) -> Result<SurveyRecord, StoreError> {
    let definition = &format::encode(definition);
    let tx = begin(db).await?;
    let now = actor.at;
    let row = survey::Entity::insert(survey::ActiveModel {
        id: Set(id),
        kind: Set(summary.kind.as_str().to_owned()),
        owner_unit_id: Set(summary.owner_unit_id.0),
        topic_id: Set(summary.topic_id.map(|t| t.0)),
        status: Set(SurveyStatus::Draft.as_str().to_owned()),
        latest_version: Set(1),
        published_version: Set(None),
        title_vi: Set(summary.title_vi.clone()),
        results_public: Set(summary.results_public),
        created_by: Set(actor.id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&tx)
    .await?;
    insert_version(&tx, id, 1, definition, now).await?;
    Change::of("survey.create", "survey", id)
        .after(snapshot(
            &serde_json::json!({"survey": row, "version": 1, "definition": definition}),
        ))
        .commit(tx, actor)
        .await?;
    to_record(row)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<SurveyRecord, StoreError> {
    let row = survey::Entity::find_by_id(id).found(conn).await?;
    to_record(row)
}

pub async fn version<C: ConnectionTrait>(conn: &C, survey_id: Uuid, version: i32) -> Result<SurveyVersion, StoreError> {
    let row = survey_version::Entity::find()
        .filter(survey_version::Column::SurveyId.eq(survey_id))
        .filter(survey_version::Column::Version.eq(version))
        .found(conn)
        .await?;
    Ok(SurveyVersion {
        version: row.version,
        definition: format::decode(&row.definition)?,
        created_at: row.created_at,
        published_at: row.published_at,
    })
}

#[derive(Debug, Default, Clone)]
pub struct SurveyFilter {
    pub status: Option<SurveyStatus>,
    pub kind: Option<SurveyKind>,
    /// Only surveys owned by one of these units.
    pub owner_units: Option<Vec<UnitId>>,
}

/// Surveys with ids after `after`, oldest first.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &SurveyFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<SurveyRecord>, StoreError> {
    let q = page(survey::Entity::find(), survey::Column::Id, after, limit)
        .apply_if(filter.status, |q, status| {
            q.filter(survey::Column::Status.eq(status.as_str()))
        })
        .apply_if(filter.kind.as_ref(), |q, kind| {
            q.filter(survey::Column::Kind.eq(kind.as_str()))
        })
        .apply_if(filter.owner_units.as_ref(), |q, units| {
            q.filter(survey::Column::OwnerUnitId.is_in(units.iter().map(|u| u.0)))
        });
    q.all(conn).await?.into_iter().map(to_record).collect()
}

/// A new, unpublished version of survey `survey_id` holding the encoded
/// `definition`.
async fn insert_version<C: ConnectionTrait>(
    conn: &C,
    survey_id: Uuid,
    version: i32,
    definition: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    survey_version::Entity::insert(survey_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        survey_id: Set(survey_id),
        version: Set(version),
        definition: Set(definition.to_owned()),
        created_at: Set(now),
        published_at: Set(None),
    })
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}

fn transition(e: SurveyTransitionError) -> StoreError {
    match e {
        SurveyTransitionError::Closed => StoreError::Conflict("survey_closed"),
        SurveyTransitionError::NothingToPublish => StoreError::Conflict("nothing_to_publish"),
    }
}

/// Replaces the draft: the latest version when it is unpublished, else a
/// new version after the published one.
pub async fn save_draft(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    summary: &SurveySummary,
    definition: &StoredSurvey,
) -> Result<SurveyRecord, StoreError> {
    let definition = &format::encode(definition);
    let tx = begin(db).await?;
    let before = survey::Entity::find_by_id(id).found(&tx).await?;
    let current = to_record(before.clone())?;
    consultation::edit(current.status).map_err(transition)?;
    let now = actor.at;
    let latest_published = current.published_version == Some(current.latest_version);
    let version = if latest_published {
        let v = current.latest_version + 1;
        insert_version(&tx, id, v, definition, now).await?;
        v
    } else {
        survey_version::Entity::update_many()
            .col_expr(survey_version::Column::Definition, Expr::value(definition))
            .filter(survey_version::Column::SurveyId.eq(id))
            .filter(survey_version::Column::Version.eq(current.latest_version))
            .filter(survey_version::Column::PublishedAt.is_null())
            .exec(&tx)
            .await?;
        current.latest_version
    };
    let mut row: survey::ActiveModel = before.clone().into();
    row.latest_version = Set(version);
    row.updated_at = Set(now);
    // The summary follows the draft only while nothing is published.
    if current.published_version.is_none() {
        summary.apply(&mut row);
    }
    let after = row.update(&tx).await?;
    Change::of("survey.draft", "survey", id)
        .before(snapshot(&before))
        .after(snapshot(
            &serde_json::json!({"survey": after, "version": version, "definition": definition}),
        ))
        .commit(tx, actor)
        .await?;
    to_record(after)
}

/// Freezes the latest draft version; its summary becomes the survey's.
pub async fn publish(db: &Db, actor: &Actor, id: Uuid, summary: &SurveySummary) -> Result<SurveyRecord, StoreError> {
    let tx = begin(db).await?;
    let before = survey::Entity::find_by_id(id).found(&tx).await?;
    let current = to_record(before.clone())?;
    let latest_is_draft = current.published_version != Some(current.latest_version);
    let status = consultation::publish(current.status, latest_is_draft).map_err(transition)?;
    let now = actor.at;
    survey_version::Entity::update_many()
        .col_expr(survey_version::Column::PublishedAt, Expr::value(now))
        .filter(survey_version::Column::SurveyId.eq(id))
        .filter(survey_version::Column::Version.eq(current.latest_version))
        .exec(&tx)
        .await?;
    let mut row: survey::ActiveModel = before.clone().into();
    row.status = Set(status.as_str().to_owned());
    row.published_version = Set(Some(current.latest_version));
    summary.apply(&mut row);
    row.updated_at = Set(now);
    let after = row.update(&tx).await?;
    Change::of("survey.publish", "survey", id)
        .between(&before, &after)
        .commit(tx, actor)
        .await?;
    to_record(after)
}

/// Closes a survey (no new sessions, answers or issues) and tells every
/// replica when it commits.
pub async fn close(db: &Db, actor: &Actor, id: Uuid) -> Result<SurveyRecord, StoreError> {
    let tx = begin(db).await?;
    let before = survey::Entity::find_by_id(id).found(&tx).await?;
    let status = consultation::close(to_record(before.clone())?.status).map_err(transition)?;
    let mut row: survey::ActiveModel = before.clone().into();
    row.status = Set(status.as_str().to_owned());
    row.updated_at = Set(actor.at);
    let after = row.update(&tx).await?;
    Change::of("survey.close", "survey", id)
        .between(&before, &after)
        .record(&tx, actor)
        .await?;
    crate::broadcast::announce(&tx, crate::broadcast::Notice::Survey(id)).await?;
    tx.commit().await?;
    to_record(after)
}
