//! `report.html`: one self-contained page a busy person opens in a browser.
//!
//! It says what was run and why, the options and their parameters, the ranked comparison, the key
//! figures (inline SVG), the parameter values used, and how to reproduce the run; for a design run
//! ([`design_html`]), the design and its sensitivity indices instead of a ranking of its points. Everything is
//! inline (CSS and SVG): no scripts, no fonts or images fetched, so it opens offline and can be
//! mailed as one file. It is built from the saved output files alone, like the plots.

pub mod answer;
pub mod robust;

use std::fmt::Write as _;

use anyhow::Result;

use crate::analysis::change::{self, OptionChange};
use crate::analysis::compare::{self, Comparison, Row};
use crate::analysis::format;
use crate::analysis::format::sig;
use crate::analysis::saved::{Saved, show_value};
use crate::analysis::sensitivity::{Sensitivity, groups};
use crate::models;
use crate::output::manifest::Manifest;
// A model reports its spend in a metric named `cost` (and its value per cost, `value_per_cost`):
// the answer says what the leading option costs, and a figure plots value against cost.
use crate::plot::cost::{COST, VALUE_PER_COST};
use crate::plot::labels;
use crate::plot::{self, Figure, Kind};
use answer::{Answer, CostFacts, MetricWords};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1e1e1e;
       max-width: 62rem; margin: 2rem auto; padding: 0 1.25rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.4rem 0 .4rem; }
