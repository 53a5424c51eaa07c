//! The fictional demo organization loaded by `sonae demo`: a small Japanese
//! mail-order company, 「株式会社みどり通販」, with its departments, internal and
//! external contacts, outsourcing vendors, systems, software components and
//! information assets, so every screen has something realistic to show.
//!
//! Every name, phone number and address here is invented. Phone numbers use
//! the unassigned 03-0000 / 090-0000 ranges and e-mail addresses use the
//! reserved example.jp / example.com domains; the real numbers of public
//! bodies must be looked up on their official sites.
//!
//! The data is written as field-name/text pairs, exactly as a user would
//! type them into a form, and goes through the same field parser as forms
//! and CSV imports, so the demo cannot hold a value the application would
//! refuse. Reference fields name the referenced record by its title.

use std::collections::HashMap;

use anyhow::{anyhow, bail, Context};
use sonae_domain::access::Access;
use sonae_domain::inventory::Kind;
use sonae_domain::value::parse_record;
use sonae_domain::{Actor, FieldType, Role, Values};
use sonae_store::{NewRisk, NewUser, Store};

/// A demo login account.
pub struct DemoUser {
    pub username: &'static str,
    pub role: Role,
    /// Name of the department a system owner belongs to.
    pub department: Option<&'static str>,
    /// Name of the vendor a vendor user works for.
    pub vendor: Option<&'static str>,
    pub display_name: &'static str,
}

/// Demo accounts besides the admin, one per role, so every role can be tried.
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        username: "security",
        role: Role::SecurityOfficer,
        department: None,
        vendor: None,
        display_name: "鈴木 一郎（情報システム室）",
    },
    DemoUser {
        username: "owner",
        role: Role::SystemOwner,
        department: Some("通販事業部"),
        vendor: None,
        display_name: "中村 結衣（通販事業部）",
    },
    DemoUser {
        username: "logistics",
        role: Role::SystemOwner,
        department: Some("物流部"),
        vendor: None,
        display_name: "小林 大輔（物流部）",
    },
    DemoUser {
        username: "vendor",
        role: Role::Vendor,
        department: None,
        vendor: Some(WEB_VENDOR),
        display_name: "佐藤 健一（ネットショップ運用サービス）",
    },
    DemoUser {
        username: "exec",
        role: Role::Executive,
        department: None,
        vendor: None,
        display_name: "木村 茂（代表取締役）",
    },
    DemoUser {
        username: "auditor",
        role: Role::Auditor,
        department: None,
        vendor: None,
        display_name: "岡田 恵（内部監査）",
    },
];

impl DemoUser {
    /// The account to create for this demo user, with its department and
    /// vendor resolved against the loaded demo data.
    pub async fn new_user(&self, store: &Store, password_hash: String) -> anyhow::Result<NewUser> {
        let department_id = match self.department {
            Some(name) => Some(
                department_id(store, name)
                    .await?
                    .ok_or_else(|| anyhow!("demo department {name} is missing"))?,
            ),
            None => None,
        };
        let vendor_id = match self.vendor {
            Some(name) => Some(
                vendor_id(store, name)
                    .await?
                    .ok_or_else(|| anyhow!("demo vendor {name} is missing"))?,
            ),
            None => None,
        };
        Ok(NewUser {
            username: self.username.to_owned(),
            display_name: self.display_name.to_owned(),
            // The address of the same person in the demo's people, so that
            // the response routes recognize them.
            email: Some(
                match self.username {
                    "security" => "suzuki@example.jp",
                    "owner" => "nakamura@example.jp",
                    "logistics" => "kobayashi@example.jp",
                    "vendor" => "sato@netshop-unyo.example.com",
                    "exec" => "kimura@example.jp",
                    _ => "auditor@example.jp",
                }
                .to_owned(),
            ),
            role: self.role,
            department_id,
            vendor_id,
            password_hash,
        })
    }
}

/// Load the demo organization unless the database already holds departments
/// (idempotent). Returns true if it loaded.
pub async fn load(store: &Store) -> anyhow::Result<bool> {
    if store.count(Kind::Department).await? > 0 {
        return Ok(false);
    }
    let mut loader = Loader {
        store,
        actor: Actor::system(),
        ids: HashMap::new(),
    };
    // Referenced kinds first: departments and vendors, then the people who
    // belong to departments, systems that name all three, and last the
    // components of systems and the information assets.
    for (kind, rows) in [
        (Kind::Department, DEPARTMENTS),
        (Kind::Vendor, VENDORS),
        (Kind::Person, PEOPLE),
        (Kind::System, SYSTEMS),
        (Kind::Component, COMPONENTS),
        (Kind::Asset, ASSETS),
    ] {
        for row in rows {
            loader.add(kind, row).await?;
        }
    }
    load_assessments(store).await?;
    Ok(true)
}

