//! The notifier against a real SMTP sink and a real webhook receiver, both
//! on loopback ports, over a real database (SQLite, and PostgreSQL when
//! SONAE_TEST_POSTGRES_URL is set), with a fixed clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine;
use sonae_domain::inventory::Kind;
use sonae_domain::notify::{Delivery, EventKind, Prefs};
use sonae_domain::vuln::{CveId, EpssScore};
use sonae_domain::{Actor, FixedClock, Role, SystemClock, Value, Values};
use sonae_notify::{Notifier, NotifyConfig, SmtpConfig};
use sonae_store::{NewFinding, NewUser, Store};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

// ---- a tiny SMTP server: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT --------

#[derive(Debug, Clone)]
struct Mail {
    to: Vec<String>,
    body: String,
}

#[derive(Clone, Default)]
struct Sink {
    mails: Arc<Mutex<Vec<Mail>>>,
    /// Answer 451 to MAIL FROM (a server that is down for maintenance).
    fail: Arc<AtomicBool>,
    port: u16,
}

impl Sink {
    async fn start() -> Sink {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = Sink {
            port: l.local_addr().unwrap().port(),
            ..Sink::default()
        };
        let s = sink.clone();
        tokio::spawn(async move {
            loop {
                let Ok((conn, _)) = l.accept().await else {
                    return;
                };
                let s = s.clone();
                tokio::spawn(async move { s.session(conn).await });
            }
        });
        sink
    }

    async fn session(&self, conn: tokio::net::TcpStream) {
        let (r, mut w) = conn.into_split();
        let mut lines = BufReader::new(r).lines();
        let _ = w.write_all(b"220 sink ESMTP\r\n").await;
        let mut to = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                b"250-sink\r\n250 8BITMIME\r\n"
            } else if upper.starts_with("MAIL FROM") {
                if self.fail.load(Ordering::SeqCst) {
                    b"451 4.3.0 try again later\r\n"
                } else {
                    to.clear();
                    b"250 OK\r\n"
                }
            } else if upper.starts_with("RCPT TO") {
                let addr = line
                    .split_once('<')
                    .and_then(|(_, r)| r.split_once('>'))
                    .map(|(a, _)| a.to_owned())
                    .unwrap_or_default();
                to.push(addr);
                b"250 OK\r\n"
            } else if upper == "DATA" {
                let _ = w.write_all(b"354 go ahead\r\n").await;
                let mut data = String::new();
                while let Ok(Some(l)) = lines.next_line().await {
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                    data.push('\n');
                }
                self.mails.lock().unwrap().push(Mail {
                    to: to.clone(),
                    body: decode_body(&data),
                });
                b"250 queued\r\n"
            } else if upper == "QUIT" {
                let _ = w.write_all(b"221 bye\r\n").await;
                return;
            } else {
                b"250 OK\r\n"
            };
            if w.write_all(reply).await.is_err() {
                return;
            }
        }
    }

    fn to(&self, addr: &str) -> Vec<Mail> {
        self.mails
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to.iter().any(|t| t == addr))
            .cloned()
            .collect()
    }

    fn count(&self) -> usize {
        self.mails.lock().unwrap().len()
    }
}

/// The text of a base64 single-part message.
fn decode_body(data: &str) -> String {
    let (_, body) = data.split_once("\n\n").unwrap_or(("", data));
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .expect("base64 body");
    String::from_utf8(bytes).unwrap()
}

// ---- a webhook receiver that checks the signature ------------------------

#[derive(Debug, Clone)]
struct Post {
    verified: bool,
    json: serde_json::Value,
}

#[derive(Clone)]
struct Receiver {
    posts: Arc<Mutex<Vec<Post>>>,
    fail: Arc<AtomicBool>,
    secret: Arc<Mutex<String>>,
    url: String,
}

