//! The engine with a mock model: the executor's recording, its schedules and stop rule, its order
//! and seeding under any thread count or shard, and its error paths, tested without the shipped
//! models (as hyperfine tests its benchmark runner with a mock executor).
//!
//! The mock is also the smallest complete model, written outside the crate with the public
//! declaration macros: what a toy third model needs beyond a registry line.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use orgsim::engine::executor::{
    Plan, Point, RunRecord, execute, execute_runs, run_one, shard_runs,
};
use orgsim::engine::params::{MetricSpec, ParamSpec, Params, StopRule, Value};
use orgsim::engine::rng::{self, Rng};
use orgsim::engine::{Model, RunSettings, ScheduledChange, Simulation, Step, check_point};
use rand::Rng as _;

orgsim::declare_params! {
    static WALK_PARAMS;
    /// What a walk reads.
    struct Inputs {
        walkers: usize = ParamSpec::int(3, 1, 50, "walkers", "how many walkers"),
        drift: f64 = ParamSpec::real(1.0, -5.0, 5.0, "per tick", "each walker's drift per tick")
            .schedulable(),
        noise: f64 = ParamSpec::real(0.5, 0.0, 5.0, "SD per tick", "each step's noise").schedulable(),
    }
}

orgsim::declare_metrics! {
    static WALK_METRICS;
    /// What a walk reports each recorded tick.
    struct Observed {
        mean = MetricSpec::new("position", "the walkers' mean position").headline(),
        drift_in_force = MetricSpec::new("per tick", "the drift the last step used"),
        ticks_stepped = MetricSpec::new("ticks", "how many steps the run took"),
        reconfigured_at = MetricSpec::new("tick", "the tick of the last reconfigure (0: none)"),
    }
}

orgsim::declare_metrics! {
    static WALKER_METRICS;
    /// What each walker reports.
    struct WalkerObserved {
        position = MetricSpec::new("position", "the walker's position"),
    }
}

/// Stops once the mean passes 10.
const PAST_TEN: StopRule = StopRule {
    name: "past_ten",
    meaning: "stop once the mean position passes 10",
};

struct Walk;

struct WalkRun {
    inputs: Inputs,
    rng: Rng,
    positions: Vec<f64>,
    stop: Option<StopRule>,
    ticks: u64,
    reconfigured_at: u64,
}

impl Model for Walk {
    fn name(&self) -> &'static str {
        "walk"
    }
    fn summary(&self) -> &'static str {
        "walkers drifting with noise"
    }
    fn params(&self) -> &'static [ParamSpec] {
        WALK_PARAMS
    }
    fn metrics(&self) -> &'static [MetricSpec] {
        WALK_METRICS
    }
    fn stop_rules(&self) -> &'static [StopRule] {
        &[PAST_TEN]
    }
    fn default_ticks(&self) -> u64 {
        20
    }
    fn check(&self, params: &Params) -> Result<(), String> {
        let inputs = Inputs::read(params);
        if inputs.drift < 0.0 && inputs.noise == 0.0 {
            return Err("a walk that only falls needs some noise".into());
        }
        Ok(())
    }
    fn unit_metrics(&self) -> &'static [MetricSpec] {
        WALKER_METRICS
    }
    fn unit_count(&self, params: &Params) -> usize {
        Inputs::read(params).walkers
    }
    fn build(&self, params: &Params, seed: u64, settings: &RunSettings) -> Box<dyn Simulation> {
        let inputs = Inputs::read(params);
        Box::new(WalkRun {
            positions: vec![0.0; inputs.walkers],
            inputs,
            rng: rng::stream(seed, 0),
            stop: settings.stop,
            ticks: 0,
            reconfigured_at: 0,
        })
    }
}

impl WalkRun {
    fn mean(&self) -> f64 {
        self.positions.iter().sum::<f64>() / self.positions.len() as f64
    }
}

