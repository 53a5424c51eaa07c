//! Self-assessment catalogs and their scoring (DESIGN §7, seed 001 steps 2–3).
//!
//! A catalog is a data file (`catalogs/assessments/*.toml`, or one a user
//! uploads): its answer scale with the points of each answer, optional score
//! bands read against the total, parts, and numbered items written in our own
//! words in Japanese and English. [`parse_catalog`] is the only way to get a
//! [`Catalog`]; after it, ids are unique, every item belongs to a part and the
//! bands do not overlap.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// One answer of a catalog's scale, e.g. IPA's "done = 4 points".
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub points: i64,
    /// False for "not applicable": the item then leaves the maximum too.
    #[serde(default = "yes")]
    pub counts: bool,
    pub ja: String,
    pub en: String,
}

fn yes() -> bool {
    true
}

/// A reading of the total, e.g. IPA's "70–99 points".
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub min: i64,
    pub max: i64,
    pub ja: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub id: String,
    /// The source's own numbering, e.g. "Part 1" or "A.5".
    pub number: String,
    pub ja: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub part: String,
    /// The source's own numbering, e.g. "No.1" or "A.5.1.1".
    pub number: String,
    pub ja: String,
    pub en: String,
}

/// A validated catalog.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub id: String,
    pub ja: String,
    pub en: String,
    /// Where the structure and numbering come from.
    pub source: String,
    #[serde(default)]
    pub note_ja: String,
    #[serde(default)]
    pub note_en: String,
    pub scale: Vec<Choice>,
    #[serde(default)]
    pub bands: Vec<Band>,
    pub parts: Vec<Part>,
    pub items: Vec<Item>,
}

/// What is wrong with a catalog file, with the line when it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub line: Option<usize>,
    /// The field (or TOML path) at fault, e.g. `items[3].part`.
    pub field: String,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file is not TOML of the expected shape; the parser's words.
    Syntax(String),
    Required,
    TooLong {
        max: usize,
    },
    BadId,
    Duplicate,
    UnknownPart,
    EmptyPart,
    TooFewChoices,
    NoPositiveChoice,
    BandOrder,
    BandsOverlap,
    TooMany {
        max: usize,
    },
}

impl Problem {
    /// Message key (the web layer translates it).
    pub fn key(&self) -> &'static str {
        match self {
            Problem::Syntax(_) => "asm-err-syntax",
            Problem::Required => "asm-err-required",
            Problem::TooLong { .. } => "asm-err-too-long",
            Problem::BadId => "asm-err-bad-id",
            Problem::Duplicate => "asm-err-duplicate",
            Problem::UnknownPart => "asm-err-unknown-part",
            Problem::EmptyPart => "asm-err-empty-part",
            Problem::TooFewChoices => "asm-err-few-choices",
            Problem::NoPositiveChoice => "asm-err-no-positive",
            Problem::BandOrder => "asm-err-band-order",
            Problem::BandsOverlap => "asm-err-band-overlap",
            Problem::TooMany { .. } => "asm-err-too-many",
        }
    }
}

const MAX_TEXT: usize = 600;
const MAX_ITEMS: usize = 1000;

fn id_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// 1-based line of the `nth` (0-based) occurrence of `needle`.
fn line_of(src: &str, needle: &str, nth: usize) -> Option<usize> {
    let (pos, _) = src.match_indices(needle).nth(nth)?;
    Some(src[..pos].matches('\n').count() + 1)
}

