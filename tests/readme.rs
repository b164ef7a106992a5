//! The README's examples run: the shell blocks marked in its source are run,
//! in order, by bash against a fresh service started the way the README
//! says (its start command, with `cargo run --release` standing for the
//! service binary built beside these tests, `LANGNGHE_BIND` on a free
//! loopback port, in a temporary directory: the embedded SQLite file, or a
//! fresh PostgreSQL database when `TEST_DATABASE_URL` is set). Every
//! command must succeed (`set -euo pipefail`, `curl --fail-with-body`), and
//! what each `# →` line shows must be what the command printed.
//!
//! The service runs on the real clock (the examples compute their dates
//! with `date`), so nothing asserted here depends on the day or the hour.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use serde_json::Value;

use crate::support::{TestDb, postgres_admin_url};

/// The service binary the tests start as a process.
pub const SERVICE_BIN: &str = env!("CARGO_BIN_EXE_langnghe-under-test");

/// Where the README says the service listens; the examples' addresses are
/// rewritten to where the test's service listens.
const README_BASE: &str = "http://127.0.0.1:8080";

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// What the comment before a fenced block says about it.
#[derive(Debug, Clone, PartialEq)]
enum Mark {
    /// `<!-- readme-test: start -->`: the command that starts the service.
    Start,
    /// `<!-- readme-test: run -->`: run in order, checked.
    Run,
    /// `<!-- readme-test: not run (why) -->`.
    NotRun,
    None,
}

#[derive(Debug)]
struct Block {
    mark: Mark,
    lang: String,
    /// Line number of the opening fence (1-based).
    line: usize,
    text: String,
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut last_text_line = "";
    let mut lines = readme.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(lang) = line.strip_prefix("```") else {
            if !line.trim().is_empty() {
                last_text_line = line;
            }
            continue;
        };
        let mark = match last_text_line.trim() {
            "<!-- readme-test: start -->" => Mark::Start,
            "<!-- readme-test: run -->" => Mark::Run,
            m if m.starts_with("<!-- readme-test: not run") => Mark::NotRun,
            m if m.starts_with("<!-- readme-test") => panic!("README.md:{n}: unknown mark {m}"),
            _ => Mark::None,
        };
        let mut text = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            text.push_str(l);
            text.push('\n');
        }
        out.push(Block {
            mark,
            lang: lang.trim().to_owned(),
            line: n + 1,
            text,
        });
        last_text_line = "";
    }
    out
}

/// One shell command of an example and what its `# →` lines promise.
#[derive(Debug)]
struct Example {
    /// README line of its first line.
    line: usize,
    text: String,
    promises: Vec<String>,
}

/// Quote and substitution state while reading a command across lines.
#[derive(Default)]
struct Scan {
    single: bool,
    double: bool,
    depth: i32,
}

impl Scan {
    /// Reads one line; says whether the command goes on to the next.
    fn line(&mut self, line: &str) -> bool {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let prev_blank = i == 0 || chars[i - 1].is_whitespace();
            match c {
                '\'' if !self.double => self.single = !self.single,
                '"' if !self.single => self.double = !self.double,
                '\\' if !self.single => i += 1,
                '#' if !self.single && !self.double && prev_blank => break,
                '$' if !self.single && chars.get(i + 1) == Some(&'(') => {
                    self.depth += 1;
                    i += 1;
                }
                '(' if !self.single && !self.double => self.depth += 1,
                ')' if !self.single && self.depth > 0 => self.depth -= 1,
                _ => {}
            }
            i += 1;
        }
        let continued = line.trim_end().ends_with('\\') && !self.single;
        continued || self.single || self.double || self.depth > 0
    }
}

/// Brackets still open in a promise's text (outside strings).
fn open_brackets(text: &str) -> i32 {
    let mut depth = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' | '[' if !in_string => depth += 1,
            '}' | ']' if !in_string => depth -= 1,
            _ => {}
        }
    }
    depth
}

fn examples(block: &Block) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut pending: Option<(Example, Scan)> = None;
    let mut promise: Option<String> = None;
    for (k, line) in block.text.lines().enumerate() {
        let line_no = block.line + 1 + k;
        if let Some((mut ex, mut scan)) = pending.take() {
            ex.text.push_str(line);
            ex.text.push('\n');
            if scan.line(line) {
                pending = Some((ex, scan));
            } else {
                out.push(ex);
            }
            continue;
        }
        let trimmed = line.trim_start();
        if let Some(p) = promise.take() {
            match trimmed.strip_prefix('#') {
                Some(more) if open_brackets(&p) > 0 => {
                    promise = Some(format!("{p} {}", more.trim()));
                    continue;
                }
                _ => close_promise(&mut out, p, line_no),
            }
        }
        if let Some(p) = trimmed.strip_prefix("# →") {
            promise = Some(p.trim().to_owned());
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut scan = Scan::default();
        let ex = Example {
            line: line_no,
            text: format!("{line}\n"),
            promises: Vec::new(),
        };
        if scan.line(line) {
            pending = Some((ex, scan));
        } else {
            out.push(ex);
        }
    }
    if let Some(p) = promise {
        close_promise(&mut out, p, block.line);
    }
    assert!(pending.is_none(), "README.md:{}: a command is left open", block.line);
    out
}

