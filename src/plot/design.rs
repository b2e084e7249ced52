//! The figures of a design run, from its sensitivity analysis: never one row per design point.
//! - `sobol_<metric>[_<option>]`: each parameter's first-order and total index with its 95%
//!   bootstrap interval (and the seeds' share of the variance, when there are replicates);
//! - `morris_<metric>[_<option>]`: the μ*–σ plane (Morris 1991; Campolongo et al. 2007), one marker
//!   per parameter, and `morris_mustar_<metric>[_<option>]`: μ* with its bootstrap interval;
//! - `regression_<metric>[_<option>]` (lhs, random): standardised regression and Spearman rank
//!   coefficients with their bootstrap intervals;
//! - `scatter_<metric>` (each headline metric): the output against each input of the space, a panel
//!   per input, one marker per design point (its replicate mean; faint markers for single runs in
//!   small runs), coloured by option.

use super::figures::{Chart, Figure, Kind, slug};
use super::labels::{metric_axis, metric_label, param_axis, param_label, param_spec};
use super::lines::{Band, LineChart, Series, Style, grid};
use super::rows::{Forest, ForestRow};
use super::scatter::{Scatter, ScatterPanel, XAxis};
use crate::analysis::saved::show_value;
use crate::analysis::sensitivity::{Estimate, SEEDS, Sensitivity, groups};
use crate::engine::params::Domain;
use crate::engine::rng;
use crate::output::manifest::{FactorInfo, Manifest};

/// A whole-number input with at most this many values is jittered, so its columns read as clouds.
const JITTER_WHOLE_UP_TO: f64 = 30.0;

