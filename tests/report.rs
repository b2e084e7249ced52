//! Comparison, plots and the HTML report, driven through the CLI: numbers checked against a
//! computation from `runs.csv`, figures checked for real content, `plot` redrawing from saved files
//! alone, bad input refused with exit code 2, and the report opened in headless Chromium.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

fn orgsim() -> Command {
    Command::cargo_bin("orgsim").expect("the orgsim binary is built")
}

/// A march1991 scenario with three options, a baseline and a recorded time series; small enough to
/// run in a few milliseconds.
const OPTIONS_SCENARIO: &str = r#"
[scenario]
name = "march-options"
description = "Which way should a small organisation learn? Three options under turnover and turbulence."
model = "march1991"
replications = 12
seed = 7
ticks = 80
record_every = 4
baseline = "status_quo"

[params]
dimensions = 20
individuals = 20
turnover = 0.02
turbulence = 0.01

[[option]]
name = "slow_socialisation"
description = "Let newcomers keep their own views longer"
set = { socialisation = 0.1, code_learning = 0.5 }

[[option]]
name = "status_quo"
description = "Socialise at the usual pace"
set = { socialisation = 0.5, code_learning = 0.5 }

[[option]]
name = "fast_code"
description = "The code learns fast from the best"
set = { socialisation = 0.5, code_learning = 0.9 }
"#;

const OPTIONS: [&str; 3] = ["slow_socialisation", "status_quo", "fast_code"];
const HEADLINE: [&str; 2] = ["code_knowledge", "individual_knowledge"];

/// Runs the options scenario into `root/out` and returns the output directory and stdout.
fn run_options(root: &Path, extra: &[&str]) -> (PathBuf, String) {
    let file = root.join("options.toml");
    std::fs::write(&file, OPTIONS_SCENARIO).unwrap();
    let out = root.join("out");
    let assert = orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .args(extra)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    (out, stdout)
}

