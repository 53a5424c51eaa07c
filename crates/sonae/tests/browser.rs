//! Browser tests: the real app driven through headless Chromium
//! (chromedriver + fantoccini), checking what a user actually sees.
//!
//! chromedriver comes from SONAE_TEST_CHROMEDRIVER or PATH, Chromium from
//! SONAE_TEST_CHROMIUM (default /usr/bin/chromium). Without chromedriver the
//! tests are skipped, unless SONAE_TEST_REQUIRE_BROWSER=1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::browser::*;
use fantoccini::Client;
use sonae_domain::inventory::Kind;

#[tokio::test]
async fn first_login_and_language_switch() {
    with_browser(|c, app, _seed| async move {
        // Wrong password: an error, still on the login page.
        c.goto(&format!("{}/login", app.base)).await.unwrap();
        fill(&c, "#username", "admin").await;
        fill(&c, "#password", "wrong-password").await;
        click(&c, "#submit").await;
        let err = text_of(&c, "#login-error").await;
        assert!(!err.trim().is_empty(), "login error is empty");
        assert_eq!(path(&c).await, "/login");
        assert!(
            c.find(css("header nav")).await.is_err(),
            "nav shown before login"
        );

        // Correct password: home page with the menu.
        login(&c, &app.base, "admin", common::PASSWORD).await;
        assert_eq!(path(&c).await, "/");
        c.wait()
            .at_most(WAIT)
            .for_element(css("header nav a"))
            .await
            .unwrap();
        assert!(c.find(css("#logout")).await.is_ok());
        assert_eq!(html_lang(&c).await.as_deref(), Some("ja"));
        assert_eq!(text_of(&c, "#switch-lang").await, "English");
        let nav_ja = nav_text(&c).await;
        let h1_ja = text_of(&c, "h1").await;

        // Switch to English.
        click(&c, "#switch-lang").await;
        until("html lang=en", || async {
            (html_lang(&c).await.as_deref() == Some("en")).then_some(())
        })
        .await;
        let nav_en = nav_text(&c).await;
        assert_ne!(nav_ja, nav_en, "menu did not change language");
        assert!(
            nav_en.chars().any(|ch| ch.is_ascii_alphabetic()),
            "English menu has no English text: {nav_en}"
        );
        assert!(nav_en.contains("Import"), "English menu: {nav_en}");
        assert_eq!(text_of(&c, "#switch-lang").await, "日本語");
        let h1_en = text_of(&c, "h1").await;
        assert_ne!(h1_ja, h1_en, "heading did not change language");
        // The choice sticks across pages.
        c.goto(&format!("{}/inventory/systems", app.base))
            .await
            .unwrap();
        assert_eq!(html_lang(&c).await.as_deref(), Some("en"));

        // And back to Japanese.
        click(&c, "#switch-lang").await;
        until("html lang=ja", || async {
            (html_lang(&c).await.as_deref() == Some("ja")).then_some(())
        })
        .await;
        assert_eq!(text_of(&c, "#switch-lang").await, "English");
        assert!(nav_text(&c).await.contains("一括登録"));
    })
    .await;
}

