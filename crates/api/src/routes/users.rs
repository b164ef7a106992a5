//! Staff accounts (admin only).

use actix_web::{HttpResponse, get, patch, post, web};
use langnghe_domain::account::{Assignment, Role, User, Username, check_new_password};
use langnghe_domain::{AgencyId, FieldErrors, UnitId, UserId};
use langnghe_storage::accounts::{self, NewUser, UserChanges, UserFilter};
use langnghe_storage::{StoreError, catalog, org};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Admin, Staff};
use crate::credentials::hash_password;
use crate::dto::UserDto;
use crate::error::{ApiError, Code, OrNotFound};
use crate::extract::{Json, optional_text};
use crate::pagination::{Page, paged_query};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_user)
        .service(list_users)
        .service(get_user)
        .service(update_user)
        .service(set_password);
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        UserDto {
            id: u.id.0,
            username: u.username,
            role: u.assignment.role.as_str().to_owned(),
            unit_id: u.assignment.unit_id.map(|x| x.0),
            agency_id: u.assignment.agency_id.map(|x| x.0),
            display_name: u.display_name,
            disabled: u.disabled,
        }
    }
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "lan.tpt", "password": "một mật khẩu dài", "role": "facilitator", "unit_id": "0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d22", "display_name": "Cô Lan (TPT Đội)"}))]
pub struct CreateUser {
    pub username: String,
    /// At least 10 characters.
    pub password: String,
    #[schema(value_type = crate::closed_sets::StaffRole)]
    pub role: String,
    /// Required for a facilitator, refused for other roles.
    pub unit_id: Option<Uuid>,
    /// Required for agency staff, refused for other roles.
    pub agency_id: Option<Uuid>,
    #[validate(length(max = 200), custom(function = "crate::extract::no_bidi_controls"))]
    #[schema(max_length = 200)]
    pub display_name: Option<String>,
}

fn parse_role(raw: &str, errors: &mut FieldErrors) -> Option<Role> {
    let role = Role::parse(raw);
    if role.is_none() {
        errors.push(
            "role",
            "unknown_value",
            "one of admin, moderator, facilitator, safeguarding_officer, agency_staff",
        );
    }
    role
}

/// Checks that the unit and agency of an assignment exist (and the unit is
/// in force today).
async fn check_refs(state: &AppState, a: &Assignment) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    if let Some(unit) = a.unit_id {
        let chart = org::load_chart(&state.db).await?;
        let today = state.clock.local_date();
        match chart.unit(unit) {
            None => errors.push("unit_id", "unknown_unit", "no such unit"),
            Some(u) if !u.in_force_on(today) => errors.push("unit_id", "not_in_force", "the unit is closed"),
            Some(_) => {}
        }
    }
    if let Some(agency) = a.agency_id {
        match catalog::get_agency(&state.db, agency).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => errors.push("agency_id", "unknown_agency", "no such agency"),
            Err(e) => return Err(e.into()),
        }
    }
    errors.into_result(()).map_err(ApiError::invalid)
}

/// Create a staff account.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUser,
    responses((status = 201, body = UserDto), crate::openapi::UniqueCreateErrors)
)]
#[post("/users")]
async fn create_user(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    Json(b): Json<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let username = Username::parse(&b.username).map_err(|e| errors.0.extend(e.0)).ok();
    if let Err(e) = check_new_password("password", &b.password) {
        errors.0.extend(e.0);
    }
    let role = parse_role(&b.role, &mut errors);
    let assignment = role.and_then(|r| {
        Assignment::check(r, b.unit_id.map(UnitId), b.agency_id.map(AgencyId))
            .map_err(|e| errors.0.extend(e.0))
            .ok()
    });
    let (Some(username), Some(assignment), true) = (username, assignment, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    check_refs(&state, &assignment).await?;
    let hash = hash_password(state.hash_cost, b.password).await?;
    let display_name = b.display_name.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let user = accounts::create(
        &state.db,
        &staff.actor(),
        NewUser {
            username: username.as_str(),
            password_hash: &hash,
            assignment,
            display_name,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(UserDto::from(user)))
}

paged_query! {
    pub struct ListUsersQuery {
        /// Only this role.
        #[param(value_type = Option<crate::closed_sets::StaffRole>)]
        pub role: Option<String>,
        /// Only disabled (true) or enabled (false) accounts.
        pub disabled: Option<bool>,
    }
}

/// List staff accounts, oldest first.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(ListUsersQuery),
    responses((status = 200, body = Page<UserDto>), crate::openapi::ListErrors)
)]
#[get("/users")]
async fn list_users(
    _staff: Staff<Admin>,
    state: web::Data<AppState>,
    q: web::Query<ListUsersQuery>,
) -> Result<web::Json<Page<UserDto>>, ApiError> {
    let page = q.page()?;
    let role = match &q.role {
        None => None,
        Some(r) => Some(Role::parse(r).ok_or_else(|| ApiError::bad_request(Code::InvalidQuery, "unknown role"))?),
    };
    let rows = accounts::list(
        &state.db,
        UserFilter {
            role,
            disabled: q.disabled,
        },
        page.after.map(UserId),
        page.fetch(),
    )
    .await?;
    Ok(web::Json(page.page(rows, |u| u.id.0, UserDto::from)))
}

