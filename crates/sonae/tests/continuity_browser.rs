//! Browser test for business continuity: a BIA edit that changes the RTO a
//! system inherits (seen on the system page), and a tabletop exercise run
//! to its after-action report. Harness as in browser.rs.
//!
//! chromedriver from SONAE_TEST_CHROMEDRIVER or PATH; skipped without it
//! unless SONAE_TEST_REQUIRE_BROWSER=1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::browser::*;

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