/// A march1991 metric's declared human label ("Knowledge of the code").
fn declared_label(metric: &str) -> String {
    let model = orgsim::models::find("march1991").unwrap();
    let spec = model.metrics().iter().find(|m| m.name == metric).unwrap();
    assert!(!spec.label.is_empty(), "{metric} declares a label");
    spec.label()
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// Final values of `metric` for `option` by replicate, straight from runs.csv.
fn values_from_runs(dir: &Path, option: &str, metric: &str) -> Vec<f64> {
    let (h, rows) = read_csv(&dir.join("runs.csv"));
    let (o, r, m) = (col(&h, "option"), col(&h, "replicate"), col(&h, metric));
    let mut v: Vec<(u64, f64)> = rows
        .iter()
        .filter(|row| row[o] == option)
        .map(|row| (row[r].parse().unwrap(), row[m].parse().unwrap()))
        .collect();
    v.sort_by_key(|x| x.0);
    v.into_iter().map(|x| x.1).collect()
}

#[test]
fn comparison_csv_matches_paired_differences_computed_from_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, stdout) = run_options(tmp.path(), &["--no-plots"]);
    assert!(
        stdout.contains("vs baseline \"status_quo\"") && stdout.contains("P(best)"),
        "run prints the ranked table:\n{stdout}"
    );
    assert!(!dir.join("plots").exists(), "--no-plots draws nothing");
    let (h, rows) = read_csv(&dir.join("comparison.csv"));
    assert_eq!(h, orgsim::analysis::format::CSV_COLUMNS);
    assert_eq!(rows.len(), OPTIONS.len() * HEADLINE.len());
    for metric in HEADLINE {
        let base = values_from_runs(&dir, "status_quo", metric);
        let mut p_best_total = 0.0;
        let mut means = Vec::new();
        for option in OPTIONS {
            let row = rows
                .iter()
                .find(|r| r[col(&h, "metric")] == metric && r[col(&h, "option")] == option)
                .unwrap();
            let get = |name: &str| -> f64 { row[col(&h, name)].parse().unwrap() };
            let own = values_from_runs(&dir, option, metric);
            assert_eq!(own.len(), 12);
            // The paired difference and its t interval, computed here independently.
            let d: Vec<f64> = own.iter().zip(&base).map(|(a, b)| a - b).collect();
            let n = d.len() as f64;
            let mean = d.iter().sum::<f64>() / n;
            let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let half = orgsim::stats::t_quantile_975(11) * sd / n.sqrt();
            assert!((get("diff") - mean).abs() < 1e-12, "{option} {metric}");
            assert_eq!(row[col(&h, "baseline")], "status_quo");
            if option == "status_quo" {
                assert_eq!(row[col(&h, "is_baseline")], "true");
                assert_eq!(get("diff"), 0.0);
            } else {
                assert!((get("diff_ci_low") - (mean - half)).abs() < 1e-12);
                assert!((get("diff_ci_high") - (mean + half)).abs() < 1e-12);
            }
            assert!((get("mean") - own.iter().sum::<f64>() / n).abs() < 1e-12);
            // P(best), counted here with ties split.
            let everyone: Vec<Vec<f64>> = OPTIONS
                .iter()
                .map(|o| values_from_runs(&dir, o, metric))
                .collect();
            let mut wins = 0.0;
            for (r, &mine) in own.iter().enumerate() {
                let all: Vec<f64> = everyone.iter().map(|v| v[r]).collect();
                let best = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                if mine == best {
                    wins += 1.0 / all.iter().filter(|&&x| x == best).count() as f64;
                }
            }
            assert!(
                (get("p_best") - wins / 12.0).abs() < 1e-12,
                "{option} {metric}"
            );
            p_best_total += get("p_best");
            means.push((row[col(&h, "rank")].parse::<usize>().unwrap(), get("mean")));
        }
        assert!((p_best_total - 1.0).abs() < 1e-12);
        means.sort_by_key(|x| x.0);
        assert!(
            means.windows(2).all(|w| w[0].1 >= w[1].1),
            "rank 1 has the highest mean: {means:?}"
        );
    }
    // `compare` prints the same numbers from the saved files.
    let csv = orgsim()
        .args(["compare", "--format", "csv"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(csv, std::fs::read(dir.join("comparison.csv")).unwrap());
}

#[test]
fn compare_baseline_flag_and_markdown() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = run_options(tmp.path(), &["--no-plots"]);
    let out = orgsim()
        .arg("compare")
        .arg(&dir)
        .args(["--baseline", "fast_code", "--metric", "code_knowledge"])
        .args(["--format", "markdown"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("vs baseline \"fast_code\""), "{text}");
    assert!(text.contains("| rank | option |"), "{text}");
    assert!(
        !text.contains("individual_knowledge"),
        "only the asked metric: {text}"
    );
    assert_eq!(text.matches("| baseline |").count(), 1, "{text}");
}

#[test]
fn bad_input_is_refused_with_exit_code_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = run_options(tmp.path(), &["--no-plots"]);
    let stderr = |args: &[&str], dir: &Path| -> String {
        let a = orgsim().args(args).arg(dir).assert().code(2);
        String::from_utf8_lossy(&a.get_output().stderr).to_string()
    };
    let e = stderr(&["compare", "--metric", "code_knowlege"], &dir);
    assert!(
        e.contains("--metric") && e.contains("did you mean \"code_knowledge\""),
        "{e}"
    );
    let e = stderr(&["plot", "--metric", "code_knowlege"], &dir);
    assert!(e.contains("did you mean \"code_knowledge\""), "{e}");
    assert!(!dir.join("plots").exists(), "a refused plot draws nothing");
    let e = stderr(&["report", "--baseline", "status_qou"], &dir);
    assert!(
        e.contains("--baseline") && e.contains("did you mean \"status_quo\""),
        "{e}"
    );
    assert!(
        !dir.join("report.html").exists(),
        "a refused report writes nothing"
    );
    let missing = tmp.path().join("no-such-dir");
    for cmd in ["compare", "plot", "report"] {
        let e = stderr(&[cmd], &missing);
        assert!(e.contains("no such directory"), "{cmd}: {e}");
    }
    let not_output = tmp.path().join("not-an-output");
    std::fs::create_dir(&not_output).unwrap();
    for cmd in ["compare", "plot", "report"] {
        let e = stderr(&[cmd], &not_output);
        assert!(e.contains("not an orgsim output directory"), "{cmd}: {e}");
    }
    assert_eq!(
        std::fs::read_dir(&not_output).unwrap().count(),
        0,
        "nothing written into a directory that is not an output"
    );
}

