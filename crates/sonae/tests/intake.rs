//! Reports from outside over HTTP: security.txt from the settings page, the
//! public form's honeypot, proof of work and rate limit, and a report going
//! from the form to staff and back to the reporter — on SQLite and
//! PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{spawn, TestApp, PASSWORD};
use reqwest::{redirect::Policy, Client, StatusCode};
use sonae_domain::intake::pow;
use sonae_domain::Actor;

fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The value of the first `name="…" value="…"` or `id="…" value="…"` attribute pair.
fn attr_value(html: &str, marker: &str) -> String {
    let i = html
        .find(marker)
        .unwrap_or_else(|| panic!("page has {marker}"))
        + marker.len();
    let rest = &html[i..];
    let j = rest.find("value=\"").unwrap() + 7;
    rest[j..].split('"').next().unwrap().to_owned()
}

fn csrf_of(html: &str) -> String {
    attr_value(html, "name=\"csrf\"")
}

async fn get_text(c: &Client, url: &str) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn login(app: &TestApp, user: &str) -> Client {
    let c = client();
    let (_, html) = get_text(&c, &format!("{}/login", app.base)).await;
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("username", user),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login as {user}");
    c
}

/// The report form as a visitor gets it: CSRF token and challenge.
async fn open_form(app: &TestApp, c: &Client) -> (String, String) {
    let (status, html) = get_text(c, &format!("{}/report", app.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("/static/intake.js"),
        "the form loads its script"
    );
    assert!(html.contains("<noscript>"), "and says it needs JavaScript");
    (csrf_of(&html), attr_value(&html, "id=\"pow-challenge\""))
}

/// A nonce that does NOT solve the challenge (the test app's key is 32 × 7).
fn wrong_nonce(app: &TestApp, challenge: &str) -> String {
    let now = app.store.clock().now_ms();
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| {
            pow::verify(&[7u8; 32], now, pow::DEFAULT_BITS, challenge, n)
                == Err(pow::PowError::Insufficient)
        })
        .unwrap()
}

fn report_fields<'a>(
    csrf: &'a str,
    challenge: &'a str,
    nonce: &'a str,
    description: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("challenge", challenge),
        ("nonce", nonce),
        ("reporter_name", "山田 花子"),
        ("reporter_email", "hanako@example.jp"),
        ("product", "https://shop.example.jp/search"),
        ("description", description),
        ("vuln_ids", "CVE-2024-3094"),
        ("website", ""),
    ]
}

