//! Who is calling: the extractors that authorise a request by its token —
//! `Staff<R>` by role, agency clients, children's respondent and participant
//! tokens, the scraper of `/metrics`. The tokens and keys themselves are in [`crate::credentials`].

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use chrono::Utc;
use futures_util::future::LocalBoxFuture;
use langnghe_domain::UserId;
use langnghe_domain::account::{Role, User};
use langnghe_storage::{Actor, accounts};

use crate::credentials::{Claims, KeyError, RespondentClaims};
use crate::error::{ApiError, Code, OrNotFound};
use crate::state::AppState;

/// The authorising extractors of a request still at work. Handler
/// arguments are extracted concurrently, so a body extractor could refuse
/// a body before the caller's role is known; instead it waits for every
/// authorisation first ([`authorised`]), and a caller without the right
/// gets 403 whatever the body, learning nothing from its validation.
#[derive(Default)]
struct PendingAuthorisations(Vec<tokio::sync::oneshot::Receiver<()>>);

/// Marks an authorisation of `req` as started: it is done when the
/// returned guard is dropped (the authorising future ends, either way).
fn authorising(req: &HttpRequest) -> tokio::sync::oneshot::Sender<()> {
    let (done, wait) = tokio::sync::oneshot::channel();
    req.extensions_mut()
        .get_or_insert_with(PendingAuthorisations::default)
        .0
        .push(wait);
    done
}

/// Waits until every authorising extractor of `req` has finished (a
/// refusal among them answers the request first).
pub async fn authorised(req: &HttpRequest) {
    let pending = req
        .extensions_mut()
        .remove::<PendingAuthorisations>()
        .unwrap_or_default();
    for wait in pending.0 {
        let _ = wait.await;
    }
}

/// A set of roles allowed through an extractor.
pub trait Allowed {
    const ROLES: &'static [Role];
}

/// Declares the role sets handlers name in `Staff<R>`.
macro_rules! role_sets {
    ($($(#[$doc:meta])* $name:ident = $roles:expr;)+) => {
        $(
            $(#[$doc])*
            pub struct $name;
            impl Allowed for $name {
                const ROLES: &'static [Role] = $roles;
            }
        )+
    };
}

role_sets! {
    /// Every staff role.
    AnyStaff = &Role::ALL;
    /// Admins only.
    Admin = &[Role::Admin];
    /// Those who write survey definitions: admins and moderators.
    Curator = &[Role::Admin, Role::Moderator];
    /// Those who work with consultations: admins, moderators, facilitators.
    Consulting = &[Role::Admin, Role::Moderator, Role::Facilitator];
    /// Safeguarding officers only: they alone read cases.
    Safeguarding = &[Role::SafeguardingOfficer];
    /// Counts of cases, never their details: officers and admins.
    CaseCounts = &[Role::SafeguardingOfficer, Role::Admin];
    /// Those who open and close sessions: admins anywhere, facilitators for
    /// their unit.
    SessionRunner = &[Role::Admin, Role::Facilitator];
}

/// A signed-in, enabled staff account whose role is in `R`. The account is
/// read afresh on every request, so a disabled account or a changed
/// password takes effect at once.
pub struct Staff<R: Allowed = AnyStaff> {
    pub user: User,
    /// When the request came, by the application's clock.
    pub at: chrono::DateTime<Utc>,
    _role: PhantomData<R>,
}

impl<R: Allowed> Staff<R> {
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.user.id.0),
            label: self.user.username.clone(),
            at: self.at,
        }
    }

    /// The local day of the request.
    pub fn day(&self) -> chrono::NaiveDate {
        crate::local_day(self.at)
    }

    pub fn role(&self) -> Role {
        self.user.assignment.role
    }

    /// The units this staff member's work covers (`domain::account::Scope`).
    pub fn scope(&self) -> langnghe_domain::account::Scope {
        self.user.assignment.scope()
    }

    /// The units they work for today, to filter a list by; `None` for
    /// every unit.
    pub fn unit_scope(&self, chart: &langnghe_domain::org::OrgChart) -> Option<Vec<langnghe_domain::UnitId>> {
        self.scope().units(chart, self.day())
    }
}

/// The application's state, which every app this crate builds holds.
fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(&KeyError::None))
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(ApiError::unauthenticated)?
        .to_str()
        .map_err(|_| ApiError::invalid_token())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(ApiError::invalid_token)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::invalid_token());
    }
    Ok(token.trim().to_owned())
}

/// The enabled account a staff token names, read afresh, while the token's
/// version is the account's.
async fn staff_account(state: &AppState, claims: &Claims) -> Result<User, ApiError> {
    let id = claims.registered.subject()?;
    let user = accounts::get(&state.db, UserId(id))
        .await
        .missing_as(ApiError::invalid_token)?;
    if user.disabled || user.token_version != claims.ver {
        return Err(ApiError::invalid_token());
    }
    Ok(user)
}