/// Checks a PNG has real content: the expected width, and enough distinct colours that it cannot be
/// blank or a single fill. Returns its pixels.
fn check_png(path: &Path, width: u32) -> image::RgbImage {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    assert_eq!(img.width(), width, "{}", path.display());
    let mut colours: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() > 20,
        "{} has only {} colours",
        path.display(),
        colours.len()
    );
    let ink = img.pixels().filter(|p| p.0.iter().all(|&c| c < 80)).count();
    assert!(
        ink > 2000,
        "{}: too little dark ink (text, axes): {ink}",
        path.display()
    );
    img
}

/// Whether any pixel is within a few levels of `rgb`.
fn has_colour(img: &image::RgbImage, rgb: [u8; 3]) -> bool {
    img.pixels().any(|p| {
        p.0.iter()
            .zip(rgb)
            .all(|(&a, b)| (a as i32 - b as i32).abs() <= 3)
    })
}

fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn run_draws_every_figure_and_plot_redraws_them_from_saved_files_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = run_options(tmp.path(), &[]);
    let plots = dir.join("plots");
    for metric in HEADLINE {
        for kind in ["timeseries", "forest", "distribution"] {
            for ext in ["png", "svg"] {
                let path = plots.join(format!("{kind}_{metric}.{ext}"));
                assert!(path.is_file(), "missing {}", path.display());
            }
            let img = check_png(&plots.join(format!("{kind}_{metric}.png")), 1050);
            // Okabe–Ito blue, vermillion and green: one per option.
            for rgb in [[0, 114, 178], [213, 94, 0], [0, 158, 115]] {
                assert!(has_colour(&img, rgb), "{kind}_{metric}.png lacks {rgb:?}");
            }
            let svg = std::fs::read_to_string(plots.join(format!("{kind}_{metric}.svg"))).unwrap();
            assert!(svg.contains("<text"), "{kind}_{metric}.svg has text");
            for option in OPTIONS {
                assert!(svg.contains(option), "{kind}_{metric}.svg lacks {option}");
            }
            // Axes and titles read as a person would: the declared label, not the column name.
            let label = declared_label(metric);
            // SVG escapes an apostrophe ("Individuals' knowledge").
            assert!(
                svg.contains(&label) || svg.contains(&label.replace('\'', "&apos;")),
                "{kind}_{metric}.svg lacks the label \"{label}\""
            );
            assert!(
                !svg.contains(&format!(">{metric}")),
                "{kind}_{metric}.svg shows the column name {metric}"
            );
        }
    }
    let drawn = files_in(&plots);
    // Redraw with the scenario file gone: `plot` needs only the output directory.
    std::fs::remove_file(tmp.path().join("options.toml")).unwrap();
    std::fs::remove_dir_all(&plots).unwrap();
    orgsim().arg("plot").arg(&dir).assert().success();
    let redrawn = files_in(&plots);
    assert_eq!(
        drawn.iter().map(|f| &f.0).collect::<Vec<_>>(),
        redrawn.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (a, b) in drawn.iter().zip(&redrawn) {
        assert!(a.1 == b.1, "{} differs when redrawn", a.0);
    }
    // Size and format options.
    orgsim()
        .arg("plot")
        .arg(&dir)
        .args([
            "--metric",
            "code_knowledge",
            "--format",
            "png",
            "--width",
            "2100",
        ])
        .assert()
        .success();
    check_png(&plots.join("forest_code_knowledge.png"), 2100);
}

#[test]
fn every_shipped_scenario_gets_figures_with_content() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    assert!(!files.is_empty(), "no shipped scenarios found");
    let tmp = tempfile::tempdir().unwrap();
    for (i, file) in files.iter().enumerate() {
        let out = tmp.path().join(format!("s{i}"));
        // Few replicates: this checks the figures, not the science.
        orgsim()
            .arg("run")
            .arg(file)
            .arg("--out")
            .arg(&out)
            .args(["--replications", "3", "-q"])
            .assert()
            .success();
        let pngs: Vec<PathBuf> = std::fs::read_dir(out.join("plots"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "png"))
            .collect();
        assert!(
            pngs.len() >= 2,
            "{}: only {} figures",
            file.display(),
            pngs.len()
        );
        for png in &pngs {
            // One journal column (1050 px), or two for a grid of small multiples.
            let width = image::image_dimensions(png).unwrap().0;
            assert!(
                [1050, 2100].contains(&width),
                "{}: width {width}",
                png.display()
            );
            check_png(png, width);
            assert!(png.with_extension("svg").is_file());
        }
    }
}