/// Two 25-item self-checks half a year apart (so the trend shows) and a few
/// risks on the information assets, one treated and accepted by the
/// president.
async fn load_assessments(store: &Store) -> anyhow::Result<()> {
    let sys = Actor::system();
    // 2025-10-01 and 2026-04-01, midnight in Tokyo.
    for (title, at, answers) in [
        (
            "2025年度 上期 自社診断",
            1_759_244_400_000_i64,
            // 1–5 partly, 6–18 mixed, 19–25 mostly not done.
            "pppdd dpddppdpdpdpd nnpnudn",
        ),
        (
            "2025年度 下期 自社診断",
            1_774_969_200_000,
            "ddddd ddddpdddpdddd pdpdpdp",
        ),
    ] {
        let id = store.create_assessment(&sys, "ipa-25", title, at).await?;
        let version = store.assessment(&sys, id).await?.version;
        let rows: Vec<(String, String, String)> = answers
            .chars()
            .filter(|c| !c.is_whitespace())
            .enumerate()
            .map(|(i, c)| {
                let choice = match c {
                    'd' => "done",
                    'p' => "partly",
                    'u' => "unknown",
                    _ => "not_done",
                };
                ((i + 1).to_string(), choice.to_owned(), String::new())
            })
            .collect();
        store.save_answers(&sys, id, version, &rows).await?;
    }
    let asset = |name: &'static str| async move {
        id_by_title(store, Kind::Asset, name)
            .await?
            .ok_or_else(|| anyhow!("demo asset {name} missing"))
    };
    for (name, threat, frequency, vulnerability, description) in [
        (
            "顧客名簿",
            "unauthorized-access",
            3,
            2,
            "通販サイト経由の不正ログインで顧客情報が漏えいする",
        ),
        (
            "受注データ",
            "malware",
            3,
            3,
            "ランサムウェアで受注データが暗号化され出荷が止まる",
        ),
        (
            "会計データ",
            "misoperation",
            2,
            2,
            "経理担当者の誤操作で仕訳が消える",
        ),
        ("従業員名簿", "loss", 2, 3, "持ち出したノートPCの紛失"),
    ] {
        store
            .create_risk(
                &sys,
                &NewRisk {
                    asset_id: asset(name).await?,
                    threat: threat.into(),
                    description: description.into(),
                    frequency,
                    vulnerability,
                },
            )
            .await?;
    }
    // The ransomware risk: reduced with offline backups, residual accepted
    // by the president.
    if let Some(r) = store
        .risks(&sys)
        .await?
        .into_iter()
        .find(|r| r.threat == "malware")
    {
        store
            .treat_risk(
                &sys,
                r.id,
                r.version,
                "reduce",
                "オフラインバックアップと復元訓練",
                Some(1),
            )
            .await?;
        let exec = Actor {
            user_id: None,
            name: "exec".into(),
            role: Role::Executive,
            department_id: None,
            vendor_id: None,
        };
        store.accept_risk(&exec, r.id, r.version + 1).await?;
    }
    Ok(())
}

/// The id of the department with this name, if it exists.
pub async fn department_id(store: &Store, name: &str) -> anyhow::Result<Option<i64>> {
    id_by_title(store, Kind::Department, name).await
}

/// The id of the vendor with this name, if it exists.
pub async fn vendor_id(store: &Store, name: &str) -> anyhow::Result<Option<i64>> {
    id_by_title(store, Kind::Vendor, name).await
}

async fn id_by_title(store: &Store, kind: Kind, name: &str) -> anyhow::Result<Option<i64>> {
    let titles = store.titles(&Actor::system(), kind, Access::Read).await?;
    Ok(titles
        .into_iter()
        .find(|(_, t)| t == name)
        .map(|(id, _)| id))
}

/// One record as (field, text) pairs; fields left out are empty.
type Row = &'static [(&'static str, &'static str)];

struct Loader<'a> {
    store: &'a Store,
    actor: Actor,
    /// Ids of the records created so far, by kind and title.
    ids: HashMap<(Kind, &'static str), i64>,
}

impl Loader<'_> {
    /// Create one record from its pairs and remember its id by title.
    async fn add(&mut self, kind: Kind, row: Row) -> anyhow::Result<i64> {
        let title = row
            .iter()
            .find(|(f, _)| *f == kind.title_field())
            .map_or("", |(_, v)| *v);
        let values = self
            .values(kind, row)
            .with_context(|| format!("demo {} 「{title}」", kind.slug()))?;
        let rec = self
            .store
            .create(&self.actor, kind, values)
            .await
            .with_context(|| format!("creating demo {} 「{title}」", kind.slug()))?;
        self.ids.insert((kind, title), rec.id);
        Ok(rec.id)
    }

    /// Build every field of the kind from the pairs, parsing them as a form
    /// would; a reference names its target by title.
    fn values(&self, kind: Kind, row: Row) -> anyhow::Result<Values> {
        let mut raw: HashMap<&str, String> = HashMap::new();
        for (field, text) in row {
            let Some(spec) = kind.field(field) else {
                bail!("no field {field}");
            };
            let input = match spec.ty {
                FieldType::Ref(target) => self
                    .ids
                    .get(&(target, *text))
                    .ok_or_else(|| anyhow!("{field}: no {} named {text}", target.slug()))?
                    .to_string(),
                _ => (*text).to_owned(),
            };
            if raw.insert(spec.name, input).is_some() {
                bail!("field {field} given twice");
            }
        }
        let values = parse_record(kind.fields(), &|f| raw.get(f).cloned())
            .map_err(|errors| anyhow!("invalid values: {errors:?}"))?;
        Ok(values)
    }
}

// --- the demo data ------------------------------------------------------

const COMPANY: &str = "株式会社みどり通販";
const WEB_VENDOR: &str = "株式会社ネットショップ運用サービス";
const OFFICE_VENDOR: &str = "有限会社オフィスITサポート";
const MAIL_VENDOR: &str = "あおぞらクラウドメール株式会社";

const DEPARTMENTS: &[Row] = &[
    &[
        ("name", "経営企画部"),
        ("code", "MGT"),
        (
            "notes",
            "経営計画・広報・情報セキュリティの統括（CISO）を担当。",
        ),
    ],
    &[
        ("name", "通販事業部"),
        ("code", "EC"),
        ("notes", "Webショップの運営、受注処理、顧客対応を担当。"),
    ],
    &[
        ("name", "物流部"),
        ("code", "LOG"),
        ("notes", "倉庫での入出荷・在庫管理と配送手配を担当。"),
    ],
    &[
        ("name", "総務部"),
        ("code", "GA"),
        (
            "notes",
            "総務・人事・経理・法務。社内のPCやファイルサーバなどIT資産の管理窓口。",
        ),
    ],
    &[
        ("name", "情報システム室"),
        ("code", "IT"),
        (
            "notes",
            "社内システムの運用と、セキュリティインシデントの初動対応を担当（2名）。",
        ),
    ],
];

