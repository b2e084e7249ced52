//! How a [`Comparison`] is shown: `comparison.csv` at full precision, and aligned text and
//! Markdown tables with numbers rounded to significant digits for people to read.
//!
//! Separate from [`super::compare`] so that the layout can change (or gain a format) without
//! touching the statistics, and so that plots and the report can share the same cell formatting.

use std::fmt::Write as _;

use super::change::OptionChange;
use super::compare::{Comparison, Row};

/// The columns of `comparison.csv`, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "setting",
    "metric",
    "higher_is_better",
    "rank",
    "option",
    "point_id",
    "is_baseline",
    "baseline",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "n_pairs",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "p_best",
    "n_complete",
];

/// `comparison.csv`: every row, numbers at full precision.
pub fn to_csv(comparison: &Comparison) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(CSV_COLUMNS);
    for r in &comparison.rows {
        let s = &r.stats;
        let _ = w.write_record([
            r.setting.clone(),
            r.metric.clone(),
            r.higher_is_better.to_string(),
            r.rank.to_string(),
            r.label.clone(),
            r.point_id.to_string(),
            r.is_baseline.to_string(),
            r.baseline.clone(),
            s.n.to_string(),
            s.mean.to_string(),
            s.ci_low.to_string(),
            s.ci_high.to_string(),
            s.n_pairs.to_string(),
            s.diff.to_string(),
            s.diff_low.to_string(),
            s.diff_high.to_string(),
            s.p_best.to_string(),
            r.n_complete.to_string(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The columns of `change.csv`, in order.
pub const CHANGE_COLUMNS: &[&str] = &[
    "option",
    "metric",
    "change_tick",
    "dip_depth",
    "dip_lo",
    "dip_hi",
    "dip_week",
    "dip_significant",
    "weeks_to_recover",
    "breakeven_week",
    "pairs",
];

/// The columns of `change_trajectory.csv`, in order.
pub const TRAJECTORY_COLUMNS: &[&str] = &[
    "option",
    "tick",
    "mean",
    "pointwise_lo",
    "pointwise_hi",
    "simultaneous_lo",
    "simultaneous_hi",
];

/// A week that may not exist: empty means "not within the horizon".
fn week(w: Option<u64>) -> String {
    w.map(|w| w.to_string()).unwrap_or_default()
}

/// `change.csv`: one row per option, numbers at full precision.
pub fn change_csv(changes: &[OptionChange]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(CHANGE_COLUMNS);
    for c in changes {
        let m = &c.measures;
        let _ = w.write_record([
            c.option.clone(),
            c.metric.clone(),
            m.change_tick.to_string(),
            m.dip_depth.to_string(),
            m.dip_lo.to_string(),
            m.dip_hi.to_string(),
            week(m.dip_week),
            m.dip_significant.to_string(),
            week(m.weeks_to_recover),
            week(m.breakeven_week),
            m.pairs.to_string(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `change_trajectory.csv`: the paired mean and both bands, per option and recorded tick.
pub fn trajectory_csv(changes: &[OptionChange]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(TRAJECTORY_COLUMNS);
    for c in changes {
        let t = &c.trajectory;
        for k in 0..t.ticks.len() {
            let _ = w.write_record([
                c.option.clone(),
                t.ticks[k].to_string(),
                t.mean[k].to_string(),
                t.pointwise_lo[k].to_string(),
                t.pointwise_hi[k].to_string(),
                t.simultaneous_lo[k].to_string(),
                t.simultaneous_hi[k].to_string(),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `x` to `digits` significant digits, e.g. 0.012345 → "0.01235", 1234.5 → "1234" (no exponent for
/// the magnitudes metrics take).
pub fn sig(x: f64, digits: usize) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    // Differences of equal values come out as ±1e-17 from rounding; they are zero.
    if x.abs() < 1e-9 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i64;
    let decimals = (digits as i64 - 1 - magnitude).clamp(0, 12) as usize;
    format!("{x:.decimals$}")
}

fn signed(x: f64) -> String {
    let s = sig(x, 3);
    if x > 0.0 && s != "0" {
        format!("+{s}")
    } else {
        s
    }
}

/// The rows of one table: (group, metric) blocks, each a heading and ranked lines.
fn blocks(comparison: &Comparison) -> Vec<(String, Vec<&Row>)> {
    let mut out: Vec<(String, Vec<&Row>)> = Vec::new();
    for r in &comparison.rows {
        let what = if comparison.of_options {
            "options"
        } else {
            "points"
        };
        let mut heading = format!(
            "{} ({} is better) — {what} vs baseline \"{}\"",
            r.metric,
            if r.higher_is_better {
                "higher"
            } else {
                "lower"
            },
            r.baseline
        );
        if !r.setting.is_empty() {
            heading += &format!(" at {}", r.setting);
        }
        match out.last_mut() {
            Some((h, rows)) if *h == heading => rows.push(r),
            _ => out.push((heading, vec![r])),
        }
    }
    out
}

/// The cells of one ranked line, shared by the text and Markdown tables.
pub fn cells(r: &Row) -> [String; 6] {
    let s = &r.stats;
    let diff = if r.is_baseline {
        "baseline".to_string()
    } else {
        signed(s.diff)
    };
    let diff_ci = if r.is_baseline {
        String::new()
    } else {
        format!("[{}, {}]", signed(s.diff_low), signed(s.diff_high))
    };
    [
        r.rank.to_string(),
        r.label.clone(),
        format!(
            "{} [{}, {}]",
            sig(s.mean, 4),
            sig(s.ci_low, 4),
            sig(s.ci_high, 4)
        ),
        diff,
        diff_ci,
        format!("{:.2}", s.p_best),
    ]
}

pub const TABLE_HEADER: [&str; 6] = [
    "rank",
    "option",
    "mean [95% CI]",
    "diff vs baseline",
    "paired 95% CI",
    "P(best)",
];

/// The comparison as aligned plain text, one ranked block per (group, metric).
pub fn to_table(comparison: &Comparison) -> String {
    let mut out = String::new();
    for (heading, rows) in blocks(comparison) {
        let lines: Vec<[String; 6]> = rows.iter().map(|r| cells(r)).collect();
        let mut widths = TABLE_HEADER.map(|h| h.chars().count());
        for l in &lines {
            for (w, c) in widths.iter_mut().zip(l) {
                *w = (*w).max(c.chars().count());
            }
        }
        let pairs = rows
            .first()
            .map_or(String::new(), |r| r.pairs.count(r.n_complete));
        let _ = writeln!(out, "{heading}; {pairs}");
        let mut put = |cells: &[String]| {
            let line: Vec<String> = cells
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            let _ = writeln!(out, "  {}", line.join("  ").trim_end());
        };
        put(&TABLE_HEADER.map(String::from));
        for l in &lines {
            put(l);
        }
        out.push('\n');
    }
    out
}

/// The comparison as GitHub-flavoured Markdown, one table per (group, metric).
pub fn to_markdown(comparison: &Comparison) -> String {
    let mut out = String::new();
    for (heading, rows) in blocks(comparison) {
        let pairs = rows
            .first()
            .map_or(String::new(), |r| r.pairs.count(r.n_complete));
        let _ = writeln!(out, "**{heading}**; {pairs}\n");
        let _ = writeln!(out, "| {} |", TABLE_HEADER.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(TABLE_HEADER.len()));
        for r in rows {
            let c = cells(r).map(|c| c.replace('|', "\\|"));
            let _ = writeln!(out, "| {} |", c.join(" | "));
        }
        out.push('\n');
    }
    out
}

/// The alternatives' means each on their own, for an output with no baseline worth ranking
/// against ([`Comparison::is_ranking`] is false): a plain sweep's points in sweep order, with no
/// rank, difference or P(best); a run of one point gives one line per metric.
pub fn to_means_table(comparison: &Comparison) -> String {
    let mut out = String::new();
    let mut metrics: Vec<&str> = Vec::new();
    for r in &comparison.rows {
        if !metrics.contains(&r.metric.as_str()) {
            metrics.push(&r.metric);
        }
    }
    for metric in metrics {
        let mut rows: Vec<&Row> = comparison
            .rows
            .iter()
            .filter(|r| r.metric == metric)
            .collect();
        rows.sort_by_key(|r| r.point_id);
        let direction = if rows.first().is_some_and(|r| r.higher_is_better) {
            "higher"
        } else {
            "lower"
        };
        let mean = |r: &Row| {
            format!(
                "{} [{}, {}]",
                sig(r.stats.mean, 4),
                sig(r.stats.ci_low, 4),
                sig(r.stats.ci_high, 4)
            )
        };
        if let [only] = rows.as_slice() {
            let _ = writeln!(
                out,
                "{metric} ({direction} is better): mean {} (95% CI), {} replicates",
                mean(only),
                only.stats.n
            );
            continue;
        }
        let _ = writeln!(
            out,
            "{metric} ({direction} is better): mean [95% CI] at each point; no baseline to rank against (--baseline POINT ranks the points against one)"
        );
        let width = rows
            .iter()
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(0)
            .max("setting".len());
        let _ = writeln!(out, "  point  {:<width$}  n    mean [95% CI]", "setting");
        for r in rows {
            let _ = writeln!(
                out,
                "  {:<5}  {:<width$}  {:<3}  {}",
                r.point_id,
                r.label,
                r.stats.n,
                mean(r)
            );
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits() {
        assert_eq!(sig(0.012345, 3), "0.0123");
        assert_eq!(sig(1234.5, 3), "1234");
        assert_eq!(sig(0.5, 4), "0.5000");
        assert_eq!(sig(-2.46913, 3), "-2.47");
        assert_eq!(sig(f64::NAN, 3), "NaN");
        assert_eq!(sig(1.4e-17, 3), "0");
        assert_eq!(signed(1.4e-17), "0");
        assert_eq!(signed(0.25), "+0.250");
    }
}
