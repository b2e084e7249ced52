//! Which figures to draw from a saved output directory, as chart data: pure and testable, with
//! nothing drawn here. For each chosen metric (default: the headline metrics):
//! - `timeseries_<metric>`: mean over replicates per tick with a 95% band, per option or point;
//! - `response_<metric>`: the metric against the swept parameter with the most values, with 95% error
//!   bars, one line per option (or per value of a second swept parameter);
//! - `heatmap_<metric>[_<option>]`: the mean over the two swept parameters with the most values;
//! - `forest_<metric>`: each option's paired difference from the baseline with its 95% interval;
//! - `distribution_<metric>`: box plots of the final values across replicates, per option;
//! - `value_cost_<metric>`: with options and a model that reports a cost, each option's gain over
//!   the baseline against its cost ([`super::cost`]);
//! - `jcurve_<metric>`: with scheduled options, each option's paired mean difference from the
//!   baseline per tick with its simultaneous (outer) and pointwise (inner) 95% bands, a line at 0 and
//!   a mark at the change ([`crate::analysis::change`]).

use std::collections::BTreeMap;

use anyhow::Result;

use super::heatmap::Heatmap;
use super::labels::{self, humanise_alternative, metric_label, param_label, param_value};
use super::lines::{self, Band, LineChart, Series, Style};
use super::rows::{self, Distribution, DistributionRow, Forest, ForestRow};
use super::theme;
use crate::analysis::change;
use crate::analysis::compare::{Comparison, Row};
use crate::analysis::saved::{Saved, TimeSeries, show_value};
use crate::output::manifest::Manifest;
use crate::stats::Moments;

/// What a figure shows, for choosing figures in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    TimeSeries,
    Response,
    Heatmap,
    Forest,
    Distribution,
    JCurve,
    /// Indices of a design's sensitivity analysis ([`super::design`]).
    Sensitivity,
    /// Regret, winner map and PRIM boxes of a robustness analysis ([`super::robust`]).
    Robust,
    /// Each option's value against its cost ([`super::cost`]).
    ValueCost,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    Lines(LineChart),
    Heatmap(Heatmap),
    Forest(Forest),
    Distribution(Distribution),
    WinnerMap(super::robust::WinnerMap),
    ValueCost(super::cost::ValueCost),
    /// An output against each input of a design, a panel per input ([`super::scatter`]).
    Scatter(super::scatter::Scatter),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The file stem, e.g. `forest_code_knowledge`.
    pub name: String,
    pub kind: Kind,
    pub metric: String,
    /// One sentence saying what the figure shows, for captions.
    pub caption: String,
    pub chart: Chart,
    /// Rows of a row chart (its height grows with them); 0 for other charts.
    pub rows: usize,
    /// Grid rows of small multiples, drawn two journal columns wide; 0 for one panel.
    pub panel_rows: usize,
}

/// A file-name-safe form of a label.
pub(super) fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A metric's axis label, with its unit when the manifest gives one.
fn metric_axis(saved: &Saved, metric: &str) -> String {
    labels::metric_axis(&saved.manifest, metric)
}

/// A parameter's axis label with its unit, from the model's declaration when the model is known.
fn param_axis(manifest: &Manifest, param: &str) -> String {
    labels::param_axis(manifest, param)
}

/// One alternative to draw: a point, its label and its colour.
struct Line {
    point_id: usize,
    label: String,
    colour: usize,
}

/// One line per point: labelled by option (and setting), or by the varying parameters.
fn point_lines(manifest: &Manifest) -> Vec<Line> {
    let swept = manifest.swept_params();
    let varying: Vec<&str> = manifest.varying_params.iter().map(String::as_str).collect();
    manifest
        .points
        .iter()
        .map(|p| match &p.option {
            Some(o) => {
                let colour = manifest
                    .options
                    .iter()
                    .position(|x| &x.name == o)
                    .unwrap_or(0);
                let label = if swept.is_empty() {
                    o.clone()
                } else {
                    format!("{o} @ {}", labels::setting(manifest, p.point_id, &swept))
                };
                Line {
                    point_id: p.point_id,
                    label,
                    colour,
                }
            }
            None => Line {
                point_id: p.point_id,
                label: if manifest.points.len() == 1 {
                    String::new()
                } else {
                    labels::setting(manifest, p.point_id, &varying)
                },
                colour: p.point_id,
            },
        })
        .collect()
}

