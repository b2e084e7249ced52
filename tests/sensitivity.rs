//! Designs and global sensitivity analysis checked against analytic answers: Sobol indices of the
//! Ishigami and g-functions, Morris screening of the g-function, the seeds' share of the variance of
//! a noisy model under common and independent streams, the sampling designs themselves, and (with
//! `ORGSIM_SALIB_PYTHON`) the indices SALib computes from the same runs.
//!
//! Sizes are fixed and documented here (seeds included), so each check is deterministic: Ishigami
//! with N = 1024 base rows (5 120 points), the g-function with N = 2048 (20 480 points), Morris
//! with 60 trajectories of 4 levels.

use std::f64::consts::PI;
use std::path::Path;

use orgsim::scenario::{sampling, space};
use tempfile::TempDir;

use crate::cli::{run_quietly, write};

/// One row of sensitivity.csv.
#[derive(Debug, Clone)]
struct Row {
    option: String,
    parameter: String,
    index: String,
    estimate: f64,
    lo: f64,
    hi: f64,
    note: String,
}

/// Runs `scenario` into a fresh directory and returns it with the rows of its sensitivity.csv.
fn run(scenario: &str) -> (TempDir, Vec<Row>) {
    let dir = TempDir::new().unwrap();
    let file = write(&dir, "design.toml", scenario);
    let out = dir.path().join("out");
    run_quietly(&file, &out);
    let rows = read(&out);
    (dir, rows)
}

fn read(out: &Path) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(out.join("sensitivity.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Row {
                option: r[col("option")].to_string(),
                parameter: r[col("parameter")].to_string(),
                index: r[col("index")].to_string(),
                estimate: num(&r[col("estimate")]),
                lo: num(&r[col("lo")]),
                hi: num(&r[col("hi")]),
                note: r[col("note")].to_string(),
            }
        })
        .collect()
}

fn find<'a>(rows: &'a [Row], parameter: &str, index: &str) -> &'a Row {
    rows.iter()
        .find(|r| r.parameter == parameter && r.index == index)
        .unwrap_or_else(|| panic!("no {index} of {parameter} in {rows:?}"))
}

/// Ishigami's analytic first-order and total indices (Ishigami & Homma 1990; Sobol' & Levitan 1999).
fn ishigami_indices(a: f64, b: f64) -> ([f64; 3], [f64; 3], f64) {
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = 8.0 * b * b * PI.powi(8) / 225.0;
    let v = v1 + v2 + v13;
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v], v)
}

/// The g-function's analytic indices (Saltelli & Sobol' 1995).
fn g_indices(a: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let vi: Vec<f64> = a.iter().map(|a| 1.0 / (3.0 * (1.0 + a).powi(2))).collect();
    let v = vi.iter().map(|v| 1.0 + v).product::<f64>() - 1.0;
    let s1 = vi.iter().map(|x| x / v).collect();
    let st = (0..a.len())
        .map(|i| {
            vi[i]
                * (0..a.len())
                    .filter(|&j| j != i)
                    .map(|j| 1.0 + vi[j])
                    .product::<f64>()
                / v
        })
        .collect();
    (s1, st)
}

const PI_RANGE: &str = "{ from = -3.141592653589793, to = 3.141592653589793 }";

fn ishigami_scenario(extra_header: &str, design: &str, noise: f64) -> String {
    format!(
        "[scenario]\nname = \"ishigami\"\nmodel = \"ishigami\"\nrecord_every = 0\n{extra_header}\n\n[params]\nnoise = {noise}\n\n[design]\n{design}\n\n[design.space]\nx1 = {PI_RANGE}\nx2 = {PI_RANGE}\nx3 = {PI_RANGE}\n"
    )
}

/// Every analytic index lies in its 95% bootstrap interval, and the intervals are narrow enough to
/// mean something.
fn assert_covers(rows: &[Row], names: &[String], s1: &[f64], st: &[f64], width: f64) {
    for (i, name) in names.iter().enumerate() {
        for (index, truth) in [("S1", s1[i]), ("ST", st[i])] {
            let r = find(rows, name, index);
            assert!(
                r.lo <= truth && truth <= r.hi,
                "{index} of {name}: analytic {truth:.4} outside [{:.4}, {:.4}] (estimate {:.4})",
                r.lo,
                r.hi,
                r.estimate
            );
            assert!(
                r.hi - r.lo < width,
                "{index} of {name}: interval {r:?} too wide"
            );
        }
    }
}

