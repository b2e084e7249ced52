//! The answer that opens the report: a few sentences generated from the comparison's numbers,
//! never templated adjectives. Which option does best on average on the lead metric and by how
//! much against the status quo (with its 95% interval, or a plain "no clear difference" when the
//! interval includes none), what it costs, how often it comes out best, where another option wins
//! instead, and what the model leaves out.
//!
//! The sentences are fields of [`Answer`] so that each can be tested, and so that a later
//! analysis can fill a slot: [`Answer::where_others_win`] holds the region of the uncertain
//! parameters where another option wins (scenario discovery), `None` until an analysis gives it.

use crate::analysis::compare::{Pairs, Row};
use crate::analysis::format::sig;
use crate::analysis::robustness::{categories_in_words, limit_in_words};
use crate::plot::cost::CostPoint;

/// What the sentences need to know about a metric.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricWords {
    /// The human label, "Value added".
    pub label: String,
    /// The short unit, "effect SD × weeks"; empty for none.
    pub unit: String,
    pub higher_is_better: bool,
}

impl MetricWords {
    /// `x` with its unit: "2.31 effect SD × weeks".
    fn amount(&self, x: f64) -> String {
        if self.unit.is_empty() || self.unit == "-" {
            sig(x, 3)
        } else {
            format!("{} {}", sig(x, 3), self.unit)
        }
    }
}

/// The cost side of the leading option against the baseline, from a paired comparison on the
/// model's `cost` metric (and its value per cost, where the model reports one).
#[derive(Debug, Clone, PartialEq)]
pub struct CostFacts {
    pub metric: MetricWords,
    /// The leading option's row and the baseline's row on the cost metric.
    pub leader: Row,
    pub baseline: Row,
    /// Value per cost of the leader and the baseline, where the model reports it.
    pub value_per_cost: Option<(MetricWords, f64, f64)>,
}

/// The opening of the report, sentence by sentence.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    /// Which option does best on average and by how much against the status quo.
    pub best_on_average: String,
    /// What that costs against the status quo, when the model reports costs.
    pub cost: Option<String>,
    /// How often it comes out best (P(best)).
    pub how_often_best: Option<String>,
    /// Where another option wins instead: a region of the uncertain or swept parameters in words
    /// ("where turbulence is at least 0.08"), from scenario discovery for a design, from the
    /// per-setting comparisons for a sweep ([`others_win_in_sweep`]). The sentence appears only
    /// when it is `Some`.
    pub where_others_win: Option<String>,
    /// What the model leaves out, and where it is described.
    pub leaves_out: Option<String>,
}

