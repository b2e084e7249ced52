//! Ensemble change measures end to end: `change.csv` and `change_trajectory.csv` from whole runs of
//! the data-team model, for a change that does nothing, a placebo, and a real change programme.

use std::collections::HashMap;
use std::path::Path;

use tempfile::TempDir;

use crate::cli::orgsim;
use crate::determinism::run_with;

/// A CSV file as rows of column → cell.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column].parse().unwrap()
}

/// Two options, the second changing `set` at week 52.
fn scenario(name: &str, reps: u64, params: &str, set: &str) -> String {
    format!(
        r#"
[scenario]
name = "{name}"
model = "datateam"
replications = {reps}
seed = 7
ticks = 260
record_every = 4
baseline = "stay"

[params]
{params}

[[option]]
name = "stay"
set = {{}}

[[option]]
name = "change"
set = {{}}
schedule = [{{ at = 52, set = {{ {set} }} }}]
"#
    )
}

#[test]
fn a_no_op_change_is_exactly_zero_and_no_dip() {
    let dir = TempDir::new().unwrap();
    let text = scenario("noop", 12, "hub_share = 0.2", "hub_share = 0.2");
    let out = run_with(&dir, &text, "noop", &[]);
    let change = rows(&out.join("change.csv"));
    assert_eq!(change.len(), 1);
    let c = &change[0];
    assert_eq!(c["option"], "change");
    assert_eq!(c["metric"], "value_added");
    assert_eq!(c["change_tick"], "52");
    assert_eq!(num(c, "dip_depth"), 0.0);
    assert_eq!(c["dip_significant"], "false");
    assert_eq!(c["pairs"], "12");
    let trajectory = rows(&out.join("change_trajectory.csv"));
    assert_eq!(trajectory.len(), 66, "ticks 0, 4, ..., 260");
    for row in &trajectory {
        for column in [
            "mean",
            "pointwise_lo",
            "pointwise_hi",
            "simultaneous_lo",
            "simultaneous_hi",
        ] {
            assert_eq!(num(row, column), 0.0, "{column} at tick {}", row["tick"]);
        }
    }
    // The manifest lists the new files; `orgsim compare DIR` writes the same bytes again.
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"change_trajectory.csv\""));
    let before = std::fs::read(out.join("change.csv")).unwrap();
    std::fs::remove_file(out.join("change.csv")).unwrap();
    orgsim().arg("compare").arg(&out).assert().success();
    assert_eq!(std::fs::read(out.join("change.csv")).unwrap(), before);
    // The J-curve figure and the report's section, from the saved files.
    orgsim().arg("plot").arg(&out).assert().success();
    assert!(out.join("plots/jcurve_value_added.svg").is_file());
    orgsim().arg("report").arg(&out).assert().success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("The change over time") && html.contains("no dip"));
    assert!(html.contains("id=\"fig-jcurve_value_added\""));
}

#[test]
fn a_placebo_change_is_judged_no_dip() {
    let dir = TempDir::new().unwrap();
    let text = scenario("placebo", 300, "hub_share = 0.2", "hub_share = 0.21");
    let out = run_with(&dir, &text, "placebo", &[]);
    let c = &rows(&out.join("change.csv"))[0];
    eprintln!("placebo: {c:?}");
    assert_eq!(c["dip_significant"], "false", "{c:?}");
    assert_eq!(c["pairs"], "300");
    // The simultaneous band contains 0 at every week (MODEL.md §9.6's placebo test).
    for row in rows(&out.join("change_trajectory.csv")) {
        assert!(
            num(&row, "simultaneous_lo") <= 0.0 && num(&row, "simultaneous_hi") >= 0.0,
            "{row:?}"
        );
    }
}