#[test]
fn sobol_indices_of_ishigami_contain_the_analytic_values() {
    let (_dir, rows) = run(&ishigami_scenario(
        "",
        "method = \"sobol\"\nn = 1024\nseed = 1",
        0.0,
    ));
    let (s1, st, _) = ishigami_indices(7.0, 0.1);
    let names: Vec<String> = ["x1", "x2", "x3"].map(String::from).to_vec();
    assert_covers(&rows, &names, &s1, &st, 0.2);
}

/// The g-function's default coefficients.
const G_A: [f64; 8] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];

/// A design over all eight inputs of the g-function on [0, 1].
fn g_scenario(design: &str) -> String {
    let space: String = (1..=8)
        .map(|i| format!("x{i} = {{ from = 0, to = 1 }}\n"))
        .collect();
    format!(
        "[scenario]\nname = \"g\"\nmodel = \"sobol_g\"\nrecord_every = 0\n\n[design]\n{design}\n\n[design.space]\n{space}"
    )
}

#[test]
fn sobol_indices_of_sobol_g_contain_the_analytic_values() {
    let (_dir, rows) = run(&g_scenario("method = \"sobol\"\nn = 2048\nseed = 2"));
    let (s1, st) = g_indices(&G_A);
    let names: Vec<String> = (1..=8).map(|i| format!("x{i}")).collect();
    assert_covers(&rows, &names, &s1, &st, 0.2);
}

#[test]
fn morris_on_sobol_g_ranks_the_parameters_as_the_total_indices_do() {
    let (_dir, rows) = run(&g_scenario(
        "method = \"morris\"\ntrajectories = 60\nlevels = 4\nseed = 3",
    ));
    let (_, st) = g_indices(&G_A);
    let mu_star: Vec<f64> = (1..=8)
        .map(|i| find(&rows, &format!("x{i}"), "mu_star").estimate)
        .collect();
    // The four distinct coefficients come in the order of their total indices; the four at 99
    // (equal total indices) all fall below them.
    for i in 0..3 {
        assert!(st[i] > st[i + 1]);
        assert!(mu_star[i] > mu_star[i + 1], "mu* {mu_star:?}");
    }
    for i in 4..8 {
        assert!(mu_star[i] < mu_star[3], "mu* {mu_star:?}");
    }
}

/// Morris on the g-function with seed noise (sd 0.3, 8 replicates, 60 trajectories): x5..x8
/// (a = 99) have effects of about 0.035, far below the noise of an elementary effect on
/// independent streams (sd √(2·0.09/8)/Δ ≈ 0.22), which inflates their raw σ (true ≈ 0.04) and
/// μ* to about 0.2. The analysis must flag those four, and only those, as within the seeds' noise,
/// and its corrected σ must be near their true σ while the raw one is inflated. With common random
/// numbers the additive noise is the same at both ends of every step and cancels: the noise floor
/// is 0, nothing is flagged, and the corrected σ is the raw one.
#[test]
fn morris_flags_factors_within_the_seeds_noise_and_corrects_sigma() {
    let noisy = |crn: bool| {
        g_scenario(&format!(
            "method = \"morris\"\ntrajectories = 60\nlevels = 4\nseed = 3\ncommon_random_numbers = {crn}"
        ))
        .replace("record_every = 0\n", "record_every = 0\nreplications = 8\nseed = 4\n\n[params]\nnoise = 0.3\n")
    };
    let (_dir, rows) = run(&noisy(false));
    for i in 1..=8 {
        let name = format!("x{i}");
        let mu_star = find(&rows, &name, "mu_star");
        let raw = find(&rows, &name, "sigma").estimate;
        let corrected = find(&rows, &name, "sigma_corrected").estimate;
        let floor = find(&rows, &name, "mu_star_noise").estimate;
        // The noise floor is the same for every factor: E|N(0, 2·0.09/(8Δ²))| ≈ 0.18.
        assert!((floor - 0.178).abs() < 0.03, "{name}: floor {floor}");
        if i <= 4 {
            assert_eq!(mu_star.note, "", "{name} is influential: {mu_star:?}");
            assert!(
                corrected > 0.3 && corrected <= raw,
                "{name}: sigma {raw} -> {corrected}"
            );
        } else {
            assert_eq!(mu_star.note, "within seed noise", "{name}: {mu_star:?}");
            assert!(
                raw > 0.18,
                "{name}: raw sigma {raw} should be inflated by the noise"
            );
            assert!(corrected < 0.1, "{name}: corrected sigma {corrected}");
        }
    }
    let (_dir, rows) = run(&noisy(true));
    for i in 1..=8 {
        let name = format!("x{i}");
        assert_eq!(find(&rows, &name, "mu_star").note, "", "{name}");
        assert!(find(&rows, &name, "mu_star_noise").estimate < 1e-9);
        let (raw, corrected) = (
            find(&rows, &name, "sigma").estimate,
            find(&rows, &name, "sigma_corrected").estimate,
        );
        assert!(
            (raw - corrected).abs() < 1e-9,
            "{name}: {raw} vs {corrected}"
        );
    }
    // Without noise, x5's μ* is its own effect, far below the noisy floor.
    let x5 = find(&rows, "x5", "mu_star").estimate;
    assert!(x5 > 0.02 && x5 < 0.06, "x5 mu* {x5}");
}