const VENDORS: &[Row] = &[
    &[
        ("name", WEB_VENDOR),
        ("contact_name", "佐藤 健一"),
        ("email", "support@netshop-unyo.example.com"),
        ("phone", "03-0000-1001"),
        ("contract_start", "2025-04-01"),
        ("contract_end", "2027-03-31"),
        ("contract_new_vulns", "agreed"),
        ("contract_known_vulns", "agreed"),
        ("contract_vuln_testing", "not_agreed"),
        ("contract_emergency_costs", "unset"),
        (
            "notes",
            "Webショップ（EC-CUBE）の構築・保守・サーバ運用を委託。脆弱性診断は契約範囲外のため、実施する場合は別途見積りが必要。緊急時の費用負担は次回更新時に協議する。",
        ),
    ],
    &[
        ("name", OFFICE_VENDOR),
        ("contact_name", "高橋 美咲"),
        ("email", "info@office-it-support.example.com"),
        ("phone", "03-0000-1002"),
        ("contract_start", "2024-10-01"),
        ("contract_end", "2026-09-30"),
        ("contract_new_vulns", "agreed"),
        ("contract_known_vulns", "unset"),
        ("contract_vuln_testing", "not_applicable"),
        ("contract_emergency_costs", "not_agreed"),
        (
            "notes",
            "事務用PCと社内ファイルサーバの保守（スポット対応＋月1回の定期点検）。休日・夜間の駆け付けは契約外。",
        ),
    ],
    &[
        ("name", MAIL_VENDOR),
        ("contact_name", "サポートセンター"),
        ("email", "support@aozora-mail.example.com"),
        ("phone", "03-0000-1003"),
        ("contract_start", "2023-07-01"),
        ("contract_new_vulns", "agreed"),
        ("contract_known_vulns", "agreed"),
        ("contract_vuln_testing", "not_applicable"),
        ("contract_emergency_costs", "not_agreed"),
        (
            "notes",
            "クラウドメールサービス（SaaS）。利用規約による年間契約・自動更新。基盤の脆弱性対応は提供者が行う。",
        ),
    ],
];

