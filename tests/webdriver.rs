//! A small WebDriver client for the browser tests: Debian's Chromium
//! driven by ChromeDriver over HTTP, with `awc` (no other dependency). Each
//! browser has its own ChromeDriver and profile, at a phone's viewport with
//! touch, and goes away with the test.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Where Debian puts them; `.ci/run` installs the packages where missing.
fn program(env: &str, default: &str) -> String {
    std::env::var(env).unwrap_or_else(|_| default.to_owned())
}

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    client: awc::Client,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Ends the session first, so that ChromeDriver closes Chromium and
    /// reaps it, then kills what is left of the driver's process group: a
    /// browser left behind would outlive the test (CI runs hundreds).
    fn drop(&mut self) {
        let _ = end_session(&self.base, &self.session);
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `DELETE /session/{id}` over a plain blocking socket (`drop` cannot
/// await), waiting at most five seconds for ChromeDriver's answer.
fn end_session(base: &str, session: &str) -> std::io::Result<()> {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "DELETE /session/{session} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(())
}

/// A found element.
#[derive(Clone, Debug)]
pub struct Element(String);

impl Browser {
    /// A phone: 390 × 844 CSS px, touch, in `lang`.
    pub async fn phone(lang: &str) -> Browser {
        Self::start(
            lang,
            Some(json!({"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2.0, "touch": true}})),
        )
        .await
    }

    /// A desktop: a 1440 × 900 window, mouse and keyboard, in `lang`.
    pub async fn desktop(lang: &str) -> Browser {
        Self::start(lang, None).await
    }

    async fn start(lang: &str, mobile: Option<Value>) -> Browser {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            l.local_addr().expect("address").port()
        };
        let driver = Command::new(program("CHROMEDRIVER", "/usr/bin/chromedriver"))
            .arg(format!("--port={port}"))
            // Its own process group, so that the browser it starts goes
            // with it (see `Drop`).
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver package; .ci/run installs it)");
        let profile = tempfile::tempdir().expect("profile dir");
        let client = awc::Client::builder().timeout(Duration::from_secs(60)).finish();
        let base = format!("http://127.0.0.1:{port}");
        // Wait for the driver to listen.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if client.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": program("CHROMIUM", "/usr/bin/chromium"),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--disable-extensions", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", format!("--lang={lang}"),
                         "--window-size=1440,900",
                         format!("--user-data-dir={}", profile.path().display())],
                "prefs": {"intl.accept_languages": lang}
            }
        }}});
        if let Some(m) = mobile {
            caps["capabilities"]["alwaysMatch"]["goog:chromeOptions"]["mobileEmulation"] = m;
        }
        let mut res = client
            .post(format!("{base}/session"))
            .send_json(&caps)
            .await
            .expect("new session");
        let body: Value = res.json().limit(1 << 20).await.expect("session answer");
        let session = body["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {body}"))
            .to_owned();
        let b = Browser {
            driver,
            base,
            session,
            client,
            _profile: profile,
        };
        b.cmd(
            "POST",
            "timeouts",
            json!({"implicit": 0, "script": 30000, "pageLoad": 30000}),
        )
        .await;
        b
    }

    async fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}/{}", self.base, self.session, path);
        let req = match method {
            "GET" => self.client.get(url),
            "DELETE" => self.client.delete(url),
            _ => self.client.post(url),
        };
        let mut res = if method == "POST" {
            req.send_json(&body).await
        } else {
            req.send().await
        }
        .unwrap_or_else(|e| panic!("webdriver {path}: {e}"));
        let v: Value = res.json().limit(64 << 20).await.expect("webdriver answer");
        v["value"].clone()
    }

    async fn try_cmd(&self, path: &str, body: Value) -> Result<Value, Value> {
        let v = self.cmd("POST", path, body).await;
        if v.get("error").is_some() { Err(v) } else { Ok(v) }
    }

    pub async fn goto(&self, url: &str) {
        self.cmd("POST", "url", json!({"url": url})).await;
    }

    pub async fn refresh(&self) {
        self.cmd("POST", "refresh", json!({})).await;
    }

    /// Opens a new tab of the same browser (same profile and storage) and
    /// switches to it.
    pub async fn new_tab(&self) {
        let v = self.cmd("POST", "window/new", json!({"type": "tab"})).await;
        let handle = v["handle"]
            .as_str()
            .unwrap_or_else(|| panic!("no new tab: {v}"))
            .to_owned();
        self.cmd("POST", "window", json!({"handle": handle})).await;
    }

    /// Runs `script` in the page (`arguments` are `args`) and returns its value.
    pub async fn js(&self, script: &str, args: Value) -> Value {
        let v = self
            .cmd("POST", "execute/sync", json!({"script": script, "args": args}))
            .await;
        if let Some(e) = v.get("error") {
            panic!("script failed: {e} {}", v["message"]);
        }
        v
    }

    /// Runs an async script: it calls `arguments[arguments.length - 1]` with its result.
    pub async fn js_async(&self, script: &str, args: Value) -> Value {
        let v = self
            .cmd("POST", "execute/async", json!({"script": script, "args": args}))
            .await;
        if let Some(e) = v.get("error") {
            panic!("script failed: {e} {}", v["message"]);
        }
        v
    }

    /// A Chrome DevTools command (network conditions, …).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.cmd("POST", "goog/cdp/execute", json!({"cmd": cmd, "params": params}))
            .await
    }

    /// The first element matching `css`, waiting up to ten seconds for it.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(v) = self
                .try_cmd("element", json!({"using": "css selector", "value": css}))
                .await
                && let Some(id) = v[ELEMENT].as_str()
            {
                return Element(id.to_owned());
            }
            assert!(
                Instant::now() < deadline,
                "no element {css} in {}",
                self.text("body").await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether an element matches `css` now.
    pub async fn has(&self, css: &str) -> bool {
        self.js("return document.querySelector(arguments[0]) !== null", json!([css]))
            .await
            .as_bool()
            .unwrap_or(false)
    }

    /// Clicks the first element matching `css`. An element redrawn between
    /// finding and clicking ("stale element reference": nothing was
    /// clicked) is found again, a few times at most.
    pub async fn click(&self, css: &str) {
        for _ in 0..5 {
            let e = self.find(css).await;
            let v = self.cmd("POST", &format!("element/{}/click", e.0), json!({})).await;
            match v.get("error").and_then(Value::as_str) {
                None => return,
                Some("stale element reference") => tokio::time::sleep(Duration::from_millis(100)).await,
                Some(_) => panic!("click {css}: {v}"),
            }
        }
        panic!("click {css}: redrawn under the click five times");
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.cmd("POST", &format!("element/{}/clear", e.0), json!({})).await;
        let v = self
            .cmd("POST", &format!("element/{}/value", e.0), json!({"text": text}))
            .await;
        assert!(v.get("error").is_none(), "type into {css}: {v}");
    }

    /// Presses keys on whatever has the focus (a shortcut, not typing into a field).
    pub async fn keys(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| {
                let k = c.to_string();
                [
                    json!({"type": "keyDown", "value": k}),
                    json!({"type": "keyUp", "value": k}),
                ]
            })
            .collect();
        self.cmd(
            "POST",
            "actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        )
        .await;
        self.cmd("DELETE", "actions", json!({})).await;
    }

    /// Chooses `value` in the `<select>` matching `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]")).await;
    }

    /// The visible text of the first element matching `css` (empty if none).
    pub async fn text(&self, css: &str) -> String {
        self.js(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : ''",
            json!([css]),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Waits up to `secs` for `check` over the page's text to hold.
    pub async fn wait_text(&self, css: &str, secs: u64, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let t = self.text(css).await;
            if check(&t) {
                return t;
            }
            assert!(Instant::now() < deadline, "{css} never matched; it reads: {t:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits up to `secs` for `script` (which `return`s) to give `true`.
    pub async fn wait_until(&self, script: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while self.js(script, json!([])).await != Value::Bool(true) {
            assert!(Instant::now() < deadline, "never true: {script}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Cuts the network (or gives it back), as a phone losing signal.
    pub async fn offline(&self, offline: bool) {
        self.cdp("Network.enable", json!({})).await;
        self.cdp(
            "Network.emulateNetworkConditions",
            json!({"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
        )
        .await;
    }

    /// Saves a picture of the screen as `<name>.png` in the folder named by
    /// `LANGNGHE_SCREENSHOTS` (`docs/screenshots` refreshes the README's),
    /// when it is set; otherwise does nothing.
    pub async fn screenshot(&self, name: &str) {
        let Ok(dir) = std::env::var("LANGNGHE_SCREENSHOTS") else {
            return;
        };
        let v = self.cmd("GET", "screenshot", json!({})).await;
        let png = data_encoding::BASE64
            .decode(v.as_str().unwrap_or_default().as_bytes())
            .expect("a PNG");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
    }

    /// What axe-core (vendored in `tests/vendor/axe-core`) finds against
    /// WCAG 2.2 A and AA on the page as it is now: one line per violation.
    pub async fn axe(&self) -> Vec<String> {
        const AXE: &str = include_str!("vendor/axe-core/axe.min.js");
        let loaded = self.js("return typeof window.axe !== 'undefined'", json!([])).await;
        if loaded != Value::Bool(true) {
            self.js(&format!("{AXE}\n;return true;"), json!([])).await;
        }
        let found = self
            .js_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
                   .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)))
                   .catch(e => done([`axe failed: ${e}`]));",
                json!([]),
            )
            .await;
        found
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_else(|| vec![format!("axe answered {found}")])
    }

    /// What the page stores on the device: local and session storage,
    /// caches, IndexedDB databases.
    pub async fn stored(&self) -> Value {
        self.js_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
               const caches_ = self.caches ? await caches.keys() : [];
               const dbs = indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : [];
               done({local: Object.keys(localStorage), session: Object.keys(sessionStorage), caches: caches_, indexeddb: dbs});
             })();",
            json!([]),
        )
        .await
    }
}
