//! Syncs against a local HTTP server replaying recorded feed answers, with
//! the faults real feeds show: 5xx, rate-limit answers, truncated bodies,
//! slow answers; a run killed midway resumes without loss or duplicates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sonae_domain::vuln::Feed;
use sonae_domain::SystemClock;
use sonae_store::Store;
use sonae_sync::{SyncConfig, Syncer};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
enum Fault {
    Status(u16, Option<u64>),
    Truncate,
    Slow(Duration),
}

#[derive(Default)]
struct Replay {
    /// Answers by "path?query-key", served in order; the last stays.
    bodies: HashMap<String, Vec<u8>>,
    faults: HashMap<String, VecDeque<Fault>>,
    log: Vec<String>,
}

type Shared = Arc<Mutex<Replay>>;

fn key(path: &str, query: &str) -> String {
    // Pages are told apart by their position parameter only.
    let pos = query
        .split('&')
        .find(|p| {
            p.starts_with("startIndex=")
                || p.starts_with("startItem=")
                || p.starts_with("method=getVulnDetailInfo")
        })
        .unwrap_or("");
    format!("{path}?{pos}")
}

async fn serve(State(st): State<Shared>, uri: axum::http::Uri, RawQuery(q): RawQuery) -> Response {
    let q = q.unwrap_or_default();
    let k = key(uri.path(), &q);
    let (fault, body) = {
        let mut r = st.lock().unwrap();
        r.log.push(format!("{}?{}", uri.path(), q));
        let fault = r.faults.get_mut(&k).and_then(|f| f.pop_front());
        (fault, r.bodies.get(&k).cloned())
    };
    match fault {
        Some(Fault::Status(code, retry_after)) => {
            let mut resp = (StatusCode::from_u16(code).unwrap(), "unavailable").into_response();
            if let Some(s) = retry_after {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, s.to_string().parse().unwrap());
            }
            return resp;
        }
        Some(Fault::Truncate) => {
            let b = body.unwrap_or_default();
            return b[..b.len() / 2].to_vec().into_response();
        }
        Some(Fault::Slow(d)) => tokio::time::sleep(d).await,
        None => {}
    }
    match body {
        Some(b) => b.into_response(),
        None => (StatusCode::NOT_FOUND, "no such recording").into_response(),
    }
}

async fn start(replay: Shared) -> String {
    let app = Router::new().fallback(get(serve)).with_state(replay);
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    format!("http://{addr}")
}

fn fixture(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../sonae-feeds/tests/fixtures")
        .join(p)
}

