//! The deployment of `docker-compose.yml`, stood up without a container
//! engine: its settings (the replicas' environment, the init's command, the
//! demo profile) and `deploy/nginx.conf` are read from the files themselves,
//! then PostgreSQL, the migrate-only init, two replicas of the service and
//! Debian's nginx in front of them run as processes on loopback. A sign-in
//! on one replica is honoured by the other and through nginx, nothing is
//! seeded unless asked, and a webhook is delivered once. The Dockerfile's
//! dependency layer names every workspace member.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::readme::{SERVICE_BIN, Service, require};
use crate::support::{Http, TestDb, eventually, postgres_server_url};
use crate::webhooks::receiver;

fn repo_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The lines of the YAML mapping at `path` in `text` (keys by indentation,
/// as `docker-compose.yml` writes them), without their indentation.
fn section(text: &str, path: &[&str]) -> Vec<String> {
    let mut lines: Vec<&str> = text.lines().collect();
    for key in path {
        let at = lines
            .iter()
            .position(|l| {
                let t = l.trim_start();
                t == format!("{key}:") || t.starts_with(&format!("{key}: ")) || t.starts_with(&format!("{key}:\t"))
            })
            .unwrap_or_else(|| panic!("docker-compose.yml has no `{}`", path.join(".")));
        let indent = lines[at].len() - lines[at].trim_start().len();
        lines = lines[at + 1..]
            .iter()
            .copied()
            .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
            .collect();
    }
    let inner = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter(|l| l.len() - l.trim_start().len() == inner)
        .map(|l| l.trim().to_owned())
        .collect()
}

/// `key: value` of a section, the value unquoted.
fn value(section: &[String], key: &str) -> Option<String> {
    section.iter().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The replicas' environment as the compose file sets it.
fn compose_environment(compose: &str) -> Vec<(String, String)> {
    let env = section(compose, &["x-api", "environment"]);
    assert!(!env.is_empty(), "the replicas' environment in docker-compose.yml");
    env.iter()
        .map(|l| {
            let (k, v) = l.split_once(':').expect("KEY: value");
            (k.trim().to_owned(), v.trim().trim_matches('"').to_owned())
        })
        .collect()
}

/// A free port on loopback, for a program that binds it itself.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// nginx with `site` as its only server, in `dir`, as one process.
struct Nginx {
    child: Child,
    dir: tempfile::TempDir,
}

impl Nginx {
    fn start(site: &str) -> Nginx {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path().display();
        std::fs::write(dir.path().join("site.conf"), site).expect("site.conf");
        let main = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             include {d}/site.conf;\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), main).expect("nginx.conf");
        let child = Command::new("nginx")
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        Nginx { child, dir }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `deploy/nginx.conf` with the replicas and the listening port replaced by
/// loopback addresses; every other setting as written.
fn site(conf: &str, replicas: [&str; 2], listen: u16) -> String {
    let bind = repo_file("Dockerfile")
        .lines()
        .find_map(|l| l.strip_prefix("ENV LANGNGHE_BIND=").map(str::to_owned))
        .expect("the Dockerfile sets LANGNGHE_BIND");
    let port = bind.rsplit(':').next().expect("host:port").to_owned();
    let mut out = conf.to_owned();
    for (name, addr) in ["api1", "api2"].iter().zip(replicas) {
        let upstream = format!("server {name}:{port} ");
        assert_eq!(
            out.matches(&upstream).count(),
            1,
            "deploy/nginx.conf sends to `{name}` on the port the image listens on ({port})"
        );
        out = out.replace(&upstream, &format!("server {addr} "));
    }
    assert_eq!(out.matches("listen 80;").count(), 1, "deploy/nginx.conf listens on 80");
    // Keep-alive to the replicas needs all three.
    for setting in [
        "keepalive ",
        "proxy_http_version 1.1;",
        "proxy_set_header Connection \"\";",
    ] {
        assert!(out.contains(setting), "deploy/nginx.conf: {setting}");
    }
    out.replace("listen 80;", &format!("listen 127.0.0.1:{listen};"))
}

#[test]
fn the_dockerfile_builds_dependencies_with_every_member_in_a_layer_of_their_own() {
    let dockerfile = repo_file("Dockerfile");
    let manifest = repo_file("Cargo.toml");
    let members = manifest
        .lines()
        .find_map(|l| l.strip_prefix("members = "))
        .expect("workspace members");
    let members: Vec<&str> = members
        .trim_matches(['[', ']'])
        .split(", ")
        .map(|m| m.trim_matches('"'))
        .collect();
    assert!(members.len() >= 5, "{members:?}");
    let first_source_copy = dockerfile.find("COPY . .").expect("the sources are copied");
    let dependency_build = dockerfile.find("cargo build").expect("a build");
    assert!(
        dependency_build < first_source_copy,
        "dependencies are built before the sources are copied"
    );
    for m in members {
        let copy = format!("COPY {m}/Cargo.toml {m}/");
        let at = dockerfile
            .find(&copy)
            .unwrap_or_else(|| panic!("the Dockerfile's dependency layer lacks `{copy}`"));
        assert!(at < dependency_build, "{copy} comes before the dependency build");
    }
    assert!(dockerfile.contains("--locked"), "the image builds what Cargo.lock says");
}

#[actix_web::test]
async fn two_replicas_behind_nginx_share_sign_ins_and_deliver_a_webhook_once() {
    require("nginx");
    let compose = repo_file("docker-compose.yml");
    // The init only migrates; the demo organisation is seeded by a profile
    // an operator asks for.
    assert_eq!(
        value(&section(&compose, &["services", "init"]), "command").as_deref(),
        Some(r#"["migrate"]"#)
    );
    let demo = section(&compose, &["services", "demo"]);
    assert_eq!(value(&demo, "profiles").as_deref(), Some(r#"["demo"]"#));
    assert_eq!(value(&demo, "command").as_deref(), Some(r#"["seed-demo"]"#));
    for replica in ["api1", "api2"] {
        assert_eq!(
            section(&compose, &["services", replica]),
            ["<<: *api"],
            "{replica} is the one image"
        );
    }

    let db = TestDb::new_postgres(&postgres_server_url()).await;
    let letters = tempfile::tempdir().expect("letters dir");
    let admin_password = "topology-admin-password";
    let mut env: Vec<(String, String)> = compose_environment(&compose)
        .into_iter()
        .map(|(k, v)| {
            let v = match k.as_str() {
                "DATABASE_URL" => db.url.clone(),
                "LANGNGHE_JWT_SECRET" => "topology-test-secret-0123456789-0123456789".into(),
                "LANGNGHE_DATA_KEY" => "topology-test-data-key-0123456789-012345678".into(),
                "LANGNGHE_ADMIN_PASSWORD" => admin_password.into(),
                "LANGNGHE_LETTERS_DIR" => letters.path().display().to_string(),
                "LANGNGHE_LOG" => "warn".into(),
                // Unset by default: the replicas' /metrics answer no scraper.
                "LANGNGHE_METRICS_TOKEN" => {
                    assert_eq!(v, "${LANGNGHE_METRICS_TOKEN:-}", "optional");
                    String::new()
                }
                _ => {
                    assert!(
                        !v.contains("${"),
                        "{k}: a value the operator sets, which the test does not know"
                    );
                    v
                }
            };
            (k, v)
        })
        .collect();
    const EVERY_REPLICA_NEEDS: [&str; 4] = [
        "DATABASE_URL",
        "LANGNGHE_JWT_SECRET",
        "LANGNGHE_DATA_KEY",
        "LANGNGHE_LETTERS_DIR",
    ];
    let missing: Vec<&str> = EVERY_REPLICA_NEEDS
        .into_iter()
        .filter(|n| !env.iter().any(|(k, _)| k == n))
        .collect();
    assert!(
        missing.is_empty(),
        "docker-compose.yml gives the replicas no {missing:?}"
    );
    // Loopback only; the receiver below is a local address, which only this
    // setting lets a webhook reach.
    env.push(("LANGNGHE_BIND".into(), "127.0.0.1:0".into()));
    env.push(("LANGNGHE_WEBHOOK_ALLOW_INSECURE".into(), "true".into()));
    let env: Vec<(&str, String)> = env.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();

    // The init, as compose runs it: migrations, nothing else.
    let init = Command::new(SERVICE_BIN)
        .arg("migrate")
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("run the init");
    assert!(
        init.status.success(),
        "the init failed: {}",
        String::from_utf8_lossy(&init.stderr)
    );

    let work = [tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir")];
    let replicas: Vec<Service> = work
        .iter()
        .map(|dir| Service::start("cargo run --release -- serve", dir.path(), &env))
        .collect();
    let direct: Vec<Http> = replicas.iter().map(|r| Http::new(r.base.clone())).collect();
    let addrs: Vec<String> = replicas
        .iter()
        .map(|r| r.base.trim_start_matches("http://").to_owned())
        .collect();
    let port = free_port();
    let nginx = Nginx::start(&site(&repo_file("deploy/nginx.conf"), [&addrs[0], &addrs[1]], port));
    let lb = Http::new(format!("http://127.0.0.1:{port}"));
    let listening = || async { std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() };
    assert!(eventually(20, listening).await, "nginx never listened: {}", nginx.log());
    assert_eq!(lb.get("/readyz", None).await.status, 200, "{}", nginx.log());

    // A sign-in on one replica is honoured by the other, and through nginx
    // whichever replica answers.
    let token = direct[0].login("admin", admin_password).await;
    let me = direct[1].get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.ok(200)["username"], "admin", "{}", me.text);
    for _ in 0..4 {
        lb.get("/api/v1/me", Some(&token)).await.ok(200);
    }
    // Migrate-only: no demo organisation.
    let units = lb.get("/api/v1/units?limit=100", Some(&token)).await;
    assert_eq!(units.ok(200)["items"], json!([]), "nothing seeded unless asked");

    // A webhook event queued through nginx is delivered once, by one of
    // the two replicas' relays.
    let city = lb
        .post(
            "/api/v1/units",
            Some(&token),
            &json!({"kind": "city", "code": "HCM", "name": {"vi": "Thành phố Hồ Chí Minh"}, "valid_from": "2024-01-01"}),
        )
        .await
        .created();
    let agency = lb
        .post(
            "/api/v1/agencies",
            Some(&token),
            &json!({"name": {"vi": "Sở Giáo dục và Đào tạo"}, "kind": "other", "jurisdiction_unit_id": city, "topics": []}),
        )
        .await
        .created();
    let (received, url) = receiver().await;
    lb.put(
        &format!("/api/v1/agencies/{agency}/webhook"),
        Some(&token),
        &json!({"url": url}),
    )
    .await
    .ok(200);
    let event = lb
        .post(
            &format!("/api/v1/agencies/{agency}/webhook/test"),
            Some(&token),
            &json!({}),
        )
        .await
        .string(202, "id");
    let delivered = || async {
        let events = lb.get("/api/v1/webhooks/events?limit=100", Some(&token)).await;
        events
            .items()
            .iter()
            .any(|e| e["id"] == event && e["status"] == "delivered")
    };
    assert!(
        eventually(20, delivered).await,
        "the event was never delivered: {:?}\n{}\n{}",
        received.got(),
        replicas[0].log(),
        replicas[1].log()
    );
    // Both relays have had time to pick it up again, had the outbox let them.
    actix_web::rt::time::sleep(std::time::Duration::from_secs(2)).await;
    let got: Vec<Value> = received
        .got()
        .iter()
        .filter(|r| r.event_id == event)
        .map(|r| json!(r.body))
        .collect();
    assert_eq!(got.len(), 1, "delivered once: {got:?}");
}
