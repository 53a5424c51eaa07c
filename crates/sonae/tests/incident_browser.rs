//! One incident walked from report to closure in headless Chromium,
//! in both languages (harness as in browser.rs).
//!
//! chromedriver comes from SONAE_TEST_CHROMEDRIVER or PATH, Chromium from
//! SONAE_TEST_CHROMIUM (default /usr/bin/chromium). Without chromedriver the
//! tests are skipped, unless SONAE_TEST_REQUIRE_BROWSER=1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use fantoccini::{Client, ClientBuilder, Locator};
use std::future::Future;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);

/// The chromedriver process; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn chromedriver_path() -> Option<String> {
    if let Ok(p) = std::env::var("SONAE_TEST_CHROMEDRIVER") {
        return std::path::Path::new(&p).is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("chromedriver"))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

/// Start chromedriver, or None (test skipped) when it is not installed.
async fn start_driver() -> Option<Driver> {
    let Some(bin) = chromedriver_path() else {
        if std::env::var("SONAE_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("SONAE_TEST_REQUIRE_BROWSER=1 but chromedriver was not found");
        }
        eprintln!("chromedriver not found (set SONAE_TEST_CHROMEDRIVER); skipping browser test");
        return None;
    };
    let port = free_port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let driver = Driver { child, port };
    let http = reqwest::Client::new();
    let status = format!("http://127.0.0.1:{port}/status");
    let start = Instant::now();
    loop {
        if let Ok(r) = http.get(&status).send().await {
            if r.status().is_success() {
                return Some(driver);
            }
        }
        assert!(
            start.elapsed() < WAIT,
            "chromedriver did not answer {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn connect(driver: &Driver, profile: &std::path::Path) -> Client {
    let chromium =
        std::env::var("SONAE_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
                "--lang=ja",
                "--window-size=1280,900",
            ],
            "prefs": { "intl.accept_languages": "ja" },
        },
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("WebDriver session")
}

/// Run one browser test: app (SQLite) + seed + browser; the session is
/// closed and chromedriver stopped even when the body panics.
async fn with_browser<F, Fut>(body: F)
where
    F: FnOnce(Client, Arc<common::TestApp>, common::Seed) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    // Server-side errors show up in the output of a failing test.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_max_level(tracing::Level::WARN)
        .try_init();
    let Some(driver) = start_driver().await else {
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let client = connect(&driver, profile.path()).await;
    // The app (and its temporary database directory) is kept alive here
    // for the whole test: an async block may capture only the fields of
    // `app` it uses, which would drop the directory early.
    let app = Arc::new(common::spawn("sqlite").await);
    let seed = app.seed().await;
    let outcome = tokio::spawn(body(client.clone(), Arc::clone(&app), seed)).await;
    let _ = client.close().await;
    drop(driver);
    drop(app);
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("test body failed: {e}");
    }
}

/// Poll `f` until it yields Some, or fail after WAIT naming `what`.
async fn until<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn css(s: &str) -> Locator<'_> {
    Locator::Css(s)
}

async fn path(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_owned()
}

async fn text_of(c: &Client, sel: &str) -> String {
    c.wait()
        .at_most(WAIT)
        .for_element(css(sel))
        .await
        .unwrap_or_else(|e| panic!("element {sel} not found: {e}"))
        .text()
        .await
        .unwrap()
}

