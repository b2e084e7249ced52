//! The `datateam` model as a whole: exactness of the counterfactual, common random numbers, invariants
//! over the parameter space (proptest), and the seven patterns of MODEL.md §6 as paired statistical
//! tests on common random numbers, at the default internal constants and across a Latin hypercube of
//! them (±50%). Effect sizes are printed (`cargo test --release datateam -- --nocapture`). Also the
//! opt-in per-unit output (`units.csv`) as a user gets it from `orgsim run`.

use orgsim::engine::params::Choice as _;
use orgsim::engine::params::{Params, Value};
use orgsim::engine::rng::{run_seed, stream};
use orgsim::engine::{Clock, RunSettings, ScheduledChange, Simulation};
use orgsim::models::datateam::structure::dual_overhead;
use orgsim::models::datateam::team::Counters;
use orgsim::models::datateam::{
    Constants, DataTeam, Knockouts, Mechanism, Metrics, Structure, UnitMetrics,
};
use orgsim::models::find;
use proptest::prelude::*;
use rand::Rng as _;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

use crate::determinism::{UNIT_TABLES, assert_same_files, assert_same_tables, run_with};

fn params(set: &[(&str, Value)]) -> Params {
    let model = find("datateam").expect("datateam is registered");
    let mut p = Params::defaults(model.params());
    for (name, value) in set {
        p.set(name, value.clone());
    }
    model.check(&p).expect("valid parameters");
    p
}

fn num(x: f64) -> Value {
    Value::Num(x)
}
fn text(s: &str) -> Value {
    Value::Text(s.into())
}

/// Final metrics of replicate `r` (seed from master 7), with the given constants.
fn finals(p: &Params, r: u64, constants: &Constants) -> Metrics {
    let settings = RunSettings::default();
    let mut sim = DataTeam::build_with_constants(p, run_seed(7, r), &settings, constants.clone());
    for _ in 0..260 {
        sim.step();
    }
    sim.metrics()
}

/// Final counters of replicate `r` (seed from master 7): counts the metrics do not report.
fn final_counters(p: &Params, r: u64) -> Counters {
    let settings = RunSettings::default();
    let c = Constants::default();
    let mut sim = DataTeam::build_with_constants(p, run_seed(7, r), &settings, c);
    for _ in 0..260 {
        sim.step();
    }
    sim.org.team.counters.clone()
}