impl Answer {
    /// The sentences in reading order, the empty slots left out.
    pub fn sentences(&self) -> Vec<&str> {
        std::iter::once(self.best_on_average.as_str())
            .chain(self.cost.as_deref())
            .chain(self.how_often_best.as_deref())
            .chain(self.where_others_win.as_deref())
            .chain(self.leaves_out.as_deref())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// The baseline as the sentences name it: "the status quo, “central KPI team”", or just "the
/// status quo" when that is its name.
fn status_quo(base: &str) -> String {
    if base.eq_ignore_ascii_case("status quo") || base.eq_ignore_ascii_case("status_quo") {
        "the status quo".to_string()
    } else {
        format!("the status quo, “{base}”")
    }
}

/// Whether a paired interval includes no difference.
fn includes_zero(lo: f64, hi: f64) -> bool {
    !(lo > 0.0 || hi < 0.0)
}

/// "more" or "less" for a positive or negative difference.
fn more_or_less(diff: f64) -> &'static str {
    if diff >= 0.0 { "more" } else { "less" }
}

/// "(95% interval 1.20 to 3.42)".
fn interval(lo: f64, hi: f64) -> String {
    format!("(95% interval {} to {})", sig(lo, 3), sig(hi, 3))
}

/// A percentage of replicates: "62%".
fn percent(p: f64) -> String {
    format!("{:.0}%", 100.0 * p)
}

/// The answer for one group of options on one metric: `rows` are that group's rows, ranked (rank
/// 1 first), the baseline among them.
pub fn for_options(metric: &MetricWords, rows: &[&Row], cost: Option<&CostFacts>) -> Answer {
    let (Some(leader), Some(baseline)) = (
        rows.iter().find(|r| r.rank == 1),
        rows.iter().find(|r| r.is_baseline),
    ) else {
        return Answer::default();
    };
    let label = &metric.label;
    let base = status_quo(&baseline.label);
    let best_on_average = if leader.is_baseline {
        let runner = rows.iter().find(|r| r.rank == 2);
        let mut s = format!(
            "No option does better on average than {base} on {label}: it has the best mean, {}.",
            metric.amount(baseline.stats.mean)
        );
        if let Some(r) = runner {
            let d = r.stats;
            s += &if includes_zero(d.diff_low, d.diff_high) {
                format!(
                    " The next, “{}”, is not clearly different from it: {} {} {}, an interval that includes no difference.",
                    r.label,
                    metric.amount(d.diff.abs()),
                    more_or_less(d.diff),
                    interval(d.diff_low, d.diff_high)
                )
            } else {
                format!(
                    " The next, “{}”, has {} {} {}.",
                    r.label,
                    metric.amount(d.diff.abs()),
                    more_or_less(d.diff),
                    interval(d.diff_low, d.diff_high)
                )
            };
        }
        s
    } else {
        let d = leader.stats;
        if includes_zero(d.diff_low, d.diff_high) {
            format!(
                "No option is clearly better than {base} on {label}. “{}” has the best mean, {} against {}, but the difference, {} {} {}, includes no difference: the replicates cannot tell the two apart.",
                leader.label,
                metric.amount(d.mean),
                metric.amount(baseline.stats.mean),
                metric.amount(d.diff.abs()),
                more_or_less(d.diff),
                interval(d.diff_low, d.diff_high)
            )
        } else {
            format!(
                "“{}” does best on average on {label}: {} against {} for {base}, that is {} {} {}.",
                leader.label,
                metric.amount(d.mean),
                metric.amount(baseline.stats.mean),
                metric.amount(d.diff.abs()),
                more_or_less(d.diff),
                interval(d.diff_low, d.diff_high)
            )
        }
    };
    let how_often_best = (leader.stats.p_best.is_finite() && leader.n_complete > 0).then(|| {
        let mut s = format!(
            "“{}” comes out best on {label} in {} of the {} {} (P(best))",
            leader.label,
            percent(leader.stats.p_best),
            leader.n_complete,
            match leader.pairs {
                Pairs::Replicates => "simulated worlds",
                Pairs::DesignPoints => "design points",
            }
        );
        let rival = rows
            .iter()
            .filter(|r| r.point_id != leader.point_id && r.stats.p_best.is_finite())
            .max_by(|a, b| a.stats.p_best.total_cmp(&b.stats.p_best));
        match rival {
            // Another option wins more replicates: its wins are more frequent, the leader's
            // larger on average.
            Some(r) if r.stats.p_best > leader.stats.p_best => {
                s += &format!(
                    ", while “{}” comes out best more often, in {}",
                    r.label,
                    percent(r.stats.p_best)
                );
            }
            Some(r) => {
                s += &format!(
                    "; the next most often, “{}”, in {}",
                    r.label,
                    percent(r.stats.p_best)
                );
            }
            None => {}
        }
        s + "."
    });
    let cost = cost.filter(|_| !leader.is_baseline).map(|c| {
        let d = c.leader.stats;
        let mut s = format!(
            "“{}” costs {} against {} for the status quo: {} {}",
            leader.label,
            c.metric.amount(d.mean),
            c.metric.amount(c.baseline.stats.mean),
            c.metric.amount(d.diff.abs()),
            more_or_less(d.diff),
        );
        s += &if includes_zero(d.diff_low, d.diff_high) {
            format!(
                " {}, not clearly different",
                interval(d.diff_low, d.diff_high)
            )
        } else {
            format!(" {}", interval(d.diff_low, d.diff_high))
        };
        if let Some((words, mine, theirs)) = &c.value_per_cost {
            s += &format!(
                "; {} is {} against {}",
                words.label.to_lowercase(),
                words.amount(*mine),
                words.amount(*theirs)
            );
        }
        s + "."
    });
    Answer {
        best_on_average,
        cost,
        how_often_best,
        where_others_win: None,
        leaves_out: None,
    }
}

/// The paired difference in value per cost between the option that gives the most and the next.
#[derive(Debug, Clone, PartialEq)]
pub struct RunnerUp {
    pub label: String,
    /// Leader minus runner-up, over the replicates both have, with its 95% interval.
    pub diff: f64,
    pub lo: f64,
    pub hi: f64,
}

/// The sentence beside the value-against-cost figure, from its points: how far apart the options'
/// costs are and which is cheapest and dearest; with a value-per-cost metric, which option gives
/// the most value per unit of cost, against the baseline, and whether it is clearly ahead of the
/// next (`runner_up`, a paired comparison).
pub fn value_for_money(
    cost: &MetricWords,
    per_cost: Option<&MetricWords>,
    points: &[CostPoint],
    runner_up: Option<&RunnerUp>,
) -> Option<String> {
    let priced: Vec<&CostPoint> = points.iter().filter(|p| p.cost.mean.is_finite()).collect();
    let by_cost = |a: &&&CostPoint, b: &&&CostPoint| a.cost.mean.total_cmp(&b.cost.mean);
    let cheapest = priced.iter().min_by(by_cost)?;
    let dearest = priced.iter().max_by(by_cost)?;
    let mut s = if cheapest.cost.mean > 0.0 {
        format!(
            "The options' mean costs lie within {:.1}% of each other: from {} for “{}” to {} for “{}”.",
            100.0 * (dearest.cost.mean / cheapest.cost.mean - 1.0),
            cost.amount(cheapest.cost.mean),
            cheapest.label,
            cost.amount(dearest.cost.mean),
            dearest.label
        )
    } else {
        format!(
            "The options' mean costs run from {} for “{}” to {} for “{}”.",
            cost.amount(cheapest.cost.mean),
            cheapest.label,
            cost.amount(dearest.cost.mean),
            dearest.label
        )
    };
    let Some(words) = per_cost else {
        return Some(s);
    };
    let per: Vec<(&CostPoint, crate::plot::cost::Estimate)> = points
        .iter()
        .filter_map(|p| {
            p.value_per_cost
                .filter(|v| v.mean.is_finite())
                .map(|v| (p, v))
        })
        .collect();
    let Some(&(best, v)) = per.iter().max_by(|a, b| a.1.mean.total_cmp(&b.1.mean)) else {
        return Some(s);
    };
    s += &format!(
        " “{}” gives the most {}: {} (95% CI {} to {})",
        best.label,
        words.label.to_lowercase(),
        words.amount(v.mean),
        sig(v.lo, 3),
        sig(v.hi, 3)
    );
    if let Some((base, bv)) = per.iter().find(|(p, _)| p.is_baseline && !best.is_baseline) {
        s += &format!(
            ", against {} for {}",
            sig(bv.mean, 3),
            status_quo(&base.label)
        );
    }
    if let Some(r) = runner_up {
        s += &if includes_zero(r.lo, r.hi) {
            format!(
                "; it is not clearly ahead of the next, “{}”: the paired difference, {} {}, includes no difference",
                r.label,
                sig(r.diff, 3),
                interval(r.lo, r.hi)
            )
        } else {
            format!(
                "; ahead of the next, “{}”, by {} {}",
                r.label,
                sig(r.diff, 3),
                interval(r.lo, r.hi)
            )
        };
    }
    Some(s + ".")
}

/// A swept parameter as a sentence names it.
#[derive(Debug, Clone, PartialEq)]
pub struct SweptWords {
    /// The label for prose, "turnover rate".
    pub label: String,
    /// Its unit, "weeks"; empty for none.
    pub unit: String,
    /// A whole-number parameter.
    pub whole: bool,
}

/// A swept parameter's value at one setting.
#[derive(Debug, Clone, PartialEq)]
pub enum Level {
    Num(f64),
    Text(String),
}

impl Level {
    fn shown(&self) -> String {
        match self {
            Level::Num(x) => crate::analysis::saved::show_number(*x),
            Level::Text(t) => t.replace('_', " "),
        }
    }
}

/// What the smallest box around some settings admits of one swept parameter.
enum Admits {
    Range(f64, f64),
    Names(Vec<String>),
}

impl Admits {
    fn admits(&self, level: &Level) -> bool {
        match (self, level) {
            (Admits::Range(lo, hi), Level::Num(x)) => x >= lo && x <= hi,
            (Admits::Names(names), l) => names.contains(&l.shown()),
            _ => false,
        }
    }
}

/// Most settings a sentence lists one by one.
const MAX_LISTED: usize = 4;

/// Where `inside` holds among `settings` (each a [`Level`] per parameter of `params`), in words:
/// the smallest box of swept values that holds all of them, when it holds no other setting
/// ("where turnover rate is at least 0.05 and team structure is embedded"); else the settings
/// themselves ("at turnover rate 0.02 and at turnover rate 0.08").
pub fn region_in_words(params: &[SweptWords], settings: &[Vec<Level>], inside: &[bool]) -> String {
    let chosen: Vec<&Vec<Level>> = settings
        .iter()
        .zip(inside)
        .filter_map(|(s, &i)| i.then_some(s))
        .collect();
    let all: Vec<&Vec<Level>> = settings.iter().collect();
    let mut parts: Vec<String> = Vec::new();
    let mut in_box: Vec<Admits> = Vec::new();
    for (k, p) in params.iter().enumerate() {
        let numbers = |of: &[&Vec<Level>]| -> Option<(f64, f64)> {
            let mut range = (f64::INFINITY, f64::NEG_INFINITY);
            for s in of {
                let Level::Num(x) = s[k] else { return None };
                range = (range.0.min(x), range.1.max(x));
            }
            Some(range)
        };
        if let (Some((lo, hi)), Some((min, max))) = (numbers(&chosen), numbers(&all)) {
            parts.extend(limit_in_words(
                &p.label,
                &p.unit,
                p.whole,
                (lo, hi),
                // One value reads "turnover is 0", not "at most 0".
                (lo > min || lo == hi, hi < max || lo == hi),
            ));
            in_box.push(Admits::Range(lo, hi));
        } else {
            // The distinct values of parameter k among `of`, in order of first appearance.
            let distinct = |of: &[&Vec<Level>]| -> Vec<String> {
                let mut values: Vec<String> = Vec::new();
                for s in of {
                    let v = s[k].shown();
                    if !values.contains(&v) {
                        values.push(v);
                    }
                }
                values
            };
            let names = distinct(&chosen);
            if names.len() < distinct(&all).len() {
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                parts.extend(categories_in_words(&p.label, &refs));
            }
            in_box.push(Admits::Names(names));
        }
    }
    let is_box = settings
        .iter()
        .zip(inside)
        .all(|(s, &i)| s.iter().zip(&in_box).all(|(l, a)| a.admits(l)) == i);
    if is_box {
        return match parts.as_slice() {
            [] => "at every setting".to_string(),
            [one] => format!("where {one}"),
            [head @ .., last] => format!("where {} and {last}", head.join(", ")),
        };
    }
    let listed: Vec<String> = chosen
        .iter()
        .take(MAX_LISTED)
        .map(|s| {
            let values: Vec<String> = params
                .iter()
                .zip(s.iter())
                .map(|(p, l)| format!("{} {}", p.label, l.shown()))
                .collect();
            format!("at {}", values.join(", "))
        })
        .collect();
    let more = chosen.len().saturating_sub(MAX_LISTED);
    match (listed.as_slice(), more) {
        ([one], 0) => one.clone(),
        ([head @ .., last], 0) => format!("{} and {last}", head.join("; ")),
        (all, n) => format!("{} and at {n} more settings", all.join("; ")),
    }
}

/// Where another option clearly wins over a sweep: at a setting, the option with the best mean
/// differs from the `leader` and its paired 95% interval against the leader excludes 0.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepWin {
    pub option: String,
    /// [`region_in_words`] of its settings.
    pub region: String,
    pub settings: usize,
}

