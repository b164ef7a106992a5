//! What every handler can reach: the database pool, the signing keys and
//! the settings that shape behaviour.

use std::sync::Arc;

use langnghe_storage::Db;

use crate::credentials::{DataKey, HashCost, Keys};
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// The one source of "now" for handlers and background work.
    pub clock: crate::Clock,
    pub keys: Keys,
    pub data_key: DataKey,
    /// How long a child's respondent token lasts.
    pub respondent_ttl: chrono::Duration,
    /// The perturbation table of the disclosure-control policy.
    pub ptable: Arc<langnghe_domain::disclosure::PTable>,
    pub hash_cost: HashCost,
    /// Take the client address from `X-Forwarded-For` (behind a trusted
    /// load balancer only).
    pub trust_forwarded_for: bool,
    /// How many children a session admits.
    pub join_caps: langnghe_domain::consultation::JoinCaps,
    pub metrics: Arc<Metrics>,
    /// Published survey versions and recently read sessions.
    pub cache: Arc<crate::cache::ConsultationCache>,
    /// The service-wide budget of wrong join codes.
    pub join_budget: Arc<crate::join_budget::JoinBudget>,
    /// The writers that store children's submissions in batches.
    pub submissions: langnghe_storage::participation::Writers,
    /// How long each kind of data is kept (read by admins; applied by the
    /// daily purge).
    pub retention: crate::config::RetentionPolicy,
    /// How webhooks are sent (which URLs are accepted).
    pub webhooks: crate::config::WebhookPolicy,
    /// Agencies' letters, and the largest one accepted.
    pub letters: crate::letters::LetterStore,
    pub letter_max_bytes: usize,
    /// Where people reach the service, for absolute links.
    pub public_url: Option<String>,
    /// The bearer token `/metrics` asks for (`LANGNGHE_METRICS_TOKEN`).
    pub metrics_token: Option<String>,
    /// The routes of the API, for telling 405 from 404.
    pub routes: Arc<crate::route_table::RouteTable>,
}
