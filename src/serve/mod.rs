//! `orgsim serve`: a live what-if page for leaders, on a local web server (axum on tokio).
//!
//! The page (`page.html`, `page.css`, `page.js`, embedded in the binary: it works offline) draws
//! its levers from the model's declarations and posts what is on screen ([`whatif::WhatIf`]) on
//! every change. [`live::answer`] runs it through the same code as `orgsim run` and answers with
//! the ranked paired comparison, the figures of `orgsim plot` as SVG, and the scenario TOML that
//! reproduces them. A newer request cancels the work of an older one (a generation counter and the
//! executor's cancel flag); one answer computes at a time, so a tab cannot exhaust the machine.
//!
//! Safety: loopback by default; every request whose `Host` or `Origin` is not this server's own is
//! refused with 403 ([`guard`]), so a web page elsewhere cannot drive the server through DNS
//! rebinding; "run as a full study" writes only into the output root.

pub mod guard;
pub mod live;
pub mod whatif;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::app;
use crate::cli::{RunArgs, ServeArgs};
use crate::error::InputError;
use crate::scenario::{self, Overrides};
use guard::HostGuard;
use live::{Failure, Progress};
use whatif::{ModelView, WhatIf, find_model};

/// The most answer requests in flight at once (computing or waiting); more are refused with 429.
const MAX_PENDING_ANSWERS: usize = 8;
/// Scratch directories of live answers are named with this prefix inside the output root.
const SCRATCH_PREFIX: &str = ".serve-live-";

/// What every handler shares.
struct Shared {
    guard: HostGuard,
    outputs: PathBuf,
    start: WhatIf,
    page: String,
    threads: usize,
    /// The newest answer request's number; an answer whose number is older is stale.
    generation: std::sync::atomic::AtomicU64,
    /// The cancel flag of the newest answer: set when a newer one arrives.
    latest_cancel: Mutex<Arc<AtomicBool>>,
    /// Held while an answer computes: one at a time.
    compute: Mutex<()>,
    pending: AtomicUsize,
    progress: Progress,
    study_running: AtomicBool,
}

type Handle = Arc<Shared>;

/// The page: HTML with its style and script inlined (nothing is fetched from elsewhere).
fn page() -> String {
    include_str!("page.html")
        .replace("/*PAGE_CSS*/", include_str!("page.css"))
        .replace("/*PAGE_JS*/", include_str!("page.js"))
}

/// `orgsim serve`: loads the starting scenario, binds, prints the URL and serves until stopped.
pub fn serve(args: &ServeArgs) -> Result<()> {
    let start = match &args.scenario {
        Some(file) => WhatIf::from_scenario(&scenario::load(file, &Overrides::default())?)?,
        None => WhatIf::defaults(find_model("datateam", "model")?),
    };
    // Checked now, so a starting point the page cannot run is refused before serving.
    start.to_toml()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(run_server(args, start))
}

async fn run_server(args: &ServeArgs, start: WhatIf) -> Result<()> {
    let address = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| {
            InputError::new(
                "--port",
                format!(
                    "cannot listen on {address}: {e}; choose another port with --port (0 picks a free one)"
                ),
            )
        })?;
    let bound = listener.local_addr()?;
    let outputs = args.outputs.clone();
    install_stop_handler(outputs.clone());
    let shared = Arc::new(Shared {
        guard: HostGuard::new(bound),
        outputs,
        start,
        page: page(),
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        generation: Default::default(),
        latest_cancel: Mutex::new(Arc::new(AtomicBool::new(false))),
        compute: Mutex::new(()),
        pending: AtomicUsize::new(0),
        progress: Progress::default(),
        study_running: AtomicBool::new(false),
    });
    let url = shared.guard.url();
    println!("orgsim serve: open {url}");
    if bound.ip().is_loopback() {
        println!(
            "  listening on {bound}, loopback only: other machines cannot reach it; Ctrl-C stops it"
        );
    } else {
        println!(
            "  WARNING: listening on {bound}, reachable from the network without any authentication; \
             anyone who can reach it can run work and write studies into {}. Ctrl-C stops it",
            args.outputs.display()
        );
    }
    let app = Router::new()
        .route("/", get(page_handler))
        .route("/api/start", get(start_handler))
        .route("/api/model/{name}", get(model_handler))
        .route("/api/answer", post(answer_handler))
        .route("/api/progress", get(progress_handler))
        .route("/api/study", post(study_handler))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            guard::refuse_foreign,
        ))
        .with_state(shared);
    axum::serve(listener, app)
        .await
        .context("the server stopped")
}