const PEOPLE: &[Row] = &[
    // Internal contacts.
    &[
        ("name", "山田 太郎"),
        ("affiliation", "internal"),
        ("contact_role", "ciso"),
        ("department_id", "経営企画部"),
        ("organization", COMPANY),
        ("title", "取締役 経営企画部長（CISO）"),
        ("email", "yamada@example.jp"),
        ("phone", "03-0000-2001"),
        ("reachable_hours", "平日 9:00-18:00"),
        ("after_hours_phone", "090-0000-2001"),
        ("last_verified", "2026-01-15"),
    ],
    &[
        ("name", "鈴木 一郎"),
        ("affiliation", "internal"),
        ("contact_role", "incident_lead"),
        ("department_id", "情報システム室"),
        ("organization", COMPANY),
        ("title", "情報システム室長"),
        ("email", "suzuki@example.jp"),
        ("phone", "03-0000-2002"),
        ("reachable_hours", "平日 9:00-18:00"),
        ("after_hours_phone", "090-0000-2002"),
        ("last_verified", "2026-01-15"),
        ("notes", "インシデント対応の責任者。不在時は田中が代行。"),
    ],
    &[
        ("name", "田中 花子"),
        ("affiliation", "internal"),
        ("contact_role", "first_responder"),
        ("department_id", "情報システム室"),
        ("organization", COMPANY),
        ("title", "情報システム室 主任"),
        ("email", "tanaka@example.jp"),
        ("phone", "03-0000-2003"),
        ("reachable_hours", "平日 9:00-18:00"),
        ("after_hours_phone", "090-0000-2003"),
        ("last_verified", "2026-01-15"),
        ("notes", "初動対応（ネットワークからの切り離し、証拠保全、記録）を担当。"),
    ],
    &[
        ("name", "佐々木 由美"),
        ("affiliation", "internal"),
        ("contact_role", "pr"),
        ("department_id", "経営企画部"),
        ("organization", COMPANY),
        ("title", "広報担当"),
        ("email", "sasaki@example.jp"),
        ("phone", "03-0000-2004"),
        ("reachable_hours", "平日 9:00-18:00"),
        ("last_verified", "2026-02-02"),
        ("notes", "顧客への告知文・Webサイトでの公表、報道対応の窓口。"),
    ],
    &[
        ("name", "渡辺 健"),
        ("affiliation", "internal"),
        ("contact_role", "general_affairs"),
        ("department_id", "総務部"),
        ("organization", COMPANY),
        ("title", "総務部長"),
        ("email", "watanabe@example.jp"),
        ("phone", "03-0000-2005"),
        ("reachable_hours", "平日 9:00-18:00"),
        ("after_hours_phone", "090-0000-2005"),
        ("last_verified", "2026-02-02"),
        ("notes", "法務・契約・保険の窓口を兼務。個人情報保護委員会への報告を取りまとめる。"),
    ],
    &[
        ("name", "木村 茂"),
        ("affiliation", "internal"),
        ("contact_role", "executive"),
        ("department_id", "経営企画部"),
        ("organization", COMPANY),
        ("title", "代表取締役社長"),
        ("email", "kimura@example.jp"),
        ("phone", "03-0000-2000"),
        ("reachable_hours", "平日 9:00-18:00"),
        ("after_hours_phone", "090-0000-2000"),
        ("last_verified", "2026-01-15"),
        ("notes", "サービス停止・公表・身代金要求への対応など経営判断を行う。"),
    ],
    &[
        ("name", "中村 結衣"),
        ("affiliation", "internal"),
        ("contact_role", "it_admin"),
        ("department_id", "通販事業部"),
        ("organization", COMPANY),
        ("title", "通販事業部 EC運営担当"),
        ("email", "nakamura@example.jp"),
        ("phone", "03-0000-2006"),
        ("reachable_hours", "平日 9:00-18:00"),
        ("last_verified", "2026-02-10"),
        ("notes", "Webショップの管理画面の管理者。委託先との日常の窓口。"),
    ],
    &[
        ("name", "小林 大輔"),
        ("affiliation", "internal"),
        ("contact_role", "it_admin"),
        ("department_id", "物流部"),
        ("organization", COMPANY),
        ("title", "物流部 倉庫管理課長"),
        ("email", "kobayashi@example.jp"),
        ("phone", "03-0000-2007"),
        ("reachable_hours", "平日 8:00-17:00"),
        ("last_verified", "2026-02-10"),
    ],
    // External contacts.
    &[
        ("name", "情報セキュリティ安心相談窓口"),
        ("affiliation", "external"),
        ("contact_role", "ipa"),
        ("organization", "独立行政法人情報処理推進機構"),
        ("phone", "03-0000-3001"),
        ("reachable_hours", "平日 10:00-12:00, 13:30-17:00"),
        ("last_verified", "2026-01-20"),
        (
            "notes",
            "ウイルス感染や不正アクセスの技術的な相談先。電話番号はデモ用の架空のものです。実際の連絡先は公式サイトで確認してください。",
        ),
    ],
    &[
        ("name", "インシデント報告窓口"),
        ("affiliation", "external"),
        ("contact_role", "jpcert"),
        ("organization", "一般社団法人JPCERTコーディネーションセンター"),
        ("phone", "03-0000-3002"),
        ("reachable_hours", "24時間（Webフォーム）"),
        ("last_verified", "2026-01-20"),
        (
            "notes",
            "不正アクセス・マルウェア等のインシデント報告と調整依頼。電話番号はデモ用の架空のものです。",
        ),
    ],
    &[
        ("name", "サイバー犯罪相談窓口"),
        ("affiliation", "external"),
        ("contact_role", "police"),
        ("organization", "都道府県警察"),
        ("phone", "03-0000-3003"),
        ("reachable_hours", "平日 8:30-17:15"),
        ("last_verified", "2026-01-20"),
        (
            "notes",
            "ランサムウェア被害や不正送金などの被害相談・届出。緊急時は110番。電話番号はデモ用の架空のものです。",
        ),
    ],
    &[
        ("name", "漏えい等報告窓口"),
        ("affiliation", "external"),
        ("contact_role", "ppc"),
        ("organization", "個人情報保護委員会"),
        ("phone", "03-0000-3004"),
        ("reachable_hours", "平日 9:30-17:30"),
        ("last_verified", "2026-01-20"),
        (
            "notes",
            "個人データの漏えい等が発生したおそれがある場合の報告先。速報は概ね3〜5日以内、確報は30日以内（不正アクセス等による場合は60日以内）。電話番号はデモ用の架空のものです。",
        ),
    ],
    &[
        ("name", "佐藤 健一"),
        ("affiliation", "external"),
        ("contact_role", "vendor"),
        ("organization", WEB_VENDOR),
        ("title", "保守サポート担当"),
        ("email", "sato@netshop-unyo.example.com"),
        ("phone", "03-0000-4001"),
        ("reachable_hours", "平日 9:00-18:00"),
        ("after_hours_phone", "090-0000-4001"),
        ("last_verified", "2026-03-02"),
        ("notes", "Webショップの障害・セキュリティ事故の連絡先。夜間・休日は障害時のみ携帯へ。"),
    ],
    &[
        ("name", "サイバー保険 事故受付センター"),
        ("affiliation", "external"),
        ("contact_role", "insurer"),
        ("organization", "ことぶき損害保険株式会社"),
        ("email", "cyber-claims@kotobuki-sonpo.example.com"),
        ("phone", "03-0000-5001"),
        ("reachable_hours", "24時間"),
        ("last_verified", "2026-02-16"),
        (
            "notes",
            "サイバー保険の事故受付。事故を知ったら速やかに連絡（証券番号は総務部で保管）。調査会社の紹介も受けられる。",
        ),
    ],
    &[
        ("name", "松本 直樹"),
        ("affiliation", "external"),
        ("contact_role", "lawyer"),
        ("organization", "松本総合法律事務所"),
        ("title", "弁護士"),
        ("email", "matsumoto@matsumoto-law.example.jp"),
        ("phone", "03-0000-6001"),
        ("reachable_hours", "平日 10:00-18:00"),
        ("last_verified", "2026-02-16"),
        ("notes", "顧問弁護士。顧客対応・公表内容・損害賠償の相談先。"),
    ],
];