impl Receiver {
    async fn start() -> Receiver {
        use axum::http::{HeaderMap, StatusCode};
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", l.local_addr().unwrap());
        let r = Receiver {
            posts: Arc::default(),
            fail: Arc::default(),
            secret: Arc::default(),
            url,
        };
        let st = r.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |h: HeaderMap, body: axum::body::Bytes| {
                let st = st.clone();
                async move {
                    if st.fail.load(Ordering::SeqCst) {
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    let ts: i64 = h
                        .get("x-sonae-timestamp")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    let sig = h
                        .get("x-sonae-signature")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    let secret = st.secret.lock().unwrap().clone();
                    let verified = sonae_notify::sign::verify(&secret, ts, &body, sig);
                    st.posts.lock().unwrap().push(Post {
                        verified,
                        json: serde_json::from_slice(&body).unwrap_or_default(),
                    });
                    StatusCode::OK
                }
            }),
        );
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        r
    }

    fn posts(&self) -> Vec<Post> {
        self.posts.lock().unwrap().clone()
    }
}

// ---- the organization ----------------------------------------------------

static N: AtomicU32 = AtomicU32::new(0);

/// 2025-04-01T00:00:00Z, 09:00 in Tokyo (after the default digest hour).
const T0: i64 = 1_743_465_600_000;
const DAY: i64 = 86_400_000;

async fn stores(clock: Arc<FixedClock>) -> Vec<(Store, tempfile::TempDir)> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("n.db").display());
    out.push((Store::open(&url, clock.clone()).await.unwrap(), dir));
    if let Ok(admin) = std::env::var("SONAE_TEST_POSTGRES_URL") {
        let name = format!(
            "sonae_notify_{}_{}",
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
        out.push((
            Store::open(u.as_str(), clock.clone()).await.unwrap(),
            tempfile::tempdir().unwrap(),
        ));
    }
    out
}

