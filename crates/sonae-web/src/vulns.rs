//! Vulnerability pages (DESIGN §2): the list with filters, a detail page
//! with every source's data side by side, and the feed status page.

use crate::ctx::{Ctx, Layout, Link, PageResult};
use crate::inventory::{Cell, Opt, Row};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use sonae_domain::vuln::{Configuration, Feed, Operator, SourceRecord};
use sonae_store::{FeedState, VulnQuery, VulnRow};
use std::collections::HashMap;

pub const PAGE: i64 = 50;

pub struct Input {
    pub name: &'static str,
    pub label: String,
    pub widget: &'static str,
    pub value: String,
    pub options: Vec<Opt>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "vulns.html")]
struct ListPage {
    l: Layout,
    warnings: Vec<String>,
    inputs: Vec<Input>,
    any_label: String,
    filter_label: String,
    columns: Vec<String>,
    rows: Vec<Row>,
    empty_label: String,
    next_href: Option<String>,
    next_label: String,
}

/// Warnings for feeds whose data is older than the configured age, or that
/// never loaded.
pub fn stale_warnings(ctx: &Ctx, states: &[FeedState]) -> Vec<String> {
    let now = ctx.st.store.clock().now_ms();
    let max_ms = ctx.st.config.feed_stale_hours * 3_600_000;
    let mut out = Vec::new();
    for s in states {
        let Some(last) = s.last_success_ms else {
            continue;
        };
        if now - last > max_ms {
            out.push(ctx.ta(
                "feeds-stale",
                &[
                    ("feed", ctx.t(&format!("feed-{}", s.feed))),
                    ("hours", ((now - last) / 3_600_000).to_string()),
                ],
            ));
        }
    }
    out
}

fn num(
    ctx: &Ctx,
    params: &HashMap<String, String>,
    name: &str,
    min: f64,
    max: f64,
    errors: &mut HashMap<&'static str, String>,
    key: &'static str,
) -> Option<f64> {
    let raw = params
        .get(name)
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())?;
    match raw.parse::<f64>() {
        Ok(v) if (min..=max).contains(&v) => Some(v),
        _ => {
            errors.insert(
                key,
                ctx.ta(
                    "err-out-of-range",
                    &[("min", min.to_string()), ("max", max.to_string())],
                ),
            );
            None
        }
    }
}

fn date(
    ctx: &Ctx,
    params: &HashMap<String, String>,
    name: &'static str,
    errors: &mut HashMap<&'static str, String>,
) -> Option<String> {
    let raw = params
        .get(name)
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())?;
    match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
        Err(_) => {
            errors.insert(name, ctx.t("err-not-date"));
            None
        }
    }
}

pub fn title_of(ctx: &Ctx, v: &sonae_domain::vuln::VulnSummary) -> String {
    let ja = v.title_ja.clone();
    let en = v.title.clone().or_else(|| {
        v.description
            .as_ref()
            .map(|d| d.chars().take(140).collect())
    });
    let pick = match ctx.tr.lang {
        crate::Lang::Ja => ja.or(en),
        crate::Lang::En => en.or(ja),
    };
    pick.unwrap_or_default()
}

fn cvss_text(v: &VulnRow) -> String {
    match (v.summary.cvss_score, &v.summary.cvss_version) {
        (Some(s), Some(ver)) => format!("{s:.1} (v{ver})"),
        (Some(s), None) => format!("{s:.1}"),
        _ => String::new(),
    }
}