fn band(x: f64, m: &Moments) -> Band {
    let (lo, hi) = m.ci95();
    Band {
        x,
        mean: m.mean(),
        lo,
        hi,
    }
}

/// Every figure for the chosen metrics (default: the headline metrics).
pub fn figures(saved: &Saved, comparison: &Comparison, metrics: &[String]) -> Result<Vec<Figure>> {
    let manifest = &saved.manifest;
    let chosen: Vec<String> = manifest
        .chosen_metrics(metrics)?
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let series = saved.timeseries()?;
    let mut out = Vec::new();
    for metric in &chosen {
        let k = saved.metric_index(metric);
        if let Some(ts) = &series {
            out.push(timeseries_figure(saved, ts, metric, k));
        }
        out.extend(response_figure(saved, metric, k));
        out.extend(heatmap_figures(saved, metric, k));
        out.extend(forest_figure(saved, comparison, metric));
        out.extend(distribution_figure(saved, comparison, metric, k));
    }
    if let Some(changes) = change::analyse(saved)? {
        out.extend(jcurve_figure(saved, &changes, &chosen));
    }
    out.extend(super::cost::value_cost_figure(saved, comparison, &chosen)?);
    Ok(out)
}

/// Palette index of the reference lines (0 and the change): black, which no option takes first.
const REFERENCE: usize = 6;

/// The J-curve of each scheduled option (on the metric the change measures use, when chosen).
fn jcurve_figure(
    saved: &Saved,
    changes: &[change::OptionChange],
    chosen: &[String],
) -> Option<Figure> {
    let metric = changes.first()?.metric.clone();
    if !chosen.contains(&metric) {
        return None;
    }
    let manifest = &saved.manifest;
    let label = metric_label(manifest, &metric);
    let mut series = Vec::new();
    let mut panels = Vec::new();
    for c in changes {
        let t = &c.trajectory;
        let name = c.option.split(" @ ").next().unwrap_or("");
        let colour = manifest
            .options
            .iter()
            .position(|o| o.name == name)
            .unwrap_or(0);
        let line = |lo: &[f64], hi: &[f64]| -> Vec<Band> {
            (0..t.ticks.len())
                .map(|k| Band {
                    x: t.ticks[k] as f64,
                    mean: t.mean[k],
                    lo: lo[k],
                    hi: hi[k],
                })
                .collect()
        };
        let (first, last) = match (t.ticks.first(), t.ticks.last()) {
            (Some(&a), Some(&b)) => (a as f64, b as f64),
            _ => continue,
        };
        let finite = |v: &[f64]| {
            v.iter()
                .copied()
                .filter(|x| x.is_finite())
                .collect::<Vec<_>>()
        };
        let low = finite(&t.simultaneous_lo)
            .into_iter()
            .chain(finite(&t.mean))
            .fold(0.0, f64::min);
        let high = finite(&t.simultaneous_hi)
            .into_iter()
            .chain(finite(&t.mean))
            .fold(0.0, f64::max);
        let flat = |x: f64, y: f64| Band {
            x,
            mean: y,
            lo: y,
            hi: y,
        };
        let start = series.len();
        // Two bands of one colour overlap: the darker inner band is the pointwise one.
        series.push(Series {
            label: humanise_alternative(manifest, &c.option),
            colour,
            points: line(&t.simultaneous_lo, &t.simultaneous_hi),
        });
        series.push(Series {
            label: String::new(),
            colour,
            points: line(&t.pointwise_lo, &t.pointwise_hi),
        });
        // No difference, and the week of the change, as plain lines without bands.
        series.push(Series {
            label: String::new(),
            colour: REFERENCE,
            points: vec![flat(first, 0.0), flat(last, 0.0)],
        });
        let tc = c.measures.change_tick as f64;
        series.push(Series {
            label: String::new(),
            colour: REFERENCE,
            points: vec![flat(tc, low), flat(tc, high)],
        });
        panels.push((
            humanise_alternative(manifest, &c.option),
            (start..series.len()).collect(),
        ));
    }
    if series.is_empty() {
        return None;
    }
    let panels = if panels.len() > 1 { panels } else { Vec::new() };
    let panel_rows = if panels.is_empty() {
        0
    } else {
        lines::grid(panels.len()).0
    };
    let base = manifest
        .baseline
        .clone()
        .or_else(|| manifest.options.first().map(|o| o.name.clone()))
        .unwrap_or_default();
    let pairs = changes[0].measures.pairs;
    Some(Figure {
        name: format!("jcurve_{}", slug(&metric)),
        kind: Kind::JCurve,
        metric: metric.clone(),
        caption: format!(
            "The change's J-curve: {label} of each option minus the baseline \"{base}\", mean over {pairs} paired replicates per tick, with the simultaneous 95% band (outer, used for every decision) and the pointwise 95% band (inner); black lines mark 0 and the week of the change."
        ),
        chart: Chart::Lines(LineChart {
            title: format!("Change against \"{base}\""),
            x_label: format!("time ({}s)", manifest.tick_unit),
            // Short enough that the rotated label stays clear of the title.
            y_label: format!("Δ {}", metric_axis(saved, &metric)),
            legend_title: "option:".into(),
            series,
            style: Style::Band,
            note: "Outer band: simultaneous 95% (sup-t); inner: pointwise 95%.".into(),
            panels,
        }),
        rows: 0,
        panel_rows,
    })
}

