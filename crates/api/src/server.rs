//! Assembling and starting the service: database, migrations, first admin,
//! demo data, then the HTTP server with its middleware, docs and error
//! handling for routes that do not exist.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::middleware::{self, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use langnghe_domain::account::{Assignment, Role};
use langnghe_storage::{Actor, Db, accounts};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::credentials::{Keys, hash_password};
use crate::error::{ApiError, Code};
use crate::extract::{BodyLimit, json_config, path_config, query_config};
use crate::metrics::Metrics;
use crate::openapi::ApiDoc;
use crate::route_table::RouteTable;
use crate::routes;
use crate::state::AppState;

/// Mounts every documented route on a utoipa app.
macro_rules! mount {
    ($app:expr) => {
        $app.into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .configure(routes::health::configure)
            .service(scope("/api/v1").configure(routes::api_v1))
    };
}

/// The OpenAPI document, built from the same routes the server mounts.
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, api) = mount!(App::new()).split_for_parts();
    crate::openapi::finish(api)
}

/// The component schemas each module of routes publishes on its own. The
/// whole document keeps one schema per name, silently: a name two modules
/// publish differently is two types under one name.
pub fn schemas_by_module() -> Vec<(&'static str, utoipa::openapi::OpenApi)> {
    let of = |configure: routes::Configure| App::new().into_utoipa_app().configure(configure).split_for_parts().1;
    let mut modules = vec![
        ("openapi", ApiDoc::openapi()),
        ("health", of(routes::health::configure)),
    ];
    modules.extend(routes::API_V1.iter().map(|(name, configure)| (*name, of(*configure))));
    modules
}

/// Unknown routes: 405 with `Allow` when the path exists, else 404.
async fn no_route(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    match state.routes.methods_for(req.path()) {
        Some(methods) => method_not_allowed(&methods),
        None => HttpResponse::from_error(ApiError::new(Code::NotFound, "Not found").detail("no such route; see /docs")),
    }
}

/// 405, with the methods the path answers to in `Allow`.
fn method_not_allowed(methods: &[Method]) -> HttpResponse {
    let allow = methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
    let mut res = HttpResponse::from_error(
        ApiError::new(Code::MethodNotAllowed, "Method not allowed").detail(format!("this route answers to {allow}")),
    );
    if let Ok(v) = header::HeaderValue::from_str(&allow) {
        res.headers_mut().insert(header::ALLOW, v);
    }
    res
}

/// Middleware: a path is its most literal route's (`/issues/bulk`, not
/// `/issues/{id}`), so a method that route lacks answers 405 before actix
/// could hand the path to a route with a parameter in its place.
async fn literal_routes_first<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<actix_web::body::EitherBody<B>>, actix_web::Error> {
    let refused = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.routes.methods_for(req.path()))
        .filter(|methods| !methods.contains(req.method()));
    if let Some(methods) = refused {
        let res = method_not_allowed(&methods);
        return Ok(req.into_response(res).map_into_right_body());
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

/// Any error response that is not yet a problem (one produced inside
/// actix, say) is rewritten as one, so clients see one format.
fn problem_for_any_error<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (code, title) = match status {
        StatusCode::BAD_REQUEST => (Code::BadRequest, "The request could not be read"),
        StatusCode::NOT_FOUND => (Code::NotFound, "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => (Code::MethodNotAllowed, "Method not allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => (Code::PayloadTooLarge, "The body is too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (Code::UnsupportedMediaType, "Unsupported media type"),
        s if s.is_server_error() => (Code::InternalError, "Something went wrong on our side"),
        _ => (Code::RequestRefused, "The request was refused"),
    };
    let (req, _) = res.into_parts();
    let problem = HttpResponse::from_error(ApiError::with_status(status, code, title));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, problem).map_into_right_body(),
    ))
}

