//! The report form in a real browser (headless Chromium through
//! chromedriver): the page's script solves the proof of work, the report
//! lands, and the honeypot stays invisible. Skipped without chromedriver
//! unless SONAE_TEST_REQUIRE_BROWSER=1, like browser.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
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

#[tokio::test]
async fn chromium_fills_the_report_form_and_the_report_lands() {
    let Some(driver) = start_driver().await else {
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let c = connect(&driver, profile.path()).await;
    let app = common::spawn("sqlite").await;
    app.seed().await;
    let outcome = async {
        c.goto(&format!("{}/report", app.base)).await.unwrap();
        let honeypot = c.find(Locator::Css("#website")).await.unwrap();
        assert!(
            !honeypot.is_displayed().await.unwrap(),
            "people never see the honeypot"
        );
        for (id, text) in [
            ("#reporter_name", "佐藤 次郎"),
            ("#reporter_email", "jiro@example.jp"),
            ("#product", "https://shop.example.jp/cart"),
            (
                "#description",
                "The cart accepts a negative quantity and refunds the difference.",
            ),
            ("#vuln_ids", "JVNDB-2023-000123"),
        ] {
            c.find(Locator::Css(id))
                .await
                .unwrap()
                .send_keys(text)
                .await
                .unwrap();
        }
        c.find(Locator::Css("#submit-report"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The script finishes the proof of work, then the form is sent.
        let reference = c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#reference"))
            .await
            .expect("the receipt page appears")
            .text()
            .await
            .unwrap();
        assert!(reference.starts_with("VR-"), "{reference}");
        let reports = app
            .store
            .reports(&sonae_domain::Actor::system(), None)
            .await
            .unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].reference, reference);
        assert_eq!(reports[0].vuln_ids, vec!["JVNDB-2023-000123"]);
        assert_eq!(reports[0].reporter_name.as_deref(), Some("佐藤 次郎"));
        // The kept link opens the reporter's page (the test app's base URL
        // has no port, so follow its path on the test server).
        let link = c
            .find(Locator::Css("#thread-link"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let path = &link[link.find("/report/t/").unwrap()..];
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        let title = c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(title.contains(&reference), "{title}");
    };
    let result = tokio::time::timeout(Duration::from_secs(60), outcome).await;
    let _ = c.close().await;
    drop(driver);
    result.expect("browser test finished in time");
}
