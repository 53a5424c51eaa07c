//! Inventory pages (DESIGN §1): list, filter, view, create, edit, delete for
//! every kind, CSV import/export and SBOM import. One set of handlers serves
//! all kinds, driven by the field declarations in the domain.

use crate::csvio;
use crate::ctx::{Ctx, Layout, Link, PageError, PageResult};
use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use sonae_domain::access::{may_write_some, Access};
use sonae_domain::inventory::{FieldType, Kind, Record};
use sonae_domain::value::parse_record;
use sonae_domain::{Actor, FieldError, Value, Values};
use sonae_store::{ImportRow, ListQuery, StoreError};
use std::collections::{BTreeMap, HashMap};

pub const PAGE_SIZE: i64 = 50;

pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}
pub struct Row {
    pub cells: Vec<Cell>,
}
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}
pub struct Filter {
    pub name: &'static str,
    pub label: String,
    pub options: Vec<Opt>,
}

pub fn kind_of(ctx: &Ctx, slug: &str) -> Result<Kind, PageError> {
    Kind::from_slug(slug).ok_or_else(|| ctx.error(StatusCode::NOT_FOUND, "error-not-found"))
}

/// Titles of referenced records, by kind, for showing references as names.
pub struct Titles(HashMap<Kind, HashMap<i64, String>>);

impl Titles {
    pub async fn load(ctx: &Ctx, actor: &Actor, kind: Kind) -> Result<Titles, PageError> {
        let mut map = HashMap::new();
        for f in kind.fields() {
            if let FieldType::Ref(target) = f.ty {
                if let std::collections::hash_map::Entry::Vacant(slot) = map.entry(target) {
                    let t = ctx
                        .st
                        .store
                        .titles(actor, target, Access::Read)
                        .await
                        .map_err(|e| ctx.store_error(e))?;
                    slot.insert(t.into_iter().collect());
                }
            }
        }
        Ok(Titles(map))
    }
    pub fn get(&self, kind: Kind, id: i64) -> Option<&String> {
        self.0.get(&kind).and_then(|m| m.get(&id))
    }
    fn options(&self, kind: Kind, selected: &str) -> Vec<Opt> {
        let mut v: Vec<Opt> = self
            .0
            .get(&kind)
            .map(|m| {
                m.iter()
                    .map(|(id, t)| Opt {
                        value: id.to_string(),
                        label: t.clone(),
                        selected: id.to_string() == selected,
                    })
                    .collect()
            })
            .unwrap_or_default();
        v.sort_by(|a, b| a.label.cmp(&b.label));
        v
    }
}

/// A value as the user reads it: names for references, labels for choices.
pub fn display(ctx: &Ctx, titles: &Titles, ty: FieldType, v: &Value) -> Cell {
    match (ty, v) {
        (_, Value::Null) => Cell {
            text: String::new(),
            href: None,
        },
        (FieldType::Bool, Value::Int(i)) => Cell {
            text: ctx.t(if *i != 0 { "value-yes" } else { "value-no" }),
            href: None,
        },
        (FieldType::Ref(k), Value::Int(id)) => Cell {
            text: titles
                .get(k, *id)
                .cloned()
                .unwrap_or_else(|| format!("#{id}")),
            href: titles
                .get(k, *id)
                .map(|_| format!("/inventory/{}/{id}", k.slug())),
        },
        (FieldType::Enum(_), Value::Text(s)) => Cell {
            text: ctx.tr.choice(s),
            href: None,
        },
        (FieldType::Int { min: 1, max: 3 }, Value::Int(i)) => Cell {
            text: format!("{i} ({})", ctx.t(&format!("cia-{i}"))),
            href: None,
        },
        (_, v) => Cell {
            text: v.to_input_string(),
            href: None,
        },
    }
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    l: Layout,
    new_href: Option<String>,
    new_label: String,
    csv_href: String,
    csv_label: String,
    search_label: String,
    q: String,
    filters: Vec<Filter>,
    any_label: String,
    filter_label: String,
    count_line: String,
    columns: Vec<String>,
    rows: Vec<Row>,
    prev_href: Option<String>,
    prev_label: String,
    next_href: Option<String>,
    next_label: String,
}

fn list_query(kind: Kind, params: &HashMap<String, String>) -> ListQuery {
    let mut eq = Vec::new();
    for f in kind.fields() {
        if let Some(raw) = params.get(f.name).filter(|s| !s.is_empty()) {
            let v = match f.ty {
                FieldType::Ref(_) | FieldType::Bool | FieldType::Int { .. } => {
                    raw.parse().map(Value::Int).unwrap_or(Value::Int(-1))
                }
                _ => Value::Text(raw.clone()),
            };
            eq.push((f.name, v));
        }
    }
    let page: i64 = params
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    ListQuery {
        q: params.get("q").cloned(),
        eq,
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    }
}

