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

/// `sonae demo`, the README's first command: it loads the demo company,
/// prints the URL and a login that works.
#[test]
fn demo_serves_the_demo_company_and_prints_a_working_login() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sonae"))
        .current_dir(dir.path())
        .args(["demo", "--listen", "127.0.0.1:0"])
        .env_remove("SONAE_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stdout = child.stdout.take().unwrap();
    let _guard = Kill(child);
    let mut url = None;
    let mut password = None;
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(u) = line.strip_prefix("sonae demo is running at ") {
            url = Some(u.trim().to_owned());
        }
        if let Some(p) = line.strip_prefix("first login: admin / ") {
            password = Some(p.trim().to_owned());
        }
        if line.starts_with("stop with") {
            break;
        }
    }
    let url = url.expect("the URL is printed");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let password = password.expect("the admin password is printed");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let html = c
            .get(format!("{url}/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let i = html.find("name=\"csrf\" value=\"").unwrap() + 19;
        let csrf = html[i..].split('"').next().unwrap().to_owned();
        let page = c
            .post(format!("{url}/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", "admin"),
                ("password", password.as_str()),
                ("next", "/inventory/systems"),
            ])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for name in ["Webショップ", "社内ファイルサーバ", "受注管理システム"] {
            assert!(page.contains(name), "the demo lists {name}");
        }
    });
}

