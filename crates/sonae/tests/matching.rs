//! The incremental re-match, as an operator runs it (`sonae match --pending`),
//! on SQLite and on PostgreSQL (when SONAE_TEST_POSTGRES_URL is set).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use sonae_domain::inventory::Kind;
use sonae_domain::vuln::Feed;
use sonae_domain::{Actor, SystemClock, Value, Values};
use sonae_store::{Finding, Store};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

static N: AtomicUsize = AtomicUsize::new(0);

fn sonae(dir: &std::path::Path, db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sonae"))
        .current_dir(dir)
        .env("SONAE_DATABASE_URL", db)
        .env("SONAE_SECRET_KEY_FILE", dir.join("key"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A fresh database URL per backend.
async fn databases(dir: &std::path::Path) -> Vec<String> {
    let mut out = vec![format!("sqlite://{}", dir.join("m.db").display())];
    if let Ok(admin) = std::env::var("SONAE_TEST_POSTGRES_URL") {
        let name = format!(
            "sonae_match_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let a = Store::connect(&admin, Arc::new(SystemClock)).await.unwrap();
        a.execute_admin(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        a.close().await;
        let mut u = url::Url::parse(&admin).unwrap();
        u.set_path(&name);
        out.push(u.to_string());
    } else if std::env::var("SONAE_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("SONAE_TEST_REQUIRE_POSTGRES=1 but SONAE_TEST_POSTGRES_URL is not set");
    }
    out
}

async fn findings(db: &str) -> Vec<Finding> {
    let s = Store::connect(db, Arc::new(SystemClock)).await.unwrap();
    let f = s.findings(&Actor::system(), None, 1000).await.unwrap();
    s.close().await;
    f
}

/// CVE-2022-22377 (IBM Security Verify Privilege On-Premises before 11.5 on
/// Windows or macOS): a changed range re-matches only that vulnerability;
/// an edited version makes the finding appear and go without a full match.
#[test]
fn changed_records_and_components_rematch_only_what_they_touch() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sonae-feeds/tests/fixtures/nvd/api2-page-vunnel.json");
    for db in rt.block_on(databases(d)) {
        let o = sonae(d, &db, &["import", "nvd", fx.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        let (app, other) = rt.block_on(async {
            let s = Store::connect(&db, Arc::new(SystemClock)).await.unwrap();
            let v = |pairs: &[(&'static str, Value)]| pairs.iter().cloned().collect::<Values>();
            let t = |x: &str| Value::Text(x.into());
            let dep = s
                .create(
                    &Actor::system(),
                    Kind::Department,
                    v(&[("name", t("情報システム室"))]),
                )
                .await
                .unwrap()
                .id;
            let sys = s
                .create(
                    &Actor::system(),
                    Kind::System,
                    v(&[
                        ("name", t("特権ID管理")),
                        ("owner_department_id", Value::Int(dep)),
                        ("exposure", t("intranet")),
                        ("confidentiality", Value::Int(2)),
                        ("integrity", Value::Int(2)),
                        ("availability", Value::Int(2)),
                        ("personal_data", Value::Int(0)),
                        ("customer_data", Value::Int(0)),
                        ("critical_data", Value::Int(0)),
                    ]),
                )
                .await
                .unwrap()
                .id;
            let comp = |product: &str, version: &str, cpe: &str| {
                v(&[
                    ("system_id", Value::Int(sys)),
                    ("product", t(product)),
                    ("version", t(version)),
                    ("cpe", t(cpe)),
                ])
            };
            let app = s
                .create(
                    &Actor::system(),
                    Kind::Component,
                    comp(
                        "Security Verify Privilege",
                        "11.4",
                        "cpe:2.3:a:ibm:security_verify_privilege_on-premises:*:*:*:*:*:*:*:*",
                    ),
                )
                .await
                .unwrap();
            let other = s
                .create(
                    &Actor::system(),
                    Kind::Component,
                    comp(
                        "Windows Server",
                        "2019",
                        "cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*",
                    ),
                )
                .await
                .unwrap()
                .id;
            s.close().await;
            (app, other)
        });

        let o = sonae(d, &db, &["match"]);
        assert!(o.status.success(), "{db}: {}", text(&o));
        let before = rt.block_on(findings(&db));
        let hit = before
            .iter()
            .find(|f| f.vuln_id == "CVE-2022-22377")
            .unwrap_or_else(|| panic!("{db}: no finding: {}", text(&o)));
        assert_eq!(hit.component_id, app.id);
        // A finding of another vulnerability, which a partial re-match of
        // CVE-2022-22377 must leave alone (a full match would remove it).
        rt.block_on(async {
            let s = Store::connect(&db, Arc::new(SystemClock)).await.unwrap();
            let scope = sonae_store::MatchScope {
                vulns: vec!["CVE-2000-0001".into()],
                ..Default::default()
            };
            let f = sonae_store::NewFinding {
                component_id: other,
                system_id: hit.system_id,
                vuln_id: "CVE-2000-0001".into(),
                certainty: "possible".into(),
                reason: "marker".into(),
            };
            let st = s.replace_findings_in(&scope, &[f]).await.unwrap();
            assert_eq!(st.added, 1);
            s.close().await;
        });
        let o = sonae(d, &db, &["match", "--pending"]);
        assert!(o.status.success(), "{db}: {}", text(&o));
        assert!(
            text(&o).contains("re-matched 0 changed components and 0 changed feed records"),
            "{db}: a full match leaves nothing pending: {}",
            text(&o)
        );

        // NVD revises the range: fixed in 11.4 (was 11.5).
        rt.block_on(async {
            let s = Store::connect(&db, Arc::new(SystemClock)).await.unwrap();
            let mut rec = s
                .source_records(&[(Feed::Nvd, "CVE-2022-22377".into())])
                .await
                .unwrap()
                .pop()
                .unwrap();
            let mut changed = 0;
            for c in &mut rec.configurations {
                for n in &mut c.nodes {
                    for m in &mut n.cpe_match {
                        if m.version_end_excluding.as_deref() == Some("11.5") {
                            m.version_end_excluding = Some("11.4".into());
                            changed += 1;
                        }
                    }
                }
            }
            assert!(
                changed > 0,
                "the fixture's range is versionEndExcluding 11.5"
            );
            rec.modified = Some("2030-01-01T00:00:00Z".into());
            s.apply_records(&[rec]).await.unwrap();
            s.close().await;
        });
        let o = sonae(d, &db, &["match", "--pending"]);
        assert!(o.status.success(), "{db}: {}", text(&o));
        assert!(
            text(&o).contains("0 changed components and 1 changed feed records"),
            "{db}: {}",
            text(&o)
        );
        let after = rt.block_on(findings(&db));
        assert!(
            after.iter().all(|f| f.vuln_id != "CVE-2022-22377"),
            "{db}: 11.4 is no longer affected"
        );
        assert!(
            after.iter().any(|f| f.vuln_id == "CVE-2000-0001"),
            "{db}: other vulnerabilities' findings are untouched"
        );

        // The component is edited to an affected version: found again, by the queue alone.
        let set_version = |version: &'static str| {
            rt.block_on(async {
                let s = Store::connect(&db, Arc::new(SystemClock)).await.unwrap();
                let cur = s
                    .get(&Actor::system(), Kind::Component, app.id)
                    .await
                    .unwrap();
                let mut values = cur.values.clone();
                values.insert("version", Value::Text(version.into()));
                s.update(
                    &Actor::system(),
                    Kind::Component,
                    app.id,
                    cur.version,
                    values,
                )
                .await
                .unwrap();
                s.close().await;
            })
        };
        set_version("11.3");
        let o = sonae(d, &db, &["match", "--pending"]);
        assert!(
            text(&o).contains("1 changed components and 0 changed feed records"),
            "{db}: {}",
            text(&o)
        );
        let f = rt.block_on(findings(&db));
        let hit = f
            .iter()
            .find(|f| f.vuln_id == "CVE-2022-22377")
            .unwrap_or_else(|| panic!("{db}: 11.3 < 11.4 is affected: {}", text(&o)));
        assert!(hit.reason.contains("11.4 > 11.3"), "{}", hit.reason);
        assert!(f.iter().any(|f| f.vuln_id == "CVE-2000-0001"));
        set_version("11.4");
        let o = sonae(d, &db, &["match", "--pending"]);
        assert!(o.status.success(), "{db}: {}", text(&o));
        assert!(
            rt.block_on(findings(&db))
                .iter()
                .all(|f| f.vuln_id != "CVE-2022-22377"),
            "{db}: patched, gone: {}",
            text(&o)
        );
    }
}

/// Aliases: a component without a CPE is matched through the reviewed table;
/// only admins and security officers edit it, and every edit is audited.
#[test]
fn aliases_derive_a_cpe_and_suggestions_come_from_the_feeds() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sonae-feeds/tests/fixtures/nvd/api2-page-vunnel.json");
    for db in rt.block_on(databases(d)) {
        let o = sonae(d, &db, &["import", "nvd", fx.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        let o = sonae(d, &db, &["match"]);
        assert!(o.status.success(), "{}", text(&o));
        rt.block_on(async {
            let s = Store::connect(&db, Arc::new(SystemClock)).await.unwrap();
            let seeded = s.aliases().await.unwrap();
            assert!(
                seeded
                    .iter()
                    .any(|a| a.product == "httpd" && a.cpe_product == "http_server"),
                "{db}: seeded"
            );
            let owner = Actor {
                role: sonae_domain::Role::SystemOwner,
                ..Actor::system()
            };
            assert!(matches!(
                s.add_alias(&owner, "", "verify privilege", "ibm", "x").await,
                Err(sonae_store::StoreError::Forbidden)
            ));
            let bad = s.add_alias(&Actor::system(), "", "x", "ibm", "a:b").await;
            assert!(
                matches!(&bad, Err(sonae_store::StoreError::Invalid(e)) if e[0].field == "cpe_product"),
                "{bad:?}"
            );
            let sug = s.cpe_suggestions("Verify Privilege", 10).await.unwrap();
            assert_eq!(
                sug.first().map(|x| (x.vendor.as_str(), x.product.as_str())),
                Some(("ibm", "security_verify_privilege_on-premises")),
                "{db}: {sug:?}"
            );
            s.add_alias(
                &Actor::system(),
                "IBM",
                "Security Verify Privilege",
                "ibm",
                "security_verify_privilege_on-premises",
            )
            .await
            .unwrap();
            s.close().await;
        });
    }
}

/// The alias page: the officer adds an alias (a bad CPE vendor is named),
/// finds CPE names among the stored records; a vendor may not see it.
#[tokio::test]
async fn the_alias_page_adds_aliases_and_suggests_cpe_names() {
    let app = common::spawn("sqlite").await;
    app.seed().await;
    let officer = common::web::login(&app, "security").await;
    let (s, html) = common::web::get_text(&officer, &format!("{}/aliases", app.base)).await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert!(
        html.contains("http_server"),
        "the seeded aliases are listed"
    );
    let csrf = common::web::csrf_of(&html);
    let r = officer
        .post(format!("{}/aliases", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("vendor", "Example"),
            ("product", "Shop Suite"),
            ("cpe_vendor", "bad vendor"),
            ("cpe_product", "shop_suite"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("CPE ベンダー"));
    let r = officer
        .post(format!("{}/aliases", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("vendor", "Example"),
            ("product", "Shop Suite"),
            ("cpe_vendor", "example"),
            ("cpe_product", "shop_suite"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    let (_, html) = common::web::get_text(&officer, &format!("{}/aliases", app.base)).await;
    assert!(html.contains("example:shop_suite"));
    let vendor = common::web::login(&app, "vendor").await;
    let (s, _) = common::web::get_text(&vendor, &format!("{}/aliases", app.base)).await;
    assert_eq!(s, reqwest::StatusCode::FORBIDDEN);
}

/// A component without a CPE name offers the names the stored feeds know;
/// one click makes one its CPE name.
#[tokio::test]
async fn a_component_without_cpe_takes_a_suggested_name_in_one_click() {
    let app = common::spawn("sqlite").await;
    let seed = app.seed().await;
    let comp = app
        .store
        .create(
            &Actor::system(),
            Kind::Component,
            [
                ("system_id", Value::Int(seed.shop)),
                ("product", Value::Text("http_server".into())),
                ("version", Value::Text("2.4.58".into())),
            ]
            .into_iter()
            .collect(),
        )
        .await
        .unwrap();
    let officer = common::web::login(&app, "security").await;
    let url = format!("{}/inventory/components/{}", app.base, comp.id);
    let (s, html) = common::web::get_text(&officer, &url).await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert!(html.contains("id=\"cpe-suggestions\""), "{html}");
    let csrf = common::web::csrf_of(&html);
    let r = officer
        .post(format!("{url}/cpe"))
        .form(&[("csrf", csrf.as_str()), ("cpe", "not a cpe")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let name = "cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*";
    let r = officer
        .post(format!("{url}/cpe"))
        .form(&[("csrf", csrf.as_str()), ("cpe", name)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    let rec = app
        .store
        .get(&Actor::system(), Kind::Component, comp.id)
        .await
        .unwrap();
    assert_eq!(rec.get("cpe").as_text(), Some(name));
    let (_, html) = common::web::get_text(&officer, &url).await;
    assert!(
        !html.contains("id=\"cpe-suggestions\""),
        "no suggestions once it has a name"
    );
}

/// Possible findings (no comparable version data) are listed apart from
/// confirmed ones: in the queue (a line that links to them), on "my systems"
/// and on the dashboard; on both databases.
#[tokio::test]
async fn possible_findings_are_shown_apart() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let seed = app.seed().await;
        let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../sonae-feeds/tests/fixtures/cve5/CVE-2023-24000.json");
        let rec = sonae_feeds::cve5::record(&std::fs::read(fx).unwrap()).unwrap();
        app.store
            .apply_records(std::slice::from_ref(&rec))
            .await
            .unwrap();
        for (product, version) in [("GamiPress", "2.5.6"), ("GamiPress Pro", "")] {
            let mut v: Values = [
                ("system_id", Value::Int(seed.shop)),
                ("vendor", Value::Text("GamiPress".into())),
                ("product", Value::Text(product.into())),
            ]
            .into_iter()
            .collect();
            if !version.is_empty() {
                v.insert("version", Value::Text(version.into()));
            } else {
                // The same product, its version not recorded.
                v.insert("product", Value::Text("GamiPress".into()));
                v.insert("notes", Value::Text("version unknown".into()));
            }
            app.store
                .create(&Actor::system(), Kind::Component, v)
                .await
                .unwrap();
        }
        let mut m = sonae_match::engine::Matcher::new(sonae_match::engine::Aliases::new());
        m.add(&rec);
        let comps: Vec<sonae_match::engine::Component> = app
            .store
            .match_components()
            .await
            .unwrap()
            .into_iter()
            .map(|c| sonae_match::engine::Component {
                id: c.id,
                system_id: c.system_id,
                vendor: c.vendor,
                product: c.product,
                version: c.version,
                cpe: c.cpe,
                purl: c.purl,
            })
            .collect();
        let mut found = Vec::new();
        m.match_all(&comps, &mut |f| {
            found.push(sonae_store::NewFinding {
                component_id: f.component_id,
                system_id: f.system_id,
                vuln_id: f.vuln_id.to_string(),
                certainty: f.certainty.as_str().to_owned(),
                reason: f.reason.to_string(),
            })
        });
        assert_eq!(found.len(), 2, "{found:?}");
        app.store.replace_findings(&found).await.unwrap();
        let officer = common::web::login(&app, "security").await;
        let (_, html) = common::web::get_text(&officer, &format!("{}/findings", app.base)).await;
        assert_eq!(html.matches("id=\"possible-line\"").count(), 1, "{html}");
        assert_eq!(
            html.matches("data-finding=").count(),
            1,
            "only the confirmed one"
        );
        let (_, html) = common::web::get_text(
            &officer,
            &format!("{}/findings?certainty=possible", app.base),
        )
        .await;
        assert_eq!(html.matches("data-finding=").count(), 1);
        assert!(html.contains("does not state its version"), "{html}");
        let owner = common::web::login(&app, "owner").await;
        let (_, html) = common::web::get_text(&owner, &format!("{}/my", app.base)).await;
        assert!(html.contains("class=\"records possible\""), "{html}");
        let exec = common::web::login(&app, "exec").await;
        let (_, html) = common::web::get_text(&exec, &format!("{}/dashboard", app.base)).await;
        assert!(html.contains("<td class=\"possible\">1</td>"), "{html}");
        // The owner checks it and confirms: it counts as confirmed from now
        // on, through a later match too; the executive may not confirm.
        let possible = app
            .store
            .findings(&Actor::system(), None, 10)
            .await
            .unwrap()
            .into_iter()
            .find(|f| f.certainty == "possible")
            .unwrap();
        let url = format!("{}/findings/{}", app.base, possible.id);
        let (_, html) = common::web::get_text(&exec, &url).await;
        assert!(!html.contains("id=\"step-confirm_possible\""));
        let (_, html) = common::web::get_text(&owner, &url).await;
        assert!(html.contains("id=\"step-confirm_possible\""), "{html}");
        let csrf = common::web::csrf_of(&html);
        let r = owner
            .post(format!("{url}/step"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("step", "confirm_possible"),
                ("note", "バージョン 2.5.6 を確認"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
        app.store.replace_findings(&found).await.unwrap();
        let again = app
            .store
            .findings(&Actor::system(), None, 10)
            .await
            .unwrap();
        assert!(
            again.iter().all(|f| f.certainty == "confirmed"),
            "{again:?}"
        );
        let (_, html) = common::web::get_text(&officer, &format!("{}/findings", app.base)).await;
        assert!(!html.contains("id=\"possible-line\""));
        assert_eq!(html.matches("data-finding=").count(), 2);
        let (_, html) = common::web::get_text(&owner, &url).await;
        assert!(
            html.contains("バージョン 2.5.6 を確認"),
            "the note is in the history"
        );
    }
}
