//! One module per resource; each has a `configure` that registers its
//! handlers with utoipa-actix-web, so the spec cannot miss a route.

pub mod agencies;
pub mod agency;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod consultation;
pub mod events;
pub mod feed;
pub mod health;
pub mod issues;
pub mod letters;
pub mod participants;
pub mod progress;
pub mod receipts;
pub mod recommendations;
pub mod reports;
pub mod results;
pub mod safeguarding;
pub mod settings;
pub mod surveys;
pub mod topics;
pub mod units;
pub mod users;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// What registers a module's routes.
pub type Configure = fn(&mut ServiceConfig);

/// The modules under `/api/v1`, by name, in the order they are mounted.
pub const API_V1: &[(&str, Configure)] = &[
    ("auth", auth::configure),
    ("users", users::configure),
    ("units", units::configure),
    ("topics", topics::configure),
    ("agencies", agencies::configure),
    ("surveys", surveys::configure),
    ("consultation", consultation::configure),
    ("receipts", receipts::configure),
    ("events", events::configure),
    ("progress", progress::configure),
    ("results", results::configure),
    ("audit", audit::configure),
    ("issues", issues::configure),
    ("safeguarding", safeguarding::configure),
    ("participants", participants::configure),
    ("calendar", calendar::configure),
    ("settings", settings::configure),
    ("reports", reports::configure),
    ("recommendations", recommendations::configure),
    ("agency", agency::configure),
    ("letters", letters::configure),
    ("webhooks", webhooks::configure),
    ("feed", feed::configure),
];

/// Everything under `/api/v1`.
pub fn api_v1(cfg: &mut ServiceConfig) {
    for (_, configure) in API_V1 {
        configure(cfg);
    }
}