fn page_href(kind: Kind, params: &HashMap<String, String>, page: i64) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    let mut keys: Vec<_> = params.keys().filter(|k| *k != "page").collect();
    keys.sort();
    for k in keys {
        ser.append_pair(k, &params[k]);
    }
    ser.append_pair("page", &page.to_string());
    format!("/inventory/{}?{}", kind.slug(), ser.finish())
}

pub async fn list(
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult {
    if let Some(base) = slug.strip_suffix(".csv") {
        return csvio::export(ctx, base, params).await;
    }
    let actor = ctx.require_actor()?;
    let kind = kind_of(&ctx, &slug)?;
    let store = &ctx.st.store;
    let lq = list_query(kind, &params);
    let page = store
        .list(&actor, kind, &lq)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let titles = Titles::load(&ctx, &actor, kind).await?;
    let listed: Vec<_> = kind.fields().iter().filter(|f| f.listed).collect();
    let rows = page
        .items
        .iter()
        .map(|r| Row {
            cells: listed
                .iter()
                .map(|f| {
                    let mut c = display(&ctx, &titles, f.ty, r.get(f.name));
                    if f.name == kind.title_field() {
                        c.href = Some(format!("/inventory/{}/{}", kind.slug(), r.id));
                    }
                    c
                })
                .collect(),
        })
        .collect();
    let filters = listed
        .iter()
        .filter_map(|f| {
            let selected = params.get(f.name).cloned().unwrap_or_default();
            let options = match f.ty {
                FieldType::Enum(choices) => choices
                    .iter()
                    .map(|c| Opt {
                        value: (*c).to_owned(),
                        label: ctx.tr.choice(c),
                        selected: selected == *c,
                    })
                    .collect(),
                FieldType::Bool => vec![
                    Opt {
                        value: "1".into(),
                        label: ctx.t("value-yes"),
                        selected: selected == "1",
                    },
                    Opt {
                        value: "0".into(),
                        label: ctx.t("value-no"),
                        selected: selected == "0",
                    },
                ],
                FieldType::Ref(k) => titles.options(k, &selected),
                _ => return None,
            };
            Some(Filter {
                name: f.name,
                label: ctx.tr.field(f.name),
                options,
            })
        })
        .collect();
    let current = lq.offset / PAGE_SIZE + 1;
    let csv_href = format!("/inventory/{}.csv", kind.slug());
    let tpl = ListPage {
        l: {
            let mut l = ctx.layout(ctx.tr.kind(kind));
            l.flash = params.get("done").map(|d| {
                ctx.t(&format!(
                    "flash-{}",
                    if d == "deleted" { "deleted" } else { "saved" }
                ))
            });
            l
        },
        new_href: may_write_some(&actor, kind).then(|| format!("/inventory/{}/new", kind.slug())),
        new_label: ctx.t("action-new"),
        csv_href,
        csv_label: ctx.t("action-export-csv"),
        search_label: ctx.t("filter-search"),
        q: lq.q.clone().unwrap_or_default(),
        filters,
        any_label: ctx.t("filter-any"),
        filter_label: ctx.t("action-filter"),
        count_line: ctx.ta("list-count", &[("count", page.total.to_string())]),
        columns: listed.iter().map(|f| ctx.tr.field(f.name)).collect(),
        rows,
        prev_href: (current > 1).then(|| page_href(kind, &params, current - 1)),
        prev_label: ctx.t("page-prev"),
        next_href: (current * PAGE_SIZE < page.total)
            .then(|| page_href(kind, &params, current + 1)),
        next_label: ctx.t("page-next"),
    };
    ctx.render(&tpl)
}

pub struct FormFieldView {
    pub name: &'static str,
    pub label: String,
    pub widget: &'static str,
    pub value: String,
    pub required: bool,
    pub options: Vec<Opt>,
    pub error: Option<String>,
    pub hint: Option<String>,
}

pub struct ChangeView {
    pub field: String,
    pub before: String,
    pub after: String,
}

pub struct StaleView {
    pub heading: String,
    pub message: String,
    pub col_field: String,
    pub col_before: String,
    pub col_after: String,
    pub changes: Vec<ChangeView>,
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    l: Layout,
    action: String,
    version: i64,
    fields: Vec<FormFieldView>,
    stale: Option<StaleView>,
    error: Option<String>,
    required_mark: String,
    save_label: String,
    cancel_href: String,
    cancel_label: String,
}

/// Localized text of a field error.
pub fn field_error_text(ctx: &Ctx, e: &FieldError) -> String {
    use sonae_domain::FieldErrorKind::*;
    let args: Vec<(&str, String)> = match &e.kind {
        TooLong { max } => vec![("max", max.to_string())],
        OutOfRange { min, max } => vec![("min", min.to_string()), ("max", max.to_string())],
        _ => Vec::new(),
    };
    ctx.tr.ta(e.kind.message_key(), &args)
}

struct FormInput<'a> {
    kind: Kind,
    title: String,
    action: String,
    version: i64,
    values: &'a HashMap<String, String>,
    errors: &'a [FieldError],
    stale: Option<StaleView>,
    cancel: String,
}