/// A model linear in its inputs (Ishigami with a = b = 0 on a narrow range, so y = sin x1 ≈ x1)
/// with seed noise: the fit leaves only noise as residual, so the noise-corrected R² comes out
/// above 1 (the fit's residual variance is biased down by its parameters, and the noise estimate
/// is itself noisy). It is reported capped at 1 with a note, beside the raw R² below 1.
#[test]
fn a_noise_corrected_r2_above_1_is_capped_and_flagged() {
    let scenario = "[scenario]\nname = \"linear\"\nmodel = \"ishigami\"\nrecord_every = 0\nreplications = 4\nseed = 8\n\n[params]\na = 0\nb = 0\nnoise = 0.05\n\n[design]\nmethod = \"lhs\"\nn = 40\nseed = 2\ncommon_random_numbers = false\n\n[design.space]\nx1 = { from = -0.2, to = 0.2 }\nx2 = { from = -1, to = 1 }\nx3 = { from = -1, to = 1 }\n";
    let (_dir, rows) = run(scenario);
    let r2 = find(&rows, "", "r2");
    let raw = find(&rows, "", "r2_raw");
    assert_eq!(r2.estimate, 1.0, "{r2:?}");
    assert!(
        r2.note
            .starts_with("capped at 1: the noise-corrected R² is 1."),
        "{r2:?}"
    );
    assert!(raw.estimate < 1.0 && raw.estimate > 0.5, "{raw:?}");
}

/// With additive noise of sd 2 on Ishigami, the seeds' share of one run's variance is
/// 4 / (4 + V). With independent streams (N = 1024, 4 replicates) it must be recovered within
/// 0.02, the parameters' variance within 10%, and the Sobol indices corrected for the noise must
/// still contain the analytic ones. With common streams the (additive) noise is the same at every
/// point of a replicate, so it cancels from the indices and the parameters' variance; the seed
/// variance then rests on R − 1 degrees of freedom only, so it is checked with 400 replicates
/// against the 99.9% chi-square band (±23% for 399 df).
#[test]
fn the_noise_share_is_recovered_and_removed_under_both_kinds_of_streams() {
    let (s1, st, v) = ishigami_indices(7.0, 0.1);
    let share = 4.0 / (4.0 + v);
    let names: Vec<String> = ["x1", "x2", "x3"].map(String::from).to_vec();
    for crn in [false, true] {
        let (_dir, rows) = run(&ishigami_scenario(
            "replications = 4\nseed = 5",
            &format!("method = \"sobol\"\nn = 1024\nseed = 4\ncommon_random_numbers = {crn}"),
            2.0,
        ));
        let parameter_variance = find(&rows, "(seeds)", "parameter_variance").estimate;
        assert!(
            (parameter_variance / v - 1.0).abs() < 0.1,
            "common streams {crn}: parameter variance {parameter_variance:.3}, analytic {v:.3}"
        );
        assert_covers(&rows, &names, &s1, &st, 0.25);
        if !crn {
            let noise = find(&rows, "(seeds)", "noise_share").estimate;
            assert!(
                (noise - share).abs() < 0.02,
                "noise share {noise:.4}, expected {share:.4}"
            );
        }
    }
    let (_dir, rows) = run(&ishigami_scenario(
        "replications = 400\nseed = 6",
        "method = \"lhs\"\nn = 50\nseed = 7",
        2.0,
    ));
    let seed_variance = find(&rows, "(seeds)", "seed_variance").estimate;
    assert!(
        (seed_variance / 4.0 - 1.0).abs() < 0.23,
        "common streams: seed variance {seed_variance:.3}, set 4"
    );
}

