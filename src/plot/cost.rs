//! Value against cost (MODEL.md §9.5): for a run whose model reports a `cost` metric, each
//! option's gain on the lead metric over the baseline (the paired difference with its 95%
//! interval; the baseline at 0) against its cost (mean over replicates with its 95% interval),
//! one labelled point per option: `value_cost_<metric>`.
//!
//! With options compared at several settings of a sweep, every (option, setting) is a point only
//! while that stays readable ([`MAX_POINTS`]); beyond it the figure is left out, and the forest
//! plots and the answer carry the comparison.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figures::{Chart, Figure, Kind, slug};
use super::kit::{
    DrawResult, draw_note, err, fit, fit_title, house_mesh, padded_range, tick, titled,
};
use super::labels::{self, metric_axis, metric_label};
use super::theme::{self, Theme};
use crate::analysis::compare::{self, Comparison, Row};
use crate::analysis::saved::Saved;

/// The metric a model reports its spend in, by convention (datateam: cumulative spend in £k).
pub const COST: &str = "cost";
/// The value of the lead metric per unit of cost, where the model reports it.
pub const VALUE_PER_COST: &str = "value_per_cost";

/// More points than this (options × settings) would not stay readable as labelled points.
pub const MAX_POINTS: usize = 8;

/// A mean, or a paired difference, with its 95% interval (NaN bounds: no interval).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

/// One option (at one setting) on the value–cost plane.
#[derive(Debug, Clone, PartialEq)]
pub struct CostPoint {
    pub label: String,
    pub colour: usize,
    pub is_baseline: bool,
    /// Paired difference from the baseline on the lead metric (0, no interval, for the baseline).
    pub value: Estimate,
    /// Mean cost over the replicates.
    pub cost: Estimate,
    /// Mean value per cost over the replicates, where the model reports it.
    pub value_per_cost: Option<Estimate>,
}

/// The chart: labelled points with horizontal (cost) and vertical (value) 95% intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueCost {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub points: Vec<CostPoint>,
    pub note: String,
}

fn estimate_of_mean(r: &Row) -> Estimate {
    Estimate {
        mean: r.stats.mean,
        lo: r.stats.ci_low,
        hi: r.stats.ci_high,
    }
}

fn estimate_of_difference(r: &Row) -> Estimate {
    if r.is_baseline {
        Estimate {
            mean: 0.0,
            lo: f64::NAN,
            hi: f64::NAN,
        }
    } else {
        Estimate {
            mean: r.stats.diff,
            lo: r.stats.diff_low,
            hi: r.stats.diff_high,
        }
    }
}

/// The points of the value–cost plane on `metric`, in the comparison's order (ranked on the
/// metric); `None` when the run has no options, no cost metric, or too many points to read.
pub fn points(
    saved: &Saved,
    comparison: &Comparison,
    metric: &str,
) -> anyhow::Result<Option<Vec<CostPoint>>> {
    let manifest = &saved.manifest;
    if !comparison.of_options
        || !comparison.is_ranking()
        || manifest.metric(COST).is_none()
        || metric == COST
        || metric == VALUE_PER_COST
    {
        return Ok(None);
    }
    let value_rows: Vec<&Row> = comparison
        .rows
        .iter()
        .filter(|r| r.metric == metric)
        .collect();
    if value_rows.len() < 2 || value_rows.len() > MAX_POINTS {
        return Ok(None);
    }
    let Some(baseline) = value_rows.first().map(|r| r.baseline.clone()) else {
        return Ok(None);
    };
    let asked: Vec<String> = [COST, VALUE_PER_COST]
        .iter()
        .filter(|n| manifest.metric(n).is_some())
        .map(|n| n.to_string())
        .collect();
    let costs = compare::compare(saved, &asked, Some(&baseline))?;
    let find = |name: &str, point: usize| {
        costs
            .rows
            .iter()
            .find(|r| r.metric == name && r.point_id == point)
    };
    let several_settings = value_rows
        .iter()
        .any(|r| r.setting != value_rows[0].setting);
    let mut out = Vec::new();
    for r in value_rows {
        let Some(cost) = find(COST, r.point_id) else {
            return Ok(None);
        };
        let option = manifest.points[r.point_id].option.as_deref().unwrap_or("");
        out.push(CostPoint {
            label: if several_settings {
                format!(
                    "{} @ {}",
                    r.label,
                    labels::humanise_setting(manifest, &r.setting)
                )
            } else {
                r.label.clone()
            },
            colour: manifest
                .options
                .iter()
                .position(|o| o.name == option)
                .unwrap_or(0),
            is_baseline: r.is_baseline,
            value: estimate_of_difference(r),
            cost: estimate_of_mean(cost),
            value_per_cost: find(VALUE_PER_COST, r.point_id).map(estimate_of_mean),
        });
    }
    Ok(Some(out))
}

