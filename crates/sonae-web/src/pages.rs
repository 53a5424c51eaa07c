//! Pages outside the inventory: home, language, account and API tokens,
//! user administration, the audit log.

use crate::auth::{
    hash_password, new_api_token, password_problem, valid_username, verify_password, CsrfOnly,
};
use crate::ctx::{cookie, set_cookie, sha256_hex, Ctx, Layout, PageResult, LANG_COOKIE};
use crate::i18n::Lang;
use crate::inventory::{Cell, Opt, Row};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use serde::Deserialize;
use sonae_domain::access::{can_admin, can_read_audit, scope, Access};
use sonae_domain::{Kind, Role, Scope};
use sonae_store::NewUser;
use std::collections::HashMap;

/// Sources scanned by the catalog test for message keys.
pub const SOURCES: &[&str] = &[
    include_str!("auth.rs"),
    include_str!("ctx.rs"),
    include_str!("csvio.rs"),
    include_str!("inventory.rs"),
    include_str!("pages.rs"),
    include_str!("api.rs"),
    include_str!("vulns.rs"),
    include_str!("findings.rs"),
    include_str!("queue.rs"),
    include_str!("incidents.rs"),
    include_str!("actions.rs"),
    include_str!("aliases.rs"),
    include_str!("assessment.rs"),
    include_str!("continuity.rs"),
    include_str!("intake.rs"),
    include_str!("reports.rs"),
    include_str!("notify.rs"),
    include_str!("statement.rs"),
    include_str!("notices.rs"),
    include_str!("review.rs"),
];

pub struct Tile {
    pub href: String,
    pub label: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    intro: String,
    tiles: Vec<Tile>,
    role_line: String,
}

pub async fn home(ctx: Ctx) -> PageResult {
    if ctx.user.is_none()
        && ctx
            .st
            .store
            .user_count()
            .await
            .map_err(|e| ctx.store_error(e))?
            == 0
    {
        return Ok(Redirect::to("/setup").into_response());
    }
    let actor = ctx.require_actor()?;
    let mut tiles = Vec::new();
    for kind in Kind::ALL {
        if scope(&actor, kind, Access::Read) == Scope::Nothing {
            continue;
        }
        let page = ctx
            .st
            .store
            .list(
                &actor,
                kind,
                &sonae_store::ListQuery {
                    limit: 1,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| ctx.store_error(e))?;
        tiles.push(Tile {
            href: format!("/inventory/{}", kind.slug()),
            label: ctx.tr.kind(kind),
            count: page.total,
        });
    }
    // What needs doing now: open findings past their due date, open incidents.
    if scope(&actor, Kind::System, Access::Read) != Scope::Nothing {
        let now = ctx.st.store.clock().now_ms();
        let overdue = ctx
            .st
            .store
            .count_findings(
                &actor,
                &sonae_store::FindingFilter {
                    statuses: sonae_store::open_statuses(),
                    due_before_ms: Some(now),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| ctx.store_error(e))?;
        tiles.insert(
            0,
            Tile {
                href: "/findings?overdue=1".to_owned(),
                label: ctx.t("home-overdue-findings"),
                count: overdue,
            },
        );
    }
    let open_incidents = ctx
        .st
        .store
        .incidents(&actor, true)
        .await
        .map_err(|e| ctx.store_error(e))?
        .len() as i64;
    tiles.insert(
        0,
        Tile {
            href: "/incidents".to_owned(),
            label: ctx.t("home-open-incidents"),
            count: open_incidents,
        },
    );
    if sonae_domain::intake::may_read(actor.role) {
        tiles.push(Tile {
            href: "/reports?status=received".to_owned(),
            label: ctx.t("reports-awaiting-ack"),
            count: ctx
                .st
                .store
                .reports_awaiting_ack(&actor)
                .await
                .map_err(|e| ctx.store_error(e))?,
        });
    }
    let page = HomePage {
        l: ctx.layout(ctx.t("home-title")),
        intro: ctx.t("home-intro"),
        tiles,
        role_line: ctx.ta("home-role", &[("role", ctx.tr.role(actor.role))]),
    };
    ctx.render(&page)
}

#[derive(Deserialize)]
pub struct LangForm {
    csrf: String,
    lang: String,
    next: Option<String>,
}

/// Switch language: saved on the account when signed in, else in a cookie.
pub async fn set_lang(ctx: Ctx, Form(f): Form<LangForm>) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let lang = Lang::parse(&f.lang)
        .ok_or_else(|| ctx.error(StatusCode::BAD_REQUEST, "error-bad-request"))?;
    if let (Some(user), Some(actor)) = (&ctx.user, ctx.actor()) {
        ctx.st
            .store
            .set_user_lang(&actor, user.id, Some(lang.code().to_owned()))
            .await
            .map_err(|e| ctx.store_error(e))?;
    }
    let next = match f.next.as_deref() {
        Some(n) if n.starts_with('/') && !n.starts_with("//") => n.to_owned(),
        _ => "/".to_owned(),
    };
    let mut res = Redirect::to(&next).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.code(),
            60 * 60 * 24 * 365,
            ctx.st.config.secure_cookies,
        ),
    );
    Ok(res)
}

pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub state: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    notify_link: String,
    new_token: Option<String>,
    token_once: String,
    password_heading: String,
    password_error: Option<String>,
    current_label: String,
    new_label: String,
    password_hint: String,
    change_label: String,
    tokens_heading: String,
    token_name_label: String,
    create_token_label: String,
    token_columns: Vec<String>,
    tokens: Vec<TokenView>,
    revoke_label: String,
}

async fn account_page(
    ctx: &Ctx,
    new_token: Option<String>,
    password_error: Option<String>,
    flash: Option<String>,
) -> PageResult {
    let user = ctx.user.clone().ok_or_else(|| {
        ctx.require_actor()
            .err()
            .unwrap_or_else(|| ctx.error(StatusCode::FORBIDDEN, "error-forbidden"))
    })?;
    let tokens = ctx
        .st
        .store
        .list_tokens(user.id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let mut l = ctx.layout(ctx.t("account-title"));
    l.flash = flash;
    let status = if password_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AccountPage {
        l,
        notify_link: ctx.t("notify-account-link"),
        new_token,
        token_once: ctx.t("token-shown-once"),
        password_heading: ctx.t("account-password"),
        password_error,
        current_label: ctx.t("field-current-password"),
        new_label: ctx.t("field-new-password"),
        password_hint: ctx.ta(
            "password-hint",
            &[("min", crate::auth::MIN_PASSWORD_CHARS.to_string())],
        ),
        change_label: ctx.t("action-change-password"),
        tokens_heading: ctx.t("account-tokens"),
        token_name_label: ctx.t("field-token-name"),
        create_token_label: ctx.t("action-create-token"),
        token_columns: vec![
            ctx.t("field-token-name"),
            ctx.t("token-created"),
            ctx.t("token-last-used"),
            ctx.t("token-state"),
        ],
        tokens: tokens
            .into_iter()
            .map(|t| TokenView {
                id: t.id,
                name: t.name,
                created: ctx.datetime(t.created_at_ms),
                last_used: t
                    .last_used_at_ms
                    .map(|m| ctx.datetime(m))
                    .unwrap_or_default(),
                state: ctx.t(if t.revoked_at_ms.is_some() {
                    "token-revoked"
                } else {
                    "token-active"
                }),
                active: t.revoked_at_ms.is_none(),
            })
            .collect(),
        revoke_label: ctx.t("action-revoke"),
    };
    ctx.render_status(status, &page)
}

pub async fn account(ctx: Ctx) -> PageResult {
    ctx.require_actor()?;
    account_page(&ctx, None, None, None).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new_password: String,
}

pub async fn change_password(ctx: Ctx, Form(f): Form<PasswordForm>) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(&f.csrf)?;
    let Some(user) = ctx.user.clone() else {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    };
    if !verify_password(&f.current, &user.password_hash) {
        return account_page(&ctx, None, Some(ctx.t("error-current-password")), None).await;
    }
    if let Some(k) = password_problem(&f.new_password, &user.username) {
        return account_page(&ctx, None, Some(ctx.t(k)), None).await;
    }
    let hash = hash_password(&f.new_password)
        .map_err(|_| ctx.error(StatusCode::INTERNAL_SERVER_ERROR, "error-internal"))?;
    ctx.st
        .store
        .set_password(&actor, user.id, hash)
        .await
        .map_err(|e| ctx.store_error(e))?;
    // Every session ended with the change, this one too.
    Ok(Redirect::to("/login").into_response())
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
    name: String,
}