/// The recorded NVD API page (38 CVEs) split into pages of 15, with the
/// envelope numbers NVD would send.
fn nvd_pages(size: usize) -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(fixture("nvd/api2-page-vunnel.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let vulns = doc["vulnerabilities"].as_array().unwrap().clone();
    vulns
        .chunks(size)
        .enumerate()
        .map(|(i, chunk)| {
            serde_json::to_vec(&serde_json::json!({
                "resultsPerPage": chunk.len(), "startIndex": i * size, "totalResults": vulns.len(),
                "format": "NVD_CVE", "version": "2.0", "timestamp": "2024-04-07T00:00:00.000",
                "vulnerabilities": chunk,
            }))
            .unwrap()
        })
        .collect()
}

struct Env {
    store: Store,
    base: String,
    replay: Shared,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("SONAE_TEST_POSTGRES_URL") {
        Ok(admin) => {
            static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let name = format!(
                "sonae_sync_{}_{}",
                std::process::id(),
                N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            );
            let a = Store::connect(&admin, Arc::new(SystemClock)).await.unwrap();
            a.execute_admin(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            a.close().await;
            let mut u = url::Url::parse(&admin).unwrap();
            u.set_path(&name);
            u.to_string()
        }
        Err(_) => format!("sqlite://{}", dir.path().join("s.db").display()),
    };
    let store = Store::open(&url, Arc::new(SystemClock)).await.unwrap();
    let replay: Shared = Arc::default();
    let base = start(replay.clone()).await;
    Env {
        store,
        base,
        replay,
        _dir: dir,
    }
}

fn syncer(e: &Env, node: &str) -> Syncer {
    let cfg = SyncConfig {
        nvd_url: format!("{}/nvd", e.base),
        jvn_url: format!("{}/myjvn", e.base),
        jvn_bulk_url: format!("{}/jvnfeed/detail", e.base),
        kev_url: format!("{}/kev.json", e.base),
        epss_url: format!("{}/epss.csv.gz", e.base),
        osv_url: format!("{}/osv", e.base),
        osv_ecosystems: vec!["Go".into(), "PyPI".into()],
        retries: 3,
        backoff_ms: 5,
        timeout_s: 1,
        nvd_spacing_ms: 0,
        nvd_spacing_with_key_ms: 0,
        jvn_spacing_ms: 0,
        nvd_page_size: 15,
        ..SyncConfig::default()
    };
    Syncer {
        store: e.store.clone(),
        config: cfg,
        clock: Arc::new(SystemClock),
        node: node.into(),
    }
}

fn put(e: &Env, k: &str, body: Vec<u8>) {
    e.replay.lock().unwrap().bodies.insert(k.into(), body);
}
fn fault(e: &Env, k: &str, f: Fault) {
    e.replay
        .lock()
        .unwrap()
        .faults
        .entry(k.into())
        .or_default()
        .push_back(f);
}
fn log(e: &Env) -> Vec<String> {
    std::mem::take(&mut e.replay.lock().unwrap().log)
}

#[tokio::test]
async fn nvd_full_sync_rides_out_faults_then_syncs_incrementally() {
    let e = env().await;
    for (i, p) in nvd_pages(15).into_iter().enumerate() {
        put(&e, &format!("/nvd?startIndex={}", i * 15), p);
    }
    fault(&e, "/nvd?startIndex=0", Fault::Status(503, None));
    fault(&e, "/nvd?startIndex=15", Fault::Truncate);
    fault(&e, "/nvd?startIndex=30", Fault::Status(429, Some(0)));
    fault(&e, "/nvd?startIndex=30", Fault::Status(403, None));
    let s = syncer(&e, "a");
    let r = s.sync(Feed::Nvd).await.unwrap();
    assert_eq!(r.records, 38);
    assert_eq!(r.requests, 3, "three pages, retries not counted as pages");
    assert_eq!(e.store.vuln_count().await.unwrap(), 38);
    let requests = log(&e);
    assert_eq!(requests.len(), 3 + 4, "one retry per fault: {requests:?}");
    assert!(
        requests.iter().all(|q| !q.contains("lastModStartDate")),
        "the first run is a full load"
    );
    let st = e.store.feed_states().await.unwrap();
    let nvd = st.iter().find(|f| f.feed == "nvd").unwrap();
    assert!(nvd.last_error.is_none() && nvd.last_success_ms.is_some());
    assert_eq!(nvd.records, 38);
    // The next run asks only for what changed since.
    let r = s.sync(Feed::Nvd).await.unwrap();
    assert_eq!(r.records, 38, "the replay serves the same pages");
    let requests = log(&e);
    assert!(
        requests[0].contains("lastModStartDate=") && requests[0].contains("lastModEndDate="),
        "{requests:?}"
    );
    assert!(
        requests[0].contains("%2B00%3A00"),
        "dates carry an explicit UTC offset: {requests:?}"
    );
    assert_eq!(e.store.vuln_count().await.unwrap(), 38, "no duplicates");
}

#[tokio::test]
async fn nvd_sync_killed_midway_resumes_without_loss_or_duplicates() {
    let e = env().await;
    let pages = nvd_pages(15);
    put(&e, "/nvd?startIndex=0", pages[0].clone());
    // Page two keeps failing: the run gives up after its retries.
    for _ in 0..4 {
        fault(&e, "/nvd?startIndex=15", Fault::Status(500, None));
    }
    put(&e, "/nvd?startIndex=15", pages[1].clone());
    put(&e, "/nvd?startIndex=30", pages[2].clone());
    let s = syncer(&e, "a");
    let err = s.sync(Feed::Nvd).await.unwrap_err();
    assert!(err.to_string().contains("HTTP 500"), "{err}");
    assert_eq!(
        e.store.vuln_count().await.unwrap(),
        15,
        "the stored page stays"
    );
    let st = e.store.feed_states().await.unwrap();
    assert!(st
        .iter()
        .find(|f| f.feed == "nvd")
        .unwrap()
        .last_error
        .as_deref()
        .unwrap_or("")
        .contains("500"));
    log(&e);
    let r = s.sync(Feed::Nvd).await.unwrap();
    assert!(r.resumed);
    let requests = log(&e);
    assert!(
        requests
            .iter()
            .all(|q| !q.contains("startIndex=0&") && !q.ends_with("startIndex=0")),
        "resumes at page two: {requests:?}"
    );
    assert_eq!(e.store.vuln_count().await.unwrap(), 38);
    assert_eq!(r.records, 23);
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_retried() {
    let e = env().await;
    let pages = nvd_pages(50);
    put(&e, "/nvd?startIndex=0", pages[0].clone());
    fault(
        &e,
        "/nvd?startIndex=0",
        Fault::Slow(Duration::from_millis(1500)),
    );
    let r = syncer(&e, "a").sync(Feed::Nvd).await.unwrap();
    assert_eq!(r.records, 38);
    assert_eq!(log(&e).len(), 2);
}

#[tokio::test]
async fn kev_epss_and_osv_sync_from_recorded_files() {
    let e = env().await;
    put(
        &e,
        "/kev.json?",
        std::fs::read(fixture("kev/known_exploited_vulnerabilities-first23.json")).unwrap(),
    );
    put(
        &e,
        "/epss.csv.gz?",
        std::fs::read(fixture("epss/epss_scores-2023-03-07.csv.gz")).unwrap(),
    );
    fault(&e, "/epss.csv.gz?", Fault::Truncate);
    // An OSV ecosystem archive, made from recorded records.
    let zip_of = |files: &[&str]| {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            for f in files {
                z.start_file(*f, zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(
                    &mut z,
                    &std::fs::read(fixture(&format!("osv/{f}"))).unwrap(),
                )
                .unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    };
    put(&e, "/osv/Go/all.zip?", zip_of(&["GO-2020-0001.json"]));
    put(&e, "/osv/PyPI/all.zip?", zip_of(&["PYSEC-2023-1.json"]));
    let s = syncer(&e, "a");
    assert_eq!(s.sync(Feed::Kev).await.unwrap().records, 23);
    let epss = s.sync(Feed::Epss).await.unwrap();
    assert!(epss.records > 0);
    assert_eq!(s.sync(Feed::Osv).await.unwrap().records, 2);
    let v = e.store.vuln_get("GO-2020-0001").await.unwrap();
    assert_eq!(
        v.row.summary.id, "CVE-2020-36567",
        "OSV joins the CVE it aliases"
    );
    assert!(
        e.store
            .vuln_get("CVE-2025-48384")
            .await
            .unwrap()
            .row
            .summary
            .kev
    );
}

#[tokio::test]
async fn osv_resumes_after_the_ecosystems_it_finished() {
    let e = env().await;
    let go = {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        z.start_file(
            "GO-2020-0001.json",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        std::io::Write::write_all(
            &mut z,
            &std::fs::read(fixture("osv/GO-2020-0001.json")).unwrap(),
        )
        .unwrap();
        z.finish().unwrap();
        buf.into_inner()
    };
    put(&e, "/osv/Go/all.zip?", go);
    // PyPI is missing: the run fails after Go is stored.
    let s = syncer(&e, "a");
    assert!(s.sync(Feed::Osv).await.is_err());
    log(&e);
    put(&e, "/osv/PyPI/all.zip?", {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        z.start_file(
            "PYSEC-2023-1.json",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        std::io::Write::write_all(
            &mut z,
            &std::fs::read(fixture("osv/PYSEC-2023-1.json")).unwrap(),
        )
        .unwrap();
        z.finish().unwrap();
        buf.into_inner()
    });
    let r = s.sync(Feed::Osv).await.unwrap();
    assert!(r.resumed);
    assert_eq!(
        log(&e),
        vec!["/osv/PyPI/all.zip?".to_owned()],
        "Go is not fetched again"
    );
}

#[tokio::test]
async fn jvn_sync_reads_overview_then_details() {
    let e = env().await;
    let overview = std::fs::read_to_string(fixture("jvn/getVulnOverviewList_hnd.xml"))
        .unwrap()
        .replace("totalRes=\"6\"", "totalRes=\"2\"");
    put(&e, "/myjvn?startItem=1", overview.into_bytes());
    put(
        &e,
        "/myjvn?method=getVulnDetailInfo",
        std::fs::read(fixture("jvn/dataFeed_jvndb_detail_hnd.xml")).unwrap(),
    );
    fault(&e, "/myjvn?startItem=1", Fault::Status(502, None));
    let r = syncer(&e, "a").sync(Feed::Jvn).await.unwrap();
    assert_eq!(r.records, 2);
    // The recorded detail answer is about other entries: both are counted.
    assert_eq!(r.skipped, 2);
    let requests = log(&e);
    // No checksum list (404): the first load pages through the API.
    assert_eq!(requests[0], "/jvnfeed/checksum.txt?");
    assert!(requests
        .iter()
        .any(|q| q.contains("method=getVulnOverviewList")));
    assert!(requests
        .iter()
        .any(|q| q.contains("method=getVulnDetailInfo") && q.contains("vulnId=JVNDB-")));
    let st = e.store.feed_states().await.unwrap();
    assert_eq!(st.iter().find(|f| f.feed == "jvn").unwrap().records, 2);
}

#[tokio::test]
async fn only_one_node_syncs_a_feed_at_a_time() {
    let e = env().await;
    put(
        &e,
        "/kev.json?",
        std::fs::read(fixture("kev/known_exploited_vulnerabilities-first23.json")).unwrap(),
    );
    let far = sonae_domain::Clock::now_ms(&SystemClock) + 60_000;
    assert!(e
        .store
        .try_lock_feed(Feed::Kev, "node-a", far)
        .await
        .unwrap());
    let r = syncer(&e, "node-b").sync(Feed::Kev).await.unwrap();
    assert!(r.busy, "node b waits while node a holds the lease");
    assert!(log(&e).is_empty());
    e.store.unlock_feed(Feed::Kev, "node-a").await.unwrap();
    assert_eq!(
        syncer(&e, "node-b").sync(Feed::Kev).await.unwrap().records,
        23
    );
}

/// CVE List V5: the bulk zip (a zip holding a zip) once, then the deltas
/// of `cves/deltaLog.json` newer than the checkpoint, each record fetched
/// by the path made from its id; a run that fails in a delta resumes there.
#[tokio::test]
async fn cve5_baseline_then_deltas_resume_where_they_stopped() {
    let e = env().await;
    let rec = |name: &str| std::fs::read(fixture(&format!("cve5/{name}"))).unwrap();
    let zip = |entries: &[(&str, Vec<u8>)]| {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            for (name, body) in entries {
                z.start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(&mut z, body).unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    };
    let inner = zip(&[
        (
            "cves/2024/26xxx/CVE-2024-26120.json",
            rec("CVE-2024-26120.json"),
        ),
        (
            "cves/2019/25xxx/CVE-2019-25162.json",
            rec("CVE-2019-25162.json"),
        ),
        ("cves/delta.json", b"{}".to_vec()),
    ]);
    put(
        &e,
        "/baseline.zip?",
        zip(&[("2024-10-24_all_CVEs_at_midnight.zip", inner)]),
    );
    let log_body = serde_json::json!([
        {"fetchTime": "2024-10-24T02:00:00.000Z", "numberOfChanges": 1,
         "new": [{"cveId": "CVE-2023-24000"}], "updated": [], "error": []},
        {"fetchTime": "2024-10-24T01:00:00.000Z", "numberOfChanges": 1,
         "new": [], "updated": [{"cveId": "CVE-2019-1069"}], "error": []},
        {"fetchTime": "2024-10-24T03:00:00.000Z", "numberOfChanges": 2,
         "new": [{"cveId": "CVE-2023-39913"}], "updated": [{"cveId": "CVE-2023-24531"}], "error": []}
    ]);
    put(
        &e,
        "/cve5/cves/deltaLog.json?",
        serde_json::to_vec(&log_body).unwrap(),
    );
    put(
        &e,
        "/cve5/cves/2019/1xxx/CVE-2019-1069.json?",
        rec("CVE-2019-1069.json"),
    );
    put(
        &e,
        "/cve5/cves/2023/24xxx/CVE-2023-24000.json?",
        rec("CVE-2023-24000.json"),
    );
    put(
        &e,
        "/cve5/cves/2023/39xxx/CVE-2023-39913.json?",
        rec("CVE-2023-39913.json"),
    );
    // The last delta's second record is missing: the run fails there.
    let mut s = syncer(&e, "a");
    s.config.cve5_url = format!("{}/cve5", e.base);
    s.config.cve5_baseline_url = format!("{}/baseline.zip", e.base);
    assert!(s.sync(Feed::Cve5).await.is_err());
    let first = log(&e);
    assert!(first.iter().any(|l| l.starts_with("/baseline.zip")));
    for id in [
        "CVE-2024-26120",
        "CVE-2019-25162",
        "CVE-2019-1069",
        "CVE-2023-24000",
    ] {
        let v = e.store.vuln_get(id).await.unwrap();
        assert!(v.row.summary.feeds.contains("cve5"), "{id}");
    }
    // The oldest delta went first (CVE-2019-1069 before CVE-2023-24000).
    let order: Vec<&String> = first.iter().filter(|l| l.contains("/cves/20")).collect();
    assert!(order[0].contains("CVE-2019-1069"), "{order:?}");
    // Resume: no baseline again, the two finished deltas not again.
    put(
        &e,
        "/cve5/cves/2023/24xxx/CVE-2023-24531.json?",
        rec("CVE-2023-24531.json"),
    );
    let r = s.sync(Feed::Cve5).await.unwrap();
    assert!(r.resumed);
    assert_eq!(r.records, 2, "only the delta that failed");
    let second = log(&e);
    assert!(!second
        .iter()
        .any(|l| l.contains("baseline") || l.contains("CVE-2019-1069")));
    assert!(e.store.vuln_get("CVE-2023-24531").await.is_ok());
    // Nothing new: only the log is read.
    let r = s.sync(Feed::Cve5).await.unwrap();
    assert_eq!((r.records, r.requests), (0, 1));
}

fn jvn_errors(errors: &[(i64, sonae_domain::vuln::Skipped)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = errors
        .iter()
        .map(|(_, k)| (k.id.clone(), k.reason.clone()))
        .collect();
    v.sort();
    v
}

/// An entry the detail answer leaves out is stored from its overview
/// record and counted as skipped, with the reason on /feeds.
#[tokio::test]
async fn jvn_detail_answer_without_an_entry_keeps_the_overview_and_counts_it() {
    let e = env().await;
    // The 2022 yearly overview (3 entries) as the API's page; the detail
    // answer has only JVNDB-2022-000001 of them.
    put(
        &e,
        "/myjvn?startItem=1",
        std::fs::read(fixture("jvn/jvndb_2022.rdf")).unwrap(),
    );
    put(
        &e,
        "/myjvn?method=getVulnDetailInfo",
        std::fs::read(fixture("jvn/jvndb_detail_2022.rdf")).unwrap(),
    );
    let r = syncer(&e, "a").sync(Feed::Jvn).await.unwrap();
    assert_eq!((r.records, r.skipped), (3, 2));
    assert_eq!(r.requests, 3, "checksum list, overview, one detail call");
    // The returned detail brings its affected product; the others stand
    // from their overview records (the Android one with its sec:cpe).
    let jvn_record = |v: &sonae_store::VulnDetail| {
        v.sources
            .iter()
            .find(|s| s.record.feed == Feed::Jvn)
            .unwrap()
            .record
            .clone()
    };
    let canon = jvn_record(&e.store.vuln_get("CVE-2021-20877").await.unwrap());
    assert_eq!(canon.id, "JVNDB-2022-000001");
    assert_eq!(canon.affected.len(), 1, "from the detail record");
    assert_eq!(canon.affected[0].product, "(複数の製品)");
    let android = jvn_record(&e.store.vuln_get("CVE-2022-22292").await.unwrap());
    assert_eq!(android.id, "JVNDB-2021-018345");
    assert_eq!(
        android.affected[0].cpe.as_deref(),
        Some("cpe:/o:google:android")
    );
    let errors = jvn_errors(&e.store.feed_errors(Feed::Jvn, 10).await.unwrap());
    assert_eq!(
        errors.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        ["JVNDB-2021-018345", "JVNDB-2023-002068"]
    );
    for (id, reason) in &errors {
        assert!(
            reason.starts_with("detail not returned by MyJVN: the answer did not include it"),
            "{id}: {reason}"
        );
    }
    let st = e.store.feed_states().await.unwrap();
    let jvn = st.iter().find(|f| f.feed == "jvn").unwrap();
    assert_eq!(jvn.skipped, 2);
    assert!(jvn.last_error.is_none());
}

/// A detail call that fails after its retries does not stop the run: its
/// entries are stored from the overview, counted, and asked again on the
/// next run.
#[tokio::test]
async fn jvn_detail_call_that_keeps_failing_is_counted_and_the_run_goes_on() {
    let e = env().await;
    // Page one (2 entries of 5), page two (3 entries).
    let page1 = std::fs::read_to_string(fixture("jvn/getVulnOverviewList_hnd.xml"))
        .unwrap()
        .replace("totalRes=\"6\"", "totalRes=\"5\"");
    put(&e, "/myjvn?startItem=1", page1.into_bytes());
    put(
        &e,
        "/myjvn?startItem=3",
        std::fs::read(fixture("jvn/jvndb_2022.rdf")).unwrap(),
    );
    put(
        &e,
        "/myjvn?method=getVulnDetailInfo",
        std::fs::read(fixture("jvn/jvndb_detail_2022.rdf")).unwrap(),
    );
    // The first detail call fails on every attempt (1 + 3 retries).
    for _ in 0..4 {
        fault(
            &e,
            "/myjvn?method=getVulnDetailInfo",
            Fault::Status(500, None),
        );
    }
    let mut s = syncer(&e, "a");
    s.config.jvn_page_size = 2;
    let r = s.sync(Feed::Jvn).await.unwrap();
    assert_eq!(r.records, 5, "every entry is known");
    assert_eq!(
        r.skipped, 4,
        "2 of the failed call + 2 left out of page two's answer"
    );
    let requests = log(&e);
    assert_eq!(
        requests
            .iter()
            .filter(|q| q.contains("method=getVulnDetailInfo"))
            .count(),
        4 + 1
    );
    assert!(
        requests.iter().any(|q| q.contains("startItem=3")),
        "page two was read"
    );
    let errors = jvn_errors(&e.store.feed_errors(Feed::Jvn, 10).await.unwrap());
    let failed: Vec<&(String, String)> = errors
        .iter()
        .filter(|(id, _)| id.starts_with("JVNDB-2025-"))
        .collect();
    assert_eq!(failed.len(), 2);
    for (id, reason) in failed {
        assert!(
            reason.starts_with("detail not returned by MyJVN: ") && reason.contains("HTTP 500"),
            "{id}: {reason}"
        );
    }
    assert!(e.store.vuln_get("CVE-2025-31084").await.is_ok());
    let st = e.store.feed_states().await.unwrap();
    let jvn = st.iter().find(|f| f.feed == "jvn").unwrap();
    assert!(jvn.last_error.is_none() && jvn.last_success_ms.is_some());
    assert_eq!(jvn.skipped, 4);
    // The next run first asks again for the details that failed.
    s.sync(Feed::Jvn).await.unwrap();
    let requests = log(&e);
    assert!(
        requests[0].contains("method=getVulnDetailInfo")
            && requests[0].contains("vulnId=JVNDB-2025-002953%2BJVNDB-2025-002884"),
        "{requests:?}"
    );
    assert!(requests[1].contains("method=getVulnOverviewList"));
    // Answered (without them): not asked again after that.
    s.sync(Feed::Jvn).await.unwrap();
    assert!(log(&e)[0].contains("method=getVulnOverviewList"));
}

/// JVN's checksum list in its published form (fixtures/jvn/checksum.txt)
/// naming the given yearly files with their real hashes; the 2023 detail
/// file it also lists is not served here and is left out.
fn jvn_checksum_list(files: &[(&str, &[u8])]) -> Vec<u8> {
    use sha2::Digest;
    let text = std::fs::read_to_string(fixture("jvn/checksum.txt")).unwrap();
    let mut list: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    list.retain(|f| f["filename"] != "jvndb_detail_2023.rdf");
    for f in &mut list {
        if let Some((_, body)) = files.iter().find(|(n, _)| f["filename"] == *n) {
            f["sha256"] = hex::encode(sha2::Sha256::digest(body)).into();
        }
    }
    serde_json::to_vec_pretty(&list).unwrap()
}

/// First JVN sync from the yearly detail files: the checksum list, then
/// each year; a failure in the second year resumes with that year only
/// (the first, unchanged, is not fetched again); then the API brings what
/// changed since the files were made.
#[tokio::test]
async fn jvn_first_sync_loads_yearly_files_resumes_and_then_uses_the_api() {
    let e = env().await;
    let y2021 = std::fs::read(fixture("jvn/jvndb_detail_2021.rdf")).unwrap();
    let y2022 = std::fs::read(fixture("jvn/jvndb_detail_2022.rdf")).unwrap();
    put(
        &e,
        "/jvnfeed/checksum.txt?",
        jvn_checksum_list(&[
            ("jvndb_detail_2021.rdf", &y2021),
            ("jvndb_detail_2022.rdf", &y2022),
        ]),
    );
    put(&e, "/jvnfeed/detail/jvndb_detail_2021.rdf?", y2021);
    put(&e, "/jvnfeed/detail/jvndb_detail_2022.rdf?", y2022);
    for _ in 0..4 {
        fault(
            &e,
            "/jvnfeed/detail/jvndb_detail_2022.rdf?",
            Fault::Status(500, None),
        );
    }
    let mut s = syncer(&e, "a");
    s.config.jvn_bulk_from_year = 2021;
    let err = s.sync(Feed::Jvn).await.unwrap_err();
    assert!(err.to_string().contains("HTTP 500"), "{err}");
    let mut expected = vec![
        "/jvnfeed/checksum.txt?".to_owned(),
        "/jvnfeed/detail/jvndb_detail_2021.rdf?".to_owned(),
    ];
    expected.extend(std::iter::repeat_n(
        "/jvnfeed/detail/jvndb_detail_2022.rdf?".to_owned(),
        4,
    ));
    assert_eq!(log(&e), expected, "years 2023 and later are not listed");
    assert!(e.store.vuln_get("JVNDB-2021-005429").await.is_ok());
    assert!(e.store.vuln_get("CVE-2021-20877").await.is_err());
    // Resume: the list again, then only the year that failed.
    let r = s.sync(Feed::Jvn).await.unwrap();
    assert!(r.resumed);
    assert_eq!((r.records, r.skipped, r.requests), (2, 0, 2));
    assert_eq!(
        log(&e),
        [
            "/jvnfeed/checksum.txt?",
            "/jvnfeed/detail/jvndb_detail_2022.rdf?"
        ],
        "2021 is unchanged: not fetched again; no API call"
    );
    let v = e.store.vuln_get("CVE-2022-0180").await.unwrap();
    let jvn = v
        .sources
        .iter()
        .find(|s| s.record.feed == Feed::Jvn)
        .unwrap();
    assert_eq!(
        jvn.record.affected[0].versions,
        ["7.3.7 より前のバージョン"]
    );
    let st = e.store.feed_states().await.unwrap();
    let cp = st
        .iter()
        .find(|f| f.feed == "jvn")
        .unwrap()
        .checkpoint
        .clone()
        .unwrap();
    // Completed as of the older file's lastModified, 2023/10/29 09:15:44 JST.
    assert!(
        cp.contains("\"completed_at\":\"2023-10-29T00:15:44Z\""),
        "{cp}"
    );
    assert!(cp.contains("\"2021\":") && cp.contains("\"2022\":"), "{cp}");
    // Later runs: the API's changes since then, no yearly files.
    let overview = std::fs::read_to_string(fixture("jvn/getVulnOverviewList_hnd.xml"))
        .unwrap()
        .replace("totalRes=\"6\"", "totalRes=\"2\"");
    put(&e, "/myjvn?startItem=1", overview.into_bytes());
    put(
        &e,
        "/myjvn?method=getVulnDetailInfo",
        std::fs::read(fixture("jvn/dataFeed_jvndb_detail_hnd.xml")).unwrap(),
    );
    let r = s.sync(Feed::Jvn).await.unwrap();
    assert!(!r.resumed);
    let requests = log(&e);
    assert!(
        requests.iter().all(|q| !q.starts_with("/jvnfeed")),
        "{requests:?}"
    );
    assert!(
        requests[0].contains("method=getVulnOverviewList")
            && requests[0]
                .contains("datePublishedStartY=2023&datePublishedStartM=10&datePublishedStartD=28"),
        "{requests:?}"
    );
}
