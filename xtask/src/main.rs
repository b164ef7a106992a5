//! `cargo xtask test [ARGS…]`: makes sure Debian's Chromium and ChromeDriver
//! (the browser tests drive them), nginx (the deployment's topology test
//! runs it in front of two replicas), PyPI's `moto` server (the
//! S3-compatible store the letters tests run on loopback) and the contract
//! checks' virtual environment (`tests/python/requirements.txt` in
//! `target/venv`), installing them where they are missing, then runs
//! `cargo test --workspace [ARGS…]`.
//!
//! `cargo xtask venv`: only the virtual environment (for `cargo nextest`).

use std::path::{Path, PathBuf};
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

/// The workspace's root (xtask's parent).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where the contract checks' virtual environment lives: `venv` in the
/// target directory (`CARGO_TARGET_DIR`, else the workspace's `target`),
/// where the tests look for it beside their own binary.
fn venv_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    let target = if target.is_absolute() {
        target
    } else {
        workspace().join(target)
    };
    target.join("venv")
}

/// Creates the virtual environment of `tests/python/requirements.txt` when
/// it is missing or was made from another version of that file (a copy of
/// the file it was made from is kept in it); otherwise touches nothing, so
/// that it works offline once made.
fn ensure_venv() -> Result<(), String> {
    let requirements = workspace().join("tests/python/requirements.txt");
    let wanted = std::fs::read(&requirements).map_err(|e| format!("read {}: {e}", requirements.display()))?;
    let venv = venv_dir();
    let stamp = venv.join("requirements.txt");
    let python = venv.join("bin/python");
    if python.exists() && std::fs::read(&stamp).is_ok_and(|made| made == wanted) {
        return Ok(());
    }
    eprintln!(
        "xtask: the contract checks' virtual environment is missing or out of date: making {}",
        venv.display()
    );
    if venv.exists() {
        std::fs::remove_dir_all(&venv).map_err(|e| format!("remove {}: {e}", venv.display()))?;
    }
    let venv_str = venv.to_string_lossy().into_owned();
    let python_str = python.to_string_lossy().into_owned();
    let requirements_str = requirements.to_string_lossy().into_owned();
    let made = run("python3", &["-m", "venv", &venv_str])
        && run(
            &python_str,
            &["-m", "pip", "install", "--quiet", "--no-deps", "-r", &requirements_str],
        )
        && run(&python_str, &["-m", "pip", "check"]);
    if made {
        std::fs::write(&stamp, wanted).map_err(|e| format!("write {}: {e}", stamp.display()))
    } else {
        Err(format!(
            "could not install {} into {venv_str} (python3 -m venv, pip)",
            requirements.display()
        ))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("test") => {
            if let Err(e) = ensure_debian_packages()
                .and_then(|()| ensure_moto())
                .and_then(|()| ensure_venv())
            {
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
        Some("venv") => match ensure_venv() {
            Ok(()) => {
                println!("{}", venv_dir().display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("xtask: {e}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("usage: cargo xtask test [cargo test arguments…] | cargo xtask venv");
            ExitCode::FAILURE
        }
    }
}
