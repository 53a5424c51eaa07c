//! Incidents over HTTP (DESIGN §5): any signed-in person reports one; the
//! officer runs it (phase, log, decisions, evidence, checklists); an
//! unauthorized decision is flagged; a vendor completes only its own item;
//! the auditor only reads — on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::web::{csrf_of, get_text, login};
use common::{backends, spawn, TestApp};
use reqwest::{Client, StatusCode};
use sonae_domain::inventory::Kind;
use sonae_domain::{Actor, Value};

async fn post(
    app: &TestApp,
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let (_, page) = get_text(c, &format!("{}/incidents", app.base)).await;
    let csrf = csrf_of(&page);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = c
        .post(format!("{}{path}", app.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.text().await.unwrap())
}

#[tokio::test]
async fn an_incident_is_reported_run_and_its_record_kept() {
    for backend in backends() {
        let app = spawn(backend).await;
        let seed = app.seed().await;
        let sys = Actor::system();
        // The shop's route: the CEO (by e-mail) may stop it.
        let ceo = app
            .store
            .create(
                &sys,
                Kind::Person,
                [
                    ("name", Value::Text("木村 茂".into())),
                    ("affiliation", Value::Text("internal".into())),
                    ("email", Value::Text("exec@example.jp".into())),
                    ("phone", Value::Text("03-0000-0001".into())),
                    ("reachable_hours", Value::Text("24時間".into())),
                ]
                .into_iter()
                .collect(),
            )
            .await
            .unwrap()
            .id;
        app.store
            .execute_admin("UPDATE users SET email = 'exec@example.jp' WHERE username = 'exec'")
            .await
            .unwrap();
        let officer = login(&app, "security").await;
        let (_, page) = get_text(
            &officer,
            &format!("{}/inventory/systems/{}/route", app.base, seed.shop),
        )
        .await;
        let csrf = csrf_of(&page);
        let r = officer
            .post(format!(
                "{}/inventory/systems/{}/route",
                app.base, seed.shop
            ))
            .form(&[
                ("csrf", csrf.as_str()),
                ("stop_person_id", &ceo.to_string()),
                ("command_person_id", &ceo.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");

        // The owner reports; a missing title is named, nothing is created.
        let owner = login(&app, "owner").await;
        let shop = seed.shop.to_string();
        // Discovered yesterday (local time), so it falls in the dashboard's period.
        let discovered = (app.store.clock().now() + chrono::Duration::hours(9)
            - chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
        let (s, html) = post(
            &app,
            &owner,
            "/incidents",
            &[
                ("title", ""),
                ("category", "leak"),
                ("level", "3"),
                ("discovered_at", discovered.as_str()),
                ("summary", "x"),
                ("personal_data", "yes"),
                ("system_ids", &shop),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("件名（何が起きたかを短く）"), "{html}");
        let (s, _) = post(
            &app,
            &owner,
            "/incidents",
            &[
                ("title", "会員情報流出の疑い"),
                ("category", "leak"),
                ("level", "3"),
                ("discovered_at", discovered.as_str()),
                ("summary", "取引先から指摘があった"),
                ("personal_data", "yes"),
                ("system_ids", &shop),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let inc = app.store.incidents(&sys, true).await.unwrap().remove(0);
        // The home page counts it among the open incidents.
        let (_, home) = get_text(&officer, &format!("{}/", app.base)).await;
        assert!(
            home.contains("<span class=\"count\">1</span> 対応中のインシデント"),
            "{home}"
        );
        let url = format!("{}/incidents/{}", app.base, inc.id);
        let path = format!("/incidents/{}", inc.id);
        let (_, html) = get_text(&officer, &url).await;
        // Level 3 reaches the chief executive; the leak playbook and the recovery tasks are there; whom to call.
        for text in [
            "代表者（経営トップ）",
            "検知と報告",
            "1. 残存被害の調査",
            "6. その他社外への対応",
            "木村 茂",
            "03-0000-0001",
            "24時間",
        ] {
            assert!(html.contains(text), "{backend}: page lacks {text}");
        }

        // The business processes that depend on the shop, with their RTO.
        app.store
            .create_process(
                &sys,
                &sonae_domain::continuity::ProcessInput {
                    name: "受注".into(),
                    owner_department_id: seed.ec,
                    description: String::new(),
                    rto_hours: Some(4),
                    rpo_hours: None,
                    impact: Default::default(),
                    system_ids: vec![seed.shop],
                },
            )
            .await
            .unwrap();
        let (_, html) = get_text(&officer, &url).await;
        assert!(
            html.contains("影響を受ける業務") && html.contains("受注 (RTO 4 h)"),
            "{html}"
        );

        // Phase: one step on.
        let v = inc.version.to_string();
        let (s, _) = post(
            &app,
            &officer,
            &format!("{path}/phase"),
            &[("row_version", &v), ("phase", "triage")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        // The log: an entry and its correction.
        post(
            &app,
            &officer,
            &format!("{path}/log"),
            &[("text", "10:05 ショップを停止した"), ("corrects", "")],
        )
        .await;
        let log = app.store.incident_log(&sys, inc.id).await.unwrap();
        let first = log.last().unwrap().id.to_string();
        post(
            &app,
            &officer,
            &format!("{path}/log"),
            &[("text", "訂正：停止は 10:15"), ("corrects", &first)],
        )
        .await;
        // Decisions: the CEO holds the authority; the officer does not.
        post(
            &app,
            &officer,
            &format!("{path}/decision"),
            &[
                ("decision", "ショップを停止"),
                ("decider", "exec"),
                ("authority", "stop_system"),
                ("system_id", &shop),
                ("basis", "対応ルート"),
            ],
        )
        .await;
        post(
            &app,
            &officer,
            &format!("{path}/decision"),
            &[
                ("decision", "会員に通知"),
                ("decider", "security"),
                ("authority", "stop_system"),
                ("system_id", &shop),
                ("basis", ""),
            ],
        )
        .await;
        let (_, html) = get_text(&officer, &url).await;
        assert_eq!(
            html.matches("class=\"error decision-warning\"").count(),
            1,
            "{backend}: one warning: {html}"
        );
        assert!(html.contains(
            "注意：security は、対応ルート上 Webショップ についてこの権限を持っていません"
        ));
        assert!(
            html.contains("#")
                && html.contains("訂正：停止は 10:15")
                && html.contains("10:05 ショップを停止した")
        );

        // What it cost: a bad amount is named; the amount reaches the dashboard.
        let (s, html) = post(
            &app,
            &officer,
            &format!("{path}/cost"),
            &[("cost_yen", "abc")],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("これまでの費用"), "{html}");
        let (s, _) = post(
            &app,
            &officer,
            &format!("{path}/cost"),
            &[("cost_yen", "1,200,000")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let exec = login(&app, "exec").await;
        let (_, dash) = get_text(&exec, &format!("{}/dashboard", app.base)).await;
        assert!(
            dash.contains("<td class=\"cost\">1200000 円</td>"),
            "{backend}: {dash}"
        );

        // Evidence: a file, hashed on upload, downloadable.
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf_of(&html))
            .text("item", "Web サーバのアクセスログ")
            .text("location", "")
            .text("collected_by", "鈴木")
            .text("sha256", "")
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"GET /admin 200\n".to_vec())
                    .file_name("access.log"),
            );
        let r = officer
            .post(format!("{url}/evidence"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let ev = app
            .store
            .incident_evidence(&sys, inc.id)
            .await
            .unwrap()
            .remove(0);
        let expected = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(b"GET /admin 200\n"))
        };
        assert_eq!(ev.sha256.as_deref(), Some(expected.as_str()));
        let r = officer
            .get(format!("{url}/evidence/{}", ev.id))
            .send()
            .await
            .unwrap();
        assert_eq!(r.bytes().await.unwrap().as_ref(), b"GET /admin 200\n");
        // Tampering with the stored file is detected on download.
        app.store
            .execute_admin(&format!(
                "UPDATE incident_evidence SET sha256 = '{}' WHERE id = {}",
                "0".repeat(64),
                ev.id
            ))
            .await
            .unwrap();
        let r = officer
            .get(format!("{url}/evidence/{}", ev.id))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);

        // A vendor is assigned one item and completes it; nothing else.
        let tasks = app.store.incident_tasks(&sys, inc.id).await.unwrap();
        let (task, other) = (tasks[2].id.to_string(), tasks[3].id.to_string());
        post(
            &app,
            &officer,
            &format!("{path}/task-assign"),
            &[
                ("task", &task),
                ("assignee", ""),
                ("vendor", &seed.vendor.to_string()),
                ("due", "2026-11-21T18:00"),
            ],
        )
        .await;
        let vendor = login(&app, "vendor").await;
        let (s, vhtml) = get_text(&vendor, &url).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            vhtml.contains(&format!("id=\"tick-{task}\""))
                && !vhtml.contains(&format!("id=\"tick-{other}\""))
        );
        let (s, _) = post(
            &app,
            &vendor,
            &format!("{path}/task-tick"),
            &[("task", &task), ("done", "1"), ("note", "ログ提出済み")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _) = post(
            &app,
            &vendor,
            &format!("{path}/task-tick"),
            &[("task", &other), ("done", "1"), ("note", "")],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let done = app.store.incident_tasks(&sys, inc.id).await.unwrap();
        assert_eq!(done[2].done_by.as_deref(), Some("vendor"));
        assert!(done[3].done_at_ms.is_none());

        // The auditor reads but cannot write.
        let auditor = login(&app, "auditor").await;
        let (s, ahtml) = get_text(&auditor, &url).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!ahtml.contains("id=\"add-log\""));
        let (s, _) = post(&app, &auditor, &format!("{path}/log"), &[("text", "x")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // The logistics owner (another department) does not see it at all.
        assert!(app.store.audit_verify().await.unwrap().1.is_empty());
    }
}

/// The PDCA list: anyone but vendors and auditors adds an action; its
/// owner moves it along; a missing title is named; vendors do not see it.
#[tokio::test]
async fn improvement_actions_are_listed_and_moved_by_their_owner() {
    for backend in backends() {
        let app = spawn(backend).await;
        app.seed().await;
        let owner = login(&app, "owner").await;
        let (_, page) = get_text(&owner, &format!("{}/actions", app.base)).await;
        let csrf = csrf_of(&page);
        let r = owner
            .post(format!("{}/actions", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("title", ""),
                ("owner", "owner"),
                ("source_kind", "other"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("改善策: "));
        let r = owner
            .post(format!("{}/actions", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("title", "バックアップの復元訓練"),
                ("owner", "owner"),
                ("source_kind", "review"),
                ("due", "2020-01-31"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let (_, html) = get_text(&owner, &format!("{}/actions?overdue=1", app.base)).await;
        assert!(
            html.contains("バックアップの復元訓練") && html.contains("class=\"overdue\""),
            "{html}"
        );
        let a = app
            .store
            .actions(&Actor::system(), &Default::default())
            .await
            .unwrap()
            .remove(0);
        let r = owner
            .post(format!("{}/actions/status", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("id", &a.id.to_string()),
                ("row_version", &a.version.to_string()),
                ("status", "done"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = get_text(&owner, &format!("{}/actions", app.base)).await;
        assert!(
            !html.contains("バックアップの復元訓練"),
            "done actions leave the open list"
        );
        let vendor = login(&app, "vendor").await;
        let (s, _) = get_text(&vendor, &format!("{}/actions", app.base)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
}

/// Any employee, without an account, reports at once (seed 001): the
/// report becomes a level-1 incident; the honeypot refuses robots.
#[tokio::test]
async fn an_employee_reports_without_an_account() {
    let app = spawn("sqlite").await;
    app.seed().await;
    let c = common::web::client();
    let (s, page) = get_text(&c, &format!("{}/report-incident", app.base)).await;
    assert_eq!(s, StatusCode::OK);
    let csrf = csrf_of(&page);
    let send = |fields: Vec<(&'static str, String)>| {
        let c = c.clone();
        let url = format!("{}/report-incident", app.base);
        let csrf = csrf.clone();
        async move {
            let mut form = vec![("csrf", csrf)];
            form.extend(fields);
            let r = c.post(url).form(&form).send().await.unwrap();
            let s = r.status();
            (s, r.text().await.unwrap())
        }
    };
    let (s, html) = send(vec![
        ("name", "".into()),
        ("summary", "x".into()),
        ("noticed", "2026-11-24T08:00".into()),
        ("category", "malware".into()),
        ("website", "".into()),
    ])
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("お名前"));
    let (s, _) = send(vec![
        ("name", "bot".into()),
        ("summary", "buy".into()),
        ("noticed", "2026-11-24T08:00".into()),
        ("category", "other".into()),
        ("website", "http://spam".into()),
    ])
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app
        .store
        .incidents(&Actor::system(), false)
        .await
        .unwrap()
        .is_empty());
    let (s, html) = send(vec![
        ("name", "山田 花子".into()),
        ("contact", "経理部 内線 123".into()),
        (
            "summary",
            "請求書を装ったメールの添付ファイルを開いてしまった".into(),
        ),
        ("noticed", "2026-11-24T08:00".into()),
        ("category", "malware".into()),
        ("website", "".into()),
    ])
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("INC-"), "{html}");
    let inc = app
        .store
        .incidents(&Actor::system(), false)
        .await
        .unwrap()
        .remove(0);
    assert_eq!((inc.level, inc.category.as_str()), (1, "malware"));
    assert!(inc.reported_by.contains("山田 花子") && inc.summary.contains("内線 123"));
}
