//! The shipped March (1991) scenarios reproduce the paper's findings. Each claim is a paired
//! comparison over the scenario's 80 replicates (common random numbers) at its fixed seed, and must
//! hold with the 95% interval of the paired difference excluding zero.

use std::sync::Mutex;

use orgsim::engine::executor::{RunRecord, execute};
use orgsim::engine::metric_index;
use orgsim::scenario::{Overrides, Scenario, load};
use orgsim::stats::Moments;

use crate::cli::repo_file;

fn run(rel: &str) -> (Scenario, Vec<RunRecord>) {
    let scenario = load(&repo_file(rel), &Overrides::default()).expect("shipped scenario loads");
    let plan = scenario.plan();
    let records = Mutex::new(Vec::new());
    execute(&plan, 2, &|| {}, |r| {
        records.lock().unwrap().push(r);
        Ok(())
    })
    .unwrap();
    let records = records.into_inner().unwrap();
    (scenario, records)
}

/// The point whose parameters match every `(name, value)`.
fn point(scenario: &Scenario, at: &[(&str, f64)]) -> usize {
    scenario
        .points
        .iter()
        .find(|p| at.iter().all(|(n, v)| (p.params.num(n) - v).abs() < 1e-9))
        .unwrap_or_else(|| panic!("no point at {at:?}"))
        .id
}

/// Final values of `metric` at a point, by replicate.
fn finals(records: &[RunRecord], scenario: &Scenario, point: usize, metric: &str) -> Vec<f64> {
    let k = metric_index(scenario.model, metric).unwrap();
    let mut rows: Vec<&RunRecord> = records.iter().filter(|r| r.point_id == point).collect();
    rows.sort_by_key(|r| r.replicate);
    rows.iter().map(|r| r.finals[k]).collect()
}

/// Asserts that `a` exceeds `b` in the paired sense: the 95% CI of a − b lies above zero.
fn assert_greater(a: &[f64], b: &[f64], what: &str) {
    assert_eq!(a.len(), b.len());
    let diff = Moments::from_values(a.iter().zip(b).map(|(x, y)| x - y));
    let (lo, hi) = diff.ci95();
    assert!(
        lo > 0.0,
        "{what}: paired difference {:.4} [{lo:.4}, {hi:.4}] does not exclude 0",
        diff.mean()
    );
}

#[test]
fn fig1_slow_socialisation_and_fast_code_learning_know_more() {
    let (s, r) = run("scenarios/march1991/fig1.toml");
    let eq = metric_index(s.model, "equilibrium").unwrap();
    assert!(
        r.iter().all(|x| x.finals[eq] == 1.0),
        "every run reaches equilibrium before the cap"
    );
    for p2 in [0.5, 0.9] {
        let slow = finals(
            &r,
            &s,
            point(&s, &[("socialisation", 0.1), ("code_learning", p2)]),
            "code_knowledge",
        );
        let fast = finals(
            &r,
            &s,
            point(&s, &[("socialisation", 0.9), ("code_learning", p2)]),
            "code_knowledge",
        );
        assert_greater(&slow, &fast, &format!("p2={p2}: p1 0.1 vs 0.9"));
    }
    let quick_code = finals(
        &r,
        &s,
        point(&s, &[("socialisation", 0.1), ("code_learning", 0.9)]),
        "code_knowledge",
    );
    let slow_code = finals(
        &r,
        &s,
        point(&s, &[("socialisation", 0.1), ("code_learning", 0.1)]),
        "code_knowledge",
    );
    assert_greater(&quick_code, &slow_code, "p1=0.1: p2 0.9 vs 0.1");
}

#[test]
fn fig2_a_mixed_population_beats_a_uniform_one_at_the_same_average_rate() {
    let (s, r) = run("scenarios/march1991/fig2.toml");
    for (share, average) in [(0.3, 0.34), (0.5, 0.5), (0.7, 0.66)] {
        let mixed = finals(
            &r,
            &s,
            point(&s, &[("fast_share", share), ("socialisation", 0.1)]),
            "code_knowledge",
        );
        let uniform = finals(
            &r,
            &s,
            point(&s, &[("fast_share", 0.0), ("socialisation", average)]),
            "code_knowledge",
        );
        assert_greater(
            &mixed,
            &uniform,
            &format!("mixed {share} vs uniform {average}"),
        );
    }
}

#[test]
fn fig3_fast_learners_know_more_by_period_20_than_slow_ones() {
    let (s, r) = run("scenarios/march1991/fig3.toml");
    let at = point(&s, &[("fast_share", 0.5)]);
    let fast = finals(&r, &s, at, "individual_knowledge_fast");
    let slow = finals(&r, &s, at, "individual_knowledge_slow");
    assert_greater(&fast, &slow, "fast vs slow group at period 20");
    let periods = finals(&r, &s, at, "periods");
    assert!(periods.iter().all(|p| *p == 20.0));
}

#[test]
fn fig4_turnover_helps_fast_socialisers_and_hurts_slow_ones() {
    let (s, r) = run("scenarios/march1991/fig4.toml");
    let ck = |p1: f64, p3: f64| {
        finals(
            &r,
            &s,
            point(&s, &[("socialisation", p1), ("turnover", p3)]),
            "code_knowledge",
        )
    };
    assert_greater(&ck(0.9, 0.1), &ck(0.9, 0.0), "p1=0.9: turnover 0.1 vs 0");
    assert_greater(&ck(0.1, 0.0), &ck(0.1, 0.1), "p1=0.1: turnover 0 vs 0.1");
}

#[test]
fn fig5_under_turbulence_turnover_sustains_knowledge() {
    let (s, r) = run("scenarios/march1991/fig5.toml");
    let with = finals(&r, &s, point(&s, &[("turnover", 0.1)]), "code_knowledge");
    let without = finals(&r, &s, point(&s, &[("turnover", 0.0)]), "code_knowledge");
    assert_greater(&with, &without, "period 100: turnover 0.1 vs 0");
    // Without turnover knowledge peaks early and decays as reality drifts: period 20 beats period 100.
    let k = metric_index(s.model, "code_knowledge").unwrap();
    let width = s.model.metrics().len();
    let no_turnover = point(&s, &[("turnover", 0.0)]);
    let at_tick = |tick: u64| -> Vec<f64> {
        let mut rows: Vec<&RunRecord> = r.iter().filter(|x| x.point_id == no_turnover).collect();
        rows.sort_by_key(|x| x.replicate);
        rows.iter()
            .map(|x| {
                let row = x.series_ticks.iter().position(|t| *t == tick).unwrap();
                x.series[row * width + k]
            })
            .collect()
    };
    assert_greater(&at_tick(20), &at_tick(100), "no turnover: period 20 vs 100");
}