/// The sentence for options compared over a sweep: where another option wins instead of the
/// `leader` (the option first at the most settings), or that none does clearly; `close` counts
/// the settings where another option has the best mean but not clearly.
pub fn others_win_in_sweep(
    leader: &str,
    wins: &[SweepWin],
    close: usize,
    settings: usize,
) -> String {
    let clear = |n: usize| {
        format!(
            "{}it is clearly ahead of “{leader}”: the paired 95% interval of the difference excludes 0",
            if n == 1 { "" } else { "at each, " }
        )
    };
    let mut s = if wins.is_empty() {
        format!(
            "No other option is clearly better than “{leader}” at any of the {settings} settings"
        )
    } else {
        let mut out = Vec::new();
        for (i, w) in wins.iter().enumerate() {
            let mut region = w.region.clone();
            if i == 0 {
                // The first clause opens the sentence.
                let mut c = region.chars();
                region = c
                    .next()
                    .map_or(String::new(), |f| f.to_uppercase().chain(c).collect());
            }
            out.push(format!(
                "{region}, “{}” wins instead ({} of the {settings} settings; {})",
                w.option,
                w.settings,
                clear(w.settings)
            ));
        }
        out.join(". ")
    };
    s += &match (wins.is_empty(), close) {
        (true, 0) => format!(": “{leader}” has the best mean at every one."),
        (true, n) => format!(
            ": where another option has the best mean ({n} of them), its paired 95% interval against “{leader}” includes no difference."
        ),
        (false, 0) => ".".to_string(),
        (false, n) => format!(
            ". At {n} other {} another option has the best mean, but its paired interval against “{leader}” includes no difference.",
            if n == 1 { "setting" } else { "settings" }
        ),
    };
    s
}

