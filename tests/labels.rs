//! Figures for authors: every label of every kind of figure lies whole on its canvas, checked from
//! the figure code's own text layout (the shipped font's metrics, plotters' anchoring), and labels
//! read as words ("Code learning rate = 0.1"), not as column names (`code_learning=0.1`).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use orgsim::analysis::saved::Saved;
use orgsim::analysis::sensitivity;
use orgsim::analysis::{compare, prim, robustness};
use orgsim::plot::{self, Figure, Kind};

fn orgsim() -> Command {
    Command::cargo_bin("orgsim").expect("the orgsim binary is built")
}

/// Options with long names and a scheduled change (a J-curve), and a sweep under them.
const OPTIONS: &str = r#"
[scenario]
name = "labels-options"
model = "march1991"
replications = 6
seed = 3
ticks = 60
record_every = 5
baseline = "a status quo with a rather long descriptive name"

[params]
dimensions = 20
individuals = 20

[sweep]
turbulence = [0.0, 0.02]

[[option]]
name = "a status quo with a rather long descriptive name"
set = { socialisation = 0.5 }

[[option]]
name = "socialise slowly and let the code learn quickly from the best"
set = { socialisation = 0.1 }
schedule = [{ at = 20, set = { code_learning = 0.9 } }]

[[option]]
name = "fast"
set = { socialisation = 0.9 }
"#;

/// A plain sweep of two parameters: responses, heatmaps and small multiples.
const SWEEP: &str = r#"
[scenario]
name = "labels-sweep"
model = "march1991"
replications = 4
seed = 5
ticks = 40
record_every = 10

[params]
dimensions = 20
individuals = 20

[sweep]
code_learning = [0.1, 0.5, 0.9]
socialisation = [0.1, 0.3, 0.5, 0.7, 0.9]
"#;

/// Designs: Morris (the μ*–σ plane and a μ* chart) and Sobol (index charts).
const MORRIS: &str = r#"
[scenario]
name = "labels-morris"
model = "march1991"
replications = 2
seed = 1
ticks = 30
record_every = 0

[params]
dimensions = 16
individuals = 16

[design]
method = "morris"
trajectories = 6
seed = 2

[design.space]
socialisation = { from = 0.1, to = 0.9 }
code_learning = { from = 0.1, to = 0.9 }
turnover = { from = 0.0, to = 0.1 }
"#;

const SOBOL: &str = r#"
[scenario]
name = "labels-sobol"
model = "ishigami"
replications = 1
seed = 1

[design]
method = "sobol"
n = 64
seed = 4

[design.space]
x1 = { from = -3.14159, to = 3.14159 }
x2 = { from = -3.14159, to = 3.14159 }
x3 = { from = -3.14159, to = 3.14159 }
"#;

/// Options crossed with a design: the regret distribution, the winner map and PRIM's figures.
const ROBUST: &str = r#"
[scenario]
name = "labels-robust"
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
"#;

/// Options of a model that reports its costs: the value-against-cost figure, with long names.
const COSTS: &str = r#"
[scenario]
name = "labels-costs"
model = "datateam"
replications = 3
seed = 2
ticks = 52
record_every = 0
baseline = "a central team appraised on counted outputs"

[[option]]
name = "a central team appraised on counted outputs"
set = { structure = "centralised", incentive = "kpi" }

[[option]]
name = "embed every analyst in a policy unit, with mixed appraisal"
set = { structure = "embedded", incentive = "mixed" }

[[option]]
name = "translators"
set = { structure = "centralised", incentive = "kpi", translators = 4 }
"#;

/// A design of twelve inputs of every kind (whole numbers, a log scale, a triangular and a
/// truncated normal distribution, a list of choices) under two options: the scatter figure's grid
/// of 4 × 3 panels, its log axis and its jittered columns.
const SCATTER: &str = r#"
[scenario]
name = "labels-scatter"
model = "datateam"
replications = 2
seed = 2
ticks = 20
record_every = 0

[design]
method = "lhs"
n = 16
seed = 5

[design.space]
analysts = { from = 4, to = 12 }
turbulence = { from = 0.01, to = 0.15 }
politics = { from = 0.0, to = 0.5 }
literacy = { from = 0.1, to = 0.6 }
adhoc_rate = { from = 0.5, to = 6, scale = "log" }
attention = { from = 1, to = 6 }
eval_lag = { from = 8, to = 52 }
q_rate = { from = 0.03, to = 0.3, distribution = "triangular", mode = 0.1 }
data_quality = { from = 0.2, to = 0.9, distribution = "truncnormal", mean = 0.6, sd = 0.2 }
hub_share = { from = 0.05, to = 0.5 }
learning_share = { from = 0.0, to = 0.2 }
structure = ["centralised", "hub_and_spoke", "embedded"]