/// Ctrl-C and SIGTERM stop the server at once, removing any live scratch directory. Installed
/// first, so that a full study (which runs `app::run`) does not turn Ctrl-C into "interrupt the
/// study and keep serving".
fn install_stop_handler(outputs: PathBuf) {
    let _ = ctrlc::set_handler(move || {
        remove_scratch(&outputs);
        eprintln!("orgsim serve: stopped");
        std::process::exit(0);
    });
}

/// Removes this process's live scratch directories from the output root.
fn remove_scratch(outputs: &Path) {
    let mine = format!("{SCRATCH_PREFIX}{}-", std::process::id());
    if let Ok(entries) = std::fs::read_dir(outputs) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&mine) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// A JSON error body `{"error": message}` with `status`.
pub fn error_response(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({ "error": message.into() }))).into_response()
}

async fn page_handler(State(s): State<Handle>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        s.page.clone(),
    )
        .into_response()
}

async fn start_handler(State(s): State<Handle>) -> Response {
    axum::Json(&s.start).into_response()
}

async fn model_handler(UrlPath(name): UrlPath<String>) -> Response {
    match find_model(&name, "model") {
        Ok(model) => axum::Json(ModelView::of(model)).into_response(),
        Err(e) => error_response(StatusCode::NOT_FOUND, e.to_string()),
    }
}

async fn progress_handler(State(s): State<Handle>) -> Response {
    let p = &s.progress;
    axum::Json(json!({
        "generation": p.generation.load(Ordering::Relaxed),
        "done": p.done.load(Ordering::Relaxed),
        "total": p.total.load(Ordering::Relaxed),
    }))
    .into_response()
}

async fn not_found() -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "no such page: the what-if page is at /, its API under /api/ (docs/serve.md)",
    )
}

/// The request body as a [`WhatIf`], or the message of a 400.
fn parse_whatif(body: &[u8]) -> Result<WhatIf, String> {
    serde_json::from_slice(body).map_err(|e| format!("malformed request: {e}"))
}

/// Counts an answer request in flight for as long as it lives.
struct Pending<'a>(&'a AtomicUsize);

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn answer_handler(State(s): State<Handle>, body: Bytes) -> Response {
    let whatif = match parse_whatif(&body) {
        Ok(w) => w,
        Err(message) => return error_response(StatusCode::BAD_REQUEST, message),
    };
    // Checked before it cancels anything: a typo must not stop the answer on screen.
    if let Err(e) = whatif.scenario() {
        return error_response(StatusCode::BAD_REQUEST, e.to_string());
    }
    if s.pending.fetch_add(1, Ordering::SeqCst) >= MAX_PENDING_ANSWERS {
        s.pending.fetch_sub(1, Ordering::SeqCst);
        return error_response(
            StatusCode::TOO_MANY_REQUESTS,
            format!("{MAX_PENDING_ANSWERS} answers are already pending; wait for them"),
        );
    }
    let generation = s.generation.fetch_add(1, Ordering::SeqCst) + 1;
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let mut latest = s.latest_cancel.lock().unwrap_or_else(|p| p.into_inner());
        latest.store(true, Ordering::SeqCst);
        *latest = cancel.clone();
    }
    let worker = s.clone();
    let computed = tokio::task::spawn_blocking(move || {
        let _pending = Pending(&worker.pending);
        let _slot = worker.compute.lock().unwrap_or_else(|p| p.into_inner());
        if worker.generation.load(Ordering::SeqCst) != generation {
            return Err(Failure::Superseded);
        }
        let scratch = worker.outputs.join(format!(
            "{SCRATCH_PREFIX}{}-{generation}",
            std::process::id()
        ));
        live::answer(
            &whatif,
            generation,
            &scratch,
            worker.threads,
            &cancel,
            &worker.progress,
        )
    })
    .await;
    match computed {
        Ok(Ok(answer)) => axum::Json(answer).into_response(),
        Ok(Err(Failure::Bad(e))) => error_response(StatusCode::BAD_REQUEST, e.to_string()),
        Ok(Err(Failure::Superseded)) => error_response(
            StatusCode::CONFLICT,
            "superseded: a newer request replaced this one",
        ),
        Ok(Err(Failure::Internal(e))) => {
            error_response(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}"))
        }
        Err(e) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the answer failed: {e}"),
        ),
    }
}