async fn value_of(c: &Client, sel: &str) -> String {
    c.find(css(sel))
        .await
        .unwrap_or_else(|e| panic!("element {sel} not found: {e}"))
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn html_lang(c: &Client) -> Option<String> {
    c.find(css("html")).await.ok()?.attr("lang").await.ok()?
}

async fn fill(c: &Client, sel: &str, text: &str) {
    let e = c
        .wait()
        .at_most(WAIT)
        .for_element(css(sel))
        .await
        .unwrap_or_else(|e| panic!("element {sel} not found: {e}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn click(c: &Client, sel: &str) {
    c.wait()
        .at_most(WAIT)
        .for_element(css(sel))
        .await
        .unwrap_or_else(|e| panic!("element {sel} not found: {e}"))
        .click()
        .await
        .unwrap();
}

async fn login(c: &Client, base: &str, user: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "#username", user).await;
    fill(c, "#password", password).await;
    click(c, "#submit").await;
    let start = Instant::now();
    while path(c).await == "/login" {
        if start.elapsed() > WAIT {
            let src = c.source().await.unwrap_or_default();
            let fds = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "ls -l /proc/{}/fd | grep -v socket; ls -la /tmp",
                    std::process::id()
                ))
                .output()
                .unwrap();
            panic!(
                "login as {user} did not leave /login; page:\n{src}\n{}",
                String::from_utf8_lossy(&fds.stdout)
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn logout(c: &Client) {
    c.delete_all_cookies().await.unwrap();
}

/// The page's text (what a reader sees).
async fn body_text(c: &Client) -> String {
    text_of(c, "main").await
}

/// Wait until the incident's facts show this phase.
async fn in_phase(c: &Client, phase: &str) {
    until(phase, || {
        let c = c.clone();
        async move {
            let t = c
                .find(css("#incident-facts"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            t.contains(phase).then_some(())
        }
    })
    .await;
}

#[tokio::test]
async fn an_incident_from_report_to_closure_in_both_languages() {
    with_browser(|c, app, _seed| async move {
        let base = app.base.clone();
        let pw = common::PASSWORD;

        // The system owner reports it through the form.
        login(&c, &base, "owner", pw).await;
        c.goto(&format!("{base}/incidents/new")).await.unwrap();
        fill(&c, "#title", "Webショップ改ざんの疑い").await;
        c.find(css("#category"))
            .await
            .unwrap()
            .select_by_value("tampering")
            .await
            .unwrap();
        c.find(css("#level"))
            .await
            .unwrap()
            .select_by_value("2")
            .await
            .unwrap();
        c.execute(
            "document.querySelector('#discovered_at').value = '2026-11-20T09:30';",
            vec![],
        )
        .await
        .unwrap();
        fill(
            &c,
            "#summary",
            "トップページに見覚えのないリンクがあると顧客から連絡",
        )
        .await;
        click(&c, "input[name=system_ids]").await;
        click(&c, "#report-incident").await;
        let incident = until("the incident page", || {
            let c = c.clone();
            async move {
                let p = path(&c).await;
                let id = p.strip_prefix("/incidents/")?.parse::<i64>().ok()?;
                Some(id)
            }
        })
        .await;
        let page = format!("{base}/incidents/{incident}");
        assert!(text_of(&c, "#incident-facts").await.contains("検知"));
        logout(&c).await;

        // The security officer moves it to triage and respond, logs, assigns
        // a checklist item to the vendor.
        login(&c, &base, "security", pw).await;
        c.goto(&page).await.unwrap();
        for phase in ["トリアージ", "封じ込め・対応"] {
            click(&c, "#next-phase").await;
            in_phase(&c, phase).await;
        }
        fill(
            &c,
            "#log-text",
            "10:05 Webサーバをネットワークから切り離した",
        )
        .await;
        click(&c, "#do-log").await;
        until("the log entry", || {
            let c = c.clone();
            async move {
                let log = c.find(css("#log")).await.ok()?.text().await.ok()?;
                log.contains("10:05 Webサーバをネットワークから切り離した")
                    .then_some(())
            }
        })
        .await;
        let task = value_of(&c, "#assign-task-id").await;
        c.find(css("#assign-vendor"))
            .await
            .unwrap()
            .select_by_label("ウェブ運用株式会社")
            .await
            .unwrap();
        click(&c, "#do-assign").await;
        let status_sel = format!("#task-{task} .task-status");
        let status = text_of(&c, &status_sel).await;
        assert!(status.contains("ウェブ運用株式会社"), "{status}");
        logout(&c).await;

        // The vendor signs in and completes its item.
        login(&c, &base, "vendor", pw).await;
        c.goto(&page).await.unwrap();
        fill(
            &c,
            &format!("#note-{task}"),
            "改ざんされたファイルを特定済み",
        )
        .await;
        click(&c, &format!("#tick-{task}")).await;
        let done = text_of(&c, &status_sel).await;
        assert!(done.contains("vendor"), "{done}");
        assert!(done.contains("改ざんされたファイルを特定済み"), "{done}");
        logout(&c).await;

        // The officer records a decision by someone without the route's
        // authority: the warning appears.
        login(&c, &base, "security", pw).await;
        c.goto(&page).await.unwrap();
        fill(&c, "#decision", "Webショップを停止する").await;
        fill(&c, "#decider", "owner").await;
        c.find(css("#authority"))
            .await
            .unwrap()
            .select_by_value("stop_system")
            .await
            .unwrap();
        c.find(css("#decision-system"))
            .await
            .unwrap()
            .select_by_label("Webショップ")
            .await
            .unwrap();
        fill(&c, "#basis", "電話で指示").await;
        click(&c, "#do-decision").await;
        let warning = text_of(&c, ".decision-warning").await;
        assert!(
            warning.contains("注意") && warning.contains("owner"),
            "{warning}"
        );

        // Recover, then learn; answer the review and add an action.
        for phase in ["復旧", "教訓"] {
            click(&c, "#next-phase").await;
            in_phase(&c, phase).await;
        }
        click(&c, "#review-link").await;
        fill(
            &c,
            "#q-what_happened",
            "09:30 顧客の連絡で発見、10:05 切り離し",
        )
        .await;
        fill(&c, "#q-information_sooner", "CMS の更新履歴").await;
        click(&c, "#save-review").await;
        until("the saved answer", || {
            let c = c.clone();
            async move {
                let t = c
                    .find(css("#question-what_happened"))
                    .await
                    .ok()?
                    .text()
                    .await
                    .ok()?;
                t.contains("第1版").then_some(())
            }
        })
        .await;
        c.find(css("#ra-question"))
            .await
            .unwrap()
            .select_by_value("corrective_actions")
            .await
            .unwrap();
        fill(&c, "#ra-title", "CMS を毎月更新する").await;
        fill(&c, "#ra-owner", "security").await;
        c.execute(
            "document.querySelector('#ra-due').value = '2026-12-31';",
            vec![],
        )
        .await
        .unwrap();
        click(&c, "#do-add-review-action").await;
        let actions = text_of(&c, "#review-actions").await;
        assert!(actions.contains("CMS を毎月更新する") && actions.contains("2026-12-31"));

        // Close it.
        click(&c, "#back-to-incident").await;
        click(&c, "#next-phase").await;
        in_phase(&c, "終了").await;

        // In English: the closed phase and the review with English labels.
        click(&c, "#switch-lang").await;
        until("English", || {
            let c = c.clone();
            async move { (html_lang(&c).await.as_deref() == Some("en")).then_some(()) }
        })
        .await;
        c.goto(&page).await.unwrap();
        let facts = text_of(&c, "#incident-facts").await;
        assert!(facts.contains("Closed"), "{facts}");
        assert!(text_of(&c, ".decision-warning").await.contains("Warning"));
        click(&c, "#review-link").await;
        let review = body_text(&c).await;
        assert!(review.contains("Post-incident review"), "{review}");
        assert!(review.contains("What information was needed sooner?"));
        assert!(review.contains("CMS の更新履歴"));
        assert!(review.contains("version 1"));
        assert!(review.contains("Improvement actions"));
        // The printable report, in English too.
        click(&c, "#report-link").await;
        let report = body_text(&c).await;
        assert!(report.contains("Timeline (work log)"), "{report}");
        assert!(report.contains("10:05 Webサーバをネットワークから切り離した"));
        assert!(report.contains("Closed"));
    })
    .await;
}
