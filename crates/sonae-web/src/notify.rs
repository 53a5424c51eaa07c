//! Notification settings: each user's own preferences
//! (`/account/notifications`) and the administrator's webhooks and
//! department heads (`/admin/notifications`). Sending is the notifier's
//! (crate sonae-notify); these pages only keep what it reads.

use crate::ctx::{random_token, Ctx, PageResult};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use sonae_domain::access::{can_admin, Access};
use sonae_domain::notify::{Delivery, EventKind, Prefs};
use sonae_domain::{FieldError, Kind};
use std::collections::HashMap;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "notify_account.html")]
struct AccountNotifyPage {
    l: crate::ctx::Layout,
    intro: String,
    email_label: String,
    email: String,
    email_error: Option<String>,
    events_label: String,
    events: Vec<Choice>,
    events_error: Option<String>,
    delivery_label: String,
    deliveries: Vec<Choice>,
    lang_label: String,
    langs: Vec<Choice>,
    save_label: String,
    form_error: Option<String>,
}

fn event_choices(ctx: &Ctx, list: &[EventKind], selected: &[EventKind]) -> Vec<Choice> {
    list.iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: ctx.t(&format!("notify-event-{}", k.as_str().replace('_', "-"))),
            checked: selected.contains(k),
        })
        .collect()
}

fn account_form(
    ctx: &Ctx,
    p: &Prefs,
    email_raw: &str,
    errors: &[FieldError],
    flash: Option<String>,
) -> PageResult {
    let err = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| ctx.t(e.kind.message_key()))
    };
    let mut l = ctx.layout(ctx.t("notify-account-title"));
    l.flash = flash;
    let page = AccountNotifyPage {
        l,
        intro: ctx.t("notify-account-intro"),
        email_label: ctx.t("notify-field-email"),
        email: email_raw.to_owned(),
        email_error: err("email"),
        events_label: ctx.t("notify-field-events"),
        events: event_choices(ctx, &EventKind::SUBSCRIBABLE, &p.events),
        events_error: err("events"),
        delivery_label: ctx.t("notify-field-delivery"),
        deliveries: [Delivery::Immediate, Delivery::Digest]
            .iter()
            .map(|d| Choice {
                value: d.as_str().to_owned(),
                label: ctx.t(&format!("notify-delivery-{}", d.as_str())),
                checked: *d == p.delivery,
            })
            .collect(),
        lang_label: ctx.t("notify-field-lang"),
        langs: [("ja", "日本語"), ("en", "English")]
            .iter()
            .map(|(v, label)| Choice {
                value: (*v).to_owned(),
                label: (*label).to_owned(),
                checked: p.lang == *v,
            })
            .collect(),
        save_label: ctx.t("action-save"),
        form_error: (!errors.is_empty()).then(|| ctx.t("notify-form-has-errors")),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.render_status(status, &page)
}

pub async fn account_page(ctx: Ctx) -> PageResult {
    ctx.require_actor()?;
    let Some(user) = ctx.user.clone() else {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    };
    let p = ctx
        .st
        .store
        .notification_prefs(&user)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let email = p.email.clone().unwrap_or_default();
    account_form(&ctx, &p, &email, &[], None)
}

/// Form fields arrive as pairs so that repeated `events` keep all values.
pub async fn account_save(
    ctx: Ctx,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    ctx.check_csrf(&get("csrf"))?;
    let Some(user) = ctx.user.clone() else {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    };
    let events: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "events")
        .map(|(_, v)| v.clone())
        .collect();
    let email = get("email");
    match Prefs::parse_form(&email, &events, &get("delivery"), &get("lang")) {
        Ok(p) => {
            ctx.st
                .store
                .set_notification_prefs(&actor, user.id, &p)
                .await
                .map_err(|e| ctx.store_error(e))?;
            account_form(&ctx, &p, &email, &[], Some(ctx.t("flash-saved")))
        }
        Err(errors) => {
            // Re-show what was typed, nothing lost.
            let shown = Prefs {
                email: None,
                events: events.iter().filter_map(|e| EventKind::parse(e)).collect(),
                delivery: Delivery::parse(&get("delivery")).unwrap_or(Delivery::Immediate),
                lang: get("lang"),
            };
            account_form(&ctx, &shown, &email, &errors, None)
        }
    }
}

pub struct HookRow {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub events: String,
    pub enabled: bool,
    pub state: String,
}

pub struct HeadRow {
    pub department_id: i64,
    pub department: String,
    /// Every person, the current head marked.
    pub options: Vec<Choice>,
}

pub struct LogRow {
    pub at: String,
    pub kind: String,
    pub subject: String,
    pub recipient: String,
    pub status: String,
    pub attempts: i64,
    pub error: String,
}