const SYSTEMS: &[Row] = &[
    &[
        ("name", "Webショップ"),
        (
            "purpose",
            "自社通販サイト（EC-CUBE）。会員登録・商品閲覧・注文・決済代行会社との連携を行う。売上の約8割を占める。",
        ),
        ("owner_department_id", "通販事業部"),
        ("administrator_id", "中村 結衣"),
        ("vendor_id", WEB_VENDOR),
        ("location", "cloud"),
        ("exposure", "internet"),
        ("personal_data", "1"),
        ("customer_data", "1"),
        ("critical_data", "1"),
        ("confidentiality", "3"),
        ("integrity", "3"),
        ("availability", "3"),
        ("notes", "クレジットカード情報は決済代行会社側で処理し、自社では保持しない（非保持化）。"),
    ],
    &[
        ("name", "受注管理システム"),
        (
            "purpose",
            "Webショップと電話・FAXの注文を取り込み、受注・入金・出荷指示を管理する。",
        ),
        ("owner_department_id", "通販事業部"),
        ("administrator_id", "鈴木 一郎"),
        ("location", "on_premises"),
        ("exposure", "intranet"),
        ("personal_data", "1"),
        ("customer_data", "1"),
        ("critical_data", "1"),
        ("confidentiality", "3"),
        ("integrity", "3"),
        ("availability", "2"),
        ("notes", "本社サーバ室に設置。毎晩NASへバックアップ。"),
    ],
    &[
        ("name", "社内ファイルサーバ"),
        ("purpose", "各部署の共有フォルダ（契約書、従業員名簿、会計データのバックアップなど）。"),
        ("owner_department_id", "総務部"),
        ("administrator_id", "田中 花子"),
        ("vendor_id", OFFICE_VENDOR),
        ("location", "on_premises"),
        ("exposure", "intranet"),
        ("personal_data", "1"),
        ("customer_data", "0"),
        ("critical_data", "1"),
        ("confidentiality", "2"),
        ("integrity", "2"),
        ("availability", "2"),
        ("end_of_support", "2027-01-12"),
        ("notes", "Windows Server 2016 の延長サポート終了前に更改が必要。"),
    ],
    &[
        ("name", "事務用PC"),
        ("purpose", "全社員の事務用PC（約25台）。メール、文書作成、会計ソフト、管理画面の操作に使う。"),
        ("owner_department_id", "総務部"),
        ("administrator_id", "田中 花子"),
        ("vendor_id", OFFICE_VENDOR),
        ("location", "on_premises"),
        ("exposure", "intranet"),
        ("personal_data", "1"),
        ("customer_data", "1"),
        ("critical_data", "0"),
        ("confidentiality", "2"),
        ("integrity", "2"),
        ("availability", "2"),
        ("end_of_support", "2025-11-11"),
        ("notes", "Windows 11 23H2 のサービス終了に伴い 24H2 への更新を計画中。"),
    ],
    &[
        ("name", "倉庫管理システム"),
        ("purpose", "入荷・在庫・ピッキング・出荷ラベル発行を管理する。受注管理システムから出荷指示を受け取る。"),
        ("owner_department_id", "物流部"),
        ("administrator_id", "小林 大輔"),
        ("location", "on_premises"),
        ("exposure", "intranet"),
        ("personal_data", "1"),
        ("customer_data", "1"),
        ("critical_data", "1"),
        ("confidentiality", "2"),
        ("integrity", "3"),
        ("availability", "3"),
        ("end_of_support", "2024-11-21"),
        (
            "notes",
            "2018年に導入したパッケージを自社で保守。開発元のサポートは終了しており、PostgreSQL 12 もサポート終了済み。",
        ),
    ],
    &[
        ("name", "社内メール"),
        ("purpose", "社員のメールと予定表（クラウドサービス）。顧客・取引先とのやり取りにも使う。"),
        ("owner_department_id", "総務部"),
        ("administrator_id", "田中 花子"),
        ("vendor_id", MAIL_VENDOR),
        ("location", "cloud"),
        ("exposure", "internet"),
        ("personal_data", "1"),
        ("customer_data", "1"),
        ("critical_data", "0"),
        ("confidentiality", "2"),
        ("integrity", "2"),
        ("availability", "3"),
        ("notes", "管理者アカウントは多要素認証を設定済み。一般社員への適用は未完了。"),
    ],
];

