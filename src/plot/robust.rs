//! The figures of a robustness analysis ([`crate::analysis::robustness`]):
//! - `regret_<metric>`: each option's regret over the design points (the distribution chart of
//!   [`super::rows`]: points, quartile box, median);
//! - `winner_map_<metric>`: every design point placed by the two uncertain parameters that move
//!   regret most ([`crate::analysis::robustness::influence`]), coloured by the option best there;
//!   the other parameters vary too, so the map shows tendencies, not clean borders;
//! - `prim_tradeoff_<n>`: a case's peeling trajectory, coverage against density (the chosen box
//!   marked), and `prim_box_<n>`: the chosen box's limits on each restricted parameter, as a share
//!   of its range.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::figures::{Chart, Figure, Kind, slug};
use super::kit::{DrawResult, draw_legend, err, house_mesh, legend_height, padded_range, titled};
use super::lines::{Band, LineChart, Series, Style};
use super::rows::{Distribution, DistributionRow, Forest, ForestRow};
use super::theme::{self, MUTED, Theme};
use crate::analysis::prim::{Kind as FactorKind, Limit};
use crate::analysis::robustness::{Analysis, Factors};

/// Design points on two parameters, coloured by the option best at each.
#[derive(Debug, Clone, PartialEq)]
pub struct WinnerMap {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// (x, y, option index) per design point.
    pub points: Vec<(f64, f64, usize)>,
    pub options: Vec<String>,
    /// Category names along an axis that is categorical (drawn at 0, 1, …).
    pub x_categories: Vec<String>,
    pub y_categories: Vec<String>,
    pub note: String,
}

fn label(model: &str, name: &str) -> String {
    crate::models::find(model)
        .and_then(|m| crate::scenario::find_param(m, name).ok())
        .map_or_else(|| name.to_string(), |s| s.label())
}

fn categories(factors: &Factors, f: usize) -> Vec<String> {
    match &factors.kinds[f] {
        FactorKind::Categorical(names) => names.clone(),
        _ => Vec::new(),
    }
}

/// Every figure of the analysis.
pub fn figures(a: &Analysis) -> Vec<Figure> {
    let r = &a.robustness;
    let metric = &r.config.metric;
    let label_m = r.metric.label();
    let mut out = Vec::new();
    let rows: Vec<DistributionRow> = r
        .options
        .iter()
        .enumerate()
        .map(|(o, x)| DistributionRow {
            label: x.option.clone(),
            colour: o,
            values: r.regret[o].clone(),
        })
        .collect();
    let n = rows.len();
    out.push(Figure {
        name: format!("regret_{}", slug(metric)),
        kind: Kind::Robust,
        metric: metric.clone(),
        caption: format!(
            "Regret of each option on {label_m} across the {} design points: the best option's replicate mean minus this option's at each point (0 where it is best). Lower and tighter is more robust.",
            r.points
        ),
        chart: Chart::Distribution(Distribution {
            title: format!("Regret on {label_m}, over the design"),
            x_label: format!("regret ({})", r.metric.unit),
            rows,
            note: format!("{} replicates per point, common random numbers", r.replicates),
        }),
        rows: n,
        panel_rows: 0,
    });
    if r.influence.len() >= 2 {
        let (fx, fy) = (r.influence[0].0, r.influence[1].0);
        let points = (0..r.points)
            .map(|j| {
                (
                    r.factors.columns[fx][j],
                    r.factors.columns[fy][j],
                    r.best[j],
                )
            })
            .collect();
        out.push(Figure {
            name: format!("winner_map_{}", slug(metric)),
            kind: Kind::Robust,
            metric: metric.clone(),
            caption: format!(
                "Which option is best on {label_m} at each design point, over the two uncertain parameters that move regret most ({} and {}: largest sum over options of the squared rank correlation with regret). The other parameters vary too.",
                r.factors.names[fx], r.factors.names[fy]
            ),
            chart: Chart::WinnerMap(WinnerMap {
                title: format!("Best option on {label_m}"),
                x_label: label(&a.model, &r.factors.names[fx]),
                y_label: label(&a.model, &r.factors.names[fy]),
                points,
                options: r.options.iter().map(|o| o.option.clone()).collect(),
                x_categories: categories(&r.factors, fx),
                y_categories: categories(&r.factors, fy),
                note: "one marker per design point".into(),
            }),
            rows: 0,
            panel_rows: 0,
        });
    }
    for (i, d) in a.discoveries.iter().enumerate() {
        let Some(b) = d.boxes.first() else { continue };
        let series = vec![
            Series {
                label: "trajectory".into(),
                colour: 0,
                points: b
                    .trajectory
                    .iter()
                    .map(|s| Band {
                        x: s.coverage,
                        mean: s.density,
                        lo: s.density,
                        hi: s.density,
                    })
                    .collect(),
            },
            Series {
                label: "chosen box".into(),
                colour: 1,
                points: vec![Band {
                    x: b.chosen().coverage,
                    mean: b.chosen().density,
                    lo: b.chosen().density,
                    hi: b.chosen().density,
                }],
            },
        ];
        out.push(Figure {
            name: format!("prim_tradeoff_{}", i + 1),
            kind: Kind::Robust,
            metric: metric.clone(),
            caption: format!(
                "PRIM's peeling trajectory for the case {}: each step trades coverage (share of all matching points inside the box) for density (share of the box's points that match).",
                d.case
            ),
            chart: Chart::Lines(LineChart {
                title: format!("Coverage and density: {}", d.case),
                x_label: "coverage".into(),
                y_label: "density".into(),
                legend_title: String::new(),
                series,
                style: Style::ErrorBars,
                note: format!("{} of {} points match", d.cases, d.points),
                panels: Vec::new(),
            }),
            rows: 0,
            panel_rows: 0,
        });
        let step = b.chosen();
        let rows: Vec<ForestRow> = step
            .restricted
            .iter()
            .filter_map(|&c| {
                let (lo, hi) = match &step.limits[c] {
                    Limit::Range(lo, hi) => (*lo, *hi),
                    Limit::Categories(_) => return None,
                };
                let col = &d.data.columns[c];
                let (min, max) = col
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                        (a.min(x), b.max(x))
                    });
                let share = |x: f64| (x - min) / (max - min).max(f64::MIN_POSITIVE);
                Some(ForestRow {
                    label: label(&a.model, &d.data.names[c]),
                    colour: 0,
                    diff: (share(lo) + share(hi)) / 2.0,
                    lo: share(lo),
                    hi: share(hi),
                })
            })
            .collect();
        if !rows.is_empty() {
            let n = rows.len();
            out.push(Figure {
                name: format!("prim_box_{}", i + 1),
                kind: Kind::Robust,
                metric: metric.clone(),
                caption: format!(
                    "The box PRIM found for the case {}: on each restricted parameter, the part of its range inside the box (0 = lowest value in the design, 1 = highest). Coverage {:.0}%, density {:.0}%.",
                    d.case,
                    100.0 * step.coverage,
                    100.0 * step.density
                ),
                chart: Chart::Forest(Forest {
                    title: format!("PRIM box: {}", d.case),
                    x_label: "share of the parameter's range".into(),
                    rows,
                    note: String::new(),
                }),
                rows: n,
                panel_rows: 0,
            });
        }
    }
    out
}

