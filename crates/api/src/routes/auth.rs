//! Staff sign-in, "who am I", and changing one's own password.

use actix_web::{HttpRequest, get, post, web};
use langnghe_domain::account::{Username, check_new_password};
use langnghe_domain::throttle::ThrottlePolicy;
use langnghe_storage::throttle;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Staff;
use crate::credentials::{hash_password, verify_password};
use crate::dto::TokenResponse;
use crate::dto::UserDto;
use crate::error::{ApiError, Code};
use crate::extract::Json;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login).service(me).service(change_own_password);
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "admin", "password": "mật-khẩu-của-bạn"}))]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub username: String,
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
}

/// Sign in with a username and password. Failures are counted per account
/// and client address (so that guesses from one address do not lock the
/// owner out at another) and per address; past a few, attempts are slowed
/// and then refused with 429, even with the right password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong username or password (`invalid_credentials`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is disabled (`account_disabled`)", body = crate::error::Problem, content_type = "application/problem+json"),
        crate::openapi::BadBody, crate::openapi::Throttled,
    )
)]
#[post("/auth/login")]
async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let username = Username::parse(&body.username)
        .map(|u| u.as_str().to_owned())
        .unwrap_or_else(|_| body.username.trim().to_ascii_lowercase());
    let attempt = Attempt::reserve(&req, &state, &username).await?;
    let found = langnghe_storage::accounts::get_for_login(&state.db, &username).await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    let ok = verify_password(state.hash_cost, body.password, hash).await;
    let Some(user) = user.filter(|_| ok) else {
        return Err(invalid_credentials());
    };
    attempt.succeeded(&state).await?;
    if user.disabled {
        return Err(ApiError::new(Code::AccountDisabled, "The account is disabled").detail("ask an admin to enable it"));
    }
    let token = state.keys.issue(&user)?;
    Ok(web::Json(TokenResponse {
        access_token: token,
        token_type: "Bearer",
        expires_in: state.keys.ttl.num_seconds(),
    }))
}

fn invalid_credentials() -> ApiError {
    ApiError::new(Code::InvalidCredentials, "Wrong username or password")
}

/// A password check for one account from the client's address, counted as
/// a failure before the password is hashed (so that concurrent guesses
/// cannot all slip past the policy) and given back when it succeeds.
pub struct Attempt {
    account_key: String,
    address_key: String,
}

impl Attempt {
    /// Reserves the attempt, or refuses it with 429 and `Retry-After`.
    pub async fn reserve(req: &HttpRequest, state: &AppState, username: &str) -> Result<Attempt, ApiError> {
        let address = crate::network::client_address(req, state.trust_forwarded_for);
        let attempt = Attempt {
            account_key: crate::credentials::throttle_key(&state.data_key, "login", &format!("{username}\n{address}")),
            address_key: crate::credentials::throttle_key(&state.data_key, "address", &address),
        };
        let now = state.clock.now();
        let reserved = throttle::reserve(
            &state.db,
            &[
                (attempt.account_key.as_str(), ThrottlePolicy::ACCOUNT_AT_ADDRESS),
                (attempt.address_key.as_str(), ThrottlePolicy::ADDRESS),
            ],
            now,
        )
        .await?;
        match reserved {
            Ok(()) => Ok(attempt),
            Err(wait) => {
                let secs = (wait.num_milliseconds().max(0) as u64).div_ceil(1000);
                state.metrics.throttled(crate::metrics::Throttled::SignIn);
                Err(ApiError::too_many_requests(secs))
            }
        }
    }

    /// The password was right: the account's failures from this address
    /// are forgotten, and the address gets its attempt back.
    pub async fn succeeded(self, state: &AppState) -> Result<(), ApiError> {
        throttle::clear(&state.db, &self.account_key).await?;
        throttle::give_back(&state.db, &self.address_key).await?;
        Ok(())
    }
}

/// The signed-in account.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = UserDto), crate::openapi::RoleErrors)
)]
#[get("/me")]
async fn me(staff: Staff) -> web::Json<UserDto> {
    web::Json(UserDto::from(staff.user))
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "mật-khẩu-của-bạn", "password": "một mật khẩu mới dài"}))]
pub struct ChangeOwnPassword {
    /// The account's password now.
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub current_password: String,
    /// The new password: at least 10 characters.
    pub password: String,
}

/// Change one's own password, giving the current one (a stolen token alone
/// cannot take the account over). A wrong current password counts as a
/// failed sign-in. Every token issued before, this one included, stops
/// working; the answer carries a fresh one. (Admins set other accounts'
/// passwords at `POST /users/{id}/password`.)
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = ChangeOwnPassword,
    responses(
        (status = 200, body = TokenResponse),
        crate::openapi::BadBody, crate::openapi::RoleErrors, crate::openapi::Throttled,
        (status = 422, description = "The current password is missing (`validation_failed`) or wrong (`current_password_wrong`), or the new one breaks the rules (`validation_failed`)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/password")]
async fn change_own_password(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    Json(body): Json<ChangeOwnPassword>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    check_new_password("password", &body.password)?;
    let attempt = Attempt::reserve(&req, &state, &staff.user.username).await?;
    let current = langnghe_storage::accounts::get_for_login(&state.db, &staff.user.username)
        .await?
        .map(|(_, hash)| hash);
    if !verify_password(state.hash_cost, body.current_password, current).await {
        let mut e = ApiError::field(
            "current_password",
            "current_password_wrong",
            "this is not the account's current password",
        );
        e.code = Code::CurrentPasswordWrong;
        e.title = "The current password is wrong";
        return Err(e);
    }
    attempt.succeeded(&state).await?;
    let hash = hash_password(state.hash_cost, body.password).await?;
    langnghe_storage::accounts::set_password(&state.db, &staff.actor(), staff.user.id, &hash).await?;
    let user = langnghe_storage::accounts::get(&state.db, staff.user.id).await?;
    Ok(web::Json(TokenResponse {
        access_token: state.keys.issue(&user)?,
        token_type: "Bearer",
        expires_in: state.keys.ttl.num_seconds(),
    }))
}