/// Dark pixels in a horizontal band of rows: text and rules there.
fn ink_between(img: &image::RgbImage, top: u32, bottom: u32) -> usize {
    (top..bottom.min(img.height()))
        .flat_map(|y| (0..img.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|&c| c < 100))
        .count()
}

fn chromium(args: &[&str], page: &Path) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Process::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

/// Console messages (errors, failed loads, uncaught exceptions) Chromium logged for the page.
fn console_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect()
}

#[test]
fn report_is_self_contained_and_renders_in_headless_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = run_options(tmp.path(), &["--no-plots"]);
    orgsim().arg("report").arg(&dir).assert().success();
    let page = dir.join("report.html").canonicalize().unwrap();
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: no scripts, nothing fetched.
    assert!(!html.contains("<script"), "the report needs no scripts");
    for fetch in ["src=", "href=", "url(", "@import"] {
        assert!(
            !html.contains(fetch),
            "the report fetches nothing ({fetch})"
        );
    }
    // The page opens with the answer, generated from the numbers, before the options and tables.
    let answer_at = html
        .find("id=\"answer\"")
        .expect("the report opens with the answer");
    assert!(answer_at < html.find("id=\"options\"").unwrap());
    let answer = &html[answer_at..html[answer_at..].find("</section>").unwrap() + answer_at];
    let (h, rows) = read_csv(&dir.join("comparison.csv"));
    let leader = rows
        .iter()
        .find(|r| r[col(&h, "metric")] == "code_knowledge" && r[col(&h, "rank")] == "1")
        .map(|r| r[col(&h, "option")].clone())
        .expect("comparison.csv has a leader on code_knowledge");
    assert!(
        answer.contains("Knowledge of the code") && answer.contains("(95% interval "),
        "the answer names the lead metric by its label and gives an interval: {answer}"
    );
    assert!(
        answer.contains(&format!("“{leader}”")) || answer.contains("No option"),
        "the answer names the leader {leader}: {answer}"
    );
    assert!(answer.contains("P(best)") && answer.contains("What the model leaves out"));
    // Metrics shown with a human label, a one-line meaning and a unit in words; a glossary closes.
    assert!(html.contains("<p class=\"meaning\"><strong>Knowledge of the code</strong>"));
    let glossary_at = html.find("id=\"glossary\"").expect("a glossary");
    assert!(
        glossary_at > html.find("id=\"reproduce\"").unwrap(),
        "the glossary closes the page"
    );
    for needle in [
        "Individuals&#39; knowledge",
        "Socialisation rate",
        "Code learning rate",
        "Unit: score in [-1, 1]",
    ] {
        assert!(
            html[glossary_at..].contains(needle),
            "the glossary lacks {needle}"
        );
    }
    for needle in [
        "<table class=\"comparison\"",
        "status_quo",
        "slow_socialisation",
        "fast_code",
        "Let newcomers keep their own views longer",
        "master seed 7",
        "orgsim run",
        "--out",
    ] {
        assert!(html.contains(needle), "report lacks {needle}");
    }
    assert!(html.matches("<svg").count() >= 4, "report has its figures");

    if Process::new("chromium").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("ORGSIM_REQUIRE_CHROMIUM").is_none(),
            "ORGSIM_REQUIRE_CHROMIUM is set but `chromium` is not on PATH"
        );
        // Written straight to stderr, not through eprintln!, which the test harness would swallow.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED the browser half of report_is_self_contained_and_renders_in_headless_chromium: \
             `chromium` is not on PATH.\nTo run it: apt-get install -y chromium, then \
             cargo test --release -- report\n"
        );
        return;
    }
    // The console check must be able to fail: a page with a script error is caught.
    let bad = tmp.path().join("bad.html");
    std::fs::write(&bad, "<!DOCTYPE html><p>x</p><script>nosuch();</script>").unwrap();
    let out = chromium(&["--dump-dom"], &bad);
    assert!(
        !console_lines(&out.stderr).is_empty(),
        "Chromium's console log was not captured; the check below would prove nothing"
    );

    let out = chromium(&["--dump-dom"], &page);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(console_lines(&out.stderr), Vec::<String>::new());
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<table class=\"comparison\""),
        "the table is in the DOM"
    );
    assert!(
        dom.contains("id=\"answer\"") && dom.contains("id=\"glossary\""),
        "the answer and the glossary are in the DOM"
    );
    assert!(
        dom.matches("<svg").count() >= 4,
        "the figures are in the DOM"
    );

    let shot = tmp.path().join("shot.png");
    let out = chromium(
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2400",
        ],
        &page,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(console_lines(&out.stderr), Vec::<String>::new());
    let img = image::open(&shot).unwrap().to_rgb8();
    assert_eq!((img.width(), img.height()), (1280, 2400));
    // Text throughout the first screens: heading, options, the comparison table.
    assert!(
        ink_between(&img, 0, 900) > 5000,
        "the top of the page has text"
    );
    // The first figure (the forest plot) is painted: option colours appear on screen.
    for rgb in [[0, 158, 115], [213, 94, 0]] {
        assert!(
            has_colour(&img, rgb),
            "no {rgb:?} pixels: figures not painted"
        );
    }
}