/// Parse and check a catalog file; every problem is reported, not just the first.
pub fn parse_catalog(src: &str) -> Result<Catalog, Vec<CatalogError>> {
    let c: Catalog = match toml::from_str(src) {
        Ok(c) => c,
        Err(e) => {
            let line = e
                .span()
                .map(|s| src[..s.start.min(src.len())].matches('\n').count() + 1);
            return Err(vec![CatalogError {
                line,
                field: String::new(),
                problem: Problem::Syntax(e.message().to_owned()),
            }]);
        }
    };
    let mut errs = Vec::new();
    let mut err = |line: Option<usize>, field: String, problem: Problem| {
        errs.push(CatalogError {
            line,
            field,
            problem,
        })
    };
    let id_line = |id: &str, nth: usize| line_of(src, &format!("\"{id}\""), nth);
    if !id_ok(&c.id) {
        err(line_of(src, "id", 0), "id".into(), Problem::BadId);
    }
    let mut texts: Vec<(String, &str)> = vec![
        ("ja".into(), c.ja.as_str()),
        ("en".into(), c.en.as_str()),
        ("source".into(), c.source.as_str()),
    ];
    for (i, ch) in c.scale.iter().enumerate() {
        texts.push((format!("scale[{i}].ja"), &ch.ja));
        texts.push((format!("scale[{i}].en"), &ch.en));
    }
    for (i, b) in c.bands.iter().enumerate() {
        texts.push((format!("bands[{i}].ja"), &b.ja));
        texts.push((format!("bands[{i}].en"), &b.en));
    }
    for (i, p) in c.parts.iter().enumerate() {
        texts.push((format!("parts[{i}].ja"), &p.ja));
        texts.push((format!("parts[{i}].en"), &p.en));
    }
    for (i, it) in c.items.iter().enumerate() {
        texts.push((format!("items[{i}].ja"), &it.ja));
        texts.push((format!("items[{i}].en"), &it.en));
    }
    for (field, t) in texts {
        if t.trim().is_empty() {
            err(None, field, Problem::Required);
        } else if t.chars().count() > MAX_TEXT {
            err(None, field, Problem::TooLong { max: MAX_TEXT });
        }
    }
    // The scale.
    if c.scale.len() < 2 {
        err(
            line_of(src, "[[scale]]", 0),
            "scale".into(),
            Problem::TooFewChoices,
        );
    }
    if !c.scale.iter().any(|s| s.counts && s.points > 0) {
        err(
            line_of(src, "[[scale]]", 0),
            "scale".into(),
            Problem::NoPositiveChoice,
        );
    }
    check_ids(
        c.scale.iter().map(|s| s.id.as_str()),
        "scale",
        &id_line,
        &mut err,
    );
    // Parts and items.
    if c.parts.is_empty() {
        err(None, "parts".into(), Problem::Required);
    }
    if c.items.is_empty() {
        err(None, "items".into(), Problem::Required);
    }
    if c.items.len() > MAX_ITEMS {
        err(None, "items".into(), Problem::TooMany { max: MAX_ITEMS });
    }
    check_ids(
        c.parts.iter().map(|p| p.id.as_str()),
        "parts",
        &id_line,
        &mut err,
    );
    check_ids(
        c.items.iter().map(|p| p.id.as_str()),
        "items",
        &id_line,
        &mut err,
    );
    let parts: HashSet<&str> = c.parts.iter().map(|p| p.id.as_str()).collect();
    for (i, it) in c.items.iter().enumerate() {
        if !parts.contains(it.part.as_str()) {
            err(
                id_line(&it.id, 0),
                format!("items[{i}].part"),
                Problem::UnknownPart,
            );
        }
    }
    for (i, p) in c.parts.iter().enumerate() {
        if !c.items.iter().any(|it| it.part == p.id) {
            err(id_line(&p.id, 0), format!("parts[{i}]"), Problem::EmptyPart);
        }
    }
    // Bands: each in order, none overlapping.
    for (i, b) in c.bands.iter().enumerate() {
        if b.min > b.max {
            err(
                line_of(src, "[[bands]]", i),
                format!("bands[{i}]"),
                Problem::BandOrder,
            );
        }
        for (j, o) in c.bands.iter().enumerate().skip(i + 1) {
            if b.min <= o.max && o.min <= b.max {
                err(
                    line_of(src, "[[bands]]", j),
                    format!("bands[{j}]"),
                    Problem::BandsOverlap,
                );
            }
        }
    }
    if errs.is_empty() {
        Ok(c)
    } else {
        Err(errs)
    }
}

fn check_ids<'a>(
    ids: impl Iterator<Item = &'a str>,
    what: &str,
    id_line: &dyn Fn(&str, usize) -> Option<usize>,
    err: &mut impl FnMut(Option<usize>, String, Problem),
) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, id) in ids.enumerate() {
        if !id_ok(id) {
            err(id_line(id, 0), format!("{what}[{i}].id"), Problem::BadId);
            continue;
        }
        let n = seen.entry(id).or_insert(0);
        if *n > 0 {
            err(
                id_line(id, *n),
                format!("{what}[{i}].id"),
                Problem::Duplicate,
            );
        }
        *n += 1;
    }
}