async fn post_report(app: &TestApp, c: &Client, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let r = c
        .post(format!("{}/report", app.base))
        .form(fields)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn report_count(app: &TestApp) -> usize {
    app.store
        .reports(&Actor::system(), None)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn security_txt_is_generated_from_validated_settings() {
    for backend in common::backends() {
        let app = spawn(backend).await;
        app.seed().await;
        let anon = client();
        let (status, _) = get_text(&anon, &format!("{}/.well-known/security.txt", app.base)).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "nothing to publish before setup"
        );
        let officer_early = login(&app, "security").await;
        let (_, list) = get_text(&officer_early, &format!("{}/reports", app.base)).await;
        assert!(
            list.contains("id=\"sectxt-warning\""),
            "staff are told it is not published"
        );

        let officer = login(&app, "security").await;
        let (status, _) = get_text(&officer, &format!("{}/admin/intake", app.base)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "only administrators edit it");

        let admin = login(&app, "admin").await;
        let (status, html) = get_text(&admin, &format!("{}/admin/intake", app.base)).await;
        assert_eq!(status, StatusCode::OK);
        // Defaults: Japanese and English, a year ahead.
        assert!(html.contains("value=\"ja, en\""));
        let csrf = csrf_of(&html);
        let r = admin
            .post(format!("{}/admin/intake", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("contacts", "ftp://example.jp/security"),
                ("expires", "2020-01-01"),
                ("preferred_languages", "ja, en"),
                ("policy", "http://example.jp/policy"),
                ("acknowledgments", ""),
                ("intake_enabled", "1"),
                ("ack_business_days", "2"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        for (id, text) in [
            ("contacts-error", "https:// で始まる URL"),
            ("expires-error", "未来の日付"),
            ("policy-error", "https:// で始まるアドレス"),
        ] {
            let at = html
                .find(&format!("id=\"{id}\""))
                .unwrap_or_else(|| panic!("{id}"));
            assert!(
                html[at..]
                    .chars()
                    .take(200)
                    .collect::<String>()
                    .contains(text),
                "{id} names the problem in Japanese"
            );
        }
        assert!(
            html.contains("ftp://example.jp/security"),
            "the typed value is kept"
        );
        assert_eq!(app.store.intake_settings().await.unwrap(), None);

        let expires = (app.store.clock().now() + chrono::Duration::days(200))
            .format("%Y-%m-%d")
            .to_string();
        let r = admin
            .post(format!("{}/admin/intake", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                (
                    "contacts",
                    "security@example.jp\nhttps://example.jp/contact",
                ),
                ("expires", expires.as_str()),
                ("preferred_languages", "ja, en"),
                ("policy", "https://example.jp/policy"),
                ("acknowledgments", ""),
                ("intake_enabled", "1"),
                ("ack_business_days", "2"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = anon
            .get(format!("{}/.well-known/security.txt", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
        let legacy = anon
            .get(format!("{}/security.txt", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(legacy.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(legacy.headers()["location"], "/.well-known/security.txt");
        let body = r.text().await.unwrap();
        for line in [
            "Contact: mailto:security@example.jp\n",
            "Contact: https://example.jp/contact\n",
            "Contact: http://127.0.0.1/report\n",
            &format!("Expires: {expires}T23:59:59Z\n"),
            "Preferred-Languages: ja, en\n",
            "Policy: https://example.jp/policy\n",
            "Canonical: http://127.0.0.1/.well-known/security.txt\n",
        ] {
            assert!(body.contains(line), "security.txt has {line:?}:\n{body}");
        }
        let audit = app.store.audit_page(None, 0, 50).await.unwrap();
        assert!(
            audit
                .entries
                .iter()
                .any(|e| e.actor == "admin" && e.object_kind == "settings"),
            "the settings change is audited"
        );

        // Closing the form removes its Contact line and the form itself.
        let r = admin
            .post(format!("{}/admin/intake", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("contacts", "security@example.jp"),
                ("expires", expires.as_str()),
                ("preferred_languages", "ja"),
                ("ack_business_days", "3"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, body) = get_text(&anon, &format!("{}/.well-known/security.txt", app.base)).await;
        assert!(!body.contains("/report"));
        let (_, list) = get_text(&officer_early, &format!("{}/reports", app.base)).await;
        assert!(
            !list.contains("id=\"sectxt-warning\""),
            "valid for 200 days: no warning"
        );
        let (status, html) = get_text(&anon, &format!("{}/report", app.base)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(html.contains("受け付けていません"));
    }
}

#[tokio::test]
async fn honeypot_and_bad_proof_of_work_create_nothing() {
    let app = spawn("sqlite").await;
    let c = client();
    let desc = "SQL injection in the search parameter q";

    // The honeypot filled in (with a correct proof of work even).
    let (csrf, challenge) = open_form(&app, &c).await;
    let nonce = pow::solve(&challenge, pow::DEFAULT_BITS);
    let mut fields = report_fields(&csrf, &challenge, &nonce, desc);
    fields.retain(|(k, _)| *k != "website");
    fields.push(("website", "http://spam.example"));
    let (status, html) = post_report(&app, &c, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("届出を受け付けられませんでした"));
    assert_eq!(report_count(&app).await, 0);

    // A nonce that does not solve the challenge.
    let (csrf, challenge) = open_form(&app, &c).await;
    let bad = wrong_nonce(&app, &challenge);
    let (status, html) = post_report(&app, &c, &report_fields(&csrf, &challenge, &bad, desc)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("ロボット対策の確認に失敗しました"));
    assert!(html.contains(desc), "what was typed is kept");
    // No proof at all (JavaScript off).
    let (status, _) = post_report(&app, &c, &report_fields(&csrf, &challenge, "", desc)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A challenge the server did not issue.
    let forged = pow::issue(b"not the server's key, 32 bytes..", 0, "00", 1);
    let nonce = pow::solve(&forged, 1);
    let (status, _) = post_report(&app, &c, &report_fields(&csrf, &forged, &nonce, desc)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(report_count(&app).await, 0);

    // Solved properly it goes through — once.
    let nonce = pow::solve(&challenge, pow::DEFAULT_BITS);
    let fields = report_fields(&csrf, &challenge, &nonce, desc);
    let (status, html) = post_report(&app, &c, &fields).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let (status, html) = post_report(&app, &c, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("すでに一度送信されています"));
    assert_eq!(report_count(&app).await, 1);

    // Field errors name the field and keep the rest.
    let (csrf, challenge) = open_form(&app, &c).await;
    let nonce = pow::solve(&challenge, pow::DEFAULT_BITS);
    let mut fields = report_fields(&csrf, &challenge, &nonce, desc);
    for f in fields.iter_mut() {
        if f.0 == "reporter_email" {
            f.1 = "not-an-address";
        }
    }
    let r = c
        .post(format!("{}/report", app.base))
        .header("accept-language", "en")
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let at = html.find("id=\"reporter_email-error\"").unwrap();
    assert!(html[at..].contains("Enter a valid e-mail address"));
    assert!(html.contains(desc));
    assert_eq!(report_count(&app).await, 1);
}

#[tokio::test]
async fn the_rate_limit_answers_with_a_localized_message() {
    let app = spawn("sqlite").await;
    let c = client();
    let (csrf, challenge) = open_form(&app, &c).await;
    let desc = "Directory listing is enabled on /backup/";
    for _ in 0..sonae_domain::intake::REPORTS_PER_ADDRESS {
        let (status, _) = post_report(&app, &c, &report_fields(&csrf, &challenge, "1", desc)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let nonce = pow::solve(&challenge, pow::DEFAULT_BITS);
    let (status, html) =
        post_report(&app, &c, &report_fields(&csrf, &challenge, &nonce, desc)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("送信が多すぎます"));
    assert!(html.contains(desc), "what was typed is kept");
    let r = c
        .post(format!("{}/report", app.base))
        .header("accept-language", "en")
        .form(&report_fields(&csrf, &challenge, &nonce, desc))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("Too many submissions"));
    assert_eq!(report_count(&app).await, 0);
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html.find(start).unwrap_or_else(|| panic!("{start}")) + start.len();
    let rest = &html[i..];
    &rest[..rest.find(end).unwrap()]
}

#[tokio::test]
async fn a_report_goes_to_staff_and_the_conversation_reaches_the_reporter() {
    for backend in common::backends() {
        let app = spawn(backend).await;
        let seed = app.seed().await;
        let reporter = client();
        let (csrf, challenge) = open_form(&app, &reporter).await;
        let nonce = pow::solve(&challenge, pow::DEFAULT_BITS);
        let desc = "Stored XSS in product reviews: <script>alert(1)</script>";
        let (status, html) = post_report(
            &app,
            &reporter,
            &report_fields(&csrf, &challenge, &nonce, desc),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let reference = between(&html, "<dd id=\"reference\">", "<").to_owned();
        assert!(
            reference.starts_with("VR-") && reference.len() == 22,
            "{reference}"
        );
        let link = between(&html, "id=\"thread-link\" href=\"", "\"").to_owned();
        let path = &link[link.find("/report/t/").unwrap()..];

        // The deadline: two Japanese business days after today in Tokyo.
        let today = app
            .store
            .clock()
            .now()
            .with_timezone(&chrono_tz::Asia::Tokyo)
            .date_naive();
        let due = sonae_domain::calendar::add_business_days(today, 2)
            .format("%Y-%m-%d")
            .to_string();
        assert!(html.contains(&due), "the receipt gives the date {due}");

        let officer = login(&app, "security").await;
        let (_, home) = get_text(&officer, &format!("{}/", app.base)).await;
        assert!(home.contains("受領連絡待ちの届出"));
        assert!(home.contains("href=\"/reports\""), "nav link for staff");
        let (status, list) = get_text(&officer, &format!("{}/reports", app.base)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(list.contains(&reference));
        assert!(list.contains(&due), "ack deadline in the list");
        assert!(!list.contains("class=\"overdue\""));
        let id = app.store.reports(&Actor::system(), None).await.unwrap()[0].id;
        let (_, page) = get_text(&officer, &format!("{}/reports/{id}", app.base)).await;
        assert!(page.contains("alert(1)"));
        assert!(
            !page.contains("<script>alert(1)"),
            "the description is escaped"
        );
        assert!(page.contains("hanako@example.jp"));
        let csrf = csrf_of(&page);
        for (action, body) in [
            (
                "note",
                "Internal: reproduced on staging, owner is 通販事業部",
            ),
            ("reply", "ご連絡ありがとうございます。確認しています。"),
        ] {
            let r = officer
                .post(format!("{}/reports/{id}/message", app.base))
                .form(&[("csrf", csrf.as_str()), ("action", action), ("body", body)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
        }
        // An empty message is refused next to the field.
        let r = officer
            .post(format!("{}/reports/{id}/message", app.base))
            .form(&[("csrf", csrf.as_str()), ("action", "reply"), ("body", "  ")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("id=\"body-error\""));

        // The reporter sees the reply, not the note, and that it was acknowledged.
        let (status, thread) = get_text(&reporter, &format!("{}{path}", app.base)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(thread.contains("確認しています。"));
        assert!(!thread.contains("Internal: reproduced"));
        assert!(thread.contains("受領連絡済み"));
        assert!(
            !thread.contains("security"),
            "staff user names stay internal"
        );
        let csrf_r = csrf_of(&thread);
        let r = reporter
            .post(format!("{}{path}", app.base))
            .form(&[
                ("csrf", csrf_r.as_str()),
                ("body", "PoC: /search?q=%3Cscript%3E"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // A wrong token finds nothing.
        let (status, _) = get_text(
            &reporter,
            &format!("{}/report/t/{}", app.base, "0".repeat(64)),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Staff see everything, with who and when; then triage.
        let (_, page) = get_text(&officer, &format!("{}/reports/{id}", app.base)).await;
        assert!(page.contains("PoC: /search?q=%3Cscript%3E"));
        assert!(page.contains("Internal: reproduced"));
        assert!(page.contains("状況: 受付 → 受領連絡済み"));
        let version = attr_value(&page, "name=\"row_version\"");
        let officer_id = app
            .store
            .user_by_name("security")
            .await
            .unwrap()
            .unwrap()
            .id;
        let r = officer
            .post(format!("{}/reports/{id}", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("row_version", version.as_str()),
                ("status", "triaging"),
                ("assignee_id", &officer_id.to_string()),
                ("system_id", &seed.shop.to_string()),
                ("linked_vuln_ids", "CVE-2024-3094"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, page) = get_text(&officer, &format!("{}/reports/{id}", app.base)).await;
        assert!(page.contains("状況: 受領連絡済み → 調査中"));
        assert!(page.contains("href=\"/vulns/CVE-2024-3094\""));
        assert!(page.contains("Webショップ"));
        // The same old version again: refused, not overwritten.
        let r = officer
            .post(format!("{}/reports/{id}", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("row_version", version.as_str()),
                ("status", "rejected"),
                ("linked_vuln_ids", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        // A jump the life of a report does not allow.
        let (_, page) = get_text(&officer, &format!("{}/reports/{id}", app.base)).await;
        let version = attr_value(&page, "name=\"row_version\"");
        let r = officer
            .post(format!("{}/reports/{id}", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("row_version", version.as_str()),
                ("status", "fixed"),
                ("linked_vuln_ids", "CVE-2024-3094"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("一覧の中から選んでください"));

        // Every change is audited under the person who made it.
        let (n, breaks) = app.store.audit_verify().await.unwrap();
        assert!(n > 0 && breaks.is_empty());
        let audit = app.store.audit_page(None, 0, 100).await.unwrap();
        let by = |actor: &str, kind: &str| {
            audit
                .entries
                .iter()
                .filter(|e| e.actor == actor && e.object_kind == kind)
                .count()
        };
        assert_eq!(by("reporter", "reports"), 1, "the report's arrival");
        assert_eq!(by("reporter", "report_messages"), 1);
        assert_eq!(by("security", "report_messages"), 2, "note and reply");
        assert!(by("security", "reports") >= 2, "acknowledgement and triage");

        // Roles: auditors and executives read; owners and vendors see nothing.
        let auditor = login(&app, "auditor").await;
        let (status, page) = get_text(&auditor, &format!("{}/reports/{id}", app.base)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.contains("id=\"message-form\""));
        let r = auditor
            .post(format!("{}/reports/{id}/message", app.base))
            .form(&[
                ("csrf", csrf_of(&page).as_str()),
                ("action", "note"),
                ("body", "x"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        for who in ["owner", "vendor"] {
            let c = login(&app, who).await;
            for url in ["/reports".to_owned(), format!("/reports/{id}")] {
                let (status, _) = get_text(&c, &format!("{}{url}", app.base)).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{who} on {url}");
            }
            let (_, home) = get_text(&c, &format!("{}/", app.base)).await;
            assert!(!home.contains("href=\"/reports\""), "{who} has no nav link");
        }
        let (status, _) = get_text(&client(), &format!("{}/reports", app.base)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "visitors are sent to log in");
    }
}

#[tokio::test]
async fn an_unacknowledged_report_past_its_deadline_is_highlighted() {
    let app = spawn("sqlite").await;
    app.seed().await;
    let now = app.store.clock().now_ms();
    app.store
        .create_report(sonae_store::NewReport {
            input: sonae_domain::intake::ReportInput::parse(
                "",
                "",
                "https://old.example.jp/",
                "Old report nobody answered",
                "",
            )
            .unwrap(),
            reference: "VR-OLD0-0000-0000-0000".into(),
            token_hash: "x".repeat(64),
            ack_due_at_ms: now - 1000,
        })
        .await
        .unwrap();
    let officer = login(&app, "security").await;
    let (_, list) = get_text(&officer, &format!("{}/reports", app.base)).await;
    assert!(list.contains("<tr class=\"overdue\">"));
    assert!(list.contains("期限超過"));
    let (_, list) = get_text(&officer, &format!("{}/reports?status=closed", app.base)).await;
    assert!(!list.contains("VR-OLD0"), "the status filter applies");
}

#[tokio::test]
async fn the_reporters_replies_are_rate_limited_too() {
    let app = spawn("sqlite").await;
    let c = client();
    let (csrf, challenge) = open_form(&app, &c).await;
    let nonce = pow::solve(&challenge, pow::DEFAULT_BITS);
    let (_, html) = post_report(
        &app,
        &c,
        &report_fields(&csrf, &challenge, &nonce, "Open redirect at /login?next="),
    )
    .await;
    let link = between(&html, "id=\"thread-link\" href=\"", "\"").to_owned();
    let url = format!("{}{}", app.base, &link[link.find("/report/t/").unwrap()..]);
    for i in 0..sonae_domain::intake::REPLIES_PER_REPORT {
        let r = c
            .post(&url)
            .form(&[("csrf", csrf.as_str()), ("body", &format!("note {i}"))])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let r = c
        .post(&url)
        .form(&[("csrf", csrf.as_str()), ("body", "one too many")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = r.text().await.unwrap();
    assert!(html.contains("送信が多すぎます"));
    assert!(html.contains("one too many"), "the text is kept in the box");
}
