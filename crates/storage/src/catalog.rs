//! Topics and agencies.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use langnghe_domain::catalog::{Agency, AgencyKind, Contact, Topic, TopicSlug};
use langnghe_domain::{AgencyId, LocalizedText, TopicId, UnitId};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use crate::audit::{Change, snapshot};
use crate::entities::{agency, agency_topic, topic};
use crate::query::{Found, create_audited};
use crate::{Actor, Db, StoreError, begin, conflict_on_unique};

fn to_topic(m: topic::Model) -> Result<Topic, DbErr> {
    let description = m
        .description_vi
        .map(|vi| LocalizedText::from_stored(vi, m.description_en));
    Ok(Topic {
        id: TopicId(m.id),
        slug: TopicSlug::parse("slug", &m.slug)
            .map_err(|_| DbErr::Custom(format!("unreadable topic slug {:?}", m.slug)))?,
        name: LocalizedText::from_stored(m.name_vi, m.name_en),
        description,
        active: m.active,
    })
}

fn topic_row(t: &Topic, now: DateTime<Utc>) -> topic::ActiveModel {
    topic::ActiveModel {
        id: Set(t.id.0),
        slug: Set(t.slug.as_str().to_owned()),
        name_vi: Set(t.name.vi().to_owned()),
        name_en: Set(t.name.en().map(str::to_owned)),
        description_vi: Set(t.description.as_ref().map(|d| d.vi().to_owned())),
        description_en: Set(t.description.as_ref().and_then(|d| d.en().map(str::to_owned))),
        active: Set(t.active),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Every topic, by slug.
pub async fn list_topics<C: ConnectionTrait>(conn: &C) -> Result<Vec<Topic>, StoreError> {
    let rows = topic::Entity::find()
        .order_by_asc(topic::Column::Slug)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(to_topic).collect::<Result<_, _>>()?)
}

pub async fn get_topic<C: ConnectionTrait>(conn: &C, id: TopicId) -> Result<Topic, StoreError> {
    let row = topic::Entity::find_by_id(id.0).found(conn).await?;
    Ok(to_topic(row)?)
}

pub async fn create_topic(db: &Db, actor: &Actor, t: &Topic) -> Result<(), StoreError> {
    let row = topic_row(t, actor.at);
    create_audited(
        db,
        actor,
        row,
        conflict_on_unique("topic_slug_taken"),
        ("topic.create", "topic", t.id.0),
    )
    .await?;
    Ok(())
}

/// Replaces a topic's fields with `t`'s (same id).
pub async fn update_topic(db: &Db, actor: &Actor, t: &Topic) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let before = topic::Entity::find_by_id(t.id.0).found(&tx).await?;
    let mut row = topic_row(t, actor.at);
    row.created_at = Set(before.created_at);
    let after = row.update(&tx).await.map_err(conflict_on_unique("topic_slug_taken"))?;
    Change::of("topic.update", "topic", t.id)
        .between(&before, &after)
        .commit(tx, actor)
        .await?;
    Ok(())
}

fn to_agency(m: agency::Model, topics: Vec<TopicId>) -> Result<Agency, DbErr> {
    Ok(Agency {
        id: AgencyId(m.id),
        name: LocalizedText::from_stored(m.name_vi, m.name_en),
        kind: AgencyKind::parse(&m.kind)
            .ok_or_else(|| DbErr::Custom(format!("unreadable agency kind {:?}", m.kind)))?,
        jurisdiction_unit_id: UnitId(m.jurisdiction_unit_id),
        topics,
        contact: Contact {
            name: m.contact_name,
            email: m.contact_email,
            phone: m.contact_phone,
        },
        active: m.active,
    })
}

async fn topics_by_agency<C: ConnectionTrait>(conn: &C) -> Result<HashMap<uuid::Uuid, Vec<TopicId>>, DbErr> {
    let mut map: HashMap<uuid::Uuid, Vec<TopicId>> = HashMap::new();
    for link in agency_topic::Entity::find()
        .order_by_asc(agency_topic::Column::TopicId)
        .all(conn)
        .await?
    {
        map.entry(link.agency_id).or_default().push(TopicId(link.topic_id));
    }
    Ok(map)
}