/// The catalogs shipped in `catalogs/assessments/`.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "ipa-25",
        include_str!("../../../catalogs/assessments/ipa-25.toml"),
    ),
    (
        "ipa-5rules",
        include_str!("../../../catalogs/assessments/ipa-5rules.toml"),
    ),
    (
        "ipa-7actions",
        include_str!("../../../catalogs/assessments/ipa-7actions.toml"),
    ),
    (
        "meti-csm",
        include_str!("../../../catalogs/assessments/meti-csm.toml"),
    ),
    (
        "iso27001-2013",
        include_str!("../../../catalogs/assessments/iso27001-2013.toml"),
    ),
    (
        "iso27001-2022",
        include_str!("../../../catalogs/assessments/iso27001-2022.toml"),
    ),
];

/// The shipped catalogs, checked.
pub fn builtin() -> Result<Vec<Catalog>, String> {
    BUILTIN
        .iter()
        .map(|(name, src)| {
            let c = parse_catalog(src).map_err(|e| format!("{name}: {e:?}"))?;
            if c.id != *name {
                return Err(format!("{name}: id is {}", c.id));
            }
            Ok(c)
        })
        .collect()
}

pub const MAPPING_TOML: &str = include_str!("../../../catalogs/assessments/iso27001-mapping.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub source: String,
    /// 2013 control → the 2022 controls that carry it on.
    pub map: Vec<(String, Vec<String>)>,
    /// 2022 controls with no 2013 predecessor.
    pub new_in_2022: Vec<String>,
}

/// The 2013 → 2022 mapping, checked against both catalogs: every 2013
/// control maps to existing 2022 controls, and every 2022 control is either
/// reached or listed as new.
pub fn mapping() -> Result<Mapping, String> {
    let m: Mapping = toml::from_str(MAPPING_TOML).map_err(|e| e.to_string())?;
    let cats = builtin()?;
    let find = |id: &str| cats.iter().find(|c| c.id == id).ok_or(format!("no {id}"));
    let old = find("iso27001-2013")?;
    let new = find("iso27001-2022")?;
    let old_ids: HashSet<&str> = old.items.iter().map(|i| i.id.as_str()).collect();
    let new_ids: HashSet<&str> = new.items.iter().map(|i| i.id.as_str()).collect();
    let mut reached = HashSet::new();
    let mut mapped_old = HashSet::new();
    for (o, ns) in &m.map {
        if !old_ids.contains(o.as_str()) {
            return Err(format!("unknown 2013 control {o}"));
        }
        if !mapped_old.insert(o.as_str()) {
            return Err(format!("{o} mapped twice"));
        }
        if ns.is_empty() {
            return Err(format!("{o} maps to nothing"));
        }
        for n in ns {
            if !new_ids.contains(n.as_str()) {
                return Err(format!("{o} maps to unknown 2022 control {n}"));
            }
            reached.insert(n.as_str());
        }
    }
    if mapped_old.len() != old_ids.len() {
        return Err(format!(
            "{} of {} 2013 controls mapped",
            mapped_old.len(),
            old_ids.len()
        ));
    }
    for n in &m.new_in_2022 {
        if !new_ids.contains(n.as_str()) || reached.contains(n.as_str()) {
            return Err(format!("{n} is not a new 2022 control"));
        }
        reached.insert(n.as_str());
    }
    if reached.len() != new_ids.len() {
        return Err(format!(
            "{} of {} 2022 controls reached",
            reached.len(),
            new_ids.len()
        ));
    }
    Ok(m)
}

/// Points against the most the answered and unanswered items could give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    pub points: i64,
    pub max: i64,
    pub answered: usize,
    pub items: usize,
}

