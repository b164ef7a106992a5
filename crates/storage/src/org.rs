//! Units, their parent periods, lineage and reorganisations.

use chrono::{DateTime, NaiveDate, Utc};
use langnghe_domain::org::{LineageEdge, OrgChart, ParentPeriod, Unit, UnitCode, UnitKind};
use langnghe_domain::reorg::ReorganisationPlan;
use langnghe_domain::{LocalizedText, ReorganisationId, UnitId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::audit::{Change, snapshot};
use crate::entities::{reorganisation, unit, unit_lineage, unit_parent};
use crate::query::Found;
use crate::{Actor, Db, StoreError, begin, conflict_on_unique};

fn corrupt(what: &str, value: &str) -> DbErr {
    DbErr::Custom(format!("unreadable {what} in the database: {value:?}"))
}

fn to_unit(m: unit::Model) -> Result<Unit, DbErr> {
    Ok(Unit {
        id: UnitId(m.id),
        kind: UnitKind::parse(&m.kind).ok_or_else(|| corrupt("unit kind", &m.kind))?,
        code: UnitCode::parse("code", &m.code).map_err(|_| corrupt("unit code", &m.code))?,
        name: LocalizedText::from_stored(m.name_vi, m.name_en),
        valid_from: m.valid_from,
        valid_to: m.valid_to,
        note: m.note,
    })
}

fn unit_row(u: &Unit, now: DateTime<Utc>) -> unit::ActiveModel {
    unit::ActiveModel {
        id: Set(u.id.0),
        kind: Set(u.kind.as_str().to_owned()),
        code: Set(u.code.as_str().to_owned()),
        name_vi: Set(u.name.vi().to_owned()),
        name_en: Set(u.name.en().map(str::to_owned)),
        valid_from: Set(u.valid_from),
        valid_to: Set(u.valid_to),
        note: Set(u.note.clone()),
        created_at: Set(now),
    }
}

fn parent_row(p: &ParentPeriod) -> unit_parent::ActiveModel {
    unit_parent::ActiveModel {
        id: Set(Uuid::now_v7()),
        unit_id: Set(p.unit_id.0),
        parent_id: Set(p.parent_id.0),
        valid_from: Set(p.valid_from),
        valid_to: Set(p.valid_to),
    }
}

/// The whole organisation across time.
pub async fn load_chart<C: ConnectionTrait>(conn: &C) -> Result<OrgChart, StoreError> {
    let units = unit::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(to_unit)
        .collect::<Result<Vec<_>, _>>()?;
    let parents = unit_parent::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|p| ParentPeriod {
            unit_id: UnitId(p.unit_id),
            parent_id: UnitId(p.parent_id),
            valid_from: p.valid_from,
            valid_to: p.valid_to,
        })
        .collect();
    let lineage = unit_lineage::Entity::find()
        .order_by_asc(unit_lineage::Column::EffectiveOn)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| LineageEdge {
            reorganisation_id: ReorganisationId(e.reorganisation_id),
            from: UnitId(e.from_unit_id),
            to: UnitId(e.to_unit_id),
            effective_on: e.effective_on,
            is_default: e.is_default,
            assumption: e.assumption,
            note: e.note,
        })
        .collect();
    Ok(OrgChart::new(units, parents, lineage))
}

/// Records a new unit under `parent` from its first day.
pub async fn create_unit(db: &Db, actor: &Actor, unit: &Unit, parent: Option<UnitId>) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let row = unit::Entity::insert(unit_row(unit, actor.at))
        .exec_with_returning(&tx)
        .await
        .map_err(conflict_on_unique("unit_code_taken"))?;
    if let Some(parent_id) = parent {
        let period = ParentPeriod {
            unit_id: unit.id,
            parent_id,
            valid_from: unit.valid_from,
            valid_to: None,
        };
        unit_parent::Entity::insert(parent_row(&period))
            .exec_without_returning(&tx)
            .await?;
    }
    Change::of("unit.create", "unit", unit.id)
        .after(snapshot(
            &serde_json::json!({"unit": row, "parent_id": parent.map(|p| p.0)}),
        ))
        .commit(tx, actor)
        .await?;
    Ok(())
}

/// Corrections to a unit that do not change the organisation's shape.
#[derive(Debug, Default)]
pub struct UnitCorrection {
    pub name: Option<LocalizedText>,
    pub code: Option<UnitCode>,
    pub note: Option<Option<String>>,
}

pub async fn correct_unit(db: &Db, actor: &Actor, id: UnitId, change: UnitCorrection) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let before = unit::Entity::find_by_id(id.0).found(&tx).await?;
    let mut row: unit::ActiveModel = before.clone().into();
    if let Some(name) = change.name {
        row.name_vi = Set(name.vi().to_owned());
        row.name_en = Set(name.en().map(str::to_owned));
    }
    if let Some(code) = change.code {
        row.code = Set(code.as_str().to_owned());
    }
    if let Some(note) = change.note {
        row.note = Set(note);
    }
    let after = row.update(&tx).await.map_err(conflict_on_unique("unit_code_taken"))?;
    Change::of("unit.update", "unit", id)
        .between(&before, &after)
        .commit(tx, actor)
        .await?;
    Ok(())
}

