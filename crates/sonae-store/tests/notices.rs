//! Public notices and post-incident reviews, on SQLite and (when
//! SONAE_TEST_POSTGRES_URL names a server) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::notice::{NoticeStatus, NoticeText};
use sonae_domain::{Actor, FieldErrorKind, FixedClock, Role};
use sonae_store::{ActionFilter, NewAction, NewIncident, Store, StoreError};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

static COUNTER: AtomicU32 = AtomicU32::new(0);

async fn backends(clock: Arc<FixedClock>) -> Vec<(Store, Option<tempfile::TempDir>)> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    out.push((Store::open(&url, clock.clone()).await.unwrap(), Some(dir)));
    if let Ok(admin) = std::env::var("SONAE_TEST_POSTGRES_URL") {
        let name = format!(
            "sonae_notices_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let a = Store::connect(&admin, clock.clone()).await.unwrap();
        a.execute_admin(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        a.close().await;
        let mut u = url::Url::parse(&admin).unwrap();
        u.set_path(&name);
        out.push((Store::open(u.as_str(), clock).await.unwrap(), None));
    } else if std::env::var("SONAE_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("SONAE_TEST_REQUIRE_POSTGRES=1 but SONAE_TEST_POSTGRES_URL is not set");
    }
    out
}

fn actor(role: Role) -> Actor {
    Actor {
        user_id: None,
        name: format!("{}-user", role.as_str()),
        role,
        department_id: None,
        vendor_id: None,
    }
}

fn text(title: &str) -> NoticeText {
    NoticeText {
        title_ja: title.into(),
        body_ja: "現在、通販サイトがご利用いただけません。".into(),
        title_en: "Web shop unavailable".into(),
        body_en: "The web shop cannot be used at present.".into(),
    }
}

async fn incident(s: &Store) -> i64 {
    s.create_incident(
        &actor(Role::SecurityOfficer),
        &NewIncident {
            title: "Webショップ停止".into(),
            category: "dos".into(),
            level: 2,
            discovered_at_ms: 1_764_000_000_000,
            summary: "大量のアクセスで応答なし".into(),
            personal_data: "no".into(),
            system_ids: vec![],
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_notice_is_drafted_approved_updated_and_withdrawn_with_its_history_kept() {
    let clock = Arc::new(FixedClock::at_ms(1_764_000_000_000));
    for (s, _dir) in backends(clock.clone()).await {
        let officer = actor(Role::SecurityOfficer);
        let exec = actor(Role::Executive);
        let inc = incident(&s).await;

        // Bad input names the field; a vendor cannot draft.
        match s.create_notice(&officer, None, NoticeText::default()).await {
            Err(StoreError::Invalid(e)) => {
                assert_eq!(e[0].field, "title_ja");
                assert_eq!(e[0].kind, FieldErrorKind::Required);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            s.create_notice(&officer, Some(99_999), text("x")).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            s.create_notice(&actor(Role::Vendor), None, text("x")).await,
            Err(StoreError::Forbidden)
        ));

        let id = s
            .create_notice(&officer, Some(inc), text("通販サイトの障害について"))
            .await
            .unwrap();
        // A draft is not public.
        assert!(s.public_notices().await.unwrap().is_empty());
        assert!(matches!(
            s.public_notice(id).await,
            Err(StoreError::NotFound)
        ));
        let n = s.staff_notice(&officer, id).await.unwrap();
        assert_eq!(n.status, NoticeStatus::Draft);
        s.edit_notice(
            &officer,
            id,
            n.version,
            Some(inc),
            text("通販サイトの障害について（第1報）"),
        )
        .await
        .unwrap();
        // A save based on the old version is refused.
        assert!(matches!(
            s.edit_notice(&officer, id, n.version, None, text("古い"))
                .await,
            Err(StoreError::Conflict(_))
        ));

        // The security officer drafts but may not publish.
        let v = s.staff_notice(&officer, id).await.unwrap().version;
        assert!(matches!(
            s.publish_notice(&officer, id, v).await,
            Err(StoreError::Forbidden)
        ));
        clock.advance_ms(60_000);
        s.publish_notice(&exec, id, v).await.unwrap();
        let public = s.public_notice(id).await.unwrap();
        assert_eq!(public.status, NoticeStatus::Published);
        assert_eq!(public.published_by.as_deref(), Some("executive-user"));
        assert_eq!(public.text.title_ja, "通販サイトの障害について（第1報）");
        // Published text no longer changes; updates are appended instead.
        assert!(matches!(
            s.edit_notice(&exec, id, public.version, None, text("書き換え"))
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            s.add_notice_update(&officer, id, "続報", "").await,
            Err(StoreError::Forbidden)
        ));
        clock.advance_ms(3_600_000);
        s.add_notice_update(&exec, id, "復旧作業中です。", "Recovery is under way.")
            .await
            .unwrap();
        clock.advance_ms(3_600_000);
        s.add_notice_update(&actor(Role::Admin), id, "復旧しました。", "")
            .await
            .unwrap();
        let n = s.public_notice(id).await.unwrap();
        assert_eq!(n.updates.len(), 2);
        // Newest first, each with its own time.
        assert_eq!(n.updates[0].body_ja, "復旧しました。");
        assert!(n.updates[0].at_ms > n.updates[1].at_ms);
        assert_eq!(n.last_changed_ms(), n.updates[0].at_ms);

        // Withdrawal keeps the notice and its updates, marked withdrawn.
        assert!(matches!(
            s.withdraw_notice(&officer, id, n.version).await,
            Err(StoreError::Forbidden)
        ));
        s.withdraw_notice(&exec, id, n.version).await.unwrap();
        let w = s.public_notice(id).await.unwrap();
        assert_eq!(w.status, NoticeStatus::Withdrawn);
        assert_eq!(w.updates.len(), 2);
        assert_eq!(s.public_notices().await.unwrap().len(), 1);
        assert!(matches!(
            s.add_notice_update(&exec, id, "再開", "").await,
            Err(StoreError::Conflict(_))
        ));

        // Every step is in the audit chain.
        let audit = s.audit_page(None, 0, 200).await.unwrap();
        let kinds: Vec<_> = audit
            .entries
            .iter()
            .filter(|e| e.object_kind.starts_with("notice"))
            .map(|e| (e.object_kind.clone(), e.actor.clone()))
            .collect();
        assert_eq!(kinds.len(), 6, "{kinds:?}");
        assert!(s.audit_verify().await.unwrap().1.is_empty());
    }
}

#[tokio::test]
async fn review_answers_are_versioned_logged_and_become_improvement_actions() {
    let clock = Arc::new(FixedClock::at_ms(1_764_000_000_000));
    for (s, _dir) in backends(clock.clone()).await {
        let officer = actor(Role::SecurityOfficer);
        let inc = incident(&s).await;
        let answers = vec![
            (
                "what_happened".to_owned(),
                "10:00 検知、10:30 遮断".to_owned(),
            ),
            ("procedures".to_owned(), String::new()),
        ];
        assert_eq!(s.save_review(&officer, inc, &answers).await.unwrap(), 1);
        // The same answer again changes nothing.
        assert_eq!(s.save_review(&officer, inc, &answers).await.unwrap(), 0);
        clock.advance_ms(1000);
        let changed = vec![(
            "what_happened".to_owned(),
            "10:00 検知、10:20 遮断（訂正）".to_owned(),
        )];
        assert_eq!(s.save_review(&officer, inc, &changed).await.unwrap(), 1);
        let all = s.review_answers(&officer, inc).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].version, 1);
        assert_eq!(all[1].version, 2);
        assert!(all[1].answer.contains("訂正"));
        // Each saved answer is in the work log.
        let log = s.incident_log(&officer, inc).await.unwrap();
        assert_eq!(log.iter().filter(|e| e.kind == "review").count(), 2);
        // Unknown questions and auditors are refused.
        assert!(matches!(
            s.save_review(&officer, inc, &[("nope".into(), "x".into())])
                .await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            s.save_review(&actor(Role::Auditor), inc, &changed).await,
            Err(StoreError::Forbidden)
        ));

        // Improvement actions join the one PDCA list, tied to the incident.
        s.create_action(
            &officer,
            &NewAction {
                source_kind: "incident".into(),
                source_id: Some(inc),
                title: "WAF のレート制限を設定".into(),
                detail: "corrective_actions".into(),
                owner: "security_officer-user".into(),
                due_at_ms: Some(1_766_000_000_000),
            },
        )
        .await
        .unwrap();
        let acts = s
            .actions(
                &officer,
                &ActionFilter {
                    source_kind: Some("incident".into()),
                    source_id: Some(inc),
                    ..ActionFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(acts.len(), 1);
        assert_eq!(acts[0].due_at_ms, Some(1_766_000_000_000));
    }
}
