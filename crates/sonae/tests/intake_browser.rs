//! The report form in a real browser (headless Chromium through
//! chromedriver): the page's script solves the proof of work, the report
//! lands, and the honeypot stays invisible. Skipped without chromedriver
//! unless SONAE_TEST_REQUIRE_BROWSER=1, like browser.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::browser::*;
use fantoccini::Locator;
use std::time::Duration;

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
