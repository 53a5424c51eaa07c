//! The per-request context: language, signed-in user, CSRF token, and the
//! helpers every page uses to render itself or an error.

use crate::i18n::{Lang, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sonae_domain::{Actor, Kind, Role};
use sonae_store::{StoreError, User};

pub const SESSION_COOKIE: &str = "sonae_session";
pub const PRE_COOKIE: &str = "sonae_pre";
pub const LANG_COOKIE: &str = "sonae_lang";

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn cookie<'a>(parts_headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    parts_headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Give every visitor a random pre-session value, so forms shown before
/// log-in (the log-in form itself) carry a CSRF token too.
pub async fn pre_session_cookie(
    axum::extract::State(st): axum::extract::State<AppState>,
    mut req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    if cookie(req.headers(), PRE_COOKIE).is_some() {
        return next.run(req).await;
    }
    let token = random_token();
    let secure = st.config.secure_cookies;
    if let Ok(v) = HeaderValue::from_str(&format!("{PRE_COOKIE}={token}")) {
        req.headers_mut().append(header::COOKIE, v);
    }
    let mut res = next.run(req).await;
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(PRE_COOKIE, &token, 60 * 60 * 24 * 30, secure),
    );
    res
}

pub struct Ctx {
    pub st: AppState,
    pub tr: Tr,
    pub user: Option<User>,
    pub csrf: String,
    pub path: String,
    pub session_hash: Option<String>,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let session = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned);
        let session_hash = session.as_deref().map(sha256_hex);
        let user = match &session_hash {
            Some(h) => st.store.session_user(h).await.unwrap_or(None),
            None => None,
        };
        let lang = user
            .as_ref()
            .and_then(|u| u.lang.as_deref())
            .and_then(Lang::parse)
            .or_else(|| cookie(&parts.headers, LANG_COOKIE).and_then(Lang::parse))
            .unwrap_or_else(|| {
                Lang::from_accept_language(
                    parts
                        .headers
                        .get(header::ACCEPT_LANGUAGE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or(""),
                )
            });
        // The CSRF token is bound to the session when there is one, else to
        // the pre-session cookie.
        let binding = match (&user, &session) {
            (Some(_), Some(s)) => format!("session:{s}"),
            _ => format!("pre:{}", cookie(&parts.headers, PRE_COOKIE).unwrap_or("")),
        };
        let csrf = csrf_token(&st.config.secret_key, &binding);
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned());
        Ok(Ctx {
            st: st.clone(),
            tr: Tr::new(lang, st.i18n.clone()),
            user: user.filter(|_| session.is_some()),
            csrf,
            path,
            session_hash,
        })
    }
}

impl OptionalFromRequestParts<AppState> for Ctx {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        st: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        <Ctx as FromRequestParts<AppState>>::from_request_parts(parts, st)
            .await
            .map(Some)
    }
}

fn csrf_token(key: &[u8], binding: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(b"csrf\0");
    mac.update(binding.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// An error already rendered as a page.
pub struct PageError(pub Response);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0
    }
}

pub type PageResult = Result<Response, PageError>;

#[derive(Clone)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

#[derive(Clone)]
pub struct Link {
    pub href: String,
    pub label: String,
}

/// What the shared layout shows.
pub struct Layout {
    pub lang: &'static str,
    pub app_name: String,
    pub title: String,
    pub user_name: Option<String>,
    pub nav: Vec<NavItem>,
    pub nav_label: String,
    pub csrf: String,
    pub path: String,
    pub other_lang: &'static str,
    pub other_lang_label: String,
    pub logout_label: String,
    pub flash: Option<String>,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    l: Layout,
    heading: String,
    message: String,
    class: &'static str,
    back: Option<Link>,
}

impl Ctx {
    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    pub fn ta(&self, key: &str, args: &[(&str, String)]) -> String {
        self.tr.ta(key, args)
    }

    pub fn actor(&self) -> Option<Actor> {
        self.user.as_ref().map(User::actor)
    }

    /// The signed-in user, or a redirect to the log-in page.
    pub fn require_actor(&self) -> Result<Actor, PageError> {
        self.actor().ok_or_else(|| {
            let next =
                url::form_urlencoded::byte_serialize(self.path.as_bytes()).collect::<String>();
            PageError(Redirect::to(&format!("/login?next={next}")).into_response())
        })
    }

    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        let ok = !self.csrf.is_empty()
            && submitted.len() == self.csrf.len()
            && submitted
                .bytes()
                .zip(self.csrf.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if ok {
            Ok(())
        } else {
            Err(self.error(StatusCode::FORBIDDEN, "error-csrf"))
        }
    }

    pub fn layout(&self, title: String) -> Layout {
        let nav = match &self.user {
            Some(u) => self.nav(u.role),
            None => Vec::new(),
        };
        let (other, other_label) = match self.tr.lang {
            Lang::Ja => ("en", "English"),
            Lang::En => ("ja", "日本語"),
        };
        Layout {
            lang: self.tr.lang.code(),
            app_name: self.t("app-name"),
            title,
            user_name: self.user.as_ref().map(|u| u.display_name.clone()),
            nav,
            nav_label: self.t("nav-label"),
            csrf: self.csrf.clone(),
            path: self.path.clone(),
            other_lang: other,
            other_lang_label: other_label.to_owned(),
            logout_label: self.t("action-logout"),
            flash: None,
        }
    }