impl<R: Allowed + 'static> FromRequest for Staff<R> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = app_state(req);
        let done = authorising(req);
        Box::pin(async move {
            let _done = done;
            let token = token?;
            let state = state?;
            let claims = state.keys.verify(&token)?;
            if claims.typ == "agency_client" {
                // A valid agency token, on a route for staff.
                return Err(ApiError::forbidden());
            }
            if claims.typ != "staff" {
                return Err(ApiError::invalid_token());
            }
            let user = staff_account(&state, &claims).await?;
            if !R::ROLES.contains(&user.assignment.role) {
                return Err(ApiError::forbidden());
            }
            Ok(Staff {
                user,
                at: state.clock.now(),
                _role: PhantomData,
            })
        })
    }
}

/// Someone acting for one agency: a machine client holding a token from
/// `POST /api/v1/auth/token`, or an agency staff account. Both act with the
/// same rights, on their own agency's deliveries only.
pub struct AgencyCaller {
    pub agency_id: uuid::Uuid,
    pub actor: Actor,
}

/// An admin, or someone acting for an agency (for what both may do, like
/// setting the agency's webhook).
pub enum AdminOrAgency {
    Admin(Actor),
    Agency(AgencyCaller),
}

impl AdminOrAgency {
    pub fn actor(&self) -> &Actor {
        match self {
            AdminOrAgency::Admin(a) => a,
            AdminOrAgency::Agency(c) => &c.actor,
        }
    }

    /// Refuses an agency acting on another agency: 404, as if it did not
    /// exist.
    pub fn may_act_for(&self, agency_id: uuid::Uuid) -> Result<(), ApiError> {
        match self {
            AdminOrAgency::Agency(c) if c.agency_id != agency_id => Err(ApiError::not_found("agency")),
            _ => Ok(()),
        }
    }
}

/// Who a bearer token stands for, read afresh: a disabled account, a
/// changed password or a revoked client stops at once.
async fn principal(req: &HttpRequest) -> Result<AdminOrAgency, ApiError> {
    let token = bearer(req)?;
    let state = app_state(req)?;
    let claims = state.keys.verify(&token)?;
    let id = claims.registered.subject()?;
    let (agency_id, actor) = match claims.typ.as_str() {
        "agency_client" => {
            let client = langnghe_storage::agency_clients::get(&state.db, id)
                .await
                .missing_as(ApiError::invalid_token)?;
            if client.revoked_at.is_some() {
                return Err(ApiError::invalid_token());
            }
            let actor = Actor {
                id: Some(client.id),
                label: format!("client:{}", client.client_id),
                at: state.clock.now(),
            };
            (client.agency_id, actor)
        }
        "staff" => {
            let user = staff_account(&state, &claims).await?;
            let actor = Actor {
                id: Some(user.id.0),
                label: user.username.clone(),
                at: state.clock.now(),
            };
            match (user.assignment.role, user.assignment.agency_id) {
                (Role::Admin, _) => return Ok(AdminOrAgency::Admin(actor)),
                (Role::AgencyStaff, Some(a)) => (a.0, actor),
                _ => return Err(ApiError::forbidden()),
            }
        }
        _ => return Err(ApiError::invalid_token()),
    };
    let agency = langnghe_storage::catalog::get_agency(&state.db, langnghe_domain::AgencyId(agency_id)).await?;
    if !agency.active {
        return Err(ApiError::new(Code::AgencyInactive, "The agency is no longer active").said(
            "Cơ quan của bạn đã ngừng hoạt động trên hệ thống: các kiến nghị đã nhận vẫn được lưu. Hãy liên hệ quản trị viên của quận để kích hoạt lại cơ quan, hoặc để kiến nghị được chuyển cho cơ quan đang phụ trách.",
            "Your agency is no longer active in the service; the deliveries it received are kept. Ask the district's administrator to reactivate the agency, or to route the recommendations to the agency now in charge.",
        ));
    }
    Ok(AdminOrAgency::Agency(AgencyCaller { agency_id, actor }))
}

/// Authorises `req` by its [`principal`], which `admit` lets through or
/// refuses.
fn authorise_principal<T: 'static>(
    req: &HttpRequest,
    admit: fn(AdminOrAgency) -> Result<T, ApiError>,
) -> LocalBoxFuture<'static, Result<T, ApiError>> {
    let req = req.clone();
    let done = authorising(&req);
    Box::pin(async move {
        let _done = done;
        principal(&req).await.and_then(admit)
    })
}

impl FromRequest for AdminOrAgency {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        authorise_principal(req, Ok)
    }
}

