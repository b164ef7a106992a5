//! Staff accounts.

use langnghe_domain::account::{Assignment, Role, User};
use langnghe_domain::{AgencyId, UnitId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryTrait,
};

use crate::audit::Change;
use crate::entities::user;
use crate::query::{Found, create_audited, page};
use crate::{Actor, Db, StoreError, begin, conflict_on_unique};

fn to_user(m: user::Model) -> Result<User, DbErr> {
    let role = Role::parse(&m.role).ok_or_else(|| DbErr::Custom(format!("unreadable role {:?}", m.role)))?;
    Ok(User {
        id: UserId(m.id),
        username: m.username,
        assignment: Assignment {
            role,
            unit_id: m.unit_id.map(UnitId),
            agency_id: m.agency_id.map(AgencyId),
        },
        display_name: m.display_name,
        disabled: m.disabled,
        token_version: m.token_version,
    })
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub assignment: Assignment,
    pub display_name: Option<&'a str>,
}

pub async fn create(db: &Db, actor: &Actor, new: NewUser<'_>) -> Result<User, StoreError> {
    let now = actor.at;
    let id = uuid::Uuid::now_v7();
    let row = user::ActiveModel {
        id: Set(id),
        username: Set(new.username.to_owned()),
        password_hash: Set(new.password_hash.to_owned()),
        role: Set(new.assignment.role.as_str().to_owned()),
        unit_id: Set(new.assignment.unit_id.map(|u| u.0)),
        agency_id: Set(new.assignment.agency_id.map(|a| a.0)),
        display_name: Set(new.display_name.map(str::to_owned)),
        disabled: Set(false),
        token_version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let row = create_audited(
        db,
        actor,
        row,
        conflict_on_unique("username_taken"),
        ("user.create", "user", id),
    )
    .await?;
    Ok(to_user(row)?)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: UserId) -> Result<User, StoreError> {
    let row = user::Entity::find_by_id(id.0).found(conn).await?;
    Ok(to_user(row)?)
}

/// The account and its password hash, for sign-in.
pub async fn get_for_login<C: ConnectionTrait>(conn: &C, username: &str) -> Result<Option<(User, String)>, StoreError> {
    let Some(row) = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let hash = row.password_hash.clone();
    Ok(Some((to_user(row)?, hash)))
}

#[derive(Debug, Default, Clone, Copy)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// Accounts with ids after `after`, oldest first, at most `limit`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: UserFilter,
    after: Option<UserId>,
    limit: u64,
) -> Result<Vec<User>, StoreError> {
    let q = page(user::Entity::find(), user::Column::Id, after.map(|a| a.0), limit)
        .apply_if(filter.role, |q, role| q.filter(user::Column::Role.eq(role.as_str())))
        .apply_if(filter.disabled, |q, disabled| {
            q.filter(user::Column::Disabled.eq(disabled))
        });
    Ok(q.all(conn).await?.into_iter().map(to_user).collect::<Result<_, _>>()?)
}

pub async fn count<C: ConnectionTrait>(conn: &C) -> Result<u64, StoreError> {
    Ok(user::Entity::find().count(conn).await?)
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub assignment: Option<Assignment>,
    pub display_name: Option<Option<String>>,
    pub disabled: Option<bool>,
}

pub async fn update(db: &Db, actor: &Actor, id: UserId, changes: UserChanges) -> Result<User, StoreError> {
    let tx = begin(db).await?;
    let before = user::Entity::find_by_id(id.0).found(&tx).await?;
    let mut row: user::ActiveModel = before.clone().into();
    if let Some(a) = changes.assignment {
        row.role = Set(a.role.as_str().to_owned());
        row.unit_id = Set(a.unit_id.map(|u| u.0));
        row.agency_id = Set(a.agency_id.map(|a| a.0));
    }
    if let Some(name) = changes.display_name {
        row.display_name = Set(name);
    }
    if let Some(disabled) = changes.disabled {
        row.disabled = Set(disabled);
        if disabled && !before.disabled {
            // Tokens issued before the account was disabled stay dead even
            // if it is enabled again.
            row.token_version = Set(before.token_version.saturating_add(1));
        }
    }
    row.updated_at = Set(actor.at);
    let after = row.update(&tx).await?;
    Change::of("user.update", "user", id)
        .between(&before, &after)
        .commit(tx, actor)
        .await?;
    Ok(to_user(after)?)
}

/// Sets a new password hash and ends every token issued before.
pub async fn set_password(db: &Db, actor: &Actor, id: UserId, password_hash: &str) -> Result<(), StoreError> {
    let tx = begin(db).await?;
    let done = user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(user::Column::TokenVersion, Expr::col(user::Column::TokenVersion).add(1))
        .col_expr(user::Column::UpdatedAt, Expr::value(actor.at))
        .filter(user::Column::Id.eq(id.0))
        .exec(&tx)
        .await?;
    if done.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Change::of("user.password_set", "user", id).commit(tx, actor).await?;
    Ok(())
}
