//! `cargo xtask test [ARGS…]`: makes sure Debian's Chromium and ChromeDriver
//! (the browser tests drive them), nginx (the deployment's topology test
//! runs it in front of two replicas) and PyPI's `moto` server
//! (the S3-compatible store the letters tests run on loopback), installing
//! them where they are missing, then runs `cargo test --workspace [ARGS…]`.

use std::path::Path;
use std::process::{Command, ExitCode};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const NGINX: &str = "/usr/sbin/nginx";

fn run(program: &str, args: &[&str]) -> bool {
    eprintln!("xtask: {program} {}", args.join(" "));
    Command::new(program).args(args).status().is_ok_and(|s| s.success())
}

/// Installs `chromium`, `chromium-driver` and `nginx-light` from Debian
/// when one of their programs is missing.
fn ensure_debian_packages() -> Result<(), String> {
    let present = || [CHROMIUM, CHROMEDRIVER, NGINX].iter().all(|p| Path::new(p).exists());
    if present() {
        return Ok(());
    }
    eprintln!("xtask: Chromium, ChromeDriver or nginx is missing: installing Debian's packages");
    // apt-get needs root; sudo where the user is not.
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    let (program, prefix): (&str, &[&str]) = if root { ("apt-get", &[]) } else { ("sudo", &["apt-get"]) };
    fn with<'a>(prefix: &[&'a str], args: &[&'a str]) -> Vec<&'a str> {
        [prefix, args].concat()
    }
    let updated = run(program, &with(prefix, &["update", "-qq"]));
    let installed = run(
        program,
        &with(
            prefix,
            &[
                "install",
                "-y",
                "-qq",
                "--no-install-recommends",
                "chromium",
                "chromium-driver",
                "nginx-light",
            ],
        ),
    );
    if updated && installed && present() {
        Ok(())
    } else {
        Err("could not install chromium, chromium-driver and nginx-light (apt-get)".into())
    }
}

/// Installs `moto[server]` from PyPI (with pip) when `moto_server` is not
/// on the path.
fn ensure_moto() -> Result<(), String> {
    let found = || {
        Command::new("moto_server")
            .arg("--help")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if found() {
        return Ok(());
    }
    eprintln!("xtask: moto_server is missing: installing moto[server] from PyPI");
    let installed = run("python3", &["-m", "pip", "install", "--quiet", "moto[server]"]);
    if installed && found() {
        Ok(())
    } else {
        Err("could not install moto[server] (python3 -m pip)".into())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("test") => {
            if let Err(e) = ensure_debian_packages().and_then(|()| ensure_moto()) {
                eprintln!("xtask: {e}");
                return ExitCode::FAILURE;
            }
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let rest: Vec<&str> = args[1..].iter().map(String::as_str).collect();
            let mut test = vec!["test", "--workspace"];
            test.extend(rest);
            if run(&cargo, &test) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        _ => {
            eprintln!("usage: cargo xtask test [cargo test arguments…]");
            ExitCode::FAILURE
        }
    }
}