fn close_promise(out: &mut [Example], promise: String, line: usize) {
    assert!(
        open_brackets(&promise) == 0,
        "README.md:{line}: unbalanced promise {promise}"
    );
    let ex = out
        .last_mut()
        .unwrap_or_else(|| panic!("README.md:{line}: a `# →` line before any command"));
    ex.promises.push(promise);
}

// --- Promises: JSON with `…` for "anything" or "and more". ---

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// `…`: any value.
    Any,
    /// A string; `…` inside stands for any text.
    Str(String),
    Literal(Value),
    /// Keys that must be there, with their shapes.
    Object(Vec<(String, Shape)>),
    /// Leading elements; `open` when `…` says more may follow.
    Array(Vec<Shape>, bool),
}

struct Parser<'a> {
    s: &'a [char],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected {c:?} at {}", self.i))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect('"')?;
        let mut out = String::new();
        while let Some(&c) = self.s.get(self.i) {
            self.i += 1;
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let e = *self.s.get(self.i).ok_or("unterminated escape")?;
                    self.i += 1;
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
                c => out.push(c),
            }
        }
        Err("unterminated string".into())
    }

    fn value(&mut self) -> Result<Shape, String> {
        self.ws();
        match self.s.get(self.i) {
            Some('…') => {
                self.i += 1;
                Ok(Shape::Any)
            }
            Some('"') => Ok(Shape::Str(self.string()?)),
            Some('{') => {
                self.i += 1;
                let mut members = Vec::new();
                if self.eat('}') {
                    return Ok(Shape::Object(members));
                }
                loop {
                    if !self.eat('…') {
                        self.ws();
                        let key = self.string()?;
                        self.expect(':')?;
                        members.push((key, self.value()?));
                    }
                    if self.eat('}') {
                        return Ok(Shape::Object(members));
                    }
                    self.expect(',')?;
                }
            }
            Some('[') => {
                self.i += 1;
                let mut items = Vec::new();
                let mut open = false;
                if self.eat(']') {
                    return Ok(Shape::Array(items, open));
                }
                loop {
                    match self.value()? {
                        Shape::Any => open = true,
                        v => items.push(v),
                    }
                    if self.eat(']') {
                        return Ok(Shape::Array(items, open));
                    }
                    self.expect(',')?;
                }
            }
            Some(_) => {
                let start = self.i;
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|c| !matches!(c, ',' | '}' | ']') && !c.is_whitespace())
                {
                    self.i += 1;
                }
                let word: String = self.s[start..self.i].iter().collect();
                serde_json::from_str(&word)
                    .map(Shape::Literal)
                    .map_err(|e| format!("{word}: {e}"))
            }
            None => Err("unexpected end".into()),
        }
    }
}

fn shape(promise: &str) -> Result<Shape, String> {
    let chars: Vec<char> = promise.chars().collect();
    let mut p = Parser { s: &chars, i: 0 };
    let v = p.value()?;
    p.ws();
    if p.i != chars.len() {
        return Err(format!("text after the value at {}", p.i));
    }
    Ok(v)
}

/// Where `actual` differs from `shape` (`path` names the place).
fn mismatch(shape: &Shape, actual: &Value, path: &str) -> Option<String> {
    match (shape, actual) {
        (Shape::Any, _) => None,
        (Shape::Str(s), Value::String(a)) => {
            let ok = match s.split_once('…') {
                Some((head, tail)) => a.starts_with(head) && a.ends_with(tail) && a.len() >= head.len() + tail.len(),
                None => a == s,
            };
            (!ok).then(|| format!("{path}: {a:?} is not {s:?}"))
        }
        (Shape::Literal(l), a) => (l != a).then(|| format!("{path}: {a} is not {l}")),
        (Shape::Object(members), Value::Object(a)) => members.iter().find_map(|(k, s)| match a.get(k) {
            None => Some(format!("{path}.{k}: missing")),
            Some(v) => mismatch(s, v, &format!("{path}.{k}")),
        }),
        (Shape::Array(items, open), Value::Array(a)) => {
            if a.len() < items.len() || (!open && a.len() != items.len()) {
                return Some(format!("{path}: {} elements, {} promised", a.len(), items.len()));
            }
            items
                .iter()
                .zip(a)
                .enumerate()
                .find_map(|(i, (s, v))| mismatch(s, v, &format!("{path}[{i}]")))
        }
        (s, a) => Some(format!("{path}: {a} does not have the shape {s:?}")),
    }
}

