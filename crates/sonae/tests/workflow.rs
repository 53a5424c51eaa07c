//! The handling workflow over HTTP, role by role (DESIGN §4, seed 003
//! §3.3): the officer's queue and bulk steps, the owner's "my systems",
//! ①–④ with the owner department's agreement, risk acceptance by an
//! executive, the vendor's limits, the admin's priority policy — on SQLite
//! and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::web::{csrf_of, get_text, login};
use common::{backends, spawn, TestApp};
use reqwest::{Client, StatusCode};
use sonae_domain::inventory::Kind;
use sonae_domain::{Actor, Value};

struct Found {
    shop_finding: i64,
    shop_second: i64,
    wms_finding: i64,
}

async fn with_findings(app: &TestApp) -> Found {
    let seed = app.seed().await;
    let sys = Actor::system();
    let comp = |system: i64, product: &str, version: &str| {
        let store = app.store.clone();
        let sys = sys.clone();
        let (product, version) = (product.to_owned(), version.to_owned());
        async move {
            store
                .create(
                    &sys,
                    Kind::Component,
                    [
                        ("system_id", Value::Int(system)),
                        ("product", Value::Text(product)),
                        ("version", Value::Text(version)),
                    ]
                    .into_iter()
                    .collect(),
                )
                .await
                .unwrap()
                .id
        }
    };
    let httpd = comp(seed.shop, "http_server", "2.4.58").await;
    let openssl = comp(seed.shop, "openssl", "3.0.1").await;
    let pg = comp(seed.wms, "postgresql", "15.1").await;
    let f = |c: i64, s: i64, v: &str, reason: &str| sonae_store::NewFinding {
        component_id: c,
        system_id: s,
        vuln_id: v.into(),
        certainty: "confirmed".into(),
        reason: reason.into(),
    };
    app.store
        .replace_findings(&[
            f(
                httpd,
                seed.shop,
                "CVE-2024-27316",
                "cpe:2.3:a:apache:http_server:* versionEndExcluding 2.4.59 > 2.4.58",
            ),
            f(
                openssl,
                seed.shop,
                "CVE-2022-0778",
                "cpe:2.3:a:openssl:openssl:* versionEndIncluding 3.0.1",
            ),
            f(
                pg,
                seed.wms,
                "CVE-2023-5869",
                "cpe:2.3:a:postgresql:postgresql:* versionEndExcluding 15.5 > 15.1",
            ),
        ])
        .await
        .unwrap();
    let policy = app.store.priority_policy().await.unwrap();
    assert_eq!(app.store.refresh_priorities(&policy).await.unwrap(), 3);
    let all = app.store.findings(&sys, None, 10).await.unwrap();
    let id_of = |v: &str| all.iter().find(|f| f.vuln_id == v).unwrap().id;
    Found {
        shop_finding: id_of("CVE-2024-27316"),
        shop_second: id_of("CVE-2022-0778"),
        wms_finding: id_of("CVE-2023-5869"),
    }
}

