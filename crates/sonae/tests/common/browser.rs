//! The browser-test harness: chromedriver started per test, a headless
//! Chromium session, the app on a fresh SQLite database, and the small
//! steps every page test takes (find, fill, click, wait, log in).
//!
//! chromedriver comes from SONAE_TEST_CHROMEDRIVER or PATH, Chromium from
//! SONAE_TEST_CHROMIUM (default /usr/bin/chromium). Without chromedriver the
//! tests are skipped, unless SONAE_TEST_REQUIRE_BROWSER=1.

use fantoccini::{Client, ClientBuilder, Locator};
use std::future::Future;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const WAIT: Duration = Duration::from_secs(15);

/// The chromedriver process; killed when dropped.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

pub fn chromedriver_path() -> Option<String> {
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
pub async fn start_driver() -> Option<Driver> {
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

pub async fn connect(driver: &Driver, profile: &std::path::Path) -> Client {
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
pub async fn with_browser<F, Fut>(body: F)
where
    F: FnOnce(Client, Arc<super::TestApp>, super::Seed) -> Fut,
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
    let app = Arc::new(super::spawn("sqlite").await);
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
pub async fn until<T, F, Fut>(what: &str, mut f: F) -> T
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

pub fn css(s: &str) -> Locator<'_> {
    Locator::Css(s)
}

pub async fn path(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_owned()
}

/// The element's text; found again if the page is replaced between finding
/// it and reading it (a form's answer loading).
pub async fn text_of(c: &Client, sel: &str) -> String {
    let start = Instant::now();
    loop {
        let e = c
            .wait()
            .at_most(WAIT)
            .for_element(css(sel))
            .await
            .unwrap_or_else(|e| panic!("element {sel} not found: {e}"));
        match e.text().await {
            Ok(t) => return t,
            Err(err) if start.elapsed() < WAIT => {
                let _ = err;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => panic!("element {sel} could not be read: {err}"),
        }
    }
}

/// The element's text once it contains `needle`: after a form is sent the
/// old page can still be read until the answer replaces it. Fails after
/// WAIT naming the element and what it showed last.
pub async fn text_containing(c: &Client, sel: &str, needle: &str) -> String {
    let start = Instant::now();
    loop {
        let last = text_of(c, sel).await;
        if last.contains(needle) || start.elapsed() >= WAIT {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn value_of(c: &Client, sel: &str) -> String {
    c.find(css(sel))
        .await
        .unwrap_or_else(|e| panic!("element {sel} not found: {e}"))
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

pub async fn html_lang(c: &Client) -> Option<String> {
    c.find(css("html")).await.ok()?.attr("lang").await.ok()?
}

pub async fn fill(c: &Client, sel: &str, text: &str) {
    let e = c
        .wait()
        .at_most(WAIT)
        .for_element(css(sel))
        .await
        .unwrap_or_else(|e| panic!("element {sel} not found: {e}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

pub async fn click(c: &Client, sel: &str) {
    c.wait()
        .at_most(WAIT)
        .for_element(css(sel))
        .await
        .unwrap_or_else(|e| panic!("element {sel} not found: {e}"))
        .click()
        .await
        .unwrap();
}

pub async fn login(c: &Client, base: &str, user: &str, password: &str) {
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

pub async fn nav_text(c: &Client) -> String {
    let mut out = Vec::new();
    for a in c.find_all(css("header nav a")).await.unwrap() {
        out.push(a.text().await.unwrap());
    }
    out.join(" | ")
}

pub async fn logout(c: &Client) {
    c.delete_all_cookies().await.unwrap();
}

/// The page's text (what a reader sees).
pub async fn body_text(c: &Client) -> String {
    text_of(c, "main").await
}