/// Options crossed with a design: the report's robustness section (verdict, ranked table, box in
/// words, figures) renders in Chromium without console errors.
#[test]
fn the_robust_section_renders_in_headless_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("robust.toml");
    std::fs::write(
        &file,
        r#"
[scenario]
name = "report-robust"
model = "march1991"
replications = 3
seed = 1
ticks = 30
record_every = 0
baseline = "slow learning"

[params]
dimensions = 16
individuals = 16

[design]
method = "lhs"
n = 24
seed = 3

[design.space]
socialisation = { from = 0.1, to = 0.9 }
turnover = { from = 0.0, to = 0.1 }

[[option]]
name = "slow learning"
set = { code_learning = 0.1 }

[[option]]
name = "fast learning"
set = { code_learning = 0.9 }
"#,
    )
    .unwrap();
    let dir = tmp.path().join("out");
    orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&dir)
        .arg("-q")
        .assert()
        .success();
    let page = dir.join("report.html").canonicalize().unwrap();
    let html = std::fs::read_to_string(&page).unwrap();
    let robust_at = html.find("id=\"robust\"").expect("a robustness section");
    let section = &html[robust_at..];
    for needle in ["fast learning", "slow learning", "regret"] {
        assert!(section.contains(needle), "the section lacks {needle}");
    }
    if Process::new("chromium").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("ORGSIM_REQUIRE_CHROMIUM").is_none(),
            "ORGSIM_REQUIRE_CHROMIUM is set but `chromium` is not on PATH"
        );
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED the browser half of the_robust_section_renders_in_headless_chromium: \
             `chromium` is not on PATH.\nTo run it: apt-get install -y chromium, then \
             cargo test --release -- report\n"
        );
        return;
    }
    let out = chromium(&["--dump-dom"], &page);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(console_lines(&out.stderr), Vec::<String>::new());
    let dom = String::from_utf8_lossy(&out.stdout);
    let robust_at = dom
        .find("id=\"robust\"")
        .expect("the section is in the DOM");
    // The section runs to the next heading of its rank.
    let end = dom[robust_at..]
        .find("<h2")
        .map_or(dom.len(), |e| robust_at + e);
    assert!(
        dom[robust_at..end].matches("<svg").count() >= 2,
        "the regret and winner figures are in the section: {}",
        &dom[robust_at..end.min(robust_at + 2000)]
    );
}

/// The mean of `metric` over the replicates of `option`, from `runs.csv` alone.
fn mean_from_runs(dir: &Path, option: &str, metric: &str) -> f64 {
    let values = values_from_runs(dir, option, metric);
    values.iter().sum::<f64>() / values.len() as f64
}