impl FromRequest for AgencyCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        authorise_principal(req, |principal| match principal {
            AdminOrAgency::Agency(c) => Ok(c),
            AdminOrAgency::Admin(_) => Err(ApiError::forbidden()),
        })
    }
}

/// A child holding a respondent token from `POST /api/v1/join`.
pub struct Respondent {
    pub claims: RespondentClaims,
    pub participant_id: uuid::Uuid,
    /// The band of the age the token carries (a token whose age is in no
    /// band is refused, never counted in a band it is not in).
    pub age_band: langnghe_domain::survey::AgeBand,
}

impl Respondent {
    pub fn lang(&self) -> langnghe_domain::text::Lang {
        if self.claims.lang == "en" {
            langnghe_domain::text::Lang::En
        } else {
            langnghe_domain::text::Lang::Vi
        }
    }
}

impl FromRequest for Respondent {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let token = bearer(&req)?;
            let state = app_state(&req)?;
            let claims: RespondentClaims = state.keys.verify_as(&token)?;
            if claims.typ != "respondent" {
                return Err(ApiError::invalid_token());
            }
            let participant_id = claims.registered.subject()?;
            let age_band = langnghe_domain::survey::AgeBand::for_age(claims.age).ok_or_else(ApiError::invalid_token)?;
            // An erased pseudonym's tokens are refused at once.
            if !langnghe_storage::participation::participant_exists(&state.db, participant_id).await? {
                return Err(ApiError::invalid_token());
            }
            Ok(Respondent {
                claims,
                participant_id,
                age_band,
            })
        })
    }
}

/// A child exercising their data rights: with a respondent token from a
/// join, or with the participant token their phone keeps (no open session
/// needed). Either way, a pseudonym that exists.
pub struct Child {
    pub participant_id: uuid::Uuid,
}

impl FromRequest for Child {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let as_respondent = Respondent::from_request(&req, payload);
        Box::pin(async move {
            let token = bearer(&req)?;
            // A JWT has two dots; a participant token is plain base64url.
            if token.contains('.') {
                return as_respondent.await.map(|r| Child {
                    participant_id: r.participant_id,
                });
            }
            let state = app_state(&req)?;
            let valid = token.len() >= 32
                && token.len() <= 128
                && token
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
            if !valid {
                return Err(ApiError::invalid_token());
            }
            let hash = state.data_key.hash("participant", &token);
            match langnghe_storage::participation::participant_of_token(&state.db, &hash).await? {
                Some(participant_id) => Ok(Child { participant_id }),
                None => Err(ApiError::invalid_token()),
            }
        })
    }
}

/// The scraper of `/metrics`. Its counters move when a child's text is
/// screened as a disclosure, and when answers are withdrawn or erased, so
/// whoever watches them live could tie one to a child seen at a phone:
/// with `LANGNGHE_METRICS_TOKEN` set the request must carry that bearer
/// token (compared in constant time); without it only a request made on
/// this machine's loopback address and not forwarded by a proxy (a
/// developer's `cargo run`, a Prometheus sidecar) is answered. Every
/// refusal is one 401 `metrics_token_required`, so a caller learns nothing
/// of which condition failed.
pub struct MetricsScraper;

impl MetricsScraper {
    fn allowed(req: &HttpRequest, token: Option<&str>) -> bool {
        match token {
            Some(expected) => {
                let given = req
                    .headers()
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.split_once(' '))
                    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                    .map(|(_, t)| t.trim())
                    .unwrap_or("");
                // Hashes of equal length, so that the time taken tells
                // neither where nor whether the lengths differ.
                use sha2::Digest;
                let (a, b) = (sha2::Sha256::digest(given), sha2::Sha256::digest(expected));
                subtle::ConstantTimeEq::ct_eq(a.as_slice(), b.as_slice()).into()
            }
            None => {
                // Any header a proxy adds says the request came through
                // one, from wherever: only a scraper on this machine itself
                // reads without the token.
                let proxied = [
                    "x-forwarded-for",
                    "forwarded",
                    "x-real-ip",
                    "via",
                    "x-forwarded-host",
                    "x-forwarded-proto",
                ]
                .iter()
                .any(|h| req.headers().contains_key(*h));
                !proxied && req.peer_addr().is_some_and(|a| a.ip().is_loopback())
            }
        }
    }
}

impl FromRequest for MetricsScraper {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let allowed = app_state(req).map(|state| Self::allowed(req, state.metrics_token.as_deref()));
        std::future::ready(match allowed {
            Ok(true) => Ok(MetricsScraper),
            Ok(false) => Err(ApiError::new(Code::MetricsTokenRequired, "Sign-in required").detail(
                "send Authorization: Bearer <LANGNGHE_METRICS_TOKEN>; without that setting /metrics answers only unforwarded requests from loopback",
            )),
            Err(e) => Err(e),
        })
    }
}