const COMPONENTS: &[Row] = &[
    // Webショップ
    &[
        ("system_id", "Webショップ"),
        ("vendor", "EC-CUBE"),
        ("product", "EC-CUBE"),
        ("version", "4.2.2"),
        ("cpe", "cpe:2.3:a:ec-cube:ec-cube:4.2.2:*:*:*:*:*:*:*"),
        ("purl", "pkg:composer/ec-cube/ec-cube@4.2.2"),
        ("source", "manual"),
        ("notes", "プラグイン3件を追加導入（委託先が管理）。"),
    ],
    &[
        ("system_id", "Webショップ"),
        ("vendor", "Symfony"),
        ("product", "Symfony HttpKernel"),
        ("version", "5.4.21"),
        ("cpe", "cpe:2.3:a:sensiolabs:symfony:5.4.21:*:*:*:*:*:*:*"),
        ("purl", "pkg:composer/symfony/http-kernel@5.4.21"),
        ("source", "manual"),
    ],
    &[
        ("system_id", "Webショップ"),
        ("vendor", "PHP Group"),
        ("product", "PHP"),
        ("version", "8.1.2"),
        ("cpe", "cpe:2.3:a:php:php:8.1.2:*:*:*:*:*:*:*"),
        ("source", "manual"),
    ],
    &[
        ("system_id", "Webショップ"),
        ("vendor", "Apache Software Foundation"),
        ("product", "Apache HTTP Server"),
        ("version", "2.4.57"),
        ("cpe", "cpe:2.3:a:apache:http_server:2.4.57:*:*:*:*:*:*:*"),
        ("source", "manual"),
    ],
    &[
        ("system_id", "Webショップ"),
        ("vendor", "Oracle"),
        ("product", "MySQL"),
        ("version", "8.0.33"),
        ("cpe", "cpe:2.3:a:oracle:mysql:8.0.33:*:*:*:*:*:*:*"),
        ("source", "manual"),
    ],
    &[
        ("system_id", "Webショップ"),
        ("vendor", "OpenSSL"),
        ("product", "OpenSSL"),
        ("version", "3.0.8"),
        ("cpe", "cpe:2.3:a:openssl:openssl:3.0.8:*:*:*:*:*:*:*"),
        ("purl", "pkg:generic/openssl@3.0.8"),
        ("source", "manual"),
    ],
    &[
        ("system_id", "Webショップ"),
        ("vendor", "Canonical"),
        ("product", "Ubuntu"),
        ("version", "22.04 LTS"),
        (
            "cpe",
            "cpe:2.3:o:canonical:ubuntu_linux:22.04:*:*:*:lts:*:*:*",
        ),
        ("source", "manual"),
    ],
    // 受注管理システム
    &[
        ("system_id", "受注管理システム"),
        ("vendor", "Microsoft"),
        ("product", "Windows Server 2019"),
        ("version", "1809"),
        (
            "cpe",
            "cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*",
        ),
        ("source", "manual"),
    ],
    &[
        ("system_id", "受注管理システム"),
        ("vendor", "Microsoft"),
        ("product", "SQL Server"),
        ("version", "2019"),
        ("cpe", "cpe:2.3:a:microsoft:sql_server:2019:*:*:*:*:*:x64:*"),
        ("source", "manual"),
    ],
    &[
        ("system_id", "受注管理システム"),
        ("vendor", "Microsoft"),
        ("product", ".NET Framework"),
        ("version", "4.8"),
        (
            "cpe",
            "cpe:2.3:a:microsoft:.net_framework:4.8:*:*:*:*:*:*:*",
        ),
        ("source", "manual"),
    ],
    // 社内ファイルサーバ
    &[
        ("system_id", "社内ファイルサーバ"),
        ("vendor", "Microsoft"),
        ("product", "Windows Server 2016"),
        ("version", "1607"),
        (
            "cpe",
            "cpe:2.3:o:microsoft:windows_server_2016:-:*:*:*:*:*:*:*",
        ),
        ("source", "manual"),
    ],
    &[
        ("system_id", "社内ファイルサーバ"),
        ("vendor", "Synology"),
        ("product", "DiskStation Manager"),
        ("version", "7.1"),
        (
            "cpe",
            "cpe:2.3:o:synology:diskstation_manager:7.1:*:*:*:*:*:*:*",
        ),
        ("source", "manual"),
        ("notes", "バックアップ先のNAS。"),
    ],
    // 事務用PC
    &[
        ("system_id", "事務用PC"),
        ("vendor", "Microsoft"),
        ("product", "Windows 11"),
        ("version", "23H2"),
        (
            "cpe",
            "cpe:2.3:o:microsoft:windows_11_23h2:-:*:*:*:*:*:x64:*",
        ),
        ("source", "manual"),
    ],
    &[
        ("system_id", "事務用PC"),
        ("vendor", "Microsoft"),
        ("product", "Microsoft Office"),
        ("version", "2019"),
        ("cpe", "cpe:2.3:a:microsoft:office:2019:*:*:*:*:*:x64:*"),
        ("source", "manual"),
        (
            "notes",
            "2025年10月にサポート終了。Microsoft 365 への移行を検討中。",
        ),
    ],
    &[
        ("system_id", "事務用PC"),
        ("vendor", "Adobe"),
        ("product", "Acrobat Reader"),
        ("version", "24.002.20933"),
        (
            "cpe",
            "cpe:2.3:a:adobe:acrobat_reader:24.002.20933:*:*:*:continuous:*:*:*",
        ),
        ("source", "manual"),
    ],
    &[
        ("system_id", "事務用PC"),
        ("vendor", "Google"),
        ("product", "Google Chrome"),
        ("version", "120.0.6099.109"),
        (
            "cpe",
            "cpe:2.3:a:google:chrome:120.0.6099.109:*:*:*:*:*:*:*",
        ),
        ("source", "manual"),
    ],
    &[
        ("system_id", "事務用PC"),
        ("vendor", "Igor Pavlov"),
        ("product", "7-Zip"),
        ("version", "22.01"),
        ("cpe", "cpe:2.3:a:7-zip:7-zip:22.01:*:*:*:*:*:*:*"),
        ("source", "manual"),
    ],
    // 倉庫管理システム
    &[
        ("system_id", "倉庫管理システム"),
        ("vendor", "PostgreSQL Global Development Group"),
        ("product", "PostgreSQL"),
        ("version", "12.15"),
        ("cpe", "cpe:2.3:a:postgresql:postgresql:12.15:*:*:*:*:*:*:*"),
        ("source", "manual"),
    ],
    &[
        ("system_id", "倉庫管理システム"),
        ("vendor", "Oracle"),
        ("product", "Java SE Runtime Environment"),
        ("version", "8u202"),
        ("cpe", "cpe:2.3:a:oracle:jre:1.8.0:update202:*:*:*:*:*:*"),
        ("source", "manual"),
    ],
    &[
        ("system_id", "倉庫管理システム"),
        ("vendor", "Apache Software Foundation"),
        ("product", "Apache Tomcat"),
        ("version", "8.5.93"),
        ("cpe", "cpe:2.3:a:apache:tomcat:8.5.93:*:*:*:*:*:*:*"),
        ("purl", "pkg:maven/org.apache.tomcat/tomcat-catalina@8.5.93"),
        ("source", "manual"),
    ],
    &[
        ("system_id", "倉庫管理システム"),
        ("vendor", "Apache Software Foundation"),
        ("product", "Apache Log4j"),
        ("version", "2.17.1"),
        ("cpe", "cpe:2.3:a:apache:log4j:2.17.1:*:*:*:*:*:*:*"),
        (
            "purl",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
        ),
        ("source", "manual"),
    ],
    &[
        ("system_id", "倉庫管理システム"),
        ("vendor", "CentOS Project"),
        ("product", "CentOS Linux"),
        ("version", "7"),
        ("cpe", "cpe:2.3:o:centos:centos:7:*:*:*:*:*:*:*"),
        ("source", "manual"),
    ],
    // 社内メール
    &[
        ("system_id", "社内メール"),
        ("vendor", MAIL_VENDOR),
        ("product", "あおぞらクラウドメール"),
        ("source", "manual"),
        ("notes", "SaaSのため版数は提供者が管理。"),
    ],
];