#[test]
fn lhs_and_regression_see_a_monotone_effect_and_options_get_their_own_indices() {
    // With x3 = 0, y = sin x1 + a sin² x2: on [-1, 1], x1 acts monotonically, x2 symmetrically
    // (no monotone trend), and with a = 0 (option "linear") x1 alone is left.
    let scenario = "[scenario]\nname = \"lhs\"\nmodel = \"ishigami\"\nrecord_every = 0\n\n[design]\nmethod = \"lhs\"\nn = 400\nseed = 6\n\n[design.space]\nx1 = { from = -1, to = 1 }\nx2 = { from = -1, to = 1 }\n\n[[option]]\nname = \"plain\"\n\n[[option]]\nname = \"linear\"\nset = { a = 0 }\n";
    let (_dir, rows) = run(scenario);
    for option in ["plain", "linear"] {
        let of = |p: &str, i: &str| {
            rows.iter()
                .find(|r| r.option == option && r.parameter == p && r.index == i)
                .unwrap_or_else(|| panic!("{option} {p} {i}"))
        };
        for index in ["spearman", "src"] {
            assert!(
                of("x1", index).lo > 0.0,
                "{option} {index}: {:?}",
                of("x1", index)
            );
            let x2 = of("x2", index);
            assert!(x2.lo < 0.0 && 0.0 < x2.hi, "{option} {index}: {x2:?}");
        }
    }
    let r2 = rows
        .iter()
        .find(|r| r.option == "linear" && r.index == "r2")
        .unwrap();
    assert!(r2.estimate > 0.95, "{r2:?}");
}

#[test]
fn latin_hypercube_strata_are_each_hit_once_per_parameter() {
    let (n, d) = (37, 4);
    let rows = sampling::lhs(n, d, 9);
    for j in 0..d {
        let mut hits = vec![0; n];
        for row in &rows {
            hits[(row[j] * n as f64) as usize] += 1;
        }
        assert!(hits.iter().all(|&h| h == 1), "parameter {j}: {hits:?}");
    }
    assert_eq!(rows, sampling::lhs(n, d, 9));
    assert_ne!(rows, sampling::lhs(n, d, 10));
}

/// The L2-star discrepancy (Warnock 1972) of points in [0, 1)^d.
fn l2_star(points: &[Vec<f64>]) -> f64 {
    let n = points.len() as f64;
    let d = points[0].len() as i32;
    let a = 3f64.powi(-d);
    let b: f64 = points
        .iter()
        .map(|x| x.iter().map(|u| (1.0 - u * u) / 2.0).product::<f64>())
        .sum::<f64>()
        * 2.0
        / n;
    let c: f64 = points
        .iter()
        .flat_map(|x| {
            points.iter().map(move |y| {
                x.iter()
                    .zip(y)
                    .map(|(u, v)| 1.0 - u.max(*v))
                    .product::<f64>()
            })
        })
        .sum::<f64>()
        / (n * n);
    (a - b + c).sqrt()
}

#[test]
fn sobol_points_lie_in_the_unit_cube_are_seeded_and_beat_random_points_on_discrepancy() {
    let (n, d) = (512, 3);
    let rows = sampling::saltelli(n, d, false, 11);
    assert!(rows.iter().flatten().all(|u| (0.0..1.0).contains(u)));
    assert_eq!(rows, sampling::saltelli(n, d, false, 11));
    assert_ne!(rows, sampling::saltelli(n, d, false, 12));
    // The A rows (first of each block) are the first d coordinates of the sequence.
    let a: Vec<Vec<f64>> = rows.chunks(d + 2).map(|c| c[0].clone()).collect();
    let random = sampling::random(n, d, 11);
    let (qmc, mc) = (l2_star(&a), l2_star(&random));
    assert!(qmc < mc / 3.0, "Sobol {qmc:.5} vs random {mc:.5}");
}

