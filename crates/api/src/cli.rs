//! The `langnghe` command line.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, Settings};
use crate::server::{self, Prepared};

#[derive(Parser)]
#[command(
    name = "langnghe",
    version,
    about = "Lắng Nghe: children's voices on the matters that concern them"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    settings: Settings,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate {
        /// Roll every migration back instead (destroys all data).
        #[arg(long)]
        down_all: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Seed the demo organisation into an empty database and exit.
    SeedDemo,
    /// Purge what is past its retention period now, print what was purged,
    /// and exit.
    Purge,
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        // A closed pipe (`langnghe openapi | head`) is not an error.
        use std::io::Write;
        let _ = std::io::stdout().write_all(crate::server::spec_json().as_bytes());
        return ExitCode::SUCCESS;
    }
    init_logging(&cli.settings.log);
    let config = match Config::from_settings(&cli.settings) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("langnghe: {e}");
            return ExitCode::from(2);
        }
    };
    let result = actix_web::rt::System::new().block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::Migrate { down_all } => migrate(config, down_all).await,
            Command::SeedDemo => seed_demo(config).await,
            Command::Purge => purge(config).await,
            Command::Openapi => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("langnghe: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(filter: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

async fn serve(config: Config) -> CliResult {
    let Prepared {
        state,
        generated_admin_password,
        admin_created,
        demo_seeded,
    } = server::prepare(&config).await?;
    let bound = server::bind(state, &config)?;
    let base = format!("http://{}", bound.addr);
    println!("Lắng Nghe is listening on {base}");
    println!("  API docs:  {base}/docs/");
    println!("  Database:  {}", redact_url(&config.database_url));
    if demo_seeded {
        println!("  Seeded the demo organisation (Phú Nhuận district, its wards and school Pioneer units).");
    }
    match (admin_created, generated_admin_password) {
        (true, Some(p)) => {
            println!("  Created the admin account 'admin' with the generated password: {p}");
            println!("  (shown only this once; set LANGNGHE_ADMIN_PASSWORD before the first run to choose it)");
        }
        (true, None) => println!("  Created the admin account 'admin' with the password from LANGNGHE_ADMIN_PASSWORD."),
        _ => {}
    }
    println!(
        "  Sign in:   curl -s -X POST {base}/api/v1/auth/login -H 'Content-Type: application/json' -d '{{\"username\":\"admin\",\"password\":\"…\"}}'"
    );
    bound.server.await?;
    Ok(())
}

async fn migrate(config: Config, down_all: bool) -> CliResult {
    let db = langnghe_storage::connect(&config.database_url, 1).await?;
    if down_all {
        langnghe_storage::migrate_down_all(&db).await?;
        println!("Rolled every migration back.");
    } else {
        langnghe_storage::migrate(&db).await?;
        println!("Migrations applied.");
    }
    Ok(())
}

async fn seed_demo(config: Config) -> CliResult {
    let db = langnghe_storage::connect(&config.database_url, 2).await?;
    langnghe_storage::migrate(&db).await?;
    if crate::demo::seed_if_empty(&db, config.clock.now()).await? {
        println!("Seeded the demo organisation.");
    } else {
        println!("The database already has units; nothing seeded.");
    }
    Ok(())
}

async fn purge(config: Config) -> CliResult {
    let db = langnghe_storage::connect(&config.database_url, 2).await?;
    langnghe_storage::migrate(&db).await?;
    let r = crate::jobs::retention::purge(&db, config.retention, config.clock.now()).await?;
    println!(
        "Purged {} free-text answers, the words of {} issues never taken up, {} response rows (their figures stay), {} closed safeguarding cases, {} delivered webhook events.",
        r.texts_purged, r.issue_texts_purged, r.responses_deleted, r.cases_deleted, r.webhook_events_deleted
    );
    Ok(())
}

/// The URL without its password, for printing.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}