fn form_page(ctx: &Ctx, titles: &Titles, input: FormInput<'_>) -> FormPage {
    let fields = input
        .kind
        .fields()
        .iter()
        .map(|f| {
            let value = input.values.get(f.name).cloned().unwrap_or_default();
            let (widget, options) = match f.ty {
                FieldType::LongText => ("textarea", Vec::new()),
                FieldType::Bool => ("checkbox", Vec::new()),
                FieldType::Date => ("date", Vec::new()),
                FieldType::Email => ("email", Vec::new()),
                FieldType::Int { .. } => ("number", Vec::new()),
                FieldType::Enum(choices) => (
                    "select",
                    choices
                        .iter()
                        .map(|c| Opt {
                            value: (*c).to_owned(),
                            label: ctx.tr.choice(c),
                            selected: value == *c,
                        })
                        .collect(),
                ),
                FieldType::Ref(k) => ("select", titles.options(k, &value)),
                _ => ("text", Vec::new()),
            };
            let value = if f.ty == FieldType::Bool && matches!(value.as_str(), "1" | "on" | "true")
            {
                "1".to_owned()
            } else {
                value
            };
            let hint = match f.ty {
                FieldType::Cpe => Some(ctx.t("hint-cpe")),
                FieldType::Purl => Some(ctx.t("hint-purl")),
                _ => None,
            };
            FormFieldView {
                name: f.name,
                label: ctx.tr.field(f.name),
                widget,
                value,
                required: f.required,
                options,
                error: input
                    .errors
                    .iter()
                    .find(|e| e.field == f.name)
                    .map(|e| field_error_text(ctx, e)),
                hint,
            }
        })
        .collect();
    FormPage {
        l: ctx.layout(input.title),
        action: input.action,
        version: input.version,
        fields,
        stale: input.stale,
        error: (!input.errors.is_empty()).then(|| ctx.t("error-form")),
        required_mark: ctx.t("form-required"),
        save_label: ctx.t("action-save"),
        cancel_href: input.cancel,
        cancel_label: ctx.t("action-cancel"),
    }
}

fn record_inputs(r: &Record) -> HashMap<String, String> {
    r.kind
        .fields()
        .iter()
        .map(|f| (f.name.to_owned(), r.get(f.name).to_input_string()))
        .collect()
}

pub async fn new_form(
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let kind = kind_of(&ctx, &slug)?;
    if !may_write_some(&actor, kind) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let titles = Titles::load(&ctx, &actor, kind).await?;
    // Sensible starting values: prefill from the query (e.g. system_id from
    // a system page), a system owner's own department, manual source.
    let mut values: HashMap<String, String> = params
        .into_iter()
        .filter(|(k, _)| kind.field(k).is_some())
        .collect();
    if let Some(d) = actor.department_id {
        values
            .entry("owner_department_id".into())
            .or_insert(d.to_string());
    }
    if kind == Kind::Component {
        values.entry("source".into()).or_insert("manual".into());
    }
    let page = form_page(&ctx, &titles, new_form_input(&ctx, kind, &values, &[]));
    ctx.render(&page)
}

/// The "new record" form of a kind, with the given values and errors.
fn new_form_input<'a>(
    ctx: &Ctx,
    kind: Kind,
    values: &'a HashMap<String, String>,
    errors: &'a [FieldError],
) -> FormInput<'a> {
    FormInput {
        kind,
        title: ctx.ta(
            "title-new",
            &[("kind", ctx.t(&format!("kind-{}-one", kind.slug())))],
        ),
        action: format!("/inventory/{}", kind.slug()),
        version: 0,
        values,
        errors,
        stale: None,
        cancel: format!("/inventory/{}", kind.slug()),
    }
}

fn parse_form(kind: Kind, form: &HashMap<String, String>) -> Result<Values, Vec<FieldError>> {
    parse_record(kind.fields(), &|name| form.get(name).cloned())
}