impl Score {
    /// 0–100, for charts; a negative total (all "don't know") shows as 0.
    pub fn percent(&self) -> f64 {
        if self.max <= 0 {
            0.0
        } else {
            (self.points.max(0) as f64 * 100.0 / self.max as f64).min(100.0)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub parts: Vec<(String, Score)>,
    pub total: Score,
}

impl Catalog {
    pub fn best(&self) -> i64 {
        self.scale
            .iter()
            .filter(|s| s.counts)
            .map(|s| s.points)
            .max()
            .unwrap_or(0)
    }

    pub fn choice(&self, id: &str) -> Option<&Choice> {
        self.scale.iter().find(|s| s.id == id)
    }

    pub fn title(&self, ja: bool) -> &str {
        if ja {
            &self.ja
        } else {
            &self.en
        }
    }

    /// The band the total falls in (IPA self-diagnosis: read the total
    /// against its bands).
    pub fn band(&self, total: i64) -> Option<&Band> {
        self.bands.iter().find(|b| b.min <= total && total <= b.max)
    }

    /// Scores per part and in total. Answers name choice ids; an unknown
    /// choice counts as unanswered. An unanswered item scores 0 but keeps
    /// its place in the maximum, as a blank line on the paper sheet would.
    pub fn score(&self, answers: &HashMap<String, String>) -> Scores {
        let best = self.best();
        let mut parts: Vec<(String, Score)> = self
            .parts
            .iter()
            .map(|p| (p.id.clone(), Score::default()))
            .collect();
        let mut total = Score::default();
        for it in &self.items {
            let choice = answers.get(&it.id).and_then(|a| self.choice(a));
            let (pts, max, answered) = match choice {
                Some(c) if !c.counts => (0, 0, true),
                Some(c) => (c.points, best, true),
                None => (0, best, false),
            };
            let counted = choice.is_none_or(|c| c.counts);
            for s in parts
                .iter_mut()
                .filter(|(p, _)| *p == it.part)
                .map(|(_, s)| s)
                .chain(std::iter::once(&mut total))
            {
                s.points += pts;
                s.max += max;
                s.answered += usize::from(answered);
                s.items += usize::from(counted);
            }
        }
        Scores { parts, total }
    }

    /// Items whose answer is below the best one (or unanswered), in catalog
    /// order: the improvement plan's candidates.
    pub fn gaps<'a>(&'a self, answers: &HashMap<String, String>) -> Vec<&'a Item> {
        let best = self.best();
        self.items
            .iter()
            .filter(
                |it| match answers.get(&it.id).and_then(|a| self.choice(a)) {
                    Some(c) => c.counts && c.points < best,
                    None => true,
                },
            )
            .collect()
    }
}

/// Axes of a radar chart: a point per part when there are three or more
/// parts, else a point per item (a chart needs three axes to have an area).
pub fn radar_axes(
    cat: &Catalog,
    scores: &Scores,
    answers: &HashMap<String, String>,
) -> Vec<(String, f64)> {
    if cat.parts.len() >= 3 {
        cat.parts
            .iter()
            .zip(&scores.parts)
            .map(|(p, (_, s))| (p.number.clone(), s.percent()))
            .collect()
    } else {
        let best = cat.best().max(1) as f64;
        cat.items
            .iter()
            .map(|it| {
                let pts = answers
                    .get(&it.id)
                    .and_then(|a| cat.choice(a))
                    .map_or(0, |c| c.points.max(0));
                (it.number.clone(), (pts as f64 * 100.0 / best).min(100.0))
            })
            .collect()
    }
}

