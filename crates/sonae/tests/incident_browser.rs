//! One incident walked from report to closure in headless Chromium,
//! in both languages (harness as in browser.rs).
//!
//! chromedriver comes from SONAE_TEST_CHROMEDRIVER or PATH, Chromium from
//! SONAE_TEST_CHROMIUM (default /usr/bin/chromium). Without chromedriver the
//! tests are skipped, unless SONAE_TEST_REQUIRE_BROWSER=1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::browser::*;
use fantoccini::Client;

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
        let status = text_containing(&c, &status_sel, "ウェブ運用株式会社").await;
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
        let done = text_containing(&c, &status_sel, "vendor").await;
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