/// Records a checked reorganisation in one transaction. A unit closed or
/// moved by someone else in the meantime makes it fail with
/// `Conflict("reorganisation_conflict")` and change nothing.
pub async fn apply_reorganisation(
    db: &Db,
    actor: &Actor,
    plan: &ReorganisationPlan,
    title: &str,
    note: Option<&str>,
) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let day = plan.effective_on;
    reorganisation::Entity::insert(reorganisation::ActiveModel {
        id: Set(plan.id.0),
        effective_on: Set(day),
        title: Set(title.to_owned()),
        note: Set(note.map(str::to_owned)),
        created_by: Set(actor.id),
        created_at: Set(actor.at),
    })
    .exec_without_returning(&tx)
    .await?;
    for id in &plan.close {
        let closed = unit::Entity::update_many()
            .col_expr(unit::Column::ValidTo, Expr::value(day))
            .filter(unit::Column::Id.eq(id.0))
            .filter(unit::Column::ValidTo.is_null())
            .filter(unit::Column::ValidFrom.lt(day))
            .exec(&tx)
            .await?;
        if closed.rows_affected != 1 {
            return Err(StoreError::Conflict("reorganisation_conflict"));
        }
    }
    for id in &plan.end_parent_periods {
        unit_parent::Entity::update_many()
            .col_expr(unit_parent::Column::ValidTo, Expr::value(day))
            .filter(unit_parent::Column::UnitId.eq(id.0))
            .filter(unit_parent::Column::ValidTo.is_null())
            .filter(unit_parent::Column::ValidFrom.lt(day))
            .exec(&tx)
            .await?;
    }
    for u in &plan.open {
        unit::Entity::insert(unit_row(u, actor.at))
            .exec_without_returning(&tx)
            .await
            .map_err(conflict_on_unique("unit_code_taken"))?;
    }
    for p in &plan.new_parent_periods {
        unit_parent::Entity::insert(parent_row(p))
            .exec_without_returning(&tx)
            .await?;
    }
    for e in &plan.lineage {
        unit_lineage::Entity::insert(unit_lineage::ActiveModel {
            id: Set(Uuid::now_v7()),
            reorganisation_id: Set(plan.id.0),
            from_unit_id: Set(e.from.0),
            to_unit_id: Set(e.to.0),
            effective_on: Set(e.effective_on),
            is_default: Set(e.is_default),
            assumption: Set(e.assumption),
            note: Set(e.note.clone()),
        })
        .exec_without_returning(&tx)
        .await
        .map_err(conflict_on_unique("reorganisation_conflict"))?;
    }
    let after = serde_json::json!({
        "effective_on": day,
        "title": title,
        "closed": plan.close.iter().map(|u| u.0).collect::<Vec<_>>(),
        "opened": plan.open.iter().map(|u| u.id.0).collect::<Vec<_>>(),
        "moved": plan.new_parent_periods.iter().map(|p| [p.unit_id.0, p.parent_id.0]).collect::<Vec<_>>(),
        "lineage": plan.lineage.iter().map(|e| serde_json::json!({"from": e.from.0, "to": e.to.0, "default": e.is_default})).collect::<Vec<_>>(),
    });
    Change::of("reorganisation.create", "reorganisation", plan.id)
        .after(after)
        .commit(tx, actor)
        .await?;
    Ok(())
}

/// A recorded reorganisation with its lineage.
#[derive(Debug, Clone)]
pub struct Reorganisation {
    pub id: ReorganisationId,
    pub effective_on: NaiveDate,
    pub title: String,
    pub note: Option<String>,
    pub created_at: chrono::DateTime<Utc>,
}

/// Reorganisations, most recent effective date first.
pub async fn list_reorganisations<C: ConnectionTrait>(conn: &C) -> Result<Vec<Reorganisation>, StoreError> {
    Ok(reorganisation::Entity::find()
        .order_by_desc(reorganisation::Column::EffectiveOn)
        .order_by_desc(reorganisation::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| Reorganisation {
            id: ReorganisationId(r.id),
            effective_on: r.effective_on,
            title: r.title,
            note: r.note,
            created_at: r.created_at,
        })
        .collect())
}

pub async fn get_reorganisation<C: ConnectionTrait>(
    conn: &C,
    id: ReorganisationId,
) -> Result<Reorganisation, StoreError> {
    let r = reorganisation::Entity::find_by_id(id.0).found(conn).await?;
    Ok(Reorganisation {
        id: ReorganisationId(r.id),
        effective_on: r.effective_on,
        title: r.title,
        note: r.note,
        created_at: r.created_at,
    })
}