/// The design's unit-cube rows, recomputed from `out`'s manifest as the analysis does, written as
/// a CSV without header beside it (for `salib_check.py --unit-rows`).
fn unit_rows_file(out: &Path) -> std::path::PathBuf {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let d = &manifest["design"];
    let method = space::Method::from_name(d["method"].as_str().unwrap()).unwrap();
    let rows = space::unit_rows(
        method,
        d["n"].as_u64().unwrap() as usize,
        d["levels"].as_u64().unwrap_or(0) as usize,
        d["factors"].as_array().unwrap().len(),
        d["second_order"].as_bool().unwrap_or(false),
        d["seed"].as_u64().unwrap(),
    );
    let text: String = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|u| format!("{u:?}"))
                .collect::<Vec<_>>()
                .join(",")
                + "\n"
        })
        .collect();
    let path = out.join("unit_rows.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs scripts/salib_check.py on `out` with the Python in `ORGSIM_SALIB_PYTHON`, with the
/// design's unit rows so that it also checks SALib's scaling against points.csv.
fn salib(python: &str, out: &Path) -> serde_json::Value {
    let script = crate::cli::repo_file("scripts/salib_check.py");
    let result = std::process::Command::new(python)
        .arg(script)
        .arg(out)
        .arg("--unit-rows")
        .arg(unit_rows_file(out))
        .output()
        .expect("the SALib Python runs");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    serde_json::from_slice(&result.stdout).unwrap()
}

/// Ishigami over non-uniform factors: x1 triangular, x2 a truncated normal, x3 log-uniform.
fn nonuniform_scenario(design: &str) -> String {
    format!(
        "[scenario]\nname = \"nonuniform\"\nmodel = \"ishigami\"\nrecord_every = 0\n\n[design]\n{design}\n\n[design.space]\nx1 = {{ from = -3.14159, to = 3.14159, distribution = \"triangular\", mode = 1.0 }}\nx2 = {{ from = -3.14159, to = 3.14159, distribution = \"truncnormal\", mean = 0.5, sd = 1.5 }}\nx3 = {{ from = 0.1, to = 3.0, scale = \"log\" }}\n"
    )
}

/// Our Sobol S1/ST and Morris μ, μ*, σ equal SALib's on the same runs (same estimators on the same
/// replicate means; only the bootstrap differs, which is not compared), to 1e-9, for uniform and
/// non-uniform factors; and SALib's own scaling of the design's unit rows by salib_problem.json's
/// `dists` and `bounds` gives the values of points.csv (to 1e-9: our inverse distribution
/// functions are SALib's, under its conventions).
#[test]
fn indices_agree_with_salib_on_the_same_runs() {
    let Ok(python) = std::env::var("ORGSIM_SALIB_PYTHON") else {
        assert!(
            std::env::var("ORGSIM_REQUIRE_SALIB").as_deref() != Ok("1"),
            "ORGSIM_REQUIRE_SALIB=1 but ORGSIM_SALIB_PYTHON is not set"
        );
        eprintln!(
            "SKIPPED indices_agree_with_salib_on_the_same_runs: set ORGSIM_SALIB_PYTHON to a Python with SALib and numpy \
             (python3 -m venv .ci/venv && .ci/venv/bin/pip install SALib numpy; ORGSIM_SALIB_PYTHON=.ci/venv/bin/python)"
        );
        return;
    };
    let tolerance = 1e-9;
    let cases = [
        (
            ishigami_scenario(
                "replications = 2",
                "method = \"sobol\"\nn = 256\nseed = 8\nsecond_order = true",
                0.0,
            ),
            vec!["S1", "ST"],
        ),
        (
            ishigami_scenario(
                "",
                "method = \"morris\"\ntrajectories = 40\nlevels = 6\nseed = 9",
                0.0,
            ),
            vec!["mu", "mu_star", "sigma"],
        ),
        (
            nonuniform_scenario("method = \"sobol\"\nn = 128\nseed = 10"),
            vec!["S1", "ST"],
        ),
        (
            nonuniform_scenario("method = \"morris\"\ntrajectories = 30\nlevels = 4\nseed = 11"),
            vec!["mu", "mu_star", "sigma"],
        ),
    ];
    for (scenario, indices) in cases {
        let dir = TempDir::new().unwrap();
        let file = write(&dir, "design.toml", &scenario);
        let out = dir.path().join("out");
        run_quietly(&file, &out);
        let ours = read(&out);
        let theirs = salib(&python, &out);
        let scaling = theirs["scaling"].as_object().expect("the scaling check");
        assert_eq!(scaling.len(), 3, "every factor checked: {scaling:?}");
        for (name, gap) in scaling {
            let gap = gap.as_f64().expect("a real factor");
            assert!(
                gap <= 1e-9,
                "{name}: SALib maps the unit rows {gap} away from points.csv"
            );
        }
        for index in indices {
            let values = theirs["y"][index].as_array().expect("SALib's indices");
            for (j, v) in values.iter().enumerate() {
                let name = format!("x{}", j + 1);
                let our = find(&ours, &name, index).estimate;
                let their = v.as_f64().unwrap();
                assert!(
                    (our - their).abs() <= tolerance * (1.0 + their.abs()),
                    "{index} of {name}: orgsim {our}, SALib {their}"
                );
            }
        }
    }
}

/// `orgsim compare` on a design: without options it refuses (exit 2) and points to `orgsim
/// sensitivity`; with options it compares the options pooled over the design's points — one block,
/// never one per design point — and its paired difference is the mean over points of the
/// difference of the two options' replicate means, computed here by hand from summary.csv.
#[test]
fn compare_on_a_design_pools_options_over_the_points_or_refuses() {
    let dir = TempDir::new().unwrap();
    let plain = write(
        &dir,
        "plain.toml",
        &ishigami_scenario(
            "replications = 3",
            "method = \"lhs\"\nn = 20\nseed = 1",
            0.5,
        ),
    );
    let out = dir.path().join("plain");
    run_quietly(&plain, &out);
    let refused = crate::cli::orgsim()
        .arg("compare")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(
        stderr.contains("orgsim sensitivity DIR") && stderr.contains("not alternatives"),
        "{stderr}"
    );

    let scenario = "[scenario]\nname = \"opts\"\nmodel = \"ishigami\"\nrecord_every = 0\nreplications = 3\nseed = 2\nbaseline = \"plain\"\n\n[params]\nnoise = 0.5\n\n[design]\nmethod = \"lhs\"\nn = 20\nseed = 6\n\n[design.space]\nx1 = { from = -1, to = 1 }\nx2 = { from = -1, to = 1 }\n\n[[option]]\nname = \"plain\"\n\n[[option]]\nname = \"linear\"\nset = { a = 0 }\n";
    let file = write(&dir, "opts.toml", scenario);
    let out = dir.path().join("opts");
    run_quietly(&file, &out);
    let shown = crate::cli::orgsim()
        .arg("compare")
        .arg(&out)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&shown.get_output().stdout).to_string();
    assert_eq!(
        text.matches("options vs baseline").count(),
        1,
        "one block: {text}"
    );
    assert!(text.contains("all 20 design points, pooled"), "{text}");
    // The pairs are the design's points, and the heading counts them as such.
    assert!(text.contains("; 20 design points\n"), "{text}");
    assert!(!text.contains("paired replicates"), "{text}");
    let csv = crate::cli::orgsim()
        .args(["compare", "--format", "csv"])
        .arg(&out)
        .assert()
        .success();
    let mut reader = csv::Reader::from_reader(&csv.get_output().stdout[..]);
    let header = reader.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "one row per option");
    let linear = rows.iter().find(|r| &r[col("option")] == "linear").unwrap();
    let diff: f64 = linear[col("diff")].parse().unwrap();
    assert_eq!(&linear[col("n")], "20");
    // By hand: point j of option o is point_id o × 20 + j; summary.csv holds its mean.
    let mut means = vec![f64::NAN; 40];
    let mut summary = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let h = summary.headers().unwrap().clone();
    let at = |n: &str| h.iter().position(|x| x == n).unwrap();
    for r in summary.records() {
        let r = r.unwrap();
        if &r[at("metric")] != "y" {
            continue;
        }
        means[r[at("point_id")].parse::<usize>().unwrap()] = r[at("mean")].parse().unwrap();
    }
    let by_hand = (0..20).map(|j| means[20 + j] - means[j]).sum::<f64>() / 20.0;
    assert!(
        (diff - by_hand).abs() < 1e-9,
        "compare {diff}, by hand {by_hand}"
    );
    // Taking a sin² x2 away lowers y at every point: the interval lies below 0.
    let hi: f64 = linear[col("diff_ci_high")].parse().unwrap();
    assert!(hi < 0.0, "{linear:?}");
}
