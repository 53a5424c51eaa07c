//! The first statement over HTTP (DESIGN §5, seed 004), on SQLite and
//! PostgreSQL: the officer records facts and the gauge moves; a press
//! release drafted in Japanese marks what is unknown; it is edited, approved
//! by the executive (not by its writer) and marked sent; the reporting
//! clocks run from the discovery time and the PPC report stops them.
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
) -> (StatusCode, String, Option<String>) {
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
    let loc = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (s, r.text().await.unwrap(), loc)
}

async fn fact(app: &TestApp, c: &Client, id: &str, f: &str, k: &str, v: &str, src: &str) {
    let (_, page) = get_text(c, &format!("{}/incidents/{id}/statement", app.base)).await;
    // The version the form carries for this fact.
    let row = &page[page.find(&format!("name=\"fact\" value=\"{f}\"")).unwrap()..];
    let i = row.find("name=\"base_version\" value=\"").unwrap() + 27;
    let base = row[i..].split('"').next().unwrap().to_owned();
    let (s, html, _) = post(
        app,
        c,
        &format!("/incidents/{id}/statement/fact"),
        &[
            ("fact", f),
            ("knowledge", k),
            ("value", v),
            ("source", src),
            ("base_version", &base),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{f}: {html}");
}

fn row_version(html: &str) -> String {
    let i = html.find("name=\"row_version\" value=\"").unwrap() + 26;
    html[i..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn facts_drafts_approval_and_clocks() {
    for backend in backends() {
        let app = spawn(backend).await;
        let seed = app.seed().await;
        let officer = login(&app, "security").await;
        let shop = seed.shop.to_string();
        let (s, _, loc) = post(
            &app,
            &officer,
            "/incidents",
            &[
                ("title", "会員サイトへの不正アクセス"),
                ("category", "unauthorized_access"),
                ("level", "3"),
                ("discovered_at", "2026-01-10T09:30"),
                ("summary", "取引先から不審な通信の指摘"),
                ("personal_data", "unknown"),
                ("system_ids", &shop),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{backend}");
        let inc_path = loc.unwrap();
        let id = inc_path.rsplit('/').next().unwrap().to_owned();
        let base = &app.base;

        // The incident page links to the statement; nothing is known yet.
        let (_, html) = get_text(&officer, &format!("{base}{inc_path}")).await;
        assert!(html.contains(&format!("href=\"/incidents/{id}/statement\"")));
        assert!(html.contains("0%（未確認 15 項目）"), "{html}");

        // Known without a source is refused, naming the field.
        let (s, html, _) = post(
            &app,
            &officer,
            &format!("/incidents/{id}/statement/fact"),
            &[
                ("fact", "pd_leaked"),
                ("knowledge", "known"),
                ("value", "あり"),
                ("source", ""),
                ("base_version", "0"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("情報源（誰から・何から）: "), "{html}");

        fact(
            &app,
            &officer,
            &id,
            "pd_leaked",
            "known",
            "あり",
            "DB管理者 山田",
        )
        .await;
        fact(
            &app,
            &officer,
            &id,
            "pd_count",
            "partial",
            "約3万件",
            "アクセスログの初期分析",
        )
        .await;
        let (_, html) = get_text(&officer, &format!("{base}/incidents/{id}/statement")).await;
        // (2 + 1) of 30 half-points.
        assert!(
            html.contains("10%（判明 1 ／ 一部判明 1 ／ 全 15 項目）"),
            "{html}"
        );
        // Damage: (2 + 1) of 16.
        assert!(html.contains("18%（判明 1 ／ 一部判明 1 ／ 全 8 項目）"));
        assert!(
            html.contains("id=\"no-clocks\""),
            "personal data still unknown"
        );

        // A press release in Japanese, with the gaps marked.
        let (s, _, loc) = post(
            &app,
            &officer,
            &format!("/incidents/{id}/statement/draft"),
            &[("kind", "press_release"), ("lang", "ja")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let draft_path = loc.unwrap();
        let (_, html) = get_text(&officer, &format!("{base}{draft_path}")).await;
        assert!(html.contains("個人情報漏えいの有無：あり"), "{html}");
        assert!(html.contains("約3万件【調査中: 漏えい件数】"), "{html}");
        assert!(html.contains("【未確認: 攻撃の手口】"));
        assert!(html.contains("会員サイトへの不正アクセス"));
        assert!(html.contains("下書き（承認待ち）"));

        // The officer edits: a second version; the first stays readable.
        let body = "当社会員サイトへの不正アクセスについて、判明した事実をお知らせします。";
        let (s, _, _) = post(
            &app,
            &officer,
            &format!("{draft_path}/save"),
            &[
                ("row_version", &row_version(&html)),
                ("title", "不正アクセスについて（第一報）"),
                ("body", body),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = get_text(&officer, &format!("{base}{draft_path}")).await;
        assert!(html.contains(body) && html.contains("第2版 — security"));
        let (_, old) = get_text(&officer, &format!("{base}{draft_path}?v=1")).await;
        assert!(old.contains("第1版（security") && old.contains("【未確認: 攻撃の手口】"));

        // Its writer's role cannot approve; the executive can; sending needs it.
        assert!(!html.contains("id=\"approve-draft\""));
        let (s, html, _) = post(
            &app,
            &officer,
            &format!("{draft_path}/approve"),
            &[("row_version", &row_version(&html))],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("承認できるのは経営者または管理者です。"));
        let (s, html, _) = post(
            &app,
            &officer,
            &format!("{draft_path}/sent"),
            &[
                ("row_version", &row_version(&html)),
                ("sent_to", "報道各社"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("承認されていない下書きは送付済みにできません。"));
        let exec = login(&app, "exec").await;
        let (_, html) = get_text(&exec, &format!("{base}{draft_path}")).await;
        assert!(html.contains("id=\"approve-draft\""));
        let (s, _, _) = post(
            &app,
            &exec,
            &format!("{draft_path}/approve"),
            &[("row_version", &row_version(&html))],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = get_text(&officer, &format!("{base}{draft_path}")).await;
        assert!(html.contains("承認：exec"));
        let (s, _, _) = post(
            &app,
            &officer,
            &format!("{draft_path}/sent"),
            &[
                ("row_version", &row_version(&html)),
                ("sent_to", "報道各社（メール）"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = get_text(&officer, &format!("{base}{draft_path}")).await;
        assert!(html.contains("送付：security") && html.contains("送付先：報道各社（メール）"));
        assert!(!html.contains("id=\"edit-draft\""), "a sent draft is final");

        // Personal data: the clocks start from the discovery time.
        let (_, page) = get_text(&officer, &format!("{base}/incidents/{id}/statement")).await;
        let (s, _, _) = post(
            &app,
            &officer,
            &format!("/incidents/{id}/statement/flags"),
            &[
                ("row_version", &row_version(&page)),
                ("personal_data", "yes"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = get_text(&officer, &format!("{base}/incidents/{id}/statement")).await;
        assert!(
            html.contains("個人情報保護委員会への速報</td><td>2026-01-15 09:30"),
            "{html}"
        );
        assert!(html.contains("個人情報保護委員会への確報</td><td>2026-02-09 09:30"));
        assert!(html.contains("期限超過"));
        // Overdue shows on the list.
        let (_, list) = get_text(&officer, &format!("{base}/incidents")).await;
        assert!(list.contains("報告期限超過 2件"), "{list}");

        // Unauthorized purpose: the final report moves to 60 days.
        let (s, _, _) = post(
            &app,
            &officer,
            &format!("/incidents/{id}/statement/flags"),
            &[
                ("row_version", &row_version(&html)),
                ("personal_data", "yes"),
                ("unauthorized_purpose", "1"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = get_text(&officer, &format!("{base}/incidents/{id}/statement")).await;
        assert!(
            html.contains("（不正の目的によるおそれ）</td><td>2026-03-11 09:30"),
            "{html}"
        );

        // The PPC report, approved and sent, satisfies the preliminary clock.
        let (_, _, loc) = post(
            &app,
            &officer,
            &format!("/incidents/{id}/statement/draft"),
            &[("kind", "report_ppc"), ("lang", "ja")],
        )
        .await;
        let ppc = loc.unwrap();
        let (_, html) = get_text(&exec, &format!("{base}{ppc}")).await;
        assert!(
            html.contains("本人の数：約3万件【調査中: 漏えい件数】"),
            "{html}"
        );
        post(
            &app,
            &exec,
            &format!("{ppc}/approve"),
            &[("row_version", &row_version(&html))],
        )
        .await;
        let (_, html) = get_text(&officer, &format!("{base}{ppc}")).await;
        let (s, _, _) = post(
            &app,
            &officer,
            &format!("{ppc}/sent"),
            &[
                ("row_version", &row_version(&html)),
                ("sent_to", "PPC 報告フォーム"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = get_text(&officer, &format!("{base}/incidents/{id}/statement")).await;
        assert!(html.contains("送付済み・期限後"), "{html}");
        let (_, list) = get_text(&officer, &format!("{base}/incidents")).await;
        assert!(list.contains("報告期限超過 1件"), "{list}");

        // The incident page shows the clocks and logs each step.
        let (_, html) = get_text(&officer, &format!("{base}{inc_path}")).await;
        assert!(html.contains("2026-03-11 09:30"));
        assert!(
            html.contains("第一報の事実") && html.contains("報告期限の条件"),
            "{html}"
        );
        assert!(html.contains("step: sent"), "{html}");

        // The same draft in English marks the gaps in English.
        let (_, _, loc) = post(
            &app,
            &officer,
            &format!("/incidents/{id}/statement/draft"),
            &[("kind", "press_release"), ("lang", "en")],
        )
        .await;
        let (_, html) = get_text(&officer, &format!("{base}{}", loc.unwrap())).await;
        assert!(html.contains("[UNKNOWN: Attack method]"), "{html}");
        assert!(html.contains("約3万件[PARTLY KNOWN: Records affected]"));

        // Vendors do not see the statement; the auditor reads without forms.
        let vendor = login(&app, "vendor").await;
        let (s, _) = get_text(&vendor, &format!("{base}/incidents/{id}/statement")).await;
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
            "{s}"
        );
        let auditor = login(&app, "auditor").await;
        let (s, html) = get_text(&auditor, &format!("{base}/incidents/{id}/statement")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!html.contains("id=\"new-draft\"") && !html.contains("id=\"flags\""));
        assert!(html.contains("個人情報保護委員会への速報"));
    }
}

#[tokio::test]
async fn an_admin_edits_a_template_and_a_typo_is_refused() {
    for backend in backends() {
        let app = spawn(backend).await;
        app.seed().await;
        let admin = login(&app, "admin").await;
        let officer = login(&app, "security").await;
        let (s, _) = get_text(&officer, &format!("{}/admin/drafts", app.base)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let path = "/admin/drafts/web_notice/ja";
        let (s, html) = get_text(&admin, &format!("{}{path}", app.base)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("seed 002 Case Study 3"));
        let (s, html, _) = post(
            &app,
            &admin,
            path,
            &[("title", "お知らせ"), ("body", "{{fact.pd_cont}} について")],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("fact.pd_cont"), "{html}");
        assert!(
            html.contains("{{fact.pd_cont}} について"),
            "what was typed is kept"
        );
        let (s, _, _) = post(
            &app,
            &admin,
            path,
            &[
                ("title", "お知らせ"),
                ("body", "{{incident.title}}：{{fact.status}}"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = get_text(&admin, &format!("{}/admin/drafts", app.base)).await;
        assert!(html.contains("編集済み"));
        // GDPR's clock is off until switched on.
        assert!(html.contains("id=\"clock-on-gdpr_72h\""));
        let (s, _, _) = post(
            &app,
            &admin,
            "/admin/clocks",
            &[("clock", "gdpr_72h"), ("enabled", "1")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = get_text(&admin, &format!("{}/admin/drafts", app.base)).await;
        assert!(html.contains("id=\"clock-off-gdpr_72h\""));
        // Back to the shipped file.
        let (s, _, _) = post(&app, &admin, &format!("{path}/reset"), &[]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = get_text(&admin, &format!("{}{path}", app.base)).await;
        assert!(html.contains("同梱の既定"));
    }
}