/// Every agency, oldest first.
pub async fn list_agencies<C: ConnectionTrait>(conn: &C) -> Result<Vec<Agency>, StoreError> {
    let mut topics = topics_by_agency(conn).await?;
    let rows = agency::Entity::find()
        .order_by_asc(agency::Column::Id)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let t = topics.remove(&r.id).unwrap_or_default();
            to_agency(r, t)
        })
        .collect::<Result<_, _>>()?)
}

pub async fn get_agency<C: ConnectionTrait>(conn: &C, id: AgencyId) -> Result<Agency, StoreError> {
    let row = agency::Entity::find_by_id(id.0).found(conn).await?;
    let topics = agency_topic::Entity::find()
        .filter(agency_topic::Column::AgencyId.eq(id.0))
        .order_by_asc(agency_topic::Column::TopicId)
        .all(conn)
        .await?
        .into_iter()
        .map(|l| TopicId(l.topic_id))
        .collect();
    Ok(to_agency(row, topics)?)
}

fn agency_fields(am: &mut agency::ActiveModel, a: &Agency, now: DateTime<Utc>) {
    am.name_vi = Set(a.name.vi().to_owned());
    am.name_en = Set(a.name.en().map(str::to_owned));
    am.kind = Set(a.kind.as_str().to_owned());
    am.jurisdiction_unit_id = Set(a.jurisdiction_unit_id.0);
    am.contact_name = Set(a.contact.name.clone());
    am.contact_email = Set(a.contact.email.clone());
    am.contact_phone = Set(a.contact.phone.clone());
    am.active = Set(a.active);
    am.updated_at = Set(now);
}

async fn set_agency_topics<C: ConnectionTrait>(conn: &C, a: &Agency) -> Result<(), DbErr> {
    agency_topic::Entity::delete_many()
        .filter(agency_topic::Column::AgencyId.eq(a.id.0))
        .exec(conn)
        .await?;
    let mut topics = a.topics.clone();
    topics.sort();
    topics.dedup();
    for t in topics {
        agency_topic::Entity::insert(agency_topic::ActiveModel {
            agency_id: Set(a.id.0),
            topic_id: Set(t.0),
        })
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

pub async fn create_agency(db: &Db, actor: &Actor, a: &Agency) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let mut am = agency::ActiveModel {
        id: Set(a.id.0),
        created_at: Set(actor.at),
        ..Default::default()
    };
    agency_fields(&mut am, a, actor.at);
    agency::Entity::insert(am).exec_without_returning(&tx).await?;
    set_agency_topics(&tx, a).await?;
    let after = get_agency(&tx, a.id).await?;
    Change::of("agency.create", "agency", a.id)
        .after(snapshot(&agency_snapshot(&after)))
        .commit(tx, actor)
        .await?;
    Ok(())
}

/// Replaces an agency's fields and topics with `a`'s (same id).
pub async fn update_agency(db: &Db, actor: &Actor, a: &Agency) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let before = get_agency(&tx, a.id).await?;
    let row = agency::Entity::find_by_id(a.id.0).found(&tx).await?;
    let mut am: agency::ActiveModel = row.into();
    agency_fields(&mut am, a, actor.at);
    am.update(&tx).await?;
    set_agency_topics(&tx, a).await?;
    Change::of("agency.update", "agency", a.id)
        .before(snapshot(&agency_snapshot(&before)))
        .after(snapshot(&agency_snapshot(a)))
        .commit(tx, actor)
        .await?;
    Ok(())
}

fn agency_snapshot(a: &Agency) -> serde_json::Value {
    serde_json::json!({
        "name_vi": a.name.vi(), "name_en": a.name.en(), "kind": a.kind.as_str(),
        "jurisdiction_unit_id": a.jurisdiction_unit_id.0,
        "topics": a.topics.iter().map(|t| t.0).collect::<Vec<_>>(),
        "contact": {"name": a.contact.name, "email": a.contact.email, "phone": a.contact.phone},
        "active": a.active,
    })
}
