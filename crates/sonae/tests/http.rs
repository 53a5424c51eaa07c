//! The app over HTTP, as a browser or API client sees it: sessions, CSRF,
//! headers, every role against what it must not reach, stale saves, CSV
//! import, API tokens — on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::web::{client, csrf, csrf_of, get_text, login};
use common::{spawn, TestApp, PASSWORD};
use reqwest::{Client, StatusCode};
use sonae_domain::inventory::Kind;

fn system_form<'a>(
    csrf: &'a str,
    name: &'a str,
    dept: &'a str,
    version: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("row_version", version),
        ("name", name),
        ("owner_department_id", dept),
        ("exposure", "intranet"),
        ("confidentiality", "2"),
        ("integrity", "2"),
        ("availability", "2"),
    ]
}

#[tokio::test]
async fn first_run_setup_creates_the_admin_then_disappears() {
    let app = spawn("sqlite").await;
    let c = client();
    let r = c.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/setup");
    let (status, html) = get_text(&c, &format!("{}/setup", app.base)).await;
    assert_eq!(status, StatusCode::OK);
    let token = csrf_of(&html);
    let weak = c
        .post(format!("{}/setup", app.base))
        .header("accept-language", "en")
        .form(&[
            ("csrf", token.as_str()),
            ("username", "root"),
            ("display_name", "Root"),
            ("password", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        weak.text().await.unwrap().contains("password-error"),
        "the error is shown next to the password field"
    );
    assert_eq!(app.store.user_count().await.unwrap(), 0);
    let ok = c
        .post(format!("{}/setup", app.base))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "root"),
            ("display_name", "Root"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let u = app.store.user_by_name("root").await.unwrap().unwrap();
    assert_eq!(u.role, sonae_domain::Role::Admin);
    assert!(
        u.password_hash.starts_with("$argon2id$"),
        "passwords are stored with Argon2id"
    );
    assert_eq!(
        get_text(&c, &format!("{}/setup", app.base)).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn security_headers_cookies_and_csrf() {
    let app = spawn("sqlite").await;
    let seed = app.seed().await;
    let r = client()
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap();
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let c = client();
    let (_, html) = get_text(&c, &format!("{}/login", app.base)).await;
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("username", "admin"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("sonae_session="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    // A state-changing form without the token is refused and changes nothing.
    let before = app.store.count(Kind::Department).await.unwrap();
    let r = c
        .post(format!("{}/inventory/departments", app.base))
        .form(&[("name", "偽の部門"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.store.count(Kind::Department).await.unwrap(), before);
    // A login form posted without the token is refused too.
    let r = client()
        .post(format!("{}/login", app.base))
        .form(&[("username", "admin"), ("password", PASSWORD), ("csrf", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let _ = seed;
}

#[tokio::test]
async fn login_is_throttled_after_repeated_failures() {
    let app = spawn("sqlite").await;
    app.seed().await;
    let c = client();
    let (_, html) = get_text(&c, &format!("{}/login", app.base)).await;
    let token = csrf_of(&html);
    for _ in 0..5 {
        let r = c
            .post(format!("{}/login", app.base))
            .form(&[
                ("csrf", token.as_str()),
                ("username", "admin"),
                ("password", "wrong-password-1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = c
        .post(format!("{}/login", app.base))
        .header("accept-language", "en")
        .form(&[
            ("csrf", token.as_str()),
            ("username", "admin"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits out the lock"
    );
}

#[tokio::test]
async fn every_role_is_refused_what_it_must_not_reach() {
    for backend in common::backends() {
        let app = spawn(backend).await;
        let seed = app.seed().await;
        let b = &app.base;
        // System owner of 通販事業部.
        let owner = login(&app, "owner").await;
        let (_, list) = get_text(&owner, &format!("{b}/inventory/systems")).await;
        assert!(
            list.contains("Webショップ") && !list.contains("倉庫管理"),
            "{backend}: owner sees only own systems"
        );
        assert_eq!(
            get_text(&owner, &format!("{b}/inventory/systems/{}", seed.wms))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            get_text(&owner, &format!("{b}/inventory/systems/{}/edit", seed.wms))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        let t = csrf(&app, &owner).await;
        let wms = seed.wms.to_string();
        let log = seed.log.to_string();
        let r = owner
            .post(format!("{b}/inventory/systems/{wms}"))
            .form(&system_form(&t, "乗っ取り", &log, "1"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "{backend}: owner edits another department's system"
        );
        let r = owner
            .post(format!("{b}/inventory/systems"))
            .form(&system_form(&t, "他部門の新システム", &log, "0"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: owner creates a system for another department"
        );
        assert_eq!(
            get_text(&owner, &format!("{b}/admin/users")).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            get_text(&owner, &format!("{b}/audit")).await.0,
            StatusCode::FORBIDDEN
        );
        let r = owner
            .post(format!("{b}/inventory/departments"))
            .form(&[("csrf", t.as_str()), ("name", "新部門")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "{backend}: owner creates a department"
        );
        // Vendor: only the system it runs; no people, no other systems.
        let vendor = login(&app, "vendor").await;
        assert_eq!(
            get_text(&vendor, &format!("{b}/inventory/systems/{}", seed.shop))
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            get_text(&vendor, &format!("{b}/inventory/systems/{}", seed.wms))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            get_text(&vendor, &format!("{b}/inventory/departments/{}", seed.ec))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        let (_, people) = get_text(&vendor, &format!("{b}/inventory/systems")).await;
        assert!(!people.contains("倉庫管理"));
        let vt = csrf(&app, &vendor).await;
        let shop = seed.shop.to_string();
        let r = vendor
            .post(format!("{b}/inventory/systems/{shop}"))
            .form(&system_form(&vt, "Webショップ", &seed.ec.to_string(), "1"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "{backend}: vendor edits a system"
        );
        let r = vendor
            .post(format!("{b}/inventory/components"))
            .form(&[
                ("csrf", vt.as_str()),
                ("system_id", wms.as_str()),
                ("product", "nginx"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: vendor adds a component to a system it does not run"
        );
        let r = vendor
            .post(format!("{b}/inventory/components"))
            .form(&[
                ("csrf", vt.as_str()),
                ("system_id", shop.as_str()),
                ("product", "nginx"),
                ("source", "manual"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{backend}: vendor keeps its own system's components"
        );
        // Auditor and executive: read everything, change nothing.
        for who in ["auditor", "exec"] {
            let c = login(&app, who).await;
            assert_eq!(
                get_text(&c, &format!("{b}/inventory/systems/{}", seed.wms))
                    .await
                    .0,
                StatusCode::OK
            );
            let ct = csrf(&app, &c).await;
            let r = c
                .post(format!("{b}/inventory/departments"))
                .form(&[("csrf", ct.as_str()), ("name", "監査部")])
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status(),
                StatusCode::FORBIDDEN,
                "{backend}: {who} creates"
            );
            let r = c
                .post(format!("{b}/inventory/systems/{wms}/delete"))
                .form(&[("csrf", ct.as_str()), ("row_version", "1")])
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status(),
                StatusCode::FORBIDDEN,
                "{backend}: {who} deletes"
            );
            assert_eq!(
                get_text(&c, &format!("{b}/admin/users")).await.0,
                StatusCode::FORBIDDEN
            );
        }
        let auditor = login(&app, "auditor").await;
        assert_eq!(
            get_text(&auditor, &format!("{b}/audit")).await.0,
            StatusCode::OK
        );
        let r = auditor
            .get(format!("{b}/audit/export.jsonl"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let lines = r.text().await.unwrap();
        assert!(
            lines.lines().count() >= 5 && lines.contains("\"hash\""),
            "the export carries the chain"
        );
        // Not signed in: sent to the log-in page.
        let anon = client()
            .get(format!("{b}/inventory/systems"))
            .send()
            .await
            .unwrap();
        assert!(anon.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login"));
        assert_eq!(
            app.store.count(Kind::System).await.unwrap(),
            2,
            "{backend}: no refused request changed anything"
        );
    }
}

#[tokio::test]
async fn a_stale_save_is_refused_and_shows_what_changed() {
    for backend in common::backends() {
        let app = spawn(backend).await;
        let seed = app.seed().await;
        let b = &app.base;
        let a = login(&app, "admin").await;
        let s = login(&app, "security").await;
        let ta = csrf(&app, &a).await;
        let ts = csrf(&app, &s).await;
        let ec = seed.ec.to_string();
        let url = format!("{b}/inventory/systems/{}", seed.shop);
        // Both opened version 1; the first save wins.
        let r = a
            .post(&url)
            .form(&system_form(&ta, "Webショップ（新）", &ec, "1"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = s
            .post(&url)
            .header("accept-language", "en")
            .form(&system_form(&ts, "Webショップ（別案）", &ec, "1"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT, "{backend}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("id=\"stale\""),
            "{backend}: the stale notice is shown"
        );
        assert!(
            html.contains("Webショップ（新）"),
            "{backend}: the other person's value is shown"
        );
        let now = app
            .store
            .get(&sonae_domain::Actor::system(), Kind::System, seed.shop)
            .await
            .unwrap();
        assert_eq!(
            now.get("name"),
            &sonae_domain::Value::Text("Webショップ（新）".into()),
            "{backend}: not overwritten"
        );
    }
}

fn sjis(s: &str) -> Vec<u8> {
    encoding_rs::SHIFT_JIS.encode(s).0.into_owned()
}

async fn upload(
    c: &Client,
    app: &TestApp,
    kind: &str,
    bytes: Vec<u8>,
    lang: &str,
) -> (StatusCode, String) {
    let t = csrf(app, c).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", t)
        .text("kind", kind.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("inventory.csv"),
        );
    let r = c
        .post(format!("{}/inventory/import", app.base))
        .header("accept-language", lang)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn csv_import_from_excel_reports_lines_and_keeps_nothing_partial() {
    for backend in common::backends() {
        let app = spawn(backend).await;
        app.seed().await;
        let c = login(&app, "security").await;
        let header = "name,owner_department,vendor,exposure,personal_data,confidentiality,integrity,availability,end_of_support\r\n";
        let bad = format!("{header}受注管理,通販事業部,,intranet,はい,3,3,2,2027/3/31\r\n勤怠管理,存在しない部,,outer,0,5,2,2,\r\n");
        let (status, html) = upload(&c, &app, "systems", sjis(&bad), "ja").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            html.contains("3 行目"),
            "{backend}: the line is named: {html}"
        );
        for column in ["owner_department", "exposure", "confidentiality"] {
            assert!(
                html.contains(&format!("「{column}」")),
                "{backend}: column {column} is named"
            );
        }
        assert_eq!(
            app.store.count(Kind::System).await.unwrap(),
            2,
            "{backend}: nothing of the file was imported"
        );
        let good = format!("\u{feff}{header}受注管理,通販事業部,ウェブ運用株式会社,intranet,はい,3,3,2,2027/3/31\r\n勤怠管理,物流部,,isolated,0,1,2,2,\r\n");
        let (status, html) = upload(&c, &app, "systems", good.into_bytes(), "en").await;
        assert_eq!(status, StatusCode::OK, "{backend}: {html}");
        assert_eq!(app.store.count(Kind::System).await.unwrap(), 4);
        // Components refer to their system by name.
        let comps = "system,vendor,product,version,cpe\r\n受注管理,Apache,HTTP Server,2.4.58,cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*\r\n";
        let (status, _) = upload(&c, &app, "components", sjis(comps), "ja").await;
        assert_eq!(status, StatusCode::OK);
        // Export: UTF-8 with BOM, names not ids; Shift_JIS on request.
        let r = c
            .get(format!("{}/inventory/systems.csv", app.base))
            .send()
            .await
            .unwrap();
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xef\xbb\xbf"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.contains("受注管理,") && text.contains("通販事業部"));
        let r = c
            .get(format!(
                "{}/inventory/components.csv?encoding=sjis",
                app.base
            ))
            .send()
            .await
            .unwrap();
        let raw = r.bytes().await.unwrap();
        let (decoded, _, bad) = encoding_rs::SHIFT_JIS.decode(&raw);
        assert!(!bad && decoded.contains("受注管理"));
    }
}

#[tokio::test]
async fn oversized_upload_gets_a_clear_message() {
    let app = spawn("sqlite").await;
    app.seed().await;
    let c = login(&app, "admin").await;
    let big = vec![b'a'; 2 * 1024 * 1024];
    let (status, html) = upload(&c, &app, "systems", big, "en").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(html.contains("1 MiB"), "the limit is named: {html}");
}

#[tokio::test]
async fn sbom_import_adds_components_with_cpe_and_purl() {
    let app = spawn("sqlite").await;
    let seed = app.seed().await;
    let c = login(&app, "admin").await;
    let t = csrf(&app, &c).await;
    let bom = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
        {"type":"library","name":"log4j-core","version":"2.14.1","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1","cpe":"cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"},
        {"type":"library","name":"jackson-databind","version":"2.13.0","purl":"pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.0"}]}"#;
    let form = reqwest::multipart::Form::new().text("csrf", t).part(
        "file",
        reqwest::multipart::Part::bytes(bom.to_vec()).file_name("bom.json"),
    );
    let r = c
        .post(format!("{}/inventory/systems/{}/sbom", app.base, seed.shop))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = app
        .store
        .list(
            &sonae_domain::Actor::system(),
            Kind::Component,
            &sonae_store::ListQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let log4j = page
        .items
        .iter()
        .find(|r| r.get("product") == &sonae_domain::Value::Text("log4j-core".into()))
        .unwrap();
    assert_eq!(
        log4j.get("cpe"),
        &sonae_domain::Value::Text("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*".into())
    );
    assert_eq!(
        log4j.get("source"),
        &sonae_domain::Value::Text("sbom".into())
    );
    assert_eq!(log4j.get("system_id"), &sonae_domain::Value::Int(seed.shop));
}

/// A Vuls scan result uploaded on a system's page: its packages become the
/// system's Vuls components, a second upload replaces them, and a file
/// that is not a scan result is refused with the reason.
#[tokio::test]
async fn vuls_scan_result_upload_replaces_the_systems_vuls_components() {
    let app = spawn("sqlite").await;
    let seed = app.seed().await;
    let c = login(&app, "security").await;
    let url = format!("{}/inventory/systems/{}/vuls", app.base, seed.shop);
    let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sonae-collect/tests/fixtures/vuls/debian_12.json");
    let bytes = std::fs::read(fx).unwrap();
    let upload = |body: Vec<u8>| {
        let c = c.clone();
        let url = url.clone();
        let app = &app;
        async move {
            let t = csrf(app, &c).await;
            let form = reqwest::multipart::Form::new().text("csrf", t).part(
                "file",
                reqwest::multipart::Part::bytes(body).file_name("debian_12.json"),
            );
            let r = c.post(&url).multipart(form).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, html) = upload(bytes.clone()).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("12") && html.contains("debian_12"), "{html}");
    let vuls = |app: &common::TestApp| {
        let store = app.store.clone();
        async move {
            store
                .list(
                    &sonae_domain::Actor::system(),
                    Kind::Component,
                    &sonae_store::ListQuery {
                        eq: vec![("source", sonae_domain::Value::Text("vuls".into()))],
                        limit: 100,
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
        }
    };
    let page = vuls(&app).await;
    assert_eq!(page.total, 12);
    assert!(page.items.iter().all(|r| r
        .get("purl")
        .as_text()
        .is_some_and(|p| p.starts_with("pkg:deb/debian/"))));
    // The same scan again: nothing added or removed.
    let (_, html) = upload(bytes).await;
    assert_eq!(vuls(&app).await.total, 12, "{html}");
    let (status, html) = upload(b"{\"packages\": {}}".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("serverName"),
        "the missing field is named: {html}"
    );
}

#[tokio::test]
async fn api_tokens_scope_and_versions() {
    for backend in common::backends() {
        let app = spawn(backend).await;
        let seed = app.seed().await;
        let b = &app.base;
        let owner = login(&app, "owner").await;
        let t = csrf(&app, &owner).await;
        let r = owner
            .post(format!("{b}/account/tokens"))
            .form(&[("csrf", t.as_str()), ("name", "CI")])
            .send()
            .await
            .unwrap();
        let html = r.text().await.unwrap();
        let start = html.find("<code>").unwrap() + 6;
        let token = html[start..].split('<').next().unwrap().to_owned();
        assert!(token.starts_with("sonae_"));
        let api = client();
        let list: serde_json::Value = api
            .get(format!("{b}/api/v1/systems"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            list["total"], 1,
            "{backend}: the token carries the owner's scope"
        );
        assert_eq!(list["items"][0]["name"], "Webショップ");
        assert_eq!(list["items"][0]["personal_data"], true);
        let r = api
            .get(format!("{b}/api/v1/systems/{}", seed.wms))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = api
            .post(format!("{b}/api/v1/systems"))
            .bearer_auth(&token)
            .header("accept-language", "en")
            .json(&serde_json::json!({"name": "API", "owner_department_id": seed.ec, "exposure": "mars", "confidentiality": 3, "integrity": 9, "availability": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = r.json().await.unwrap();
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, vec!["exposure", "integrity"]);
        let mut shop: serde_json::Value = api
            .get(format!("{b}/api/v1/systems/{}", seed.shop))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        shop["notes"] = "APIから更新".into();
        let r = api
            .put(format!("{b}/api/v1/systems/{}", seed.shop))
            .bearer_auth(&token)
            .json(&shop)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = api
            .put(format!("{b}/api/v1/systems/{}", seed.shop))
            .bearer_auth(&token)
            .json(&shop)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::CONFLICT,
            "{backend}: the same version twice is stale"
        );
        let stale: serde_json::Value = r.json().await.unwrap();
        assert_eq!(stale["current"]["notes"], "APIから更新");
        // Revoked: refused.
        let tokens = app
            .store
            .list_tokens(app.store.user_by_name("owner").await.unwrap().unwrap().id)
            .await
            .unwrap();
        let t = csrf(&app, &owner).await;
        owner
            .post(format!("{b}/account/tokens/{}/revoke", tokens[0].id))
            .form(&[("csrf", t.as_str())])
            .send()
            .await
            .unwrap();
        let r = api
            .get(format!("{b}/api/v1/systems"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        // Session cookies alone do not open the API.
        assert_eq!(
            owner
                .get(format!("{b}/api/v1/systems"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn openapi_health_and_readiness() {
    let app = spawn("sqlite").await;
    let c = client();
    let doc: serde_json::Value = c
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for kind in Kind::ALL {
        assert!(doc["paths"][format!("/api/v1/{}", kind.slug())]["get"].is_object());
        assert!(doc["components"]["schemas"][kind.slug()]["properties"]["row_version"].is_object());
    }
    assert_eq!(
        doc["components"]["schemas"]["systems"]["properties"]["exposure"]["enum"][0],
        "internet"
    );
    assert_eq!(
        get_text(&c, &format!("{}/healthz", app.base)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        get_text(&c, &format!("{}/readyz", app.base)).await.1,
        "ready"
    );
}

#[tokio::test]
async fn language_follows_the_browser_then_the_users_choice() {
    let app = spawn("sqlite").await;
    app.seed().await;
    let c = client();
    let r = c
        .get(format!("{}/login", app.base))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("Sign in"),
        "English from Accept-Language"
    );
    let html = get_text(&c, &format!("{}/login", app.base)).await.1;
    assert!(html.contains("<html lang=\"ja\">"), "Japanese by default");
    let a = login(&app, "admin").await;
    let t = csrf(&app, &a).await;
    a.post(format!("{}/lang", app.base))
        .form(&[("csrf", t.as_str()), ("lang", "en"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        app.store
            .user_by_name("admin")
            .await
            .unwrap()
            .unwrap()
            .lang
            .as_deref(),
        Some("en"),
        "saved on the account"
    );
    let r = a
        .get(format!("{}/inventory/systems", app.base))
        .header("accept-language", "ja")
        .send()
        .await
        .unwrap();
    assert!(
        r.text().await.unwrap().contains("<html lang=\"en\">"),
        "the account's choice wins over the browser"
    );
}

#[tokio::test]
async fn admin_edits_accounts_but_not_their_own_admin_role() {
    let app = spawn("sqlite").await;
    app.seed().await;
    let b = &app.base;
    let a = login(&app, "admin").await;
    let t = csrf(&app, &a).await;
    let exec = app.store.user_by_name("exec").await.unwrap().unwrap();
    let v = exec.version.to_string();
    let url = format!("{b}/admin/users/{}", exec.id);
    let form = |ver: &str, disabled: &str| {
        vec![
            ("csrf", t.clone()),
            ("row_version", ver.to_owned()),
            ("display_name", "社長".to_owned()),
            ("role", "executive".to_owned()),
            ("disabled", disabled.to_owned()),
        ]
    };
    let r = a.post(&url).form(&form(&v, "1")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let exec2 = app.store.user_by_name("exec").await.unwrap().unwrap();
    assert!(exec2.disabled && exec2.display_name == "社長");
    // A disabled account cannot sign in.
    let c = client();
    let (_, html) = get_text(&c, &format!("{b}/login")).await;
    let r = c
        .post(format!("{b}/login"))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("username", "exec"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The old version is stale now.
    let r = a.post(&url).form(&form(&v, "")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        app.store
            .user_by_name("exec")
            .await
            .unwrap()
            .unwrap()
            .disabled,
        "the stale save changed nothing"
    );
    // An admin cannot demote themselves.
    let me = app.store.user_by_name("admin").await.unwrap().unwrap();
    let r = a
        .post(format!("{b}/admin/users/{}", me.id))
        .form(&[
            ("csrf", t.as_str()),
            ("row_version", &me.version.to_string()),
            ("display_name", "admin"),
            ("role", "auditor"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.store.user_by_name("admin").await.unwrap().unwrap().role,
        sonae_domain::Role::Admin
    );
}

#[tokio::test]
async fn vulnerability_pages_filters_api_and_stale_feeds() {
    use sonae_domain::vuln::{CveId, Cvss, Feed, SourceRecord};
    for backend in common::backends() {
        let app = spawn(backend).await;
        app.seed().await;
        let b = &app.base;
        let mut nvd = SourceRecord::new(Feed::Nvd, "CVE-2024-3094", "en");
        nvd.cves = vec![CveId::parse("CVE-2024-3094").unwrap()];
        nvd.description =
            Some("Malicious code was discovered in the upstream tarballs of xz".into());
        nvd.published = Some("2024-03-29T17:15:21Z".into());
        nvd.cvss.push(Cvss {
            version: "3.1".into(),
            base_score: 10.0,
            vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H".into()),
            severity: Some("CRITICAL".into()),
            source: Some("nvd@nist.gov".into()),
            primary: true,
        });
        let mut jvn = SourceRecord::new(Feed::Jvn, "JVNDB-2024-000100", "ja");
        jvn.cves = nvd.cves.clone();
        jvn.title = Some("XZ Utils に悪意あるコードが埋め込まれている問題".into());
        jvn.affected.push(sonae_domain::vuln::AffectedProduct {
            vendor: "Tukaani Project".into(),
            product: "XZ Utils".into(),
            cpe: Some("cpe:/a:tukaani:xz".into()),
            versions: vec!["5.6.2 より前のバージョン".into(), "一部の構成".into()],
        });
        let mut low = SourceRecord::new(Feed::Nvd, "CVE-2024-0002", "en");
        low.cves = vec![CveId::parse("CVE-2024-0002").unwrap()];
        low.description = Some("Minor issue".into());
        low.published = Some("2024-01-01T00:00:00Z".into());
        low.cvss.push(Cvss {
            version: "3.1".into(),
            base_score: 3.1,
            vector: None,
            severity: None,
            source: None,
            primary: true,
        });
        app.store.apply_records(&[nvd, jvn, low]).await.unwrap();
        app.store
            .record_feed_run(
                Feed::Nvd,
                Ok((2, 0, Some("2024-04-01T00:00:00Z".into()))),
                None,
            )
            .await
            .unwrap();
        let c = login(&app, "vendor").await;
        let (status, html) = get_text(&c, &format!("{b}/vulns?cvss_min=9")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("CVE-2024-3094") && !html.contains("CVE-2024-0002"),
            "{backend}: CVSS filter"
        );
        assert!(
            html.contains("XZ Utils に悪意"),
            "{backend}: the Japanese title is shown in Japanese"
        );
        let (_, html) = get_text(&c, &format!("{b}/vulns?q=JVNDB-2024-000100")).await;
        assert!(
            html.contains("CVE-2024-3094"),
            "{backend}: found by its JVN id"
        );
        let (status, html) = get_text(&c, &format!("{b}/vulns?cvss_min=eleven")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("cvss_min-error"),
            "{backend}: a bad filter is named next to its field"
        );
        let (status, html) = get_text(&c, &format!("{b}/vulns/CVE-2024-3094")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("id=\"source-nvd\"") && html.contains("id=\"source-jvn\""),
            "{backend}: both sources side by side"
        );
        // JVN's version text with how it was read, or that it was not.
        assert!(
            html.contains("5.6.2 より前のバージョン (解釈：&#60; 5.6.2)"),
            "{html}"
        );
        assert!(html.contains("一部の構成 (解釈できず"), "{backend}");
        assert_eq!(
            get_text(&c, &format!("{b}/vulns/CVE-1999-9999")).await.0,
            StatusCode::NOT_FOUND
        );
        // No warning while fresh; a warning once the last success is old.
        let (_, html) = get_text(&c, &format!("{b}/feeds")).await;
        assert!(
            !html.contains("role=\"alert\""),
            "{backend}: fresh feeds raise no warning"
        );
        app.store
            .execute_admin(
                "UPDATE feed_state SET last_success_ms = last_success_ms - 100 * 3600 * 1000",
            )
            .await
            .unwrap();
        let (_, html) = get_text(&c, &format!("{b}/feeds")).await;
        assert!(
            html.contains("role=\"alert\"") && html.contains("NVD"),
            "{backend}: stale feed warned"
        );
        // The API, with a token.
        let admin = login(&app, "admin").await;
        let t = csrf(&app, &admin).await;
        let r = admin
            .post(format!("{b}/account/tokens"))
            .form(&[("csrf", t.as_str()), ("name", "vulns")])
            .send()
            .await
            .unwrap();
        let html = r.text().await.unwrap();
        let start = html.find("<code>").unwrap() + 6;
        let token = html[start..].split('<').next().unwrap().to_owned();
        let api = client();
        let page: serde_json::Value = api
            .get(format!("{b}/api/v1/vulnerabilities?limit=1"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["items"][0]["id"], "CVE-2024-3094");
        let next = page["next"].as_str().unwrap().to_owned();
        let page2: serde_json::Value = api
            .get(format!(
                "{b}/api/v1/vulnerabilities?limit=1&after={}",
                url_encode(&next)
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page2["items"][0]["id"], "CVE-2024-0002");
        assert!(page2["next"].is_null());
        let one: serde_json::Value = api
            .get(format!("{b}/api/v1/vulnerabilities/JVNDB-2024-000100"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(one["id"], "CVE-2024-3094");
        assert_eq!(one["sources"].as_array().unwrap().len(), 2);
        // CVE 5: the CNA's and CISA's containers, SSVC included.
        let cve5 = sonae_feeds::cve5::record(
            &std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../sonae-feeds/tests/fixtures/cve5/CVE-2024-26120.json"),
            )
            .unwrap(),
        )
        .unwrap();
        app.store.apply_records(&[cve5]).await.unwrap();
        let (_, html) = get_text(&c, &format!("{b}/vulns/CVE-2024-26120")).await;
        assert!(html.contains("id=\"source-cve5\""), "{backend}");
        assert!(
            html.contains("CNA (adobe)") && html.contains("ADP (CISA-ADP)"),
            "{html}"
        );
        assert!(html.contains("SSVC"), "{backend}");
        // Exploitation seen in the wild (CISA SSVC) is shown beside KEV.
        let active = sonae_feeds::cve5::record(
            &std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../sonae-feeds/tests/fixtures/cve5/CVE-2019-1069.json"),
            )
            .unwrap(),
        )
        .unwrap();
        app.store.apply_records(&[active]).await.unwrap();
        let (_, html) = get_text(&c, &format!("{b}/vulns/CVE-2019-1069")).await;
        assert!(
            html.contains("悪用が進行中（CISA の SSVC 評価）"),
            "{backend}: {html}"
        );
        let (_, html) = get_text(&c, &format!("{b}/vulns?q=CVE-2019-1069")).await;
        assert!(html.contains("悪用が進行中"), "{backend}: in the list too");
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_system_page_shows_findings_with_their_reason() {
    let app = spawn("sqlite").await;
    let seed = app.seed().await;
    let comp = app
        .store
        .create(
            &sonae_domain::Actor::system(),
            Kind::Component,
            [
                ("system_id", sonae_domain::Value::Int(seed.shop)),
                ("product", sonae_domain::Value::Text("http_server".into())),
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
    let owner = login(&app, "owner").await;
    let (_, html) = get_text(
        &owner,
        &format!("{}/inventory/systems/{}", app.base, seed.shop),
    )
    .await;
    assert!(
        html.contains("CVE-2024-27316") && html.contains("versionEndExcluding 2.4.59 &#62; 2.4.58"),
        "finding and reason shown: {html}"
    );
    // The priority and its reasons: no CVSS yet, but internet-facing, important, personal data.
    assert!(
        html.contains(
            "P2 高 (CVSS 未評価, インターネット公開, 重要なシステム（CIA 3）, 個人情報を扱う)"
        ),
        "priority with reasons: {html}"
    );
    // The owner records "not affected" with a VEX justification; the auditor may not.
    let fid = app
        .store
        .findings(&sonae_domain::Actor::system(), Some(seed.shop), 10)
        .await
        .unwrap()[0]
        .id;
    let url = format!("{}/findings/{fid}", app.base);
    let step_url = format!("{url}/step");
    let (status, page) = get_text(&owner, &url).await;
    assert_eq!(status, StatusCode::OK);
    let t = csrf_of(&page);
    let r = owner
        .post(&step_url)
        .form(&[
            ("csrf", t.as_str()),
            ("row_version", "1"),
            ("step", "not_affected"),
            ("justification", "vulnerable_code_not_in_execute_path"),
            ("note", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a decision needs its reason"
    );
    let r = owner
        .post(&step_url)
        .form(&[
            ("csrf", t.as_str()),
            ("row_version", "1"),
            ("step", "not_affected"),
            ("justification", "vulnerable_code_not_in_execute_path"),
            ("note", "HTTP/2 は無効化済み"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let decided = app
        .store
        .finding(&sonae_domain::Actor::system(), fid)
        .await
        .unwrap();
    assert_eq!(decided.status, "not_affected");
    assert_eq!(decided.decided_by.as_deref(), Some("owner"));
    let auditor = login(&app, "auditor").await;
    let (_, apage) = get_text(&auditor, &url).await;
    assert!(
        !apage.contains("id=\"step-") && apage.contains("id=\"no-steps\""),
        "no workflow form for the auditor"
    );
    let at = csrf_of(&apage);
    let r = auditor
        .post(&step_url)
        .form(&[
            ("csrf", at.as_str()),
            ("row_version", "2"),
            ("step", "reopen"),
            ("note", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Exports: CSV and OpenVEX carry the decision.
    let csv = owner
        .get(format!("{}/findings.csv", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("CVE-2024-27316")
            && csv.contains("not_affected")
            && csv.contains("vulnerable_code_not_in_execute_path")
    );
    let vex: serde_json::Value = owner
        .get(format!("{}/findings/openvex.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(vex["@context"], "https://openvex.dev/ns/v0.2.0");
    assert_eq!(vex["statements"][0]["status"], "not_affected");
    assert_eq!(
        vex["statements"][0]["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert_eq!(
        vex["statements"][0]["vulnerability"]["name"],
        "CVE-2024-27316"
    );
    let cdx: serde_json::Value = owner
        .get(format!("{}/findings/cyclonedx-vex.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cdx["bomFormat"], "CycloneDX");
    let v = &cdx["vulnerabilities"][0];
    assert_eq!(v["id"], "CVE-2024-27316");
    assert_eq!(v["analysis"]["state"], "not_affected");
    assert_eq!(v["analysis"]["justification"], "code_not_reachable");
    assert_eq!(v["affects"][0]["ref"], cdx["components"][0]["bom-ref"]);
}

/// `sonae collect` on this machine's real dpkg database, sent with an API
/// token: the packages become the system's components; a second run changes
/// nothing; a token without write access to the system is refused.
#[tokio::test]
async fn collect_submits_this_hosts_packages() {
    let app = spawn("sqlite").await;
    let seed = app.seed().await;
    let token_of = |who: &'static str| {
        let app = &app;
        async move {
            let c = login(app, who).await;
            let t = csrf(app, &c).await;
            let html = c
                .post(format!("{}/account/tokens", app.base))
                .form(&[("csrf", t.as_str()), ("name", "collector")])
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let start = html.find("<code>").unwrap() + 6;
            html[start..].split('<').next().unwrap().to_owned()
        }
    };
    let vendor_token = token_of("vendor").await;
    let run = |token: String, system: i64| {
        let base = app.base.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_sonae"))
                .args([
                    "collect",
                    "--server",
                    &base,
                    "--system",
                    &system.to_string(),
                ])
                .env("SONAE_COLLECT_TOKEN", token)
                .output()
                .unwrap()
        })
    };
    let out = run(vendor_token.clone(), seed.shop).await.unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    let page = app
        .store
        .list(
            &sonae_domain::Actor::system(),
            Kind::Component,
            &sonae_store::ListQuery {
                eq: vec![("source", sonae_domain::Value::Text("collector".into()))],
                limit: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        page.total > 100,
        "this Debian host has hundreds of packages: {text}"
    );
    let dpkg = app
        .store
        .list(
            &sonae_domain::Actor::system(),
            Kind::Component,
            &sonae_store::ListQuery {
                q: Some("pkg:deb/debian/dpkg@".into()),
                limit: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(dpkg.total, 1, "dpkg itself is listed with its purl");
    let again = run(vendor_token.clone(), seed.shop).await.unwrap();
    assert!(
        String::from_utf8_lossy(&again.stdout).contains(" 0 added, 0 updated, 0 removed"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    // The vendor does not run the warehouse system.
    let refused = run(vendor_token, seed.wms).await.unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("403"));
}

#[tokio::test]
async fn notification_settings_pages_for_users_and_admins() {
    for backend in common::backends() {
        let app = spawn(backend).await;
        let seed = app.seed().await;
        // A system owner sets their own preferences; a bad address is named
        // and what was typed stays in the form.
        let owner = login(&app, "owner").await;
        let (status, html) = get_text(&owner, &format!("{}/account/notifications", app.base)).await;
        assert_eq!(status, StatusCode::OK);
        let token = csrf_of(&html);
        let bad = owner
            .post(format!("{}/account/notifications", app.base))
            .form(&[
                ("csrf", token.as_str()),
                ("email", "owner at example"),
                ("events", "overdue"),
                ("delivery", "digest"),
                ("lang", "en"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = bad.text().await.unwrap();
        assert!(page.contains("email-error") && page.contains("owner at example"));
        let ok = owner
            .post(format!("{}/account/notifications", app.base))
            .form(&[
                ("csrf", token.as_str()),
                ("email", "owner@example.jp"),
                ("events", "overdue"),
                ("events", "due_soon"),
                ("delivery", "digest"),
                ("lang", "en"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        let u = app.store.user_by_name("owner").await.unwrap().unwrap();
        assert_eq!(u.email.as_deref(), Some("owner@example.jp"));
        let p = app.store.notification_prefs(&u).await.unwrap();
        assert_eq!(p.events.len(), 2);
        assert_eq!(p.delivery.as_str(), "digest");
        assert_eq!(p.lang, "en");
        // Only admins reach the webhook page.
        let (status, _) = get_text(&owner, &format!("{}/admin/notifications", app.base)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The admin adds a webhook: the secret is shown once, plain http is
        // warned about, the audit log has the change but not the secret.
        let admin = login(&app, "admin").await;
        let (_, html) = get_text(&admin, &format!("{}/admin/notifications", app.base)).await;
        let token = csrf_of(&html);
        let r = admin
            .post(format!("{}/admin/notifications/webhooks", app.base))
            .form(&[
                ("csrf", token.as_str()),
                ("name", "chat"),
                ("url", "http://127.0.0.1:9/services/T000/B000/XXXX"),
                ("events", "new_high"),
                ("events", "escalation"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        assert!(page.contains("id=\"new-secret\"") && page.contains("id=\"http-warning\""));
        let hooks = app
            .store
            .webhooks(&sonae_domain::Actor::system())
            .await
            .unwrap();
        assert_eq!(hooks.len(), 1);
        assert!(page.contains(&hooks[0].secret));
        let (_, again) = get_text(&admin, &format!("{}/admin/notifications", app.base)).await;
        assert!(
            !again.contains(&hooks[0].secret),
            "the secret is shown only once"
        );
        assert!(!again.contains("XXXX"), "the URL's token is not shown");
        let mut audit = String::new();
        app.store
            .audit_for_each(|e| {
                audit.push_str(&format!("{e:?}\n"));
                Ok(())
            })
            .await
            .ok();
        assert!(audit.contains("webhooks") && !audit.contains(&hooks[0].secret));
        let bad = admin
            .post(format!("{}/admin/notifications/webhooks", app.base))
            .form(&[
                ("csrf", token.as_str()),
                ("name", "x"),
                ("url", "ftp://x"),
                ("events", "overdue"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // The department head for escalations.
        let person = app
            .store
            .create(
                &sonae_domain::Actor::system(),
                sonae_domain::inventory::Kind::Person,
                {
                    let mut v = sonae_domain::Values::new();
                    v.insert("name", sonae_domain::Value::Text("部長".into()));
                    v.insert("affiliation", sonae_domain::Value::Text("internal".into()));
                    v
                },
            )
            .await
            .unwrap()
            .id;
        let key = format!("head-{}", seed.ec);
        let pid = person.to_string();
        let r = admin
            .post(format!("{}/admin/notifications/heads", app.base))
            .form(&[("csrf", token.as_str()), (key.as_str(), pid.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let heads = app.store.department_heads().await.unwrap();
        assert!(heads
            .iter()
            .any(|h| h.department_id == seed.ec && h.person_id == Some(person)));
    }
}

/// What `scripts/collect-windows.ps1` sends: the Windows release with its
/// full build and the installed applications become the system's
/// collector components; a second report replaces the first.
#[tokio::test]
async fn windows_collection_becomes_components() {
    let app = spawn("sqlite").await;
    let seed = app.seed().await;
    let c = login(&app, "security").await;
    let t = csrf(&app, &c).await;
    let html = c
        .post(format!("{}/account/tokens", app.base))
        .form(&[("csrf", t.as_str()), ("name", "windows")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html.find("<code>").unwrap() + 6;
    let token = html[start..].split('<').next().unwrap().to_owned();
    let url = format!("{}/api/v1/systems/{}/collected", app.base, seed.wms);
    let body = serde_json::json!({
        "windows": {"product": "Windows 11 Version 23H2", "build": "10.0.22631.3447"},
        "packages": [],
        "applications": [
            {"name": "Google 日本語入力", "version": "2.29.5370.0", "vendor": "Google LLC"},
            {"name": "7-Zip 23.01 (x64)", "version": "23.01", "vendor": "Igor Pavlov"},
            {"name": "社内ツール", "version": null, "vendor": null}
        ]
    });
    let put = |b: serde_json::Value| {
        reqwest::Client::new()
            .put(&url)
            .bearer_auth(&token)
            .json(&b)
            .send()
    };
    let r = put(body.clone()).await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["added"], 4);
    let comps = app
        .store
        .list(
            &sonae_domain::Actor::system(),
            Kind::Component,
            &sonae_store::ListQuery {
                eq: vec![("system_id", sonae_domain::Value::Int(seed.wms))],
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let win = comps
        .items
        .iter()
        .find(|r| r.get("product").as_text() == Some("Windows 11 Version 23H2"))
        .unwrap();
    assert_eq!(win.get("vendor").as_text(), Some("Microsoft"));
    assert_eq!(win.get("version").as_text(), Some("10.0.22631.3447"));
    // The next month: a new build, one application gone.
    let mut next = body.clone();
    next["windows"]["build"] = "10.0.22631.3593".into();
    next["applications"].as_array_mut().unwrap().pop();
    let v: serde_json::Value = put(next).await.unwrap().json().await.unwrap();
    assert_eq!(
        (&v["added"], &v["updated"], &v["removed"], &v["unchanged"]),
        (&0.into(), &1.into(), &1.into(), &2.into())
    );
}
