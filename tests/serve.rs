//! `orgsim serve` over HTTP, as the page and a hostile page would drive it: the answer equals
//! `orgsim run` of the TOML it offers, bad input is a clear 4xx naming the field and the server
//! stays up, foreign Host/Origin are refused, a newer request supersedes an older one, a full study
//! stays in the output root; and the page itself, driven in Chromium through WebDriver.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};

const BIN: &str = env!("CARGO_BIN_EXE_orgsim");

/// A running `orgsim serve` on a free loopback port, stopped when dropped.
struct Server {
    child: Child,
    /// Kept open: the server's stdout must stay writable.
    _stdout: BufReader<ChildStdout>,
    port: u16,
    url: String,
}

impl Server {
    fn start(dir: &Path, scenario: Option<&Path>) -> Server {
        let mut command = Command::new(BIN);
        command
            .current_dir(dir)
            .args(["serve", "--port", "0", "--outputs", "out"]);
        if let Some(s) = scenario {
            command.arg(s);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("orgsim serve starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let mut second = String::new();
        stdout.read_line(&mut second).unwrap();
        assert!(
            second.contains("loopback only"),
            "serve says it is loopback-only: {second}"
        );
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("serve prints its URL: {first}"))
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let port = url
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Server {
            child,
            _stdout: stdout,
            port,
            url,
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn get(&self, path: &str) -> (u16, String) {
        http(self.port, "GET", path, &self.host(), None, None)
    }

    fn post(&self, path: &str, body: &str) -> (u16, String) {
        let origin = format!("http://{}", self.host());
        http(
            self.port,
            "POST",
            path,
            &self.host(),
            Some(&origin),
            Some(body),
        )
    }

    fn post_json(&self, path: &str, body: &Json) -> (u16, Json) {
        let (status, text) = self.post(path, &body.to_string());
        let json = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{path} answers JSON ({e}): {text}"));
        (status, json)
    }

    fn start_state(&self) -> Json {
        let (status, text) = self.get("/api/start");
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request with the given Host (and Origin) headers; returns status and body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    host: &str,
    origin: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let body = body.unwrap_or("");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(o) = origin {
        request += &format!("Origin: {o}\r\n");
    }
    if method == "POST" {
        request += &format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
    }
    request += "\r\n";
    request += body;
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).expect("a UTF-8 response");
    let (head, rest) = text.split_once("\r\n\r\n").expect("headers end");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    (status, body)
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").expect("a chunk size");
        let size = usize::from_str_radix(size.trim(), 16).expect("hex chunk size");
        if size == 0 {
            return out;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}

/// `comparison.csv` of `orgsim run FILE`, keyed by (metric, option), each row by column name.
fn orgsim_run(file: &Path, out: &Path) -> HashMap<(String, String), HashMap<String, String>> {
    let status = Command::new(BIN)
        .args(["run", "--quiet", "--no-plots", "--out"])
        .arg(out)
        .arg(file)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "orgsim run {} succeeds", file.display());
    let mut reader = csv::Reader::from_path(out.join("comparison.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let row: HashMap<String, String> = header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            ((row["metric"].clone(), row["option"].clone()), row)
        })
        .collect()
}

/// Asserts every headline row of `answer` equals `orgsim run`'s comparison.csv to the last bit.
fn assert_same_numbers(answer: &Json, run: &HashMap<(String, String), HashMap<String, String>>) {
    let mut compared = 0;
    for row in answer["rows"].as_array().unwrap() {
        let key = (
            row["metric"].as_str().unwrap().to_string(),
            row["option"].as_str().unwrap().to_string(),
        );
        let Some(csv) = run.get(&key) else {
            continue; // cost metrics: not in run's headline comparison
        };
        for (json_field, csv_field) in [
            ("mean", "mean"),
            ("ci_low", "ci_low"),
            ("ci_high", "ci_high"),
            ("diff", "diff"),
            ("diff_low", "diff_ci_low"),
            ("diff_high", "diff_ci_high"),
            ("p_best", "p_best"),
        ] {
            let shown = row[json_field].as_f64().unwrap();
            let written: f64 = csv[csv_field].parse().unwrap();
            assert_eq!(
                shown.to_bits(),
                written.to_bits(),
                "{key:?} {json_field}: page {shown} vs orgsim run {written}"
            );
        }
        assert_eq!(row["rank"].as_u64().unwrap().to_string(), csv["rank"]);
        compared += 1;
    }
    assert_eq!(compared, run.len(), "every row of comparison.csv was shown");
}

fn transition() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/datateam/transition.toml")
}

#[test]
fn serve_answer_is_what_orgsim_run_of_its_toml_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), Some(&transition()));
    let mut state = server.start_state();
    assert_eq!(state["options"][1]["name"], "change programme");
    assert_eq!(state["options"][1]["schedule"][0]["at"], 52);
    assert_eq!(state["options"][0]["set"]["structure"], "centralised");
    state["replicates"] = json!(40);
    state["seed"] = json!(7);
    state["options"][1]["set"]["analysts"] = json!(20);
    state["context"]["politics"] = json!(0.35);

    let (status, answer) = server.post_json("/api/answer", &state);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["runs"], 80);
    let kinds: Vec<&str> = answer["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    // The model reports costs, so the leader also sees value against cost.
    for kind in ["timeseries", "forest", "jcurve", "value_cost"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    for f in answer["figures"].as_array().unwrap() {
        assert!(f["svg"].as_str().unwrap().starts_with("<svg"));
    }
    let metrics: Vec<&str> = answer["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(metrics.contains(&"cost") && metrics.contains(&"value_per_cost"));
    assert_eq!(answer["changes"][0]["option"], "change programme");
    assert_eq!(answer["changes"][0]["change_week"], 52);

    // The TOML on screen, run by `orgsim run`, gives the same numbers to the last bit.
    let toml = answer["toml"].as_str().unwrap();
    assert!(toml.contains("politics = 0.35") && toml.contains("analysts = 20"));
    let file = tmp.path().join("on-screen.toml");
    std::fs::write(&file, toml).unwrap();
    let run = orgsim_run(&file, &tmp.path().join("run"));
    assert_same_numbers(&answer, &run);

    // The same request again: the same numbers (seeds depend on the seed and replicate alone).
    let (_, again) = server.post_json("/api/answer", &state);
    assert_eq!(again["rows"], answer["rows"]);
    // A changed lever changes them.
    state["options"][1]["set"]["structure"] = json!("embedded");
    let (_, changed) = server.post_json("/api/answer", &state);
    assert_ne!(changed["rows"], answer["rows"]);
    // No scratch directory is left in the output root.
    let left: Vec<_> = std::fs::read_dir(tmp.path().join("out"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left in the output root: {left:?}");
}

#[test]
fn serve_bad_input_is_a_clear_4xx_and_the_server_stays_up() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), None);
    let good = {
        let mut s = server.start_state();
        s["replicates"] = json!(10);
        s
    };
    let refused = |state: &Json, status: u16, needles: &[&str]| {
        let (got, body) = server.post_json("/api/answer", state);
        assert_eq!(got, status, "{body}");
        let message = body["error"].as_str().unwrap();
        for n in needles {
            assert!(message.contains(n), "{n:?} in {message}");
        }
    };
    let mut s = good.clone();
    s["options"][1]["set"]["hub_share"] = json!(1.5);
    refused(
        &s,
        400,
        &["options[1].set.hub_share", "out of range", "from 0 to 1"],
    );
    let mut s = good.clone();
    s["options"][0]["set"]["hub_shar"] = json!(0.3);
    refused(
        &s,
        400,
        &["unknown parameter `hub_shar`", "did you mean \"hub_share\""],
    );
    let mut s = good.clone();
    s["options"][0]["set"]["analysts"] = json!(20.5);
    refused(&s, 400, &["not a whole number"]);
    let mut s = good.clone();
    s["options"][0]["set"]["structure"] = json!("embeded");
    refused(&s, 400, &["did you mean \"embedded\""]);
    let mut s = good.clone();
    s["model"] = json!("datateem");
    refused(&s, 400, &["unknown model", "did you mean \"datateam\""]);
    let mut s = good.clone();
    s["replicates"] = json!(1_000_000);
    refused(&s, 400, &["replicates", "1 to 2000"]);
    let mut s = good.clone();
    s["replicate"] = json!(10);
    refused(&s, 400, &["malformed request", "unknown field `replicate`"]);
    let mut s = good.clone();
    s["options"][1]["schedule"] = json!([{"at": 52, "set": {"units": 9}}]);
    refused(&s, 400, &["cannot change mid-run"]);

    let (status, text) = server.post("/api/answer", "{\"model\": ");
    assert_eq!(status, 400);
    assert!(text.contains("malformed request"), "{text}");
    let (status, text) = server.get("/api/model/datateem");
    assert_eq!(status, 404);
    assert!(text.contains("did you mean \\\"datateam\\\""), "{text}");
    let (status, _) = server.get("/no/such/page");
    assert_eq!(status, 404);

    // Still up, and answering.
    let (status, answer) = server.post_json("/api/answer", &good);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["runs"], 20);
}