pub async fn create(
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let kind = kind_of(&ctx, &slug)?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let result = match parse_form(kind, &form) {
        Ok(values) => ctx.st.store.create(&actor, kind, values).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(rec) => Ok(
            Redirect::to(&format!("/inventory/{}/{}?done=saved", kind.slug(), rec.id))
                .into_response(),
        ),
        Err(StoreError::Invalid(errors)) => {
            let titles = Titles::load(&ctx, &actor, kind).await?;
            let page = form_page(&ctx, &titles, new_form_input(&ctx, kind, &form, &errors));
            ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

pub async fn edit_form(ctx: Ctx, Path((slug, id)): Path<(String, i64)>) -> PageResult {
    let actor = ctx.require_actor()?;
    let kind = kind_of(&ctx, &slug)?;
    let rec = ctx
        .st
        .store
        .get(&actor, kind, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    if !ctx
        .st
        .store
        .may_write(&actor, kind, id)
        .await
        .map_err(|e| ctx.store_error(e))?
    {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let titles = Titles::load(&ctx, &actor, kind).await?;
    let values = record_inputs(&rec);
    let page = form_page(
        &ctx,
        &titles,
        FormInput {
            kind,
            title: ctx.ta("title-edit", &[("name", rec.title())]),
            action: format!("/inventory/{}/{}", kind.slug(), id),
            version: rec.version,
            values: &values,
            errors: &[],
            stale: None,
            cancel: format!("/inventory/{}/{}", kind.slug(), id),
        },
    );
    ctx.render(&page)
}

pub async fn update(
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let kind = kind_of(&ctx, &slug)?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let base: i64 = form
        .get("row_version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let result = match parse_form(kind, &form) {
        Ok(values) => ctx.st.store.update(&actor, kind, id, base, values).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    let titles = Titles::load(&ctx, &actor, kind).await?;
    let (errors, stale, version, status) = match result {
        Ok(_) => {
            return Ok(
                Redirect::to(&format!("/inventory/{}/{}?done=saved", kind.slug(), id))
                    .into_response(),
            )
        }
        Err(StoreError::Invalid(errors)) => (errors, None, base, StatusCode::UNPROCESSABLE_ENTITY),
        Err(StoreError::Stale { current, changes }) => {
            let view = StaleView {
                heading: ctx.t("stale-title"),
                message: ctx.ta(
                    "stale-message",
                    &[
                        ("version", current.version.to_string()),
                        ("time", ctx.datetime(current.updated_at_ms)),
                    ],
                ),
                col_field: ctx.t("stale-col-field"),
                col_before: ctx.t("stale-col-before"),
                col_after: ctx.t("stale-col-after"),
                changes: changes
                    .iter()
                    .map(|c| {
                        let spec = kind.field(c.field);
                        let show = |v: &Value| match spec {
                            Some(s) => display(&ctx, &titles, s.ty, v).text,
                            None => v.to_input_string(),
                        };
                        ChangeView {
                            field: ctx.tr.field(c.field),
                            before: show(&c.before),
                            after: show(&c.after),
                        }
                    })
                    .collect(),
            };
            // The form keeps the user's own input; saving again (now based
            // on the current version) is their informed choice.
            (
                Vec::new(),
                Some(view),
                current.version,
                StatusCode::CONFLICT,
            )
        }
        Err(e) => return Err(ctx.store_error(e)),
    };
    let page = form_page(
        &ctx,
        &titles,
        FormInput {
            kind,
            title: ctx.t("title-edit-generic"),
            action: format!("/inventory/{}/{}", kind.slug(), id),
            version,
            values: &form,
            errors: &errors,
            stale,
            cancel: format!("/inventory/{}/{}", kind.slug(), id),
        },
    );
    ctx.render_status(status, &page)
}

#[derive(Deserialize)]
pub struct DeleteForm {
    csrf: String,
    row_version: i64,
}
use serde::Deserialize;

pub async fn delete(
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<DeleteForm>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let kind = kind_of(&ctx, &slug)?;
    ctx.check_csrf(&f.csrf)?;
    match ctx.st.store.delete(&actor, kind, id, f.row_version).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/inventory/{}?done=deleted", kind.slug())).into_response())
        }
        Err(StoreError::Stale { .. }) => Err(ctx.error(StatusCode::CONFLICT, "error-stale-delete")),
        Err(e) => Err(ctx.store_error(e)),
    }
}

pub struct ViewField {
    pub label: String,
    pub text: String,
    pub href: Option<String>,
}

pub struct Section {
    pub heading: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    pub empty: String,
    pub add_href: Option<String>,
    pub add_label: String,
}

pub struct SbomForm {
    pub heading: String,
    pub action: String,
    pub file_label: String,
    pub hint: String,
    pub submit: String,
    /// The Vuls scan result upload beside it.
    pub vuls_heading: String,
    pub vuls_action: String,
    pub vuls_hint: String,
}

#[derive(Template)]
#[template(path = "view.html")]
struct ViewPage {
    l: Layout,
    meta: String,
    version: i64,
    edit_href: Option<String>,
    edit_label: String,
    delete_action: Option<String>,
    delete_label: String,
    fields: Vec<ViewField>,
    sections: Vec<Section>,
    sbom: Option<SbomForm>,
    cpe_suggest: Option<CpeSuggest>,
}

/// CPE names from the stored feeds for a component that has none, each
/// one click from being its CPE name (DESIGN §3).
pub struct CpeSuggest {
    pub heading: String,
    pub hint: String,
    pub action: String,
    pub button: String,
    pub items: Vec<(String, i64)>,
}

/// A CPE 2.3 name for an application, with the version when it is plain.
fn suggested_cpe(vendor: &str, product: &str, version: Option<&str>) -> Option<String> {
    let plain = |v: &str| {
        !v.is_empty()
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    };
    let version = version.map(str::trim).filter(|v| plain(v)).unwrap_or("*");
    let cpe = format!("cpe:2.3:a:{vendor}:{product}:{version}:*:*:*:*:*:*:*");
    sonae_domain::value::is_cpe23(&cpe).then_some(cpe)
}

/// `POST /inventory/components/{id}/cpe`: take a suggested CPE name.
pub async fn use_cpe(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let store = &ctx.st.store;
    let rec = store
        .get(&actor, Kind::Component, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let cpe = form
        .get("cpe")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    if !sonae_domain::value::is_cpe23(&cpe) {
        return Err(ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "err-bad-cpe"));
    }
    let mut values = rec.values.clone();
    values.insert("cpe", Value::Text(cpe));
    match store
        .update(&actor, Kind::Component, id, rec.version, values)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/inventory/components/{id}?done=1")).into_response()),
        Err(e) => Err(ctx.store_error(e)),
    }
}

pub async fn view(
    ctx: Ctx,
    Path((slug, id)): Path<(String, i64)>,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let kind = kind_of(&ctx, &slug)?;
    let store = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let rec = store.get(&actor, kind, id).await.map_err(err)?;
    let writable = store.may_write(&actor, kind, id).await.map_err(err)?;
    let titles = Titles::load(&ctx, &actor, kind).await?;
    let fields = kind
        .fields()
        .iter()
        .map(|f| {
            let c = display(&ctx, &titles, f.ty, rec.get(f.name));
            ViewField {
                label: ctx.tr.field(f.name),
                text: c.text,
                href: c.href,
            }
        })
        .collect();
    let mut sections = Vec::new();
    if kind == Kind::System {
        let comps = store
            .list(
                &actor,
                Kind::Component,
                &ListQuery {
                    eq: vec![("system_id", Value::Int(id))],
                    limit: 1000,
                    ..Default::default()
                },
            )
            .await
            .map_err(err)?;
        let cols = ["product", "vendor", "version", "cpe", "purl", "source"];
        let may_add = may_write_some(&actor, Kind::Component);
        sections.push(Section {
            heading: ctx.tr.kind(Kind::Component),
            columns: cols.iter().map(|c| ctx.tr.field(c)).collect(),
            rows: comps
                .items
                .iter()
                .map(|c| Row {
                    cells: cols
                        .iter()
                        .map(|f| {
                            let spec = Kind::Component
                                .field(f)
                                .map(|s| s.ty)
                                .unwrap_or(FieldType::Text);
                            let mut cell = display(&ctx, &titles, spec, c.get(f));
                            if *f == "product" {
                                cell.href = Some(format!("/inventory/components/{}", c.id));
                            }
                            cell
                        })
                        .collect(),
                })
                .collect(),
            empty: ctx.t("empty-components"),
            add_href: may_add.then(|| format!("/inventory/components/new?system_id={id}")),
            add_label: ctx.t("action-add-component"),
        });
    }
    if kind == Kind::System {
        // Findings of the last match, each with why it matched (DESIGN §3).
        let mut found = store.findings(&actor, Some(id), 500).await.map_err(err)?;
        // Priority from the vulnerability's and this system's facts (DESIGN §3),
        // the nearest due date first.
        let policy = store.priority_policy().await.map_err(err)?;
        found.sort_by_key(|f| {
            (
                sonae_domain::workflow::Status::parse(&f.status).is_none_or(|s| !s.is_open()),
                f.due_at_ms.unwrap_or(i64::MAX),
                std::cmp::Reverse((f.cvss.unwrap_or(0.0) * 10.0) as i64),
            )
        });
        let comp_titles: HashMap<i64, String> = store
            .titles(&actor, Kind::Component, Access::Read)
            .await
            .map_err(err)?
            .into_iter()
            .collect();
        sections.push(Section {
            heading: ctx.t("findings-title"),
            columns: [
                "findings-col-priority",
                "findings-col-due",
                "findings-col-vuln",
                "findings-col-component",
                "findings-col-certainty",
                "findings-col-reason",
                "findings-col-status",
            ]
            .iter()
            .map(|k| ctx.t(k))
            .collect(),
            rows: found
                .iter()
                .map(|f| Row {
                    cells: vec![
                        Cell {
                            text: {
                                let (p, why) = crate::findings::priority_text(&ctx, f, &policy);
                                format!("{p} ({why})")
                            },
                            href: None,
                        },
                        Cell {
                            text: f.due_at_ms.map(|d| ctx.date(d)).unwrap_or_default(),
                            href: None,
                        },
                        Cell {
                            text: f.vuln_id.clone(),
                            href: Some(format!("/vulns/{}", f.vuln_id)),
                        },
                        Cell {
                            text: comp_titles
                                .get(&f.component_id)
                                .cloned()
                                .unwrap_or_default(),
                            href: Some(format!("/inventory/components/{}", f.component_id)),
                        },
                        Cell {
                            text: ctx.t(&format!("findings-certainty-{}", f.certainty)),
                            href: None,
                        },
                        Cell {
                            text: f.reason.clone(),
                            href: None,
                        },
                        Cell {
                            text: crate::findings::status_label(&ctx, &f.status),
                            href: Some(format!("/findings/{}", f.id)),
                        },
                    ],
                })
                .collect(),
            empty: ctx.t("findings-empty"),
            add_href: Some("/findings.csv".to_owned()),
            add_label: ctx.t("findings-export"),
        });
    }
    if kind == Kind::System {
        // Inherited RTO/RPO and what cannot meet them (DESIGN §6).
        sections.extend(crate::continuity::system_section(&ctx, &actor, id).await?);
    }
    // The record's history from the audit log: for components this is the
    // patch history (every version change, who and when).
    let history = store
        .audit_page(Some((kind.slug(), id)), 0, 50)
        .await
        .map_err(err)?;
    sections.push(Section {
        heading: ctx.t("history-title"),
        columns: vec![
            ctx.t("audit-col-time"),
            ctx.t("audit-col-actor"),
            ctx.t("audit-col-action"),
            ctx.t("audit-col-changes"),
        ],
        rows: history
            .entries
            .iter()
            .map(|e| Row {
                cells: vec![
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
                        text: changed_fields(&ctx, kind, e.before.as_deref(), e.after.as_deref()),
                        href: None,
                    },
                ],
            })
            .collect(),
        empty: String::new(),
        add_href: None,
        add_label: String::new(),
    });
    let mut l = ctx.layout(format!(
        "{}: {}",
        ctx.t(&format!("kind-{}-one", kind.slug())),
        rec.title()
    ));
    l.flash = params.get("done").map(|_| ctx.t("flash-saved"));
    let cpe_suggest = if kind == Kind::Component
        && writable
        && rec.get("cpe").as_text().is_none_or(|c| c.trim().is_empty())
    {
        let product = rec.get("product").as_text().unwrap_or("").to_owned();
        let version = rec.get("version").as_text().map(str::to_owned);
        let items: Vec<(String, i64)> = store
            .cpe_suggestions(&product, 8)
            .await
            .map_err(err)?
            .into_iter()
            .filter_map(|s| {
                suggested_cpe(&s.vendor, &s.product, version.as_deref()).map(|c| (c, s.records))
            })
            .collect();
        Some(CpeSuggest {
            heading: ctx.t("alias-suggest-heading"),
            hint: ctx.t(if items.is_empty() {
                "alias-suggest-none"
            } else {
                "alias-suggest-component"
            }),
            action: format!("/inventory/components/{id}/cpe"),
            button: ctx.t("alias-use"),
            items,
        })
    } else {
        None
    };
    let page = ViewPage {
        cpe_suggest,
        l,
        meta: ctx.ta(
            "record-meta",
            &[
                ("version", rec.version.to_string()),
                ("time", ctx.datetime(rec.updated_at_ms)),
            ],
        ),
        version: rec.version,
        edit_href: writable.then(|| format!("/inventory/{}/{}/edit", kind.slug(), id)),
        edit_label: ctx.t("action-edit"),
        delete_action: writable.then(|| format!("/inventory/{}/{}/delete", kind.slug(), id)),
        delete_label: ctx.t("action-delete"),
        fields,
        sections,
        sbom: (kind == Kind::System && may_write_some(&actor, Kind::Component)).then(|| SbomForm {
            heading: ctx.t("sbom-title"),
            action: format!("/inventory/systems/{id}/sbom"),
            file_label: ctx.t("sbom-file"),
            hint: ctx.t("sbom-hint"),
            submit: ctx.t("action-import"),
            vuls_heading: ctx.t("vuls-title"),
            vuls_action: format!("/inventory/systems/{id}/vuls"),
            vuls_hint: ctx.t("vuls-hint"),
        }),
    };
    ctx.render(&page)
}

/// "field: old → new" for each changed field of an audit entry.
fn changed_fields(ctx: &Ctx, kind: Kind, before: Option<&str>, after: Option<&str>) -> String {
    let parse = |s: Option<&str>| s.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
    let (b, a) = (parse(before), parse(after));
    let mut out = Vec::new();
    for f in kind.fields() {
        let bv = b
            .as_ref()
            .and_then(|j| j.get(f.name))
            .cloned()
            .unwrap_or_default();
        let av = a
            .as_ref()
            .and_then(|j| j.get(f.name))
            .cloned()
            .unwrap_or_default();
        if bv != av && !(before.is_none() && av.is_null()) {
            let s = |v: &serde_json::Value| match v {
                serde_json::Value::Null => "—".to_owned(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if before.is_none() || after.is_none() {
                continue;
            }
            out.push(format!("{}: {} → {}", ctx.tr.field(f.name), s(&bv), s(&av)));
        }
    }
    out.join("; ")
}

// --- imports ------------------------------------------------------------------

pub struct ImportResult {
    pub class: &'static str,
    pub message: String,
    pub details: Vec<String>,
}

pub struct ColumnDoc {
    pub kind: String,
    pub columns: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    l: Layout,
    result: Option<ImportResult>,
    kind_label: String,
    kinds: Vec<Opt>,
    file_label: String,
    submit_label: String,
    columns_heading: String,
    columns_hint: String,
    column_docs: Vec<ColumnDoc>,
}

fn import_page_view(
    ctx: &Ctx,
    actor: &Actor,
    selected: Option<Kind>,
    result: Option<ImportResult>,
) -> ImportPage {
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| may_write_some(actor, *k))
        .collect();
    ImportPage {
        l: ctx.layout(ctx.t("import-title")),
        result,
        kind_label: ctx.t("import-kind"),
        kinds: kinds
            .iter()
            .map(|k| Opt {
                value: k.slug().to_owned(),
                label: ctx.tr.kind(*k),
                selected: Some(*k) == selected,
            })
            .collect(),
        file_label: ctx.t("import-file"),
        submit_label: ctx.t("action-import"),
        columns_heading: ctx.t("import-columns"),
        columns_hint: ctx.t("import-columns-hint"),
        column_docs: kinds
            .iter()
            .map(|k| ColumnDoc {
                kind: ctx.tr.kind(*k),
                columns: csvio::headers(*k).join(","),
            })
            .collect(),
    }
}

pub async fn import_page(ctx: Ctx) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.render(&import_page_view(&ctx, &actor, Some(Kind::System), None))
}

/// Read a multipart upload: the text fields and one file, refusing files
/// over the limit with a message rather than a bare 413.
pub async fn read_upload(
    ctx: &Ctx,
    mut mp: Multipart,
) -> Result<(HashMap<String, String>, Vec<u8>), PageError> {
    let limit = ctx.st.config.max_upload_bytes;
    let too_large = || {
        PageError(ctx.message(
            StatusCode::PAYLOAD_TOO_LARGE,
            "error-too-large-title",
            ctx.ta(
                "error-too-large",
                &[("limit", format!("{}", limit / (1024 * 1024)))],
            ),
            Some(Link {
                href: "/inventory/import".into(),
                label: ctx.t("import-title"),
            }),
        ))
    };
    let mut fields = HashMap::new();
    let mut file = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(ctx.error(StatusCode::BAD_REQUEST, "error-bad-upload")),
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            // The name the browser gave, for the record (never used as a path).
            let file_name: String = field
                .file_name()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
                .take(200)
                .collect();
            fields.insert("file_name".to_owned(), file_name);
        }
        let mut field = field;
        let mut buf = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if buf.len() + chunk.len() > limit {
                        return Err(too_large());
                    }
                    buf.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                Err(_) => return Err(ctx.error(StatusCode::BAD_REQUEST, "error-bad-upload")),
            }
        }
        if name == "file" {
            file = buf;
        } else {
            fields.insert(name, String::from_utf8_lossy(&buf).into_owned());
        }
    }
    Ok((fields, file))
}

