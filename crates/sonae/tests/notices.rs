//! Public notices, the post-incident review and the incident exports over
//! HTTP, on SQLite and on PostgreSQL: drafts stay private, only approvers
//! publish, the public pages, feed and banner need no sign-in, and the
//! exports carry the work log and the decisions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::web::{client, csrf, get_text, login};
use common::{backends, spawn, TestApp};
use reqwest::{Client, StatusCode};

async fn post(
    app: &TestApp,
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let token = csrf(app, c).await;
    let mut form = vec![("csrf", token.as_str())];
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

/// Every element of the feed, parsed as XML (fails on malformed XML).
fn atom_elements(xml: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut out = Vec::new();
    loop {
        match r.read_event().unwrap() {
            Event::Start(e) => stack.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap()),
            Event::End(_) => {
                stack.pop();
            }
            Event::Empty(e) => out.push((
                format!(
                    "{}/{}",
                    stack.join("/"),
                    String::from_utf8(e.name().as_ref().to_vec()).unwrap()
                ),
                String::new(),
            )),
            Event::Text(t) => {
                let text = t.unescape().unwrap().into_owned();
                if !text.trim().is_empty() {
                    out.push((stack.join("/"), text));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unbalanced feed");
    out
}

#[tokio::test]
async fn notices_are_drafted_approved_published_updated_and_withdrawn() {
    for backend in backends() {
        let app = spawn(backend).await;
        app.seed().await;
        let officer = login(&app, "security").await;
        let exec = login(&app, "exec").await;
        let public = client();

        // A draft with a missing title is refused, naming the field, and
        // keeps what was typed.
        let (s, _, html) = post(
            &app,
            &officer,
            "/admin/notices",
            &[
                ("title_ja", ""),
                ("body_ja", "本文を残す"),
                ("title_en", ""),
                ("body_en", ""),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(html.contains("件名（日本語）: "), "{html}");
        assert!(html.contains("本文を残す"));

        let (s, loc, _) = post(
            &app,
            &officer,
            "/admin/notices",
            &[
                ("title_ja", "通販サイトの閲覧障害について"),
                (
                    "body_ja",
                    "12月13日20時頃から通販サイトが閲覧しにくくなっています。<調査中>",
                ),
                ("title_en", "Web shop access problems"),
                (
                    "body_en",
                    "Since about 20:00 on 13 December the web shop is hard to reach.",
                ),
                ("incident_id", ""),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let id: i64 = loc.rsplit('/').next().unwrap().parse().unwrap();

        // The draft is not public: not listed, not at its address, not in the feed.
        let (s, html) = get_text(&public, &format!("{}/notices", app.base)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!html.contains("閲覧障害"));
        let (s, _) = get_text(&public, &format!("{}/notices/{id}", app.base)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(!get_text(&public, &format!("{}/notices.atom", app.base))
            .await
            .1
            .contains("閲覧障害"));
        // Staff pages need sign-in.
        let (s, _) = get_text(&public, &format!("{}/admin/notices", app.base)).await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // The security officer cannot publish.
        let (_, html) = get_text(&officer, &format!("{}/admin/notices/{id}", app.base)).await;
        assert!(html.contains("id=\"approver-only\""));
        assert!(!html.contains("id=\"do-publish\""));
        let (s, _, html) = post(
            &app,
            &officer,
            &format!("/admin/notices/{id}/publish"),
            &[("row_version", "1")],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert!(html.contains("管理者または経営者"));
        assert!(
            get_text(&public, &format!("{}/notices/{id}", app.base))
                .await
                .0
                == StatusCode::NOT_FOUND
        );

        // The executive approves it.
        let (s, _, _) = post(
            &app,
            &exec,
            &format!("/admin/notices/{id}/publish"),
            &[("row_version", "1")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, html) = get_text(&public, &format!("{}/notices", app.base)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("通販サイトの閲覧障害について"));
        // Text is escaped, not markup.
        assert!(html.contains("調査中") && !html.contains("<調査中>"));

        // Officer cannot add an update; the executive can.
        let (s, _, _) = post(
            &app,
            &officer,
            &format!("/admin/notices/{id}/update"),
            &[("update_ja", "続報です"), ("update_en", "")],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, html) = post(
            &app,
            &exec,
            &format!("/admin/notices/{id}/update"),
            &[("update_ja", "  "), ("update_en", "kept")],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("本文（日本語）: ") && html.contains(">kept<"),
            "{html}"
        );
        for (ja, en) in [
            (
                "21時30分、攻撃元からの通信を遮断しました。",
                "At 21:30 the attacking traffic was blocked.",
            ),
            ("1時30分、閲覧できる状態に復旧しました。", ""),
        ] {
            let (s, _, _) = post(
                &app,
                &exec,
                &format!("/admin/notices/{id}/update"),
                &[("update_ja", ja), ("update_en", en)],
            )
            .await;
            assert_eq!(s, StatusCode::SEE_OTHER);
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }

        // Public page in Japanese: updates newest first.
        let (_, html) = get_text(&public, &format!("{}/notices/{id}", app.base)).await;
        let a = html.find("1時30分、閲覧できる").unwrap();
        let b = html.find("21時30分、攻撃元").unwrap();
        assert!(a < b, "newest update first");
        // English by Accept-Language; an update without English falls back.
        let r = public
            .get(format!("{}/notices/{id}", app.base))
            .header("accept-language", "en-US,en;q=0.9")
            .send()
            .await
            .unwrap();
        let html = r.text().await.unwrap();
        assert!(html.contains("Web shop access problems"));
        assert!(html.contains("At 21:30 the attacking traffic was blocked."));
        assert!(html.contains("Updates (newest first)"));

        // The Atom feed parses and carries the notice and its update.
        let r = public
            .get(format!("{}/notices.atom", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml"));
        let xml = r.text().await.unwrap();
        let els = atom_elements(&xml);
        let has = |path: &str| els.iter().any(|(p, _)| p == path);
        for required in [
            "feed/id",
            "feed/title",
            "feed/updated",
            "feed/author/name",
            "feed/link",
            "feed/entry/id",
            "feed/entry/title",
            "feed/entry/updated",
            "feed/entry/link",
            "feed/entry/content",
        ] {
            assert!(has(required), "{required} missing in {xml}");
        }
        let content = els
            .iter()
            .find(|(p, _)| p == "feed/entry/content")
            .unwrap()
            .1
            .clone();
        assert!(
            content.contains("21時30分、攻撃元からの通信を遮断しました。"),
            "{content}"
        );
        assert!(
            content.contains("<調査中>"),
            "escaped in XML, intact when parsed"
        );
        let updated = els
            .iter()
            .find(|(p, _)| p == "feed/entry/updated")
            .unwrap()
            .1
            .clone();
        assert!(
            updated.ends_with('Z') && updated.len() == 20,
            "RFC 3339: {updated}"
        );

        // The banner: frameable, one click to the list.
        let r = public
            .get(format!("{}/notices/banner", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let csp = r
            .headers()
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("frame-ancestors *"), "{csp}");
        assert!(r.headers().get("x-frame-options").is_none());
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"/notices\""));
        assert!(html.contains("通販サイトの閲覧障害について"));
        // Other pages still refuse framing.
        let r = public
            .get(format!("{}/notices", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers().get("x-frame-options").unwrap(), "DENY");

        // Withdrawn: off the current list, still readable at its address, marked.
        let (_, html) = get_text(&exec, &format!("{}/admin/notices/{id}", app.base)).await;
        let version = html
            .split("name=\"row_version\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let (s, _, _) = post(
            &app,
            &officer,
            &format!("/admin/notices/{id}/withdraw"),
            &[("row_version", &version)],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) = post(
            &app,
            &exec,
            &format!("/admin/notices/{id}/withdraw"),
            &[("row_version", &version)],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = get_text(&public, &format!("{}/notices", app.base)).await;
        assert!(html.contains("現在掲載中のお知らせはありません。"));
        assert!(html.contains("id=\"archive\""));
        let (s, html) = get_text(&public, &format!("{}/notices/{id}", app.base)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("id=\"withdrawn-mark\""));
        assert!(html.contains("21時30分、攻撃元からの通信を遮断しました。"));
        let (_, banner) = get_text(&public, &format!("{}/notices/banner", app.base)).await;
        assert!(banner.contains("現在お知らせはありません。"));

        // Audited.
        let (_, audit) = get_text(&exec, &format!("{}/audit", app.base)).await;
        let _ = audit;
        let entries = app.store.audit_page(None, 0, 500).await.unwrap().entries;
        assert!(
            entries
                .iter()
                .filter(|e| e.object_kind == "notice_updates")
                .count()
                == 2
        );
        assert!(entries
            .iter()
            .any(|e| e.object_kind == "notices" && e.actor == "exec"));
    }
}

#[tokio::test]
async fn the_review_and_the_exports_carry_the_incident() {
    for backend in backends() {
        let app = spawn(backend).await;
        let seed = app.seed().await;
        let officer = login(&app, "security").await;
        let shop = seed.shop.to_string();
        let (s, loc, _) = post(
            &app,
            &officer,
            "/incidents",
            &[
                ("title", "Webショップ改ざん"),
                ("category", "tampering"),
                ("level", "2"),
                ("discovered_at", "2026-11-20T09:30"),
                ("summary", "トップページが書き換えられた"),
                ("personal_data", "unknown"),
                ("system_ids", &shop),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{backend}");
        let id: i64 = loc.rsplit('/').next().unwrap().parse().unwrap();
        post(
            &app,
            &officer,
            &format!("/incidents/{id}/log"),
            &[("text", "10:05 サーバをネットワークから切り離した")],
        )
        .await;
        post(
            &app,
            &officer,
            &format!("/incidents/{id}/decision"),
            &[
                ("decider", "admin"),
                ("decision", "Webショップを停止する"),
                ("authority", "stop_system"),
                ("system_id", &shop),
                ("basis", "電話での指示"),
            ],
        )
        .await;

        // The incident page links to the review and the exports.
        let (_, html) = get_text(&officer, &format!("{}/incidents/{id}", app.base)).await;
        assert!(html.contains(&format!("href=\"/incidents/{id}/review\"")));
        assert!(html.contains(&format!("href=\"/incidents/{id}.json\"")));

        // The review: ten questions; answers saved and versioned in the log.
        let (s, html) = get_text(&officer, &format!("{}/incidents/{id}/review", app.base)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(html.matches("<textarea id=\"q-").count(), 10);
        assert!(html.contains("もっと早く必要だった情報は何か"));
        let (s, _, _) = post(
            &app,
            &officer,
            &format!("/incidents/{id}/review"),
            &[
                ("q_what_happened", "09:30 発見、10:05 切り離し"),
                ("q_corrective_actions", "CMS の更新手順を定める"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = get_text(&officer, &format!("{}/incidents/{id}/review", app.base)).await;
        assert!(html.contains("09:30 発見、10:05 切り離し"));
        assert!(html.contains("第1版"));
        // An improvement action from an answer; a bad date is named.
        let (s, _, html) = post(
            &app,
            &officer,
            &format!("/incidents/{id}/review/action"),
            &[
                ("question", "corrective_actions"),
                ("title", "CMS を毎月更新"),
                ("owner", "security"),
                ("due", "来月"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("期限: "), "{html}");
        let (s, _, _) = post(
            &app,
            &officer,
            &format!("/incidents/{id}/review/action"),
            &[
                ("question", "corrective_actions"),
                ("title", "CMS を毎月更新"),
                ("owner", "security"),
                ("due", "2026-12-31"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = get_text(&officer, &format!("{}/incidents/{id}/review", app.base)).await;
        assert!(html.contains("CMS を毎月更新") && html.contains("2026-12-31"));
        // It is on the PDCA list too.
        let (_, html) = get_text(&officer, &format!("{}/actions", app.base)).await;
        assert!(html.contains("CMS を毎月更新"));
        // The auditor reads the review but cannot answer.
        let auditor = login(&app, "auditor").await;
        let (s, html) = get_text(&auditor, &format!("{}/incidents/{id}/review", app.base)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!html.contains("<textarea id=\"q-"));

        // JSON export: the log, the decision with its authority flag, the review, the action.
        let r = officer
            .get(format!("{}/incidents/{id}.json", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let j: serde_json::Value = r.json().await.unwrap();
        assert_eq!(j["incident"]["title"], "Webショップ改ざん");
        let log = j["log"].as_array().unwrap();
        assert!(log
            .iter()
            .any(|e| e["body"] == "10:05 サーバをネットワークから切り離した"));
        assert!(log.iter().any(|e| e["kind"] == "review"));
        let d = &j["decisions"][0];
        assert_eq!(d["decision"], "Webショップを停止する");
        assert_eq!(d["authorized"], false);
        assert_eq!(j["review"][0]["question"], "corrective_actions");
        assert_eq!(j["improvement_actions"][0]["title"], "CMS を毎月更新");
        assert!(j["tasks"].as_array().unwrap().len() > 5);
        // Not for the public.
        let (s, _) = get_text(&client(), &format!("{}/incidents/{id}.json", app.base)).await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // The printable report: same facts, the warning, a print stylesheet.
        let (s, html) = get_text(&officer, &format!("{}/incidents/{id}/report", app.base)).await;
        assert_eq!(s, StatusCode::OK);
        for want in [
            "経過（作業記録）",
            "10:05 サーバをネットワークから切り離した",
            "Webショップを停止する",
            "class=\"warning\"",
            "CMS の更新手順を定める",
            "CMS を毎月更新",
            "/static/notices.css",
        ] {
            assert!(html.contains(want), "{want} missing");
        }
        let (_, css) = get_text(&client(), &format!("{}/static/notices.css", app.base)).await;
        assert!(css.contains("@media print"));
    }
}