/// The opening of a model's limits: "What the model leaves out: …; described in full in …".
pub fn leaves_out(summary: &str, document: &str) -> Option<String> {
    match (summary.is_empty(), document.is_empty()) {
        (true, true) => None,
        (false, true) => Some(format!("What the model leaves out: {summary}")),
        (true, false) => Some(format!(
            "What the model leaves out is set out in {document}."
        )),
        (false, false) => Some(format!(
            "What the model leaves out: {summary} The model is described in full in {document}."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::compare::ArmStats;

    fn row(
        label: &str,
        rank: usize,
        is_baseline: bool,
        mean: f64,
        diff: (f64, f64, f64),
        p_best: f64,
    ) -> Row {
        Row {
            setting: String::new(),
            metric: "value_added".into(),
            higher_is_better: true,
            rank,
            label: label.into(),
            point_id: rank,
            baseline: "status quo".into(),
            is_baseline,
            n_complete: 100,
            pairs: Pairs::Replicates,
            stats: ArmStats {
                n: 100,
                mean,
                ci_low: mean - 1.0,
                ci_high: mean + 1.0,
                n_pairs: 100,
                diff: diff.0,
                diff_low: diff.1,
                diff_high: diff.2,
                p_best,
            },
        }
    }

    fn value_added() -> MetricWords {
        MetricWords {
            label: "Value added".into(),
            unit: "effect SD × weeks".into(),
            higher_is_better: true,
        }
    }

    #[test]
    fn a_clear_winner_is_named_with_its_difference_and_interval() {
        let rows = [
            row("hub", 1, false, 12.0, (2.5, 1.2, 3.8), 0.7),
            row("embed", 2, false, 10.5, (1.0, 0.2, 1.8), 0.2),
            row("status quo", 3, true, 9.5, (0.0, 0.0, 0.0), 0.1),
        ];
        let refs: Vec<&Row> = rows.iter().collect();
        let a = for_options(&value_added(), &refs, None);
        assert!(
            a.best_on_average
                .starts_with("“hub” does best on average on Value added"),
            "{}",
            a.best_on_average
        );
        assert!(
            a.best_on_average
                .contains("2.50 effect SD × weeks more (95% interval 1.20 to 3.80)"),
            "{}",
            a.best_on_average
        );
        assert!(!a.best_on_average.contains("no difference"));
        let often = a.how_often_best.as_deref().unwrap();
        assert!(
            often.contains("70% of the 100 simulated worlds") && often.contains("“embed”, in 20%"),
            "{often}"
        );
        assert_eq!(a.cost, None, "no cost sentence without costs");
        assert_eq!(a.where_others_win, None);
        assert_eq!(a.sentences().len(), 2);
    }

    #[test]
    fn an_interval_that_crosses_zero_says_there_is_no_clear_difference() {
        let rows = [
            row("embed", 1, false, 10.2, (0.4, -0.3, 1.1), 0.55),
            row("status quo", 2, true, 9.8, (0.0, 0.0, 0.0), 0.45),
        ];
        let refs: Vec<&Row> = rows.iter().collect();
        let a = for_options(&value_added(), &refs, None);
        assert!(
            a.best_on_average
                .starts_with("No option is clearly better than the status quo on Value added"),
            "{}",
            a.best_on_average
        );
        assert!(
            a.best_on_average.contains("includes no difference"),
            "{}",
            a.best_on_average
        );
        assert!(
            !a.best_on_average.contains("does best"),
            "{}",
            a.best_on_average
        );
        let rows = [
            row("embed", 1, false, 10.2, (0.4, 0.1, 0.7), 0.4),
            row("status quo", 2, true, 9.8, (0.0, 0.0, 0.0), 0.6),
        ];
        let refs: Vec<&Row> = rows.iter().collect();
        let often = for_options(&value_added(), &refs, None)
            .how_often_best
            .unwrap();
        assert!(
            often.contains("while “status quo” comes out best more often, in 60%"),
            "{often}"
        );
    }

    #[test]
    fn when_the_status_quo_leads_it_is_named_and_the_runner_up_compared() {
        let rows = [
            row("status quo", 1, true, 11.0, (0.0, 0.0, 0.0), 0.8),
            row("embed", 2, false, 9.0, (-2.0, -3.0, -1.0), 0.2),
        ];
        let refs: Vec<&Row> = rows.iter().collect();
        let a = for_options(&value_added(), &refs, None);
        assert!(
            a.best_on_average
                .starts_with("No option does better on average than the status quo"),
            "{}",
            a.best_on_average
        );
        assert!(
            a.best_on_average
                .contains("“embed”, has 2.00 effect SD × weeks less (95% interval -3.00 to -1.00)"),
            "{}",
            a.best_on_average
        );
    }

    #[test]
    fn the_cost_sentence_appears_with_costs_and_the_slot_when_filled() {
        let rows = [
            row("hub", 1, false, 12.0, (2.5, 1.2, 3.8), 0.7),
            row("status quo", 2, true, 9.5, (0.0, 0.0, 0.0), 0.3),
        ];
        let refs: Vec<&Row> = rows.iter().collect();
        let pounds = MetricWords {
            label: "Cost".into(),
            unit: "£k".into(),
            higher_is_better: false,
        };
        let cost = CostFacts {
            metric: pounds.clone(),
            leader: row("hub", 2, false, 10900.0, (220.0, -15.0, 460.0), 0.0),
            baseline: row("status quo", 1, true, 10680.0, (0.0, 0.0, 0.0), 1.0),
            value_per_cost: None,
        };
        let mut a = for_options(&value_added(), &refs, Some(&cost));
        let c = a.cost.clone().unwrap();
        assert!(
            c.contains("costs 10900 £k against 10680 £k")
                && c.contains("220 £k more")
                && c.contains("not clearly different"),
            "{c}"
        );
        assert_eq!(a.sentences().len(), 3);
        a.where_others_win =
            Some("Where turbulence is at least 0.08, “embed” wins instead.".into());
        assert!(
            a.sentences()
                .contains(&"Where turbulence is at least 0.08, “embed” wins instead.")
        );
    }

    fn point(label: &str, is_baseline: bool, cost: f64, per_cost: f64) -> CostPoint {
        use crate::plot::cost::Estimate;
        CostPoint {
            label: label.into(),
            colour: 0,
            is_baseline,
            value: Estimate {
                mean: 0.0,
                lo: f64::NAN,
                hi: f64::NAN,
            },
            cost: Estimate {
                mean: cost,
                lo: cost - 10.0,
                hi: cost + 10.0,
            },
            value_per_cost: Some(Estimate {
                mean: per_cost,
                lo: per_cost - 0.0002,
                hi: per_cost + 0.0002,
            }),
        }
    }

    #[test]
    fn value_for_money_names_the_cost_spread_and_the_best_value_per_cost() {
        let pounds = MetricWords {
            label: "Cost".into(),
            unit: "£k".into(),
            higher_is_better: false,
        };
        let per = MetricWords {
            label: "Value for money".into(),
            unit: "effect SD × weeks per thousand".into(),
            higher_is_better: true,
        };
        let points = [
            point("hub", false, 11280.0, 0.0031),
            point("status quo", true, 10820.0, 0.0022),
            point("embed", false, 11140.0, 0.0029),
        ];
        let clear = RunnerUp {
            label: "embed".into(),
            diff: 0.0002,
            lo: 0.00005,
            hi: 0.00035,
        };
        let s = value_for_money(&pounds, Some(&per), &points, Some(&clear)).unwrap();
        assert!(
            s.starts_with("The options' mean costs lie within 4.3% of each other: from 10820 £k for “status quo” to 11280 £k for “hub”."),
            "{s}"
        );
        assert!(
            s.contains("“hub” gives the most value for money: 0.00310 effect SD × weeks per thousand (95% CI 0.00290 to 0.00330), against 0.00220 for the status quo; ahead of the next, “embed”, by 0.000200"),
            "{s}"
        );
        let unclear = RunnerUp {
            lo: -0.0001,
            ..clear
        };
        let s = value_for_money(&pounds, Some(&per), &points, Some(&unclear)).unwrap();
        assert!(s.contains("not clearly ahead of the next, “embed”"), "{s}");
        // Without a value-per-cost metric, only the costs.
        let s = value_for_money(&pounds, None, &points, None).unwrap();
        assert!(!s.contains("gives the most"), "{s}");
        assert_eq!(value_for_money(&pounds, None, &[], None), None);
    }

    fn turnover() -> SweptWords {
        SweptWords {
            label: "turnover rate".into(),
            unit: "probability".into(),
            whole: false,
        }
    }

    #[test]
    fn a_region_of_a_sweep_reads_as_limits_when_it_is_a_box_and_as_a_list_otherwise() {
        let structure = SweptWords {
            label: "team structure".into(),
            unit: String::new(),
            whole: false,
        };
        let params = [turnover(), structure];
        let mut settings = Vec::new();
        for t in [0.0, 0.05, 0.1] {
            for st in ["centralised", "hub_and_spoke", "embedded"] {
                settings.push(vec![Level::Num(t), Level::Text(st.into())]);
            }
        }
        let upper_right: Vec<bool> = settings
            .iter()
            .map(|s| {
                matches!(s[0], Level::Num(t) if t >= 0.05)
                    && s[1] != Level::Text("centralised".into())
            })
            .collect();
        assert_eq!(
            region_in_words(&params, &settings, &upper_right),
            "where turnover rate is at least 0.05 and team structure is hub and spoke or embedded"
        );
        let one_column: Vec<bool> = settings.iter().map(|s| s[0] == Level::Num(0.0)).collect();
        assert_eq!(
            region_in_words(&params, &settings, &one_column),
            "where turnover rate is 0"
        );
        // Two corners are no box: each is named.
        let corners: Vec<bool> = (0..settings.len()).map(|i| i == 0 || i == 8).collect();
        assert_eq!(
            region_in_words(&params, &settings, &corners),
            "at turnover rate 0, team structure centralised and at turnover rate 0.1, team structure embedded"
        );
        assert_eq!(
            region_in_words(&params, &settings, &vec![true; settings.len()]),
            "at every setting"
        );
        // A whole-number count named by its unit.
        let units = [SweptWords {
            label: "policy units".into(),
            unit: "units".into(),
            whole: true,
        }];
        let levels: Vec<Vec<Level>> = [4.0, 8.0, 12.0, 16.0]
            .iter()
            .map(|&u| vec![Level::Num(u)])
            .collect();
        assert_eq!(
            region_in_words(&units, &levels, &[false, false, true, true]),
            "where there are at least 12 policy units"
        );
    }

    #[test]
    fn the_sweep_sentence_names_who_wins_where_or_says_nobody_does() {
        let wins = [SweepWin {
            option: "fast".into(),
            region: "where turnover rate is at least 0.05".into(),
            settings: 3,
        }];
        let s = others_win_in_sweep("slow", &wins, 1, 5);
        assert_eq!(
            s,
            "Where turnover rate is at least 0.05, “fast” wins instead (3 of the 5 settings; at each, it is clearly ahead of “slow”: the paired 95% interval of the difference excludes 0). At 1 other setting another option has the best mean, but its paired interval against “slow” includes no difference."
        );
        assert_eq!(
            others_win_in_sweep("slow", &[], 0, 5),
            "No other option is clearly better than “slow” at any of the 5 settings: “slow” has the best mean at every one."
        );
        assert!(others_win_in_sweep("slow", &[], 2, 5).ends_with(
            "(2 of them), its paired 95% interval against “slow” includes no difference."
        ),);
    }

    #[test]
    fn the_model_limits_name_the_document() {
        assert_eq!(leaves_out("", ""), None);
        let s = leaves_out("No costs.", "docs/x.md").unwrap();
        assert!(s.contains("No costs.") && s.contains("docs/x.md"), "{s}");
    }
}