fn timeseries_figure(saved: &Saved, ts: &TimeSeries, metric: &str, k: usize) -> Figure {
    let manifest = &saved.manifest;
    let mut cells: Vec<BTreeMap<u64, Moments>> = vec![BTreeMap::new(); manifest.points.len()];
    for (row, (&p, &t)) in ts.point_id.iter().zip(&ts.tick).enumerate() {
        cells[p].entry(t).or_default().push(ts.values[k][row]);
    }
    let lines = point_lines(manifest);
    let swept = manifest.swept_params();
    // In a plain sweep of several parameters, one with few values can be drawn as lines within
    // panels of the others (March's Figure 1: a line per code_learning, a panel per socialisation).
    let line_param: Option<(&str, Vec<String>)> = if manifest.options.is_empty() && swept.len() >= 2
    {
        swept_by_size(manifest)
            .into_iter()
            .rev()
            .find(|(_, v)| v.len() > 1 && v.len() <= lines::MAX_LINES_PER_PANEL)
    } else {
        None
    };
    // Small multiples when there are too many lines for one panel: options × settings get one panel
    // per setting with the options as lines; a plain sweep gets one panel per point.
    let panels: Vec<(String, Vec<usize>)> = if lines.len() <= lines::MAX_LINES_PER_PANEL {
        Vec::new()
    } else if !manifest.options.is_empty() && !swept.is_empty() {
        panels_by_setting(manifest, &swept)
    } else if let Some((line_param, _)) = &line_param {
        let others: Vec<&str> = swept.iter().copied().filter(|p| p != line_param).collect();
        panels_by_setting(manifest, &others)
    } else {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (l.label.clone(), vec![i]))
            .collect()
    };
    let in_panels = !panels.is_empty();
    let series: Vec<Series> = lines
        .iter()
        .map(|l| Series {
            // In panels the panel title names the setting; the line is named by its option alone.
            label: match (&manifest.points[l.point_id].option, &line_param) {
                (Some(o), _) if in_panels => o.clone(),
                (None, Some((p, _))) if in_panels => {
                    param_value(manifest, p, &value_of(manifest, l.point_id, p))
                }
                _ if in_panels => String::new(),
                _ => l.label.clone(),
            },
            colour: match &line_param {
                Some((p, values)) if in_panels => {
                    let v = value_of(manifest, l.point_id, p);
                    values.iter().position(|x| *x == v).unwrap_or(0)
                }
                _ if in_panels && manifest.options.is_empty() => 0,
                _ => l.colour,
            },
            points: cells[l.point_id]
                .iter()
                .map(|(&t, m)| band(t as f64, m))
                .collect(),
        })
        .collect();
    let many = in_panels;
    let panel_rows = if in_panels {
        lines::grid(panels.len()).0
    } else {
        0
    };
    Figure {
        name: format!("timeseries_{}", slug(metric)),
        kind: Kind::TimeSeries,
        metric: metric.to_string(),
        caption: format!(
            "{} over time: mean over {} replicates per tick{}, with a 95% confidence band.",
            metric_label(manifest, metric),
            manifest.replicates_text(),
            if many {
                ", one panel per alternative"
            } else {
                ""
            }
        ),
        chart: Chart::Lines(LineChart {
            title: format!("{} over time", metric_label(manifest, metric)),
            x_label: format!("time ({}s)", manifest.tick_unit),
            y_label: metric_axis(saved, metric),
            legend_title: if manifest.options.is_empty() {
                String::new()
            } else {
                "option:".into()
            },
            series,
            style: Style::Band,
            panels,
            note: format!(
                "Mean of {} replicates; band: 95% CI.{}",
                manifest.replicates_text(),
                if manifest.stop.is_some() {
                    " Runs that stopped early drop out."
                } else {
                    ""
                }
            ),
        }),
        rows: 0,
        panel_rows,
    }
}

