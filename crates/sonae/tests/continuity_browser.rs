//! Browser test for business continuity: a BIA edit that changes the RTO a
//! system inherits (seen on the system page), and a tabletop exercise run
//! to its after-action report. Harness as in browser.rs.
//!
//! chromedriver from SONAE_TEST_CHROMEDRIVER or PATH; skipped without it
//! unless SONAE_TEST_REQUIRE_BROWSER=1.
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

#[allow(dead_code)]
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

#[allow(dead_code)]
async fn nav_text(c: &Client) -> String {
    let mut out = Vec::new();
    for a in c.find_all(css("header nav a")).await.unwrap() {
        out.push(a.text().await.unwrap());
    }
    out.join(" | ")
}

#[tokio::test]
async fn a_bia_edit_changes_the_rto_on_the_system_page_and_an_exercise_reaches_its_report() {
    with_browser(|c, app, seed| async move {
        login(&c, &app.base, "security", common::PASSWORD).await;
        // A new process with its impact analysis, RTO 24 h, on the web shop.
        c.goto(&format!("{}/continuity/processes/new", app.base))
            .await
            .unwrap();
        fill(&c, "#p-name", "受注").await;
        c.find(css("#p-dept"))
            .await
            .unwrap()
            .select_by_value(&seed.ec.to_string())
            .await
            .unwrap();
        c.find(css("#p-systems"))
            .await
            .unwrap()
            .select_by_value(&seed.shop.to_string())
            .await
            .unwrap();
        c.find(css("#impact_3d_money"))
            .await
            .unwrap()
            .select_by_value("3")
            .await
            .unwrap();
        fill(&c, "#p-rto", "24").await;
        click(&c, "#save-process").await;
        until("overview", || async {
            (path(&c).await == "/continuity").then_some(())
        })
        .await;
        let row = text_of(&c, &format!("#system-{}", seed.shop)).await;
        assert!(row.contains("24 時間") && row.contains("受注"), "{row}");
        // The BIA says one day is already intolerable: tighten to 4 hours.
        click(&c, "#processes td a").await;
        c.find(css("#impact_1d_customers"))
            .await
            .unwrap()
            .select_by_value("3")
            .await
            .unwrap();
        fill(&c, "#p-rto", "4").await;
        click(&c, "#save-process").await;
        until("overview again", || async {
            (path(&c).await == "/continuity").then_some(())
        })
        .await;
        c.goto(&format!("{}/inventory/systems/{}", app.base, seed.shop))
            .await
            .unwrap();
        let body = text_of(&c, "main").await;
        assert!(
            body.contains("4 時間") && !body.contains("24 時間"),
            "{body}"
        );
        assert!(body.contains("受注"));

        // An exercise with the owner as participant, run to its report.
        c.goto(&format!("{}/continuity", app.base)).await.unwrap();
        c.find(css("#x-scenario"))
            .await
            .unwrap()
            .select_by_value("targeted-attack")
            .await
            .unwrap();
        let owner = app.store.user_by_name("owner").await.unwrap().unwrap().id;
        c.find(css("#x-participants"))
            .await
            .unwrap()
            .select_by_value(&owner.to_string())
            .await
            .unwrap();
        let pid = app
            .store
            .processes(&sonae_domain::Actor::system())
            .await
            .unwrap()[0]
            .id;
        c.find(css("#x-processes"))
            .await
            .unwrap()
            .select_by_value(&pid.to_string())
            .await
            .unwrap();
        click(&c, "#do-start-exercise").await;
        until("runner", || async {
            path(&c)
                .await
                .starts_with("/continuity/exercises/")
                .then_some(())
        })
        .await;
        assert!(text_of(&c, "#injects").await.contains("攻撃者"));
        fill(&c, "#log-body", "UTM のログを確認").await;
        click(&c, "#add-log").await;
        until("log entry", || async {
            c.find(css("#exercise-log"))
                .await
                .ok()?
                .text()
                .await
                .ok()?
                .contains("UTM のログを確認")
                .then_some(())
        })
        .await;
        click(&c, "#mark-detected").await;
        until("milestone", || async {
            c.find(css("#milestone-detected .reached"))
                .await
                .ok()
                .map(|_| ())
        })
        .await;
        click(&c, "#next-inject").await;
        until("second inject", || async {
            c.find(css("#injects"))
                .await
                .ok()?
                .text()
                .await
                .ok()?
                .contains("添付ファイル")
                .then_some(())
        })
        .await;
        click(&c, "#mark-restored").await;
        until("restored", || async {
            c.find(css("#milestone-restored .reached"))
                .await
                .ok()
                .map(|_| ())
        })
        .await;
        assert!(text_of(&c, "#rto-verdict").await.contains("RTO 4 時間以内"));
        // The runner proposes the milestones not reached as findings.
        let proposed = value_of(&c, "#findings").await;
        assert!(proposed.contains("未達成のマイルストーン"), "{proposed}");
        click(&c, "#finish").await;
        until("report", || async {
            c.find(css("#report")).await.ok().map(|_| ())
        })
        .await;
        let list = text_of(&c, "#findings-list").await;
        assert!(list.contains("未達成のマイルストーン"));
        click(&c, "#findings-list button").await;
        until("action made", || async {
            c.find(css("#findings-list a[href^='/actions']"))
                .await
                .ok()
                .map(|_| ())
        })
        .await;
        c.goto(&format!("{}/actions", app.base)).await.unwrap();
        assert!(text_of(&c, "#actions")
            .await
            .contains("未達成のマイルストーン"));
    })
    .await;
}
