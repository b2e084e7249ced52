//! The figures of a design run, from its sensitivity analysis: never one row per design point.
//! - `sobol_<metric>[_<option>]`: each parameter's first-order and total index with its 95%
//!   bootstrap interval (and the seeds' share of the variance, when there are replicates);
//! - `morris_<metric>[_<option>]`: the μ*–σ plane (Morris 1991; Campolongo et al. 2007), one marker
//!   per parameter, and `morris_mustar_<metric>[_<option>]`: μ* with its bootstrap interval;
//! - `regression_<metric>[_<option>]` (lhs, random): standardised regression and Spearman rank
//!   coefficients with their bootstrap intervals.

use super::figures::{Chart, Figure, Kind, slug};
use super::labels::param_label;
use super::lines::{Band, LineChart, Series, Style};
use super::rows::{Forest, ForestRow};
use crate::analysis::sensitivity::{Estimate, SEEDS, Sensitivity, groups};
use crate::output::manifest::Manifest;

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
    let mut out = Vec::new();
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
