//! The answer that opens the report: a few sentences generated from the comparison's numbers,
//! never templated adjectives. Which option does best on average on the lead metric and by how
//! much against the status quo (with its 95% interval, or a plain "no clear difference" when the
//! interval includes none), what it costs, how often it comes out best, where another option wins
//! instead, and what the model leaves out.
//!
//! The sentences are fields of [`Answer`] so that each can be tested, and so that a later
//! analysis can fill a slot: [`Answer::where_others_win`] holds the region of the uncertain
//! parameters where another option wins (scenario discovery), `None` until an analysis gives it.

use crate::analysis::compare::Row;
use crate::analysis::format::sig;

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
    /// Where another option wins instead: a region of the uncertain parameters in words ("where
    /// turbulence is above 0.08 and there are fewer than 5 units"), from scenario discovery.
    /// `None` until such an analysis fills it; the sentence appears only when it is `Some`.
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
            "“{}” comes out best on {label} in {} of the {} simulated worlds (P(best))",
            leader.label,
            percent(leader.stats.p_best),
            leader.n_complete
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
        a.where_others_win = Some("Where turbulence is above 0.08, “embed” wins instead.".into());
        assert!(
            a.sentences()
                .contains(&"Where turbulence is above 0.08, “embed” wins instead.")
        );
    }

    #[test]
    fn the_model_limits_name_the_document() {
        assert_eq!(leaves_out("", ""), None);
        let s = leaves_out("No costs.", "docs/x.md").unwrap();
        assert!(s.contains("No costs.") && s.contains("docs/x.md"), "{s}");
    }
}