impl Simulation for WalkRun {
    fn step(&mut self) -> Step {
        self.ticks += 1;
        for position in &mut self.positions {
            let shock: f64 = self.rng.random::<f64>() - 0.5;
            *position += self.inputs.drift + self.inputs.noise * shock;
        }
        if self.stop == Some(PAST_TEN) && self.mean() > 10.0 {
            Step::Stop
        } else {
            Step::Continue
        }
    }
    fn reconfigure(&mut self, tick: u64, params: &Params, _changed: &[(&'static str, Value)]) {
        self.inputs = Inputs::read(params);
        self.reconfigured_at = tick;
    }
    fn observe(&self, out: &mut [f64]) {
        Observed {
            mean: self.mean(),
            drift_in_force: self.inputs.drift,
            ticks_stepped: self.ticks as f64,
            reconfigured_at: self.reconfigured_at as f64,
        }
        .write(out);
    }
    fn observe_units(&self, out: &mut [f64]) {
        for (slot, position) in out.iter_mut().zip(&self.positions) {
            WalkerObserved {
                position: *position,
            }
            .write(std::slice::from_mut(slot));
        }
    }
}

static WALK: Walk = Walk;

/// A point at the defaults with `set` applied and `schedule`.
fn point(id: usize, set: &[(&str, f64)], schedule: Vec<ScheduledChange>) -> Point {
    let mut params = Params::defaults(WALK_PARAMS);
    for (name, value) in set {
        params.set(name, Value::Num(*value));
    }
    Point {
        id,
        option: None,
        params,
        schedule,
        stream: None,
    }
}

fn plan(points: &[Point]) -> Plan<'_> {
    Plan {
        model: &WALK,
        points,
        replications: 3,
        master_seed: 11,
        ticks: 20,
        stop: None,
        record_every: 5,
        per_unit: false,
    }
}

fn observed(record: &RunRecord) -> Vec<Observed> {
    record
        .series
        .chunks(Observed::COUNT)
        .map(Observed::from_row)
        .collect()
}

/// Every run of a plan, through the parallel executor on `threads` threads.
fn execute_all(plan: &Plan, threads: usize) -> Vec<RunRecord> {
    let mut records = Vec::new();
    execute(plan, threads, &|| {}, |r| {
        records.push(r);
        Ok(())
    })
    .expect("the mock runs");
    records
}

#[test]
fn a_run_records_tick_zero_every_interval_and_the_last_tick() {
    let points = [point(0, &[], Vec::new())];
    let plan = Plan {
        ticks: 22,
        ..plan(&points)
    };
    let record = run_one(&plan, &points[0], 0);
    assert_eq!(record.series_ticks, [0, 5, 10, 15, 20, 22]);
    let rows = observed(&record);
    for (tick, row) in record.series_ticks.iter().zip(&rows) {
        assert_eq!(
            row.ticks_stepped, *tick as f64,
            "observed after tick {tick}'s step"
        );
    }
    assert_eq!(
        record.finals,
        record.series[record.series.len() - Observed::COUNT..]
    );

    let finals_only = run_one(
        &Plan {
            record_every: 0,
            ..plan
        },
        &points[0],
        0,
    );
    assert!(finals_only.series.is_empty() && finals_only.series_ticks.is_empty());
    assert_eq!(finals_only.finals, record.finals);
}

#[test]
fn the_engine_applies_each_change_at_the_start_of_its_tick() {
    let set = |at, drift| ScheduledChange {
        at,
        set: vec![("drift", Value::Num(drift))],
    };
    // Two changes at tick 7 apply in order; one past the horizon never applies.
    let schedule = vec![set(4, 2.0), set(7, 3.0), set(7, -1.0), set(99, 5.0)];
    let points = [point(0, &[("noise", 0.0)], Vec::new())];
    let mut scheduled = points.clone();
    scheduled[0].schedule = schedule;
    let plan = Plan {
        record_every: 1,
        ..plan(&points)
    };
    let record = run_one(&plan, &scheduled[0], 0);
    let rows = observed(&record);
    for row in &rows[1..] {
        let tick = row.ticks_stepped;
        let expected = match tick as u64 {
            0..4 => 1.0,
            4..7 => 2.0,
            _ => -1.0,
        };
        assert_eq!(row.drift_in_force, expected, "tick {tick}");
    }
    assert_eq!(
        rows[4].reconfigured_at, 4.0,
        "reconfigured before tick 4's step"
    );
    assert_eq!(rows.last().unwrap().reconfigured_at, 7.0);
    // Without noise the walk is exact: three ticks at 1, three at 2, then 14 at −1.
    assert_eq!(rows.last().unwrap().mean, 3.0 + 6.0 - 14.0);

    let unscheduled = run_one(&plan, &points[0], 0);
    assert_eq!(
        unscheduled.series[..4 * Observed::COUNT],
        record.series[..4 * Observed::COUNT]
    );
    assert!(
        observed(&unscheduled)
            .iter()
            .all(|r| r.reconfigured_at == 0.0)
    );
}

#[test]
fn the_engine_refuses_schedules_of_unmarked_parameters_and_broken_states() {
    let start = Params::defaults(WALK_PARAMS);
    let walkers = [ScheduledChange {
        at: 3,
        set: vec![("walkers", Value::Num(5.0))],
    }];
    let broken = check_point(&WALK, &start, &walkers).unwrap_err();
    assert_eq!(broken.change, Some(0));
    assert!(!broken.after);
    assert!(
        broken.message.contains("`walkers` cannot change mid-run"),
        "{broken:?}"
    );

    // Each change alone is fine; together they break the model's check after the second.
    let falls = [
        ScheduledChange {
            at: 3,
            set: vec![("noise", Value::Num(0.0))],
        },
        ScheduledChange {
            at: 5,
            set: vec![("drift", Value::Num(-1.0))],
        },
    ];
    let broken = check_point(&WALK, &start, &falls).unwrap_err();
    assert_eq!((broken.change, broken.after), (Some(1), true));
    assert!(broken.message.contains("needs some noise"));
    assert!(check_point(&WALK, &start, &falls[..1]).is_ok());
}

#[test]
fn the_stop_rule_ends_a_run_after_the_tick_it_holds() {
    let points = [point(0, &[("drift", 3.0), ("noise", 0.0)], Vec::new())];
    let plan = Plan {
        stop: Some(PAST_TEN),
        ..plan(&points)
    };
    let record = run_one(&plan, &points[0], 0);
    // 3, 6, 9, 12: the rule holds after tick 4, which is recorded though not on the interval.
    assert_eq!(record.series_ticks, [0, 4]);
    assert_eq!(Observed::from_row(&record.finals).ticks_stepped, 4.0);
    let without = run_one(&Plan { stop: None, ..plan }, &points[0], 0);
    assert_eq!(Observed::from_row(&without.finals).ticks_stepped, 20.0);
}

#[test]
fn records_arrive_in_run_id_order_whatever_the_threads_or_shards() {
    let points: Vec<Point> = (0..7)
        .map(|i| point(i, &[("drift", i as f64 * 0.1)], Vec::new()))
        .collect();
    let plan = Plan {
        replications: 40,
        ..plan(&points)
    };
    let one = execute_all(&plan, 1);
    let ids: Vec<u64> = one.iter().map(|r| r.run_id).collect();
    assert_eq!(ids, (0..plan.total_runs()).collect::<Vec<_>>());
    for record in &one {
        assert_eq!(
            record.run_id,
            record.point_id as u64 * 40 + record.replicate
        );
        assert_eq!(record.seed, rng::run_seed(11, record.replicate));
        assert_eq!(
            *record,
            run_one(&plan, &points[record.point_id], record.replicate)
        );
    }
    assert_eq!(execute_all(&plan, 2), one);
    assert_eq!(execute_all(&plan, 3), one);

    let never = AtomicBool::new(false);
    let mut sharded = Vec::new();
    for k in 1..=4 {
        execute_runs(
            &plan,
            shard_runs(plan.total_runs(), k, 4),
            2,
            &|| {},
            &never,
            |r| {
                sharded.push(r);
                Ok(())
            },
        )
        .unwrap();
    }
    assert_eq!(sharded, one);
}

/// The same replicate of two points shares its seed, hence its random numbers (common random
/// numbers make paired comparisons sharp); different replicates differ.
#[test]
fn replicates_share_seeds_across_points() {
    let points = [
        point(0, &[], Vec::new()),
        point(1, &[("drift", 2.0)], Vec::new()),
    ];
    let plan = plan(&points);
    let a = run_one(&plan, &points[0], 1);
    let b = run_one(&plan, &points[1], 1);
    let c = run_one(&plan, &points[0], 2);
    let mean = |r: &RunRecord| Observed::from_row(&r.finals).mean;
    assert_eq!(a.seed, b.seed);
    // Same shocks, drift one higher for 20 ticks: exactly 20 further on (up to rounding).
    assert!((mean(&b) - mean(&a) - 20.0).abs() < 1e-9);
    assert_ne!(a.seed, c.seed);
    assert_ne!(mean(&a), mean(&c));
}

#[test]
fn per_unit_recording_reads_the_run_and_changes_no_metric() {
    let points = [point(0, &[("walkers", 4.0)], Vec::new())];
    let plan = Plan {
        ticks: 22,
        ..plan(&points)
    };
    let plain = run_one(&plan, &points[0], 0);
    let with = run_one(
        &Plan {
            per_unit: true,
            ..plan
        },
        &points[0],
        0,
    );
    assert!(plain.unit_finals.is_empty() && plain.unit_series.is_empty());
    assert_eq!(with.finals, plain.finals);
    assert_eq!(with.series, plain.series);
    assert_eq!(with.unit_finals.len(), 4);
    assert_eq!(with.unit_series.len(), 4 * with.series_ticks.len());
    assert_eq!(
        with.unit_series[with.unit_series.len() - 4..],
        with.unit_finals
    );
    let mean = with.unit_finals.iter().sum::<f64>() / 4.0;
    assert!((mean - Observed::from_row(&with.finals).mean).abs() < 1e-12);
}

#[test]
fn a_sink_error_stops_the_work_and_is_returned() {
    let points: Vec<Point> = (0..5).map(|i| point(i, &[], Vec::new())).collect();
    // Long recorded runs make chunks small, so the plan is several chunks long.
    let plan = Plan {
        replications: 200,
        ticks: 2000,
        record_every: 1,
        ..plan(&points)
    };
    assert!(plan.chunk_size(2) * 3 < 1000);
    let done = AtomicUsize::new(0);
    let mut seen = 0;
    let result = execute(
        &plan,
        2,
        &|| {
            done.fetch_add(1, Ordering::Relaxed);
        },
        |_| {
            seen += 1;
            if seen == 3 {
                anyhow::bail!("disk full")
            } else {
                Ok(())
            }
        },
    );
    assert_eq!(result.unwrap_err().to_string(), "disk full");
    assert_eq!(seen, 3);
    assert!(
        done.load(Ordering::Relaxed) < 1000,
        "the remaining chunks did not run"
    );
}

#[test]
fn a_cancelled_plan_starts_no_further_run_and_says_interrupted() {
    let points = [point(0, &[], Vec::new())];
    let plan = plan(&points);
    let cancel = AtomicBool::new(true);
    let mut written = 0;
    let result = execute_runs(&plan, 0..plan.total_runs(), 2, &|| {}, &cancel, |_| {
        written += 1;
        Ok(())
    });
    assert_eq!(result.unwrap_err().to_string(), "interrupted");
    assert_eq!(written, 0);
}

#[test]
fn the_declarations_read_back_by_name_and_in_order() {
    let names: Vec<&str> = WALK_PARAMS.iter().map(|s| s.name).collect();
    assert_eq!(names, Inputs::NAMES);
    assert_eq!(Inputs::drift, "drift");
    let metrics: Vec<&str> = WALK_METRICS.iter().map(|m| m.name).collect();
    assert_eq!(
        metrics,
        ["mean", "drift_in_force", "ticks_stepped", "reconfigured_at"]
    );
    assert_eq!(Inputs::defaults().walkers, 3);
    assert_eq!(WALK_PARAMS[1].label(), "Drift");
}
