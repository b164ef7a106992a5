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
pub mod surveys;
pub mod topics;
pub mod units;
pub mod users;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Everything under `/api/v1`.
pub fn api_v1(cfg: &mut ServiceConfig) {
    auth::configure(cfg);
    users::configure(cfg);
    units::configure(cfg);
    topics::configure(cfg);
    agencies::configure(cfg);
    surveys::configure(cfg);
    consultation::configure(cfg);
    receipts::configure(cfg);
    events::configure(cfg);
    progress::configure(cfg);
    results::configure(cfg);
    audit::configure(cfg);
    issues::configure(cfg);
    safeguarding::configure(cfg);
    participants::configure(cfg);
    calendar::configure(cfg);
    reports::configure(cfg);
    recommendations::configure(cfg);
    agency::configure(cfg);
    letters::configure(cfg);
    webhooks::configure(cfg);
    feed::configure(cfg);
}
