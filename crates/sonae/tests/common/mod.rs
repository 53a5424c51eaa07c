//! Test harness: the real app on a loopback port with a fresh database
//! (SQLite file, or a new PostgreSQL database when SONAE_TEST_POSTGRES_URL is set).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::{Actor, Role, SystemClock};
use sonae_store::{NewUser, Store};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

pub mod browser;

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub backend: &'static str,
    _dir: tempfile::TempDir,
}

static N: AtomicU32 = AtomicU32::new(0);

pub const PASSWORD: &str = "correct-horse-battery";

/// Backends to run against: SQLite always; PostgreSQL when configured
/// (and required when SONAE_TEST_REQUIRE_POSTGRES=1).
pub fn backends() -> Vec<&'static str> {
    let pg = std::env::var("SONAE_TEST_POSTGRES_URL").is_ok();
    if !pg && std::env::var("SONAE_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("SONAE_TEST_REQUIRE_POSTGRES=1 but SONAE_TEST_POSTGRES_URL is not set");
    }
    if pg {
        vec!["sqlite", "postgres"]
    } else {
        vec!["sqlite"]
    }
}

pub async fn spawn(backend: &'static str) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = match backend {
        "postgres" => {
            let admin = std::env::var("SONAE_TEST_POSTGRES_URL").unwrap();
            let name = format!(
                "sonae_http_{}_{}",
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
            u.to_string()
        }
        _ => format!("sqlite://{}", dir.path().join("t.db").display()),
    };
    let store = Store::open(&url, Arc::new(SystemClock)).await.unwrap();
    let state = sonae_web::AppState {
        store: store.clone(),
        i18n: sonae_web::I18n::load().unwrap(),
        config: Arc::new(sonae_web::WebConfig {
            base_url: "http://127.0.0.1".into(),
            secret_key: vec![7u8; 32],
            secure_cookies: false,
            time_zone: chrono_tz::Asia::Tokyo,
            max_upload_bytes: 1024 * 1024,
            feed_stale_hours: 48,
        }),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = sonae_web::router(state);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    TestApp {
        base: format!("http://{addr}"),
        store,
        backend,
        _dir: dir,
    }
}

impl TestApp {
    /// Departments 通販事業部 and 物流部, a vendor, one system in each
    /// department (the web shop run by the vendor), and one user per role.
    pub async fn seed(&self) -> Seed {
        let s = &self.store;
        let sys = Actor::system();
        let mk = |pairs: &[(&'static str, sonae_domain::Value)]| {
            let mut v = sonae_domain::Values::new();
            for (k, x) in pairs {
                v.insert(*k, x.clone());
            }
            v
        };
        use sonae_domain::inventory::Kind;
        use sonae_domain::Value::{Int, Text};
        let ec = s
            .create(
                &sys,
                Kind::Department,
                mk(&[("name", Text("通販事業部".into()))]),
            )
            .await
            .unwrap()
            .id;
        let log = s
            .create(
                &sys,
                Kind::Department,
                mk(&[("name", Text("物流部".into()))]),
            )
            .await
            .unwrap()
            .id;
        let vendor = s
            .create(
                &sys,
                Kind::Vendor,
                mk(&[("name", Text("ウェブ運用株式会社".into()))]),
            )
            .await
            .unwrap()
            .id;
        let system = |name: &str, d: i64, v: Option<i64>| {
            mk(&[
                ("name", Text(name.into())),
                ("owner_department_id", Int(d)),
                ("vendor_id", v.map_or(sonae_domain::Value::Null, Int)),
                ("exposure", Text("internet".into())),
                ("confidentiality", Int(3)),
                ("integrity", Int(2)),
                ("availability", Int(2)),
                ("personal_data", Int(1)),
                ("customer_data", Int(0)),
                ("critical_data", Int(0)),
            ])
        };
        let shop = s
            .create(&sys, Kind::System, system("Webショップ", ec, Some(vendor)))
            .await
            .unwrap()
            .id;
        let wms = s
            .create(&sys, Kind::System, system("倉庫管理", log, None))
            .await
            .unwrap()
            .id;
        let hash = sonae_web::auth::hash_password(PASSWORD).unwrap();
        for (name, role, d, v) in [
            ("admin", Role::Admin, None, None),
            ("security", Role::SecurityOfficer, None, None),
            ("owner", Role::SystemOwner, Some(ec), None),
            ("vendor", Role::Vendor, None, Some(vendor)),
            ("exec", Role::Executive, None, None),
            ("auditor", Role::Auditor, None, None),
        ] {
            s.create_user(
                &sys,
                NewUser {
                    username: name.into(),
                    display_name: name.into(),
                    email: None,
                    role,
                    department_id: d,
                    vendor_id: v,
                    password_hash: hash.clone(),
                },
            )
            .await
            .unwrap();
        }
        Seed {
            ec,
            log,
            vendor,
            shop,
            wms,
        }
    }
}

pub struct Seed {
    pub ec: i64,
    pub log: i64,
    pub vendor: i64,
    pub shop: i64,
    pub wms: i64,
}

/// An HTTP client that behaves like a browser (cookies, no redirects
/// followed) and the steps every page test needs.
pub mod web {
    use super::{TestApp, PASSWORD};
    use reqwest::{redirect::Policy, Client, StatusCode};

    pub fn client() -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    pub fn csrf_of(html: &str) -> String {
        let i = html
            .find("name=\"csrf\" value=\"")
            .expect("page has a CSRF field")
            + 19;
        html[i..].split('"').next().unwrap().to_owned()
    }

    pub async fn get_text(c: &Client, url: &str) -> (StatusCode, String) {
        let r = c.get(url).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    pub async fn login(app: &TestApp, user: &str) -> Client {
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

    /// A CSRF token from any page of the signed-in client.
    pub async fn csrf(app: &TestApp, c: &Client) -> String {
        csrf_of(&get_text(c, &format!("{}/", app.base)).await.1)
    }
}