/// Geometry of a radar chart, ready for an SVG template.
#[derive(Debug, Clone, PartialEq)]
pub struct Radar {
    pub size: f64,
    /// `points` attributes of the 25/50/75/100 % rings.
    pub rings: Vec<String>,
    /// The data polygon's `points`: one pair per axis.
    pub points: String,
    pub axes: Vec<RadarAxis>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RadarAxis {
    pub x2: String,
    pub y2: String,
    pub lx: String,
    pub ly: String,
    pub anchor: &'static str,
    pub label: String,
    pub value: String,
}

fn f1(x: f64) -> String {
    format!("{x:.1}")
}

/// Lay out a radar chart of values 0–100 on a square of `size` pixels,
/// first axis pointing up, clockwise.
pub fn radar(axes: &[(String, f64)], size: f64) -> Radar {
    let c = size / 2.0;
    let r = size * 0.34;
    let n = axes.len().max(1) as f64;
    let at = |i: usize, frac: f64| {
        let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n;
        (c + r * frac * a.cos(), c + r * frac * a.sin())
    };
    let poly = |frac: f64| {
        (0..axes.len())
            .map(|i| {
                let (x, y) = at(i, frac);
                format!("{},{}", f1(x), f1(y))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let rings = [0.25, 0.5, 0.75, 1.0].iter().map(|f| poly(*f)).collect();
    let points = axes
        .iter()
        .enumerate()
        .map(|(i, (_, v))| {
            let (x, y) = at(i, v.clamp(0.0, 100.0) / 100.0);
            format!("{},{}", f1(x), f1(y))
        })
        .collect::<Vec<_>>()
        .join(" ");
    let axes = axes
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let (x2, y2) = at(i, 1.0);
            let (lx, ly) = at(i, 1.18);
            let anchor = if (lx - c).abs() < 1.0 {
                "middle"
            } else if lx > c {
                "start"
            } else {
                "end"
            };
            RadarAxis {
                x2: f1(x2),
                y2: f1(y2),
                lx: f1(lx),
                ly: f1(ly + 4.0),
                anchor,
                label: label.clone(),
                value: format!("{v:.0}"),
            }
        })
        .collect();
    Radar {
        size,
        rings,
        points,
        axes,
    }
}

/// `points` of a small line chart of values 0–100, left to right.
pub fn sparkline(values: &[f64], width: f64, height: f64) -> String {
    let n = values.len();
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = if n <= 1 {
                width / 2.0
            } else {
                4.0 + (width - 8.0) * i as f64 / (n - 1) as f64
            };
            let y = height - 4.0 - (height - 8.0) * v.clamp(0.0, 100.0) / 100.0;
            format!("{},{}", f1(x), f1(y))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn cat(id: &str) -> Catalog {
        builtin().unwrap().into_iter().find(|c| c.id == id).unwrap()
    }

    #[test]
    fn shipped_catalogs_have_their_published_counts() {
        let count = |id: &str| cat(id).items.len();
        assert_eq!(count("ipa-25"), 25);
        assert_eq!(cat("ipa-25").parts.len(), 3);
        assert_eq!(count("ipa-5rules"), 5);
        assert_eq!(count("ipa-7actions"), 7);
        let csm = cat("meti-csm");
        let in_part = |p: &str| csm.items.iter().filter(|i| i.part == p).count();
        assert_eq!((in_part("principles"), in_part("items")), (3, 10));
        assert_eq!(count("iso27001-2013"), 114);
        assert_eq!(cat("iso27001-2013").parts.len(), 14);
        assert_eq!(count("iso27001-2022"), 93);
        assert_eq!(cat("iso27001-2022").parts.len(), 4);
        // The IPA parts hold items 1–5, 6–18 and 19–25.
        let ipa = cat("ipa-25");
        let per: Vec<usize> = ipa
            .parts
            .iter()
            .map(|p| ipa.items.iter().filter(|i| i.part == p.id).count())
            .collect();
        assert_eq!(per, vec![5, 13, 7]);
    }

    #[test]
    fn the_iso_mapping_covers_both_editions() {
        let m = mapping().unwrap();
        assert_eq!(m.map.len(), 114);
        assert_eq!(m.new_in_2022.len(), 11);
    }

    #[test]
    fn ipa_scale_and_bands_are_the_published_ones() {
        let ipa = cat("ipa-25");
        let pts: Vec<(&str, i64)> = ipa
            .scale
            .iter()
            .map(|s| (s.id.as_str(), s.points))
            .collect();
        assert_eq!(
            pts,
            vec![("done", 4), ("partly", 2), ("not_done", 0), ("unknown", -1)]
        );
        assert_eq!(ipa.band(100).map(|b| b.min), Some(100));
        assert_eq!(ipa.band(99).map(|b| b.min), Some(70));
        assert_eq!(ipa.band(70).map(|b| b.min), Some(70));
        assert_eq!(ipa.band(69).map(|b| b.min), Some(50));
        assert_eq!(ipa.band(49).map(|b| b.max), Some(49));
        assert_eq!(ipa.band(-25).map(|b| b.max), Some(49));
    }

    #[test]
    fn a_known_answer_sheet_adds_up_as_on_paper() {
        // Worked by hand on the paper sheet: items 1–10 done (10 × 4 = 40),
        // 11–18 partly (8 × 2 = 16), 19–22 not done (0), 23–25 don't know
        // (3 × −1 = −3): total 53, in the 50–69 band.
        // Part 1: 5 × 4 = 20 of 20. Part 2: 5 × 4 + 8 × 2 = 36 of 52.
        // Part 3: 0 + 0 + 0 + 0 − 3 = −3 of 28.
        let ipa = cat("ipa-25");
        let mut a = HashMap::new();
        for n in 1..=25 {
            let c = match n {
                1..=10 => "done",
                11..=18 => "partly",
                19..=22 => "not_done",
                _ => "unknown",
            };
            a.insert(n.to_string(), c.to_owned());
        }
        let s = ipa.score(&a);
        assert_eq!(s.total.points, 53);
        assert_eq!(s.total.max, 100);
        let parts: Vec<(i64, i64)> = s.parts.iter().map(|(_, p)| (p.points, p.max)).collect();
        assert_eq!(parts, vec![(20, 20), (36, 52), (-3, 28)]);
        assert_eq!(ipa.band(s.total.points).map(|b| b.min), Some(50));
        assert_eq!(ipa.gaps(&a).len(), 15);
        let axes = radar_axes(&ipa, &s, &a);
        assert_eq!(axes.len(), 3);
        assert_eq!(axes[0].1, 100.0);
        assert_eq!(axes[2].1, 0.0);
        // All done is the full 100.
        let all: HashMap<String, String> = (1..=25)
            .map(|n| (n.to_string(), "done".to_owned()))
            .collect();
        assert_eq!(ipa.score(&all).total.points, 100);
        assert_eq!(ipa.band(100).map(|b| b.max), Some(100));
    }

    #[test]
    fn not_applicable_leaves_the_maximum() {
        let iso = cat("iso27001-2022");
        let mut a = HashMap::new();
        a.insert("5.1".to_owned(), "na".to_owned());
        a.insert("5.2".to_owned(), "done".to_owned());
        let s = iso.score(&a);
        assert_eq!(s.total.items, 92);
        assert_eq!(s.total.max, 92 * 4);
        assert_eq!(s.total.points, 4);
    }

    #[test]
    fn radar_has_one_point_per_axis() {
        let axes: Vec<(String, f64)> =
            vec![("a".into(), 100.0), ("b".into(), 50.0), ("c".into(), 0.0)];
        let r = radar(&axes, 200.0);
        assert_eq!(r.points.split(' ').count(), 3);
        // First axis points straight up from the centre.
        assert!(r.points.starts_with("100.0,32.0"));
        assert_eq!(r.rings.len(), 4);
        assert_eq!(sparkline(&[0.0, 100.0], 100.0, 40.0), "4.0,36.0 96.0,4.0");
    }

    #[test]
    fn bad_catalogs_are_refused_with_line_and_field() {
        let e = parse_catalog("id = \"x\"\nja = ").unwrap_err();
        assert!(matches!(e[0].problem, Problem::Syntax(_)));
        assert_eq!(e[0].line, Some(2));
        let src = r#"id = "demo"
ja = "試験"
en = "Test"
source = "ours"
[[scale]]
id = "yes"
points = 1
ja = "はい"
en = "Yes"
[[scale]]
id = "no"
points = 0
ja = "いいえ"
en = "No"
[[parts]]
id = "p"
number = "1"
ja = "部"
en = "Part"
[[items]]
id = "a"
part = "p"
number = "1"
ja = "一"
en = "One"
[[items]]
id = "a"
part = "q"
number = "2"
ja = "二"
en = ""
"#;
        let e = parse_catalog(src).unwrap_err();
        let has = |field: &str, p: Problem| e.iter().any(|x| x.field == field && x.problem == p);
        assert!(has("items[1].id", Problem::Duplicate), "{e:?}");
        assert!(has("items[1].part", Problem::UnknownPart), "{e:?}");
        assert!(has("items[1].en", Problem::Required), "{e:?}");
        let dup = e.iter().find(|x| x.problem == Problem::Duplicate).unwrap();
        assert_eq!(dup.line, Some(27));
        // A fixed copy is accepted.
        let ok = src
            .replacen("id = \"a\"\npart = \"q\"", "id = \"b\"\npart = \"p\"", 1)
            .replace("en = \"\"", "en = \"Two\"");
        assert_eq!(parse_catalog(&ok).unwrap().items.len(), 2);
    }
}