const ASSETS: &[Row] = &[
    &[
        ("name", "顧客名簿"),
        (
            "description",
            "会員の氏名・住所・電話番号・メールアドレス・購入履歴（約3万件）。",
        ),
        ("owner_department_id", "通販事業部"),
        (
            "storage_place",
            "Webショップ（データベース）、受注管理システム",
        ),
        ("confidentiality", "3"),
        ("integrity", "3"),
        ("availability", "2"),
        ("personal_data", "1"),
    ],
    &[
        ("name", "受注データ"),
        ("description", "注文内容・配送先・入金状況。"),
        ("owner_department_id", "通販事業部"),
        ("storage_place", "受注管理システム"),
        ("confidentiality", "3"),
        ("integrity", "3"),
        ("availability", "3"),
        ("personal_data", "1"),
    ],
    &[
        ("name", "取引先契約書"),
        (
            "description",
            "仕入先・委託先との契約書（原本は書庫、写しはPDF）。",
        ),
        ("owner_department_id", "総務部"),
        ("storage_place", "社内ファイルサーバ、総務部書庫（紙）"),
        ("confidentiality", "2"),
        ("integrity", "2"),
        ("availability", "1"),
        ("personal_data", "0"),
    ],
    &[
        ("name", "従業員名簿"),
        ("description", "従業員の氏名・住所・連絡先・緊急連絡先。"),
        ("owner_department_id", "総務部"),
        ("storage_place", "社内ファイルサーバ（総務部フォルダ）"),
        ("confidentiality", "3"),
        ("integrity", "2"),
        ("availability", "1"),
        ("personal_data", "1"),
    ],
    &[
        ("name", "会計データ"),
        ("description", "仕訳・決算・支払データ（会計ソフト）。"),
        ("owner_department_id", "総務部"),
        (
            "storage_place",
            "経理担当の事務用PC（会計ソフト）、社内ファイルサーバ（バックアップ）",
        ),
        ("confidentiality", "3"),
        ("integrity", "3"),
        ("availability", "2"),
        ("personal_data", "0"),
    ],
    &[
        ("name", "商品マスタ"),
        ("description", "商品コード・商品名・価格・在庫引当情報。"),
        ("owner_department_id", "通販事業部"),
        ("storage_place", "Webショップ、倉庫管理システム"),
        ("confidentiality", "1"),
        ("integrity", "3"),
        ("availability", "3"),
        ("personal_data", "0"),
    ],
];

/// Real feed records the demo inventory matches (see demo/SOURCE.md).
const DEMO_FEEDS: &[(sonae_domain::vuln::Feed, &str, &[u8])] = &[
    (
        sonae_domain::vuln::Feed::Nvd,
        "nvd-demo.json.gz",
        include_bytes!("../demo/nvd-demo.json.gz"),
    ),
    (
        sonae_domain::vuln::Feed::Kev,
        "kev-demo.json",
        include_bytes!("../demo/kev-demo.json"),
    ),
    (
        sonae_domain::vuln::Feed::Epss,
        "epss-demo.csv",
        include_bytes!("../demo/epss-demo.csv"),
    ),
];

/// Load the demo's feed records, match, and take a few findings some way
/// through the handling workflow, so every page has something to show.
/// Runs once, on a database without vulnerabilities.
pub async fn load_findings(store: &Store, data: &std::path::Path) -> anyhow::Result<bool> {
    if !store.findings(&Actor::system(), None, 1).await?.is_empty() {
        return Ok(false);
    }
    let dir = data.join("feeds");
    std::fs::create_dir_all(&dir)?;
    for (feed, name, bytes) in DEMO_FEEDS {
        let path = dir.join(name);
        std::fs::write(&path, bytes)?;
        crate::import::import_file(store, *feed, &path).await?;
    }
    crate::matching::run(store).await?;
    walk_workflow(store).await?;
    Ok(true)
}

async fn actor_of(store: &Store, name: &str) -> anyhow::Result<Actor> {
    store
        .user_by_name(name)
        .await?
        .map(|u| u.actor())
        .ok_or_else(|| anyhow::anyhow!("demo user {name} is missing"))
}