/// Checks a command's output against one promise: JSON with `…`, or plain
/// text the output must be.
fn check_promise(promise: &str, output: &str) -> Result<(), String> {
    if !(promise.starts_with('{') || promise.starts_with('[')) {
        return (output.trim() == promise)
            .then_some(())
            .ok_or_else(|| format!("printed {:?}, the README says {promise:?}", output.trim()));
    }
    let shape = shape(promise).map_err(|e| format!("the promise {promise} does not parse: {e}"))?;
    let actual: Value = serde_json::from_str(output.trim())
        .map_err(|e| format!("printed {:?}, not JSON ({e}); the README says {promise}", output.trim()))?;
    match mismatch(&shape, &actual, "$") {
        None => Ok(()),
        Some(m) => Err(format!("{m}\n  printed: {actual}\n  the README says: {promise}")),
    }
}

// --- The service as a process. ---

/// A service process, killed when dropped; its output kept for failures.
pub struct Service {
    child: Child,
    pub base: String,
    log: Arc<Mutex<String>>,
}

impl Service {
    /// Starts `command` (bash) with `env` in `dir`, with `cargo run` as the
    /// service binary, and waits for the line saying where it listens.
    pub fn start(command: &str, dir: &Path, env: &[(&str, String)]) -> Service {
        let shim = "cargo() { [ \"${1:-}\" = run ] || { echo \"only 'cargo run' starts the service\" >&2; exit 97; }; \
                    shift; [ \"${1:-}\" = --release ] && shift; [ \"${1:-}\" = -- ] && shift; \
                    exec \"$LANGNGHE_SERVICE_BIN\" \"$@\"; }";
        let mut cmd = Command::new("bash");
        cmd.arg("-c")
            .arg(format!("{shim}\n{command}"))
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LANGNGHE_SERVICE_BIN", SERVICE_BIN)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start the service");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        let out_log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("Lắng Nghe is listening on ") {
                    let _ = tx.send(addr.trim().to_owned());
                }
                out_log.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let mut stderr = child.stderr.take().expect("stderr");
        let err_log = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                err_log.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let base = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the service did not say where it listens:\n{}", log.lock().unwrap());
            }
        };
        Service { child, base, log }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Fails the test, saying how to install it, when `program` is missing.
pub fn require(program: &str) {
    let found = Command::new("bash")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "this test needs `{program}`: install it (`cargo xtask test` and `.ci/run` do, from Debian's packages)"
    );
}

#[test]
fn every_shell_example_with_curl_is_run_or_says_why_not() {
    let readme = readme();
    let all = blocks(&readme);
    let unmarked: Vec<usize> = all
        .iter()
        .filter(|b| matches!(b.lang.as_str(), "sh" | "bash" | "shell") && b.text.contains("curl "))
        .filter(|b| b.mark == Mark::None)
        .map(|b| b.line)
        .collect();
    assert!(
        unmarked.is_empty(),
        "README.md lines {unmarked:?}: a shell example calls the API without `<!-- readme-test: run -->` \
         (or `<!-- readme-test: not run (why) -->`) before it"
    );
    assert_eq!(
        all.iter().filter(|b| b.mark == Mark::Start).count(),
        1,
        "one block starts the service"
    );
    for b in all.iter().filter(|b| b.mark != Mark::None) {
        assert!(
            matches!(b.lang.as_str(), "sh" | "bash"),
            "README.md:{}: a marked block is ```sh or ```bash",
            b.line
        );
    }
    // Every example run shows what it gives back.
    for b in all.iter().filter(|b| b.mark == Mark::Run) {
        assert!(
            examples(b).iter().any(|e| !e.promises.is_empty()),
            "README.md:{}: an example that is run shows what comes back (a `# →` line)",
            b.line
        );
    }
}