[[option]]
name = "appraised on counted outputs, the status quo"
set = { incentive = "kpi" }

[[option]]
name = "appraised on uses"
set = { incentive = "impact" }
"#;

fn run(root: &Path, name: &str, text: &str) -> PathBuf {
    let file = root.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    let out = root.join(name);
    orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["-q", "--no-plots"])
        .assert()
        .success();
    out
}

/// The figures `plot` would draw from a saved directory.
fn figures_of(dir: &Path) -> Vec<Figure> {
    let manifest = Saved::load_manifest(dir, "DIR").unwrap();
    if let Some(s) = sensitivity::analyse(dir, &manifest).unwrap() {
        let mut figures = plot::design_figures(&manifest, &s);
        if robustness::applies(&manifest) {
            let a = robustness::analyse_dir(
                dir,
                &manifest,
                &robustness::Overrides::default(),
                prim::Settings::default(),
            )
            .unwrap();
            figures.extend(plot::robust::figures(&a));
        }
        return figures;
    }
    let saved = Saved::load(dir, "DIR").unwrap();
    let comparison = compare::compare(&saved, &[], None).unwrap();
    plot::figures(&saved, &comparison, &[]).unwrap()
}

#[test]
fn every_label_of_every_kind_of_figure_lies_inside_its_canvas() {
    let tmp = tempfile::tempdir().unwrap();
    let mut figures = Vec::new();
    for (name, text) in [
        ("options", OPTIONS),
        ("sweep", SWEEP),
        ("morris", MORRIS),
        ("sobol", SOBOL),
        ("robust", ROBUST),
        ("costs", COSTS),
        ("scatter", SCATTER),
    ] {
        figures.extend(figures_of(&run(tmp.path(), name, text)));
    }
    for kind in [
        Kind::TimeSeries,
        Kind::Response,
        Kind::Heatmap,
        Kind::Forest,
        Kind::Distribution,
        Kind::JCurve,
        Kind::Sensitivity,
        Kind::Robust,
        Kind::ValueCost,
    ] {
        assert!(
            figures.iter().any(|f| f.kind == kind),
            "no {kind:?} figure to check"
        );
    }
    // The output against each input: a panel per input, in a 4 × 3 grid for twelve inputs.
    let twelve = figures
        .iter()
        .find(|f| f.name == "scatter_value_added" && f.panel_rows == 3)
        .expect("a scatter figure of value added with 3 rows of panels");
    let orgsim::plot::Chart::Scatter(chart) = &twelve.chart else {
        panic!("{} is not a scatter chart", twelve.name)
    };
    assert_eq!(chart.panels.len(), 12);
    let texts: Vec<String> = twelve
        .text_layout(plot::DEFAULT_WIDTH, plot::DEFAULT_HEIGHT)
        .unwrap()
        .into_iter()
        .map(|b| b.text)
        .collect();
    use orgsim::plot::scatter::XAxis;
    assert!(
        chart.panels.iter().any(|p| p.axis == XAxis::Log),
        "the log-scaled input has a log axis"
    );
    assert!(
        chart
            .panels
            .iter()
            .any(|p| matches!(&p.axis, XAxis::Categories(c) if c.len() == 3)),
        "the choices are columns"
    );
    assert_eq!(chart.legend.len(), 2, "coloured by option");
    for words in [
        "Analyst posts (posts)",
        "Team structure",
        "centralised",
        "embedded",
    ] {
        assert!(
            texts.iter().any(|t| t == words),
            "no \"{words}\" in the scatter figure: {texts:?}"
        );
    }
    let mut clipped = Vec::new();
    for f in &figures {
        // The default canvas, and a small one where room is tightest.
        for (w, h) in [(plot::DEFAULT_WIDTH, plot::DEFAULT_HEIGHT), (600, 430)] {
            let layout = f.text_layout(w, h).unwrap();
            assert!(
                layout.len() >= 5,
                "{}: only {} texts laid out",
                f.name,
                layout.len()
            );
            for b in f.clipped_text(w, h).unwrap() {
                clipped.push(format!("{} at {w}x{h}: {b:?}", f.name));
            }
        }
    }
    assert!(clipped.is_empty(), "text cut off:\n{}", clipped.join("\n"));
}

/// `orgsim ARGS` run to success; its standard output.
fn stdout_of(args: &[&str], dir: &Path) -> String {
    let out = orgsim().args(args).arg(dir).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).to_string()
}