/// Each swept parameter's distinct values in order of first appearance.
fn distinct_values(manifest: &Manifest, param: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for p in &manifest.points {
        let v = p.params.get(param).map(show_value).unwrap_or_default();
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen
}

fn numeric(manifest: &Manifest, param: &str) -> bool {
    manifest
        .points
        .iter()
        .all(|p| p.params.get(param).is_some_and(|v| v.is_number()))
}

/// Swept parameters, most values first (ties keep the scenario's order).
fn swept_by_size(manifest: &Manifest) -> Vec<(&str, Vec<String>)> {
    let mut swept: Vec<(&str, Vec<String>)> = manifest
        .swept_params()
        .into_iter()
        .map(|p| (p, distinct_values(manifest, p)))
        .collect();
    swept.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    swept
}

fn value_of(manifest: &Manifest, point: usize, param: &str) -> String {
    manifest.points[point]
        .params
        .get(param)
        .map(show_value)
        .unwrap_or_default()
}

fn response_figure(saved: &Saved, metric: &str, k: usize) -> Option<Figure> {
    let manifest = &saved.manifest;
    let swept = swept_by_size(manifest);
    let (x_param, _) = swept
        .iter()
        .find(|(p, v)| numeric(manifest, p) && v.len() > 1)?;
    let others: Vec<&str> = swept
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| p != x_param)
        .collect();
    // Lines: options if any, else the values of the next swept parameter if few enough to tell apart.
    let by: Option<(&str, Vec<String>)> = if manifest.options.is_empty() {
        swept
            .iter()
            .find(|(p, v)| p != x_param && v.len() <= theme::PALETTE.len())
            .map(|(p, v)| (*p, v.clone()))
    } else {
        None
    };
    let pooled: Vec<&str> = others
        .iter()
        .copied()
        .filter(|p| by.as_ref().is_none_or(|(b, _)| b != p))
        .collect();
    let line_keys: Vec<String> = if !manifest.options.is_empty() {
        manifest.options.iter().map(|o| o.name.clone()).collect()
    } else if let Some((_, values)) = &by {
        values.clone()
    } else {
        vec![String::new()]
    };
    let line_of = |point: usize| -> usize {
        if !manifest.options.is_empty() {
            let o = manifest.points[point].option.as_deref().unwrap_or("");
            line_keys.iter().position(|k| k == o).unwrap_or(0)
        } else if let Some((param, _)) = &by {
            let v = value_of(manifest, point, param);
            line_keys.iter().position(|k| *k == v).unwrap_or(0)
        } else {
            0
        }
    };
    let mut cells: Vec<BTreeMap<u64, (f64, Moments)>> = vec![BTreeMap::new(); line_keys.len()];
    for (row, &p) in saved.runs.point_id.iter().enumerate() {
        let x = manifest.points[p]
            .params
            .get(*x_param)
            .and_then(|v| v.as_f64())
            .unwrap_or(f64::NAN);
        // Keyed by the bits of x so the BTreeMap keeps the order of x for non-negative values.
        let slot = cells[line_of(p)]
            .entry(x.to_bits())
            .or_insert((x, Moments::default()));
        slot.1.push(saved.runs.values[k][row]);
    }
    let series: Vec<Series> = line_keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let mut points: Vec<Band> = cells[i].values().map(|(x, m)| band(*x, m)).collect();
            points.sort_by(|a, b| a.x.total_cmp(&b.x));
            Series {
                label: match &by {
                    Some((param, _)) => param_value(manifest, param, key),
                    None => key.clone(),
                },
                colour: i,
                points,
            }
        })
        .collect();
    let mut note = "Mean over replicates; bars: 95% CI.".to_string();
    if !pooled.is_empty() {
        note += &format!(" Pooled over {}.", words(manifest, &pooled));
    }
    Some(Figure {
        name: format!("response_{}", slug(metric)),
        kind: Kind::Response,
        metric: metric.to_string(),
        caption: format!(
            "Response of {} to {}: mean with 95% confidence intervals{}{}.",
            metric_label(manifest, metric),
            param_label(manifest, x_param),
            match &by {
                Some((param, _)) =>
                    format!(", one line per value of {}", param_label(manifest, param)),
                None if !manifest.options.is_empty() => ", one line per option".to_string(),
                None => String::new(),
            },
            if pooled.is_empty() {
                String::new()
            } else {
                format!(", pooling over {}", words(manifest, &pooled))
            }
        ),
        chart: Chart::Lines(LineChart {
            title: format!(
                "{} by {}",
                metric_label(manifest, metric),
                param_label(manifest, x_param).to_lowercase()
            ),
            x_label: param_axis(manifest, x_param),
            y_label: metric_axis(saved, metric),
            legend_title: if manifest.options.is_empty() {
                String::new()
            } else {
                "option:".into()
            },
            series,
            style: Style::ErrorBars,
            note,
            panels: Vec::new(),
        }),
        rows: 0,
        panel_rows: 0,
    })
}