#[derive(Template)]
#[template(path = "notify_admin.html")]
struct AdminNotifyPage {
    l: crate::ctx::Layout,
    new_secret: Option<String>,
    secret_once: String,
    http_warning: Option<String>,
    hooks_heading: String,
    hook_columns: Vec<String>,
    hooks: Vec<HookRow>,
    toggle_on: String,
    toggle_off: String,
    delete_label: String,
    add_heading: String,
    name_label: String,
    url_label: String,
    url_hint: String,
    events_label: String,
    events: Vec<Choice>,
    add_label: String,
    form: HashMap<&'static str, String>,
    errors: HashMap<&'static str, String>,
    heads_heading: String,
    heads_intro: String,
    heads: Vec<HeadRow>,
    none_label: String,
    save_label: String,
    log_heading: String,
    log_columns: Vec<String>,
    log: Vec<LogRow>,
}

struct AdminView {
    new_secret: Option<String>,
    http_warning: bool,
    form: HashMap<&'static str, String>,
    errors: HashMap<&'static str, String>,
    selected: Vec<EventKind>,
    flash: Option<String>,
}

impl Default for AdminView {
    fn default() -> Self {
        AdminView {
            new_secret: None,
            http_warning: false,
            form: HashMap::new(),
            errors: HashMap::new(),
            selected: EventKind::ALL.to_vec(),
            flash: None,
        }
    }
}

async fn admin_render(ctx: &Ctx, v: AdminView) -> PageResult {
    let actor = ctx.require_actor()?;
    if !can_admin(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let store = &ctx.st.store;
    let hooks = store
        .webhooks(&actor)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let heads = store
        .department_heads()
        .await
        .map_err(|e| ctx.store_error(e))?;
    let people = store
        .titles(&actor, Kind::Person, Access::Read)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let log = store
        .notification_log(&actor, 50)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let mut l = ctx.layout(ctx.t("notify-admin-title"));
    l.flash = v.flash;
    let event_label =
        |k: &EventKind| ctx.t(&format!("notify-event-{}", k.as_str().replace('_', "-")));
    let page = AdminNotifyPage {
        l,
        new_secret: v.new_secret,
        secret_once: ctx.t("notify-secret-once"),
        http_warning: v.http_warning.then(|| ctx.t("notify-warn-http")),
        hooks_heading: ctx.t("notify-webhooks"),
        hook_columns: vec![
            ctx.t("notify-field-name"),
            ctx.t("notify-field-url"),
            ctx.t("notify-field-events"),
            ctx.t("notify-field-state"),
        ],
        hooks: hooks
            .iter()
            .map(|h| HookRow {
                id: h.id,
                name: h.name.clone(),
                url: sonae_store::redact_url(&h.url),
                events: h
                    .events
                    .iter()
                    .map(event_label)
                    .collect::<Vec<_>>()
                    .join(", "),
                enabled: h.enabled,
                state: ctx.t(if h.enabled {
                    "notify-state-enabled"
                } else {
                    "notify-state-disabled"
                }),
            })
            .collect(),
        toggle_on: ctx.t("notify-action-enable"),
        toggle_off: ctx.t("notify-action-disable"),
        delete_label: ctx.t("action-delete"),
        add_heading: ctx.t("notify-webhook-add"),
        name_label: ctx.t("notify-field-name"),
        url_label: ctx.t("notify-field-url"),
        url_hint: ctx.t("notify-url-hint"),
        events_label: ctx.t("notify-field-events"),
        events: event_choices(ctx, &EventKind::ALL, &v.selected),
        add_label: ctx.t("notify-action-add-webhook"),
        form: v.form,
        errors: v.errors.clone(),
        heads_heading: ctx.t("notify-heads"),
        heads_intro: ctx.t("notify-heads-intro"),
        heads: heads
            .iter()
            .map(|h| HeadRow {
                department_id: h.department_id,
                department: h.department_name.clone(),
                options: people
                    .iter()
                    .map(|(id, name)| Choice {
                        value: id.to_string(),
                        label: name.clone(),
                        checked: h.person_id == Some(*id),
                    })
                    .collect(),
            })
            .collect(),
        none_label: ctx.t("notify-head-none"),
        save_label: ctx.t("action-save"),
        log_heading: ctx.t("notify-log"),
        log_columns: vec![
            ctx.t("notify-log-at"),
            ctx.t("notify-field-events"),
            ctx.t("notify-log-subject"),
            ctx.t("notify-log-recipient"),
            ctx.t("notify-field-state"),
            ctx.t("notify-log-attempts"),
            ctx.t("notify-log-error"),
        ],
        log: log
            .iter()
            .map(|e| LogRow {
                at: ctx.datetime(e.updated_at_ms),
                kind: EventKind::parse(&e.kind)
                    .map(|k| event_label(&k))
                    .unwrap_or_else(|| ctx.t("notify-digest")),
                subject: e.subject.clone(),
                recipient: e.recipient.clone(),
                status: ctx.t(&format!("notify-status-{}", e.status.replace('_', "-"))),
                attempts: e.attempts,
                error: e.last_error.clone().unwrap_or_default(),
            })
            .collect(),
    };
    let status = if v.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.render_status(status, &page)
}

pub async fn admin_page(ctx: Ctx) -> PageResult {
    admin_render(&ctx, AdminView::default()).await
}

/// Whether a webhook URL is usable: http(s) with a host, not too long.
/// Plain http is allowed (a receiver on the same network) but warned about.
fn check_url(raw: &str) -> Result<bool, &'static str> {
    let u = url::Url::parse(raw).map_err(|_| "notify-err-url")?;
    if raw.len() > 2000 || u.host_str().is_none_or(str::is_empty) {
        return Err("notify-err-url");
    }
    match u.scheme() {
        "https" => Ok(false),
        "http" => Ok(true),
        _ => Err("notify-err-url"),
    }
}