#[test]
fn a_plain_sweep_and_a_one_point_run_are_not_ranked_against_point_0() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("sweep.toml");
    std::fs::write(&file, SWEEP).unwrap();
    let dir = tmp.path().join("sweep");
    let run = orgsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&dir)
        .arg("-q")
        .assert()
        .success();
    let printed = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    let compared = stdout_of(&["compare"], &dir);
    for text in [&printed, &compared] {
        assert!(
            !text.contains("vs baseline")
                && !text.contains("P(best)")
                && !text.contains("rank  option"),
            "a plain sweep is not ranked against point 0:\n{text}"
        );
        assert!(
            text.contains("mean [95% CI] at each point"),
            "each point's mean instead:\n{text}"
        );
    }
    // Naming a baseline asks for the ranking, and gets it.
    let ranked = stdout_of(&["compare", "--baseline", "4"], &dir);
    assert!(
        ranked.contains("vs baseline") && ranked.contains("P(best)"),
        "{ranked}"
    );
    // Figures: a response and a heatmap, no forest plot of differences from point 0.
    let plots: Vec<String> = std::fs::read_dir(dir.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        plots.iter().any(|p| p.starts_with("response_")),
        "{plots:?}"
    );
    assert!(plots.iter().any(|p| p.starts_with("heatmap_")), "{plots:?}");
    assert!(!plots.iter().any(|p| p.starts_with("forest_")), "{plots:?}");
    stdout_of(&["plot"], &dir);
    assert!(!dir.join("plots/forest_code_knowledge.svg").exists());
    // The report: no ranked table, no "point 0" baseline; legends in words.
    stdout_of(&["report"], &dir);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(!html.contains("class=\"comparison\""), "no ranked table");
    assert!(!html.contains("point 0") && !html.contains("Ranked comparison"));
    assert!(html.contains("id=\"results\"") && html.contains("This is a sweep of"));
    assert!(
        html.contains("Code learning rate = 0.5"),
        "settings in words"
    );
    assert!(!html.contains("code_learning=0.5"), "not as column names");
    let response = std::fs::read_to_string(dir.join("plots/response_code_knowledge.svg")).unwrap();
    assert!(
        response.contains("Code learning rate = 0.1"),
        "legend in words"
    );
    assert!(!response.contains("code_learning=0.1"));

    // One point: no ranking anywhere, just the means.
    let one = tmp.path().join("one.toml");
    std::fs::write(
        &one,
        "[scenario]\nname = \"one\"\nmodel = \"march1991\"\nreplications = 3\nticks = 20\n",
    )
    .unwrap();
    let one_dir = tmp.path().join("one");
    let run = orgsim()
        .arg("run")
        .arg(&one)
        .arg("--out")
        .arg(&one_dir)
        .arg("-q")
        .assert()
        .success();
    let printed = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    for text in [printed, stdout_of(&["compare"], &one_dir)] {
        assert!(
            !text.contains("rank  option")
                && !text.contains("P(best)")
                && !text.contains("baseline"),
            "a one-point run prints no ranking:\n{text}"
        );
        assert!(
            text.contains("code_knowledge (higher is better): mean "),
            "{text}"
        );
    }
    let html = std::fs::read_to_string(one_dir.join("report.html")).unwrap();
    assert!(
        html.contains("One setting was run, 3 times"),
        "the answer says so"
    );
    assert!(!html.contains("class=\"comparison\""));
}

/// `describe`, figures and the sensitivity and robustness reports show every parameter to people:
/// each declared parameter of every model declares a label, and an internal constant or price
/// (whose names are the terse ones: `q_rate`, `post_on_cost`) one that is neither its name nor
/// the name mechanically title-cased ("Q rate"). A lever named in plain words may keep them
/// ("turbulence" is "Turbulence").
#[test]
fn every_parameter_of_every_model_has_a_label_of_its_own() {
    use orgsim::engine::params::{Group, label_from_name};
    let mut unlabelled = Vec::new();
    let mut constants = 0;
    for model in orgsim::models::all() {
        for p in model.params() {
            let mechanical = p.label == p.name || p.label == label_from_name(p.name);
            constants += usize::from(p.group == Group::Constant);
            if p.label.is_empty() || (p.group == Group::Constant && mechanical) {
                unlabelled.push(format!("{}: {} ({:?})", model.name(), p.name, p.label));
            }
        }
    }
    assert!(constants >= 100, "the constants are checked ({constants})");
    assert!(
        unlabelled.is_empty(),
        "parameters without a label of their own:\n{}",
        unlabelled.join("\n")
    );
}