/// A deterministic jitter in [−width/2, width/2) for design point `row` in panel `factor`.
fn jitter(row: usize, factor: usize, width: f64) -> f64 {
    let bits = rng::mix64(((factor as u64) << 40) ^ row as u64 ^ 0x5CA7_7E12);
    ((bits >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * width
}

/// One panel's axis, and how far its markers are spread sideways (0: not at all).
fn factor_axis(manifest: &Manifest, f: &FactorInfo) -> (XAxis, f64) {
    if !f.choices.is_empty() {
        return (
            // Choice names are machine words ("hub_and_spoke"); a reader gets words.
            XAxis::Categories(
                f.choices
                    .iter()
                    .map(|c| show_value(c).replace('_', " "))
                    .collect(),
            ),
            0.5,
        );
    }
    if f.dist == "logunif" {
        return (XAxis::Log, 0.0);
    }
    let whole =
        param_spec(manifest, &f.name).is_some_and(|s| matches!(s.domain, Domain::Int { .. }));
    let span = f
        .bounds
        .get(1)
        .zip(f.bounds.first())
        .map_or(0.0, |(hi, lo)| hi - lo);
    if whole && span <= JITTER_WHOLE_UP_TO {
        (XAxis::Linear, 0.4)
    } else {
        (XAxis::Linear, 0.0)
    }
}

/// `scatter_<metric>` for each headline metric: the output against each input of the design.
fn scatter_figures(manifest: &Manifest, s: &Sensitivity) -> Vec<Figure> {
    let Ok(chosen) = manifest.chosen_metrics(&[]) else {
        return Vec::new();
    };
    let k = manifest.metrics.len();
    let p = s.design.points;
    let options = manifest.options.len().max(1);
    let reps = manifest.replications;
    let mut out = Vec::new();
    for info in chosen {
        let Some(m) = manifest.metrics.iter().position(|x| x.name == info.name) else {
            continue;
        };
        let panels: Vec<ScatterPanel> = s
            .design
            .factors
            .iter()
            .enumerate()
            .map(|(fi, f)| {
                let (axis, width) = factor_axis(manifest, f);
                let x_of = |j: usize| -> f64 {
                    let value = manifest.points[j].params.get(&f.name);
                    let x = if f.choices.is_empty() {
                        value.and_then(|v| v.as_f64()).unwrap_or(f64::NAN)
                    } else {
                        value
                            .and_then(|v| f.choices.iter().position(|c| c == v))
                            .map_or(f64::NAN, |c| c as f64)
                    };
                    x + jitter(j % p, fi, width)
                };
                let mut means = Vec::new();
                let mut runs = Vec::new();
                // Point by point, the options in turn, so that no option is painted wholly over
                // another where many points overlap.
                for (row, o) in (0..p).flat_map(|row| (0..options).map(move |o| (row, o))) {
                    let j = o * p + row;
                    let x = x_of(j);
                    means.push((x, s.point_means[j * k + m], o));
                    if let Some(values) = s.run_values.get(j * k + m) {
                        runs.extend(values.iter().map(|&y| (x, y, o)));
                    }
                }
                ScatterPanel {
                    title: param_axis(manifest, &f.name),
                    axis,
                    means,
                    runs,
                }
            })
            .collect();
        let n = panels.len();
        let label = metric_label(manifest, &info.name);
        let faint = if s.run_values.is_empty() {
            String::new()
        } else {
            " Faint: single runs.".to_string()
        };
        out.push(Figure {
            name: format!("scatter_{}", slug(&info.name)),
            kind: Kind::Sensitivity,
            metric: info.name.clone(),
            caption: format!(
                "{label} against each input of the design, one panel per input: one marker per design point, its mean over {reps} replicate(s){}{}. Every other input varies too, so a panel shows that input's marginal tendency and the spread the others add, not a response curve.{}",
                if manifest.options.is_empty() { "" } else { ", coloured by option" },
                if faint.is_empty() { "" } else { "; faint markers are single runs" },
                if s.design.factors.iter().any(|f| factor_axis(manifest, f).1 > 0.0) {
                    " Markers of choices and whole numbers are spread sideways within their column so that they do not hide each other."
                } else {
                    ""
                },
            ),
            chart: Chart::Scatter(Scatter {
                title: format!("{label} against each input"),
                y_label: metric_axis(manifest, &info.name),
                legend_title: "option:".into(),
                legend: manifest
                    .options
                    .iter()
                    .enumerate()
                    .map(|(o, x)| (x.name.clone(), o))
                    .collect(),
                panels,
                note: format!("{p} design points; marker: mean of {reps} replicate(s).{faint}"),
            }),
            rows: 0,
            // Up to two panels fit one column; more are drawn two columns wide in a grid.
            panel_rows: if n <= 2 { 0 } else { grid(n).0 },
        });
    }
    out
}

/// One row chart of the chosen indices, each parameter's rows together.
fn index_forest(
    manifest: &Manifest,
    name: String,
    metric: &str,
    title: String,
    caption: String,
    rows: &[&Estimate],
    indices: &[(&str, &str, usize)],
) -> Option<Figure> {
    let mut out = Vec::new();
    for e in rows.iter().filter(|e| e.parameter != SEEDS) {
        if let Some((_, shown, colour)) = indices.iter().find(|(i, _, _)| *i == e.index) {
            let name = if e.parameter.is_empty() {
                "model".to_string()
            } else {
                param_label(manifest, &e.parameter)
            };
            out.push(ForestRow {
                label: format!("{name} {shown}"),
                colour: *colour,
                diff: e.estimate,
                lo: e.estimate - e.conf,
                hi: e.estimate + e.conf,
            });
        }
    }
    if out.is_empty() {
        return None;
    }
    let n = out.len();
    Some(Figure {
        name,
        kind: Kind::Sensitivity,
        metric: metric.to_string(),
        caption,
        chart: Chart::Forest(Forest {
            title,
            x_label: "index (95% bootstrap interval)".into(),
            rows: out,
            note: String::new(),
        }),
        rows: n,
        panel_rows: 0,
    })
}

/// Every figure of a design's sensitivity analysis.
pub fn design_figures(manifest: &Manifest, s: &Sensitivity) -> Vec<Figure> {
    let mut out = scatter_figures(manifest, s);
    for ((option, metric), rows) in groups(s) {
        let label = manifest
            .metric(&metric)
            .map_or_else(|| metric.clone(), |m| m.label());
        let (suffix, of) = if option.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!("_{}", slug(&option)),
                format!(", option \"{option}\""),
            )
        };
        let noise = rows
            .iter()
            .find(|e| e.parameter == SEEDS && e.index == "noise_share")
            .map(|e| {
                format!(
                    " The seeds account for {:.0}% of one run's variance.",
                    100.0 * e.estimate
                )
            })
            .unwrap_or_default();
        match s.design.method.as_str() {
            "sobol" => out.extend(index_forest(
                manifest,
                format!("sobol_{}{suffix}", slug(&metric)),
                &metric,
                format!("Sobol indices of {label}{of}"),
                format!("First-order (S1) and total (ST) Sobol indices of {label}{of}, with 95% bootstrap intervals, on replicate means.{noise}"),
                &rows,
                &[("S1", "S1", 0), ("ST", "ST", 1)],
            )),
            "morris" => {
                let series = rows
                    .iter()
                    .filter(|e| e.index == "mu_star")
                    .enumerate()
                    .map(|(i, e)| {
                        let sigma = rows
                            .iter()
                            .find(|x| x.index == "sigma" && x.parameter == e.parameter)
                            .map_or(f64::NAN, |x| x.estimate);
                        Series {
                            label: param_label(manifest, &e.parameter),
                            colour: i,
                            points: vec![Band { x: e.estimate, mean: sigma, lo: sigma, hi: sigma }],
                        }
                    })
                    .collect();
                out.push(Figure {
                    name: format!("morris_{}{suffix}", slug(&metric)),
                    kind: Kind::Sensitivity,
                    metric: metric.clone(),
                    caption: format!("Morris screening of {label}{of}: mean absolute elementary effect μ* against their spread σ, one marker per parameter (far right: influential; high: nonlinear or interacting).{noise}"),
                    chart: Chart::Lines(LineChart {
                        title: format!("Morris μ*–σ of {label}{of}"),
                        x_label: "μ* (mean |elementary effect|)".into(),
                        y_label: "σ (sd of elementary effects)".into(),
                        legend_title: "parameter".into(),
                        series,
                        style: Style::ErrorBars,
                        note: String::new(),
                        panels: Vec::new(),
                    }),
                    rows: 0,
                    panel_rows: 0,
                });
                out.extend(index_forest(
                manifest,
                    format!("morris_mustar_{}{suffix}", slug(&metric)),
                    &metric,
                    format!("Morris μ* of {label}{of}"),
                    format!("Morris μ* of {label}{of} with 95% bootstrap intervals."),
                    &rows,
                    &[("mu_star", "μ*", 0)],
                ));
            }
            _ => out.extend(index_forest(
                manifest,
                format!("regression_{}{suffix}", slug(&metric)),
                &metric,
                format!("Regression and rank coefficients of {label}{of}"),
                format!("Standardised regression coefficients (SRC) and Spearman rank correlations of {label}{of} with each parameter, with 95% bootstrap intervals.{noise}"),
                &rows,
                &[("src", "SRC", 0), ("spearman", "Spearman", 1)],
            )),
        }
    }
    out
}