pub async fn import_post(ctx: Ctx, mp: Multipart) -> PageResult {
    let actor = ctx.require_actor()?;
    let (fields, file) = read_upload(&ctx, mp).await?;
    ctx.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
    let kind = kind_of(&ctx, fields.get("kind").map_or("", String::as_str))?;
    let result = match csvio::parse_import(&ctx, &actor, kind, &file).await? {
        Err(details) => {
            let r = ImportResult {
                class: "error",
                message: ctx.t("import-failed"),
                details,
            };
            return ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &import_page_view(&ctx, &actor, Some(kind), Some(r)),
            );
        }
        Ok(rows) => ctx.st.store.create_many(&actor, kind, &rows).await,
    };
    match result {
        Ok(n) => {
            let r = ImportResult {
                class: "flash",
                message: ctx.ta(
                    "import-done",
                    &[("count", n.to_string()), ("kind", ctx.tr.kind(kind))],
                ),
                details: Vec::new(),
            };
            ctx.render(&import_page_view(&ctx, &actor, Some(kind), Some(r)))
        }
        Err(StoreError::InvalidRow { line, errors }) => {
            let details = errors
                .iter()
                .map(|e| csvio::line_error(&ctx, kind, line, e))
                .collect();
            let r = ImportResult {
                class: "error",
                message: ctx.t("import-failed"),
                details,
            };
            ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &import_page_view(&ctx, &actor, Some(kind), Some(r)),
            )
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

/// The system an upload goes to, and the link back to its page.
async fn system_and_back(
    ctx: &Ctx,
    actor: &sonae_domain::Actor,
    id: i64,
) -> Result<(sonae_domain::inventory::Record, Option<Link>), PageError> {
    let system = ctx
        .st
        .store
        .get(actor, Kind::System, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let back = Some(Link {
        href: format!("/inventory/systems/{id}"),
        label: system.title(),
    });
    Ok((system, back))
}

/// `POST /inventory/systems/{id}/vuls`: a Vuls scan result (one server's
/// JSON) replaces the system's earlier Vuls components.
pub async fn vuls_post(ctx: Ctx, Path(id): Path<i64>, mp: Multipart) -> PageResult {
    let actor = ctx.require_actor()?;
    let (fields, file) = read_upload(&ctx, mp).await?;
    ctx.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
    let (system, back) = system_and_back(&ctx, &actor, id).await?;
    let host = match sonae_collect::parse_vuls_result(&file) {
        Ok(h) => h,
        Err(e) => {
            return Ok(ctx.message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "vuls-title",
                crate::vuls::error_text(&ctx, &e),
                back,
            ));
        }
    };
    let items = crate::vuls::components(&host);
    match ctx
        .st
        .store
        .replace_sourced(&actor, id, "vuls", &items)
        .await
    {
        Ok(s) => {
            let mut msg = ctx.ta(
                "vuls-done",
                &[
                    ("server", crate::vuls::system_name(&host)),
                    ("count", items.len().to_string()),
                    ("added", s.added.to_string()),
                    ("updated", s.updated.to_string()),
                    ("removed", s.removed.to_string()),
                ],
            );
            if crate::vuls::system_name(&host) != system.title() {
                msg.push(' ');
                msg.push_str(&ctx.t("vuls-other-name"));
            }
            Ok(ctx.message(StatusCode::OK, "vuls-title", msg, back))
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

pub async fn sbom_post(ctx: Ctx, Path(id): Path<i64>, mp: Multipart) -> PageResult {
    let actor = ctx.require_actor()?;
    let (fields, file) = read_upload(&ctx, mp).await?;
    ctx.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
    let (_, back) = system_and_back(&ctx, &actor, id).await?;
    let sbom = match sonae_import::parse_sbom(&file) {
        Ok(s) => s,
        Err(e) => {
            return Ok(ctx.message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "sbom-title",
                csvio::import_error_text(&ctx, &e),
                back,
            ));
        }
    };
    let mut dropped = 0usize;
    let rows: Vec<ImportRow> = sbom
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut v: BTreeMap<&'static str, Value> = BTreeMap::new();
            let text = |s: &Option<String>| s.clone().map_or(Value::Null, Value::Text);
            let cpe = c.cpe.clone().filter(|s| sonae_domain::value::is_cpe23(s));
            let purl = c.purl.clone().filter(|s| sonae_domain::value::is_purl(s));
            dropped += usize::from(c.cpe.is_some() && cpe.is_none())
                + usize::from(c.purl.is_some() && purl.is_none());
            v.insert("system_id", Value::Int(id));
            v.insert(
                "vendor",
                text(&c.vendor.as_ref().map(|s| s.chars().take(200).collect())),
            );
            v.insert("product", Value::Text(c.name.chars().take(200).collect()));
            v.insert(
                "version",
                text(&c.version.as_ref().map(|s| s.chars().take(200).collect())),
            );
            v.insert("cpe", text(&cpe));
            v.insert("purl", text(&purl));
            v.insert("source", Value::Text("sbom".into()));
            v.insert("notes", Value::Null);
            ImportRow {
                line: i as u64 + 1,
                values: v,
            }
        })
        .collect();
    match ctx
        .st
        .store
        .create_many(&actor, Kind::Component, &rows)
        .await
    {
        Ok(n) => {
            let mut msg = ctx.ta(
                "sbom-done",
                &[
                    ("count", n.to_string()),
                    ("skipped", sbom.skipped.len().to_string()),
                ],
            );
            if dropped > 0 {
                msg.push(' ');
                msg.push_str(&ctx.ta("sbom-dropped-ids", &[("count", dropped.to_string())]));
            }
            Ok(ctx.message(StatusCode::OK, "sbom-title", msg, back))
        }
        Err(StoreError::InvalidRow { line, errors }) => {
            let text = errors
                .iter()
                .map(|e| field_error_text(&ctx, e))
                .collect::<Vec<_>>()
                .join(", ");
            Ok(ctx.message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "sbom-title",
                ctx.ta(
                    "sbom-component-error",
                    &[("index", line.to_string()), ("error", text)],
                ),
                back,
            ))
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}