async fn find(state: &AppState, id: Uuid) -> Result<User, ApiError> {
    accounts::get(&state.db, UserId(id)).await.or_not_found("user")
}

/// One staff account.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses((status = 200, body = UserDto), crate::openapi::ReadErrors)
)]
#[get("/users/{id}")]
async fn get_user(
    _staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<UserDto>, ApiError> {
    Ok(web::Json(find(&state, *id).await?.into()))
}

/// Changes to an account. `unit_id` and `agency_id` may be `null` to clear
/// them; the result must fit the role.
#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "moderator", "unit_id": null, "disabled": false}))]
pub struct UpdateUser {
    #[schema(value_type = Option<crate::closed_sets::StaffRole>)]
    pub role: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]
    #[schema(value_type = Option<Uuid>)]
    pub unit_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]
    #[schema(value_type = Option<Uuid>)]
    pub agency_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]
    #[schema(value_type = Option<String>)]
    #[validate(length(max = 200), custom(function = "crate::extract::no_bidi_controls"))]
    #[schema(max_length = 200)]
    pub display_name: Option<Option<String>>,
    pub disabled: Option<bool>,
}

/// Change an account's role, scope, agency, name or disabled flag.
/// Disabling ends its tokens at once. An admin cannot disable or demote
/// their own account.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = UpdateUser,
    responses((status = 200, body = UserDto), crate::openapi::ChangeErrors)
)]
#[patch("/users/{id}")]
async fn update_user(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(b): Json<UpdateUser>,
) -> Result<web::Json<UserDto>, ApiError> {
    let current = find(&state, *id).await?;
    let mut errors = FieldErrors::new();
    let role = match &b.role {
        Some(r) => parse_role(r, &mut errors),
        None => Some(current.assignment.role),
    };
    let touches_scope = b.role.is_some() || b.unit_id.is_some() || b.agency_id.is_some();
    let assignment = match (touches_scope, role) {
        (true, Some(role)) => current
            .assignment
            .change(
                Some(role),
                b.unit_id.map(|u| u.map(UnitId)),
                b.agency_id.map(|a| a.map(AgencyId)),
            )
            .map_err(|e| errors.0.extend(e.0))
            .ok(),
        _ => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if current.id == staff.user.id && (b.disabled == Some(true) || assignment.is_some_and(|a| a.role != Role::Admin)) {
        return Err(ApiError::conflict(
            Code::CannotChangeOwnAccount,
            "an admin cannot disable or demote their own account",
        ));
    }
    if let Some(a) = &assignment {
        check_refs(&state, a).await?;
    }
    let changes = UserChanges {
        assignment,
        display_name: b.display_name.map(optional_text),
        disabled: b.disabled,
    };
    let user = accounts::update(&state.db, &staff.actor(), current.id, changes)
        .await
        .or_not_found("user")?;
    Ok(web::Json(user.into()))
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "một mật khẩu mới dài"}))]
pub struct SetPassword {
    /// At least 10 characters.
    pub password: String,
}

/// Set another account's password (a reset). Every token issued before
/// stops working. An admin changes their own password at
/// `POST /me/password`, with the current one (`current_password_required`
/// here).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = SetPassword,
    responses((status = 204, description = "Password set"), crate::openapi::EditErrors)
)]
#[post("/users/{id}/password")]
async fn set_password(
    staff: Staff<Admin>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Json(body): Json<SetPassword>,
) -> Result<HttpResponse, ApiError> {
    let user = find(&state, *id).await?;
    if user.id == staff.user.id {
        return Err(ApiError::new(
            Code::CurrentPasswordRequired,
            "Changing your own password needs the current one",
        )
        .detail("use POST /api/v1/me/password with current_password"));
    }
    check_new_password("password", &body.password)?;
    let hash = hash_password(state.hash_cost, body.password).await?;
    accounts::set_password(&state.db, &staff.actor(), user.id, &hash)
        .await
        .or_not_found("user")?;
    Ok(HttpResponse::NoContent().finish())
}
