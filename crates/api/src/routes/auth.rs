//! Staff sign-in and "who am I".

use actix_web::{HttpRequest, get, post, web};
use langnghe_domain::account::Username;
use langnghe_domain::throttle::ThrottlePolicy;
use langnghe_storage::throttle;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::{Staff, verify_password};
use crate::error::ApiError;
use crate::extract::Json;
use crate::routes::users::UserDto;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login).service(me);
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "admin", "password": "mật-khẩu-của-bạn"}))]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 64))]
    pub username: String,
    #[validate(length(min = 1, max = 256))]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsImtpZCI6Ii4uLiJ9…", "token_type": "Bearer", "expires_in": 900}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Sign in with a username and password. Repeated failures for one account
/// or from one address are slowed and then refused with 429.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, description = "Wrong username or password (`invalid_credentials`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is disabled (`account_disabled`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/auth/login")]
async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let body = body.0;
    let now = state.clock.now();
    let username = Username::parse(&body.username)
        .map(|u| u.as_str().to_owned())
        .unwrap_or_else(|_| body.username.trim().to_ascii_lowercase());
    let account_key = format!("account:{username}");
    let address_key = crate::client_address_key(&req, state.trust_forwarded_for, "address");
    for (key, policy) in [
        (&account_key, ThrottlePolicy::ACCOUNT),
        (&address_key, ThrottlePolicy::ADDRESS),
    ] {
        if let Err(wait) = policy.check(throttle::get(&state.db, key).await?, now) {
            let secs = (wait.num_milliseconds().max(0) as u64).div_ceil(1000);
            return Err(ApiError::too_many_requests(secs));
        }
    }
    let found = langnghe_storage::accounts::get_for_login(&state.db, &username).await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    let ok = verify_password(state.hash_cost, body.password, hash).await;
    let Some(user) = user.filter(|_| ok) else {
        for (key, policy) in [
            (&account_key, ThrottlePolicy::ACCOUNT),
            (&address_key, ThrottlePolicy::ADDRESS),
        ] {
            throttle::record_failure(&state.db, key, now, now - policy.window).await?;
        }
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "Wrong username or password",
        ));
    };
    throttle::clear(&state.db, &account_key).await?;
    if user.disabled {
        return Err(ApiError::new(
            actix_web::http::StatusCode::FORBIDDEN,
            "account_disabled",
            "The account is disabled",
        )
        .detail("ask an admin to enable it"));
    }
    let token = state.keys.issue(&user)?;
    Ok(web::Json(TokenResponse {
        access_token: token,
        token_type: "Bearer",
        expires_in: state.keys.ttl.num_seconds(),
    }))
}

/// The signed-in account.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = UserDto), (status = 401, response = crate::openapi::Unauthorized))
)]
#[get("/me")]
async fn me(staff: Staff) -> web::Json<UserDto> {
    web::Json(UserDto::from(staff.user))
}