/// `value_cost_<metric>` for the first chosen metric that is not itself a cost.
pub fn value_cost_figure(
    saved: &Saved,
    comparison: &Comparison,
    chosen: &[String],
) -> anyhow::Result<Option<Figure>> {
    let Some(metric) = chosen
        .iter()
        .find(|m| m.as_str() != COST && m.as_str() != VALUE_PER_COST)
    else {
        return Ok(None);
    };
    let Some(points) = points(saved, comparison, metric)? else {
        return Ok(None);
    };
    let manifest = &saved.manifest;
    let label = metric_label(manifest, metric);
    let cost_label = metric_label(manifest, COST);
    let base = points
        .iter()
        .find(|p| p.is_baseline)
        .map(|p| p.label.clone())
        .unwrap_or_default();
    let pairs = comparison
        .rows
        .iter()
        .find(|r| r.metric == *metric)
        .map_or(0, |r| r.n_complete);
    Ok(Some(Figure {
        name: format!("value_cost_{}", slug(metric)),
        kind: Kind::ValueCost,
        metric: metric.clone(),
        caption: format!(
            "{label} gained over the baseline \"{base}\" (paired difference over {pairs} common-random-number replicates, with its 95% interval) against {} (mean over the replicates, with its 95% interval), one point per option; up and to the left is more value for less money.",
            cost_label.to_lowercase()
        ),
        chart: Chart::ValueCost(ValueCost {
            title: format!("{label} against {}", cost_label.to_lowercase()),
            x_label: metric_axis(manifest, COST),
            y_label: format!("Δ {}", metric_axis(manifest, metric)),
            points,
            note: format!("Δ: paired difference from \"{base}\" (hollow, at 0); bars: 95% CI."),
        }),
        rows: 0,
        panel_rows: 0,
    }))
}

