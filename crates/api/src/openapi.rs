//! The contract: OpenAPI 3.1 assembled from the routes themselves (so no
//! route can be missing), with the bearer scheme, reusable error responses
//! and the list of error codes.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::error::Problem;

/// The request could not be read: malformed JSON (`malformed_json`), query
/// (`invalid_query`, `invalid_cursor`) or path (`invalid_path`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BadRequest(#[allow(dead_code)] Problem);

/// No token (`unauthenticated`) or a token that is not valid
/// (`invalid_token`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unauthorized(#[allow(dead_code)] Problem);

/// The caller's role may not do this (`forbidden`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Forbidden(#[allow(dead_code)] Problem);

/// No such resource, or it is outside the caller's scope (`not_found`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(#[allow(dead_code)] Problem);

/// The change conflicts with the current state (see `code`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Conflict(#[allow(dead_code)] Problem);

/// The body is larger than the limit (`payload_too_large`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PayloadTooLarge(#[allow(dead_code)] Problem);

/// The body is not JSON (`unsupported_media_type`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct UnsupportedMediaType(#[allow(dead_code)] Problem);

/// Fields are invalid (`validation_failed`, with `errors[]`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unprocessable(#[allow(dead_code)] Problem);

/// Too many failed attempts (`too_many_attempts`); see `Retry-After`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait")))]
pub struct TooManyRequests(#[allow(dead_code)] Problem);

/// The database cannot be reached (`database_unavailable`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unavailable(#[allow(dead_code)] Problem);

/// Declares a set of error responses a route may answer, for `responses(...)`
/// of a route: each a reference to one of the responses above, or the union
/// of sets declared before (`Name = SetA | SetB`).
macro_rules! response_set {
    ($(#[$doc:meta])* $name:ident: $($status:literal => $response:ident),+) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> std::collections::BTreeMap<
                String,
                utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
            > {
                [$(($status, stringify!($response))),+]
                    .into_iter()
                    .map(|(status, name): (u16, &str)| {
                        (status.to_string(), utoipa::openapi::Ref::from_response_name(name).into())
                    })
                    .collect()
            }
        }
    };
    ($(#[$doc:meta])* $name:ident = $($set:ident)|+) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> std::collections::BTreeMap<
                String,
                utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
            > {
                let mut all = std::collections::BTreeMap::new();
                $(all.extend(<$set as utoipa::IntoResponses>::responses());)+
                all
            }
        }
    };
}

response_set! {
    /// A query or path parameter that cannot be read: 400.
    BadInput: 400 => BadRequest
}
response_set! {
    /// A JSON body that cannot be read or is invalid: 400, 413, 415, 422.
    BadBody: 400 => BadRequest, 413 => PayloadTooLarge, 415 => UnsupportedMediaType, 422 => Unprocessable
}
response_set! {
    /// No token, or one that is not valid: 401.
    NoToken: 401 => Unauthorized
}
response_set! {
    /// A role that may not do this: 403.
    NotAllowed: 403 => Forbidden
}
response_set! {
    /// No such resource, or outside the caller's scope: 404.
    Missing: 404 => NotFound
}
response_set! {
    /// The change conflicts with the current state: 409.
    InConflict: 409 => Conflict
}
response_set! {
    /// Too many attempts: 429.
    Throttled: 429 => TooManyRequests
}

// The sets most routes answer with, by what the route does; a route for
// signed-in callers whose role may be refused (staff, agencies).
response_set! {
    /// A list read with query parameters: 400, 401, 403.
    ListErrors = BadInput | NoToken | NotAllowed
}
response_set! {
    /// One resource read (or acted on) by its path: 400, 401, 403, 404.
    ReadErrors = ListErrors | Missing
}
response_set! {
    /// A bodiless change of one resource that its state may refuse: 400,
    /// 401, 403, 404, 409.
    ActionErrors = ReadErrors | InConflict
}
response_set! {
    /// A new resource from a JSON body: 400, 413, 415, 422, 401, 403.
    CreateErrors = BadBody | NoToken | NotAllowed
}
response_set! {
    /// A new resource that must not clash with an existing one: as
    /// [`CreateErrors`], and 409.
    UniqueCreateErrors = CreateErrors | InConflict
}
response_set! {
    /// A change of one resource from a JSON body: 400, 413, 415, 422, 401,
    /// 403, 404.
    EditErrors = CreateErrors | Missing
}
response_set! {
    /// A change of one resource from a JSON body that its state may refuse:
    /// as [`EditErrors`], and 409.
    ChangeErrors = EditErrors | InConflict
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lắng Nghe API",
        description = "Children's voices on the matters that concern them: consultations, curated issues, recommendations to agencies and their answers.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    modifiers(&Security, &ErrorCodes),
    components(
        schemas(Problem),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge,
            UnsupportedMediaType, Unprocessable, TooManyRequests, Unavailable
        )
    ),
    tags(
        (name = "health", description = "Liveness, readiness and metrics"),
        (name = "auth", description = "Staff sign-in"),
        (name = "users", description = "Staff accounts (admin)"),
        (name = "units", description = "The organisation over time"),
        (name = "topics", description = "The topic taxonomy"),
        (name = "agencies", description = "Agencies that answer recommendations"),
        (name = "surveys", description = "Survey definitions, versioned"),
        (name = "consultation", description = "Sessions, joining, responses and issues from children"),
        (name = "events", description = "Events held offline: forums, dialogues, Council meetings, trainings"),
        (name = "progress", description = "The plan's targets and progress against them"),
        (name = "results", description = "What children said, with small-cell suppression"),
        (name = "reports", description = "The plan's periodic reports, as JSON or CSV"),
        (name = "moderation", description = "The Children's Council's queue of children's issues"),
        (name = "safeguarding", description = "Cases followed to closure by safeguarding officers; counts for admins"),
        (name = "participants", description = "A child's own data: export and erasure, with the respondent token"),
        (name = "calendar", description = "The holidays agencies' due dates skip"),
        (name = "audit", description = "Every change staff, agencies or the system made: read only, admins only"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from POST /api/v1/auth/login; valid 15 minutes."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "respondent",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A child's respondent token from POST /api/v1/join; valid 2 hours.",
                    ))
                    .build(),
            ),
        );
    }
}

struct ErrorCodes;

impl Modify for ErrorCodes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut text = openapi.info.description.clone().unwrap_or_default();
        text.push_str(
            "\n\nEvery error is an RFC 9457 problem (`application/problem+json`) with a stable `code`:\n\n| code | status | meaning |\n|---|---|---|\n",
        );
        for code in crate::error::Code::ALL {
            let (name, status, meaning) = (code.as_str(), code.status().as_u16(), code.meaning());
            text.push_str(&format!("| `{name}` | {status} | {meaning} |\n"));
        }
        openapi.info.description = Some(text);
    }
}