fn values(pairs: &[(&'static str, Value)]) -> Values {
    let mut v = Values::new();
    for (k, x) in pairs {
        v.insert(*k, x.clone());
    }
    v
}

struct Org {
    head_email: &'static str,
}

/// Two departments, each with one internet-facing system and one
/// vulnerable component; both findings are P1 (EPSS 0.97, CIA 3, personal
/// data). 通販事業部's owner wants mail as it happens (Japanese); 物流部's
/// owner a daily digest in English; the security officer has no address.
async fn seed(s: &Store) -> Org {
    use Value::{Int, Text};
    let sys = Actor::system();
    let dept = |n: &str| values(&[("name", Text(n.into()))]);
    let ec = s
        .create(&sys, Kind::Department, dept("通販事業部"))
        .await
        .unwrap()
        .id;
    let log = s
        .create(&sys, Kind::Department, dept("物流部"))
        .await
        .unwrap()
        .id;
    let system = |name: &str, d: i64| {
        values(&[
            ("name", Text(name.into())),
            ("owner_department_id", Int(d)),
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
        .create(&sys, Kind::System, system("Webショップ", ec))
        .await
        .unwrap()
        .id;
    let wms = s
        .create(&sys, Kind::System, system("倉庫管理", log))
        .await
        .unwrap()
        .id;
    let comp = |system: i64, product: &str| {
        values(&[
            ("system_id", Int(system)),
            ("product", Text(product.into())),
            ("version", Text("1.0".into())),
        ])
    };
    let c1 = s
        .create(&sys, Kind::Component, comp(shop, "shopcart"))
        .await
        .unwrap()
        .id;
    let c2 = s
        .create(&sys, Kind::Component, comp(wms, "stockd"))
        .await
        .unwrap()
        .id;
    let head = s
        .create(
            &sys,
            Kind::Person,
            values(&[
                ("name", Text("山田部長".into())),
                ("affiliation", Text("internal".into())),
                ("department_id", Int(ec)),
                ("email", Text("head@example.jp".into())),
            ]),
        )
        .await
        .unwrap()
        .id;
    s.set_department_head(&sys, ec, Some(head)).await.unwrap();
    for (name, role, d, email, delivery, lang) in [
        (
            "owner",
            Role::SystemOwner,
            Some(ec),
            Some("owner@example.jp"),
            Delivery::Immediate,
            "ja",
        ),
        (
            "logowner",
            Role::SystemOwner,
            Some(log),
            Some("log@example.jp"),
            Delivery::Digest,
            "en",
        ),
        (
            "security",
            Role::SecurityOfficer,
            None,
            None,
            Delivery::Immediate,
            "ja",
        ),
    ] {
        let u = s
            .create_user(
                &sys,
                NewUser {
                    username: name.into(),
                    display_name: name.into(),
                    email: None,
                    role,
                    department_id: d,
                    vendor_id: None,
                    password_hash: "x".into(),
                },
            )
            .await
            .unwrap();
        s.set_notification_prefs(
            &sys,
            u.id,
            &Prefs {
                email: email.map(str::to_owned),
                events: EventKind::SUBSCRIBABLE.to_vec(),
                delivery,
                lang: lang.into(),
            },
        )
        .await
        .unwrap();
    }
    let f = |c: i64, system: i64, id: &str| NewFinding {
        component_id: c,
        system_id: system,
        vuln_id: id.into(),
        certainty: "confirmed".into(),
        reason: "test".into(),
    };
    s.replace_findings(&[f(c1, shop, "CVE-2025-1000"), f(c2, wms, "CVE-2025-2000")])
        .await
        .unwrap();
    s.apply_epss(&[
        EpssScore {
            cve: CveId::parse("CVE-2025-1000").unwrap(),
            epss: 0.97,
            percentile: None,
            date: None,
        },
        EpssScore {
            cve: CveId::parse("CVE-2025-2000").unwrap(),
            epss: 0.97,
            percentile: None,
            date: None,
        },
    ])
    .await
    .unwrap();
    s.refresh_priorities(&s.priority_policy().await.unwrap())
        .await
        .unwrap();
    Org {
        head_email: "head@example.jp",
    }
}

fn notifier(s: &Store, sink: &Sink) -> Notifier {
    Notifier::new(
        s.clone(),
        sonae_web::I18n::load().unwrap(),
        &SmtpConfig {
            host: "127.0.0.1".into(),
            port: sink.port,
            from: "sonae <sonae@example.jp>".into(),
            starttls: false,
            timeout_s: 5,
            ..SmtpConfig::default()
        },
        NotifyConfig {
            webhook_timeout_s: 5,
            webhook_tries: 1,
            retry_min: 10,
            ..NotifyConfig::default()
        },
        chrono_tz::Asia::Tokyo,
        "http://sonae.test",
    )
    .unwrap()
}

async fn add_webhook(s: &Store, rx: &Receiver) {
    let secret = "0123456789abcdef-test-secret";
    *rx.secret.lock().unwrap() = secret.to_owned();
    s.create_webhook(&Actor::system(), "chat", &rx.url, &EventKind::ALL, secret)
        .await
        .unwrap();
}

#[tokio::test]
async fn p1_finding_mails_its_owner_and_posts_a_signed_webhook_once_then_escalates() {
    let clock = Arc::new(FixedClock::at_ms(T0));
    for (s, _dir) in stores(clock.clone()).await {
        let org = seed(&s).await;
        let sink = Sink::start().await;
        let rx = Receiver::start().await;
        add_webhook(&s, &rx).await;
        let n = notifier(&s, &sink);

        let r = n.run_once().await.unwrap();
        assert_eq!(r.mails_failed + r.webhooks_failed, 0, "{r:?}");

        // The shop's owner: one mail, in Japanese, about the shop's finding only.
        let owner = sink.to("owner@example.jp");
        assert_eq!(owner.len(), 1, "exactly one mail to the owner");
        let body = &owner[0].body;
        assert!(body.contains("CVE-2025-1000"), "{body}");
        assert!(body.contains("Webショップ"), "{body}");
        assert!(body.contains("優先度の高い新しい検出"), "{body}");
        assert!(body.contains("http://sonae.test/findings/"), "{body}");
        assert!(
            !body.contains("CVE-2025-2000"),
            "another department's finding leaked: {body}"
        );

        // The logistics owner chose the digest: English, own department only.
        let digest = sink.to("log@example.jp");
        assert_eq!(digest.len(), 1);
        let d = &digest[0].body;
        assert!(d.contains("daily summary"), "{d}");
        assert!(d.contains("CVE-2025-2000") && d.contains("倉庫管理"), "{d}");
        assert!(
            !d.contains("CVE-2025-1000"),
            "digest leaked another department: {d}"
        );
        assert!(sink.to(org.head_email).is_empty(), "nothing is overdue yet");

        // One signed webhook with both findings as structured items.
        let posts = rx.posts();
        assert_eq!(posts.len(), 1);
        assert!(posts[0].verified, "signature must verify");
        let items = posts[0].json["sonae"]["items"].as_array().unwrap();
        let mut vulns: Vec<&str> = items
            .iter()
            .map(|i| i["vuln_id"].as_str().unwrap())
            .collect();
        vulns.sort();
        assert_eq!(vulns, ["CVE-2025-1000", "CVE-2025-2000"]);
        assert!(items
            .iter()
            .all(|i| i["event"] == "new_high" && i["priority"] == "p1"));
        assert!(posts[0].json["text"]
            .as_str()
            .unwrap()
            .contains("CVE-2025-1000"));

        // Again, and after a restart (a new notifier): nothing new.
        let before = sink.count();
        n.run_once().await.unwrap();
        notifier(&s, &sink).run_once().await.unwrap();
        assert_eq!(sink.count(), before, "no second mail");
        assert_eq!(rx.posts().len(), 1, "no second webhook");

        // Five days on the P1 (7 days) is due soon; nine days on it is overdue
        // and the department head hears of it.
        clock.advance_ms(5 * DAY);
        n.run_once().await.unwrap();
        let owner = sink.to("owner@example.jp");
        assert_eq!(owner.len(), 2);
        assert!(
            owner[1].body.contains("対応期限が近い"),
            "{}",
            owner[1].body
        );
        clock.advance_ms(4 * DAY);
        n.run_once().await.unwrap();
        let head = sink.to(org.head_email);
        assert_eq!(head.len(), 1, "one escalation to the head");
        assert!(head[0].body.contains("部門長へのエスカレーション"));
        assert!(head[0].body.contains("CVE-2025-1000"));
        assert!(
            !head[0].body.contains("CVE-2025-2000"),
            "only the head's department"
        );
        assert!(sink.to("owner@example.jp")[2]
            .body
            .contains("対応期限を過ぎた"));
        n.run_once().await.unwrap();
        assert_eq!(sink.to(org.head_email).len(), 1, "escalation sent once");

        // The logistics owner's next digest comes the next local day, not before.
        let digests = sink.to("log@example.jp").len();
        assert!(digests >= 2, "a digest on each later day");
        n.run_once().await.unwrap();
        assert_eq!(sink.to("log@example.jp").len(), digests);
    }
}

#[tokio::test]
async fn failing_mail_server_and_receiver_are_retried_later_not_lost() {
    let clock = Arc::new(FixedClock::at_ms(T0));
    for (s, _dir) in stores(clock.clone()).await {
        seed(&s).await;
        let sink = Sink::start().await;
        let rx = Receiver::start().await;
        add_webhook(&s, &rx).await;
        sink.fail.store(true, Ordering::SeqCst);
        rx.fail.store(true, Ordering::SeqCst);
        let n = notifier(&s, &sink);

        let r = n.run_once().await.expect("a failing server is not a crash");
        assert!(r.mails_failed >= 1 && r.webhooks_failed == 1, "{r:?}");
        assert_eq!(sink.count(), 0);
        let log = s.notification_log_all(100).await.unwrap();
        assert!(log.iter().any(|e| e.status == "failed"
            && e.recipient == "user:1"
            && e.last_error.as_deref().is_some_and(|m| m.contains("451"))));

        // Servers back, but the retry time has not come: nothing yet.
        sink.fail.store(false, Ordering::SeqCst);
        rx.fail.store(false, Ordering::SeqCst);
        n.run_once().await.unwrap();
        assert_eq!(sink.count(), 0);
        assert!(rx.posts().iter().all(|p| !p.verified) || rx.posts().is_empty());

        // Ten minutes later each goes out, once.
        clock.advance_ms(11 * 60_000);
        let r = n.run_once().await.unwrap();
        assert_eq!(r.mails_failed + r.webhooks_failed, 0, "{r:?}");
        assert_eq!(sink.to("owner@example.jp").len(), 1);
        assert_eq!(
            sink.to("log@example.jp").len(),
            1,
            "the digest was retried too"
        );
        let ok: Vec<_> = rx.posts().into_iter().filter(|p| p.verified).collect();
        assert_eq!(ok.len(), 1);
        clock.advance_ms(60 * 60_000);
        n.run_once().await.unwrap();
        assert_eq!(sink.to("owner@example.jp").len(), 1);
        assert!(s
            .notification_log_all(100)
            .await
            .unwrap()
            .iter()
            .all(|e| e.status == "sent" || e.status == "empty"));
    }
}

/// A personal-data incident's reporting deadline (PPC preliminary report,
/// 5 days from discovery): a day before, each admin and security officer
/// with an address is told once; when it has passed, once more.
#[tokio::test]
async fn regulatory_deadlines_are_reminded_once_before_and_once_after() {
    let clock = Arc::new(FixedClock::at_ms(T0));
    for (s, _dir) in stores(clock.clone()).await {
        seed(&s).await;
        let sys = Actor::system();
        s.create_user(
            &sys,
            NewUser {
                username: "ciso".into(),
                display_name: "ciso".into(),
                email: Some("ciso@example.jp".into()),
                role: Role::Admin,
                department_id: None,
                vendor_id: None,
                password_hash: "x".into(),
            },
        )
        .await
        .unwrap();
        s.create_incident(
            &sys,
            &sonae_store::NewIncident {
                title: "会員情報の漏えい".into(),
                category: "leak".into(),
                level: 3,
                discovered_at_ms: T0 - 4 * DAY - DAY / 2,
                summary: "x".into(),
                personal_data: "yes".into(),
                system_ids: Vec::new(),
            },
        )
        .await
        .unwrap();
        let sink = Sink::start().await;
        let n = notifier(&s, &sink);
        n.run_once().await.unwrap();
        let mails = sink.to("ciso@example.jp");
        let clock_mails: Vec<_> = mails
            .iter()
            .filter(|m| m.body.contains("報告期限"))
            .collect();
        assert_eq!(clock_mails.len(), 1, "one reminder before the deadline");
        assert!(
            clock_mails[0].body.contains("INC-"),
            "{}",
            clock_mails[0].body
        );
        n.run_once().await.unwrap();
        assert_eq!(
            sink.to("ciso@example.jp")
                .iter()
                .filter(|m| m.body.contains("報告期限"))
                .count(),
            1,
            "not repeated"
        );
        assert!(
            sink.to("owner@example.jp")
                .iter()
                .all(|m| !m.body.contains("報告期限")),
            "owners are not told"
        );
        clock.advance_ms(DAY);
        n.run_once().await.unwrap();
        let after: Vec<_> = sink
            .to("ciso@example.jp")
            .into_iter()
            .filter(|m| m.body.contains("過ぎました"))
            .collect();
        assert_eq!(after.len(), 1, "one reminder once it has passed");
    }
}