/// Draws a [`WinnerMap`]: a scatter with the options in the legend.
pub fn draw_winner_map<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    map: &WinnerMap,
    theme: Theme,
) -> DrawResult {
    let body = titled(root, &map.title, theme)?;
    let (body, note) = body.split_vertically(body.dim_in_pixel().1 - theme.px(11.0));
    note.draw(&Text::new(
        map.note.clone(),
        (theme.px(6.0) as i32, theme.px(2.0) as i32),
        theme.note().color(&MUTED),
    ))
    .map_err(err)?;
    let entries: Vec<(String, usize)> = map
        .options
        .iter()
        .enumerate()
        .filter(|(o, _)| map.points.iter().any(|p| p.2 == *o))
        .map(|(o, name)| (name.clone(), o))
        .collect();
    let legend_px = legend_height("best option", &entries, body.dim_in_pixel().0, theme);
    let (plot, legend) = body.split_vertically(body.dim_in_pixel().1 - legend_px);
    draw_legend(&legend, "best option", &entries, theme)?;
    let x = padded_range(map.points.iter().map(|p| p.0));
    let y = padded_range(map.points.iter().map(|p| p.1));
    let mut chart = ChartBuilder::on(&plot)
        .margin_left(theme.px(3.0))
        .margin_top(theme.px(3.0))
        .margin_right(theme.px(8.0))
        .x_label_area_size(theme.px(22.0))
        .y_label_area_size(theme.px(30.0))
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
        .map_err(err)?;
    let (xc, yc) = (map.x_categories.clone(), map.y_categories.clone());
    let x_fmt = move |v: &f64| {
        if xc.is_empty() {
            super::kit::tick(*v)
        } else {
            category_tick(&xc, *v)
        }
    };
    let y_fmt = move |v: &f64| {
        if yc.is_empty() {
            super::kit::tick(*v)
        } else {
            category_tick(&yc, *v)
        }
    };
    house_mesh(&mut chart.configure_mesh(), theme)
        .x_desc(map.x_label.clone())
        .y_desc(map.y_label.clone())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()
        .map_err(err)?;
    let radius = theme.px(2.2) as i32;
    chart
        .draw_series(
            map.points
                .iter()
                .map(|&(px, py, o)| Circle::new((px, py), radius, theme::colour(o).filled())),
        )
        .map_err(err)?;
    root.present().map_err(err)
}

fn category_tick(names: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < names.len() {
        names[i as usize].clone()
    } else {
        String::new()
    }
}
