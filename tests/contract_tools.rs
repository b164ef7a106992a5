//! The contract as integrators meet it: the committed `openapi/openapi.json`
//! passes `openapi-spec-validator`; a Python client generated from it by
//! `openapi-python-client`, unmodified, runs an agency's journey against the
//! running service (`tests/python/agency_journey.py`); and Schemathesis,
//! with a token of each role and with none, finds no server error and no
//! response the spec does not allow.
//!
//! The tools are pinned in `tests/python/requirements.txt` and installed in
//! the virtual environment `venv` of the target directory by
//! `cargo xtask venv` (`cargo xtask test` and `.ci/run` make it too). Under
//! CI (`CI` set) a missing environment fails these tests; elsewhere they say
//! so and pass, so that a `cargo nextest run` without Python still runs the
//! rest.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::recommendations::{World, agency, client_token, sent, world};
use crate::support::TestApp;

/// The committed spec.
fn spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json")
}

fn python_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python")
}

/// The virtual environment `cargo xtask venv` makes: `LANGNGHE_VENV`, else
/// `venv` in the target directory this test binary was built in
/// (`target/debug/deps/e2e-…` → `target/venv`).
fn venv_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LANGNGHE_VENV") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors().nth(3).expect("the target directory").join("venv")
}

/// The virtual environment with the pinned tools, or `None` (outside CI
/// only) when it is missing or was made from another requirements file.
fn venv() -> Option<PathBuf> {
    let dir = venv_dir();
    let wanted = std::fs::read(python_dir().join("requirements.txt")).expect("tests/python/requirements.txt");
    let made = std::fs::read(dir.join("requirements.txt")).ok();
    let ready = dir.join("bin/python").exists() && made.as_deref() == Some(&wanted[..]);
    if ready {
        return Some(dir);
    }
    let why = format!(
        "the contract checks' Python tools are not in {} (or are not those of tests/python/requirements.txt): \
         `cargo xtask venv` installs them",
        dir.display()
    );
    assert!(std::env::var_os("CI").is_none(), "{why}");
    eprintln!("NOT RUN: {why}");
    None
}

/// Runs `program` of the virtual environment with `args`, off the test's
/// runtime (the service answers on it meanwhile); its output.
async fn tool(venv: &Path, program: &str, args: Vec<String>, cwd: &Path) -> Output {
    let bin = venv.join("bin");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new(bin.join(program));
    cmd.args(&args)
        .current_dir(cwd)
        .env("PATH", path)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_HOOKS", python_dir().join("schemathesis_hooks.py"))
        .env_remove("VIRTUAL_ENV");
    actix_web::rt::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("run {program}: {e}"))
}