/// A model that reports costs gets the value-against-cost figure (written by `run`, redrawn by
/// `plot`) and a report section whose sentence names, from the numbers in `runs.csv`, the
/// cheapest and dearest options and the one with the most value per thousand pounds.
#[test]
fn value_against_cost_is_drawn_and_said_from_the_costs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("costs.toml");
    std::fs::write(
        &file,
        r#"
[scenario]
name = "report-costs"
model = "datateam"
replications = 6
seed = 11
ticks = 104
record_every = 0
baseline = "status quo"

[[option]]
name = "status quo"
set = { structure = "centralised", incentive = "kpi" }

[[option]]
name = "embed"
set = { structure = "embedded", incentive = "mixed" }

[[option]]
name = "translators"
set = { structure = "centralised", incentive = "kpi", translators = 4 }
"#,
    )
    .unwrap();
    let dir = tmp.path().join("out");
    orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&dir)
        .arg("-q")
        .assert()
        .success();
    let svg = dir.join("plots/value_cost_value_added.svg");
    let drawn = std::fs::read(&svg).expect("run draws the value-against-cost figure");
    std::fs::remove_file(&svg).unwrap();
    orgsim().arg("plot").arg(&dir).assert().success();
    assert_eq!(std::fs::read(&svg).unwrap(), drawn, "plot redraws it alike");
    let text = String::from_utf8_lossy(&drawn);
    for needle in [
        "Cost (£k)",
        "Δ Value added",
        "status quo",
        "embed",
        "translators",
    ] {
        assert!(text.contains(needle), "the figure lacks {needle}");
    }

    let options = ["status quo", "embed", "translators"];
    let by = |metric: &str| -> Vec<(f64, &str)> {
        let mut v: Vec<(f64, &str)> = options
            .iter()
            .map(|o| (mean_from_runs(&dir, o, metric), *o))
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    };
    let costs = by("cost");
    let per_cost = by("value_per_cost");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let at = html
        .find("id=\"value-cost\"")
        .expect("a value-against-cost section");
    let section = &html[at..at + html[at..].find("</figure>").unwrap()];
    let sentence = &section[section.find("<p>").unwrap()..section.find("</p>").unwrap()];
    let spread = 100.0 * (costs[2].0 / costs[0].0 - 1.0);
    assert!(
        sentence.contains(&format!("within {spread:.1}% of each other"))
            && sentence.contains(&format!("for “{}” to", costs[0].1))
            && sentence.contains(&format!("for “{}”.", costs[2].1)),
        "cheapest {costs:?}: {sentence}"
    );
    assert!(
        sentence.contains(&format!(
            "“{}” gives the most value for money",
            per_cost[2].1
        )),
        "value per cost {per_cost:?}: {sentence}"
    );
    assert!(section.contains("<svg"), "the figure is inline");
    // The answer's glossary explains the cost metrics the section uses.
    assert!(html.contains("(<code>value_per_cost</code>;"));

    if Process::new("chromium").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("ORGSIM_REQUIRE_CHROMIUM").is_none(),
            "ORGSIM_REQUIRE_CHROMIUM is set but `chromium` is not on PATH"
        );
        return;
    }
    let page = dir.join("report.html").canonicalize().unwrap();
    let out = chromium(&["--dump-dom"], &page);
    assert!(out.status.success());
    assert_eq!(console_lines(&out.stderr), Vec::<String>::new());
    let dom = String::from_utf8_lossy(&out.stdout);
    let at = dom
        .find("id=\"value-cost\"")
        .expect("the section is in the DOM");
    assert!(dom[at..].contains("id=\"fig-value_cost_value_added\""));
}

/// Two options over a sweep of turnover (March 1991's Figure 4: turnover helps a fast-socialising
/// organisation and hurts a slow one), run to a report; returns the output directory.
fn run_turnover_sweep(root: &Path, name: &str, turnovers: &str) -> PathBuf {
    let file = root.join(format!("{name}.toml"));
    std::fs::write(
        &file,
        format!(
            r#"
[scenario]
name = "{name}"
model = "march1991"
replications = 40
seed = 5
ticks = 20
record_every = 0
baseline = "slow socialisation"

[params]
code_learning = 0.5

[sweep]
turnover = {turnovers}

[[option]]
name = "slow socialisation"
set = {{ socialisation = 0.1 }}

[[option]]
name = "fast socialisation"
set = {{ socialisation = 0.9 }}
"#
        ),
    )
    .unwrap();
    let dir = root.join(name);
    orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&dir)
        .args(["-q", "--no-plots"])
        .assert()
        .success();
    orgsim().arg("report").arg(&dir).assert().success();
    dir
}