async fn walk_workflow(store: &Store) -> anyhow::Result<()> {
    use sonae_domain::workflow::{Direction, Step, WorkPlan};
    let officer = actor_of(store, "security").await?;
    let mut open = store
        .findings_filtered(
            &Actor::system(),
            &sonae_store::FindingFilter {
                statuses: vec!["new".into()],
                by_due: true,
                limit: 50,
                ..sonae_store::FindingFilter::default()
            },
        )
        .await?;
    let now = store.clock().now_ms();
    let step = |id: i64, who: Actor, s: Step| async move {
        let v = store.finding(&Actor::system(), id).await?.version;
        store.finding_step(&who, id, v, s).await
    };
    // The most urgent: investigated, patch chosen, planned; the owner
    // department's agreement is what it waits for.
    if !open.is_empty() {
        let f = open.remove(0);
        step(
            f.id,
            officer.clone(),
            Step::Start {
                note: String::new(),
            },
        )
        .await?;
        step(
            f.id,
            officer.clone(),
            Step::Investigated {
                conditions: "公開サーバで該当バージョンが稼働しており、外部から到達できる。".into(),
            },
        )
        .await?;
        step(
            f.id,
            officer.clone(),
            Step::Direct {
                direction: Direction::Patch,
                impact: "夜間に30分の停止が必要。受注は翌朝に回す。".into(),
            },
        )
        .await?;
        step(
            f.id,
            officer.clone(),
            Step::Plan(WorkPlan {
                scheduled_ms: now + 2 * 86_400_000,
                downtime: "30分（22:00–22:30）".into(),
                test_environment: "virtual".into(),
                cost: "保守契約の範囲内".into(),
                people: "保守ベンダー、情報システム室".into(),
            }),
        )
        .await?;
    }
    // One being investigated.
    if !open.is_empty() {
        let f = open.remove(0);
        step(
            f.id,
            officer.clone(),
            Step::Start {
                note: "担当: 鈴木".into(),
            },
        )
        .await?;
    }
    // One the officer asks the executive to accept.
    if let Some(i) = open
        .iter()
        .position(|f| f.priority.as_deref() != Some("p1"))
    {
        let f = open.remove(i);
        step(
            f.id,
            officer.clone(),
            Step::Start {
                note: String::new(),
            },
        )
        .await?;
        step(
            f.id,
            officer.clone(),
            Step::Investigated {
                conditions: "社内ネットワークからのみ到達できる管理機能に限られる。".into(),
            },
        )
        .await?;
        step(
            f.id,
            officer.clone(),
            Step::RequestAcceptance {
                reason: "3か月後にシステム更改予定のため、それまでリスクを受け入れたい。".into(),
            },
        )
        .await?;
    }
    // One that does not apply.
    if let Some(f) = open.pop() {
        step(
            f.id,
            officer,
            Step::NotAffected {
                justification: "vulnerable_code_not_in_execute_path".into(),
                note: "該当機能は設定で無効にしている。".into(),
            },
        )
        .await?;
    }
    Ok(())
}

/// A running incident on the web shop, with its route, so the incident
/// pages have something to show. Runs once, on a database without incidents.
pub async fn load_incident(store: &Store) -> anyhow::Result<bool> {
    use sonae_store::{NewIncident, Route};
    let sys = Actor::system();
    if !store.incidents(&sys, false).await?.is_empty() {
        return Ok(false);
    }
    // The security contact the company publishes (RFC 9116), valid for a year.
    let expires = (store.clock().now() + chrono::Duration::days(300)).date_naive();
    store
        .set_intake_settings(
            &sys,
            &sonae_domain::intake::SecurityTxt {
                contacts: vec!["mailto:security@example.jp".into()],
                expires,
                preferred_languages: vec!["ja".into(), "en".into()],
                policy: None,
                acknowledgments: None,
                intake_enabled: true,
                ack_business_days: 2,
            },
        )
        .await?;
    let Some(shop) = id_by_title(store, Kind::System, "Webショップ").await? else {
        return Ok(false);
    };
    let person = |name: &'static str| async move { id_by_title(store, Kind::Person, name).await };
    let officer = actor_of(store, "security").await?;
    store
        .set_route(
            &officer,
            &Route {
                system_id: shop,
                stop_person_id: person("木村 茂").await?,
                stop_deputy_id: person("山田 太郎").await?,
                command_person_id: person("鈴木 一郎").await?,
                command_deputy_id: person("田中 花子").await?,
            },
        )
        .await?;
    let now = store.clock().now_ms();
    let id = store
        .create_incident(
            &actor_of(store, "owner").await?,
            &NewIncident {
                title: "Webショップ管理画面への不審なログイン".into(),
                category: "unauthorized_access".into(),
                level: 2,
                discovered_at_ms: now - 5 * 3_600_000,
                summary: "管理画面のログイン失敗が深夜に数千件あり、1件成功していた。委託先からの連絡で判明。".into(),
                personal_data: "unknown".into(),
                system_ids: vec![shop],
            },
        )
        .await?;
    let v = store.incident(&sys, id).await?.version;
    store
        .set_phase(&officer, id, v, sonae_domain::incident::Phase::Triage, "")
        .await?;
    store
        .add_log(
            &officer,
            id,
            "委託先（佐藤様）から電話。成功したログインの接続元は海外の IP アドレス。",
            None,
        )
        .await?;
    store
        .record_decision(
            &officer,
            id,
            "security",
            "管理画面を社内からの接続に限定し、全管理者のパスワードを変更する",
            "command",
            Some(shop),
            "対応ルート（対応の指揮）",
        )
        .await?;
    store
        .add_evidence(
            &officer,
            id,
            "管理画面のアクセスログ（11/24 分）",
            "委託先サーバ /var/log/eccube/",
            "佐藤 健一",
            None,
            None,
        )
        .await?;
    if let (Some(task), Some(vendor)) = (
        store.incident_tasks(&sys, id).await?.into_iter().nth(3),
        vendor_id(store, WEB_VENDOR).await?,
    ) {
        store
            .assign_task(
                &officer,
                id,
                task.id,
                None,
                Some(vendor),
                Some(now + 4 * 3_600_000),
            )
            .await?;
    }
    Ok(true)
}