#[test]
fn promises_are_checked_as_written() {
    // The checker itself: what passes and what does not.
    let ok = |p: &str, out: &str| check_promise(p, out).is_ok();
    assert!(ok(
        r#"{"a":"…","b":7200,"c":{"d":"x","e":[…]}}"#,
        r#"{"a":"t","b":7200,"c":{"d":"x","e":[1],"f":2},"g":1}"#
    ));
    assert!(!ok(r#"{"a":"…","b":7200}"#, r#"{"b":7200}"#));
    assert!(!ok(r#"{"b":7200}"#, r#"{"b":7201}"#));
    assert!(ok(r#"{"id":"ln_…"}"#, r#"{"id":"ln_42"}"#));
    assert!(!ok(r#"{"id":"ln_…"}"#, r#"{"id":"xx_42"}"#));
    assert!(ok(r#"[{"k":"a"},…]"#, r#"[{"k":"a","z":1},{"k":"b"}]"#));
    assert!(!ok(r#"[{"k":"a"}]"#, r#"[{"k":"a"},{"k":"b"}]"#));
    assert!(!ok(r#"{"k":null}"#, r#"{"k":false}"#));
    assert!(ok("204", "204\n"));
    assert!(!ok("204", "404\n"));
    assert!(!ok(r#"{"a":1}"#, "not json"));
    // Commands run over several lines; comments and promises are not commands.
    let block = Block {
        mark: Mark::Run,
        lang: "sh".into(),
        line: 1,
        text: "# a comment's apostrophe\nX=$(echo 'a\n  b' | tr -d ' ')   # it's here\necho \"$X\" \\\n  more\n# → {\"a\":\n#    1}\n# not a promise\n"
            .into(),
    };
    let ex = examples(&block);
    assert_eq!(ex.len(), 2, "{ex:?}");
    assert_eq!(ex[0].text.lines().count(), 2);
    assert!(ex[0].promises.is_empty());
    assert_eq!(ex[1].promises, vec![r#"{"a": 1}"#.to_owned()]);
}

#[actix_web::test]
async fn the_readme_examples_run_against_a_fresh_service() {
    require("curl");
    require("jq");
    let readme = readme();
    let all = blocks(&readme);
    let start = all.iter().find(|b| b.mark == Mark::Start).expect("a start block");
    let start_cmds = examples(start);
    assert_eq!(start_cmds.len(), 1, "README.md:{}: one start command", start.line);

    let dir = tempfile::tempdir().expect("temp dir");
    let mut env = vec![
        ("LANGNGHE_BIND", "127.0.0.1:0".to_owned()),
        ("LANGNGHE_LOG", "warn".into()),
    ];
    // The database: the README's embedded SQLite file in the working
    // directory, or a fresh PostgreSQL database set up as the README says.
    let _db = match postgres_admin_url() {
        Some(admin) => {
            let db = TestDb::new_postgres(&admin).await;
            env.extend([
                ("DATABASE_URL", db.url.clone()),
                ("LANGNGHE_JWT_SECRET", "readme-test-secret-0123456789-0123456789".into()),
                ("LANGNGHE_DATA_KEY", "readme-test-data-key-0123456789-0123456789".into()),
                ("LANGNGHE_DEMO", "true".into()),
            ]);
            Some(db)
        }
        None => None,
    };
    let service = Service::start(&start_cmds[0].text, dir.path(), &env);

    let run: Vec<Example> = all.iter().filter(|b| b.mark == Mark::Run).flat_map(examples).collect();
    assert!(run.len() >= 10, "the README's examples: {} commands", run.len());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("out dir");
    let mut script = String::from(
        "set -euo pipefail\nshopt -s inherit_errexit\n\
         curl() { command curl --fail-with-body --show-error \"$@\"; }\n",
    );
    for (i, ex) in run.iter().enumerate() {
        let text = ex.text.replace(README_BASE, &service.base);
        script.push_str(&format!(
            "echo {i} > \"$OUT/current\"\n{{\n{text}\n}} > \"$OUT/{i}.out\"\n"
        ));
    }
    script.push_str("echo done > \"$OUT/current\"\n");
    let result = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env("OUT", &out)
        .stdin(Stdio::null())
        .output()
        .expect("run bash");
    let current = std::fs::read_to_string(out.join("current")).unwrap_or_default();
    let current = current.trim();
    if !result.status.success() {
        let (line, text, printed) = match current.parse::<usize>() {
            Ok(i) => (
                run[i].line,
                run[i].text.clone(),
                std::fs::read_to_string(out.join(format!("{i}.out"))).unwrap_or_default(),
            ),
            Err(_) => (0, String::new(), String::new()),
        };
        panic!(
            "README.md:{line}: this example failed ({}):\n{text}\nit printed: {printed}\nstderr: {}\nthe service's log:\n{}",
            result.status,
            String::from_utf8_lossy(&result.stderr),
            service.log()
        );
    }
    assert_eq!(current, "done");

    let mut checked = 0;
    let mut failures = Vec::new();
    for (i, ex) in run.iter().enumerate() {
        let printed = std::fs::read_to_string(out.join(format!("{i}.out"))).expect("output");
        for p in &ex.promises {
            checked += 1;
            if let Err(e) = check_promise(p, &printed) {
                failures.push(format!("README.md:{}: {}\n  {e}", ex.line, ex.text.trim()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked >= 6, "{checked} promises checked");
}