.lede { color: #444; font-size: 1.05rem; }
.facts { color: #555; font-size: .9rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .88rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.baseline td { background: #f7f9fc; }
tr.best td:first-child { font-weight: bold; }
figure { margin: 1rem 0 1.6rem; }
figure svg { width: 100%; max-width: 46rem; height: auto; display: block; border: 1px solid #eee; }
figcaption { font-size: .85rem; color: #444; max-width: 46rem; }
pre { background: #f6f6f6; padding: .6rem .8rem; overflow-x: auto; font-size: .82rem; }
code { font-size: .88rem; }
.note { font-size: .85rem; color: #555; max-width: 46rem; }
.answer { background: #f7f9fc; border-left: 4px solid #0072b2; padding: .6rem 1rem; margin: 1rem 0 1.4rem; }
.answer p { margin: .35rem 0; max-width: 50rem; }
.meaning { font-size: .88rem; color: #444; margin: .1rem 0 .4rem; max-width: 50rem; }
dl.glossary dt { font-weight: bold; margin-top: .5rem; }
dl.glossary dd { margin-left: 1.2rem; font-size: .9rem; }
details summary { cursor: pointer; }
"#;

/// Figures shown in the report, in order, for each metric: with options, the forest plot, J-curve, time
/// series, response, first heatmap and distribution; for a plain sweep, the response and heatmap
/// first.
fn key_figures(figures: &[Figure], of_options: bool) -> Vec<&Figure> {
    // Leaders choosing among options read the differences first; a sweep is read by its response.
    let order = if of_options {
        [
            Kind::Forest,
            Kind::JCurve,
            Kind::TimeSeries,
            Kind::Response,
            Kind::Heatmap,
            Kind::Distribution,
        ]
    } else {
        [
            Kind::Response,
            Kind::Heatmap,
            Kind::TimeSeries,
            Kind::Forest,
            Kind::Distribution,
            Kind::JCurve,
        ]
    };
    let mut metrics: Vec<&str> = Vec::new();
    for f in figures {
        if !metrics.contains(&f.metric.as_str()) {
            metrics.push(&f.metric);
        }
    }
    let mut out = Vec::new();
    for m in metrics {
        for kind in order {
            if let Some(f) = figures.iter().find(|f| f.metric == m && f.kind == kind) {
                out.push(f);
            }
        }
    }
    out
}

/// Makes a plotters SVG scale with the page: the fixed size becomes a viewBox.
fn inline_svg(svg: &str, label: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return String::new();
    };
    let svg = &svg[start..];
    let Some(end) = svg.find('>') else {
        return String::new();
    };
    let open = &svg[..end];
    let attr = |name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let at = open.find(&key)? + key.len();
        Some(open[at..].split('"').next()?.to_string())
    };
    let (w, h) = (
        attr("width").unwrap_or_default(),
        attr("height").unwrap_or_default(),
    );
    format!(
        "<svg viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{}\">{}",
        escape(label),
        &svg[end + 1..]
    )
}

/// The change measures, one row per option: a sentence a reader can act on, then the numbers.
fn change_table(changes: &[OptionChange]) -> String {
    let mut out = String::from(
        "<table class=\"change\"><thead><tr><th>option</th><th>metric</th><th>change at</th><th>dip</th><th>deepest week</th><th>weeks to recover</th><th>break-even week</th><th>pairs</th></tr></thead><tbody>\n",
    );
    let week = |w: Option<u64>| w.map_or("not within the horizon".to_string(), |w| w.to_string());
    for c in changes {
        let m = &c.measures;
        let dip = if m.dip_significant {
            format!(
                "{} (95% {}–{})",
                format::sig(m.dip_depth, 3),
                format::sig(m.dip_lo, 3),
                format::sig(m.dip_hi, 3)
            )
        } else {
            "no dip".to_string()
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&c.option),
            escape(&c.metric),
            m.change_tick,
            escape(&dip),
            week(m.dip_week),
            week(m.weeks_to_recover),
            week(m.breakeven_week),
            m.pairs
        );
    }
    out += "</tbody></table>\n";
    out
}

fn comparison_tables(m: &Manifest, comparison: &Comparison) -> String {
    let mut out = String::new();
    let mut last = (String::new(), String::new());
    for r in &comparison.rows {
        let key = (r.metric.clone(), r.setting.clone());
        if key != last {
            if !last.0.is_empty() {
                out += "</tbody></table>\n";
            }
            let setting = if r.setting.is_empty() {
                String::new()
            } else {
                format!(" at {}", escape(&labels::humanise_setting(m, &r.setting)))
            };
            let _ = write!(
                out,
                "<h3>{} <small>({} is better){setting}; baseline “{}”; {}</small></h3>\n{}<table class=\"comparison\"><thead><tr>",
                escape(&labels::metric_label(m, &r.metric)),
                if r.higher_is_better {
                    "higher"
                } else {
                    "lower"
                },
                escape(&r.baseline),
                r.pairs.count(r.n_complete),
                metric_meaning(m, &r.metric)
            );
            for h in format::TABLE_HEADER {
                let _ = write!(out, "<th>{}</th>", escape(h));
            }
            out += "</tr></thead><tbody>\n";
            last = key;
        }
        let class = match (r.is_baseline, r.rank == 1) {
            (true, true) => " class=\"baseline best\"",
            (true, false) => " class=\"baseline\"",
            (false, true) => " class=\"best\"",
            _ => "",
        };
        let cells = format::cells(r);
        let _ = write!(out, "<tr{class}>");
        for (i, c) in cells.iter().enumerate() {
            let num = if i == 1 { "" } else { " class=\"num\"" };
            let _ = write!(out, "<td{num}>{}</td>", escape(c));
        }
        out += "</tr>\n";
    }
    if !last.0.is_empty() {
        out += "</tbody></table>\n";
    }
    out
}

/// A metric's one-line meaning and its unit in words, under its table or figure: what a reader
/// needs to read the numbers.
fn metric_meaning(m: &Manifest, metric: &str) -> String {
    let Some(info) = m.metric(metric) else {
        return String::new();
    };
    let mut text = info.meaning.clone();
    let unit = match (info.unit.as_str(), info.unit_meaning.as_str()) {
        ("" | "-", "") => String::new(),
        ("" | "-", words) => words.to_string(),
        (unit, "") => unit.to_string(),
        (unit, words) => format!("{unit}: {words}"),
    };
    if !unit.is_empty() {
        if !text.is_empty() {
            text += ". ";
        }
        text += &format!("Unit: {unit}.");
    }
    if text.is_empty() {
        return String::new();
    }
    format!(
        "<p class=\"meaning\"><strong>{}</strong> (<code>{}</code>): {}</p>\n",
        escape(&info.label()),
        escape(metric),
        escape(&text)
    )
}

fn metric_words(m: &Manifest, metric: &str) -> MetricWords {
    let info = m.metric(metric);
    MetricWords {
        label: labels::metric_label(m, metric),
        unit: info.map(|i| i.unit.clone()).unwrap_or_default(),
        higher_is_better: info.is_none_or(|i| i.higher_is_better),
    }
}

/// The cost of `leader` against the baseline, paired as the lead metric is, when the model reports
/// a cost.
fn cost_facts(saved: &Saved, leader: &Row) -> Result<Option<CostFacts>> {
    let m = &saved.manifest;
    if m.metric(COST).is_none() || leader.is_baseline {
        return Ok(None);
    }
    let asked: Vec<String> = [COST, VALUE_PER_COST]
        .iter()
        .filter(|n| m.metric(n).is_some())
        .map(|n| n.to_string())
        .collect();
    let costs = compare::compare(saved, &asked, Some(&leader.baseline))?;
    let find = |metric: &str, point: usize| {
        costs
            .rows
            .iter()
            .find(|r| r.metric == metric && r.point_id == point && r.setting == leader.setting)
            .cloned()
    };
    let base_point = costs
        .rows
        .iter()
        .find(|r| r.metric == COST && r.is_baseline && r.setting == leader.setting)
        .map(|r| r.point_id);
    let (Some(base_point), Some(mine)) = (base_point, find(COST, leader.point_id)) else {
        return Ok(None);
    };
    let Some(theirs) = find(COST, base_point) else {
        return Ok(None);
    };
    let value_per_cost = match (
        find(VALUE_PER_COST, leader.point_id),
        find(VALUE_PER_COST, base_point),
    ) {
        (Some(a), Some(b)) => Some((metric_words(m, VALUE_PER_COST), a.stats.mean, b.stats.mean)),
        _ => None,
    };
    Ok(Some(CostFacts {
        metric: metric_words(m, COST),
        leader: mine,
        baseline: theirs,
        value_per_cost,
    }))
}

/// The value-against-cost figure, when one was drawn, under a sentence generated from its
/// points: the spread of the options' costs and which gives the most value per unit of cost.
fn value_cost_section(saved: &Saved, figures: &[Figure]) -> Result<String> {
    let Some(figure) = figures.iter().find(|f| f.kind == Kind::ValueCost) else {
        return Ok(String::new());
    };
    let plot::Chart::ValueCost(chart) = &figure.chart else {
        return Ok(String::new());
    };
    let m = &saved.manifest;
    let per_cost = m
        .metric(VALUE_PER_COST)
        .is_some()
        .then(|| metric_words(m, VALUE_PER_COST));
    // With one group of options, the leader on value per cost against the next, paired.
    let mut ranked: Vec<&plot::cost::CostPoint> = chart
        .points
        .iter()
        .filter(|p| p.value_per_cost.is_some_and(|v| v.mean.is_finite()))
        .collect();
    ranked.sort_by(|a, b| {
        let mean = |p: &plot::cost::CostPoint| p.value_per_cost.map_or(f64::NAN, |v| v.mean);
        mean(b).total_cmp(&mean(a))
    });
    let runner_up = match ranked.as_slice() {
        [leader, next, ..] if m.swept_params().is_empty() => {
            let against =
                compare::compare(saved, &[VALUE_PER_COST.to_string()], Some(&next.label))?;
            against
                .rows
                .iter()
                .find(|r| r.label == leader.label)
                .map(|r| answer::RunnerUp {
                    label: next.label.clone(),
                    diff: r.stats.diff,
                    lo: r.stats.diff_low,
                    hi: r.stats.diff_high,
                })
        }
        _ => None,
    };
    let mut out = String::from("<h2 id=\"value-cost\">Value against cost</h2>\n");
    if let Some(sentence) = answer::value_for_money(
        &metric_words(m, COST),
        per_cost.as_ref(),
        &chart.points,
        runner_up.as_ref(),
    ) {
        let _ = writeln!(out, "<p>{}</p>", escape(&sentence));
    }
    out += &figure_html(figure)?;
    Ok(out)
}

/// The answer for a run with options (or a plain sweep given a baseline): on the lead metric,
/// from the one group of options, or a count of first places across the settings of a sweep.
fn options_answer(saved: &Saved, comparison: &Comparison) -> Result<Answer> {
    let m = &saved.manifest;
    let Some(lead) = comparison.rows.first().map(|r| r.metric.clone()) else {
        return Ok(Answer::default());
    };
    let words = metric_words(m, &lead);
    let rows: Vec<&Row> = comparison
        .rows
        .iter()
        .filter(|r| r.metric == lead)
        .collect();
    let mut settings: Vec<&str> = Vec::new();
    for r in &rows {
        if !settings.contains(&r.setting.as_str()) {
            settings.push(&r.setting);
        }
    }
    if settings.len() <= 1 {
        let cost = match rows.iter().find(|r| r.rank == 1) {
            Some(leader) => cost_facts(saved, leader)?,
            None => None,
        };
        return Ok(answer::for_options(&words, &rows, cost.as_ref()));
    }
    // Several settings of swept parameters: each has its own ranking; count first places.
    let mut firsts: Vec<(String, usize)> = Vec::new();
    for r in rows.iter().filter(|r| r.rank == 1) {
        match firsts.iter_mut().find(|(l, _)| *l == r.label) {
            Some((_, n)) => *n += 1,
            None => firsts.push((r.label.clone(), 1)),
        }
    }
    firsts.sort_by_key(|f| std::cmp::Reverse(f.1));
    let clear = rows
        .iter()
        .filter(|r| {
            r.rank == 1 && !r.is_baseline && (r.stats.diff_low > 0.0 || r.stats.diff_high < 0.0)
        })
        .count();
    let list = firsts
        .iter()
        .map(|(l, n)| format!("“{l}” at {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let where_others_win = match firsts.first() {
        Some((leader, _)) => Some(sweep_winners(saved, &lead, leader, &settings)?),
        None => None,
    };
    Ok(Answer {
        best_on_average: format!(
            "Options were compared at each of {} settings of {}. The best mean {} comes from {list}; at {clear} of the {} settings the option with the best mean is clearly ahead of the status quo, “{}” (the paired 95% interval of the difference excludes 0).",
            settings.len(),
            words_for(m, &m.swept_params()),
            words.label,
            settings.len(),
            rows.first().map_or("", |r| r.baseline.as_str()),
        ),
        where_others_win,
        ..Answer::default()
    })
}

/// Where another option than `leader` clearly has the best mean on `metric` over a sweep, in
/// words through the swept parameters: at each setting the options are compared with the leader,
/// paired, and a setting counts where the best option's interval against the leader excludes 0.
fn sweep_winners(saved: &Saved, metric: &str, leader: &str, settings: &[&str]) -> Result<String> {
    let m = &saved.manifest;
    let against = compare::compare(saved, &[metric.to_string()], Some(leader))?;
    let swept = m.swept_params();
    let params: Vec<answer::SweptWords> = swept
        .iter()
        .map(|p| {
            let spec = labels::param_spec(m, p);
            answer::SweptWords {
                label: crate::analysis::robustness::prose_label(&labels::param_label(m, p)),
                unit: spec.map(|s| s.unit.to_string()).unwrap_or_default(),
                whole: spec
                    .is_some_and(|s| matches!(s.domain, crate::engine::params::Domain::Int { .. })),
            }
        })
        .collect();
    let mut levels: Vec<Vec<answer::Level>> = Vec::new();
    let mut winner: Vec<Option<String>> = Vec::new();
    let mut close = 0;
    for setting in settings {
        let Some(best) = against
            .rows
            .iter()
            .find(|r| r.setting == *setting && r.rank == 1)
        else {
            continue;
        };
        let point = &m.points[best.point_id];
        levels.push(
            swept
                .iter()
                .map(|p| match point.params.get(*p) {
                    Some(v) if v.is_number() => answer::Level::Num(v.as_f64().unwrap_or(f64::NAN)),
                    Some(v) => answer::Level::Text(show_value(v)),
                    None => answer::Level::Text(String::new()),
                })
                .collect(),
        );
        let d = best.stats;
        let clearly = if best.higher_is_better {
            d.diff_low > 0.0
        } else {
            d.diff_high < 0.0
        };
        winner.push((!best.is_baseline && clearly).then(|| best.label.clone()));
        close += usize::from(!best.is_baseline && !clearly);
    }
    let mut wins: Vec<answer::SweepWin> = Vec::new();
    for option in winner.iter().flatten() {
        if wins.iter().any(|w| w.option == *option) {
            continue;
        }
        let inside: Vec<bool> = winner.iter().map(|w| w.as_ref() == Some(option)).collect();
        wins.push(answer::SweepWin {
            option: option.clone(),
            region: answer::region_in_words(&params, &levels, &inside),
            settings: inside.iter().filter(|&&i| i).count(),
        });
    }
    Ok(answer::others_win_in_sweep(
        leader,
        &wins,
        close,
        levels.len(),
    ))
}

/// Parameters' labels, joined: "Turnover and Turbulence".
fn words_for(m: &Manifest, params: &[&str]) -> String {
    let names: Vec<String> = params.iter().map(|p| labels::param_label(m, p)).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}

/// The answer for a plain sweep or a one-point run: no baseline to rank against, so where the
/// lead metric is highest and lowest, or its mean.
fn sweep_answer(m: &Manifest, comparison: &Comparison) -> Answer {
    let Some(lead) = comparison.rows.first().map(|r| r.metric.clone()) else {
        return Answer::default();
    };
    let words = metric_words(m, &lead);
    let rows: Vec<&Row> = comparison
        .rows
        .iter()
        .filter(|r| r.metric == lead && r.stats.mean.is_finite())
        .collect();
    let shown = |r: &Row| {
        format!(
            "{} (95% CI {} to {})",
            sig(r.stats.mean, 3),
            sig(r.stats.ci_low, 3),
            sig(r.stats.ci_high, 3)
        )
    };
    let best_on_average = match rows.as_slice() {
        [] => String::new(),
        [only] => format!(
            "One setting was run, {} times: {} averages {}{}.",
            only.stats.n,
            words.label,
            shown(only),
            if words.unit.is_empty() || words.unit == "-" {
                String::new()
            } else {
                format!(" {}", words.unit)
            }
        ),
        _ => {
            let varying: Vec<&str> = m.varying_params.iter().map(String::as_str).collect();
            let by_mean = |a: &&&Row, b: &&&Row| a.stats.mean.total_cmp(&b.stats.mean);
            let (Some(high), Some(low)) =
                (rows.iter().max_by(by_mean), rows.iter().min_by(by_mean))
            else {
                return Answer::default();
            };
            format!(
                "This is a sweep of {} with no options, so nothing is ranked against its first point; the figures show how the results respond. {} is highest, {}, at {}, and lowest, {}, at {}.",
                words_for(m, &varying),
                words.label,
                shown(high),
                labels::setting(m, high.point_id, &varying),
                shown(low),
                labels::setting(m, low.point_id, &varying)
            )
        }
    };
    Answer {
        best_on_average,
        ..Answer::default()
    }
}

/// The opening: the answer in sentences, then what the model leaves out.
fn opening(answer: &Answer) -> String {
    let mut out = String::from("<section class=\"answer\" id=\"answer\">\n<h2>The answer</h2>\n");
    for sentence in answer.sentences() {
        let _ = writeln!(out, "<p>{}</p>", escape(sentence));
    }
    out += "</section>\n";
    out
}

/// The means of a plain sweep's points (or of a one-point run), in sweep order, without ranks.
fn means_tables(m: &Manifest, comparison: &Comparison) -> String {
    let mut out = String::new();
    let mut metrics: Vec<&str> = Vec::new();
    for r in &comparison.rows {
        if !metrics.contains(&r.metric.as_str()) {
            metrics.push(&r.metric);
        }
    }
    let varying: Vec<&str> = m.varying_params.iter().map(String::as_str).collect();
    for metric in metrics {
        let mut rows: Vec<&Row> = comparison
            .rows
            .iter()
            .filter(|r| r.metric == metric)
            .collect();
        rows.sort_by_key(|r| r.point_id);
        let _ = writeln!(
            out,
            "<h3>{}</h3>\n{}<table class=\"means\"><thead><tr><th>point</th><th>setting</th><th>replicates</th><th>mean [95% CI]</th></tr></thead><tbody>",
            escape(&labels::metric_label(m, metric)),
            metric_meaning(m, metric)
        );
        for r in rows {
            let setting = if varying.is_empty() {
                "(the one setting)".to_string()
            } else {
                labels::setting(m, r.point_id, &varying)
            };
            let _ = writeln!(
                out,
                "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} [{}, {}]</td></tr>",
                r.point_id,
                escape(&setting),
                r.stats.n,
                sig(r.stats.mean, 4),
                sig(r.stats.ci_low, 4),
                sig(r.stats.ci_high, 4)
            );
        }
        out += "</tbody></table>\n";
    }
    out
}

/// The metrics and parameters that appear on the page, each with its label, name, unit and
/// meaning.
fn glossary(saved: &Saved, comparison: &Comparison, answer_metrics: &[&str]) -> String {
    let m = &saved.manifest;
    let mut out = String::from(
        "<h2 id=\"glossary\">Glossary</h2>\n<h3>Metrics</h3>\n<dl class=\"glossary\">\n",
    );
    let mut metrics: Vec<&str> = Vec::new();
    for name in comparison
        .rows
        .iter()
        .map(|r| r.metric.as_str())
        .chain(answer_metrics.iter().copied())
    {
        if !metrics.contains(&name) && m.metric(name).is_some() {
            metrics.push(name);
        }
    }
    for name in metrics {
        let Some(info) = m.metric(name) else { continue };
        let unit = match (info.unit.as_str(), info.unit_meaning.as_str()) {
            ("" | "-", "") => String::new(),
            ("" | "-", words) => format!(" Unit: {words}."),
            (unit, "") => format!(" Unit: {unit}."),
            (unit, words) => format!(" Unit: {unit} — {words}."),
        };
        let _ = writeln!(
            out,
            "<dt>{} <small>(<code>{}</code>; {} is better)</small></dt><dd>{}.{}</dd>",
            escape(&info.label()),
            escape(name),
            if info.higher_is_better {
                "higher"
            } else {
                "lower"
            },
            escape(&info.meaning),
            escape(&unit)
        );
    }
    out += "</dl>\n";
    let mut params: Vec<String> = Vec::new();
    let mut add = |p: &str| {
        if !params.iter().any(|x| x == p) {
            params.push(p.to_string());
        }
    };
    for o in &m.options {
        o.set.keys().for_each(|k| add(k));
    }
    m.varying_params.iter().for_each(|p| add(p));
    if let Some(first) = m.points.first() {
        first.params.keys().for_each(|k| add(k));
    }
    if !params.is_empty() {
        out += "<h3>Parameters</h3>\n<dl class=\"glossary\">\n";
        for p in &params {
            let (unit, meaning) = labels::param_spec(m, p)
                .map(|s| (s.unit, s.meaning))
                .unwrap_or(("", ""));
            let unit = if unit.is_empty() || unit == "-" {
                String::new()
            } else {
                format!(" Unit: {unit}.")
            };
            let _ = writeln!(
                out,
                "<dt>{} <small>(<code>{}</code>)</small></dt><dd>{}{}</dd>",
                escape(&labels::param_label(m, p)),
                escape(p),
                escape(meaning),
                escape(&unit)
            );
        }
        out += "</dl>\n";
    }
    out
}

/// A shell-quoted command line, for copying.
fn shell_line(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Above this many points the parameter table shows only the parameters that vary.
const MAX_POINTS_LISTED: usize = 60;

fn parameter_table(saved: &Saved) -> String {
    let m = &saved.manifest;
    let mut out = String::new();
    let Some(first) = m.points.first() else {
        return out;
    };
    let fixed: Vec<(&String, String)> = first
        .params
        .iter()
        .filter(|(k, _)| !m.varying_params.contains(k))
        .map(|(k, v)| (k, show_value(v)))
        .collect();
    out += "<h3>Fixed in every run</h3>\n<table class=\"params\"><thead><tr><th>parameter</th><th>value</th></tr></thead><tbody>\n";
    for (k, v) in fixed {
        let shown = if v.is_empty() { "unset".into() } else { v };
        let _ = writeln!(
            out,
            "<tr><td>{} <small><code>{}</code></small></td><td class=\"num\">{}</td></tr>",
            escape(&labels::param_label(m, k)),
            escape(k),
            escape(&shown)
        );
    }
    out += "</tbody></table>\n";
    if m.varying_params.is_empty() {
        return out;
    }
    let _ = writeln!(out, "<h3>Varying across the {} points</h3>", m.points.len());
    if m.points.len() > MAX_POINTS_LISTED {
        out += "<table><thead><tr><th>parameter</th><th>values</th></tr></thead><tbody>\n";
        for p in &m.varying_params {
            let mut values: Vec<String> = Vec::new();
            for point in &m.points {
                let v = point.params.get(p).map(show_value).unwrap_or_default();
                if !values.contains(&v) {
                    values.push(v);
                }
            }
            let _ = writeln!(
                out,
                "<tr><td>{} <small><code>{}</code></small></td><td>{}</td></tr>",
                escape(&labels::param_label(m, p)),
                escape(p),
                escape(&values.join(", "))
            );
        }
        out += "</tbody></table>\n<p class=\"note\">Every point's full parameters are in <code>points.csv</code>.</p>\n";
        return out;
    }
    out += "<table><thead><tr><th>point</th>";
    if !m.options.is_empty() {
        out += "<th>option</th>";
    }
    for p in &m.varying_params {
        let _ = write!(out, "<th>{}</th>", escape(&labels::param_label(m, p)));
    }
    out += "</tr></thead><tbody>\n";
    for point in &m.points {
        let _ = write!(out, "<tr><td class=\"num\">{}</td>", point.point_id);
        if !m.options.is_empty() {
            let _ = write!(
                out,
                "<td>{}</td>",
                escape(point.option.as_deref().unwrap_or(""))
            );
        }
        for p in &m.varying_params {
            let v = point.params.get(p).map(show_value).unwrap_or_default();
            let _ = write!(out, "<td class=\"num\">{}</td>", escape(&v));
        }
        out += "</tr>\n";
    }
    out += "</tbody></table>\n";
    out
}

fn options_table(saved: &Saved) -> String {
    let m = &saved.manifest;
    if m.options.is_empty() {
        return String::new();
    }
    let base = m
        .baseline
        .clone()
        .unwrap_or_else(|| m.options[0].name.clone());
    let mut out = String::from(
        "<table class=\"options\"><thead><tr><th>option</th><th>what it means</th><th>sets</th></tr></thead><tbody>\n",
    );
    for o in &m.options {
        let set = if o.set.is_empty() {
            "(nothing: the scenario's parameters as they are)".to_string()
        } else {
            o.set
                .iter()
                .map(|(k, v)| labels::param_value(m, k, &show_value(v)))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let marker = if o.name == base { " (baseline)" } else { "" };
        let _ = writeln!(
            out,
            "<tr><td><strong>{}</strong>{marker}</td><td>{}</td><td>{}</td></tr>",
            escape(&o.name),
            escape(&o.description),
            escape(&set)
        );
    }
    out += "</tbody></table>\n";
    out
}

/// The whole page, from the loaded outputs, their comparison and figures.
pub fn html(saved: &Saved, comparison: &Comparison, figures: &[Figure]) -> Result<String> {
    let m = &saved.manifest;
    let mut body = heading(m);

    let mut answer = if comparison.is_ranking() {
        options_answer(saved, comparison)?
    } else {
        sweep_answer(m, comparison)
    };
    if let Some(model) = models::find(&m.model) {
        let (summary, document) = model.leaves_out();
        answer.leaves_out = answer::leaves_out(summary, document);
    }
    body += &opening(&answer);

    if !m.options.is_empty() {
        body += "<h2 id=\"options\">Options</h2>\n";
        body += &options_table(saved);
    }

    if comparison.is_ranking() {
        body += "<h2 id=\"comparison\">Ranked comparison</h2>\n";
        body += "<p class=\"note\">Each alternative's mean with its 95% confidence interval; its difference from the baseline, paired replicate by replicate (replicate <i>r</i> of every alternative faces the same random world), with a 95% <i>t</i> interval from the paired differences; and the share of replicates in which it came out best (P(best)). An interval that excludes 0 is a difference the replicates can tell apart.</p>\n";
        body += &comparison_tables(m, comparison);
    } else {
        body += "<h2 id=\"results\">Results at each point</h2>\n";
        body += "<p class=\"note\">Each point's mean over its replicates with a 95% confidence interval. There is no baseline worth ranking against (no options), so points are listed in the sweep's order; <code>orgsim report DIR --baseline POINT</code> ranks them against one.</p>\n";
        body += &means_tables(m, comparison);
    }

    if let Some(changes) = change::analyse(saved)? {
        body += "<h2 id=\"change\">The change over time</h2>\n";
        body += "<p class=\"note\">Each option minus the baseline, paired replicate by replicate, tick by tick. A dip counts only when the simultaneous 95% band (which covers the whole path at once) lies below 0 at the worst week; weeks to recover count from the change until that band's lower edge stays at or above 0 to the end. Full precision in <code>change.csv</code> and <code>change_trajectory.csv</code>.</p>\n";
        body += &change_table(&changes);
    }

    body += &value_cost_section(saved, figures)?;
    body += &figure_section(&key_figures(figures, comparison.of_options))?;

    body += "<h2 id=\"parameters\">Parameter values used</h2>\n";
    body += &parameter_table(saved);

    body += &reproduce(m);
    let value_cost_drawn = figures.iter().any(|f| f.kind == Kind::ValueCost);
    let cost_shown: Vec<&str> = if answer.cost.is_some() || value_cost_drawn {
        vec![COST, VALUE_PER_COST]
    } else {
        Vec::new()
    };
    body += &glossary(saved, comparison, &cost_shown);
    let _ = writeln!(
        body,
        "<p class=\"note\">Figures and tables were drawn from the saved outputs (<code>manifest.json</code>, <code>runs.csv</code>{}) by <code>orgsim report</code>.</p>",
        if saved.timeseries_present() {
            ", <code>timeseries.csv</code>"
        } else {
            ""
        }
    );
    Ok(page(m, &body))
}

/// The report of a design run: the design, the seeds' share of the variance and the indices of
/// each option and metric (no ranked block per design point).
pub fn design_html(
    m: &Manifest,
    s: &Sensitivity,
    figures: &[Figure],
    robust: Option<&crate::analysis::robustness::Analysis>,
) -> Result<String> {
    let mut body = heading(m);
    body += &robust::section(robust, figures)?;
    let d = &s.design;
    let _ = writeln!(
        body,
        "<h2 id=\"design\">Design</h2>\n<p>A <code>{}</code> design of {} points over {} parameters (design seed {}, {}{}), each point run {} times{}. Its rows are in <code>points.csv</code>, in the order SALib's samplers write them; SALib's <code>problem</code> is <code>salib_problem.json</code>.</p>",
        escape(&d.method),
        d.points,
        d.factors.len(),
        d.seed,
        if d.common_random_numbers {
            "common random numbers: replicate r shares its random streams across points"
        } else {
            "independent random streams at each point"
        },
        if d.second_order { ", second order" } else { "" },
        m.replications,
        if m.options.is_empty() {
            String::new()
        } else {
            format!(" under each of {} options", m.options.len())
        }
    );
    body += "<table><thead><tr><th>parameter</th><th>distribution</th><th>bounds</th></tr></thead><tbody>\n";
    for f in &d.factors {
        let bounds: Vec<String> = if f.choices.is_empty() {
            f.bounds.iter().map(|b| format!("{b}")).collect()
        } else {
            f.choices.iter().map(show_value).collect()
        };
        let _ = writeln!(
            body,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(&f.name),
            if f.choices.is_empty() {
                escape(&f.dist)
            } else {
                "choices".into()
            },
            escape(&bounds.join(", "))
        );
    }
    body += "</tbody></table>\n";
    body += "<h2 id=\"sensitivity\">Sensitivity</h2>\n";
    body += "<p class=\"note\">Indices on the replicate means of each design point, with 95% bootstrap intervals (estimate ± 1.96 bootstrap sd, as SALib). <code>noise_share</code> is the seeds' share of one run's variance (within-point variance against the variance the parameters make); the seeds' noise in the point means is taken off the variance before the indices are formed (see docs/outputs-and-analysis.md). A Morris μ* the seeds alone could produce is noted <em>within seed noise</em>; an R² whose noise correction passes 1 is shown capped at 1, with the raw R² beside it. Full precision in <code>sensitivity.csv</code>.</p>\n";
    for ((option, metric), rows) in groups(s) {
        let title = if option.is_empty() {
            metric.clone()
        } else {
            format!("{metric} — option {option}")
        };
        let _ = writeln!(body, "<h3>{}</h3>", escape(&title));
        body += "<table><thead><tr><th>parameter</th><th>index</th><th>estimate</th><th>95% interval</th><th>note</th></tr></thead><tbody>\n";
        for e in rows {
            let ci = if e.conf.is_nan() {
                String::new()
            } else {
                format!(
                    "[{}, {}]",
                    sig(e.estimate - e.conf, 3),
                    sig(e.estimate + e.conf, 3)
                )
            };
            let _ = writeln!(
                body,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&e.parameter),
                e.index,
                sig(e.estimate, 3),
                ci,
                escape(&e.note)
            );
        }
        body += "</tbody></table>\n";
    }
    // The robustness figures are already shown in their own section. A scatter figure holds a
    // marker per design point and input (megabytes of SVG for a large design): the lead metric's
    // is shown, the others are listed by file.
    let lead = m
        .chosen_metrics(&[])
        .ok()
        .and_then(|c| c.first().map(|x| x.name.clone()));
    let is_scatter = |f: &Figure| matches!(f.chart, plot::Chart::Scatter(_));
    let all: Vec<&Figure> = figures
        .iter()
        .filter(|f| f.kind != plot::Kind::Robust)
        .filter(|f| !is_scatter(f) || Some(&f.metric) == lead.as_ref())
        .collect();
    body += &figure_section(&all)?;
    let others: Vec<String> = figures
        .iter()
        .filter(|f| is_scatter(f) && Some(&f.metric) != lead.as_ref())
        .map(|f| format!("<code>plots/{}.svg</code>", escape(&f.name)))
        .collect();
    if !others.is_empty() {
        let _ = writeln!(
            body,
            "<p class=\"note\">Each other headline metric against each input: {}.</p>",
            others.join(", ")
        );
    }
    body += &reproduce(m);
    Ok(page(m, &body))
}

/// The title, description and facts that open every report.
fn heading(m: &Manifest) -> String {
    let mut body = String::new();
    let _ = writeln!(body, "<h1>{}</h1>", escape(&m.scenario.name));
    if !m.scenario.description.is_empty() {
        let _ = writeln!(
            body,
            "<p class=\"lede\">{}</p>",
            escape(&m.scenario.description)
        );
    }
    let _ = writeln!(
        body,
        "<p class=\"facts\">Model <code>{}</code> · {} points × {} replicates · {} ticks · master seed {} · orgsim {}{}</p>",
        escape(&m.model),
        m.points.len(),
        m.replicates_text(),
        m.ticks,
        m.master_seed,
        escape(&m.orgsim_version),
        m.started
            .as_deref()
            .map(|s| format!(" · run {}", escape(s)))
            .unwrap_or_default()
    );
    body
}

/// One figure, inlined as SVG with its caption.
fn figure_html(f: &Figure) -> Result<String> {
    let svg = f.svg(plot::DEFAULT_WIDTH, plot::DEFAULT_HEIGHT)?;
    Ok(format!(
        "<figure id=\"fig-{}\">{}<figcaption>{}</figcaption></figure>\n",
        escape(&f.name),
        inline_svg(&svg, &f.caption),
        escape(&f.caption)
    ))
}

/// The figures, inlined as SVG with their captions.
fn figure_section(shown: &[&Figure]) -> Result<String> {
    let mut body = String::new();
    if !shown.is_empty() {
        body += "<h2 id=\"figures\">Figures</h2>\n";
        for f in shown {
            body += &figure_html(f)?;
        }
        body += "<p class=\"note\">Every figure, as PNG and SVG at print resolution: <code>orgsim plot DIR</code> (written to <code>DIR/plots/</code>).</p>\n";
    }
    Ok(body)
}

/// How to run it again: the command line and the scenario file.
fn reproduce(m: &Manifest) -> String {
    let mut body = "<h2 id=\"reproduce\">How to reproduce</h2>\n".to_string();
    let command = if m.command_line.is_empty() {
        "(not recorded)".to_string()
    } else {
        let mut args = m.command_line.clone();
        args[0] = "orgsim".into();
        shell_line(&args)
    };
    let _ = writeln!(
        body,
        "<p>With orgsim {} and the scenario file below (SHA-256 <code>{}</code>), this command gives the same numbers; results depend only on the model, the parameters, the master seed ({}) and the replicate index, not on threads or machine.</p>\n<pre><code>{}</code></pre>",
        escape(&m.orgsim_version),
        escape(&m.scenario.sha256),
        m.master_seed,
        escape(&command)
    );
    if !m.scenario.text.is_empty() {
        let _ = writeln!(
            body,
            "<details><summary>Scenario file <code>{}</code></summary><pre><code>{}</code></pre></details>",
            escape(&m.scenario.file),
            escape(&m.scenario.text)
        );
    }
    body
}

/// The whole page around `body`.
fn page(m: &Manifest, body: &str) -> String {
    let title = format!("orgsim report: {}", m.scenario.name);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(&title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\"'"), "a&lt;b &amp; &quot;c&quot;&#39;");
    }

    #[test]
    fn svg_becomes_scalable() {
        let svg = "<svg width=\"100\" height=\"50\" viewBox=\"0 0 100 50\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/></svg>";
        let out = inline_svg(svg, "a <chart>");
        assert!(out.starts_with("<svg viewBox=\"0 0 100 50\""), "{out}");
        assert!(out.contains("aria-label=\"a &lt;chart&gt;\""));
        assert!(out.ends_with("<rect/></svg>"));
    }

    #[test]
    fn shell_quoting() {
        let args = ["orgsim", "run", "my file.toml", "--set", "x=1"].map(String::from);
        assert_eq!(shell_line(&args), "orgsim run 'my file.toml' --set x=1");
    }
}
