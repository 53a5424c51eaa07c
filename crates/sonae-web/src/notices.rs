//! Public notices (risk communication, DESIGN §5): the public list, each
//! notice with its updates, the Atom feed and the embeddable banner — all
//! without sign-in — and the staff pages to draft, publish, update and
//! withdraw them.

use crate::ctx::{Ctx, Layout, PageResult};
use crate::i18n::key;
use crate::inventory::Opt;
use crate::Lang;
use askama::Template;
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use sonae_domain::notice::{self, NoticeStatus, NoticeText};
use sonae_domain::FieldError;
use sonae_store::{Notice, StoreError};
use std::collections::HashMap;

/// Marks a response that other sites may put in a frame (the banner); the
/// security-headers layer then allows framing for it alone.
#[derive(Clone, Copy, Debug)]
pub struct Frameable;

const CSS: &str = include_str!("../static/notices.css");

pub fn routes() -> Router<crate::AppState> {
    Router::new()
        .route("/notices", get(public_list))
        .route("/notices.atom", get(atom))
        .route("/notices/banner", get(banner))
        .route("/notices/{id}", get(public_one))
        .route("/static/notices.css", get(css))
        .route("/admin/notices", get(admin_list).post(admin_create))
        .route("/admin/notices/{id}", get(admin_one))
        .route(
            "/admin/notices/{id}/{action}",
            axum::routing::post(admin_act),
        )
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

fn labels(ctx: &Ctx, keys: &[&'static str]) -> HashMap<&'static str, String> {
    keys.iter().map(|k| (*k, ctx.t(k))).collect()
}

// ---- public pages ---------------------------------------------------------------

pub struct UpdateView {
    pub at: String,
    pub at_iso: String,
    pub body: String,
}

pub struct NoticeView {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub published: String,
    pub withdrawn: Option<String>,
    pub last_changed: String,
    pub updates: Vec<UpdateView>,
    /// The text shown is Japanese although English was asked for.
    pub fallback: bool,
}

fn iso(ms: i64) -> String {
    use chrono::TimeZone;
    chrono::Utc
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn view(ctx: &Ctx, n: &Notice) -> NoticeView {
    let en = ctx.tr.lang == Lang::En;
    let (title, body) = n.text.localized(en);
    NoticeView {
        id: n.id,
        title: title.to_owned(),
        body: body.to_owned(),
        published: n
            .published_at_ms
            .map(|t| ctx.datetime(t))
            .unwrap_or_default(),
        withdrawn: n
            .withdrawn_at_ms
            .map(|t| ctx.ta("ntc-withdrawn-at", &[("when", ctx.datetime(t))])),
        last_changed: ctx.datetime(n.last_changed_ms()),
        updates: n
            .updates
            .iter()
            .map(|u| UpdateView {
                at: ctx.datetime(u.at_ms),
                at_iso: iso(u.at_ms),
                body: if en && !u.body_en.is_empty() {
                    u.body_en.clone()
                } else {
                    u.body_ja.clone()
                },
            })
            .collect(),
        fallback: en && n.text.title_en.is_empty(),
    }
}

const PUBLIC_LABELS: &[&str] = &[
    "ntc-public-intro",
    "ntc-public-empty",
    "ntc-published",
    "ntc-last-changed",
    "ntc-updates",
    "ntc-withdrawn",
    "ntc-withdrawn-note",
    "ntc-feed",
    "ntc-all",
    "ntc-ja-only",
];

#[derive(Template)]
#[template(path = "notices_public.html")]
struct PublicList {
    l: Layout,
    t: HashMap<&'static str, String>,
    current: Vec<NoticeView>,
    archive: Vec<NoticeView>,
}

/// `GET /notices`: current notices, then the withdrawn ones (archive).
pub async fn public_list(ctx: Ctx) -> PageResult {
    let all = ctx
        .st
        .store
        .public_notices()
        .await
        .map_err(|e| ctx.store_error(e))?;
    let (current, archive): (Vec<&Notice>, Vec<&Notice>) = all
        .iter()
        .partition(|n| n.status == NoticeStatus::Published);
    let tpl = PublicList {
        l: ctx.layout(ctx.t("ntc-public-title")),
        t: labels(&ctx, PUBLIC_LABELS),
        current: current.into_iter().map(|n| view(&ctx, n)).collect(),
        archive: archive.into_iter().map(|n| view(&ctx, n)).collect(),
    };
    ctx.render(&tpl)
}

#[derive(Template)]
#[template(path = "notice_public.html")]
struct PublicOne {
    l: Layout,
    t: HashMap<&'static str, String>,
    n: NoticeView,
}

/// `GET /notices/{id}`: one notice with its updates, newest first; a
/// withdrawn one stays here, marked.
pub async fn public_one(ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Err(ctx.error(StatusCode::NOT_FOUND, "error-not-found"));
    };
    let n = ctx
        .st
        .store
        .public_notice(id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let v = view(&ctx, &n);
    let tpl = PublicOne {
        l: ctx.layout(v.title.clone()),
        t: labels(&ctx, PUBLIC_LABELS),
        n: v,
    };
    ctx.render(&tpl)
}

pub struct AtomEntry {
    pub id: String,
    pub href: String,
    pub title: String,
    pub published: String,
    pub updated: String,
    pub content: String,
}

#[derive(Template)]
#[template(path = "notices_atom.xml")]
struct AtomFeed {
    lang: &'static str,
    id: String,
    self_href: String,
    alt_href: String,
    title: String,
    author: String,
    updated: String,
    entries: Vec<AtomEntry>,
}

/// `GET /notices.atom`: Atom 1.0 (RFC 4287), one entry per public notice;
/// its content carries the updates, newest first, and its `updated` moves
/// with each update so feed readers show it again.
pub async fn atom(ctx: Ctx) -> PageResult {
    let all = ctx
        .st
        .store
        .public_notices()
        .await
        .map_err(|e| ctx.store_error(e))?;
    let base = ctx.st.config.base_url.trim_end_matches('/').to_owned();
    let en = ctx.tr.lang == Lang::En;
    let entries: Vec<AtomEntry> = all
        .iter()
        .map(|n| {
            let v = view(&ctx, n);
            let mut content = Vec::new();
            if let Some(w) = &v.withdrawn {
                content.push(format!("[{}] {w}", ctx.t("ntc-withdrawn")));
            }
            for u in &v.updates {
                content.push(format!("[{} {}] {}", ctx.t("ntc-update"), u.at, u.body));
            }
            content.push(v.body.clone());
            let title = if n.status == NoticeStatus::Withdrawn {
                format!("[{}] {}", ctx.t("ntc-withdrawn"), v.title)
            } else {
                v.title.clone()
            };
            AtomEntry {
                id: format!("{base}/notices/{}", n.id),
                href: format!("{base}/notices/{}", n.id),
                title,
                published: iso(n.published_at_ms.unwrap_or(n.created_at_ms)),
                updated: iso(n.last_changed_ms()),
                content: content.join("\n\n"),
            }
        })
        .collect();
    let updated = all.iter().map(Notice::last_changed_ms).max().unwrap_or(0);
    let feed = AtomFeed {
        lang: if en { "en" } else { "ja" },
        id: format!("{base}/notices"),
        self_href: format!("{base}/notices.atom"),
        alt_href: format!("{base}/notices"),
        title: ctx.t("ntc-public-title"),
        author: ctx.t("app-name"),
        updated: iso(updated),
        entries,
    };
    match feed.render() {
        Ok(xml) => Ok((
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            xml,
        )
            .into_response()),
        Err(e) => {
            tracing::error!(error = %e, "atom template");
            Err(ctx.error(StatusCode::INTERNAL_SERVER_ERROR, "error-internal"))
        }
    }
}

#[derive(Template)]
#[template(path = "notice_banner.html")]
struct Banner {
    lang: &'static str,
    t: HashMap<&'static str, String>,
    latest: Option<NoticeView>,
    count: usize,
}

/// `GET /notices/banner`: a small page an organization puts in an iframe
/// on its own site; one click opens the public list.
pub async fn banner(ctx: Ctx) -> PageResult {
    let all = ctx
        .st
        .store
        .public_notices()
        .await
        .map_err(|e| ctx.store_error(e))?;
    let current: Vec<&Notice> = all
        .iter()
        .filter(|n| n.status == NoticeStatus::Published)
        .collect();
    let tpl = Banner {
        lang: ctx.tr.lang.code(),
        t: labels(
            &ctx,
            &["ntc-banner-none", "ntc-banner-count", "ntc-public-title"],
        ),
        latest: current.first().map(|n| view(&ctx, n)),
        count: current.len(),
    };
    let mut res = ctx.render(&tpl)?;
    res.extensions_mut().insert(Frameable);
    Ok(res)
}

// ---- staff pages ------------------------------------------------------------------

pub struct StaffRow {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub status_code: &'static str,
    pub changed: String,
    pub incident: Option<String>,
}

const STAFF_LABELS: &[&str] = &[
    "ntc-admin-intro",
    "ntc-col-title",
    "ntc-col-status",
    "ntc-col-changed",
    "ntc-col-incident",
    "ntc-admin-empty",
    "ntc-new",
    "ntc-field-title-ja",
    "ntc-field-body-ja",
    "ntc-field-title-en",
    "ntc-field-body-en",
    "ntc-field-incident-id",
    "ntc-save-draft",
    "ntc-public-link",
    "ntc-feed",
    "ntc-banner-link",
    "ntc-banner-embed",
    "ntc-publish",
    "ntc-publish-note",
    "ntc-add-update",
    "ntc-withdraw",
    "ntc-withdraw-note",
    "ntc-updates",
    "ntc-approver-only",
    "ntc-none",
];

#[derive(Template)]
#[template(path = "notices_admin.html")]
struct AdminList {
    l: Layout,
    t: HashMap<&'static str, String>,
    error: Option<String>,
    rows: Vec<StaffRow>,
    may_draft: bool,
    incidents: Vec<Opt>,
    form: NoticeText,
    base_url: String,
}

fn errors_text(ctx: &Ctx, errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| {
            let max = match e.kind {
                sonae_domain::FieldErrorKind::TooLong { max } => max.to_string(),
                _ => String::new(),
            };
            format!(
                "{}: {}",
                ctx.t(&key("ntc-field-", e.field)),
                ctx.ta(
                    e.kind.message_key(),
                    &[("max", max), ("min", String::new())]
                )
            )
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

fn status_label(ctx: &Ctx, s: NoticeStatus) -> String {
    ctx.t(&key("ntc-status-", s.as_str()))
}

async fn incident_opts(
    ctx: &Ctx,
    selected: Option<i64>,
) -> Result<Vec<Opt>, crate::ctx::PageError> {
    let actor = ctx.require_actor()?;
    let list = ctx
        .st
        .store
        .incidents(&actor, false)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let mut out = vec![Opt {
        value: String::new(),
        label: ctx.t("ntc-none"),
        selected: selected.is_none(),
    }];
    out.extend(list.into_iter().map(|i| Opt {
        value: i.id.to_string(),
        label: format!("{} {}", i.reference, i.title),
        selected: selected == Some(i.id),
    }));
    Ok(out)
}

async fn admin_page(ctx: &Ctx, error: Option<String>, form: NoticeText) -> PageResult {
    let actor = ctx.require_actor()?;
    let list = ctx
        .st
        .store
        .staff_notices(&actor)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let rows = list
        .iter()
        .map(|n| StaffRow {
            id: n.id,
            title: n.text.title_ja.clone(),
            status: status_label(ctx, n.status),
            status_code: n.status.as_str(),
            changed: ctx.datetime(n.last_changed_ms().max(n.updated_at_ms)),
            incident: n.incident_id.map(|i| format!("/incidents/{i}")),
        })
        .collect();
    let tpl = AdminList {
        l: ctx.layout(ctx.t("ntc-admin-title")),
        t: labels(ctx, STAFF_LABELS),
        error,
        rows,
        may_draft: notice::may_draft(actor.role),
        incidents: incident_opts(ctx, None).await?,
        form,
        base_url: ctx.st.config.base_url.trim_end_matches('/').to_owned(),
    };
    ctx.render_status(
        if tpl.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &tpl,
    )
}

/// `GET /admin/notices`.
pub async fn admin_list(ctx: Ctx) -> PageResult {
    admin_page(&ctx, None, NoticeText::default()).await
}

fn form_text(form: &HashMap<String, String>) -> NoticeText {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    NoticeText {
        title_ja: get("title_ja"),
        body_ja: get("body_ja"),
        title_en: get("title_en"),
        body_en: get("body_en"),
    }
}

fn form_incident(form: &HashMap<String, String>) -> Option<i64> {
    form.get("incident_id").and_then(|s| s.trim().parse().ok())
}

/// `POST /admin/notices`: a new draft. Bad input comes back with what was
/// typed, and the error names the field.
pub async fn admin_create(ctx: Ctx, Form(form): Form<HashMap<String, String>>) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let text = form_text(&form);
    match ctx
        .st
        .store
        .create_notice(&actor, form_incident(&form), text.clone())
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/admin/notices/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => admin_page(&ctx, Some(errors_text(&ctx, &e)), text).await,
        Err(e) => Err(ctx.store_error(e)),
    }
}

#[derive(Template)]
#[template(path = "notice_admin.html")]
struct AdminOne {
    l: Layout,
    t: HashMap<&'static str, String>,
    error: Option<String>,
    id: i64,
    version: i64,
    status: String,
    status_code: &'static str,
    history: Vec<String>,
    form: NoticeText,
    incidents: Vec<Opt>,
    may_edit: bool,
    may_approve: bool,
    updates: Vec<UpdateView>,
    update_ja: String,
    update_en: String,
}

async fn admin_one_page(
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
    typed: Option<(NoticeText, String, String)>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let n = ctx
        .st
        .store
        .staff_notice(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let mut history = vec![ctx.ta(
        "ntc-history-created",
        &[
            ("who", n.created_by.clone()),
            ("when", ctx.datetime(n.created_at_ms)),
        ],
    )];
    if let (Some(at), Some(by)) = (n.published_at_ms, &n.published_by) {
        history.push(ctx.ta(
            "ntc-history-published",
            &[("who", by.clone()), ("when", ctx.datetime(at))],
        ));
    }
    if let (Some(at), Some(by)) = (n.withdrawn_at_ms, &n.withdrawn_by) {
        history.push(ctx.ta(
            "ntc-history-withdrawn",
            &[("who", by.clone()), ("when", ctx.datetime(at))],
        ));
    }
    let (form, update_ja, update_en) =
        typed.unwrap_or_else(|| (n.text.clone(), String::new(), String::new()));
    let updates = n
        .updates
        .iter()
        .map(|u| UpdateView {
            at: ctx.ta(
                "ntc-update-by",
                &[
                    ("when", ctx.datetime(u.at_ms)),
                    ("who", u.approved_by.clone()),
                ],
            ),
            at_iso: iso(u.at_ms),
            body: if u.body_en.is_empty() {
                u.body_ja.clone()
            } else {
                format!("{}\n—\n{}", u.body_ja, u.body_en)
            },
        })
        .collect();
    let tpl = AdminOne {
        l: ctx.layout(format!(
            "{} — {}",
            ctx.t("ntc-admin-title"),
            n.text.title_ja
        )),
        t: labels(ctx, STAFF_LABELS),
        error,
        id,
        version: n.version,
        status: status_label(ctx, n.status),
        status_code: n.status.as_str(),
        history,
        form,
        incidents: incident_opts(ctx, n.incident_id).await?,
        may_edit: notice::check_step(actor.role, n.status, notice::NoticeStep::Edit).is_ok(),
        may_approve: notice::may_approve(actor.role),
        updates,
        update_ja,
        update_en,
    };
    ctx.render_status(
        if tpl.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &tpl,
    )
}

/// `GET /admin/notices/{id}`.
pub async fn admin_one(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    admin_one_page(&ctx, id, None, None).await
}

/// `POST /admin/notices/{id}/{edit|publish|update|withdraw}`.
pub async fn admin_act(
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let version = get("row_version").trim().parse::<i64>().unwrap_or(0);
    let store = &ctx.st.store;
    let (result, typed) = match action.as_str() {
        "edit" => {
            let text = form_text(&form);
            (
                store
                    .edit_notice(&actor, id, version, form_incident(&form), text.clone())
                    .await,
                Some((text, String::new(), String::new())),
            )
        }
        "publish" => (store.publish_notice(&actor, id, version).await, None),
        "withdraw" => (store.withdraw_notice(&actor, id, version).await, None),
        "update" => {
            let r = store
                .add_notice_update(&actor, id, &get("update_ja"), &get("update_en"))
                .await
                .map(|_| ());
            let typed = r.is_err().then(|| {
                let n = NoticeText::default();
                (n, get("update_ja"), get("update_en"))
            });
            (r, typed)
        }
        _ => (Err(StoreError::NotFound), None),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/notices/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let typed = match typed {
                // An update's bad input keeps the notice's own text.
                Some((t, ja, en)) if t == NoticeText::default() => {
                    let n = store
                        .staff_notice(&actor, id)
                        .await
                        .map_err(|e| ctx.store_error(e))?;
                    Some((n.text, ja, en))
                }
                other => other,
            };
            admin_one_page(&ctx, id, Some(errors_text(&ctx, &e)), typed).await
        }
        Err(StoreError::Conflict(c)) => {
            let msg = if c == "status" {
                ctx.t("ntc-error-status")
            } else {
                ctx.t("error-user-stale")
            };
            admin_one_page(&ctx, id, Some(msg), None).await
        }
        Err(StoreError::Forbidden) => Err(ctx.error(StatusCode::FORBIDDEN, "ntc-error-approver")),
        Err(e) => Err(ctx.store_error(e)),
    }
}
