//! Business continuity over HTTP (DESIGN §6), on SQLite and PostgreSQL: a
//! process with its BIA gives the web shop an RTO seen on the system page
//! and the overview, warnings follow from backups and plans, bad input is
//! named and kept, an exercise runs to its report and a finding becomes an
//! improvement action; vendors are kept out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::web::{csrf_of, get_text, login};
use common::{backends, spawn, TestApp};
use reqwest::{Client, StatusCode};

async fn post(
    app: &TestApp,
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let (_, page) = get_text(c, &format!("{}/continuity", app.base)).await;
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
    let loc = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (s, loc, r.text().await.unwrap())
}

#[tokio::test]
async fn bia_sets_the_rto_a_system_inherits_and_an_exercise_runs_to_its_report() {
    for backend in backends() {
        let app = spawn(backend).await;
        let seed = app.seed().await;
        let officer = login(&app, "security").await;
        let shop = seed.shop.to_string();
        let ec = seed.ec.to_string();

        // Bad input: every bad field named, what was typed kept.
        let (s, _, html) = post(
            &app,
            &officer,
            "/continuity/processes",
            &[
                ("name", "受注"),
                ("owner_department_id", ""),
                ("rto_hours", "four"),
                ("system_ids", &shop),
                ("impact_1d_money", "3"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            html.contains("主管部門") && html.contains("RTO（時間）"),
            "{html}"
        );
        assert!(html.contains("value=\"four\"") && html.contains("value=\"受注\""));

        let (s, loc, _) = post(
            &app,
            &officer,
            "/continuity/processes",
            &[
                ("name", "受注"),
                ("owner_department_id", &ec),
                ("rto_hours", "4"),
                ("rpo_hours", "1"),
                ("system_ids", &shop),
                ("impact_1d_money", "3"),
            ],
        )
        .await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/continuity"));
        let (_, sys_page) = get_text(
            &officer,
            &format!("{}/inventory/systems/{}", app.base, seed.shop),
        )
        .await;
        assert!(
            sys_page.contains("事業継続")
                && sys_page.contains("4 時間")
                && sys_page.contains("受注"),
            "{sys_page}"
        );
        // Nothing protects it yet.
        assert!(sys_page.contains("バックアップが登録されていません"));
        assert!(sys_page.contains("復旧計画がありません"));

        let (s, _, _) = post(
            &app,
            &officer,
            "/continuity/backups",
            &[
                ("system_id", &shop),
                ("what", "ショップDB"),
                ("location", "別リージョン"),
                ("interval_hours", "24"),
                ("retention_days", "30"),
                ("test_interval_days", "180"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, html) = post(
            &app,
            &officer,
            "/continuity/backups",
            &[
                ("system_id", &shop),
                ("what", ""),
                ("location", "x"),
                ("interval_hours", "abc"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("取得間隔（時間）"), "{html}");
        let (_, overview) = get_text(&officer, &format!("{}/continuity", app.base)).await;
        assert!(
            overview.contains("取得間隔 24 時間は RPO 1 時間より長く"),
            "{overview}"
        );
        assert!(overview.contains("復元テストが一度も行われていません"));
        assert!(overview.contains("期限超過"));

        // The executive dashboard shows the readiness: one process with an
        // RTO, one backup whose restore is not proven (overdue).
        let exec = login(&app, "exec").await;
        let (_, dash) = get_text(&exec, &format!("{}/dashboard", app.base)).await;
        assert!(
            dash.contains("<td id=\"bcp-with-rto\">1</td>")
                && dash.contains("<td id=\"bcp-proven\">0</td>")
                && dash.contains("<td id=\"bcp-overdue\">1</td>"),
            "{dash}"
        );

        // The overdue restore test becomes one review action.
        let (s, loc, _) = post(&app, &officer, "/continuity/check", &[]).await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/actions"));
        post(&app, &officer, "/continuity/check", &[]).await;
        let (_, actions) = get_text(&officer, &format!("{}/actions", app.base)).await;
        assert_eq!(
            actions.matches("Restore test overdue").count(),
            1,
            "{actions}"
        );

        // An exercise: start, log, skip, mark, finish, report, action.
        let owner_id = app
            .store
            .user_by_name("owner")
            .await
            .unwrap()
            .unwrap()
            .id
            .to_string();
        let process_id = app
            .store
            .processes(&sonae_domain::Actor::system())
            .await
            .unwrap()[0]
            .id
            .to_string();
        let (s, loc, _) = post(
            &app,
            &officer,
            "/continuity/exercises",
            &[
                ("scenario", "ransomware-shop"),
                ("participants", &owner_id),
                ("processes", &process_id),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let owner = login(&app, "owner").await;
        let (s, _, _) = post(
            &app,
            &owner,
            &format!("{loc}/log"),
            &[("body", "委託先に電話した")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, _) = post(&app, &owner, &format!("{loc}/next"), &[]).await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "only the facilitator moves the clock"
        );
        post(
            &app,
            &officer,
            &format!("{loc}/milestone"),
            &[("milestone", "detected")],
        )
        .await;
        for _ in 0..7 {
            post(&app, &officer, &format!("{loc}/next"), &[]).await;
        }
        let (_, run) = get_text(&officer, &format!("{}{loc}", app.base)).await;
        assert!(
            run.contains("再開から1日"),
            "the last inject is shown: {run}"
        );
        post(
            &app,
            &officer,
            &format!("{loc}/milestone"),
            &[("milestone", "restored")],
        )
        .await;
        let (_, run) = get_text(&officer, &format!("{}{loc}", app.base)).await;
        assert!(run.contains("RTO 4 時間を超えました"), "{run}");
        let (s, _, _) = post(
            &app,
            &officer,
            &format!("{loc}/finish"),
            &[("findings", "告知文のひな形がない\n")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, report) = get_text(&owner, &format!("{}{loc}", app.base)).await;
        assert!(
            report.contains("事後レビュー報告")
                && report.contains("告知文のひな形がない")
                && report.contains("委託先に電話した")
        );
        let fid = report
            .split("id=\"finding-")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let (s, _, _) = post(
            &app,
            &officer,
            &format!("{loc}/action"),
            &[("finding", &fid)],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, actions) = get_text(&officer, &format!("{}/actions", app.base)).await;
        assert!(actions.contains("告知文のひな形がない"));

        // Vendors see none of it.
        let vendor = login(&app, "vendor").await;
        let (s, _) = get_text(&vendor, &format!("{}/continuity", app.base)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
}

/// A backup removed from the register is gone from the overview (and the
/// deletion is audited); only those who manage continuity may remove one.
#[tokio::test]
async fn a_backup_can_be_removed_from_the_register() {
    let app = spawn("sqlite").await;
    let seed = app.seed().await;
    let officer = login(&app, "security").await;
    let shop = seed.shop.to_string();
    let (s, _, _) = post(
        &app,
        &officer,
        "/continuity/backups",
        &[
            ("system_id", &shop),
            ("what", "古いテープ"),
            ("location", "倉庫"),
            ("interval_hours", "168"),
            ("retention_days", "30"),
            ("test_interval_days", "180"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let id = app
        .store
        .backups(&sonae_domain::Actor::system())
        .await
        .unwrap()[0]
        .id;
    let owner = login(&app, "owner").await;
    let (s, _, _) = post(
        &app,
        &owner,
        &format!("/continuity/backups/{id}/delete"),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = post(
        &app,
        &officer,
        &format!("/continuity/backups/{id}/delete"),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = get_text(&officer, &format!("{}/continuity", app.base)).await;
    assert!(!html.contains("古いテープ"));
    assert!(app.store.audit_verify().await.unwrap().1.is_empty());
}

/// A recovery plan is added, then edited in the browser's form: the new
/// estimate is saved; an edit from an outdated page is refused.
#[tokio::test]
async fn a_recovery_plan_is_added_and_edited() {
    let app = spawn("sqlite").await;
    let seed = app.seed().await;
    let officer = login(&app, "security").await;
    let shop = seed.shop.to_string();
    let (s, _, html) = post(
        &app,
        &officer,
        "/continuity/plans",
        &[
            ("title", "ショップ復旧"),
            ("system_id", &shop),
            ("steps", "バックアップから復元\n動作確認"),
            ("estimated_hours", "8"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let plan = app
        .store
        .plans(&sonae_domain::Actor::system())
        .await
        .unwrap()
        .remove(0);
    let (s, page) = get_text(
        &officer,
        &format!("{}/continuity/plans/{}/edit", app.base, plan.id),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("ショップ復旧") && page.contains("動作確認"),
        "{page}"
    );
    let v = plan.version.to_string();
    let (s, _, html) = post(
        &app,
        &officer,
        &format!("/continuity/plans/{}", plan.id),
        &[
            ("row_version", &v),
            ("title", "ショップ復旧"),
            ("system_id", &shop),
            ("steps", "予備機に切り替え"),
            ("estimated_hours", "2"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let after = app
        .store
        .plans(&sonae_domain::Actor::system())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(after.plan.estimated_hours, Some(2));
    let (s, _, _) = post(
        &app,
        &officer,
        &format!("/continuity/plans/{}", plan.id),
        &[
            ("row_version", &v),
            ("title", "古い版"),
            ("system_id", &shop),
            ("steps", "x"),
            ("estimated_hours", "9"),
        ],
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a save from an outdated page is refused"
    );
}