#[test]
fn serve_refuses_a_foreign_host_or_origin() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), None);
    let port = server.port;
    let own = server.host();
    let (status, _) = http(port, "GET", "/", &own, None, None);
    assert_eq!(status, 200);
    let localhost = format!("localhost:{port}");
    let (status, _) = http(port, "GET", "/api/start", &localhost, None, None);
    assert_eq!(status, 200);

    // A page on another site whose name was rebound to 127.0.0.1 sends its own name as Host.
    let rebound = format!("attacker.example:{port}");
    let (status, body) = http(port, "GET", "/api/start", &rebound, None, None);
    assert_eq!(status, 403);
    assert!(body.contains("DNS rebinding"), "{body}");
    // A page elsewhere posting to the server directly sends its own Origin.
    let (status, body) = http(
        port,
        "POST",
        "/api/answer",
        &own,
        Some("http://attacker.example"),
        Some("{}"),
    );
    assert_eq!(status, 403);
    assert!(body.contains("Origin"), "{body}");
    let (status, _) = http(port, "POST", "/api/study", &own, Some("null"), Some("{}"));
    assert_eq!(status, 403);
    // The wrong port is another server's name.
    let other_port = format!("127.0.0.1:{}", port.wrapping_add(1));
    let (status, _) = http(port, "GET", "/", &other_port, None, None);
    assert_eq!(status, 403);
}