pub async fn list(ctx: Ctx, Query(params): Query<HashMap<String, String>>) -> PageResult {
    ctx.require_actor()?;
    let mut errors = HashMap::new();
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let feed = params.get("feed").and_then(|f| Feed::parse(f));
    let q = VulnQuery {
        q: params.get("q").cloned(),
        cvss_min: num(
            &ctx,
            &params,
            "cvss_min",
            0.0,
            10.0,
            &mut errors,
            "cvss_min",
        ),
        cvss_max: num(
            &ctx,
            &params,
            "cvss_max",
            0.0,
            10.0,
            &mut errors,
            "cvss_max",
        ),
        kev: get("kev") == "1",
        epss_min: num(
            &ctx,
            &params,
            "epss_min",
            0.0,
            100.0,
            &mut errors,
            "epss_min",
        )
        .map(|p| p / 100.0),
        product: params.get("product").cloned(),
        published_from: date(&ctx, &params, "from", &mut errors),
        published_to: date(&ctx, &params, "to", &mut errors),
        feed,
        after: params
            .get("after")
            .and_then(|a| a.split_once('|'))
            .map(|(p, i)| (p.to_owned(), i.to_owned())),
        limit: PAGE,
    };
    let page = ctx
        .st
        .store
        .vuln_list(&q)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let states = ctx
        .st
        .store
        .feed_states()
        .await
        .map_err(|e| ctx.store_error(e))?;
    let next_href = (page.total < 0).then(|| {
        let last = page
            .items
            .last()
            .map(|r| (r.summary.published.clone(), r.summary.id.clone()))
            .unwrap_or_default();
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        let mut keys: Vec<_> = params.keys().filter(|k| *k != "after").collect();
        keys.sort();
        for k in keys {
            ser.append_pair(k, &params[k]);
        }
        ser.append_pair("after", &format!("{}|{}", last.0, last.1));
        format!("/vulns?{}", ser.finish())
    });
    let input = |name: &'static str, key: &str, widget: &'static str| Input {
        name,
        label: ctx.t(key),
        widget,
        value: get(name),
        options: Vec::new(),
        error: errors.get(name).cloned(),
    };
    let mut feed_input = input("feed", "vulns-filter-feed", "select");
    feed_input.options = Feed::ALL
        .iter()
        .filter(|f| **f != Feed::Epss)
        .map(|f| Opt {
            value: f.as_str().into(),
            label: ctx.t(&format!("feed-{}", f.as_str())),
            selected: get("feed") == f.as_str(),
        })
        .collect();
    let rows = page
        .items
        .iter()
        .map(|v| Row {
            cells: vec![
                Cell {
                    text: v.summary.id.clone(),
                    href: Some(format!("/vulns/{}", v.summary.id)),
                },
                Cell {
                    text: title_of(&ctx, &v.summary),
                    href: None,
                },
                Cell {
                    text: cvss_text(v),
                    href: None,
                },
                Cell {
                    text: if v.summary.kev {
                        ctx.t("value-yes")
                    } else if v.summary.exploited {
                        ctx.t("vuln-ssvc-active")
                    } else {
                        String::new()
                    },
                    href: None,
                },
                Cell {
                    text: v
                        .epss
                        .map(|e| format!("{:.1}%", e * 100.0))
                        .unwrap_or_default(),
                    href: None,
                },
                Cell {
                    text: v.summary.published.get(..10).unwrap_or("").to_owned(),
                    href: None,
                },
                Cell {
                    text: v
                        .summary
                        .feeds
                        .split(',')
                        .map(|f| ctx.t(&format!("feed-{f}")))
                        .collect::<Vec<_>>()
                        .join(", "),
                    href: None,
                },
            ],
        })
        .collect();
    let tpl = ListPage {
        l: ctx.layout(ctx.t("vulns-title")),
        warnings: stale_warnings(&ctx, &states),
        inputs: vec![
            input("q", "vulns-filter-text", "search"),
            input("cvss_min", "vulns-filter-cvss-min", "number"),
            input("cvss_max", "vulns-filter-cvss-max", "number"),
            input("kev", "vulns-filter-kev", "checkbox"),
            input("epss_min", "vulns-filter-epss", "number"),
            input("product", "vulns-filter-product", "text"),
            input("from", "vulns-filter-from", "date"),
            input("to", "vulns-filter-to", "date"),
            feed_input,
        ],
        any_label: ctx.t("filter-any"),
        filter_label: ctx.t("action-filter"),
        columns: [
            "vulns-col-id",
            "vulns-col-title",
            "vulns-col-cvss",
            "vulns-col-kev",
            "vulns-col-epss",
            "vulns-col-published",
            "vulns-col-sources",
        ]
        .iter()
        .map(|k| ctx.t(k))
        .collect(),
        rows,
        empty_label: ctx.t("vulns-empty"),
        next_href,
        next_label: ctx.t("page-next"),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.render_status(status, &tpl)
}

pub struct Fact {
    pub label: String,
    pub text: String,
}

pub struct SourceView {
    pub feed: &'static str,
    pub heading: String,
    pub meta: String,
    pub facts: Vec<Fact>,
    pub configs: Vec<String>,
    pub links: Vec<Link>,
}

#[derive(Template)]
#[template(path = "vuln.html")]
struct DetailPage {
    l: Layout,
    facts: Vec<Fact>,
    sources_heading: String,
    sources: Vec<SourceView>,
    configs_heading: String,
    refs_heading: String,
}

/// One NVD configuration as text: nodes with their operator, ranges spelled out.
pub fn config_text(ctx: &Ctx, c: &Configuration) -> String {
    let op = |o: Operator| if o == Operator::And { "AND" } else { "OR" };
    let nodes: Vec<String> = c
        .nodes
        .iter()
        .map(|n| {
            let matches: Vec<String> = n
                .cpe_match
                .iter()
                .map(|m| {
                    let mut range = Vec::new();
                    if let Some(v) = &m.version_start_including {
                        range.push(format!("≥ {v}"));
                    }
                    if let Some(v) = &m.version_start_excluding {
                        range.push(format!("> {v}"));
                    }
                    if let Some(v) = &m.version_end_including {
                        range.push(format!("≤ {v}"));
                    }
                    if let Some(v) = &m.version_end_excluding {
                        range.push(format!("< {v}"));
                    }
                    let mut t = m.criteria.clone();
                    if !range.is_empty() {
                        t.push_str(&format!(" [{}]", range.join(", ")));
                    }
                    if !m.vulnerable {
                        t.push_str(&format!(" ({})", ctx.t("vuln-not-vulnerable")));
                    }
                    t
                })
                .collect();
            format!(
                "{}{}({})",
                if n.negate { "NOT " } else { "" },
                op(n.operator),
                matches.join(" | ")
            )
        })
        .collect();
    match c.operator {
        Some(o) => format!(
            "{}{} [{}]",
            if c.negate { "NOT " } else { "" },
            op(o),
            nodes.join(" ; ")
        ),
        None => nodes.join(" ; "),
    }
}

fn source_view(ctx: &Ctx, r: &SourceRecord, synced_ms: i64) -> SourceView {
    let mut facts = Vec::new();
    let mut fact = |key: &str, text: String| {
        if !text.is_empty() {
            facts.push(Fact {
                label: ctx.t(key),
                text,
            });
        }
    };
    fact("vuln-title", r.title.clone().unwrap_or_default());
    fact(
        "vuln-description",
        r.description.clone().unwrap_or_default(),
    );
    fact("vuln-status", r.status.clone().unwrap_or_default());
    fact(
        "vuln-cvss",
        r.cvss
            .iter()
            .map(|c| {
                format!(
                    "v{} {:.1} {} {}{}",
                    c.version,
                    c.base_score,
                    c.severity.clone().unwrap_or_default(),
                    c.vector.clone().unwrap_or_default(),
                    c.source
                        .as_ref()
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    fact("vuln-cwe", r.cwes.join(", "));
    fact(
        "vuln-published",
        r.published
            .as_deref()
            .map(|p| p.replace('T', " ").replace('Z', " UTC"))
            .unwrap_or_default(),
    );
    fact(
        "vuln-modified",
        r.modified
            .as_deref()
            .map(|p| p.replace('T', " ").replace('Z', " UTC"))
            .unwrap_or_default(),
    );
    fact(
        "vuln-affected",
        r.affected
            .iter()
            .map(|a| {
                let mut t = format!("{} {}", a.vendor, a.product);
                if let Some(c) = &a.cpe {
                    t.push_str(&format!(" ({c})"));
                }
                if !a.versions.is_empty() {
                    // Each version text with how sonae read it (or that it
                    // could not), so a person can check the reading.
                    let read: Vec<String> = a
                        .versions
                        .iter()
                        .map(|v| match sonae_match::jvn::reading(v) {
                            Some(rule) => {
                                format!("{v} ({})", ctx.ta("vuln-jvn-reading", &[("rule", rule)]))
                            }
                            None => format!("{v} ({})", ctx.t("vuln-jvn-unread")),
                        })
                        .collect();
                    t.push_str(&format!(": {}", read.join(" / ")));
                }
                t
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    fact(
        "vuln-packages",
        r.osv_affected
            .iter()
            .map(|a| {
                let ranges: Vec<String> = a
                    .ranges
                    .iter()
                    .map(|rg| {
                        let ev: Vec<String> = rg
                            .events
                            .iter()
                            .map(|e| match e {
                                sonae_domain::vuln::OsvEvent::Introduced(v) => {
                                    format!("introduced {v}")
                                }
                                sonae_domain::vuln::OsvEvent::Fixed(v) => format!("fixed {v}"),
                                sonae_domain::vuln::OsvEvent::LastAffected(v) => {
                                    format!("last_affected {v}")
                                }
                                sonae_domain::vuln::OsvEvent::Limit(v) => format!("limit {v}"),
                            })
                            .collect();
                        format!("{}: {}", rg.kind, ev.join(", "))
                    })
                    .collect();
                format!("{} {} — {}", a.ecosystem, a.name, ranges.join("; "))
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    if let Some(k) = &r.kev {
        fact(
            "vuln-kev",
            ctx.ta(
                "vuln-kev-detail",
                &[
                    ("added", k.date_added.clone()),
                    ("due", k.due_date.clone().unwrap_or_default()),
                    ("action", k.required_action.clone().unwrap_or_default()),
                ],
            ),
        );
        if k.known_ransomware {
            fact("vuln-ransomware", ctx.t("value-yes"));
        }
    }
    for c in &r.cve5 {
        let who = match (c.is_cna(), c.short_name.as_deref()) {
            (true, Some(n)) => format!("CNA ({n})"),
            (true, None) => "CNA".to_owned(),
            (false, Some(n)) => format!("ADP ({n})"),
            (false, None) => format!("ADP ({})", c.provider),
        };
        let status = |s: &str| match s {
            "affected" | "unaffected" | "unknown" => ctx.t(&format!("vuln-cve5-status-{s}")),
            other => other.to_owned(),
        };
        let mut lines: Vec<String> = Vec::new();
        if let Some(t) = c
            .title
            .as_deref()
            .filter(|t| r.title.as_deref() != Some(*t))
        {
            lines.push(t.to_owned());
        }
        for a in c.affected.iter().take(100) {
            let mut t = [a.vendor.as_deref(), a.product.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            if let Some(p) = &a.package_name {
                t.push_str(&format!(
                    " [{p}{}]",
                    a.collection_url
                        .as_deref()
                        .map(|u| format!(" @ {u}"))
                        .unwrap_or_default()
                ));
            }
            if !a.cpes.is_empty() {
                t.push_str(&format!(" ({})", a.cpes.join(", ")));
            }
            let versions: Vec<String> = a
                .versions
                .iter()
                .take(50)
                .map(|v| {
                    let range = match (&v.less_than, &v.less_than_or_equal) {
                        (Some(l), _) => format!("{} ≤ v < {l}", v.version),
                        (None, Some(l)) => format!("{} ≤ v ≤ {l}", v.version),
                        (None, None) => v.version.clone(),
                    };
                    let kind = v
                        .version_type
                        .as_deref()
                        .map(|k| format!(" ({k})"))
                        .unwrap_or_default();
                    format!("{range}{kind}: {}", status(&v.status))
                })
                .collect();
            if !versions.is_empty() {
                t.push_str(&format!(": {}", versions.join(" / ")));
            }
            t.push_str(&format!(
                "; {}",
                ctx.ta(
                    "vuln-cve5-default",
                    &[(
                        "status",
                        status(a.default_status.as_deref().unwrap_or("unknown"))
                    )]
                )
            ));
            lines.push(t);
        }
        if let Some(v) = &c.ssvc {
            let dash = || "-".to_owned();
            lines.push(ctx.ta(
                "vuln-ssvc-detail",
                &[
                    ("exploitation", v.exploitation.clone().unwrap_or_else(dash)),
                    ("automatable", v.automatable.clone().unwrap_or_else(dash)),
                    ("impact", v.technical_impact.clone().unwrap_or_else(dash)),
                ],
            ));
        }
        if lines.is_empty() {
            continue;
        }
        facts.push(Fact {
            label: ctx.ta("vuln-cve5-container", &[("name", who)]),
            text: lines.join("\n"),
        });
    }
    let links = r
        .references
        .iter()
        .filter(|x| x.url.starts_with("https://") || x.url.starts_with("http://"))
        .take(50)
        .map(|x| Link {
            href: x.url.clone(),
            label: x.url.clone(),
        })
        .collect();
    SourceView {
        feed: r.feed.as_str(),
        heading: ctx.t(&format!("feed-{}", r.feed.as_str())),
        meta: ctx.ta(
            "vuln-source-meta",
            &[("id", r.id.clone()), ("time", ctx.datetime(synced_ms))],
        ),
        facts,
        configs: r
            .configurations
            .iter()
            .take(200)
            .map(|c| config_text(ctx, c))
            .collect(),
        links,
    }
}

pub async fn detail(ctx: Ctx, Path(id): Path<String>) -> PageResult {
    ctx.require_actor()?;
    let d = ctx
        .st
        .store
        .vuln_get(&id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let s = &d.row.summary;
    let mut facts = Vec::new();
    let mut fact = |key: &str, text: String| {
        if !text.is_empty() {
            facts.push(Fact {
                label: ctx.t(key),
                text,
            });
        }
    };
    fact("vuln-title-ja", s.title_ja.clone().unwrap_or_default());
    fact("vuln-title", s.title.clone().unwrap_or_default());
    fact(
        "vuln-cvss",
        cvss_text(&d.row)
            + &s.cvss_vector
                .as_ref()
                .map(|v| format!(" {v}"))
                .unwrap_or_default(),
    );
    fact("vuln-severity", s.severity.clone().unwrap_or_default());
    fact(
        "vulns-col-kev",
        if s.kev {
            ctx.ta(
                "vuln-kev-detail",
                &[
                    ("added", s.kev_date_added.clone().unwrap_or_default()),
                    ("due", s.kev_due_date.clone().unwrap_or_default()),
                    ("action", String::new()),
                ],
            )
        } else {
            ctx.t("value-no")
        },
    );
    if s.exploited {
        fact("vuln-ssvc", ctx.t("vuln-ssvc-active"));
    }
    fact(
        "vulns-col-epss",
        d.row
            .epss
            .map(|e| {
                ctx.ta(
                    "vuln-epss-detail",
                    &[
                        ("score", format!("{:.2}", e * 100.0)),
                        (
                            "percentile",
                            format!("{:.1}", d.row.epss_percentile.unwrap_or(0.0) * 100.0),
                        ),
                        ("date", d.epss_date.clone().unwrap_or_default()),
                    ],
                )
            })
            .unwrap_or_default(),
    );
    fact(
        "vuln-published",
        s.published.replace('T', " ").replace('Z', " UTC"),
    );
    fact("vuln-aliases", d.aliases.join(", "));
    let page = DetailPage {
        l: ctx.layout(s.id.clone()),
        facts,
        sources_heading: ctx.t("vuln-sources"),
        sources: d
            .sources
            .iter()
            .map(|e| source_view(&ctx, &e.record, e.synced_at_ms))
            .collect(),
        configs_heading: ctx.t("vuln-configurations"),
        refs_heading: ctx.t("vuln-references"),
    };
    ctx.render(&page)
}

pub struct ErrorList {
    pub heading: String,
    pub lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "feeds.html")]
struct FeedsPage {
    l: Layout,
    warnings: Vec<String>,
    columns: Vec<String>,
    rows: Vec<Row>,
    import_hint: String,
    errors: Vec<ErrorList>,
    coverage_heading: String,
    coverage_intro: String,
    coverage_columns: Vec<String>,
    coverage: Vec<Row>,
}

pub async fn feeds(ctx: Ctx) -> PageResult {
    ctx.require_actor()?;
    let store = &ctx.st.store;
    let states = store.feed_states().await.map_err(|e| ctx.store_error(e))?;
    let now = store.clock().now_ms();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for feed in Feed::ALL {
        let st = states
            .iter()
            .find(|s| s.feed == feed.as_str())
            .cloned()
            .unwrap_or_default();
        let age = st
            .data_time
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| {
                ctx.ta(
                    "feeds-age-days",
                    &[(
                        "days",
                        ((now - t.timestamp_millis()) / 86_400_000).to_string(),
                    )],
                )
            })
            .unwrap_or_default();
        rows.push(Row {
            cells: vec![
                Cell {
                    text: ctx.t(&format!("feed-{}", feed.as_str())),
                    href: None,
                },
                Cell {
                    text: st
                        .last_success_ms
                        .map(|m| ctx.datetime(m))
                        .unwrap_or_else(|| ctx.t("feeds-never")),
                    href: None,
                },
                Cell {
                    text: age,
                    href: None,
                },
                Cell {
                    text: st.records.to_string(),
                    href: None,
                },
                Cell {
                    text: st.skipped.to_string(),
                    href: None,
                },
                Cell {
                    text: st.last_error.clone().unwrap_or_default(),
                    href: None,
                },
            ],
        });
        let recent = store
            .feed_errors(feed, 20)
            .await
            .map_err(|e| ctx.store_error(e))?;
        if !recent.is_empty() {
            errors.push(ErrorList {
                heading: ctx.ta(
                    "feeds-skipped-heading",
                    &[("feed", ctx.t(&format!("feed-{}", feed.as_str())))],
                ),
                lines: recent
                    .iter()
                    .map(|(at, s)| format!("{} {}: {}", ctx.datetime(*at), s.id, s.reason))
                    .collect(),
            });
        }
    }
    // What share of recent CVEs each source describes in a form sonae can
    // match (NVD analyses only some of them since 2026).
    let since = chrono::DateTime::from_timestamp_millis(now - 30 * 86_400_000)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    let cov = store
        .coverage_since(&since)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let share = |n: i64| {
        if cov.total == 0 {
            "—".to_owned()
        } else {
            format!("{n} ({:.0} %)", n as f64 * 100.0 / cov.total as f64)
        }
    };
    let cell = |text: String| Cell { text, href: None };
    let mut coverage: Vec<Row> = [Feed::Nvd, Feed::Cve5, Feed::Jvn, Feed::Osv]
        .iter()
        .map(|f| {
            let n = cov
                .by_feed
                .iter()
                .find(|(g, _)| g == f)
                .map_or(0, |(_, n)| *n);
            Row {
                cells: vec![cell(ctx.t(&format!("feed-{}", f.as_str()))), cell(share(n))],
            }
        })
        .collect();
    coverage.push(Row {
        cells: vec![
            cell(ctx.t("feeds-coverage-any")),
            cell(share(cov.matchable)),
        ],
    });
    let page = FeedsPage {
        coverage_heading: ctx.t("feeds-coverage-heading"),
        coverage_intro: ctx.ta("feeds-coverage-intro", &[("n", cov.total.to_string())]),
        coverage_columns: vec![ctx.t("feeds-col-feed"), ctx.t("feeds-coverage-col")],
        coverage,
        l: ctx.layout(ctx.t("feeds-title")),
        warnings: stale_warnings(&ctx, &states),
        columns: [
            "feeds-col-feed",
            "feeds-col-success",
            "feeds-col-age",
            "feeds-col-records",
            "feeds-col-skipped",
            "feeds-col-error",
        ]
        .iter()
        .map(|k| ctx.t(k))
        .collect(),
        rows,
        import_hint: ctx.t("feeds-import-hint"),
        errors,
    };
    ctx.render(&page)
}
