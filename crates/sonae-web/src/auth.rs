//! Log-in, log-out, first-run setup, password hashing (Argon2id) and
//! log-in throttling.

use crate::ctx::{random_token, set_cookie, sha256_hex, Ctx, PageResult, SESSION_COOKIE};
use crate::AppState;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use sonae_domain::{Actor, Role};
use sonae_store::NewUser;
use std::net::SocketAddr;

pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;
/// Failures allowed per account, and per client address, within the window.
pub const MAX_FAILURES_PER_USER: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const MIN_PASSWORD_CHARS: usize = 12;

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A password's weakness, as a message key, or None when acceptable.
pub fn password_problem(password: &str, username: &str) -> Option<&'static str> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Some("error-password-short")
    } else if password.eq_ignore_ascii_case(username) {
        Some("error-password-username")
    } else {
        None
    }
}

pub struct FormField {
    pub name: &'static str,
    pub label: String,
    pub input_type: &'static str,
    pub value: String,
    pub required: bool,
    pub autocomplete: &'static str,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: crate::ctx::Layout,
    heading: String,
    action: &'static str,
    next: String,
    fields: Vec<FormField>,
    submit: String,
    error: Option<String>,
    hint: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after log-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn login_form(ctx: &Ctx, username: &str, next: &str, error: Option<String>) -> LoginPage {
    LoginPage {
        l: ctx.layout(ctx.t("login-title")),
        heading: ctx.t("login-title"),
        action: "/login",
        next: next.to_owned(),
        fields: vec![
            FormField {
                name: "username",
                label: ctx.t("field-username"),
                input_type: "text",
                value: username.to_owned(),
                required: true,
                autocomplete: "username",
                error: None,
            },
            FormField {
                name: "password",
                label: ctx.t("field-password"),
                input_type: "password",
                value: String::new(),
                required: true,
                autocomplete: "current-password",
                error: None,
            },
        ],
        submit: ctx.t("action-login"),
        error,
        hint: None,
    }
}

pub async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> PageResult {
    if ctx
        .st
        .store
        .user_count()
        .await
        .map_err(|e| ctx.store_error(e))?
        == 0
    {
        return Ok(Redirect::to("/setup").into_response());
    }
    if ctx.user.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    ctx.render(&login_form(&ctx, "", &safe_next(q.next.as_deref()), None))
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login_post(
    ctx: Ctx,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(f): Form<LoginForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let store = &ctx.st.store;
    let next = safe_next(f.next.as_deref());
    let user_key = format!("user:{}", f.username.trim().to_lowercase());
    let addr_key = format!("addr:{}", addr.ip());
    let err = |e| ctx.store_error(e);
    // Throttle before checking the password, so guessing costs time even
    // when the guess is right.
    if store
        .login_failures(&user_key, THROTTLE_WINDOW_MS)
        .await
        .map_err(err)?
        >= MAX_FAILURES_PER_USER
        || store
            .login_failures(&addr_key, THROTTLE_WINDOW_MS)
            .await
            .map_err(err)?
            >= MAX_FAILURES_PER_ADDRESS
    {
        let page = login_form(
            &ctx,
            &f.username,
            &next,
            Some(ctx.t("error-login-throttled")),
        );
        return ctx.render_status(StatusCode::TOO_MANY_REQUESTS, &page);
    }
    let user = store.user_by_name(f.username.trim()).await.map_err(err)?;
    let ok = match &user {
        Some(u) => !u.disabled && verify_password(&f.password, &u.password_hash),
        None => {
            // Spend the same time as a real check so timing does not tell
            // which usernames exist.
            let _ = hash_password(&f.password);
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        store.record_login_failure(&user_key).await.map_err(err)?;
        store.record_login_failure(&addr_key).await.map_err(err)?;
        let page = login_form(&ctx, &f.username, &next, Some(ctx.t("error-login-failed")));
        return ctx.render_status(StatusCode::UNAUTHORIZED, &page);
    };
    store.clear_login_failures(&user_key).await.map_err(err)?;
    let token = random_token();
    store
        .create_session(&sha256_hex(&token), user.id, SESSION_TTL_MS)
        .await
        .map_err(err)?;
    store
        .audit_event(&user.username, "login", "users", Some(user.id), None)
        .await
        .map_err(err)?;
    let mut res = Redirect::to(&next).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            &token,
            SESSION_TTL_MS / 1000,
            ctx.st.config.secure_cookies,
        ),
    );
    Ok(res)
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    pub csrf: String,
}

pub async fn logout(ctx: Ctx, Form(f): Form<CsrfOnly>) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    if let Some(h) = &ctx.session_hash {
        ctx.st
            .store
            .delete_session(h)
            .await
            .map_err(|e| ctx.store_error(e))?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, ctx.st.config.secure_cookies),
    );
    Ok(res)
}