#[tokio::test]
async fn add_system_and_component() {
    with_browser(|c, app, _seed| async move {
        login(&c, &app.base, "admin", common::PASSWORD).await;
        c.goto(&format!("{}/inventory/systems", app.base))
            .await
            .unwrap();
        click(&c, "#new-record").await;
        c.wait()
            .at_most(WAIT)
            .for_element(css("#name"))
            .await
            .unwrap();

        // Fill everything but the name, then save: the name error shows
        // beside the field and the other answers are kept.
        c.find(css("#owner_department_id"))
            .await
            .unwrap()
            .select_by_label("通販事業部")
            .await
            .unwrap();
        c.find(css("#exposure"))
            .await
            .unwrap()
            .select_by_value("internet")
            .await
            .unwrap();
        fill(&c, "#confidentiality", "3").await;
        fill(&c, "#integrity", "2").await;
        fill(&c, "#availability", "2").await;
        click(&c, "#save").await;
        let name_err = text_of(&c, "#name-error").await;
        assert!(!name_err.trim().is_empty());
        // The error sits in the same field block as the #name input.
        assert!(
            c.find(css(".field.invalid #name")).await.is_ok(),
            "name field not marked invalid"
        );
        assert!(c.find(css(".field.invalid #name-error")).await.is_ok());
        assert_eq!(
            c.find(css("#name"))
                .await
                .unwrap()
                .attr("aria-describedby")
                .await
                .unwrap()
                .as_deref(),
            Some("name-error")
        );
        assert_eq!(value_of(&c, "#exposure").await, "internet");
        assert_eq!(value_of(&c, "#confidentiality").await, "3");
        assert_eq!(value_of(&c, "#integrity").await, "2");
        assert_eq!(value_of(&c, "#availability").await, "2");
        let dept = c
            .find(css("#owner_department_id option:checked"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(dept, "通販事業部");
        assert_eq!(app.store.count(Kind::System).await.unwrap(), 2);

        // Now with a name: saved, and we are on its page.
        fill(&c, "#name", "受注管理").await;
        click(&c, "#save").await;
        until("the new system's page", || async {
            let h1 = c.find(css("h1")).await.ok()?.text().await.ok()?;
            h1.contains("受注管理").then_some(())
        })
        .await;
        let system_path = path(&c).await;
        let id = system_path
            .strip_prefix("/inventory/systems/")
            .unwrap_or_else(|| panic!("not on a system page: {system_path}"))
            .to_owned();
        assert!(id.parse::<i64>().is_ok(), "system path {system_path}");
        assert_eq!(app.store.count(Kind::System).await.unwrap(), 3);
        let record = text_of(&c, "dl.record").await;
        assert!(record.contains("通販事業部"), "record: {record}");

        // Add a component from the system page.
        let add = format!("a[href='/inventory/components/new?system_id={id}']");
        click(&c, &add).await;
        c.wait()
            .at_most(WAIT)
            .for_element(css("#product"))
            .await
            .unwrap();
        assert_eq!(
            value_of(&c, "#system_id").await,
            id,
            "system not preselected"
        );
        fill(&c, "#product", "Apache HTTP Server").await;
        fill(&c, "#version", "2.4.58").await;
        fill(
            &c,
            "#cpe",
            "cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*",
        )
        .await;
        click(&c, "#save").await;
        until("the component's page", || async {
            let h1 = c.find(css("h1")).await.ok()?.text().await.ok()?;
            h1.contains("Apache HTTP Server").then_some(())
        })
        .await;
        assert!(c.find(css("#form-error")).await.is_err());

        // The system page lists it.
        c.goto(&format!("{}{system_path}", app.base)).await.unwrap();
        let mut found = false;
        for table in c
            .find_all(css("section.related table.records"))
            .await
            .unwrap()
        {
            let t = table.text().await.unwrap();
            if t.contains("Apache HTTP Server") {
                assert!(t.contains("2.4.58"), "components table: {t}");
                found = true;
            }
        }
        assert!(found, "component not listed on the system page");
    })
    .await;
}

fn write_sjis(dir: &std::path::Path, name: &str, text: &str) -> String {
    let (bytes, _, bad) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!bad, "not encodable in Shift_JIS");
    let p = dir.join(name);
    std::fs::write(&p, &bytes).unwrap();
    p.display().to_string()
}

const CSV_HEADER: &str = "name,purpose,owner_department,administrator,vendor,location,exposure,personal_data,customer_data,critical_data,confidentiality,integrity,availability,end_of_support,notes";

async fn upload(c: &Client, base: &str, file: &str) {
    c.goto(&format!("{base}/inventory/import")).await.unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(css("#kind"))
        .await
        .unwrap()
        .select_by_value("systems")
        .await
        .unwrap();
    c.find(css("#file"))
        .await
        .unwrap()
        .send_keys(file)
        .await
        .unwrap();
    click(c, "#import-submit").await;
    c.wait()
        .at_most(WAIT)
        .for_element(css("#import-result"))
        .await
        .unwrap();
}

#[tokio::test]
async fn csv_import_error_is_shown() {
    with_browser(|c, app, _seed| async move {
        let dir = tempfile::tempdir().unwrap();
        login(&c, &app.base, "admin", common::PASSWORD).await;

        let bad = format!(
            "{CSV_HEADER}\r\n\
             受注管理,受注の処理,通販事業部,,,cloud,internet,はい,はい,,3,2,2,,\r\n\
             配送管理,配送の手配,物流部,,,on_premises,somewhere,,,,5,2,2,,\r\n"
        );
        let bad = write_sjis(dir.path(), "bad.csv", &bad);
        upload(&c, &app.base, &bad).await;
        let result = c.find(css("#import-result")).await.unwrap();
        assert_eq!(
            result.attr("class").await.unwrap().as_deref(),
            Some("error")
        );
        let mut items = Vec::new();
        for li in c.find_all(css("#import-errors li")).await.unwrap() {
            items.push(li.text().await.unwrap());
        }
        assert!(!items.is_empty(), "no error details");
        assert!(
            items
                .iter()
                .any(|t| t.contains("3 行目") && t.contains("exposure")),
            "no error naming line 3 / exposure: {items:?}"
        );
        assert!(
            items
                .iter()
                .any(|t| t.contains("3 行目") && t.contains("confidentiality")),
            "no error naming line 3 / confidentiality: {items:?}"
        );
        assert!(
            items.iter().all(|t| !t.contains("2 行目")),
            "good line reported: {items:?}"
        );
        assert_eq!(
            app.store.count(Kind::System).await.unwrap(),
            2,
            "partial import"
        );

        let good = format!(
            "{CSV_HEADER}\r\n\
             受注管理,受注の処理,通販事業部,,,cloud,internet,はい,はい,,3,2,2,,\r\n\
             配送管理,配送の手配,物流部,,,on_premises,intranet,,,,2,2,2,,\r\n"
        );
        let good = write_sjis(dir.path(), "good.csv", &good);
        upload(&c, &app.base, &good).await;
        let result = c.find(css("#import-result")).await.unwrap();
        assert_eq!(
            result.attr("class").await.unwrap().as_deref(),
            Some("flash")
        );
        let msg = result.text().await.unwrap();
        assert!(msg.contains('2'), "success message: {msg}");
        assert!(c.find(css("#import-errors")).await.is_err());
        assert_eq!(app.store.count(Kind::System).await.unwrap(), 4);

        // The imported systems show up in the list.
        c.goto(&format!("{}/inventory/systems", app.base))
            .await
            .unwrap();
        let table = text_of(&c, "table.records").await;
        assert!(
            table.contains("受注管理") && table.contains("配送管理"),
            "{table}"
        );
    })
    .await;
}

#[tokio::test]
async fn system_owner_refused_other_department() {
    with_browser(|c, app, seed| async move {
        login(&c, &app.base, "owner", common::PASSWORD).await;
        c.goto(&format!("{}/inventory/systems", app.base))
            .await
            .unwrap();
        let table = text_of(&c, "table.records").await;
        assert!(table.contains("Webショップ"), "own system missing: {table}");
        assert!(
            !table.contains("倉庫管理"),
            "other department's system listed: {table}"
        );

        for url in [
            format!("{}/inventory/systems/{}", app.base, seed.wms),
            format!("{}/inventory/systems/{}/edit", app.base, seed.wms),
        ] {
            c.goto(&url).await.unwrap();
            let msg = text_of(&c, "#message").await;
            assert!(!msg.trim().is_empty(), "{url}: empty refusal message");
            let main = text_of(&c, "main").await;
            assert!(!main.contains("倉庫管理"), "{url} leaks the record: {main}");
            assert!(c.find(css("#save")).await.is_err(), "{url} shows a form");
            assert!(
                c.find(css("dl.record")).await.is_err(),
                "{url} shows the record"
            );
        }

        // The own department's system is still readable.
        c.goto(&format!("{}/inventory/systems/{}", app.base, seed.shop))
            .await
            .unwrap();
        assert!(text_of(&c, "h1").await.contains("Webショップ"));
    })
    .await;
}

/// The handling workflow in the browser: the officer finds the finding in
/// the queue and takes it through ①②③; the owner department agrees (the
/// step the officer is not offered); the page shows the history, in
/// Japanese and, after switching, in English.
#[tokio::test]
async fn a_finding_is_worked_through_the_workflow_by_officer_and_owner() {
    with_browser(|c, app, seed| async move {
        let comp = app
            .store
            .create(
                &sonae_domain::Actor::system(),
                Kind::Component,
                [
                    ("system_id", sonae_domain::Value::Int(seed.shop)),
                    ("product", sonae_domain::Value::Text("http_server".into())),
                    ("version", sonae_domain::Value::Text("2.4.58".into())),
                ]
                .into_iter()
                .collect(),
            )
            .await
            .unwrap();
        app.store
            .replace_findings(&[sonae_store::NewFinding {
                component_id: comp.id,
                system_id: seed.shop,
                vuln_id: "CVE-2024-27316".into(),
                certainty: "confirmed".into(),
                reason: "cpe:2.3:a:apache:http_server:* versionEndExcluding 2.4.59 > 2.4.58".into(),
            }])
            .await
            .unwrap();
        let policy = app.store.priority_policy().await.unwrap();
        app.store.refresh_priorities(&policy).await.unwrap();

        login(&c, &app.base, "security", common::PASSWORD).await;
        c.goto(&format!("{}/findings", app.base)).await.unwrap();
        assert!(text_of(&c, "#result-count").await.contains("1 件"));
        click(&c, "#queue a[href^='/findings/']").await;
        click(&c, "#do-start").await;
        // ① without its findings: the page says which field is missing.
        click(&c, "#do-investigated").await;
        let err = text_of(&c, "#form-error").await;
        assert!(err.contains("調査結果"), "{err}");
        fill(&c, "#investigated-conditions", "HTTP/2 を有効にしている").await;
        click(&c, "#do-investigated").await;
        c.wait()
            .at_most(WAIT)
            .for_element(css("#direct-direction"))
            .await
            .unwrap()
            .select_by_value("patch")
            .await
            .unwrap();
        fill(&c, "#direct-impact", "夜間に30分停止").await;
        click(&c, "#do-direct").await;
        c.wait()
            .at_most(WAIT)
            .for_element(css("#plan-scheduled"))
            .await
            .unwrap();
        c.execute(
            "document.querySelector('#plan-scheduled').value = '2030-01-15';",
            vec![],
        )
        .await
        .unwrap();
        c.find(css("#plan-test_environment"))
            .await
            .unwrap()
            .select_by_value("virtual")
            .await
            .unwrap();
        fill(&c, "#plan-people", "ウェブ運用株式会社").await;
        click(&c, "#do-plan").await;
        let facts = until("the plan recorded", || async {
            let f = text_of(&c, "#finding-facts").await;
            f.contains("未合意").then_some(f)
        })
        .await;
        assert!(
            facts.contains("③ 作業計画") && facts.contains("未合意"),
            "{facts}"
        );
        assert!(
            c.find(css("#step-agree")).await.is_err(),
            "the officer is not offered the owner's agreement"
        );
        let finding_url = c.current_url().await.unwrap().to_string();
        click(&c, "#logout").await;

        login(&c, &app.base, "owner", common::PASSWORD).await;
        c.goto(&format!("{}/my", app.base)).await.unwrap();
        assert!(text_of(&c, "main").await.contains("CVE-2024-27316"));
        c.goto(&finding_url).await.unwrap();
        fill(&c, "#agree-note", "停止時間を了承").await;
        click(&c, "#do-agree").await;
        let facts = until("the agreement recorded", || async {
            let f = text_of(&c, "#finding-facts").await;
            f.contains("owner").then_some(f)
        })
        .await;
        assert!(facts.contains("owner"), "agreement recorded: {facts}");
        let history = text_of(&c, "#history").await;
        assert!(
            history.contains("所管部門として合意する") && history.contains("停止時間を了承"),
            "{history}"
        );
        click(&c, "#switch-lang").await;
        until("English history", || async {
            let h = text_of(&c, "#history").await;
            h.contains("Agree as the owner department").then_some(())
        })
        .await;
        assert!(text_of(&c, "#finding-facts").await.contains("③ Work plan"));
    })
    .await;
}
