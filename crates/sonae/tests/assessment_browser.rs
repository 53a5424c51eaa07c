//! An assessment answered in a real browser (headless Chromium through
//! chromedriver): the 25-item self-check's radios clicked and saved, and the
//! server-drawn radar chart shows one point per part. Skipped without
//! chromedriver unless SONAE_TEST_REQUIRE_BROWSER=1, like browser.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::browser::*;
use fantoccini::Locator;
use std::time::{Duration, Instant};

#[tokio::test]
async fn chromium_answers_the_self_check_and_sees_its_radar_chart() {
    let Some(driver) = start_driver().await else {
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let c = connect(&driver, profile.path()).await;
    let app = common::spawn("sqlite").await;
    app.seed().await;
    let outcome = async {
        c.goto(&format!("{}/login", app.base)).await.unwrap();
        c.find(Locator::Css("input[name=username]"))
            .await
            .unwrap()
            .send_keys("security")
            .await
            .unwrap();
        c.find(Locator::Css("input[name=password]"))
            .await
            .unwrap()
            .send_keys(common::PASSWORD)
            .await
            .unwrap();
        c.find(Locator::Css("#submit"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#account-link"))
            .await
            .unwrap();
        c.goto(&format!("{}/assessments", app.base)).await.unwrap();
        c.find(Locator::Css("#do-start"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#answers"))
            .await
            .unwrap();
        // Part 1 all done (20), the rest partly (20 × 2 = 40): 60.
        for n in 1..=25 {
            let choice = if n <= 5 { "done" } else { "partly" };
            c.find(Locator::Css(&format!(
                "input[name='a-{n}'][value='{choice}']"
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        }
        c.find(Locator::Css("#save-answers"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let total = c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#total"))
            .await
            .unwrap();
        // Wait for the page after the save, not the one before it.
        let start = Instant::now();
        while total.text().await.map(|t| t != "60").unwrap_or(true) {
            assert!(start.elapsed() < WAIT, "total never reached 60");
            tokio::time::sleep(Duration::from_millis(100)).await;
            if let Ok(t) = c.find(Locator::Css("#total")).await {
                if t.text().await.unwrap_or_default() == "60" {
                    break;
                }
            }
        }
        let radar = c.find(Locator::Css("svg#radar")).await.unwrap();
        assert!(radar.is_displayed().await.unwrap());
        let points = c
            .find(Locator::Css("svg#radar polygon#radar-area"))
            .await
            .unwrap()
            .attr("points")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(points.split(' ').count(), 3, "{points}");
        let labels = c
            .find_all(Locator::Css("svg#radar text"))
            .await
            .unwrap()
            .len();
        assert_eq!(labels, 3);
    };
    let result = tokio::time::timeout(Duration::from_secs(90), outcome).await;
    let _ = c.close().await;
    drop(driver);
    result.expect("browser test finished in time");
}