fn setup_form(ctx: &Ctx, username: &str, display: &str, errors: [Option<String>; 3]) -> LoginPage {
    let [e_user, e_name, e_pass] = errors;
    LoginPage {
        l: ctx.layout(ctx.t("setup-title")),
        heading: ctx.t("setup-title"),
        action: "/setup",
        next: "/".to_owned(),
        fields: vec![
            FormField {
                name: "username",
                label: ctx.t("field-username"),
                input_type: "text",
                value: username.to_owned(),
                required: true,
                autocomplete: "username",
                error: e_user,
            },
            FormField {
                name: "display_name",
                label: ctx.t("field-display-name"),
                input_type: "text",
                value: display.to_owned(),
                required: true,
                autocomplete: "name",
                error: e_name,
            },
            FormField {
                name: "password",
                label: ctx.t("field-password"),
                input_type: "password",
                value: String::new(),
                required: true,
                autocomplete: "new-password",
                error: e_pass,
            },
        ],
        submit: ctx.t("action-create-admin"),
        error: None,
        hint: Some(ctx.t("setup-hint")),
    }
}

/// The one-time setup page: only while no account exists.
pub async fn setup_page(ctx: Ctx) -> PageResult {
    if ctx
        .st
        .store
        .user_count()
        .await
        .map_err(|e| ctx.store_error(e))?
        > 0
    {
        return Err(ctx.error(StatusCode::NOT_FOUND, "error-not-found"));
    }
    ctx.render(&setup_form(&ctx, "", "", [None, None, None]))
}

#[derive(Deserialize)]
pub struct SetupForm {
    csrf: String,
    username: String,
    display_name: String,
    password: String,
}

pub fn valid_username(u: &str) -> bool {
    !u.is_empty()
        && u.len() <= 64
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
}

pub async fn setup_post(
    ctx: Ctx,
    State(st): State<AppState>,
    Form(f): Form<SetupForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    if st
        .store
        .user_count()
        .await
        .map_err(|e| ctx.store_error(e))?
        > 0
    {
        return Err(ctx.error(StatusCode::NOT_FOUND, "error-not-found"));
    }
    let username = f.username.trim();
    let display = f.display_name.trim();
    let errors = [
        (!valid_username(username)).then(|| ctx.t("error-username")),
        display.is_empty().then(|| ctx.t("err-required")),
        password_problem(&f.password, username).map(|k| ctx.t(k)),
    ];
    if errors.iter().any(Option::is_some) {
        return ctx.render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &setup_form(&ctx, username, display, errors),
        );
    }
    let hash = hash_password(&f.password)
        .map_err(|_| ctx.error(StatusCode::INTERNAL_SERVER_ERROR, "error-internal"))?;
    st.store
        .create_user(
            &Actor::system(),
            NewUser {
                username: username.to_owned(),
                display_name: display.to_owned(),
                email: None,
                role: Role::Admin,
                department_id: None,
                vendor_id: None,
                password_hash: hash,
            },
        )
        .await
        .map_err(|e| ctx.store_error(e))?;
    Ok(Redirect::to("/login").into_response())
}

/// The API caller behind `Authorization: Bearer <token>`.
pub async fn bearer_user(
    st: &AppState,
    headers: &axum::http::HeaderMap,
) -> Option<sonae_store::User> {
    let token = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .trim();
    if token.is_empty() || token.len() > 200 {
        return None;
    }
    st.store.token_user(&sha256_hex(token)).await.ok().flatten()
}

pub fn new_api_token() -> String {
    format!("sonae_{}", random_token())
}

impl IntoResponse for LoginPage {
    fn into_response(self) -> Response {
        match self.render() {
            Ok(h) => axum::response::Html(h).into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
}