/// `sonae import` on real feed files (fixtures of sonae-feeds): counts,
/// idempotent re-import, JVN merged into the CVE, a bad file named, and
/// `sonae sync status` telling what loaded.
#[test]
fn import_feed_files_and_report_status() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = format!("sqlite://{}", d.join("sonae.db").display());
    let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sonae-feeds/tests/fixtures");
    let path = |p: &str| fx.join(p).display().to_string();
    let kev = path("kev/known_exploited_vulnerabilities-first23.json");
    let o = sonae(d, &db, &["import", "kev", &kev], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("23 records (23 new"), "{}", text(&o));
    let o = sonae(d, &db, &["import", "kev", &kev], None);
    assert!(
        text(&o).contains("23 unchanged"),
        "re-import changes nothing: {}",
        text(&o)
    );
    let o = sonae(
        d,
        &db,
        &[
            "import",
            "jvn",
            &path("jvn/jvndb_detail_2022.rdf"),
            &path("jvn/getVulnDetailInfo_hnd_JVNDB-2018-009328.xml"),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = sonae(
        d,
        &db,
        &[
            "import",
            "osv",
            &path("osv/GO-2020-0001.json"),
            &path("osv/PYSEC-2023-1.json"),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = sonae(
        d,
        &db,
        &[
            "import",
            "epss",
            &path("epss/epss_scores-2023-03-07.csv.gz"),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    // A file of the wrong kind is named, and the feed keeps its last good data.
    let o = sonae(d, &db, &["import", "jvn", &kev], None);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("known_exploited_vulnerabilities-first23.json"),
        "{}",
        text(&o)
    );
    let o = sonae(d, &db, &["import", "cisa", &kev], None);
    assert!(!o.status.success() && text(&o).contains("unknown feed"));
    let o = sonae(d, &db, &["sync", "status"], None);
    let status = text(&o);
    let line = |feed: &str| {
        status
            .lines()
            .find(|l| l.starts_with(feed))
            .unwrap_or("")
            .to_owned()
    };
    assert!(line("kev").contains(" 23 "), "{status}");
    assert!(line("osv").contains(" 2 "), "{status}");
    assert!(
        line("jvn").contains("not a JVN XML file"),
        "the last error is shown: {status}"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = sonae_store::Store::connect(&db, std::sync::Arc::new(sonae_domain::SystemClock))
            .await
            .unwrap();
        // JVNDB-2022-000001 names CVE-2021-20877: one vulnerability, found by either id.
        let v = s.vuln_get("JVNDB-2022-000001").await.unwrap();
        assert_eq!(v.row.summary.id, "CVE-2021-20877");
        assert!(v
            .row
            .summary
            .title_ja
            .as_deref()
            .unwrap_or("")
            .contains("キヤノン"));
        // A JVN-only entry keeps its JVNDB id.
        assert!(
            s.vuln_get("JVNDB-2018-009328")
                .await
                .unwrap()
                .row
                .summary
                .feeds
                == "jvn"
        );
        let kev = s.vuln_get("CVE-2025-48384").await.unwrap();
        assert!(kev.row.summary.kev);
        assert_eq!(kev.row.summary.kev_due_date.as_deref(), Some("2025-09-15"));
        s.close().await;
    });
}

/// `sonae sync run` with the feed URL from the environment, against a local
/// server: the configuration reaches the sync, and the status shows it.
#[test]
fn sync_run_uses_the_configured_url() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let kev = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../sonae-feeds/tests/fixtures/kev/known_exploited_vulnerabilities-first23.json"),
    )
    .unwrap();
    let base = rt.block_on(async move {
        let app = axum::Router::new().route(
            "/kev.json",
            axum::routing::get(move || async move { kev.clone() }),
        );
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        format!("http://{addr}")
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_owned();
    let db = format!("sqlite://{}", d.join("sonae.db").display());
    let out = rt.block_on(async move {
        tokio::task::spawn_blocking(move || {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_sonae"));
            cmd.current_dir(&d)
                .env("SONAE_DATABASE_URL", &db)
                .env("SONAE_SYNC_KEV_URL", format!("{base}/kev.json"))
                .args(["sync", "run", "kev"]);
            let run = cmd.output().unwrap();
            let status = Command::new(env!("CARGO_BIN_EXE_sonae"))
                .current_dir(&d)
                .env("SONAE_DATABASE_URL", &db)
                .args(["sync", "status"])
                .output()
                .unwrap();
            (run, status)
        })
        .await
        .unwrap()
    });
    assert!(out.0.status.success(), "{}", text(&out.0));
    assert!(text(&out.0).contains("kev: 23 records"), "{}", text(&out.0));
    let status = text(&out.1);
    assert!(
        status
            .lines()
            .any(|l| l.starts_with("kev") && l.contains(" 23 ")),
        "{status}"
    );
}

/// `sonae match` on a real NVD record (CVE-2022-22377: IBM Security Verify
/// Privilege On-Premises before 11.5, running on Windows or macOS): found
/// with its reason on the system that runs both, not elsewhere; a fixed
/// version removes the finding on the next match.
#[test]
fn match_finds_application_on_platform_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = format!("sqlite://{}", d.join("sonae.db").display());
    let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sonae-feeds/tests/fixtures/nvd/api2-page-vunnel.json");
    let o = sonae(d, &db, &["import", "nvd", fx.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (app, other) = rt.block_on(async {
        use sonae_domain::inventory::Kind;
        use sonae_domain::{Actor, Value, Values};
        let s = sonae_store::Store::connect(&db, std::sync::Arc::new(sonae_domain::SystemClock))
            .await
            .unwrap();
        let v = |pairs: &[(&'static str, Value)]| pairs.iter().cloned().collect::<Values>();
        let t = |x: &str| Value::Text(x.into());
        let d = s
            .create(
                &Actor::system(),
                Kind::Department,
                v(&[("name", t("情報システム室"))]),
            )
            .await
            .unwrap()
            .id;
        let sys = |name: &str| {
            v(&[
                ("name", t(name)),
                ("owner_department_id", Value::Int(d)),
                ("exposure", t("intranet")),
                ("confidentiality", Value::Int(2)),
                ("integrity", Value::Int(2)),
                ("availability", Value::Int(2)),
                ("personal_data", Value::Int(0)),
                ("customer_data", Value::Int(0)),
                ("critical_data", Value::Int(0)),
            ])
        };
        let a = s
            .create(&Actor::system(), Kind::System, sys("特権ID管理"))
            .await
            .unwrap()
            .id;
        let b = s
            .create(&Actor::system(), Kind::System, sys("検証環境"))
            .await
            .unwrap()
            .id;
        let comp = |system: i64, product: &str, version: &str, cpe: &str| {
            v(&[
                ("system_id", Value::Int(system)),
                ("product", t(product)),
                ("version", t(version)),
                ("cpe", t(cpe)),
            ])
        };
        let app = s
            .create(
                &Actor::system(),
                Kind::Component,
                comp(
                    a,
                    "Security Verify Privilege",
                    "11.4",
                    "cpe:2.3:a:ibm:security_verify_privilege_on-premises:*:*:*:*:*:*:*:*",
                ),
            )
            .await
            .unwrap();
        s.create(
            &Actor::system(),
            Kind::Component,
            comp(
                a,
                "Windows Server",
                "2019",
                "cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*",
            ),
        )
        .await
        .unwrap();
        // The same application without its platform: no finding.
        let other = s
            .create(
                &Actor::system(),
                Kind::Component,
                comp(
                    b,
                    "Security Verify Privilege",
                    "11.4",
                    "cpe:2.3:a:ibm:security_verify_privilege_on-premises:*:*:*:*:*:*:*:*",
                ),
            )
            .await
            .unwrap();
        s.close().await;
        (app, other.id)
    });
    let o = sonae(d, &db, &["match"], None);
    assert!(o.status.success(), "{}", text(&o));
    let findings = rt.block_on(async {
        let s = sonae_store::Store::connect(&db, std::sync::Arc::new(sonae_domain::SystemClock))
            .await
            .unwrap();
        let f = s
            .findings(&sonae_domain::Actor::system(), None, 100)
            .await
            .unwrap();
        s.close().await;
        f
    });
    let hit = findings
        .iter()
        .find(|f| f.vuln_id == "CVE-2022-22377")
        .unwrap_or_else(|| panic!("no finding: {}", text(&o)));
    assert_eq!(hit.component_id, app.id);
    assert_eq!(hit.certainty, "confirmed");
    assert!(
        hit.reason.contains("11.5") && hit.reason.contains("windows"),
        "the reason names the range and the platform: {}",
        hit.reason
    );
    assert!(
        findings.iter().all(|f| f.component_id != other),
        "no platform, no finding"
    );
    // Patched: the next match removes the finding.
    rt.block_on(async {
        use sonae_domain::inventory::Kind;
        let s = sonae_store::Store::connect(&db, std::sync::Arc::new(sonae_domain::SystemClock))
            .await
            .unwrap();
        let mut values = app.values.clone();
        values.insert("version", sonae_domain::Value::Text("11.5".into()));
        s.update(
            &sonae_domain::Actor::system(),
            Kind::Component,
            app.id,
            app.version,
            values,
        )
        .await
        .unwrap();
        s.close().await;
    });
    let o = sonae(d, &db, &["match"], None);
    assert!(text(&o).contains("removed"), "{}", text(&o));
    let after = rt.block_on(async {
        let s = sonae_store::Store::connect(&db, std::sync::Arc::new(sonae_domain::SystemClock))
            .await
            .unwrap();
        s.findings(&sonae_domain::Actor::system(), None, 100)
            .await
            .unwrap()
    });
    assert!(
        after.iter().all(|f| f.vuln_id != "CVE-2022-22377"),
        "fixed version, no finding"
    );
}

/// Package URLs are matched against OSV ranges: gin before 1.6.0 (GO-2020-0001,
/// CVE-2020-36567) is found by its CVE with the range as the reason.
#[test]
fn match_finds_packages_by_purl_in_osv_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = format!("sqlite://{}", d.join("sonae.db").display());
    let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sonae-feeds/tests/fixtures/osv/GO-2020-0001.json");
    assert!(
        sonae(d, &db, &["import", "osv", fx.to_str().unwrap()], None)
            .status
            .success()
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sonae_domain::inventory::Kind;
        use sonae_domain::{Actor, Value, Values};
        let s = sonae_store::Store::connect(&db, std::sync::Arc::new(sonae_domain::SystemClock))
            .await
            .unwrap();
        let v = |pairs: &[(&'static str, Value)]| pairs.iter().cloned().collect::<Values>();
        let t = |x: &str| Value::Text(x.into());
        let dept = s
            .create(
                &Actor::system(),
                Kind::Department,
                v(&[("name", t("開発部"))]),
            )
            .await
            .unwrap()
            .id;
        let sys = s
            .create(
                &Actor::system(),
                Kind::System,
                v(&[
                    ("name", t("API")),
                    ("owner_department_id", Value::Int(dept)),
                    ("exposure", t("internet")),
                    ("confidentiality", Value::Int(2)),
                    ("integrity", Value::Int(2)),
                    ("availability", Value::Int(2)),
                    ("personal_data", Value::Int(0)),
                    ("customer_data", Value::Int(0)),
                    ("critical_data", Value::Int(0)),
                ]),
            )
            .await
            .unwrap()
            .id;
        for (product, purl) in [
            ("gin", "pkg:golang/github.com/gin-gonic/gin@v1.5.0"),
            ("gin-new", "pkg:golang/github.com/gin-gonic/gin@v1.9.1"),
        ] {
            s.create(
                &Actor::system(),
                Kind::Component,
                v(&[
                    ("system_id", Value::Int(sys)),
                    ("product", t(product)),
                    ("purl", t(purl)),
                ]),
            )
            .await
            .unwrap();
        }
        s.close().await;
    });
    let o = sonae(d, &db, &["match"], None);
    assert!(o.status.success(), "{}", text(&o));
    let f = rt.block_on(async {
        let s = sonae_store::Store::connect(&db, std::sync::Arc::new(sonae_domain::SystemClock))
            .await
            .unwrap();
        s.findings(&sonae_domain::Actor::system(), None, 100)
            .await
            .unwrap()
    });
    assert_eq!(f.len(), 1, "only the old version: {f:?}");
    assert_eq!(f[0].vuln_id, "CVE-2020-36567");
    assert!(f[0].reason.contains("1.6.0"), "{}", f[0].reason);
}

/// CVE List V5 records from a folder, then Vuls scan results as systems:
/// the CNA's and ADP's affected data give findings no NVD record gives.
#[test]
fn import_cve5_and_vuls_scan_results_then_find() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = format!("sqlite://{}", d.join("sonae.db").display());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cve5 = root.join("sonae-feeds/tests/fixtures/cve5");
    let o = sonae(d, &db, &["import", "cve5", cve5.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("8 records (8 new"), "{}", text(&o));
    // Again: nothing changes.
    let o = sonae(d, &db, &["import", "cve5", cve5.to_str().unwrap()], None);
    assert!(text(&o).contains("8 unchanged"), "{}", text(&o));

    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(async {
        use sonae_domain::inventory::Kind;
        use sonae_domain::{Actor, Value, Values};
        let s = sonae_store::Store::connect(&db, std::sync::Arc::new(sonae_domain::SystemClock))
            .await
            .unwrap();
        let mut v = Values::new();
        v.insert("name", Value::Text("情報システム室".into()));
        s.create(&Actor::system(), Kind::Department, v)
            .await
            .unwrap();
        let vuln = s.vuln_get("CVE-2024-26120").await.unwrap();
        assert!(vuln.row.summary.feeds.contains("cve5"));
        assert_eq!(vuln.row.summary.cvss_score, Some(5.4), "the CNA's score");
        assert!(
            s.vuln_get("CVE-2019-1069")
                .await
                .unwrap()
                .row
                .summary
                .exploited
        );
        // /feeds' coverage: seven of the eight have affected data (one is rejected).
        let cov = s.coverage_since("2000-01-01T00:00:00Z").await.unwrap();
        assert_eq!((cov.total, cov.matchable), (8, 7));
        assert_eq!(cov.by_feed, vec![(sonae_domain::vuln::Feed::Cve5, 7)]);
        let none = s.coverage_since("2030-01-01T00:00:00Z").await.unwrap();
        assert_eq!((none.total, none.matchable), (0, 0));
        s
    });

    // A scan result: one application and one CPE name of a pseudo server.
    let scan = serde_json::json!({
        "jsonVersion": 4, "serverName": "aem-host", "family": "pseudo", "release": "",
        "packages": {}, "config": {"scan": {"servers": {"aem-host": {
            "cpeNames": ["cpe:/a:adobe:experience_manager:6.5.18"]}}}}
    });
    let scan_path = d.join("aem-host.json");
    std::fs::write(&scan_path, serde_json::to_vec(&scan).unwrap()).unwrap();
    let o = sonae(
        d,
        &db,
        &["import", "inventory", scan_path.to_str().unwrap()],
        None,
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("--department"), "{}", text(&o));
    let debian = root.join("sonae-collect/tests/fixtures/vuls/debian_12.json");
    let o = sonae(
        d,
        &db,
        &[
            "import",
            "inventory",
            scan_path.to_str().unwrap(),
            debian.to_str().unwrap(),
            "--department",
            "情報システム室",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("new system \"aem-host\": 1 components (1 added"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("12 components (12 added"), "{}", text(&o));
    // The same scan again: the same system, nothing changed.
    let o = sonae(
        d,
        &db,
        &["import", "inventory", scan_path.to_str().unwrap()],
        None,
    );
    assert!(
        text(&o).contains("existing system \"aem-host\": 1 components (0 added, 0 updated, 0 removed, 1 unchanged)"),
        "{}",
        text(&o)
    );
    let found = rt.block_on(async {
        store
            .findings(&sonae_domain::Actor::system(), None, 100)
            .await
            .unwrap()
    });
    let aem: Vec<_> = found
        .iter()
        .filter(|f| f.system_name == "aem-host")
        .collect();
    assert_eq!(aem.len(), 1, "{found:?}");
    assert_eq!(aem[0].vuln_id, "CVE-2024-26120");
    assert!(aem[0].reason.contains("CVE 5"), "{}", aem[0].reason);
    // Debian packages are left to Debian's advisories: no CVE 5 finding.
    assert!(found.iter().all(|f| f.system_name == "aem-host"));
}