pub async fn create_token(ctx: Ctx, Form(f): Form<TokenForm>) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(&f.csrf)?;
    let Some(user) = ctx.user.clone() else {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    };
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "err-required"));
    }
    let token = new_api_token();
    ctx.st
        .store
        .create_token(&actor, user.id, name, &sha256_hex(&token))
        .await
        .map_err(|e| ctx.store_error(e))?;
    // Shown once; only its hash is stored.
    account_page(&ctx, Some(token), None, None).await
}

pub async fn revoke_token(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<CsrfOnly>) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(&f.csrf)?;
    let Some(user) = ctx.user.clone() else {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    };
    ctx.st
        .store
        .revoke_token(&actor, user.id, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    account_page(&ctx, None, None, Some(ctx.t("token-revoked-flash"))).await
}

pub struct UserField {
    pub name: &'static str,
    pub label: String,
    pub widget: &'static str,
    pub value: String,
    pub options: Vec<Opt>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    error: Option<String>,
    columns: Vec<String>,
    rows: Vec<Row>,
    add_heading: String,
    fields: Vec<UserField>,
    add_label: String,
}

async fn users_page(
    ctx: &Ctx,
    form: &HashMap<String, String>,
    errors: HashMap<&'static str, String>,
    flash: Option<String>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    if !can_admin(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let store = &ctx.st.store;
    let users = store.list_users().await.map_err(|e| ctx.store_error(e))?;
    let depts = store
        .titles(&actor, Kind::Department, Access::Read)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let vendors = store
        .titles(&actor, Kind::Vendor, Access::Read)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let name_of = |list: &[(i64, String)], id: Option<i64>| {
        id.and_then(|id| list.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()))
            .unwrap_or_default()
    };
    let mut l = ctx.layout(ctx.t("users-title"));
    l.flash = flash;
    let page = UsersPage {
        l,
        error: (!errors.is_empty()).then(|| ctx.t("error-form")),
        columns: [
            "username",
            "display_name",
            "role",
            "department_id",
            "vendor_id",
            "disabled",
        ]
        .iter()
        .map(|f| ctx.tr.field(f))
        .collect(),
        rows: users
            .iter()
            .map(|u| Row {
                cells: vec![
                    Cell {
                        text: u.username.clone(),
                        href: None,
                    },
                    Cell {
                        text: u.display_name.clone(),
                        href: None,
                    },
                    Cell {
                        text: ctx.tr.role(u.role),
                        href: None,
                    },
                    Cell {
                        text: name_of(&depts, u.department_id),
                        href: None,
                    },
                    Cell {
                        text: name_of(&vendors, u.vendor_id),
                        href: None,
                    },
                    Cell {
                        text: ctx.t(if u.disabled { "value-yes" } else { "value-no" }),
                        href: None,
                    },
                ],
            })
            .collect(),
        add_heading: ctx.t("users-add"),
        fields: account_fields(
            ctx,
            form,
            &errors,
            (&depts, &vendors),
            &[
                ("username", "text"),
                ("display_name", "text"),
                ("email", "email"),
                ("role", "select"),
                ("department_id", "select"),
                ("vendor_id", "select"),
                ("password", "password"),
            ],
        ),
        add_label: ctx.t("action-add-user"),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.render_status(status, &page)
}

pub async fn users(ctx: Ctx) -> PageResult {
    users_page(&ctx, &HashMap::new(), HashMap::new(), None).await
}

pub async fn add_user(ctx: Ctx, Form(form): Form<HashMap<String, String>>) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    if !can_admin(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let get = |k: &str| form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let mut errors = HashMap::new();
    let username = get("username");
    if !valid_username(&username) {
        errors.insert("username", ctx.t("error-username"));
    }
    if get("display_name").is_empty() {
        errors.insert("display_name", ctx.t("err-required"));
    }
    let role = Role::parse(&get("role"));
    if role.is_none() {
        errors.insert("role", ctx.t("err-required"));
    }
    let dept = get("department_id").parse::<i64>().ok();
    let vendor = get("vendor_id").parse::<i64>().ok();
    if let Some(r) = role {
        account_link_error(&ctx, r, dept, vendor, &mut errors);
    }
    let password = form.get("password").cloned().unwrap_or_default();
    if let Some(k) = password_problem(&password, &username) {
        errors.insert("password", ctx.t(k));
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        return users_page(&ctx, &form, errors, None).await;
    };
    let hash = hash_password(&password)
        .map_err(|_| ctx.error(StatusCode::INTERNAL_SERVER_ERROR, "error-internal"))?;
    let email = Some(get("email")).filter(|e| !e.is_empty());
    match ctx
        .st
        .store
        .create_user(
            &actor,
            NewUser {
                username,
                display_name: get("display_name"),
                email,
                role,
                department_id: dept,
                vendor_id: vendor,
                password_hash: hash,
            },
        )
        .await
    {
        Ok(u) => {
            users_page(
                &ctx,
                &HashMap::new(),
                HashMap::new(),
                Some(ctx.ta("users-added", &[("name", u.username)])),
            )
            .await
        }
        Err(sonae_store::StoreError::Conflict(_)) => {
            errors.insert("username", ctx.t("err-duplicate"));
            users_page(&ctx, &form, errors, None).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPageView {
    l: Layout,
    verify_class: &'static str,
    verify_line: String,
    export_label: String,
    columns: Vec<String>,
    rows: Vec<Row>,
    prev_href: Option<String>,
    prev_label: String,
    next_href: Option<String>,
    next_label: String,
}

pub async fn audit(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let actor = ctx.require_actor()?;
    if !can_read_audit(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let store = &ctx.st.store;
    let page_no: i64 = q
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let per = 100;
    let page = store
        .audit_page(None, (page_no - 1) * per, per)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let (checked, breaks) = store.audit_verify().await.map_err(|e| ctx.store_error(e))?;
    let (verify_class, verify_line) = if breaks.is_empty() {
        (
            "flash",
            ctx.ta("audit-intact", &[("count", checked.to_string())]),
        )
    } else {
        (
            "error",
            ctx.ta("audit-broken", &[("count", breaks.len().to_string())]),
        )
    };
    let view = AuditPageView {
        l: ctx.layout(ctx.t("audit-title")),
        verify_class,
        verify_line,
        export_label: ctx.t("action-export-audit"),
        columns: [
            "audit-col-seq",
            "audit-col-time",
            "audit-col-actor",
            "audit-col-action",
            "audit-col-object",
        ]
        .iter()
        .map(|k| ctx.t(k))
        .collect(),
        rows: page
            .entries
            .iter()
            .map(|e| {
                let href = Kind::from_slug(&e.object_kind)
                    .zip(e.object_id)
                    .map(|(k, id)| format!("/inventory/{}/{id}", k.slug()));
                Row {
                    cells: vec![
                        Cell {
                            text: e.seq.to_string(),
                            href: None,
                        },
                        Cell {
                            text: ctx.datetime(e.at_ms),
                            href: None,
                        },
                        Cell {
                            text: e.actor.clone(),
                            href: None,
                        },
                        Cell {
                            text: ctx.t(&format!("audit-action-{}", e.action)),
                            href: None,
                        },
                        Cell {
                            text: format!(
                                "{} #{}",
                                e.object_kind,
                                e.object_id.map(|i| i.to_string()).unwrap_or_default()
                            ),
                            href,
                        },
                    ],
                }
            })
            .collect(),
        prev_href: (page_no > 1).then(|| format!("/audit?page={}", page_no - 1)),
        prev_label: ctx.t("page-prev"),
        next_href: (page_no * per < page.total).then(|| format!("/audit?page={}", page_no + 1)),
        next_label: ctx.t("page-next"),
    };
    ctx.render(&view)
}

/// The whole log as JSON lines, each entry with its hashes, so that the
/// chain can be checked outside sonae.
pub async fn audit_export(ctx: Ctx) -> PageResult {
    let actor = ctx.require_actor()?;
    if !can_read_audit(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let mut out = Vec::new();
    ctx.st
        .store
        .audit_for_each(|e| {
            serde_json::to_writer(&mut out, e).map_err(std::io::Error::other)?;
            out.push(b'\n');
            Ok(())
        })
        .await
        .map_err(|e| ctx.store_error(e))?;
    let _ = cookie;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"sonae-audit.jsonl\"",
            ),
        ],
        out,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "user_edit.html")]
struct UserEditPage {
    l: Layout,
    error: Option<String>,
    action: String,
    version: i64,
    fields: Vec<UserField>,
    save_label: String,
    cancel_label: String,
}

async fn user_edit_page(
    ctx: &Ctx,
    id: i64,
    form: Option<&HashMap<String, String>>,
    errors: HashMap<&'static str, String>,
    error: Option<String>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    if !can_admin(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let store = &ctx.st.store;
    let u = store.user_by_id(id).await.map_err(|e| ctx.store_error(e))?;
    let depts = store
        .titles(&actor, Kind::Department, Access::Read)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let vendors = store
        .titles(&actor, Kind::Vendor, Access::Read)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let current: HashMap<String, String> = [
        ("display_name", u.display_name.clone()),
        ("email", u.email.clone().unwrap_or_default()),
        ("role", u.role.as_str().to_owned()),
        (
            "department_id",
            u.department_id.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "vendor_id",
            u.vendor_id.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "disabled",
            if u.disabled {
                "1".into()
            } else {
                String::new()
            },
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let values = form.unwrap_or(&current);
    let page = UserEditPage {
        l: ctx.layout(ctx.ta("title-edit", &[("name", u.username.clone())])),
        error,
        action: format!("/admin/users/{id}"),
        version: values
            .get("row_version")
            .and_then(|x| x.parse().ok())
            .unwrap_or(u.version),
        fields: account_fields(
            ctx,
            values,
            &errors,
            (&depts, &vendors),
            &[
                ("display_name", "text"),
                ("email", "email"),
                ("role", "select"),
                ("department_id", "select"),
                ("vendor_id", "select"),
                ("disabled", "checkbox"),
            ],
        ),
        save_label: ctx.t("action-save"),
        cancel_label: ctx.t("action-cancel"),
    };
    let status = if errors.is_empty() && page.error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.render_status(status, &page)
}

pub async fn edit_user(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    user_edit_page(&ctx, id, None, HashMap::new(), None).await
}

/// Change an account's role, department, vendor or state. An admin cannot
/// take away their own admin role or disable themselves, so the site always
/// keeps someone who can manage it.
pub async fn update_user(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    if !can_admin(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let get = |k: &str| form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let mut errors = HashMap::new();
    let display_name = get("display_name");
    if display_name.is_empty() {
        errors.insert("display_name", ctx.t("err-required"));
    }
    let role = Role::parse(&get("role"));
    let dept = get("department_id").parse::<i64>().ok();
    let vendor = get("vendor_id").parse::<i64>().ok();
    match role {
        None => {
            errors.insert("role", ctx.t("err-required"));
        }
        Some(r) => account_link_error(&ctx, r, dept, vendor, &mut errors),
    }
    let disabled = matches!(get("disabled").as_str(), "1" | "on");
    if actor.user_id == Some(id) && (role != Some(Role::Admin) || disabled) {
        errors.insert("role", ctx.t("error-user-self"));
    }
    let email = Some(get("email")).filter(|e| !e.is_empty());
    if let Some(e) = &email {
        if sonae_domain::value::parse_field(&EMAIL_SPEC, e).is_err() {
            errors.insert("email", ctx.t("err-not-email"));
        }
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        return user_edit_page(&ctx, id, Some(&form), errors, None).await;
    };
    let base: i64 = get("row_version").parse().unwrap_or(0);
    let change = sonae_store::UserUpdate {
        display_name,
        email,
        role,
        department_id: dept,
        vendor_id: vendor,
        disabled,
    };
    match ctx.st.store.update_user(&actor, id, base, change).await {
        Ok(u) => {
            users_page(
                &ctx,
                &HashMap::new(),
                HashMap::new(),
                Some(ctx.ta("users-saved", &[("name", u.username)])),
            )
            .await
        }
        Err(sonae_store::StoreError::Conflict(_)) => {
            // Someone saved the account meanwhile: show the current values.
            user_edit_page(
                &ctx,
                id,
                None,
                HashMap::new(),
                Some(ctx.t("error-user-stale")),
            )
            .await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

const EMAIL_SPEC: sonae_domain::FieldSpec = sonae_domain::FieldSpec {
    name: "email",
    ty: sonae_domain::FieldType::Email,
    required: false,
    listed: false,
    unique: false,
};

/// (id, name) pairs for a select.
type Titles = [(i64, String)];

/// The fields of an account form, filled from `values`, with choices for
/// role, department and vendor.
fn account_fields(
    ctx: &Ctx,
    values: &HashMap<String, String>,
    errors: &HashMap<&'static str, String>,
    (depts, vendors): (&Titles, &Titles),
    names: &[(&'static str, &'static str)],
) -> Vec<UserField> {
    let v = |k: &str| values.get(k).cloned().unwrap_or_default();
    let opts = |list: &[(i64, String)], sel: String| -> Vec<Opt> {
        list.iter()
            .map(|(i, n)| Opt {
                value: i.to_string(),
                label: n.clone(),
                selected: i.to_string() == sel,
            })
            .collect()
    };
    names
        .iter()
        .map(|&(name, widget)| {
            let options = match name {
                "role" => Role::ALL
                    .iter()
                    .map(|r| Opt {
                        value: r.as_str().into(),
                        label: ctx.tr.role(*r),
                        selected: v("role") == r.as_str(),
                    })
                    .collect(),
                "department_id" => opts(depts, v(name)),
                "vendor_id" => opts(vendors, v(name)),
                _ => Vec::new(),
            };
            let value = match widget {
                "password" => String::new(),
                "checkbox" if matches!(v(name).as_str(), "1" | "on") => "1".into(),
                _ => v(name),
            };
            UserField {
                name,
                label: ctx.tr.field(name),
                widget,
                value,
                options,
                error: errors.get(name).cloned(),
            }
        })
        .collect()
}

/// The error for an account that lacks the department or vendor its role needs.
fn account_link_error(
    ctx: &Ctx,
    role: Role,
    dept: Option<i64>,
    vendor: Option<i64>,
    errors: &mut HashMap<&'static str, String>,
) {
    match sonae_domain::access::missing_account_link(role, dept, vendor) {
        Some("department_id") => {
            errors.insert("department_id", ctx.t("error-owner-needs-department"));
        }
        Some(field) => {
            errors.insert(field, ctx.t("error-vendor-needs-vendor"));
        }
        None => {}
    }
}