#[test]
fn serve_a_newer_request_supersedes_an_older_one() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), None);
    let mut slow = server.start_state();
    slow["replicates"] = json!(2000);
    let port = server.port;
    let host = server.host();
    let body = slow.to_string();
    let first = std::thread::spawn(move || {
        let origin = format!("http://{host}");
        http(
            port,
            "POST",
            "/api/answer",
            &host,
            Some(&origin),
            Some(&body),
        )
    });
    // Wait until the slow answer is running, then send a new one.
    let started = Instant::now();
    loop {
        let (_, text) = server.get("/api/progress");
        let p: Json = serde_json::from_str(&text).unwrap();
        if p["total"] == 4000 && p["done"].as_u64().unwrap() > 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the slow answer never started: {p}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut quick = server.start_state();
    quick["replicates"] = json!(5);
    let (status, answer) = server.post_json("/api/answer", &quick);
    assert_eq!(status, 200, "{answer}");
    let (status, text) = first.join().unwrap();
    assert_eq!(status, 409, "{text}");
    assert!(text.contains("superseded"), "{text}");
}

#[test]
fn serve_full_study_writes_into_the_output_root_only() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), None);
    let mut state = server.start_state();
    state["replicates"] = json!(8);
    state["name"] = json!("leaders");
    let (status, first) = server.post_json("/api/study", &state);
    assert_eq!(status, 200, "{first}");
    let (status, second) = server.post_json("/api/study", &state);
    assert_eq!(status, 200, "{second}");
    // Never overwritten: the second study gets its own folder.
    assert_eq!(first["dir"], "out/leaders");
    assert_eq!(second["dir"], "out/leaders-2");
    let out = tmp.path().join("out");
    assert!(out.join("leaders/report.html").is_file());
    assert!(out.join("leaders/comparison.csv").is_file());
    assert!(out.join("leaders-2.toml").is_file());
    let top: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(top, ["out"], "nothing is written outside the output root");
    // A bad study request is refused like an answer.
    state["name"] = json!("../escape");
    let (status, body) = server.post_json("/api/study", &state);
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap().starts_with("name:"),
        "{body}"
    );
}

#[test]
fn serve_refuses_a_sweep_as_its_starting_point() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = tmp.path().join("sweep.toml");
    std::fs::write(
        &sweep,
        "[scenario]\nname = \"s\"\nmodel = \"datateam\"\n[sweep]\nhub_share = [0.1, 0.2]\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--port", "0"])
        .arg(&sweep)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[sweep]"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// The page in a real browser.

/// A free loopback port (the OS's choice; released just before use).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn chromedriver() -> Option<PathBuf> {
    let candidates = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];
    candidates.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// Kills chromedriver (it started) when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_page_in_chromium_changes_a_lever_and_matches_orgsim_run() {
    let Some(driver_bin) = chromedriver() else {
        assert!(
            std::env::var_os("ORGSIM_REQUIRE_WEBDRIVER").is_none(),
            "ORGSIM_REQUIRE_WEBDRIVER is set but chromedriver is not installed"
        );
        // Written straight to stderr, not through eprintln!, which the test harness would swallow.
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED serve_page_in_chromium_changes_a_lever_and_matches_orgsim_run: chromedriver \
             is not installed.\nTo run it: apt-get install -y chromium chromium-driver, then \
             cargo test --release --test tests serve\n"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), Some(&transition()));
    let port = free_port();
    let driver = Driver(
        Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "chromedriver did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let screenshot = tmp.path().join("serve.png");
    runtime.block_on(drive_page(port, &server.url, tmp.path(), &screenshot));
    drop(driver);
    // docs/serve.png is refreshed on request only, so a test run leaves the work tree alone.
    if std::env::var_os("ORGSIM_SAVE_SCREENSHOT").is_some() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/serve.png");
        std::fs::copy(&screenshot, docs).unwrap();
    }
}