/// What start-up did, for the banner.
pub struct Prepared {
    pub state: AppState,
    /// A password generated for the first admin, to print once.
    pub generated_admin_password: Option<String>,
    pub admin_created: bool,
    pub demo_seeded: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Database(#[source] langnghe_storage::DbErr),
    #[error("cannot apply migrations: {0}")]
    Migrate(#[source] langnghe_storage::DbErr),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot set up the first admin: {0}")]
    Admin(String),
    #[error("cannot seed the demo organisation: {0}")]
    Demo(String),
    #[error("cannot open the letters directory {dir}: {source}")]
    Letters {
        dir: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the submission writers: {0}")]
    Writers(#[source] std::io::Error),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// Opens the database, applies migrations, and creates the first admin and
/// the demo organisation where the database is empty.
pub async fn prepare(config: &Config) -> Result<Prepared, StartError> {
    let db = langnghe_storage::connect(&config.database_url, config.db_max_connections)
        .await
        .map_err(StartError::Database)?;
    langnghe_storage::migrate(&db).await.map_err(StartError::Migrate)?;
    langnghe_storage::moderation::backfill_search_text(&db)
        .await
        .map_err(|e| StartError::Migrate(langnghe_storage::DbErr::Custom(e.to_string())))?;
    let keys = Keys::new(&config.load_secrets()?, config.token_ttl, config.clock.clone()).map_err(|e| {
        StartError::Config(crate::config::ConfigError {
            name: "LANGNGHE_JWT_SECRET",
            reason: e.to_string(),
        })
    })?;
    let api = spec();
    let data_key = crate::credentials::DataKey::new(&config.load_data_key()?);
    let state = AppState {
        db: db.clone(),
        clock: config.clock.clone(),
        keys,
        data_key,
        respondent_ttl: config.respondent_ttl,
        ptable: Arc::new(langnghe_domain::disclosure::PTable::new(config.disclosure)),
        hash_cost: config.hash_cost,
        trust_forwarded_for: config.trust_forwarded_for,
        join_caps: config.join_caps,
        metrics: Arc::new(Metrics::default()),
        cache: Arc::default(),
        join_budget: Arc::new(crate::join_budget::JoinBudget::new(config.join_budget)),
        routes: Arc::new(RouteTable::from_spec(&api)),
        webhooks: config.webhooks,
        retention: config.retention,
        public_url: config.public_url.clone(),
        metrics_token: config.metrics_token.clone(),
        letters: crate::letters::LetterStore::for_policy(&config.letters).map_err(|source| StartError::Letters {
            dir: config.letters.dir.clone(),
            source,
        })?,
        letter_max_bytes: config.letters.max_bytes,
        submissions: langnghe_storage::participation::Writers::spawn(db.clone()).map_err(StartError::Writers)?,
    };
    let (admin_created, generated_admin_password) = bootstrap_admin(&db, config).await?;
    langnghe_storage::calendar::seed_if_empty(&db, &langnghe_domain::calendar::vietnam_holidays())
        .await
        .map_err(|e| StartError::Admin(format!("cannot seed the holiday calendar: {e}")))?;
    langnghe_storage::school_terms::seed_if_empty(
        &db,
        &langnghe_domain::plan::seeded_school_terms(),
        config.clock.now(),
    )
    .await
    .map_err(|e| StartError::Admin(format!("cannot seed the school calendar: {e}")))?;
    let demo_seeded = if config.demo {
        crate::demo::seed_if_empty(&db, config.clock.now())
            .await
            .map_err(|e| StartError::Demo(e.to_string()))?
    } else {
        false
    };
    Ok(Prepared {
        state,
        generated_admin_password,
        admin_created,
        demo_seeded,
    })
}

async fn bootstrap_admin(db: &Db, config: &Config) -> Result<(bool, Option<String>), StartError> {
    let count = accounts::count(db)
        .await
        .map_err(|e| StartError::Admin(e.to_string()))?;
    if count > 0 {
        return Ok((false, None));
    }
    let (password, generated) = match &config.admin_password {
        Some(p) => (p.clone(), None),
        None => {
            let p = crate::credentials::random_secret(18);
            (p.clone(), Some(p))
        }
    };
    let hash = hash_password(config.hash_cost, password)
        .await
        .map_err(|e| StartError::Admin(e.to_string()))?;
    let assignment = Assignment {
        role: Role::Admin,
        unit_id: None,
        agency_id: None,
    };
    let created = accounts::create(
        db,
        &Actor::system(config.clock.now()),
        accounts::NewUser {
            username: "admin",
            password_hash: &hash,
            assignment,
            display_name: Some("Quản trị viên"),
        },
    )
    .await;
    match created {
        Ok(_) => Ok((true, generated)),
        // Another replica starting at the same moment created it first.
        Err(langnghe_storage::StoreError::Conflict("username_taken")) => Ok((false, None)),
        Err(e) => Err(StartError::Admin(e.to_string())),
    }
}

/// A bound, not yet running server.
pub struct Bound {
    pub server: Server,
    pub handle: ServerHandle,
    pub addr: SocketAddr,
    /// The background task folding responses into the result rollups; it
    /// runs until aborted or the runtime ends.
    pub folder: tokio::task::JoinHandle<()>,
    /// The daily retention purge.
    pub purger: tokio::task::JoinHandle<()>,
    /// The webhook relay.
    pub relay: tokio::task::JoinHandle<()>,
    /// The chaser of due and overdue deliveries, when on.
    pub chaser: Option<tokio::task::JoinHandle<()>>,
    /// Hears other replicas' closes (PostgreSQL; ends at once on SQLite).
    pub listener: tokio::task::JoinHandle<()>,
}

/// Binds the HTTP server and starts the result folder; run the server by
/// awaiting (or spawning) `server`. Must be called inside a Tokio runtime.
pub fn bind(state: AppState, config: &Config) -> Result<Bound, StartError> {
    let limit = config.max_body_bytes;
    let db = state.db.clone();
    let listener = crate::cache::spawn_listener(db.clone(), state.cache.clone(), state.metrics.clone());
    let api = spec();
    let metrics = state.metrics.clone();
    let data = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        // The docs go before the API scope, which would otherwise claim
        // /api/v1/openapi.json.
        let (app, _) = mount!(
            App::new()
                .service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", api.clone()))
                .service(docs_redirect)
                .configure(crate::web_app::configure)
                .configure(crate::web_console::configure)
                .configure(crate::web_public::configure)
                .app_data(data.clone())
                .app_data(web::Data::new(BodyLimit(limit)))
                .app_data(json_config(limit))
                .app_data(query_config())
                .app_data(path_config())
                .wrap(middleware::from_fn(literal_routes_first))
                .wrap(middleware::from_fn(crate::extract::refuse_control_characters))
                .wrap(ErrorHandlers::new().default_handler(problem_for_any_error))
                .wrap(middleware::from_fn(crate::problem_language::problem_language))
                .wrap(middleware::from_fn(track))
                .wrap(middleware::DefaultHeaders::new().add(("X-Content-Type-Options", "nosniff")))
        )
        .split_for_parts();
        app.default_service(web::to(no_route))
    })
    .shutdown_timeout(10);
    if let Some(w) = config.workers {
        server = server.workers(w);
    }
    let server = server.bind(config.bind).map_err(|source| StartError::Bind {
        addr: config.bind,
        source,
    })?;
    let addr = server.addrs().first().copied().unwrap_or(config.bind);
    let server = server.run();
    let handle = server.handle();
    let clock = config.clock.clone();
    let folder = crate::jobs::rollup::spawn_folder(
        db.clone(),
        config.fold_interval,
        clock.clone(),
        config.disclosure,
        metrics,
    );
    let relay = crate::jobs::relay::spawn_relay(db.clone(), config.webhooks, clock.clone());
    let chaser = config
        .chase_interval
        .map(|i| crate::jobs::chasing::spawn_chaser(db.clone(), i, clock.clone()));
    let purger = crate::jobs::retention::spawn_daily(db, config.retention, clock);
    Ok(Bound {
        server,
        handle,
        addr,
        folder,
        purger,
        relay,
        chaser,
        listener,
    })
}

#[actix_web::get("/docs")]
async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// Middleware: time the request and record it.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?;
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let status = res.status().as_u16();
    let secs = started.elapsed().as_secs_f64();
    if let Some(state) = state {
        state.metrics.observe(&method, &route, status, secs);
    }
    tracing::debug!(target: "langnghe::http", %method, %route, status, ms = secs * 1000.0, "request");
    Ok(res)
}

/// The specification as committed in `openapi/openapi.json`.
pub fn spec_json() -> String {
    let mut s = spec().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}
