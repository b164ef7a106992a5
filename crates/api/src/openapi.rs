//! The contract: OpenAPI 3.1 assembled from the routes themselves (so no
//! route can be missing), with the bearer scheme, reusable error responses
//! and the list of error codes.

use utoipa::openapi::security::{ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::error::Problem;

/// Declares the reusable problem responses, each a `ToResponse` whose body
/// is a [`Problem`] and whose description is its doc comment.
macro_rules! problem_responses {
    ($($(#[$doc:meta])* $name:ident $({ $($extra:tt)* })?;)+) => {
        $(
            $(#[$doc])*
            #[derive(ToResponse)]
            #[response(content_type = "application/problem+json" $(, $($extra)*)?)]
            pub struct $name(#[allow(dead_code)] Problem);
        )+
    };
}

problem_responses! {
    /// The request could not be read: malformed JSON (`malformed_json`), query
    /// (`invalid_query`, `invalid_cursor`) or path (`invalid_path`).
    BadRequest;
    /// No token (`unauthenticated`) or a token that is not valid
    /// (`invalid_token`).
    Unauthorized;
    /// The caller's role may not do this (`forbidden`).
    Forbidden;
    /// No such resource, or it is outside the caller's scope (`not_found`).
    NotFound;
    /// The change conflicts with the current state (see `code`).
    Conflict;
    /// The body is larger than the limit (`payload_too_large`).
    PayloadTooLarge;
    /// The body is not JSON (`unsupported_media_type`).
    UnsupportedMediaType;
    /// Fields are invalid (`validation_failed`, with `errors[]`).
    Unprocessable;
    /// Too many failed attempts (`too_many_attempts`); see `Retry-After`.
    TooManyRequests { headers(("Retry-After" = u64, description = "Seconds to wait")) };
    /// The database cannot be reached (`database_unavailable`).
    Unavailable;
    /// `/metrics` without the metrics token, with a wrong one, or (when no
    /// token is set) from anywhere but an unforwarded loopback request
    /// (`metrics_token_required`).
    MetricsRefused;
}

/// Declares the sets of error responses a route may answer, for
/// `responses(...)` of a route: each a list of references to the responses
/// above (`Name: status => Response, …;`), or the union of sets declared
/// before (`Name = SetA | SetB;`).
///
/// In a route's `responses(...)` a later entry replaces an earlier one of
/// the same status, so a route's own words for a status (say, a 422 that
/// names its refusals) come after the sets.
macro_rules! response_sets {
    () => {};
    ($(#[$doc:meta])* $name:ident: $($status:literal => $response:ident),+; $($rest:tt)*) => {
        response_sets!(@set $(#[$doc])* $name { references(&[$(($status, stringify!($response))),+]) });
        response_sets!($($rest)*);
    };
    ($(#[$doc:meta])* $name:ident = $($set:ident)|+; $($rest:tt)*) => {
        response_sets!(@set $(#[$doc])* $name {
            let mut all = Responses::new();
            $(all.extend(<$set as utoipa::IntoResponses>::responses());)+
            all
        });
        response_sets!($($rest)*);
    };
    (@set $(#[$doc:meta])* $name:ident $responses:block) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> Responses $responses
        }
    };
}

type Responses = std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::response::Response>>;

/// References to the responses above, by status.
fn references(responses: &[(u16, &str)]) -> Responses {
    responses
        .iter()
        .map(|(status, name)| {
            (
                status.to_string(),
                utoipa::openapi::Ref::from_response_name(*name).into(),
            )
        })
        .collect()
}

response_sets! {
    /// A query or path parameter that cannot be read: 400.
    BadInput: 400 => BadRequest;
    /// A JSON body that cannot be read or is invalid: 400, 413, 415, 422.
    BadBody: 400 => BadRequest, 413 => PayloadTooLarge, 415 => UnsupportedMediaType, 422 => Unprocessable;
    /// No token, or one that is not valid: 401.
    NoToken: 401 => Unauthorized;
    /// A role that may not do this: 403.
    NotAllowed: 403 => Forbidden;
    /// No such resource, or outside the caller's scope: 404.
    Missing: 404 => NotFound;
    /// The change conflicts with the current state: 409.
    InConflict: 409 => Conflict;
    /// Too many attempts: 429.
    Throttled: 429 => TooManyRequests;

    // The sets most routes answer with, by what the route does; a route for
    // signed-in callers whose role may be refused (staff, agencies).
    /// A route without parameters: 401, 403.
    RoleErrors = NoToken | NotAllowed;
    /// A list read with query parameters: 400, 401, 403.
    ListErrors = BadInput | RoleErrors;
    /// One resource read (or acted on) by its path: 400, 401, 403, 404.
    ReadErrors = ListErrors | Missing;
    /// A bodiless change of one resource that its state may refuse: 400,
    /// 401, 403, 404, 409.
    ActionErrors = ReadErrors | InConflict;
    /// A new resource from a JSON body: 400, 413, 415, 422, 401, 403.
    CreateErrors = BadBody | NoToken | NotAllowed;
    /// A new resource that must not clash with an existing one: as
    /// [`CreateErrors`], and 409.
    UniqueCreateErrors = CreateErrors | InConflict;
    /// A change of one resource from a JSON body: 400, 413, 415, 422, 401,
    /// 403, 404.
    EditErrors = CreateErrors | Missing;
    /// A change of one resource from a JSON body that its state may refuse:
    /// as [`EditErrors`], and 409.
    ChangeErrors = EditErrors | InConflict;

    // Routes for a child's token, which has no role to refuse (staff
    // routes answer 403 to an agency's machine token, and so list it).
    /// One resource acted on by its path: 400, 401, 404.
    ChildErrors = BadInput | NoToken | Missing;
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
        // Closed sets only query parameters name (the others come with the
        // bodies that use them).
        schemas(
            Problem,
            crate::closed_sets::IssueQueueStatus,
            crate::closed_sets::IssueSort,
            crate::closed_sets::ReportFormat
        ),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge,
            UnsupportedMediaType, Unprocessable, TooManyRequests, Unavailable, MetricsRefused
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
        (name = "settings", description = "The service's settings as they stand (admins, read only)"),
        (name = "audit", description = "Every change staff, agencies or the system made: read only, admins only"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let jwt = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(description))
                    .build(),
            )
        };
        components.add_security_scheme(
            "bearer",
            jwt(
                "A staff account's access token from POST /api/v1/auth/login (valid 15 minutes). An agency staff account's token also acts for its agency where `oauth2` is accepted.",
            ),
        );
        components.add_security_scheme(
            "respondent",
            jwt("A child's respondent token from POST /api/v1/join; valid 2 hours."),
        );
        components.add_security_scheme(
            "participant",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The participant token a child's phone keeps (`participant_token` of POST /api/v1/join): for the child's own data, with no open session needed.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The scraper's token for /metrics (LANGNGHE_METRICS_TOKEN). Without that setting /metrics answers only requests from the service's own loopback address that no proxy forwarded.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new(
                    "/api/v1/auth/token",
                    Scopes::new(),
                ))],
                "An agency's machine client: its client id and secret (from an admin, POST /api/v1/agencies/{id}/clients) exchanged at POST /api/v1/auth/token for a bearer token that acts for the agency on its own deliveries. No scopes: a client has its agency's rights.",
            )),
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

/// Completes the document the routes produced: what utoipa leaves out or
/// cannot know from a handler's attributes.
pub fn finish(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    for item in api.paths.paths.values_mut() {
        for (method, op) in operations_mut(item) {
            describe_responses(method, op);
        }
    }
    api
}

/// The operations of a path item, with their methods.
pub fn operations_mut(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = (&'static str, &mut utoipa::openapi::path::Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.as_mut().map(|op| (method, op)))
}

/// Gives every response utoipa left without a description (a success given
/// as `(status = 200, body = X)`) one said from its status and its body.
fn describe_responses(method: &str, op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::RefOr;
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else { continue };
        if !response.description.trim().is_empty() {
            continue;
        }
        let what = response
            .content
            .iter()
            .next()
            .map(|(media, content)| body_words(media, content))
            .unwrap_or_else(|| "no body".to_owned());
        let outcome = match (status.as_str(), method) {
            ("200", "get") => "Found",
            ("201", _) => "Created",
            ("202", _) => "Accepted, to be done later",
            ("204", _) => "Done",
            _ => "Done",
        };
        response.description = format!("{outcome}: {what}.");
    }
}

/// What a response body is, in words: its media type, or its schema.
fn body_words(media: &str, content: &utoipa::openapi::RefOr<utoipa::openapi::content::Content>) -> String {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;
    if media.starts_with("text/csv") {
        return "a CSV file (UTF-8, with a header row)".to_owned();
    }
    if media.starts_with("text/plain") {
        return "plain text".to_owned();
    }
    if media.contains("atom") {
        return "an Atom feed".to_owned();
    }
    let schema = match content {
        RefOr::T(c) => c.schema.as_ref(),
        RefOr::Ref(_) => None,
    };
    let name = |r: &utoipa::openapi::Ref| r.ref_location.rsplit('/').next().unwrap_or_default().to_owned();
    match schema {
        Some(RefOr::Ref(r)) => match name(r).strip_prefix("Page_") {
            Some(item) => format!("a page of `{item}` (`next_cursor` leads to the next)"),
            None => format!("`{}`", name(r)),
        },
        Some(RefOr::T(Schema::Array(a))) => match &a.items {
            utoipa::openapi::schema::ArrayItems::RefOrSchema(s) => match s.as_ref() {
                RefOr::Ref(r) => format!("a list of `{}`", name(r)),
                RefOr::T(_) => "a list".to_owned(),
            },
            _ => "a list".to_owned(),
        },
        _ => "the result, as JSON".to_owned(),
    }
}