/// Paired differences (b − a) of a function of the final counters: (mean, standard error).
fn paired_counters(a: &Params, b: &Params, f: fn(&Counters) -> f64, reps: u64) -> (f64, f64) {
    let d: Vec<f64> = (0..reps)
        .map(|r| f(&final_counters(b, r)) - f(&final_counters(a, r)))
        .collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Which metric a paired test reads.
type Metric = fn(&Metrics) -> f64;

/// Paired differences (b − a) of one metric over replicates: (mean, standard error).
fn paired(a: &Params, b: &Params, metric: Metric, reps: u64, c: &Constants) -> (f64, f64) {
    let d: Vec<f64> = (0..reps)
        .map(|r| metric(&finals(b, r, c)) - metric(&finals(a, r, c)))
        .collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Paired difference-in-differences ((d − c) − (b − a)) of one metric: (mean, standard error).
fn interaction(cells: [&Params; 4], metric: Metric, reps: u64, k: &Constants) -> (f64, f64) {
    let d: Vec<f64> = (0..reps)
        .map(|r| {
            let v: Vec<f64> = cells.iter().map(|p| metric(&finals(p, r, k))).collect();
            (v[3] - v[2]) - (v[1] - v[0])
        })
        .collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Asserts b − a is clearly positive (t > 3) and prints the effect.
fn clearly_up(label: &str, a: &Params, b: &Params, metric: Metric, reps: u64, c: &Constants) {
    up(label, a, b, metric, reps, c, 3.0);
}

/// Asserts b − a exceeds `t` standard errors (t = 0: the sign only) and prints the effect.
fn up(label: &str, a: &Params, b: &Params, metric: Metric, reps: u64, c: &Constants, t: f64) {
    let (mean, se) = paired(a, b, metric, reps, c);
    println!("{label}: {mean:+.4} (se {se:.4}, t {:.1})", mean / se);
    assert!(mean > t * se, "{label}: {mean} (se {se})");
}

/// A few Latin-hypercube rows over the internal constants, each factor in [0.5, 1.5].
fn hypercube(rows: usize, seed: u64) -> Vec<Constants> {
    let k = Constants::count();
    let mut rng = stream(seed, 99);
    let mut columns: Vec<Vec<f64>> = (0..k)
        .map(|_| {
            let mut col: Vec<f64> = (0..rows)
                .map(|i| 0.5 + (i as f64 + rng.random::<f64>()) / rows as f64)
                .collect();
            for i in (1..rows).rev() {
                col.swap(i, rng.random_range(0..=i));
            }
            col
        })
        .collect();
    (0..rows)
        .map(|i| {
            let factors: Vec<f64> = columns.iter_mut().map(|c| c[i]).collect();
            Constants::scaled(&factors)
        })
        .collect()
}

#[test]
fn no_analysts_means_exactly_zero_value_added_every_week() {
    let p = params(&[("analysts", num(0.0))]);
    for r in 0..5 {
        let mut sim = find("datateam")
            .unwrap()
            .build(&p, run_seed(3, r), &RunSettings::default());
        let mut out = vec![0.0; Metrics::COUNT];
        for _ in 0..260 {
            sim.step();
            sim.observe(&mut out);
            assert_eq!(Metrics::from_row(&out).value_added, 0.0);
        }
    }
}

#[test]
fn certain_politics_means_exactly_zero_value_added_with_any_team() {
    for set in [
        vec![("politics", num(1.0))],
        vec![
            ("politics", num(1.0)),
            ("structure", text("embedded")),
            ("incentive", text("impact")),
            ("translators", num(6.0)),
        ],
    ] {
        let p = params(&set);
        let out = finals(&p, 1, &Constants::default());
        assert_eq!(out.value_added, 0.0);
        assert!(out.insights_delivered > 0.0, "the team did work");
    }
}

/// Changing only levers leaves the world (effects, windows, politics) and the counterfactual identical.
#[test]
fn the_world_is_the_same_at_every_lever_setting() {
    let settings = RunSettings::default();
    let trajectory = |p: &Params| {
        let mut sim =
            DataTeam::build_with_constants(p, run_seed(11, 4), &settings, Constants::default());
        let mut theta = Vec::new();
        for _ in 0..104 {
            sim.step();
            theta.extend_from_slice(&sim.world.theta);
            theta.push(sim.counterfactual.welfare);
            theta.extend(sim.world.windows_reached.iter().map(|&w| w as f64));
        }
        theta
    };
    let base = trajectory(&params(&[]));
    for set in [
        vec![
            ("structure", text("centralised")),
            ("incentive", text("kpi")),
        ],
        vec![("analysts", num(5.0)), ("data_quality", num(0.95))],
        vec![
            ("adhoc_shield", num(0.7)),
            ("translators", num(3.0)),
            ("psych_safety", num(0.0)),
        ],
    ] {
        assert_eq!(trajectory(&params(&set)), base, "{set:?}");
    }
}

/// A run of `p` with `schedule`, observed every week: (week, metrics) per week.
fn weekly(p: &Params, schedule: &[ScheduledChange], seed: u64) -> Vec<(u32, Metrics)> {
    let settings = RunSettings {
        stop: None,
        schedule,
    };
    let mut sim =
        DataTeam::build_with_constants(p, run_seed(seed, 0), &settings, Constants::default());
    let mut clock = Clock::new(p, schedule);
    (1..=260)
        .map(|week| {
            clock.advance(&mut sim);
            (week, sim.metrics())
        })
        .collect()
}

fn change(at: u64, set: &[(&'static str, Value)]) -> ScheduledChange {
    ScheduledChange {
        at,
        set: set.to_vec(),
    }
}

/// More posts at week 52 are vacancies until the hiring delay has passed, then junior hires; no
/// vacancy is a quit.
#[test]
fn a_scheduled_growth_raises_headcount_after_the_hiring_delay() {
    let p = params(&[
        ("analysts", num(8.0)),
        ("base_quit_rate", num(0.0)),
        ("hiring_delay", num(12.0)),
    ]);
    for (week, out) in weekly(&p, &[change(52, &[("analysts", num(12.0))])], 3) {
        let (headcount, vacancies) = match week {
            ..52 => (8.0, 0.0),
            52..64 => (8.0, 4.0),
            _ => (12.0, 0.0),
        };
        assert_eq!(
            (out.headcount, out.vacancies),
            (headcount, vacancies),
            "week {week}"
        );
        assert_eq!(out.quits, 0.0);
    }
    // And a cut: posts go at once, with no quit counted.
    let cut = weekly(&p, &[change(52, &[("analysts", num(5.0))])], 3);
    for (week, out) in cut {
        let expected = if week < 52 { 8.0 } else { 5.0 };
        assert_eq!(
            (out.headcount, out.vacancies, out.quits),
            (expected, 0.0, 0.0)
        );
    }
}

/// A schedule changes nothing before its first change: the scheduled run is the unscheduled one,
/// week by week, bit for bit, until then (what makes option − baseline exactly 0 before a change).
#[test]
fn nothing_differs_before_the_first_change() {
    let p = params(&[("analysts", num(16.0))]);
    let unscheduled = weekly(&p, &[], 8);
    let levers = [
        change(30, &[("analysts", num(24.0)), ("translators", num(4.0))]),
        change(
            80,
            &[("translators", num(2.0)), ("structure", text("embedded"))],
        ),
        change(150, &[("analysts", num(10.0))]),
    ];
    let scheduled = weekly(&p, &levers, 8);
    let bits = |m: &Metrics| {
        let mut row = vec![0.0; Metrics::COUNT];
        m.write(&mut row);
        row.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    };
    for ((week, plain), (_, out)) in unscheduled.iter().zip(&scheduled) {
        if *week < 30 {
            assert_eq!(bits(out), bits(plain), "week {week}");
        }
    }
    assert_ne!(
        scheduled.last().unwrap().1.welfare,
        unscheduled.last().unwrap().1.welfare,
        "the changes did something"
    );
}

/// With no team and no change that adds posts, value added stays exactly 0 whatever else changes;
/// a change that adds posts to an empty team gives a team that works (after the hiring delay).
#[test]
fn scheduled_headcount_from_an_empty_team() {
    let empty = params(&[("analysts", num(0.0))]);
    let never = [
        change(
            20,
            &[("structure", text("embedded")), ("analysts", num(0.0))],
        ),
        change(40, &[("translators", num(0.0)), ("incentive", text("kpi"))]),
        change(60, &[("hiring_delay", num(2.0)), ("data_access", num(0.9))]),
    ];
    for seed in 0..3 {
        for (week, out) in weekly(&empty, &never, seed) {
            assert_eq!(out.value_added, 0.0, "week {week}");
            assert_eq!(out.headcount, 0.0);
        }
    }
    // Budget mode that buys no post, with a people_share change that still buys none.
    let broke = params(&[("budget", num(50.0)), ("people_share", num(0.5))]);
    for (_, out) in weekly(&broke, &[change(30, &[("people_share", num(1.0))])], 1) {
        assert_eq!(out.value_added, 0.0);
    }
    // Ten posts at week 26, filled 12 weeks later: a team that delivers insights and moves value.
    let grown = weekly(&empty, &[change(26, &[("analysts", num(10.0))])], 1);
    for (week, out) in &grown {
        match week {
            ..26 => assert_eq!(out.value_added, 0.0),
            26..38 => assert_eq!((out.headcount, out.vacancies), (0.0, 10.0)),
            _ => assert!(out.headcount > 0.0 && !out.tech.is_nan()),
        }
    }
    let last = &grown.last().unwrap().1;
    assert!(last.insights_delivered > 0.0);
    assert_ne!(last.value_added, 0.0);
}

/// Budget mode: a budget change resizes the team (people_share of it at c_post(initial_tech) =
/// 72.465 a post) and the infrastructure; cost is the spend, week by week: the posts in post, the
/// infrastructure the budget buys, training and engagement on top, and the change's one-off costs.
#[test]
fn a_scheduled_budget_change_moves_posts_and_cost() {
    let p = params(&[
        ("budget", num(2000.0)),
        ("people_share", num(0.8)),
        ("base_quit_rate", num(0.0)),
    ]);
    let run = weekly(&p, &[change(53, &[("budget", num(3000.0))])], 2);
    // 1600 buys 22 posts, 2400 buys 33: 11 new posts, filled at week 65 by hires paid c_post(0.3).
    let (mut last, mut jump) = (0.0, 0.0);
    for (week, out) in &run {
        let posts = if *week < 53 { 22.0 } else { 33.0 };
        assert_eq!(out.headcount + out.vacancies, posts, "week {week}");
        let (in_post, pay, infra) = match week {
            ..53 => (22.0, 22.0 * 72.465, 400.0),
            53..65 => (22.0, 22.0 * 72.465, 600.0),
            _ => (33.0, 22.0 * 72.465 + 11.0 * 59.955, 600.0),
        };
        let step = out.cost - last;
        // The running costs' floor is the posts and infrastructure; training (20) and the units'
        // engagement time (45.6) per analyst-FTE come on top, at most one FTE each.
        let floor = (pay + infra) / 52.0;
        let ceiling = floor + in_post * (20.0 + 45.7) / 52.0;
        let one_off = match week {
            53 => 25.0,       // the change programme (nobody moved)
            65 => 11.0 * 3.0, // recruitment of the 11 new posts' hires
            _ => 0.0,
        };
        assert!(
            step >= floor + one_off - 1e-9 && step <= ceiling + one_off + 1e-9,
            "week {week}: spend {step} outside [{floor}, {ceiling}] + {one_off}"
        );
        if *week == 53 {
            jump = step;
        }
        assert_eq!(out.value_per_cost, out.value_added / out.cost);
        last = out.cost;
    }
    assert!(jump > 25.0);
    assert_eq!(run.last().unwrap().1.headcount, 33.0);
}

/// `orgsim validate` on `text`: exit 2, naming the file and line and containing `needle`.
fn refused(text: &str, line: usize, needle: &str) {
    let dir = TempDir::new().unwrap();
    let file = crate::cli::write(&dir, "bad.toml", text);
    let out = crate::cli::orgsim()
        .arg("validate")
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("bad.toml:{line}:")),
        "line {line} in: {err}"
    );
    assert!(err.contains(needle), "{needle:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn headcount_schedules_that_break_a_constraint_are_refused_at_their_line() {
    let head = "[scenario]\nname = \"bad\"\nmodel = \"datateam\"\n\n[params]\n";
    // More translators than the posts in force after the change (here, set by an option).
    refused(
        &format!(
            "{head}analysts = 10\n\n[[option]]\nname = \"x\"\nset = {{}}\nschedule = [{{ at = 30, set = {{ translators = 12 }} }}]\n"
        ),
        11,
        "translators (12) cannot exceed the posts (10)",
    );
    // A cut below the translators in force.
    refused(
        &format!("{head}translators = 4\n\n[[schedule]]\nat = 20\nset = {{ analysts = 3 }}\n"),
        9,
        "translators (4) cannot exceed the posts (3)",
    );
    // A budget cut that no longer pays for the translators.
    refused(
        &format!(
            "{head}budget = 2000\ntranslators = 2\n\n[[schedule]]\nat = 40\nset = {{ budget = 100 }}\n"
        ),
        10,
        "the budget buys",
    );
    // Posts given two ways: analysts in budget mode, budget and analysts in one change.
    refused(
        &format!("{head}budget = 2000\n\n[[schedule]]\nat = 20\nset = {{ analysts = 12 }}\n"),
        9,
        "`analysts` cannot be scheduled in budget mode",
    );
    refused(
        &format!("{head}\n[[schedule]]\nat = 20\nset = {{ budget = 3000, analysts = 30 }}\n"),
        8,
        "both `budget` and `analysts`",
    );
    refused(
        &format!("{head}\n[[schedule]]\nat = 20\nset = {{ people_share = 0.5 }}\n"),
        8,
        "starts in budget mode",
    );
    refused(
        &format!("{head}budget = 2000\n\n[[schedule]]\nat = 20\nset = {{ data_quality = 0.9 }}\n"),
        9,
        "`data_quality` cannot be scheduled in budget mode",
    );
    // The shipped scenario that uses headcount schedules validates.
    crate::cli::orgsim()
        .arg("validate")
        .arg(crate::cli::repo_file(
            "scenarios/datateam/grow-or-translate.toml",
        ))
        .assert()
        .success();
}

/// A small data-team sweep with the per-unit output on: 2 options × 2 team sizes (one of them no
/// team at all), 3 units of 2 problems, 4 replicates, recorded every 20 weeks.
pub const PER_UNIT: &str = r#"
[scenario]
name = "per-unit"
model = "datateam"
replications = 4
seed = 9
ticks = 104
record_every = 20
per_unit = true

[params]
units = 3
problems_per_unit = 2

[sweep]
analysts = [0, 12]

[[option]]
name = "kpi"
set = { incentive = "kpi" }

[[option]]
name = "embedded, impact"
set = { structure = "embedded", incentive = "impact" }
"#;

/// `orgsim run` of `text` into `dir/out` on two threads (quiet, no figures) with `flags`.
fn run_cli(dir: &TempDir, text: &str, out: &str, flags: &[&str]) -> PathBuf {
    let all: Vec<&str> = ["--threads", "2"].iter().chain(flags).copied().collect();
    run_with(dir, text, out, &all)
}

/// A CSV file as its header and rows of cells.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .rposition(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn manifest_files(dir: &Path) -> Vec<String> {
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

/// Off, nothing new is written and every other table is the same bytes as with the per-unit output
/// on (which also shows the per-unit accumulation leaves the overall metrics alone); `--per-unit`
/// turns it on as the file key does.
#[test]
fn per_unit_output_is_opt_in_and_changes_no_other_table() {
    let dir = TempDir::new().unwrap();
    let on = run_cli(&dir, PER_UNIT, "on", &[]);
    let off_text = PER_UNIT.replace("per_unit = true\n", "");
    let off = run_cli(&dir, &off_text, "off", &[]);
    for file in UNIT_TABLES {
        assert!(on.join(file).is_file(), "{file} written when on");
        assert!(!off.join(file).exists(), "{file} written when off");
    }
    assert_same_tables(&on, &off, "per_unit on and off");
    let files = manifest_files(&on);
    assert!(
        UNIT_TABLES.iter().all(|f| files.iter().any(|g| g == f)),
        "{files:?}"
    );
    assert!(!manifest_files(&off).iter().any(|f| f.starts_with("units")));
    let flag = run_cli(&dir, &off_text, "flag", &["--per-unit"]);
    assert_same_files(&on, &flag, &UNIT_TABLES, "per_unit = true and --per-unit");
    // Explicitly off is off.
    let explicit = run_cli(
        &dir,
        &PER_UNIT.replace("per_unit = true", "per_unit = false"),
        "explicit",
        &[],
    );
    assert!(!explicit.join("units.csv").exists());
}

/// units.csv: one row per (point, replicate, unit) with runs.csv's identifying cells; the units'
/// value added averages to the run's (to 1e-9 of the welfare scale), and is exactly 0 with no team;
/// trust, literacy and welfare average to theirs too; the timeseries ends at the final values.
#[test]
fn per_unit_rows_match_their_runs_and_average_to_the_run() {
    let dir = TempDir::new().unwrap();
    let out = run_cli(&dir, PER_UNIT, "out", &[]);
    let (run_header, runs) = read_csv(&out.join("runs.csv"));
    let (header, rows) = read_csv(&out.join("units.csv"));
    let (points, reps, units) = (4, 4, 3);
    assert_eq!(runs.len(), points * reps);
    assert_eq!(rows.len(), points * reps * units);
    let unit = column(&header, "unit");
    // Everything before `unit` is runs.csv's identifying columns, named and filled the same.
    assert_eq!(header[..unit], run_header[..unit]);
    assert_eq!(
        header[unit..],
        ["unit", "value_added", "welfare", "trust", "literacy"]
    );
    let num = |cell: &str| cell.parse::<f64>().unwrap();
    let analysts = column(&header, "analysts");
    for (run, group) in runs.iter().zip(rows.chunks(units)) {
        for (u, row) in group.iter().enumerate() {
            assert_eq!(
                row[..unit],
                run[..unit],
                "identifying cells of run {}",
                run[0]
            );
            assert_eq!(row[unit], u.to_string(), "units in order within a run");
        }
        let scale = 1.0
            + group
                .iter()
                .map(|r| num(&r[column(&header, "welfare")]).abs())
                .fold(0.0, f64::max);
        for metric in ["value_added", "welfare", "trust", "literacy"] {
            let mean = group
                .iter()
                .map(|r| num(&r[column(&header, metric)]))
                .sum::<f64>()
                / units as f64;
            let overall = num(&run[column(&run_header, metric)]);
            assert!(
                (mean - overall).abs() <= 1e-9 * scale,
                "run {}: mean per-unit {metric} {mean} vs {overall}",
                run[0]
            );
        }
        if run[analysts] == "0" {
            for row in group {
                assert_eq!(num(&row[column(&header, "value_added")]), 0.0);
            }
        }
    }
    let some_value = rows
        .iter()
        .any(|r| r[analysts] != "0" && num(&r[column(&header, "value_added")]) != 0.0);
    assert!(some_value, "a team adds (or loses) value in some unit");

    let (ts_header, series) = read_csv(&out.join("units_timeseries.csv"));
    assert_eq!(
        ts_header,
        [
            "point_id",
            "replicate",
            "tick",
            "unit",
            "value_added",
            "welfare",
            "trust",
            "literacy"
        ]
    );
    let ticks = ["0", "20", "40", "60", "80", "100", "104"];
    assert_eq!(series.len(), points * reps * ticks.len() * units);
    for (group, final_rows) in series.chunks(ticks.len() * units).zip(rows.chunks(units)) {
        let recorded: Vec<&str> = group.iter().step_by(units).map(|r| r[2].as_str()).collect();
        assert_eq!(recorded, ticks);
        for (last, row) in group[group.len() - units..].iter().zip(final_rows) {
            let replicate = &row[column(&header, "replicate")];
            assert_eq!((&last[0], &last[1]), (&row[1], replicate));
            assert_eq!(last[3..], row[unit..]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]
    #[test]
    fn invariants_hold_over_the_parameter_space(
        analysts in 0usize..40,
        translator_share in 0.0f64..0.5,
        structure in 0usize..3,
        kpi in 0.0f64..=1.0,
        shares in proptest::array::uniform8(0.0f64..=1.0),
        adhoc_rate in 0.0f64..10.0,
        turbulence in 0.0f64..0.5,
        seed in 0u64..1000,
        changes in proptest::collection::vec((1u64..104, 0usize..40, 0.0f64..0.5), 0..3),
    ) {
        let structures = ["centralised", "embedded", "hub_and_spoke"];
        let translators = (analysts as f64 * translator_share).floor();
        let p = params(&[
            ("analysts", num(analysts as f64)),
            ("translators", num(translators)),
            ("structure", text(structures[structure])),
            ("kpi_weight", num(kpi)),
            ("hub_share", num(shares[0])),
            ("learning_share", num(shares[1])),
            ("engagement_share", num(shares[2])),
            ("adhoc_shield", num(shares[3])),
            ("psych_safety", num(shares[4])),
            ("data_quality", num(shares[5])),
            ("data_access", num(shares[6])),
            ("literacy", num(shares[7])),
            ("adhoc_rate", num(adhoc_rate)),
            ("turbulence", num(turbulence)),
        ]);
        // A random headcount schedule: posts and translators (never more than the posts) at up to
        // three weeks.
        let mut schedule: Vec<ScheduledChange> = changes
            .iter()
            .map(|&(at, posts, share)| {
                let set = vec![
                    ("analysts", num(posts as f64)),
                    ("translators", num((posts as f64 * share).floor())),
                ];
                ScheduledChange { at, set }
            })
            .collect();
        schedule.sort_by_key(|c| c.at);
        let settings = RunSettings { stop: None, schedule: &schedule };
        let mut sim = DataTeam::build_with_constants(&p, run_seed(seed, 0), &settings, Constants::default());
        let mut clock = Clock::new(&p, &schedule);
        // Dual reporting's overhead (hub_and_spoke) is the part of the week not in `time`.
        let kinds = [Structure::Centralised, Structure::Embedded, Structure::HubAndSpoke];
        let overhead = dual_overhead(kinds[structure], shares[0], &Constants::default());
        let (mut posts, mut in_force_translators) = (analysts, translators as usize);
        let mut ever_a_team = analysts > 0;
        for week in 1..=104u64 {
            clock.advance(&mut sim);
            for c in schedule.iter().filter(|c| c.at == week) {
                posts = match c.set[0].1 { Value::Num(x) => x as usize, _ => unreachable!() };
                in_force_translators = match c.set[1].1 { Value::Num(x) => x as usize, _ => unreachable!() };
                ever_a_team |= posts > 0;
            }
            let team = &sim.org.team;
            prop_assert_eq!(team.analysts.len(), posts);
            prop_assert!(team.analysts.iter().enumerate().all(|(i, a)| a.translator == (i < in_force_translators) && a.unit == i % 8));
            let out = sim.metrics();
            let units: Vec<UnitMetrics> = (0..8).map(|u| sim.unit_metrics(u)).collect();
            let rows = units.iter();
            let mean_va = rows.clone().map(|r| r.value_added).sum::<f64>() / 8.0;
            let scale = 1.0 + rows.clone().map(|r| r.welfare.abs()).fold(0.0, f64::max);
            prop_assert!((mean_va - out.value_added).abs() <= 1e-9 * scale, "{} vs {}", mean_va, out.value_added);
            if !ever_a_team {
                prop_assert!(rows.clone().all(|r| r.value_added == 0.0));
                prop_assert_eq!(out.value_added, 0.0);
            }
            prop_assert!(rows.clone().all(|r| (0.0..=1.0).contains(&r.trust) && (0.0..=1.0).contains(&r.literacy)));
            for x in [out.uptake_rate, out.evidence_informed_share, out.trust, out.trust_relational,
                      out.trust_competence, out.decision_accuracy, out.error_rate,
                      out.unread_share, out.unread_reports, out.unread_insights, out.attention_used,
                      out.late_share, out.literacy, out.time_adhoc, out.time_reports,
                      out.time_insight, out.time_engagement, out.time_learning] {
                prop_assert!((0.0..=1.0).contains(&x), "a share out of range: {:?}", out);
            }
            for x in [out.tech, out.domain, out.comm, out.motivation, out.care] {
                prop_assert!(x.is_nan() || (0.0..=1.0).contains(&x), "a skill out of range: {:?}", out);
            }
            prop_assert_eq!(out.headcount, posts as f64 - out.vacancies);
            prop_assert!(out.vacancies >= 0.0);
            prop_assert!(out.welfare.is_finite() && out.value_added.is_finite());
            prop_assert!(out.cost.is_finite() && out.cost >= 0.0 && out.value_per_cost.is_finite());
            let units = &sim.org.units;
            for i in 0..units.policy.len() * units.options {
                prop_assert!(units.mean(i).is_finite(), "belief mean {}", units.mean(i));
                let tau = units.precision(i);
                prop_assert!(tau.is_finite() && tau > 0.0, "belief precision {}", tau);
            }
            for a in sim.org.team.analysts.iter().filter(|a| a.analyses()) {
                let total: f64 = a.time.iter().sum();
                prop_assert!((total + overhead - 1.0).abs() < 1e-9, "time shares sum to {}", total);
                prop_assert!(a.time.iter().all(|&t| t >= -1e-12));
                let split: f64 = a.split.iter().sum();
                prop_assert!((split - 1.0).abs() < 1e-9);
                for x in [a.tech, a.tech_max, a.comm, a.motivation, a.relationship] {
                    prop_assert!((0.0..=1.0).contains(&x));
                }
            }
        }
    }
}

/// Knock-outs whose mechanism is still being built this session; each is removed from here when
/// its mechanism lands. Must be empty when the session ends.
const KNOCKOUTS_PENDING: &[&str] = &[];

/// Mechanisms that cannot act at the defaults, each with the setting where it does (the ODD says
/// why): translator salience needs translators, and the default team has none.
const KNOCKOUTS_OFF_DEFAULTS: &[(&str, &str, f64)] = &[("translator_salience", "translators", 4.0)];

/// No declared mechanism is inert at the defaults (or, for those listed in
/// `KNOCKOUTS_OFF_DEFAULTS`, where it can act): switching it off changes some final metric of
/// some of a few replicates (its size and sign are the ODD's knock-out table, measured paired).
#[test]
fn every_knockout_moves_some_metric_at_the_defaults() {
    let c = Constants::default();
    let base = params(&[]);
    let reference: Vec<Metrics> = (0..4).map(|r| finals(&base, r, &c)).collect();
    for name in Mechanism::NAMES {
        if KNOCKOUTS_PENDING.contains(name) {
            continue;
        }
        let setting = KNOCKOUTS_OFF_DEFAULTS.iter().find(|k| k.0 == *name);
        let (off, reference) = match setting {
            Some(&(_, lever, value)) => {
                let on = params(&[(lever, num(value))]);
                let reference: Vec<Metrics> = (0..4).map(|r| finals(&on, r, &c)).collect();
                (
                    params(&[(lever, num(value)), ("knockout", text(name))]),
                    reference,
                )
            }
            None => (params(&[("knockout", text(name))]), reference.clone()),
        };
        let moved = (0..4).any(|r| {
            let m = finals(&off, r, &c);
            let (mut a, mut b) = ([0.0; Metrics::COUNT], [0.0; Metrics::COUNT]);
            m.write(&mut a);
            reference[r as usize].write(&mut b);
            a.iter().zip(&b).any(|(x, y)| x.to_bits() != y.to_bits())
        });
        assert!(
            moved,
            "knocking out `{name}` changes no metric at the defaults"
        );
    }
}

/// §9.2: trust is a stock that decays and is earned, so final trust stays off its bounds for every
/// structure and incentive at the defaults (it saturated near 1 before relational trust decayed).
#[test]
fn final_trust_stays_interior_for_every_structure_and_incentive() {
    let c = Constants::default();
    for structure in ["centralised", "embedded", "hub_and_spoke"] {
        for incentive in ["kpi", "mixed", "impact"] {
            let p = params(&[
                ("structure", text(structure)),
                ("incentive", text(incentive)),
            ]);
            for r in 0..4 {
                let m = finals(&p, r, &c);
                assert!(
                    m.trust > 0.2 && m.trust < 0.9,
                    "{structure} {incentive} replicate {r}: trust {}",
                    m.trust
                );
                let halves = 0.5 * (m.trust_relational + m.trust_competence);
                assert!((m.trust - halves).abs() < 1e-12, "{} vs {halves}", m.trust);
            }
        }
    }
}

/// §9.2: without relational decay, contact drives relational trust to saturation (as in v2).
#[test]
fn without_relational_decay_embedded_relational_trust_saturates() {
    let c = Constants::default();
    let decaying = params(&[("structure", text("embedded"))]);
    let lasting = params(&[
        ("structure", text("embedded")),
        ("knockout", text("relational_decay")),
    ]);
    for r in 0..4 {
        let (with, without) = (finals(&decaying, r, &c), finals(&lasting, r, &c));
        assert!(
            without.trust_relational > 0.97,
            "{}",
            without.trust_relational
        );
        assert!(with.trust_relational < 0.8, "{}", with.trust_relational);
        assert!(without.trust > with.trust);
    }
}

/// Paired difference (b − a) of final trust over 300 replicates: (mean, standard error), printed.
fn trust_effect(label: &str, p: &Params, a: &Constants, b: &Constants) -> (f64, f64) {
    let d: Vec<f64> = (0..300)
        .map(|r| finals(p, r, b).trust - finals(p, r, a).trust)
        .collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let se = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt();
    println!("{label}: trust {mean:+.4} (se {se:.4}, t {:.1})", mean / se);
    (mean, se)
}

/// §9.2: channel (i) of competence trust (judged windows) moves final trust where inconvenient
/// findings are shaded (psych_safety 0.1) — under biased KPI reports (report_bias ×4) it is measured
/// and printed, see below — paired on
/// common random numbers (300 pairs). Channel (ii) (visible delivery) is measured there too but
/// asserted only where windows are missed often (adhoc_rate 4): near the defaults its gains and losses
/// balance close to where (i) holds K (psych_safety 0.1: +0.0011, se 0.0014; report_bias 2: −0.0024,
/// se 0.0013 — a finding, ODD §3 item 15, not a pass).
#[test]
fn competence_channels_move_trust_under_shading_report_bias_and_missed_windows() {
    let unsafe_culture = params(&[("psych_safety", num(0.1))]);
    let biased = Constants {
        report_bias: 2.0,
        ..Constants::default()
    };
    let delivery_off = |c: &Constants| {
        c.clone()
            .knocked_out(Knockouts::of(&[Mechanism::VisibleDelivery]))
    };
    for (label, p, c) in [
        ("psych_safety 0.1", &unsafe_culture, Constants::default()),
        ("report_bias 2", &params(&[]), biased),
    ] {
        let no_judging = Constants {
            competence_gain: 0.0,
            competence_loss: 0.0,
            ..c.clone()
        };
        let (mean, se) = trust_effect(&format!("{label}, judged windows off"), p, &c, &no_judging);
        // With the reading budget (§9.1) merged, fewer reports are read, and report bias no longer
        // moves judged trust clearly (+0.0021, se 0.0012 at 300 pairs): a finding until the
        // dashboard channel (§9.3 ii) makes read reports steer. Shading still does (−0.027, t −24).
        if label.starts_with("psych_safety") {
            assert!(mean.abs() > 1.96 * se, "{label}: {mean} (se {se})");
        }
        trust_effect(
            &format!("{label}, visible delivery off"),
            p,
            &c,
            &delivery_off(&c),
        );
    }
    let c = Constants::default();
    let surge = params(&[("adhoc_rate", num(4.0))]);
    let (mean, se) = trust_effect(
        "adhoc_rate 4, visible delivery off",
        &surge,
        &c,
        &delivery_off(&c),
    );
    assert!(mean > 1.96 * se, "adhoc_rate 4: {mean} (se {se})");
}

const REPS: u64 = 60;

/// §9.1 Reading as a budget: more attention means less left unread and more insight used.
#[test]
fn more_attention_lowers_unread_and_raises_insights_used() {
    let c = Constants::default();
    let (scarce, ample) = (
        params(&[("attention", num(3.0))]),
        params(&[("attention", num(30.0))]),
    );
    up(
        "attention 3 -> 30: read share (1 - unread_share)",
        &scarce,
        &ample,
        |m| 1.0 - m.unread_share,
        REPS,
        &c,
        3.0,
    );
    clearly_up(
        "attention 3 -> 30: insights_used",
        &scarce,
        &ample,
        |m| m.insights_used,
        200,
        &c,
    );
}

/// §9.1: KPI appraisal supplies more reports to the same fixed reading budget, so more go unread.
#[test]
fn kpi_appraisal_raises_unread_share() {
    clearly_up(
        "kpi vs mixed: unread_share",
        &params(&[]),
        &params(&[("incentive", text("kpi"))]),
        |m| m.unread_share,
        REPS,
        &Constants::default(),
    );
}

/// §9.1: with no outside business and the largest attention, a unit reads nearly everything; with
/// the reading budget knocked out it reads exactly everything.
#[test]
fn without_competition_for_reading_nothing_goes_unread() {
    let c = Constants::default();
    // s0 = 0 and A' ≥ 100 − 0.2·answers: a report of salience s in an inbox of total S is missed
    // in a week with probability (1 − s/S)^A'; at the defaults s/S ≥ 0.05 for every product
    // (an inbox holds a few reports and rarely an insight), so (0.95)^99 < 0.007 a week, and a
    // product has 4 (reports) or 13 (insights) weeks: unread < 1e-8. The bound asserted, 1e-6,
    // leaves room for the rare crowded inbox.
    let open = params(&[
        ("attention", num(100.0)),
        ("knockout", text("outside_business")),
    ]);
    let all = params(&[("knockout", text("reading_budget"))]);
    for r in 0..20 {
        let m = finals(&open, r, &c);
        assert!(m.unread_share < 1e-6, "replicate {r}: {}", m.unread_share);
        let m = finals(&all, r, &c);
        assert_eq!(
            (m.unread_share, m.unread_reports, m.unread_insights),
            (0.0, 0.0, 0.0)
        );
    }
}

/// §6.1 Goodhart: a KPI regime counts more, is read less, adds less value than an impact regime.
fn goodhart(c: &Constants, reps: u64) -> (f64, f64) {
    let impact = params(&[("incentive", text("impact"))]);
    let kpi = params(&[("incentive", text("kpi"))]);
    clearly_up(
        "goodhart counted_outputs kpi-impact",
        &impact,
        &kpi,
        |m| m.counted_outputs,
        reps,
        c,
    );
    clearly_up(
        "goodhart unread_share kpi-impact",
        &impact,
        &kpi,
        |m| m.unread_share,
        reps,
        c,
    );
    let (va, se) = paired(&kpi, &impact, |m| m.value_added, reps, c);
    println!(
        "goodhart value_added impact-kpi: {va:+.3} (se {se:.3}, t {:.1})",
        va / se
    );
    (va, se)
}

#[test]
fn pattern_1_goodhart() {
    // Power, not tuning: with 1000 pairs (seed 11, `goodhart.toml`) impact − kpi value added is
    // +2.1 to +2.3 with a per-pair SD near 10, so 150 pairs gave t ≈ 2.8 on average — a fair chance
    // of t < 2 on an unlucky draw. 500 pairs give t ≈ 5.
    let (va, se) = goodhart(&Constants::default(), 500);
    assert!(va > 2.0 * se, "value added impact - kpi: {va} (se {se})");
    // Uptake (used / delivered) does NOT fall under KPI here: a KPI regime delivers fewer unsolicited
    // insights, so the ratio's denominator shrinks faster than its numerator (docs/datateam-odd.md §6).
    let (d, se) = paired(
        &params(&[("incentive", text("impact"))]),
        &params(&[("incentive", text("kpi"))]),
        |m| m.uptake_rate,
        REPS,
        &Constants::default(),
    );
    println!("goodhart uptake_rate kpi-impact: {d:+.4} (se {se:.4})");
    assert!(d > 0.0, "documented finding changed: uptake kpi-impact {d}");
}

/// §6.2: at low literacy, converting skill into translators adds more than more skill does; skill's
/// gain grows with literacy. The full crossover (skill overtaking translators at 0.8) does not appear.
#[test]
fn pattern_2_engine_without_transmission() {
    let c = Constants::default();
    let gain = |literacy: f64, set: &[(&str, Value)]| {
        let mut base = vec![
            ("structure", text("centralised")),
            ("literacy", num(literacy)),
        ];
        let a = params(&base);
        base.extend(set.iter().cloned());
        paired(&a, &params(&base), |m| m.value_added, 100, &c)
    };
    let skill = [("initial_tech", num(0.8)), ("hire_tech", num(0.8))];
    let translators = [("translators", num(4.0))];
    let (skill_low, _) = gain(0.2, &skill);
    let (skill_high, _) = gain(0.8, &skill);
    let (trans_high, _) = gain(0.8, &translators);
    let low = |set: &[(&str, Value)]| {
        let mut v = vec![("structure", text("centralised")), ("literacy", num(0.2))];
        v.extend(set.iter().cloned());
        params(&v)
    };
    let (edge, se) = paired(&low(&skill), &low(&translators), |m| m.value_added, 100, &c);
    println!(
        "transmission low literacy: translators - skill {edge:+.3} (se {se:.3}); skill gain {skill_low:+.3}"
    );
    println!(
        "transmission high literacy: skill gain {skill_high:+.3}, translators gain {trans_high:+.3}"
    );
    // Finding, not asserted since the structure costs (MODEL.md §9.4): at 100 pairs translators −
    // skill at literacy 0.2 was +6.3 (se 1.1) before them and is +0.09 (se 0.89) with them. Distance
    // makes a central team slow for units it does not know, and converting 4 of 24 analysts loses
    // that capacity while more skill speeds all of it up. §9.8 item 2 asks for this comparison at
    // equal cost instead (a skill upgrade ≈ 19 a post, a translator 81.5 vs 72.5): reported in the
    // ODD, not forced here.
    println!("translators - skill at literacy 0.2: {edge:+.3} (se {se:.3}), not asserted");
}

/// §6.3: the gain from data_quality 0.3 → 0.9 is larger with a skilled, staffed team (sign over a grid).
#[test]
fn pattern_3_infrastructure_without_people() {
    let c = Constants::default();
    let gain = |analysts: f64, tech: f64| {
        let low = params(&[
            ("analysts", num(analysts)),
            ("initial_tech", num(tech)),
            ("data_quality", num(0.3)),
        ]);
        let high = params(&[
            ("analysts", num(analysts)),
            ("initial_tech", num(tech)),
            ("data_quality", num(0.9)),
        ]);
        paired(&low, &high, |m| m.value_added, REPS, &c)
    };
    let (small_weak, _) = gain(8.0, 0.3);
    let (large_strong, _) = gain(24.0, 0.7);
    let (large_weak, _) = gain(24.0, 0.3);
    let (small_strong, _) = gain(8.0, 0.7);
    println!(
        "infrastructure gain: 8/0.3 {small_weak:+.3}, 8/0.7 {small_strong:+.3}, 24/0.3 {large_weak:+.3}, 24/0.7 {large_strong:+.3}"
    );
    let cell = |a: f64, t: f64, q: f64| {
        params(&[
            ("analysts", num(a)),
            ("initial_tech", num(t)),
            ("data_quality", num(q)),
        ])
    };
    let cells = [
        &cell(8.0, 0.3, 0.3),
        &cell(8.0, 0.3, 0.9),
        &cell(24.0, 0.7, 0.3),
        &cell(24.0, 0.7, 0.9),
    ];
    let (did, se) = interaction(cells, |m| m.value_added, 100, &c);
    println!("infrastructure interaction (staffed+skilled vs not): {did:+.3} (se {se:.3})");
    // t ≈ 1.8 at 100 pairs: the sign is asserted; the strength is reported (docs/datateam-odd.md).
    assert!(did > 0.0, "interaction {did} (se {se})");
    // With every §9 mechanism merged the gains are +1.8, +3.4, +4.8, +4.1 (8/0.3, 8/0.7, 24/0.3,
    // 24/0.7 at 100 pairs): the interaction holds, but the large skilled team no longer gains the
    // most of the four cells. A finding (docs/datateam-odd.md), printed, not asserted.
    println!(
        "infrastructure: large skilled team gains the most: {}",
        large_strong > small_weak && large_strong > large_weak && large_strong > small_strong
    );
}

/// §6.4: embedded teams win trust and uptake; their tech falls behind a central hub; hub_and_spoke keeps
/// most of both.
fn embedding(c: &Constants, reps: u64) {
    let central = params(&[("structure", text("centralised"))]);
    let embedded = params(&[("structure", text("embedded"))]);
    let hub = params(&[("structure", text("hub_and_spoke"))]);
    clearly_up(
        "embedding trust embedded-central",
        &central,
        &embedded,
        |m| m.trust,
        reps,
        c,
    );
    clearly_up(
        "embedding uptake embedded-central",
        &central,
        &embedded,
        |m| m.uptake_rate,
        reps,
        c,
    );
    clearly_up(
        "embedding tech central-embedded",
        &embedded,
        &central,
        |m| m.tech,
        reps,
        c,
    );
    clearly_up(
        "embedding tech hub-embedded",
        &embedded,
        &hub,
        |m| m.tech,
        reps,
        c,
    );
    clearly_up(
        "embedding trust hub-central",
        &central,
        &hub,
        |m| m.trust,
        reps,
        c,
    );
}

#[test]
fn pattern_4_embedding_trade_off() {
    embedding(&Constants::default(), REPS);
}

/// §6.5: doubling ad-hoc demand crowds out learning and insight; tech and value fall; a shield
/// restores part of them.
fn capability_trap(c: &Constants, reps: u64, value_t: f64) {
    let calm = params(&[("adhoc_rate", num(2.0))]);
    let busy = params(&[("adhoc_rate", num(4.0))]);
    let shielded = params(&[("adhoc_rate", num(4.0)), ("adhoc_shield", num(0.5))]);
    clearly_up(
        "trap learning calm-busy",
        &busy,
        &calm,
        |m| m.time_learning,
        reps,
        c,
    );
    clearly_up(
        "trap insight calm-busy",
        &busy,
        &calm,
        |m| m.time_insight,
        reps,
        c,
    );
    if value_t > 0.0 {
        clearly_up("trap tech calm-busy", &busy, &calm, |m| m.tech, reps, c);
    } else {
        // Across the hypercube (with every §9 mechanism merged) the skill channel of the trap is
        // not robust: one row gave +0.0010 (se 0.0036). A finding for the ODD, printed, not forced.
        let (d, se) = paired(&busy, &calm, |m| m.tech, reps, c);
        println!("trap tech calm-busy (not asserted in the hypercube): {d:+.4} (se {se:.4})");
    }
    up(
        "trap value calm-busy",
        &busy,
        &calm,
        |m| m.value_added,
        reps,
        c,
        value_t,
    );
    up(
        "trap value shielded-busy",
        &busy,
        &shielded,
        |m| m.value_added,
        reps,
        c,
        value_t,
    );
}

#[test]
fn pattern_5_capability_trap() {
    // 200 pairs: with every §9 mechanism merged the shield's value gain is +4.3 (se 1.5) at 60
    // pairs, t 2.9, too close to the threshold for 60 pairs to decide.
    capability_trap(&Constants::default(), 200, 3.0);
}

/// §6.6: a KPI regime with low psychological safety lowers motivation and raises quits.
#[test]
fn pattern_6_turnover() {
    let c = Constants::default();
    let good = params(&[("incentive", text("impact")), ("psych_safety", num(0.8))]);
    let bad = params(&[("incentive", text("kpi")), ("psych_safety", num(0.1))]);
    clearly_up(
        "turnover motivation good-bad",
        &bad,
        &good,
        |m| m.motivation,
        REPS,
        &c,
    );
    clearly_up(
        "turnover quits bad-good",
        &good,
        &bad,
        |m| m.quits,
        REPS,
        &c,
    );
}

/// §6.7: poor data access makes insights late and lowers insights used and value. §9.8.7's honest
/// version tests insights_used, not uptake: since commissions lose priority at their window
/// (MODEL.md §9.3 (i)) uptake no longer falls clearly (fair − poor −0.0053, se 0.0028, at 60 pairs),
/// because poor access now drops or demotes late commissions rather than delivering them late.
fn timeliness(c: &Constants, reps: u64, value_t: f64) {
    let poor = params(&[("data_access", num(0.1))]);
    let fair = params(&[("data_access", num(0.5))]);
    clearly_up(
        "timeliness late poor-fair",
        &fair,
        &poor,
        |m| m.late_share,
        reps,
        c,
    );
    // With reading as a budget (§9.1) a late insight waits in the inbox at half relevance instead
    // of being read once at 0.3, and poor access also means fewer insights: uptake (used ÷
    // delivered) no longer falls (fair − poor +0.001, se 0.004, 60 pairs). §9.8.7 says uptake is
    // diluted and to test insights used and value instead.
    let (d, se) = paired(&poor, &fair, |m| m.uptake_rate, reps, c);
    println!("timeliness uptake fair-poor (not asserted): {d:+.4} (se {se:.4})");
    up(
        "timeliness insights_used fair-poor",
        &poor,
        &fair,
        |m| m.insights_used,
        reps,
        c,
        value_t,
    );
    up(
        "timeliness value fair-poor",
        &poor,
        &fair,
        |m| m.value_added,
        reps,
        c,
        value_t,
    );
}

#[test]
fn pattern_7_timeliness() {
    // 200 pairs: with every §9 mechanism merged, insights used fair − poor is +2.1 (se 0.74) at 60
    // pairs, t 2.9, too close to the threshold for 60 pairs to decide.
    timeliness(&Constants::default(), 200, 3.0);
}

/// One pattern's paired effect in a hypercube row: `b − a` of a metric, with its standard error.
struct RowEffect {
    label: &'static str,
    mean: f64,
    se: f64,
}

/// Paired replicates of several parameter sets at once (each set run once per replicate, and every
/// metric read from the same runs), on two threads: the hypercube needs thousands of runs.
fn finals_of_sets(sets: &[Params], reps: u64, c: &Constants) -> Vec<Vec<Metrics>> {
    use rayon::prelude::*;
    sets.par_iter()
        .map(|p| (0..reps).map(|r| finals(p, r, c)).collect())
        .collect()
}

/// Paired b − a of `metric` over the replicates of two runs' finals: (mean, standard error).
fn paired_finals(a: &[Metrics], b: &[Metrics], metric: Metric) -> (f64, f64) {
    let d: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(x, y)| metric(y) - metric(x))
        .collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// The §6/§9.8 patterns in one row of constants, each as a paired effect expected to be positive.
fn pattern_effects(c: &Constants, reps: u64) -> Vec<RowEffect> {
    let sets = [
        params(&[]),
        params(&[("incentive", text("impact"))]),
        params(&[("incentive", text("kpi"))]),
        params(&[("structure", text("centralised"))]),
        params(&[("structure", text("embedded"))]),
        params(&[("adhoc_rate", num(4.0))]),
        params(&[("adhoc_rate", num(4.0)), ("adhoc_shield", num(0.5))]),
        params(&[("data_access", num(0.1))]),
        params(&[("incentive", text("impact")), ("psych_safety", num(0.8))]),
        params(&[("incentive", text("kpi")), ("psych_safety", num(0.1))]),
    ];
    let f = finals_of_sets(&sets, reps, c);
    let [
        hub,
        impact,
        kpi,
        central,
        embedded,
        busy,
        shielded,
        poor,
        good,
        bad,
    ] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    let calm = hub; // the defaults: adhoc_rate 2, data_access 0.5, hub_and_spoke
    let fair = hub;
    let effects: [(&'static str, usize, usize, Metric); 17] = [
        ("1 goodhart counted_outputs kpi-impact", impact, kpi, |m| {
            m.counted_outputs
        }),
        ("1 goodhart unread_share kpi-impact", impact, kpi, |m| {
            m.unread_share
        }),
        ("1 goodhart value_added impact-kpi", kpi, impact, |m| {
            m.value_added
        }),
        (
            "4 embedding trust embedded-central",
            central,
            embedded,
            |m| m.trust,
        ),
        (
            "4 embedding uptake embedded-central",
            central,
            embedded,
            |m| m.uptake_rate,
        ),
        (
            "4 embedding tech central-embedded",
            embedded,
            central,
            |m| m.tech,
        ),
        ("4 embedding tech hub-embedded", embedded, hub, |m| m.tech),
        ("4 embedding trust hub-central", central, hub, |m| m.trust),
        ("5 trap learning calm-busy", busy, calm, |m| m.time_learning),
        ("5 trap insight calm-busy", busy, calm, |m| m.time_insight),
        ("5 trap tech calm-busy", busy, calm, |m| m.tech),
        ("5 trap value calm-busy", busy, calm, |m| m.value_added),
        ("5 trap value shielded-busy", busy, shielded, |m| {
            m.value_added
        }),
        ("6 turnover motivation good-bad", bad, good, |m| {
            m.motivation
        }),
        ("6 turnover quits bad-good", good, bad, |m| m.quits),
        ("7 timeliness late poor-fair", fair, poor, |m| m.late_share),
        ("7 timeliness insights_used fair-poor", poor, fair, |m| {
            m.insights_used
        }),
    ];
    let mut out: Vec<RowEffect> = effects
        .iter()
        .map(|&(label, a, b, metric)| {
            let (mean, se) = paired_finals(&f[a], &f[b], metric);
            RowEffect { label, mean, se }
        })
        .collect();
    let (mean, se) = paired_finals(&f[poor], &f[fair], |m| m.value_added);
    out.push(RowEffect {
        label: "7 timeliness value fair-poor",
        mean,
        se,
    });
    out
}

/// How many hypercube rows, and paired replicates per row.
const HYPERCUBE_ROWS: usize = 24;
const HYPERCUBE_PAIRS: u64 = 60;

/// MODEL.md §9.8: the patterns across a ±50% Latin hypercube of every internal constant (24 rows,
/// 60 pairs a row, seed 2026). Mechanism-level effects (counts, shares, time, skill, trust,
/// motivation, quits) are asserted clear (t > 3) in every row where they hold robustly; effects on
/// value added and uptake, small against run-to-run noise, must keep their sign in most rows.
/// Where a pattern fails in some rows it is printed with the row (a finding for the ODD, §4), not
/// forced: `ROW_FINDINGS` lists the effects not asserted row by row, with why.
#[test]
fn patterns_hold_across_a_hypercube_of_the_internal_constants() {
    let rows = hypercube(HYPERCUBE_ROWS, 2026);
    let results: Vec<Vec<RowEffect>> = rows
        .iter()
        .map(|c| pattern_effects(c, HYPERCUBE_PAIRS))
        .collect();
    let labels: Vec<&str> = results[0].iter().map(|e| e.label).collect();
    println!("pattern (b - a expected > 0) | rows t > 3 | rows > 0 | failing rows (t)");
    let mut failures = Vec::new();
    for (k, label) in labels.iter().enumerate() {
        let ts: Vec<f64> = results
            .iter()
            .map(|r| r[k].mean / r[k].se.max(1e-300))
            .collect();
        let clear = ts.iter().filter(|&&t| t > 3.0).count();
        let positive = results.iter().filter(|r| r[k].mean > 0.0).count();
        let failing: Vec<String> = ts
            .iter()
            .enumerate()
            .filter(|(_, t)| **t <= 3.0)
            .map(|(i, t)| format!("{i} ({t:.1})"))
            .collect();
        println!(
            "{label} | {clear}/{HYPERCUBE_ROWS} | {positive}/{HYPERCUBE_ROWS} | {}",
            failing.join(", ")
        );
        if label.starts_with("4 embedding trust hub") {
            // What drives relational trust in the rows where hub-and-spoke does not clearly beat
            // a central team on it (printed for the ODD's finding).
            for (i, t) in ts.iter().enumerate().filter(|(_, t)| **t <= 3.0) {
                let c = &rows[i];
                println!(
                    "  row {i} (t {t:.1}): belonging_exponent {:.2}, relational_rate {:.4}, relational_half_life {:.1}, trust_baseline {:.2}, contact_per_answer {:.3}, proximity_central {:.2}, relationship_weeks {:.1}",
                    c.belonging_exponent,
                    c.relational_rate,
                    c.relational_half_life,
                    c.trust_baseline,
                    c.contact_per_answer,
                    c.proximity_central,
                    c.relationship_weeks
                );
            }
        }
        let finding = ROW_FINDINGS.iter().find(|f| f.0 == *label);
        match finding {
            // Noisy outcomes: the sign in at least two thirds of the rows.
            Some((_, Expect::Sign, _)) => {
                if 3 * positive < 2 * HYPERCUBE_ROWS {
                    failures.push(format!("{label}: positive in only {positive} rows"));
                }
            }
            Some((_, Expect::Reported, _)) => {}
            None => {
                if clear < HYPERCUBE_ROWS {
                    failures.push(format!(
                        "{label}: clear in {clear} rows, failing {failing:?}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "patterns that no longer hold across the hypercube: {failures:#?}"
    );
}

/// What a hypercube row must show of an effect that is not asserted clear in every row.
enum Expect {
    /// Positive in at least two thirds of the rows (an outcome small against the noise of 60 pairs).
    Sign,
    /// Printed only: it fails clearly in some rows (the ODD, §4, says where and why).
    Reported,
}

/// The effects not asserted clear (t > 3) in every row, and why.
const ROW_FINDINGS: &[(&str, Expect, &str)] = &[
    (
        "1 goodhart value_added impact-kpi",
        Expect::Sign,
        "+3 at 500 pairs at the defaults; se ~1.3 at 60 pairs",
    ),
    (
        "4 embedding uptake embedded-central",
        Expect::Sign,
        "a ratio: small against its noise at 60 pairs",
    ),
    (
        "4 embedding trust hub-central",
        Expect::Sign,
        "clear in 23 of 24 rows; row 11 about 0 (t 0.2): docs/datateam-odd.md §4",
    ),
    (
        "5 trap tech calm-busy",
        Expect::Reported,
        "not robust across the constants (one of 4 rows failed before)",
    ),
    (
        "5 trap value calm-busy",
        Expect::Sign,
        "value: noisy at 60 pairs",
    ),
    (
        "5 trap value shielded-busy",
        Expect::Sign,
        "value: noisy at 60 pairs",
    ),
    (
        "6 turnover quits bad-good",
        Expect::Sign,
        "a count of a few quits a run",
    ),
    (
        "7 timeliness insights_used fair-poor",
        Expect::Sign,
        "t 2.9 at 60 pairs at the defaults",
    ),
    (
        "7 timeliness value fair-poor",
        Expect::Sign,
        "value: noisy at 60 pairs",
    ),
];

/// MODEL.md §9.3 (i), care: as `kpi_weight` rises analysts work fast more often (π falls), because
/// fast work earns 1/fast_effort times the counts.
///
/// Lateness rises with `kpi_weight`, as §9.3 expected, once every §9 mechanism is merged: at 60
/// pairs late_share kpi − impact is +0.115 (se 0.010) and the share of commissions that miss their
/// window +0.137 (se 0.009). (On the Goodhart branch alone, before dual reporting and distance
/// took time, it was −0.079: fast work then outweighed just-in-time pacing. Documented in the ODD,
/// item 17.)
#[test]
fn goodhart_care_falls_as_kpi_weight_rises() {
    let c = Constants::default();
    let weight = |w: f64| params(&[("kpi_weight", num(w))]);
    let (impact, mixed, kpi) = (weight(0.0), weight(0.5), weight(1.0));
    clearly_up("care impact-mixed", &mixed, &impact, |m| m.care, REPS, &c);
    clearly_up("care mixed-kpi", &kpi, &mixed, |m| m.care, REPS, &c);
    let (late, se) = paired(&impact, &kpi, |m| m.late_share, REPS, &c);
    println!("late_share kpi-impact: {late:+.4} (se {se:.4})");
    let missed = |k: &Counters| k.windows_missed / k.commissions.max(1.0);
    let (miss, miss_se) = paired_counters(&impact, &kpi, missed, REPS);
    println!("missed-window share kpi-impact: {miss:+.4} (se {miss_se:.4})");
    assert!(late > 3.0 * se, "late_share kpi-impact {late} (se {se})");
    assert!(
        miss > 3.0 * miss_se,
        "missed share kpi-impact {miss} (se {miss_se})"
    );
}

/// §9.7 care_choice: with π ≡ 1 (always careful) a KPI team counts fewer outputs.
#[test]
fn knocking_out_care_choice_lowers_counted_outputs_under_kpi() {
    let c = Constants::default();
    let on = params(&[("incentive", text("kpi"))]);
    let off = params(&[
        ("incentive", text("kpi")),
        ("knockout", text("care_choice")),
    ]);
    clearly_up(
        "care_choice counted_outputs (kpi) on-off",
        &off,
        &on,
        |m| m.counted_outputs,
        REPS,
        &c,
    );
    let (va, se) = paired(&on, &off, |m| m.value_added, REPS, &c);
    println!("care_choice value_added (kpi) off-on: {va:+.3} (se {se:.3})");
}

/// §9.7 commission_pacing: without the pacing floor (a commission takes all the time available) the
/// late_share gap between kpi and impact shrinks.
#[test]
fn knocking_out_commission_pacing_shrinks_the_late_share_gap() {
    let c = Constants::default();
    let cell = |incentive: &str, off: bool| {
        let mut set = vec![("incentive", text(incentive))];
        if off {
            set.push(("knockout", text("commission_pacing")));
        }
        params(&set)
    };
    let (impact_on, kpi_on) = (cell("impact", false), cell("kpi", false));
    let (impact_off, kpi_off) = (cell("impact", true), cell("kpi", true));
    let late = |m: &Metrics| m.late_share;
    let (gap_on, se_on) = paired(&impact_on, &kpi_on, late, REPS, &c);
    let (gap_off, se_off) = paired(&impact_off, &kpi_off, late, REPS, &c);
    let cells = [&impact_on, &kpi_on, &impact_off, &kpi_off];
    let (change, se) = interaction(cells, late, REPS, &c);
    println!(
        "late_share kpi-impact: pacing on {gap_on:+.4} (se {se_on:.4}), off {gap_off:+.4} (se {se_off:.4}); off-on {change:+.4} (se {se:.4})"
    );
    assert!(
        gap_off.abs() < gap_on.abs() && change * gap_on < 0.0 && change.abs() > 3.0 * se,
        "the gap does not shrink: on {gap_on}, off {gap_off} (change {change}, se {se})"
    );
}

/// §9.7 late_demotion: when commissions keep their priority after the window, more insights are
/// finished late. §9.7 also expects fewer unsolicited insights; that does not appear (a finding,
/// printed, not asserted): at 60 pairs unsolicited insights with demotion − without are −1.4
/// (se 1.3). A demoted commission keeps the analyst's one project slot (and is lost when a new
/// commission pre-empts it), so the time it frees goes to reports and engagement, not to new
/// unsolicited work.
#[test]
fn knocking_out_late_demotion_raises_late_insights() {
    let on = params(&[]);
    let off = params(&[("knockout", text("late_demotion"))]);
    let (late, se) = paired_counters(&on, &off, |k| k.late, REPS);
    println!("late_demotion late insights off-on: {late:+.3} (se {se:.3})");
    let unsolicited = |k: &Counters| k.insights_delivered - k.commissioned_finished;
    let (fewer, fewer_se) = paired_counters(&off, &on, unsolicited, REPS);
    println!("late_demotion unsolicited insights on-off: {fewer:+.3} (se {fewer_se:.3})");
    assert!(late > 3.0 * se, "late insights off - on: {late} (se {se})");
}

/// MODEL.md §9.3 (ii): under KPI appraisal, dashboards that measure outputs (a KPI gap per option,
/// a bias per unit) and steer decisions cost value: removing the gap and the bias raises it.
#[test]
fn under_kpi_a_dashboard_that_measures_the_outcome_raises_value() {
    let kpi = params(&[("incentive", text("kpi"))]);
    let honest = params(&[("incentive", text("kpi")), ("knockout", text("kpi_gap"))]);
    up(
        "kpi: kpi_gap off - on, value_added",
        &kpi,
        &honest,
        |m| m.value_added,
        300,
        &Constants::default(),
        1.96,
    );
}

/// §9.5: every default run spends from its first week on (posts, infrastructure), and its cumulative
/// spend only grows; value per cost is always a number.
/// MODEL.md §9.3 (i): fast reports are noisier (κ = `fast_report_noise` 1.3 on the report noise
/// SD) and units still take them at the careful σ_r. The noise is carried through the inbox (each
/// bucket counts its fast reports), so the constant acts: without it (κ = 1) some final metric of
/// some default replicate changes. Its paired effect on value is printed (a finding in the ODD).
#[test]
fn fast_report_noise_is_carried_through_the_inbox() {
    let base = params(&[]);
    let careful_noise = Constants {
        fast_report_noise: 1.0,
        ..Constants::default()
    };
    let moved = (0..4).any(|r| {
        let (a, b) = (
            finals(&base, r, &Constants::default()),
            finals(&base, r, &careful_noise),
        );
        let (mut x, mut y) = ([0.0; Metrics::COUNT], [0.0; Metrics::COUNT]);
        a.write(&mut x);
        b.write(&mut y);
        x.iter().zip(&y).any(|(p, q)| p.to_bits() != q.to_bits())
    });
    assert!(moved, "fast_report_noise changes no metric at the defaults");
    let kpi = params(&[("incentive", text("kpi"))]);
    let d: Vec<f64> = (0..100)
        .map(|r| {
            finals(&kpi, r, &careful_noise).value_added
                - finals(&kpi, r, &Constants::default()).value_added
        })
        .collect();
    let mean = d.iter().sum::<f64>() / 100.0;
    let se = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 99.0 / 100.0).sqrt();
    println!(
        "kpi value_added, fast reports as careful (kappa 1) - kappa 1.3: {mean:+.3} (se {se:.3}, 100 pairs)"
    );
}

#[test]
fn cost_is_positive_and_grows_in_every_default_run() {
    let p = params(&[]);
    for seed in 0..4 {
        let mut last = 0.0;
        for (week, out) in weekly(&p, &[], seed) {
            assert!(
                out.cost > last,
                "seed {seed} week {week}: {} after {last}",
                out.cost
            );
            assert!(out.value_per_cost.is_finite());
            last = out.cost;
        }
        // Five years of 24 posts at about 72.5 and 448 of infrastructure, less vacancies.
        assert!((9_000.0..13_000.0).contains(&last), "{last}");
    }
}

/// §9.5: a change programme costs once, at its week: 25 + 5 per analyst moved, here every analyst
/// in post (a structure change); the same change set to the lever in force costs nothing.
#[test]
fn a_structure_change_costs_a_change_programme_once() {
    let p = params(&[]);
    let stay = weekly(&p, &[], 3);
    let placebo = weekly(
        &p,
        &[change(53, &[("structure", text("hub_and_spoke"))])],
        3,
    );
    let moved = weekly(&p, &[change(53, &[("structure", text("embedded"))])], 3);
    for ((_, a), (_, b)) in stay.iter().zip(&placebo) {
        assert_eq!(a.cost.to_bits(), b.cost.to_bits());
    }
    let cost = |run: &[(u32, Metrics)], week: usize| run[week - 1].1.cost;
    assert_eq!(cost(&stay, 52), cost(&moved, 52));
    let in_post = stay[51].1.headcount;
    let programme = 25.0 + 5.0 * in_post;
    let extra = (cost(&moved, 53) - cost(&moved, 52)) - (cost(&stay, 53) - cost(&stay, 52));
    // Besides the programme, week 53's running costs differ only by how the new structure uses
    // the week (training and engagement time, at most 65.7 a year per analyst).
    let slack = in_post * 65.7 / 52.0;
    println!("change programme: {extra:.2} extra in its week, {programme} expected ± {slack:.1}");
    assert!((extra - programme).abs() < slack, "{extra} vs {programme}");
}

/// §9.4 dual reporting: its overhead lowers hub-and-spoke value (paired against its knock-out; at
/// 300 pairs: +2.2, 95% CI +1.0 to +3.5 when switched off).
#[test]
fn dual_reporting_overhead_lowers_hub_and_spoke_value() {
    let c = Constants::default();
    let with = params(&[("structure", text("hub_and_spoke"))]);
    let without = params(&[
        ("structure", text("hub_and_spoke")),
        ("knockout", text("dual_reporting")),
    ]);
    // 1000 pairs: with the fast-report noise carried through the inbox (MODEL.md §9.3 (i)) the
    // paths differ from the build this test was written on, and 300 pairs gave +0.96 (se 0.61, t
    // 1.6) at seed 7 while the knock-out scenario (seed 97, 300 pairs) gives +2.17 [+1.04, +3.30]:
    // an effect of 1–2 against a per-pair SD near 10 needs more pairs than 300 to be decided. At
    // 1000 pairs: +0.69 (se 0.33, t 2.1).
    up(
        "hub value without - with dual reporting",
        &with,
        &without,
        |m| m.value_added,
        1000,
        &c,
        2.0,
    );
    clearly_up(
        "hub insight time without - with dual reporting",
        &with,
        &without,
        |m| m.time_insight,
        60,
        &c,
    );
}

/// §9.4 isolation: an embedded team (3 analysts a unit) makes more errors than a central one, whose
/// work is all checked; with no checking anywhere (`isolation_qa` off) the gap closes.
#[test]
fn isolation_qa_makes_the_embedded_error_gap() {
    let c = Constants::default();
    let cell = |structure: &str, qa_off: bool| {
        let mut set = vec![("structure", text(structure))];
        if qa_off {
            set.push(("knockout", text("isolation_qa")));
        }
        params(&set)
    };
    let (central, embedded) = (cell("centralised", false), cell("embedded", false));
    clearly_up(
        "error_rate embedded - central",
        &central,
        &embedded,
        |m| m.error_rate,
        100,
        &c,
    );
    let (central_off, embedded_off) = (cell("centralised", true), cell("embedded", true));
    let cells = [&central_off, &embedded_off, &central, &embedded];
    let (did, se) = interaction(cells, |m| m.error_rate, 100, &c);
    println!("error_rate gap with QA - without: {did:+.4} (se {se:.4})");
    assert!(did > 3.0 * se, "{did} (se {se})");
}

/// §9.4 isolation: embedded analysts' skills decay faster with few peers; without it their tech is
/// higher.
#[test]
fn isolation_lowers_embedded_tech() {
    let c = Constants::default();
    let with = params(&[("structure", text("embedded"))]);
    let without = params(&[
        ("structure", text("embedded")),
        ("knockout", text("isolation_skills")),
    ]);
    clearly_up(
        "embedded tech without - with isolation",
        &with,
        &without,
        |m| m.tech,
        60,
        &c,
    );
}

/// §9.5: `leadership-options.toml` compares options of equal cost at the defaults: every option's
/// mean five-year cost is within 5% of every other's (read from `orgsim run`'s summary, 40
/// replications; costs vary little between replicates).
#[test]
fn leadership_options_cost_the_same_within_five_percent() {
    let dir = TempDir::new().unwrap();
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/datateam/leadership-options.toml"),
    )
    .unwrap();
    let out = run_cli(&dir, &text, "out", &["--replications", "40"]);
    let (header, rows) = read_csv(&out.join("summary.csv"));
    let (option, metric, mean) = (
        column(&header, "option"),
        column(&header, "metric"),
        column(&header, "mean"),
    );
    let costs: Vec<(String, f64)> = rows
        .iter()
        .filter(|r| r[metric] == "cost")
        .map(|r| (r[option].clone(), r[mean].parse().unwrap()))
        .collect();
    assert_eq!(costs.len(), 5, "{costs:?}");
    let max = costs.iter().map(|c| c.1).fold(f64::MIN, f64::max);
    let min = costs.iter().map(|c| c.1).fold(f64::MAX, f64::min);
    println!(
        "leadership options' costs: {costs:?}; max/min {:.3}",
        max / min
    );
    assert!(max / min <= 1.05, "{costs:?}");
}

/// Mean and standard error of paired differences.
fn mean_se(d: &[f64]) -> (f64, f64) {
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// MODEL.md §9.8 item 1, the region of (analysts, eval_coverage) where Goodhart's value effect
/// holds, at its corners. The brief expected value to fall under kpi only with discretionary time
/// (≳ 16 analysts) and steering dashboards (coverage ≲ 0.5). Measured on the whole map
/// (`scenarios/datateam/goodhart-region.toml`, 6 × 5 cells, 200 pairs, seed 91; docs/datateam-odd.md
/// §4, Goodhart region) the sign holds in every cell: even 8 analysts with every window evaluated
/// gain +2.3 (se 0.51) from impact appraisal. The effect grows with team size (+7.7 more at 48 than
/// at 8, se 1.1) and, only in large teams, with sparse evaluation (48 analysts: +2.4 more at
/// coverage 0.1 than 1.0, se 0.67; 8 analysts: +0.4, se 0.9). Here at seed 7, 300 pairs: +1.5
/// (se 0.75), +2.7 (0.47), +11.4 (0.62), +9.2 (0.51) at the four corners; 48 − 8 analysts +9.8
/// (0.95); coverage 0.1 − 1.0 +2.2 (0.63) with 48 analysts, −1.2 (0.77) with 8.
#[test]
fn goodhart_value_effect_holds_over_team_size_and_coverage() {
    let c = Constants::default();
    let cells: Vec<(f64, f64)> = vec![(8.0, 0.1), (8.0, 1.0), (48.0, 0.1), (48.0, 1.0)];
    let sets: Vec<Params> = cells
        .iter()
        .flat_map(|&(analysts, coverage)| {
            ["kpi", "impact"].map(|incentive| {
                params(&[
                    ("analysts", num(analysts)),
                    ("eval_coverage", num(coverage)),
                    ("incentive", text(incentive)),
                ])
            })
        })
        .collect();
    let reps = 300;
    let finals = finals_of_sets(&sets, reps, &c);
    // impact − kpi value added per replicate, per cell.
    let effect: Vec<Vec<f64>> = (0..cells.len())
        .map(|k| {
            finals[2 * k]
                .iter()
                .zip(&finals[2 * k + 1])
                .map(|(kpi, impact)| impact.value_added - kpi.value_added)
                .collect()
        })
        .collect();
    for (k, &(analysts, coverage)) in cells.iter().enumerate() {
        let (m, se) = mean_se(&effect[k]);
        println!(
            "goodhart region: {analysts} analysts, coverage {coverage}: impact - kpi {m:+.2} (se {se:.2}, t {:.1})",
            m / se
        );
    }
    let contrast = |a: usize, b: usize| -> (f64, f64) {
        let d: Vec<f64> = effect[a]
            .iter()
            .zip(&effect[b])
            .map(|(x, y)| x - y)
            .collect();
        mean_se(&d)
    };
    let (size, size_se) = contrast(2, 0);
    let (sparse_large, sparse_large_se) = contrast(2, 3);
    let (sparse_small, sparse_small_se) = contrast(0, 1);
    println!("effect at 48 - at 8 analysts (coverage 0.1): {size:+.2} (se {size_se:.2})");
    println!(
        "effect at coverage 0.1 - 1.0, 48 analysts: {sparse_large:+.2} (se {sparse_large_se:.2})"
    );
    println!(
        "effect at coverage 0.1 - 1.0, 8 analysts: {sparse_small:+.2} (se {sparse_small_se:.2})"
    );
    // The sign holds clearly in the large team at both coverages and in the small team with every
    // window evaluated. In the small team at coverage 0.1 it is positive but noisy (per-pair SD 12
    // against 7 at coverage 1): t 3.1 on the map (seed 91), 2.0 here; printed, not asserted.
    for k in [1, 2, 3] {
        let (m, se) = mean_se(&effect[k]);
        assert!(
            m > 3.0 * se,
            "impact - kpi at {:?}: {m} (se {se})",
            cells[k]
        );
    }
    assert!(
        size > 3.0 * size_se,
        "team-size gradient {size} (se {size_se})"
    );
    assert!(
        sparse_large > 2.0 * sparse_large_se,
        "sparse evaluation in a large team {sparse_large} (se {sparse_large_se})"
    );
}

/// MODEL.md §9.4/§9.8 item 4, the structure map's robust part (docs/datateam-odd.md §4, "Where each
/// structure wins"): since reading became a budget, attention decides how much embedding's salience
/// is worth. With 24 analysts serving 16 units (where the map's few centralised wins are), embedded
/// beats centralised clearly when attention binds (3) and the gap closes when it is slack (12). On
/// the map (50 pairs a cell, seed 94) the 8 cells of that block averaged +3.3 at attention 3 and
/// −0.3 at 12. Here (defaults otherwise, seed 7, 200 pairs): +4.8 (se 0.66) at attention 3, +0.5
/// (se 0.63, printed, not asserted) at 12, difference +4.3 (se 0.80).
#[test]
fn embedding_pays_where_attention_binds() {
    let c = Constants::default();
    let cell = |structure: &str, attention: f64| {
        params(&[
            ("analysts", num(24.0)),
            ("units", num(16.0)),
            ("structure", text(structure)),
            ("attention", num(attention)),
        ])
    };
    let sets = [
        cell("centralised", 3.0),
        cell("embedded", 3.0),
        cell("centralised", 12.0),
        cell("embedded", 12.0),
    ];
    let finals = finals_of_sets(&sets, 200, &c);
    let value = |m: &Metrics| m.value_added;
    let (binding, binding_se) = paired_finals(&finals[0], &finals[1], value);
    let (slack, slack_se) = paired_finals(&finals[2], &finals[3], value);
    let d: Vec<f64> = (0..200)
        .map(|r| {
            (value(&finals[1][r]) - value(&finals[0][r]))
                - (value(&finals[3][r]) - value(&finals[2][r]))
        })
        .collect();
    let (gap, gap_se) = mean_se(&d);
    println!("embedded - centralised, attention 3: {binding:+.2} (se {binding_se:.2})");
    println!("embedded - centralised, attention 12: {slack:+.2} (se {slack_se:.2})");
    println!("binding - slack: {gap:+.2} (se {gap_se:.2})");
    assert!(
        binding > 3.0 * binding_se,
        "attention 3: {binding} (se {binding_se})"
    );
    assert!(gap > 3.0 * gap_se, "binding - slack: {gap} (se {gap_se})");
}
