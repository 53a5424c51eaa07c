//! The demo company's business continuity plan (DESIGN §6): its core
//! processes (受注・出荷・決済・顧客対応) with their impact analysis and
//! objectives, recovery plans, the backups register and one finished
//! tabletop exercise. Loaded once, after the inventory and the demo users.
//! All names and figures are invented.

use anyhow::anyhow;
use sonae_domain::access::Access;
use sonae_domain::continuity::{Impact, ProcessInput};
use sonae_domain::inventory::Kind;
use sonae_domain::Actor;
use sonae_store::{NewBackup, NewPlan, Store};

const DAY_MS: i64 = 86_400_000;

async fn ids(store: &Store, kind: Kind) -> anyhow::Result<Vec<(i64, String)>> {
    Ok(store.titles(&Actor::system(), kind, Access::Read).await?)
}

fn find(list: &[(i64, String)], name: &str) -> anyhow::Result<i64> {
    list.iter()
        .find(|(_, n)| n == name)
        .map(|(i, _)| *i)
        .ok_or_else(|| anyhow!("demo record {name} is missing"))
}

/// Ratings per horizon (4h, 1d, 3d, 1w) as money, customers, legal, reputation.
fn impact(rows: [[u8; 4]; 4]) -> Impact {
    Impact(rows)
}