    fn nav(&self, role: Role) -> Vec<NavItem> {
        let actor = self.actor();
        let mut items = vec![("/".to_owned(), self.t("nav-home"))];
        let visible_systems = actor.as_ref().is_some_and(|a| {
            sonae_domain::access::scope(a, Kind::System, sonae_domain::access::Access::Read)
                != sonae_domain::Scope::Nothing
        });
        for kind in Kind::ALL {
            let visible = actor.as_ref().is_some_and(|a| {
                sonae_domain::access::scope(a, kind, sonae_domain::access::Access::Read)
                    != sonae_domain::Scope::Nothing
            });
            if visible {
                items.push((format!("/inventory/{}", kind.slug()), self.tr.kind(kind)));
            }
        }
        if actor.is_some() {
            items.push(("/incidents".to_owned(), self.t("nav-incidents")));
        }
        if actor.as_ref().is_some_and(|a| a.role != Role::Vendor) {
            items.push(("/actions".to_owned(), self.t("nav-actions")));
            items.push(("/continuity".to_owned(), self.t("nav-continuity")));
        }
        if sonae_store::may_read_assessments(role) {
            items.push(("/dashboard".to_owned(), self.t("nav-dashboard")));
            items.push(("/assessments".to_owned(), self.t("nav-assessments")));
            items.push(("/risks".to_owned(), self.t("nav-risks")));
        }
        if sonae_domain::notice::may_read_staff(role) {
            items.push(("/admin/notices".to_owned(), self.t("nav-notices")));
        }
        if visible_systems {
            items.push(("/my".to_owned(), self.t("nav-my")));
            items.push(("/findings".to_owned(), self.t("nav-findings")));
        }
        if matches!(role, Role::Admin | Role::SecurityOfficer) {
            items.push(("/aliases".to_owned(), self.t("nav-aliases")));
        }
        if actor.as_ref().is_some_and(|a| {
            Kind::ALL
                .iter()
                .any(|k| sonae_domain::access::may_write_some(a, *k))
        }) {
            items.push(("/inventory/import".to_owned(), self.t("nav-import")));
        }
        if actor
            .as_ref()
            .is_some_and(sonae_domain::access::can_read_audit)
        {
            items.push(("/audit".to_owned(), self.t("nav-audit")));
        }
        if sonae_domain::intake::may_read(role) {
            items.push(("/reports".to_owned(), self.t("nav-reports")));
        }
        if role == Role::Admin {
            items.push(("/admin/users".to_owned(), self.t("nav-users")));
            items.push(("/admin/policy".to_owned(), self.t("nav-policy")));
            items.push((
                "/admin/notifications".to_owned(),
                self.t("notify-nav-admin"),
            ));
        }
        let path = self.path.split('?').next().unwrap_or("");
        items
            .into_iter()
            .map(|(href, label)| NavItem {
                current: if href == "/" {
                    path == "/"
                } else {
                    path.starts_with(&href)
                },
                href,
                label,
            })
            .collect()
    }

    pub fn render(&self, t: &impl Template) -> PageResult {
        self.render_status(StatusCode::OK, t)
    }

    pub fn render_status(&self, status: StatusCode, t: &impl Template) -> PageResult {
        match t.render() {
            Ok(html) => Ok((status, Html(html)).into_response()),
            Err(e) => {
                tracing::error!(error = %e, "template");
                Err(PageError(StatusCode::INTERNAL_SERVER_ERROR.into_response()))
            }
        }
    }

    /// A page with one message, e.g. "not permitted".
    pub fn message(
        &self,
        status: StatusCode,
        heading_key: &str,
        message: String,
        back: Option<Link>,
    ) -> Response {
        let page = MessagePage {
            l: self.layout(self.t(heading_key)),
            heading: self.t(heading_key),
            message,
            class: if status.is_success() {
                "flash"
            } else {
                "error"
            },
            back,
        };
        match self.render_status(status, &page) {
            Ok(r) => r,
            Err(e) => e.0,
        }
    }

    pub fn error(&self, status: StatusCode, message_key: &str) -> PageError {
        let heading = match status {
            StatusCode::FORBIDDEN => "error-forbidden-title",
            StatusCode::NOT_FOUND => "error-not-found-title",
            StatusCode::PAYLOAD_TOO_LARGE => "error-too-large-title",
            _ => "error-title",
        };
        PageError(self.message(
            status,
            heading,
            self.t(message_key),
            Some(Link {
                href: "/".to_owned(),
                label: self.t("nav-home"),
            }),
        ))
    }

    /// Map a store error that a page cannot handle itself.
    pub fn store_error(&self, e: StoreError) -> PageError {
        match e {
            StoreError::NotFound => self.error(StatusCode::NOT_FOUND, "error-not-found"),
            StoreError::Forbidden => self.error(StatusCode::FORBIDDEN, "error-forbidden"),
            StoreError::InUse => self.error(StatusCode::CONFLICT, "error-in-use"),
            other => {
                tracing::error!(error = %other, "store");
                self.error(StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
            }
        }
    }

    /// A date (no time) in the organization's time zone.
    pub fn date(&self, ms: i64) -> String {
        self.datetime(ms).get(..10).unwrap_or("").to_owned()
    }

    /// Format a timestamp in the organization's time zone.
    pub fn datetime(&self, ms: i64) -> String {
        use chrono::TimeZone;
        match chrono::Utc.timestamp_millis_opt(ms).single() {
            Some(t) => t
                .with_timezone(&self.st.config.time_zone)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            None => String::new(),
        }
    }
}

impl Ctx {
    /// An error page with an already-localized message.
    pub fn error_text(&self, status: StatusCode, message: String) -> PageError {
        PageError(self.message(status, "error-title", message, None))
    }
}
