//! `/aliases`: the vendor/product alias table the matcher uses for
//! components without a CPE name (inventory spelling → CPE vendor:product),
//! reviewed and edited by admins and security officers; and CPE name
//! suggestions from the stored feeds.

use crate::ctx::{Ctx, Layout, PageResult};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use sonae_domain::Role;
use sonae_store::StoreError;
use std::collections::HashMap;

pub struct AliasView {
    pub id: i64,
    pub vendor: String,
    pub product: String,
    pub cpe: String,
}

pub struct SuggestionView {
    pub cpe: String,
    pub records: i64,
}

#[derive(Template)]
#[template(path = "aliases.html")]
struct AliasesPage {
    l: Layout,
    intro: String,
    error: Option<String>,
    may_edit: bool,
    t: HashMap<&'static str, String>,
    rows: Vec<AliasView>,
    q: String,
    suggestions: Vec<SuggestionView>,
}

const LABELS: &[&str] = &[
    "alias-col-vendor",
    "alias-col-product",
    "alias-col-cpe",
    "alias-add",
    "alias-delete",
    "alias-field-vendor",
    "alias-field-product",
    "alias-field-cpe-vendor",
    "alias-field-cpe-product",
    "alias-suggest-heading",
    "alias-suggest-intro",
    "alias-suggest-search",
    "alias-col-records",
    "alias-any-vendor",
];

fn may_edit(role: Role) -> bool {
    matches!(role, Role::Admin | Role::SecurityOfficer)
}

async fn page(ctx: &Ctx, q: &str, error: Option<String>) -> PageResult {
    let actor = ctx.require_actor()?;
    if matches!(actor.role, Role::Vendor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let store = &ctx.st.store;
    let rows = store
        .aliases()
        .await
        .map_err(|e| ctx.store_error(e))?
        .into_iter()
        .map(|a| AliasView {
            id: a.id,
            vendor: a.vendor,
            product: a.product,
            cpe: format!("{}:{}", a.cpe_vendor, a.cpe_product),
        })
        .collect();
    let suggestions = if q.trim().is_empty() {
        Vec::new()
    } else {
        store
            .cpe_suggestions(q.trim(), 20)
            .await
            .map_err(|e| ctx.store_error(e))?
            .into_iter()
            .map(|s| SuggestionView {
                cpe: format!("{}:{}", s.vendor, s.product),
                records: s.records,
            })
            .collect()
    };
    let mut t = HashMap::new();
    for k in LABELS {
        t.insert(*k, ctx.t(k));
    }
    let tpl = AliasesPage {
        l: ctx.layout(ctx.t("alias-title")),
        intro: ctx.t("alias-intro"),
        error,
        may_edit: may_edit(actor.role),
        t,
        rows,
        q: q.to_owned(),
        suggestions,
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

/// `GET /aliases[?q=…]`.
pub async fn list(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> PageResult {
    page(&ctx, q.get("q").map_or("", String::as_str), None).await
}

/// `POST /aliases`.
pub async fn create(ctx: Ctx, Form(form): Form<HashMap<String, String>>) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    match ctx
        .st
        .store
        .add_alias(
            &actor,
            &get("vendor"),
            &get("product"),
            &get("cpe_vendor"),
            &get("cpe_product"),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/aliases").into_response()),
        Err(StoreError::Invalid(errors)) => {
            let text = errors
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        ctx.t(&format!("alias-field-{}", e.field.replace('_', "-"))),
                        ctx.ta(e.kind.message_key(), &[("max", "200".into())])
                    )
                })
                .collect::<Vec<_>>()
                .join(" / ");
            page(&ctx, "", Some(text)).await
        }
        Err(StoreError::Conflict(_)) => page(&ctx, "", Some(ctx.t("err-duplicate"))).await,
        Err(e) => Err(ctx.store_error(e)),
    }
}

/// `POST /aliases/{id}/delete`.
pub async fn delete(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    ctx.st
        .store
        .delete_alias(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    Ok(Redirect::to("/aliases").into_response())
}