/// MODEL.md §9.6's placebo rate: the placebo of `a_placebo_change_is_judged_no_dip` (`hub_share`
/// 0.20 → 0.21 at week 52) at 20 master seeds; at most 10% (2 of 20) may show a significant dip.
/// §9.6 asks for 300 pairs a seed: that run (`--seed 1` … `20` of this scenario) gave 0 of 20 dips,
/// with the simultaneous band containing 0 at every week at all 20 seeds, but took 60 s on the
/// loaded 2-core machine (20 s of CPU), so the suite runs 150 pairs a seed, half the time: 0 of
/// 20 dip, and the simultaneous band leaves 0 (above it) at 1 seed (docs/datateam-odd.md item 13).
#[test]
fn a_placebo_dips_at_no_more_than_a_tenth_of_twenty_seeds() {
    let dir = TempDir::new().unwrap();
    let text = scenario("placebo", 150, "hub_share = 0.2", "hub_share = 0.21");
    let (mut dips, mut band_leaves_zero) = (0, 0);
    for seed in 1..=20u64 {
        let out = run_with(
            &dir,
            &text,
            &format!("placebo-{seed}"),
            &["--seed", &seed.to_string()],
        );
        let c = &rows(&out.join("change.csv"))[0];
        assert_eq!(c["pairs"], "150");
        let dip = match c["dip_significant"].as_str() {
            "true" => true,
            "false" => false,
            other => panic!("dip_significant {other:?}"),
        };
        let leaves = rows(&out.join("change_trajectory.csv"))
            .iter()
            .any(|r| num(r, "simultaneous_lo") > 0.0 || num(r, "simultaneous_hi") < 0.0);
        eprintln!(
            "seed {seed}: dip {} (depth {}, week {}), simultaneous band leaves 0: {leaves}",
            c["dip_significant"], c["dip_depth"], c["dip_week"]
        );
        dips += usize::from(dip);
        band_leaves_zero += usize::from(leaves);
    }
    eprintln!("placebo: {dips} of 20 seeds dip; the band leaves 0 at {band_leaves_zero} of 20");
    assert!(
        dips <= 2,
        "{dips} of 20 placebo seeds show a significant dip"
    );
}

#[test]
fn the_transition_programme_ends_well_above_staying_put() {
    let dir = TempDir::new().unwrap();
    let text = scenario(
        "transition",
        100,
        "structure = \"centralised\"\nincentive = \"kpi\"",
        "structure = \"hub_and_spoke\", incentive = \"impact\", engagement_share = 0.2",
    );
    let out = run_with(&dir, &text, "transition", &[]);
    let c = &rows(&out.join("change.csv"))[0];
    let trajectory = rows(&out.join("change_trajectory.csv"));
    let last = trajectory.last().unwrap();
    eprintln!("transition: {c:?}\nat the horizon: {last:?}");
    assert_eq!(last["tick"], "260");
    // With the structure costs of MODEL.md §9.4 (dual reporting, belonging) hub_and_spoke gains
    // less: at 100 pairs the programme ends +1.88 above staying put, pointwise 95% band +0.10 to
    // +3.67, simultaneous band −0.52 to +4.29, so no recovery is declared within the horizon (it
    // was before these costs). The honest claim left is the pointwise one.
    assert!(num(last, "pointwise_lo") > 0.0, "{last:?}");
    eprintln!("weeks to recover: {:?}", c["weeks_to_recover"]);
}

/// Shards of a change programme merge into the same change measures as one run (the bootstrap is
/// seeded from the master seed, not from the shard), and the merged manifest lists the files.
#[test]
fn merged_shards_give_the_same_change_measures_as_one_run() {
    let dir = TempDir::new().unwrap();
    let text = scenario("merge", 12, "", "hub_share = 0.5");
    let whole = run_with(&dir, &text, "whole", &[]);
    let (merged, _) = crate::determinism::run_shards_and_merge(&dir, &text, "change");
    for file in ["change.csv", "change_trajectory.csv"] {
        let one = std::fs::read(whole.join(file)).unwrap();
        assert_eq!(one, std::fs::read(merged.join(file)).unwrap(), "{file}");
    }
    let manifest = std::fs::read_to_string(merged.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"change.csv\""), "{manifest}");
}