/// Post one step from the finding's page, as the form would.
async fn step(app: &TestApp, c: &Client, id: i64, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let url = format!("{}/findings/{id}", app.base);
    let (_, page) = get_text(c, &url).await;
    let csrf = csrf_of(&page);
    let version = app
        .store
        .finding(&Actor::system(), id)
        .await
        .unwrap()
        .version
        .to_string();
    let mut form = vec![("csrf", csrf.as_str()), ("row_version", version.as_str())];
    form.extend_from_slice(fields);
    let r = c
        .post(format!("{url}/step"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.text().await.unwrap())
}

async fn status_of(app: &TestApp, id: i64) -> String {
    app.store
        .finding(&Actor::system(), id)
        .await
        .unwrap()
        .status
}

#[tokio::test]
async fn a_finding_goes_through_the_four_steps_with_the_owners_agreement() {
    for backend in backends() {
        let app = spawn(backend).await;
        let found = with_findings(&app).await;
        let id = found.shop_finding;
        let officer = login(&app, "security").await;
        let owner = login(&app, "owner").await;

        let (s, _) = step(&app, &officer, id, &[("step", "start")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{backend}");
        // ① needs its findings written down; the message names the field.
        let (s, html) = step(
            &app,
            &officer,
            id,
            &[("step", "investigated"), ("conditions", " ")],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("「調査結果（問題はあるか、どの条件で起きるか）」を入力してください"),
            "{html}"
        );
        step(
            &app,
            &officer,
            id,
            &[
                ("step", "investigated"),
                ("conditions", "HTTP/2 を有効にしている"),
            ],
        )
        .await;
        step(
            &app,
            &officer,
            id,
            &[
                ("step", "direct"),
                ("direction", "patch"),
                ("impact", "ショップを深夜に30分停止"),
            ],
        )
        .await;
        let (s, _) = step(
            &app,
            &officer,
            id,
            &[
                ("step", "plan"),
                ("scheduled", "2030-01-15"),
                ("downtime", "30分"),
                ("test_environment", "virtual"),
                ("cost", "保守契約内"),
                ("people", "ウェブ運用株式会社"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(status_of(&app, id).await, "planning");
        // ④ waits for the owner department; the officer cannot agree for it.
        let (s, html) = step(&app, &officer, id, &[("step", "implement")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("所管部門がまだ計画に合意していません"),
            "{html}"
        );
        let (s, _) = step(&app, &officer, id, &[("step", "agree")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, page) = get_text(&owner, &format!("{}/findings/{id}", app.base)).await;
        assert!(
            page.contains("id=\"step-agree\""),
            "the owner is offered the agreement"
        );
        let (s, _) = step(
            &app,
            &owner,
            id,
            &[("step", "agree"), ("note", "停止時間了承")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        step(&app, &officer, id, &[("step", "implement")]).await;
        let (s, _) = step(
            &app,
            &officer,
            id,
            &[("step", "verify"), ("note", "2.4.59 を確認")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(status_of(&app, id).await, "verified", "{backend}");

        // The history shows each step with who took it and what they wrote.
        let (_, page) = get_text(&owner, &format!("{}/findings/{id}", app.base)).await;
        for text in [
            "調査を始める",
            "HTTP/2 を有効にしている",
            "パッチ・アップデートを適用する",
            "ウェブ運用株式会社",
            "所管部門として合意する",
            "停止時間了承",
            "④ 対策実施中 → 対策済み（確認済み）",
        ] {
            assert!(
                page.contains(text),
                "{backend}: history lacks {text}: {page}"
            );
        }
        assert!(app.store.audit_verify().await.unwrap().1.is_empty());
    }
}

#[tokio::test]
async fn risk_acceptance_needs_an_executive_and_vendors_do_not_decide() {
    for backend in backends() {
        let app = spawn(backend).await;
        let found = with_findings(&app).await;
        let id = found.shop_second;
        let officer = login(&app, "security").await;
        let vendor = login(&app, "vendor").await;
        let exec = login(&app, "exec").await;

        // The vendor assigned to the shop works on it, but does not decide.
        let (s, _) = step(&app, &vendor, id, &[("step", "start")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{backend}");
        step(
            &app,
            &vendor,
            id,
            &[
                ("step", "investigated"),
                ("conditions", "TLS 証明書の解析で発生"),
            ],
        )
        .await;
        let (s, _) = step(
            &app,
            &vendor,
            id,
            &[("step", "request_acceptance"), ("reason", "x")],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // The vendor does not see the warehouse system's finding at all.
        let (s, _) = get_text(
            &vendor,
            &format!("{}/findings/{}", app.base, found.wms_finding),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        let (s, _) = step(
            &app,
            &officer,
            id,
            &[
                ("step", "request_acceptance"),
                ("reason", "来年3月に廃止予定のため"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        // Only an executive (or admin) approves, with an expiry in the next year.
        let (s, _) = step(
            &app,
            &officer,
            id,
            &[("step", "approve_acceptance"), ("expires", "2099-01-01")],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, page) = get_text(&exec, &format!("{}/findings/{id}", app.base)).await;
        assert!(page.contains("id=\"step-approve_acceptance\""), "{page}");
        let (s, html) = step(
            &app,
            &exec,
            id,
            &[("step", "approve_acceptance"), ("expires", "2099-01-01")],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("受容期限は明日以降、1年以内の日付にしてください"));
        let soon = (app.store.clock().now() + chrono::Duration::days(60))
            .format("%Y-%m-%d")
            .to_string();
        let (s, _) = step(
            &app,
            &exec,
            id,
            &[
                ("step", "approve_acceptance"),
                ("expires", &soon),
                ("note", "廃止まで受容"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let f = app.store.finding(&Actor::system(), id).await.unwrap();
        assert_eq!(f.status, "risk_accepted");
        assert_eq!(f.accepted_by.as_deref(), Some("exec"));
        // Not yet expired: the housekeeping leaves it.
        assert_eq!(app.store.expire_acceptances().await.unwrap(), 0);
    }
}

#[tokio::test]
async fn the_queue_filters_and_bulk_steps_and_the_owner_sees_only_their_systems() {
    for backend in backends() {
        let app = spawn(backend).await;
        let found = with_findings(&app).await;
        let officer = login(&app, "security").await;
        let (s, html) = get_text(&officer, &format!("{}/findings", app.base)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("3 件") && html.contains("CVE-2023-5869"),
            "{backend}: {html}"
        );
        // Filter by department: the warehouse's finding goes.
        let seed_ec = app
            .store
            .titles(
                &Actor::system(),
                Kind::Department,
                sonae_domain::access::Access::Read,
            )
            .await
            .unwrap()
            .into_iter()
            .find(|(_, t)| t.contains("通販"))
            .unwrap()
            .0;
        let (_, html) = get_text(
            &officer,
            &format!("{}/findings?department={seed_ec}", app.base),
        )
        .await;
        assert!(
            html.contains("2 件") && !html.contains("CVE-2023-5869"),
            "{html}"
        );

        // Bulk: start investigating two; one note-requiring step without a note is refused as a whole.
        let csrf = csrf_of(&html);
        let body = format!(
            "csrf={csrf}&id={}&id={}&step=start&justification=&note=",
            found.shop_finding, found.wms_finding
        );
        let r = officer
            .post(format!("{}/findings/bulk", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("2 件を更新しました"));
        assert_eq!(status_of(&app, found.wms_finding).await, "investigating");
        let body = format!(
            "csrf={csrf}&id={}&step=not_affected&justification=component_not_present&note=",
            found.shop_second
        );
        let r = officer
            .post(format!("{}/findings/bulk", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(status_of(&app, found.shop_second).await, "new");
        // Status filter.
        let (_, html) = get_text(
            &officer,
            &format!("{}/findings?status=investigating", app.base),
        )
        .await;
        assert!(html.contains("2 件"), "{html}");

        // The owner's page: their department's systems only, with due dates and why.
        let owner = login(&app, "owner").await;
        let (_, html) = get_text(&owner, &format!("{}/my", app.base)).await;
        assert!(
            html.contains("Webショップ") && html.contains("CVE-2024-27316"),
            "{html}"
        );
        assert!(
            !html.contains("倉庫管理") && !html.contains("CVE-2023-5869"),
            "{html}"
        );
        assert!(
            html.contains("インターネット公開"),
            "the facts behind the priority: {html}"
        );
        let (_, html) = get_text(&owner, &format!("{}/findings", app.base)).await;
        assert!(!html.contains("CVE-2023-5869"));
    }
}

#[tokio::test]
async fn an_admin_edits_the_priority_policy_and_due_dates_follow() {
    for backend in backends() {
        let app = spawn(backend).await;
        let found = with_findings(&app).await;
        let before = app
            .store
            .finding(&Actor::system(), found.shop_finding)
            .await
            .unwrap();
        let admin = login(&app, "admin").await;
        let (s, html) = get_text(&admin, &format!("{}/admin/policy", app.base)).await;
        assert_eq!(s, StatusCode::OK);
        let csrf = csrf_of(&html);
        let form = |p2: &str| {
            vec![
                ("csrf".to_owned(), csrf.clone()),
                ("kev_internet_days".to_owned(), "3".to_owned()),
                ("p1_days".to_owned(), "7".to_owned()),
                ("p2_days".to_owned(), p2.to_owned()),
                ("p3_days".to_owned(), "90".to_owned()),
                ("p4_days".to_owned(), "180".to_owned()),
                ("rto_urgent_hours".to_owned(), "24".to_owned()),
                ("epss_likely".to_owned(), "0.1".to_owned()),
                ("epss_very_likely".to_owned(), "0.5".to_owned()),
            ]
        };
        // More days for P2 than for P3 is refused, naming the field.
        let r = admin
            .post(format!("{}/admin/policy", app.base))
            .form(&form("120"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"p3_days-error\""), "{html}");
        let r = admin
            .post(format!("{}/admin/policy", app.base))
            .form(&form("14"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let after = app
            .store
            .finding(&Actor::system(), found.shop_finding)
            .await
            .unwrap();
        assert_eq!(after.priority.as_deref(), Some("p2"));
        assert_eq!(
            before.due_at_ms.unwrap() - after.due_at_ms.unwrap(),
            16 * 86_400_000,
            "P2 now has 14 days instead of 30"
        );
        // Once a business process needs the shop back within 4 hours, its
        // RTO is one of the facts behind the priority.
        let seed_ec = app
            .store
            .titles(
                &Actor::system(),
                Kind::Department,
                sonae_domain::access::Access::Read,
            )
            .await
            .unwrap()
            .into_iter()
            .find(|(_, t)| t.contains("通販"))
            .unwrap()
            .0;
        app.store
            .create_process(
                &Actor::system(),
                &sonae_domain::continuity::ProcessInput {
                    name: "受注".into(),
                    owner_department_id: seed_ec,
                    description: String::new(),
                    rto_hours: Some(4),
                    rpo_hours: None,
                    impact: Default::default(),
                    system_ids: vec![after.system_id],
                },
            )
            .await
            .unwrap();
        let policy = app.store.priority_policy().await.unwrap();
        app.store.refresh_priorities(&policy).await.unwrap();
        let (_, page) = get_text(
            &admin,
            &format!("{}/findings/{}", app.base, found.shop_finding),
        )
        .await;
        assert!(
            page.contains("早期の復旧が必要（RTO）"),
            "{backend}: {page}"
        );
        // Only admins.
        let officer = login(&app, "security").await;
        let (s, _) = get_text(&officer, &format!("{}/admin/policy", app.base)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
}
