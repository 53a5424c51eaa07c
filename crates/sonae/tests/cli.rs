//! The `sonae` commands as an operator runs them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn sonae(dir: &std::path::Path, db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sonae"));
    cmd.current_dir(dir)
        .env("SONAE_DATABASE_URL", db)
        .env("SONAE_SECRET_KEY_FILE", dir.join("key"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn users_audit_verify_detects_tampering_and_backup_restores() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = format!("sqlite://{}", d.join("sonae.db").display());
    let o = sonae(d, &db, &["migrate"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = sonae(
        d,
        &db,
        &[
            "user",
            "add",
            "kanri",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("a-long-enough-secret\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = sonae(
        d,
        &db,
        &["user", "add", "kanri2", "--role", "security_officer"],
        None,
    );
    assert!(
        text(&o).contains("password: "),
        "a generated password is printed once"
    );
    let o = sonae(d, &db, &["user", "add", "x", "--role", "wizard"], None);
    assert!(!o.status.success() && text(&o).contains("unknown role"));
    let o = sonae(d, &db, &["user", "list"], None);
    assert!(text(&o).contains("kanri\tadmin") && text(&o).contains("kanri2\tsecurity_officer"));
    let o = sonae(
        d,
        &db,
        &["user", "passwd", "kanri", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!o.status.success(), "weak passwords are refused");

    let o = sonae(d, &db, &["audit", "verify"], None);
    assert!(
        o.status.success() && text(&o).contains("intact"),
        "{}",
        text(&o)
    );
    let o = sonae(d, &db, &["audit", "export", "audit.jsonl"], None);
    assert!(o.status.success());
    assert_eq!(
        std::fs::read_to_string(d.join("audit.jsonl"))
            .unwrap()
            .lines()
            .count(),
        2
    );

    // Backup while "running", then tamper with the live database directly.
    let o = sonae(d, &db, &["backup", "backup.db"], None);
    assert!(o.status.success(), "{}", text(&o));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = sonae_store::Store::connect(&db, std::sync::Arc::new(sonae_domain::SystemClock))
            .await
            .unwrap();
        s.execute_admin("UPDATE audit_log SET after_json = '{\"role\":\"auditor\"}' WHERE seq = 1")
            .await
            .unwrap();
        s.close().await;
    });
    let o = sonae(d, &db, &["audit", "verify"], None);
    assert!(!o.status.success(), "tampering must fail verification");
    assert!(text(&o).contains("Altered { seq: 1 }"), "{}", text(&o));

    // Restore refuses to overwrite without --force, then brings back the intact copy.
    let o = sonae(d, &db, &["restore", "backup.db"], None);
    assert!(!o.status.success());
    let o = sonae(d, &db, &["restore", "backup.db", "--force"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = sonae(d, &db, &["audit", "verify"], None);
    assert!(
        o.status.success(),
        "the restored database verifies: {}",
        text(&o)
    );
    let o = sonae(d, &db, &["user", "list"], None);
    assert!(text(&o).contains("kanri2"));
}

#[test]
fn unknown_configuration_is_refused_with_the_key_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("sonae.toml"), "databse_url = \"sqlite://x.db\"\n").unwrap();
    let o = sonae(
        d,
        "sqlite://y.db",
        &["--config", "sonae.toml", "migrate"],
        None,
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("databse_url"), "{}", text(&o));
}