/// A folder name in `outputs` for a study of `name`: `name`, else `name-2`, `name-3`, … — one
/// whose folder, scenario file and staging directory are all free, so nothing is overwritten.
fn free_study_name(outputs: &Path, name: &str) -> String {
    (1..)
        .map(|k| {
            if k == 1 {
                name.to_string()
            } else {
                format!("{name}-{k}")
            }
        })
        .find(|n| {
            let dir = outputs.join(n);
            !dir.exists()
                && !outputs.join(format!("{n}.toml")).exists()
                && !crate::output::staging_path(&dir).exists()
        })
        .expect("some name is free")
}

/// Runs what is on screen as a full study: `OUTPUTS/NAME.toml` and `orgsim run` of it into
/// `OUTPUTS/NAME/` (tables, figures and report.html).
fn full_study(whatif: &WhatIf, outputs: &Path) -> Result<serde_json::Value> {
    whatif.scenario()?;
    std::fs::create_dir_all(outputs)
        .with_context(|| format!("cannot create the output root {}", outputs.display()))?;
    let name = free_study_name(outputs, &whatif.name);
    let named = WhatIf {
        name: name.clone(),
        ..whatif.clone()
    };
    let file = outputs.join(format!("{name}.toml"));
    std::fs::write(&file, named.to_toml()?)
        .with_context(|| format!("cannot write {}", file.display()))?;
    let dir = outputs.join(&name);
    let args = RunArgs {
        file: file.clone(),
        out: Some(dir.clone()),
        overwrite: false,
        allow_large: false,
        no_plots: false,
        threads: None,
        replications: None,
        seed: None,
        set: Vec::new(),
        shard: None,
        only: None,
        resume: false,
        dry_run: false,
        quiet: true,
        per_unit: false,
    };
    let command_line = vec!["orgsim".into(), "run".into(), file.display().to_string()];
    let outcome = app::run(&args, command_line)?;
    Ok(json!({
        "scenario": file.display().to_string(),
        "dir": outcome.dir.display().to_string(),
        "report": outcome.dir.join(app::REPORT).display().to_string(),
        "runs": outcome.runs,
        "seconds": outcome.wall_seconds,
        "command": format!("orgsim run {}", file.display()),
    }))
}

async fn study_handler(State(s): State<Handle>, body: Bytes) -> Response {
    let whatif = match parse_whatif(&body) {
        Ok(w) => w,
        Err(message) => return error_response(StatusCode::BAD_REQUEST, message),
    };
    if let Err(e) = whatif.scenario() {
        return error_response(StatusCode::BAD_REQUEST, e.to_string());
    }
    if s.study_running.swap(true, Ordering::SeqCst) {
        return error_response(
            StatusCode::TOO_MANY_REQUESTS,
            "a full study is already running; wait for it to finish",
        );
    }
    let worker = s.clone();
    let done = tokio::task::spawn_blocking(move || {
        let result = full_study(&whatif, &worker.outputs);
        worker.study_running.store(false, Ordering::SeqCst);
        result
    })
    .await;
    match done {
        Ok(Ok(v)) => axum::Json(v).into_response(),
        Ok(Err(e)) if e.downcast_ref::<InputError>().is_some() => {
            error_response(StatusCode::BAD_REQUEST, format!("{e:#}"))
        }
        Ok(Err(e)) => error_response(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
        Err(e) => {
            s.study_running.store(false, Ordering::SeqCst);
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the study failed: {e}"),
            )
        }
    }
}

/// The address a browser should open for a server bound to `bound`.
pub fn url_for(bound: SocketAddr) -> String {
    match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => format!("http://127.0.0.1:{}/", bound.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => format!("http://[::1]:{}/", bound.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}/", bound.port()),
        IpAddr::V6(ip) => format!("http://[{ip}]:{}/", bound.port()),
    }
}