/// The option first at the most settings, and for each turnover value whether the other option
/// has the best mean there with a paired 95% interval against the leader above 0: computed from
/// `orgsim compare --baseline LEADER`, independently of the report's wording.
fn clear_wins_over_turnover(dir: &Path) -> (String, Vec<(f64, bool)>) {
    let (h, rows) = read_csv(&dir.join("comparison.csv"));
    let firsts = |option: &str| {
        rows.iter()
            .filter(|r| r[col(&h, "metric")] == "code_knowledge" && r[col(&h, "rank")] == "1")
            .filter(|r| r[col(&h, "option")] == option)
            .count()
    };
    // Ties go to the first option, as the report's count keeps the options' order.
    let leader = if firsts("fast socialisation") > firsts("slow socialisation") {
        "fast socialisation"
    } else {
        "slow socialisation"
    };
    let out = orgsim()
        .args([
            "compare",
            "--metric",
            "code_knowledge",
            "--format",
            "csv",
            "--baseline",
            leader,
        ])
        .arg(dir)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let mut wins = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[col(&header, "rank")] != "1" {
            continue;
        }
        let turnover: f64 = cells[col(&header, "setting")]
            .trim_start_matches("turnover=")
            .parse()
            .unwrap();
        let other = cells[col(&header, "option")] != leader;
        let low: f64 = cells[col(&header, "diff_ci_low")].parse().unwrap();
        wins.push((turnover, other && low > 0.0));
    }
    wins.sort_by(|a, b| a.0.total_cmp(&b.0));
    (leader.to_string(), wins)
}

fn answer_of(dir: &Path) -> String {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let at = html.find("id=\"answer\"").unwrap();
    html[at..at + html[at..].find("</section>").unwrap()].to_string()
}

/// Options over a sweep: the answer says where another option wins instead, through the swept
/// parameter's values, when the model gives a crossover; and says plainly when it gives none.
#[test]
fn the_answer_says_where_another_option_wins_over_a_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_turnover_sweep(tmp.path(), "crossover", "[0.0, 0.025, 0.05, 0.075, 0.1]");
    let (leader, wins) = clear_wins_over_turnover(&dir);
    let other = if leader == "slow socialisation" {
        "fast socialisation"
    } else {
        "slow socialisation"
    };
    let won: Vec<f64> = wins.iter().filter(|w| w.1).map(|w| w.0).collect();
    assert!(
        !won.is_empty() && won.len() < wins.len(),
        "the model gives a crossover here: {wins:?}"
    );
    // Where the other option wins is one end of the turnover range (Figure 4's crossover).
    let at_top = wins.iter().rev().take(won.len()).all(|w| w.1);
    let at_bottom = wins.iter().take(won.len()).all(|w| w.1);
    assert!(at_top || at_bottom, "{wins:?}");
    let region = if won.len() == 1 {
        format!("Where turnover is {}", won[0])
    } else if at_top {
        format!("Where turnover is at least {}", won[0])
    } else {
        format!("Where turnover is at most {}", won[won.len() - 1])
    };
    let answer = answer_of(&dir);
    assert!(
        answer.contains(&format!(
            "{region}, “{other}” wins instead ({} of the {} settings",
            won.len(),
            wins.len()
        )),
        "expected {region:?} for “{other}”: {answer}"
    );

    // Low turnover only: the slow socialisers lead everywhere; nobody else wins clearly.
    let dir = run_turnover_sweep(tmp.path(), "no-crossover", "[0.0, 0.005, 0.01]");
    let (leader, wins) = clear_wins_over_turnover(&dir);
    assert!(wins.iter().all(|w| !w.1), "{wins:?}");
    let answer = answer_of(&dir);
    assert!(
        answer.contains(&format!(
            "No other option is clearly better than “{leader}” at any of the 3 settings"
        )),
        "{answer}"
    );
    assert!(!answer.contains("wins instead"), "{answer}");
}