/// Draws a [`ValueCost`] chart: each point with its two intervals and its label beside it, on
/// the side with room (right, else left), moved down when it would cover a label already placed.
pub fn draw_value_cost<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &ValueCost,
    theme: Theme,
) -> DrawResult {
    let body = titled(root, &chart.title, theme)?;
    let (plot, note) = body.split_vertically(body.dim_in_pixel().1 - theme.px(11.0));
    draw_note(&note, &chart.note, theme)?;
    let finite = |v: f64| v.is_finite().then_some(v);
    let x = padded_range(
        chart
            .points
            .iter()
            .flat_map(|p| [p.cost.mean, p.cost.lo, p.cost.hi])
            .filter_map(finite),
    );
    let y = padded_range(
        chart
            .points
            .iter()
            .flat_map(|p| [p.value.mean, p.value.lo, p.value.hi, 0.0])
            .filter_map(finite),
    );
    let x_area = theme.px(22.0);
    let y_area = theme.px(36.0);
    let mut c = ChartBuilder::on(&plot)
        .margin_left(theme.px(3.0))
        .margin_right(theme.px(8.0))
        .margin_top(theme.px(3.0))
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
        .map_err(err)?;
    let (w, h) = plot.dim_in_pixel();
    let font = theme.label();
    house_mesh(&mut c.configure_mesh(), theme)
        .x_labels(5)
        .y_labels(6)
        .y_label_formatter(&|v| tick(*v))
        .x_desc(fit_title(
            &chart.x_label,
            &font,
            w.saturating_sub(y_area + theme.px(14.0)),
        ))
        .y_desc(fit_title(
            &chart.y_label,
            &font,
            h.saturating_sub(x_area + theme.px(6.0)),
        ))
        .draw()
        .map_err(err)?;
    // No difference from the baseline.
    c.draw_series(std::iter::once(PathElement::new(
        vec![(x.0, 0.0), (x.1, 0.0)],
        theme::MUTED.stroke_width(theme.px(0.7)),
    )))
    .map_err(err)?;
    for p in &chart.points {
        let colour = theme::colour(p.colour);
        if p.cost.lo.is_finite() && p.cost.hi.is_finite() {
            c.draw_series(std::iter::once(ErrorBar::new_horizontal(
                p.value.mean,
                p.cost.lo,
                p.cost.mean,
                p.cost.hi,
                colour.stroke_width(theme.px(0.9)),
                theme.px(3.0),
            )))
            .map_err(err)?;
        }
        if p.value.lo.is_finite() && p.value.hi.is_finite() {
            c.draw_series(std::iter::once(ErrorBar::new_vertical(
                p.cost.mean,
                p.value.lo,
                p.value.mean,
                p.value.hi,
                colour.stroke_width(theme.px(0.9)),
                theme.px(3.0),
            )))
            .map_err(err)?;
        }
        let marker = if p.is_baseline {
            colour.stroke_width(theme.px(0.9))
        } else {
            colour.filled()
        };
        c.draw_series(std::iter::once(Circle::new(
            (p.cost.mean, p.value.mean),
            theme.px(2.4),
            marker,
        )))
        .map_err(err)?;
    }
    // Labels go on the whole canvas (pixel coordinates), inside the plotting area.
    let (px_range, py_range) = c.plotting_area().get_pixel_range();
    let (left, right) = (px_range.start, px_range.end);
    let (top, bottom) = (py_range.start, py_range.end);
    let label_font = theme.tick();
    let gap = theme.px(4.0) as i32;
    let line = theme.px(8.5) as i32;
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    for p in &chart.points {
        let (cx, cy) = c.backend_coord(&(p.cost.mean, p.value.mean));
        let room_right = (right - cx - gap).max(0) as u32;
        let room_left = (cx - left - gap).max(0) as u32;
        let (text, on_right) = {
            let whole = label_font
                .box_size(&p.label)
                .map(|(w, _)| w)
                .unwrap_or(u32::MAX);
            if whole <= room_right || room_right >= room_left {
                (fit(&p.label, &label_font, room_right), true)
            } else {
                (fit(&p.label, &label_font, room_left), false)
            }
        };
        if text.is_empty() {
            continue;
        }
        let width = label_font.box_size(&text).map_or(0, |(w, _)| w as i32);
        let x0 = if on_right { cx + gap } else { cx - gap - width };
        // Above the point, moved down a line at a time past labels already placed.
        let mut y0 = (cy - line).clamp(top, (bottom - line).max(top));
        for _ in 0..chart.points.len() {
            let clash = placed
                .iter()
                .any(|&(l, t, r, b)| x0 < r && x0 + width > l && y0 < b && y0 + line > t);
            if !clash {
                break;
            }
            y0 = (y0 + line).min((bottom - line).max(top));
        }
        placed.push((x0, y0, x0 + width, y0 + line));
        root.draw(&Text::new(
            text,
            (x0, y0),
            label_font
                .color(&theme::INK)
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(err)?;
    }
    root.present().map_err(err)
}