async fn drive_page(driver_port: u16, url: &str, tmp: &Path, screenshot: &Path) {
    use fantoccini::{ClientBuilder, Locator};

    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                        "--disable-dev-shm-usage", "--window-size=1600,1250"]}),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session");
    let script = |s: &'static str| {
        let client = client.clone();
        async move { client.execute(s, vec![]).await.expect(s) }
    };
    let wait_for_answer = |after: u64| {
        let client = client.clone();
        async move {
            let started = Instant::now();
            loop {
                let state = client
                    .execute(
                        "return [window.orgsimAnswerCount, window.orgsimPending];",
                        vec![],
                    )
                    .await
                    .unwrap();
                if state[0].as_u64().unwrap_or(0) > after && state[1] == false {
                    return;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(90),
                    "no answer on the page: {state}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };

    client.goto(url).await.unwrap();
    wait_for_answer(0).await;
    let before = script("return window.orgsimAnswer;").await;

    // A value out of range typed into a field: the page shows the server's message.
    let hub = client
        .find(Locator::Css(
            "input[type=number][data-param='hub_share'][data-key='option-1']",
        ))
        .await
        .unwrap();
    hub.clear().await.unwrap();
    hub.send_keys("1.5\u{E004}").await.unwrap();
    let started = Instant::now();
    let shown = loop {
        let text = script(
            "var e = document.getElementById('error'); return e.hidden ? '' : e.textContent;",
        )
        .await;
        // (Clearing the field first may show the page's own "give a number" meanwhile.)
        if text
            .as_str()
            .is_some_and(|t| t.contains("options[1].set.hub_share"))
        {
            break text.as_str().unwrap().to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no error shown"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        shown.contains("options[1].set.hub_share") && shown.contains("from 0 to 1"),
        "{shown}"
    );
    hub.clear().await.unwrap();
    hub.send_keys("0.2\u{E004}").await.unwrap();

    // Change a lever: the change programme's option starts embedded instead of centralised.
    let count = script("return window.orgsimAnswerCount;")
        .await
        .as_u64()
        .unwrap();
    let structure = client
        .find(Locator::Css(
            "select[data-param='structure'][data-key='option-1']",
        ))
        .await
        .unwrap();
    structure.select_by_value("embedded").await.unwrap();
    wait_for_answer(count).await;
    // Wait until the answer on screen is the one with the change (the fix above may answer first).
    let started = Instant::now();
    let after = loop {
        let a = script("return window.orgsimAnswer;").await;
        if a["toml"]
            .as_str()
            .unwrap()
            .contains("structure = \"embedded\"")
            && script("return window.orgsimPending;").await == false
        {
            break a;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "no answer to the change"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_ne!(after["rows"], before["rows"], "the numbers changed");
    let error_hidden = script("return document.getElementById('error').hidden;").await;
    assert_eq!(
        error_hidden, true,
        "the error went away once the input was fixed"
    );

    // The numbers on the page are the answer's.
    let row = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == "value_added" && r["option"] == "change programme")
        .unwrap()
        .clone();
    let cell = client
        .find(Locator::Css(
            "table[data-metric='value_added'] tr[data-option='change programme'] td[data-field='mean']",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mean = row["mean"].as_f64().unwrap();
    let on_page: f64 = cell.parse().unwrap();
    assert!(
        (on_page - mean).abs() <= 1e-3 * mean.abs(),
        "page shows {cell}, the answer {mean}"
    );

    // The TOML on the page (what Download saves) reproduces them under `orgsim run`.
    let toml = client
        .find(Locator::Id("toml"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(toml.trim(), after["toml"].as_str().unwrap().trim());
    let file = tmp.join("downloaded.toml");
    std::fs::write(&file, after["toml"].as_str().unwrap()).unwrap();
    let run = orgsim_run(&file, &tmp.join("browser-run"));
    assert_same_numbers(&after, &run);

    let figures = script("return document.querySelectorAll('#figures img').length;").await;
    assert!(
        figures.as_u64().unwrap() >= 3,
        "forest, time series and J-curve: {figures}"
    );
    let errors = script("return window.orgsimErrors;").await;
    assert_eq!(errors, json!([]), "no script errors on the page");

    script("window.scrollTo(0, 0); return true;").await;
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshot, png).unwrap();
    client.close().await.unwrap();
}