pub async fn webhook_create(
    ctx: Ctx,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    ctx.check_csrf(&get("csrf"))?;
    if !can_admin(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let name = get("name");
    let url = get("url");
    let mut errors = HashMap::new();
    if name.is_empty() || name.chars().count() > 100 {
        errors.insert("name", ctx.t("err-required"));
    }
    let http = match check_url(&url) {
        Ok(h) => h,
        Err(k) => {
            errors.insert("url", ctx.t(k));
            false
        }
    };
    let mut selected = Vec::new();
    for (n, v) in &pairs {
        if n == "events" {
            match EventKind::parse(v) {
                Some(k) => selected.push(k),
                None => {
                    errors.insert("events", ctx.t("err-not-in-list"));
                }
            }
        }
    }
    selected.sort();
    selected.dedup();
    if selected.is_empty() {
        errors
            .entry("events")
            .or_insert_with(|| ctx.t("err-required"));
    }
    let form = HashMap::from([("name", name.clone()), ("url", url.clone())]);
    if !errors.is_empty() {
        return admin_render(
            &ctx,
            AdminView {
                form,
                errors,
                selected,
                ..AdminView::default()
            },
        )
        .await;
    }
    let secret = random_token();
    ctx.st
        .store
        .create_webhook(&actor, &name, &url, &selected, &secret)
        .await
        .map_err(|e| ctx.store_error(e))?;
    admin_render(
        &ctx,
        AdminView {
            new_secret: Some(secret),
            http_warning: http,
            flash: Some(ctx.t("flash-saved")),
            ..AdminView::default()
        },
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn webhook_toggle(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let enable = f.get("enabled").is_some_and(|v| v == "1");
    ctx.st
        .store
        .set_webhook_enabled(&actor, id, enable)
        .await
        .map_err(|e| ctx.store_error(e))?;
    Ok(Redirect::to("/admin/notifications").into_response())
}

pub async fn webhook_delete(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Form(f): axum::extract::Form<CsrfForm>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(&f.csrf)?;
    ctx.st
        .store
        .delete_webhook(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    Ok(Redirect::to("/admin/notifications").into_response())
}

/// Department heads: one select per department, `head-{department id}`.
pub async fn heads_save(
    ctx: Ctx,
    axum::extract::Form(f): axum::extract::Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    if !can_admin(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let current = ctx
        .st
        .store
        .department_heads()
        .await
        .map_err(|e| ctx.store_error(e))?;
    let mut errors = HashMap::new();
    for h in current {
        let Some(raw) = f.get(&format!("head-{}", h.department_id)) else {
            continue;
        };
        let want = if raw.is_empty() {
            None
        } else {
            match raw.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    errors.insert("heads", ctx.t("err-unknown-reference"));
                    continue;
                }
            }
        };
        if want == h.person_id {
            continue;
        }
        match ctx
            .st
            .store
            .set_department_head(&actor, h.department_id, want)
            .await
        {
            Ok(()) => {}
            Err(sonae_store::StoreError::Invalid(_)) => {
                errors.insert("heads", ctx.t("err-unknown-reference"));
            }
            Err(e) => return Err(ctx.store_error(e)),
        }
    }
    let flash = errors.is_empty().then(|| ctx.t("flash-saved"));
    admin_render(
        &ctx,
        AdminView {
            errors,
            flash,
            ..AdminView::default()
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{I18n, Lang};

    #[test]
    fn keys_built_at_run_time_exist_in_both_languages() {
        let i = I18n::load().unwrap();
        for lang in [Lang::Ja, Lang::En] {
            for k in EventKind::ALL {
                let key = format!("notify-event-{}", k.as_str().replace('_', "-"));
                assert!(i.has(lang, &key), "{lang:?} lacks {key}");
            }
            for d in [Delivery::Immediate, Delivery::Digest] {
                assert!(i.has(lang, &format!("notify-delivery-{}", d.as_str())));
            }
            for s in ["sending", "sent", "failed", "gave-up", "empty"] {
                assert!(i.has(lang, &format!("notify-status-{s}")), "{s}");
            }
        }
    }

    #[test]
    fn webhook_urls_must_be_http_with_a_host() {
        assert_eq!(
            check_url("https://hooks.slack.com/services/T/B/X"),
            Ok(false)
        );
        assert_eq!(check_url("http://127.0.0.1:9000/hook"), Ok(true));
        assert!(check_url("ftp://example.jp/x").is_err());
        assert!(check_url("javascript:alert(1)").is_err());
        assert!(check_url("not a url").is_err());
    }
}