fn printed(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[actix_web::test]
async fn the_committed_spec_passes_openapi_spec_validator() {
    let Some(venv) = venv() else { return };
    let out = tool(
        &venv,
        "openapi-spec-validator",
        vec!["--validation-errors".into(), "all".into(), spec().display().to_string()],
        &python_dir(),
    )
    .await;
    assert!(out.status.success(), "openapi-spec-validator:\n{}", printed(&out));
}

/// Generates the Python client from the committed spec into `dir`; the
/// package `langnghe_client` is then in `dir`. The generator is told to
/// treat PDF letters as bytes (`content_type_overrides`, as its
/// documentation tells integrators to do for media types it does not know).
async fn generate_client(venv: &Path, dir: &Path) {
    let config = dir.join("generator.json");
    std::fs::write(
        &config,
        json!({
            "project_name_override": "langnghe-client",
            "package_name_override": "langnghe_client",
            "content_type_overrides": {"application/pdf": "application/octet-stream"},
        })
        .to_string(),
    )
    .expect("write the generator's config");
    let out = tool(
        venv,
        "openapi-python-client",
        vec![
            "generate".into(),
            "--path".into(),
            spec().display().to_string(),
            "--config".into(),
            config.display().to_string(),
            "--output-path".into(),
            dir.join("langnghe_client").display().to_string(),
            "--meta".into(),
            "none".into(),
        ],
        dir,
    )
    .await;
    let log = printed(&out);
    assert!(out.status.success(), "openapi-python-client generate:\n{log}");
    // An operation the generator could not make is an operation an
    // integrator cannot call.
    let skipped: Vec<&str> = log.lines().filter(|l| l.contains("will not be generated")).collect();
    assert!(
        skipped.is_empty(),
        "operations left out of the client:\n{}",
        skipped.join("\n")
    );
}

/// An agency with a client of its own and its delivery of `rec`.
async fn agency_with_client(app: &TestApp, id: &str, rec: &Value) -> Value {
    let (client_id, client_secret, _) = client_token(app, id).await;
    json!({
        "client_id": client_id,
        "client_secret": client_secret,
        "delivery": crate::recommendations::delivery_for(rec, id),
    })
}

#[actix_web::test]
async fn a_python_client_generated_from_the_spec_runs_the_agency_journey() {
    let Some(venv) = venv() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    generate_client(&venv, dir.path()).await;

    // A recommendation sent to the school's board and to the district's
    // social affairs office, each agency with a machine client.
    let w: World = world().await;
    let app = &w.app;
    let board = agency(app, &w.school, "school_board").await;
    let office = agency(app, &w.district, "social_affairs_office").await;
    let rec = sent(&w, &[&board, &office]).await;
    let due_on = (app.day() + chrono::Duration::days(20)).to_string();
    let world = json!({
        "base": app.base,
        "own": agency_with_client(app, &board, &rec).await,
        "other": agency_with_client(app, &office, &rec).await,
        "due_on": due_on,
    });
    let out = tool(
        &venv,
        "python",
        vec![
            python_dir().join("agency_journey.py").display().to_string(),
            spec().display().to_string(),
            dir.path().display().to_string(),
            world.to_string(),
        ],
        dir.path(),
    )
    .await;
    assert!(
        out.status.success(),
        "tests/python/agency_journey.py:\n{}",
        printed(&out)
    );

    // What the client did is what the service keeps.
    let r = app
        .get(
            &format!(
                "/api/v1/agency/deliveries/{}",
                world["own"]["delivery"].as_str().unwrap()
            ),
            Some(&client_token(app, &board).await.2),
        )
        .await;
    let delivery = r.ok(200);
    assert_eq!(delivery["status"], "in_progress", "{delivery}");
    assert_eq!(delivery["reply"]["stance"], "accepted");
}

/// How long Schemathesis may take for one caller (its `--max-time`:
/// fuzzing repeats until the budget is spent), unless
/// `LANGNGHE_SCHEMATHESIS_SECONDS` says otherwise: nine callers take under
/// three minutes.
const SCHEMATHESIS_SECONDS_PER_CALLER: u32 = 15;

#[actix_web::test]
async fn schemathesis_finds_no_server_error_and_nothing_outside_the_contract() {
    let Some(venv) = venv() else { return };
    let seconds = std::env::var("LANGNGHE_SCHEMATHESIS_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(SCHEMATHESIS_SECONDS_PER_CALLER);
    // The demo organisation with issues, a survey with an open session, and
    // a recommendation sent to an agency: something for each role to read.
    let w: World = world().await;
    let app = &w.app;
    let board = agency(app, &w.school, "school_board").await;
    sent(&w, &[&board]).await;
    let mut callers: Vec<(&str, Option<String>)> = vec![("admin", Some(app.admin.clone()))];
    for (role, token) in app.non_admin_tokens(Some(&w.school), Some(&board)).await {
        callers.push((role, Some(token)));
    }
    callers.push(("agency_client", Some(client_token(app, &board).await.2)));
    let code = crate::results::session(app, &w.survey, &w.school).await;
    callers.push(("respondent", Some(app.child(&code, 12).await)));
    // The token a child's phone keeps from a join (`participant_token`),
    // for their own data without an open session; the erasure it allows
    // stays out of the run (tests/python/schemathesis.toml), tested by
    // tests/erasure.rs.
    let joined = app.join(&code, 13, json!({})).await;
    callers.push(("participant", Some(joined.string(200, "participant_token"))));
    callers.push(("nobody", None));

    let dir = tempfile::tempdir().expect("temp dir");
    let mut found = Vec::new();
    for (who, token) in &callers {
        let report = dir.path().join(format!("{who}.json"));
        let mut args = vec![
            "--config-file".to_owned(),
            python_dir().join("schemathesis.toml").display().to_string(),
            "run".into(),
            spec().display().to_string(),
            "--url".into(),
            app.base.clone(),
            "--max-time".into(),
            seconds.to_string(),
            "--no-color".into(),
            "--report".into(),
            "json".into(),
            "--report-json-path".into(),
            report.display().to_string(),
        ];
        if let Some(t) = token {
            args.extend(["--header".into(), format!("Authorization: Bearer {t}")]);
        }
        let started = std::time::Instant::now();
        let out = tool(&venv, "schemathesis", args, dir.path()).await;
        let log = printed(&out);
        let summary = summarise(&report);
        eprintln!(
            "schemathesis as {who} ({:.0} s): {}",
            started.elapsed().as_secs_f64(),
            if out.status.success() { "passed" } else { "FAILED" }
        );
        if !out.status.success() {
            let details = sections(&log, &["ERRORS", "FAILURES"]);
            let details = if details.is_empty() { tail(&log, 60) } else { details };
            found.push(format!("=== as {who}:\n{summary}\n{details}"));
        }
    }
    assert!(found.is_empty(), "Schemathesis found:\n{}", found.join("\n"));
}

/// One line per kind of failure or error in a Schemathesis JSON report:
/// its code, its title and the operations.
fn summarise(report: &Path) -> String {
    let Ok(text) = std::fs::read_to_string(report) else {
        return "(no report)".into();
    };
    let report: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let mut lines = Vec::new();
    for f in report["failures"].as_array().into_iter().flatten() {
        lines.push(format!(
            "  {} {} ({}): {}",
            f["code"].as_str().unwrap_or(""),
            f["title"].as_str().unwrap_or(""),
            f["count"],
            f["operations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for e in report["errors"].as_array().into_iter().flatten() {
        lines.push(format!(
            "  error: {} ({})",
            e["title"].as_str().unwrap_or(""),
            e["count"]
        ));
    }
    lines.join("\n")
}

/// The named sections (`==== NAME ====` up to the next `====` line) of
/// Schemathesis's output.
fn sections(log: &str, names: &[&str]) -> String {
    let mut out = String::new();
    let mut keep = false;
    for line in log.lines() {
        if line.starts_with("====") {
            keep = names.iter().any(|n| line.contains(&format!(" {n} ")));
        }
        if keep && !line.trim().is_empty() {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