/// At most this many heatmaps per metric (one per option).
const MAX_HEATMAPS: usize = 4;

fn heatmap_figures(saved: &Saved, metric: &str, k: usize) -> Vec<Figure> {
    let manifest = &saved.manifest;
    let swept = swept_by_size(manifest);
    let [(x_param, x_values), (y_param, y_values), ..] = swept.as_slice() else {
        return Vec::new();
    };
    let pooled: Vec<&str> = swept.iter().skip(2).map(|(p, _)| *p).collect();
    let options: Vec<Option<&str>> = if manifest.options.is_empty() {
        vec![None]
    } else {
        manifest
            .options
            .iter()
            .take(MAX_HEATMAPS)
            .map(|o| Some(o.name.as_str()))
            .collect()
    };
    let maps: Vec<(Option<&str>, Vec<Vec<f64>>)> = options
        .into_iter()
        .map(|option| {
            let mut cells = vec![vec![Moments::default(); x_values.len()]; y_values.len()];
            for (row, &p) in saved.runs.point_id.iter().enumerate() {
                if option.is_some() && manifest.points[p].option.as_deref() != option {
                    continue;
                }
                let xi = x_values
                    .iter()
                    .position(|v| *v == value_of(manifest, p, x_param));
                let yi = y_values
                    .iter()
                    .position(|v| *v == value_of(manifest, p, y_param));
                if let (Some(xi), Some(yi)) = (xi, yi) {
                    cells[yi][xi].push(saved.runs.values[k][row]);
                }
            }
            let means: Vec<Vec<f64>> = cells
                .iter()
                .map(|row| row.iter().map(Moments::mean).collect())
                .collect();
            (option, means)
        })
        .collect();
    let finite = maps
        .iter()
        .flat_map(|(_, m)| m.iter().flatten().copied())
        .filter(|v| v.is_finite());
    let scale = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let shared = maps.len() > 1;
    maps.into_iter()
        .map(|(option, means)| {
            let mut note = "Cell: mean over replicates.".to_string();
            if shared {
                note += " Colour scale shared across options.";
            }
            if !pooled.is_empty() {
                note += &format!(" Pooled over {}.", words(manifest, &pooled));
            }
            let suffix = option.map(|o| format!(" — option {o}")).unwrap_or_default();
            Figure {
                name: match option {
                    Some(o) => format!("heatmap_{}_{}", slug(metric), slug(o)),
                    None => format!("heatmap_{}", slug(metric)),
                },
                kind: Kind::Heatmap,
                metric: metric.to_string(),
                caption: format!(
                    "Mean {} over {} and {}{suffix}.",
                    metric_label(manifest, metric),
                    param_label(manifest, x_param),
                    param_label(manifest, y_param)
                ),
                chart: Chart::Heatmap(Heatmap {
                    title: format!("{}{suffix}", metric_label(manifest, metric)),
                    x_label: param_axis(manifest, x_param),
                    x_values: x_values.clone(),
                    y_label: param_axis(manifest, y_param),
                    y_values: y_values.clone(),
                    cells: means,
                    value_label: "mean".into(),
                    note,
                    scale,
                }),
                rows: 0,
                panel_rows: 0,
            }
        })
        .collect()
}