/// Load the demo's continuity data unless processes exist. Returns true if it loaded.
pub async fn load(store: &Store) -> anyhow::Result<bool> {
    let sys = Actor::system();
    if !store.processes(&sys).await?.is_empty() {
        return Ok(false);
    }
    let depts = ids(store, Kind::Department).await?;
    let systems = ids(store, Kind::System).await?;
    let people = ids(store, Kind::Person).await?;
    let shop = find(&systems, "Webショップ")?;
    let orders = find(&systems, "受注管理システム")?;
    let wms = find(&systems, "倉庫管理システム")?;
    let mail = find(&systems, "社内メール")?;
    let files = find(&systems, "社内ファイルサーバ")?;
    let ec = find(&depts, "通販事業部")?;
    let logistics = find(&depts, "物流部")?;
    let general = find(&depts, "総務部")?;
    let p = |name: &str,
             dept: i64,
             description: &str,
             rto: i64,
             rpo: i64,
             im: Impact,
             systems: Vec<i64>| ProcessInput {
        name: name.to_owned(),
        owner_department_id: dept,
        description: description.to_owned(),
        rto_hours: Some(rto),
        rpo_hours: Some(rpo),
        impact: im,
        system_ids: systems,
    };
    let order = store
        .create_process(
            &sys,
            &p(
                "受注",
                ec,
                "Webショップと電話・FAXの注文を受け付け、受注管理システムに取り込む。売上の入口。",
                4,
                1,
                impact([[2, 2, 0, 1], [3, 3, 1, 2], [3, 3, 1, 3], [3, 3, 2, 3]]),
                vec![shop, orders],
            ),
        )
        .await?;
    store
        .create_process(
            &sys,
            &p(
                "決済",
                ec,
                "決済代行会社との連携によるクレジットカード・コンビニ払いの処理と入金消込。",
                8,
                1,
                impact([[1, 2, 1, 1], [2, 3, 2, 2], [3, 3, 2, 3], [3, 3, 3, 3]]),
                vec![shop, orders],
            ),
        )
        .await?;
    store
        .create_process(
            &sys,
            &p(
                "出荷",
                logistics,
                "受注管理システムの出荷指示から、ピッキング・梱包・出荷ラベル発行・発送まで。",
                24,
                24,
                impact([[0, 1, 0, 0], [1, 2, 0, 1], [2, 3, 1, 2], [3, 3, 1, 3]]),
                vec![orders, wms],
            ),
        )
        .await?;
    store
        .create_process(
            &sys,
            &p(
                "顧客対応",
                general,
                "問い合わせ・返品・苦情への対応（メールと電話）。",
                72,
                24,
                impact([[0, 1, 0, 0], [0, 1, 0, 1], [1, 2, 1, 2], [1, 3, 1, 3]]),
                vec![mail, files],
            ),
        )
        .await?;
    let person = |n: &str| find(&people, n);
    store
        .create_plan(
            &sys,
            &NewPlan {
                title: "Webショップ・受注の復旧計画".into(),
                process_id: Some(order),
                system_id: None,
                owner_person_id: Some(person("中村 結衣")?),
                contact_ids: vec![
                    person("佐藤 健一")?,
                    person("鈴木 一郎")?,
                    person("木村 茂")?,
                ],
                steps: "影響範囲を確認し、必要ならショップを停止する（停止の判断は代表取締役）\n\
                        運用委託先に連絡し、クラウドの別領域にあるバックアップを確認する\n\
                        新しいサーバにバックアップから復元する\n\
                        決済代行会社との連携設定を再設定し、テスト注文で確認する\n\
                        脆弱性の修正を確認してから再開し、しばらく監視を強める"
                    .into(),
                alt_manual: "電話・FAX での注文受付に切り替え、受注管理システムへ手入力する".into(),
                alt_backup_system: String::new(),
                alt_degraded: "商品閲覧のみの静的ページを表示し、注文は電話で受ける".into(),
                estimated_hours: Some(6),
            },
        )
        .await?;
    store
        .create_plan(
            &sys,
            &NewPlan {
                title: "倉庫管理システムの復旧計画".into(),
                process_id: None,
                system_id: Some(wms),
                owner_person_id: Some(person("小林 大輔")?),
                contact_ids: vec![person("鈴木 一郎")?],
                steps: "サーバを隔離し、原因を確認する\nNAS のバックアップから前日分を復元する\n受注管理システムから当日の出荷指示を再取り込みする"
                    .into(),
                alt_manual: "受注管理システムから出荷リストを印刷し、手作業でピッキング・伝票記入する".into(),
                alt_backup_system: String::new(),
                alt_degraded: String::new(),
                estimated_hours: Some(12),
            },
        )
        .await?;
    let now = store.clock().now_ms();
    let b = |system_id, what: &str, location: &str, interval_hours, retention_days| NewBackup {
        system_id,
        what: what.to_owned(),
        location: location.to_owned(),
        interval_hours,
        retention_days,
        test_interval_days: 180,
    };
    let shop_db = store
        .create_backup(
            &sys,
            &b(
                shop,
                "ショップDB・商品画像",
                "クラウド事業者の別リージョン",
                24,
                30,
            ),
        )
        .await?;
    store
        .record_restore_test(
            &sys,
            shop_db,
            now - 400 * DAY_MS,
            "検証環境に全件復元できることを確認",
        )
        .await?;
    let orders_db = store
        .create_backup(
            &sys,
            &b(orders, "受注DB", "本社 NAS と週1回の外部媒体", 1, 90),
        )
        .await?;
    store
        .record_restore_test(
            &sys,
            orders_db,
            now - 30 * DAY_MS,
            "1時間前の時点への復元を確認",
        )
        .await?;
    store
        .create_backup(&sys, &b(wms, "倉庫管理DB", "本社 NAS", 24, 14))
        .await?;
    // A tabletop exercise run last month, finished with its findings.
    let users: Vec<i64> = {
        let mut v = Vec::new();
        for n in ["security", "owner", "logistics", "exec"] {
            if let Some(u) = store.user_by_name(n).await? {
                v.push(u.id);
            }
        }
        v
    };
    if users.is_empty() {
        return Ok(true);
    }
    let facilitator = store
        .user_by_name("security")
        .await?
        .map(|u| u.actor())
        .unwrap_or_else(Actor::system);
    let ex = store
        .start_exercise(&facilitator, "ransomware-shop", &users, &[order])
        .await?;
    let participant = store
        .user_by_name("owner")
        .await?
        .map(|u| u.actor())
        .unwrap_or_else(|| facilitator.clone());
    store
        .log_exercise_action(
            &participant,
            ex,
            "委託先の佐藤さんに電話し、サーバの状態を確認",
        )
        .await?;
    store.mark_milestone(&facilitator, ex, "detected").await?;
    store.exercise_next_inject(&facilitator, ex).await?;
    store.exercise_next_inject(&facilitator, ex).await?;
    store.mark_milestone(&facilitator, ex, "escalated").await?;
    store
        .log_exercise_action(
            &facilitator,
            ex,
            "代表取締役がショップ停止を決定。告知文の作成に着手",
        )
        .await?;
    store
        .mark_milestone(&facilitator, ex, "stop_decision")
        .await?;
    for _ in 0..4 {
        store.exercise_next_inject(&facilitator, ex).await?;
    }
    store.mark_milestone(&facilitator, ex, "restored").await?;
    store
        .finish_exercise(
            &facilitator,
            ex,
            &[
                "マイルストーン未達成：顧客向けの告知（第一報）を公開できる状態にした".into(),
                "復旧が 08:00 となり、RTO 4 時間を超えた".into(),
                "決済代行会社との連携設定の手順書がない".into(),
                "ショップDBの復元テストが1年以上行われていない".into(),
            ],
        )
        .await?;
    Ok(true)
}
