//! What the command-line tests share: running the real binary, and a server it starts.
#![allow(dead_code)] // each test file uses its own part

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

pub fn bulwark(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env("BULWARK_LOG", "warn")
        .output()
        .expect("run bulwark")
}

pub fn bulwark_with_stdin(db: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .arg("--database")
        .arg(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run bulwark");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Starts a long-running command, reads its standard output up to the "serving at" line, and
/// returns the child, the base URL and everything printed so far.
pub fn spawn_until_serving(mut command: Command) -> (std::process::Child, String, String) {
    if !command.get_envs().any(|(k, _)| k == "BULWARK_LOG") {
        command.env("BULWARK_LOG", "warn");
    }
    let mut child = command.stdout(Stdio::piped()).spawn().expect("start bulwark");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let (mut printed, mut line) = (String::new(), String::new());
    while !line.contains("serving at") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "stopped before serving: {printed}");
        printed.push_str(&line);
    }
    let base = format!("http://{}", line.trim().rsplit("http://").next().unwrap_or_default());
    (child, base, printed)
}

pub fn terminate(child: std::process::Child) -> Output {
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// The password `create_user` gives every account.
pub const PASSWORD: &str = "a long password here";

/// Creates an account with the CLI (its password from standard input) and returns an API
/// token made for it.
pub fn create_user(url: &str, email: &str, role: &str) -> String {
    let created = bulwark_with_stdin(
        url,
        &["user", "create", "--email", email, "--name", email, "--role", role, "--password-stdin"],
        PASSWORD,
    );
    assert!(created.status.success(), "{}", stderr(&created));
    stdout(&bulwark(url, &["token", "create", "--email", email, "--name", "test"])).trim().to_string()
}