/// Parameters' labels, joined: "Turnover, Turbulence".
fn words(manifest: &Manifest, params: &[&str]) -> String {
    params
        .iter()
        .map(|p| param_label(manifest, p))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The label of a comparison row in a row chart, in words: with its setting when there are
/// several.
fn row_label(manifest: &Manifest, comparison: &Comparison, row: &Row) -> String {
    let settings = comparison
        .rows
        .iter()
        .map(|r| r.setting.as_str())
        .collect::<std::collections::BTreeSet<_>>();
    if settings.len() > 1 {
        format!(
            "{} @ {}",
            row.label,
            labels::humanise_setting(manifest, &row.setting)
        )
    } else {
        humanise_alternative(manifest, &row.label)
    }
}

fn colour_of(saved: &Saved, row: &Row) -> usize {
    let manifest = &saved.manifest;
    manifest
        .options
        .iter()
        .position(|o| o.name == row.label)
        // A plain sweep's points are many and ordered by rank here; one colour reads better.
        .unwrap_or(0)
}

fn forest_figure(saved: &Saved, comparison: &Comparison, metric: &str) -> Option<Figure> {
    // A plain sweep's point 0 is no baseline worth a difference: its response and heatmap say more.
    if !comparison.is_ranking() {
        return None;
    }
    let manifest = &saved.manifest;
    let label = metric_label(manifest, metric);
    let others = comparison
        .rows
        .iter()
        .filter(|r| r.metric == metric && !r.is_baseline)
        .count();
    if others == 0 {
        return None;
    }
    // With one baseline, it stays in as a row at 0 (no interval), so the ranking reads as a whole;
    // with one per setting of a sweep, those rows would only repeat 0, so the title names it.
    let one_group = comparison
        .rows
        .iter()
        .filter(|r| r.metric == metric && r.is_baseline)
        .count()
        == 1;
    // One option against the baseline at many settings: the rows are the settings.
    let mut challengers: Vec<&str> = comparison
        .rows
        .iter()
        .filter(|r| r.metric == metric && !r.is_baseline)
        .map(|r| r.label.as_str())
        .collect();
    challengers.sort_unstable();
    challengers.dedup();
    let by_setting = !one_group && challengers.len() == 1;
    let rows: Vec<ForestRow> = comparison
        .rows
        .iter()
        .filter(|r| r.metric == metric && (one_group || !r.is_baseline))
        .map(|r| ForestRow {
            label: if r.is_baseline {
                format!(
                    "{}{}",
                    row_label(manifest, comparison, r),
                    rows::BASELINE_MARK
                )
            } else if by_setting {
                labels::humanise_setting(manifest, &r.setting)
            } else {
                row_label(manifest, comparison, r)
            },
            colour: colour_of(saved, r),
            diff: r.stats.diff,
            lo: if r.is_baseline {
                f64::NAN
            } else {
                r.stats.diff_low
            },
            hi: if r.is_baseline {
                f64::NAN
            } else {
                r.stats.diff_high
            },
        })
        .collect();
    let base = comparison
        .rows
        .iter()
        .find(|r| r.metric == metric && r.is_baseline)
        .map(|r| r.label.clone())
        .unwrap_or_default();
    let pairs = comparison
        .rows
        .iter()
        .find(|r| r.metric == metric)
        .map_or(0, |r| r.n_complete);
    let n = rows.len();
    Some(Figure {
        name: format!("forest_{}", slug(metric)),
        kind: Kind::Forest,
        metric: metric.to_string(),
        caption: format!(
            "Difference in {label} from the baseline \"{base}\": mean of paired differences over common-random-number replicates, with 95% t intervals; ranked best first."
        ),
        chart: Chart::Forest(Forest {
            title: if one_group {
                format!("{label}: difference from baseline")
            } else if by_setting {
                format!("{label}: {} vs {base}", challengers[0])
            } else {
                format!("{label}: difference from {base}")
            },
            x_label: format!("difference in {}", metric_axis(saved, metric)),
            rows,
            note: format!("Paired by replicate ({pairs} pairs); bars: 95% CI; 0 = no difference."),
        }),
        rows: n,
        panel_rows: 0,
    })
}

fn distribution_figure(
    saved: &Saved,
    comparison: &Comparison,
    metric: &str,
    k: usize,
) -> Option<Figure> {
    let manifest = &saved.manifest;
    let label = metric_label(manifest, metric);
    let table = saved.by_point_and_replicate(k);
    let mut shown: Vec<&Row> = comparison
        .rows
        .iter()
        .filter(|r| r.metric == metric)
        .collect();
    // Without a baseline worth ranking against, rows keep the sweep's order, not a rank.
    if !comparison.is_ranking() {
        shown.sort_by_key(|r| r.point_id);
    }
    let rows: Vec<DistributionRow> = shown
        .iter()
        .map(|r| DistributionRow {
            label: row_label(manifest, comparison, r),
            colour: colour_of(saved, r),
            values: table[r.point_id].clone(),
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let n = rows.len();
    Some(Figure {
        name: format!("distribution_{}", slug(metric)),
        kind: Kind::Distribution,
        metric: metric.to_string(),
        caption: format!(
            "Distribution of final {label} across replicates: box = quartiles, line = median, whiskers = 1.5 IQR, dots beyond."
        ),
        chart: Chart::Distribution(Distribution {
            title: format!("{label} across replicates"),
            x_label: metric_axis(saved, metric),
            rows,
            note: "Box: quartiles; line: median; whiskers: 1.5 IQR; dots: beyond.".into(),
        }),
        rows: n,
        panel_rows: 0,
    })
}

/// The points grouped into panels by their values of `params`, in first-seen order: (panel label,
/// indices of its points).
fn panels_by_setting(manifest: &Manifest, params: &[&str]) -> Vec<(String, Vec<usize>)> {
    let mut panels: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, p) in manifest.points.iter().enumerate() {
        let setting = labels::setting(manifest, p.point_id, params);
        match panels.iter_mut().find(|(s, _)| *s == setting) {
            Some((_, members)) => members.push(i),
            None => panels.push((setting, vec![i])),
        }
    }
    panels
}
