//! Line charts with 95% intervals: metric time series (bands) and the response of a metric to a
//! swept parameter (points with error bars); small multiples when there are too many lines for one
//! panel.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::kit::{
    DrawResult, draw_legend, draw_note, draw_y_title, err, fit, fit_title, house_mesh,
    legend_height, padded_range, tick, titled,
};
use super::theme::{self, INK, Theme};

/// The mean of a metric and its 95% interval at one x.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub x: f64,
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    /// Palette index, so an option keeps its colour in every figure.
    pub colour: usize,
    pub points: Vec<Band>,
}

/// How the interval is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    /// A shaded band around a line (many x values: time series).
    Band,
    /// Markers with error bars joined by a line (few x values: parameter responses).
    ErrorBars,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub legend_title: String,
    pub series: Vec<Series>,
    pub style: Style,
    pub note: String,
    /// Small multiples: each panel's title and the indices of its series; empty = one panel.
    pub panels: Vec<(String, Vec<usize>)>,
}

/// Above this many lines, a figure uses small multiples.
pub const MAX_LINES_PER_PANEL: usize = 6;

fn y_range(series: &[Series]) -> (f64, f64) {
    let values = series.iter().flat_map(|s| {
        s.points
            .iter()
            .flat_map(|b| [b.mean, b.lo, b.hi])
            .filter(|v| v.is_finite())
    });
    padded_range(values)
}

fn x_range(series: &[Series]) -> (f64, f64) {
    let xs: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|b| b.x))
        .filter(|x| x.is_finite())
        .collect();
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        let pad = (hi - lo) * 0.03;
        (lo - pad, hi + pad)
    }
}

/// The grid for `n` small multiples: (rows, columns).
pub fn grid(n: usize) -> (usize, usize) {
    let cols = match n {
        0..=1 => 1,
        2..=4 => 2,
        5..=9 => 3,
        _ => 4,
    };
    (n.div_ceil(cols), cols)
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
    theme: Theme,
) -> DrawResult {
    let body = titled(root, &chart.title, theme)?;
    let (body, note_area) = if chart.note.is_empty() {
        (body.clone(), None)
    } else {
        let (b, n) = body.split_vertically(body.dim_in_pixel().1 - theme.px(11.0));
        (b, Some(n))
    };
    if let Some(n) = note_area {
        draw_note(&n, &chart.note, theme)?;
    }
    let y = y_range(&chart.series);
    // One legend entry per distinct (label, colour), in order of first appearance.
    let mut entries: Vec<(String, usize)> = Vec::new();
    for s in &chart.series {
        if !s.label.is_empty() && !entries.iter().any(|(l, c)| *l == s.label && *c == s.colour) {
            entries.push((s.label.clone(), s.colour));
        }
    }
    let legend_px = if entries.len() > 1 {
        legend_height(&chart.legend_title, &entries, body.dim_in_pixel().0, theme)
    } else {
        0
    };
    let (plot, legend) = body.split_vertically(body.dim_in_pixel().1 - legend_px);
    if legend_px > 0 {
        draw_legend(&legend, &chart.legend_title, &entries, theme)?;
    }
    if chart.panels.is_empty() {
        panel(&plot, chart, &chart.series, y, theme, true)?;
        return root.present().map_err(err);
    }
    // Small multiples: shared axes, so the axis titles are drawn once for the whole grid.
    let (rest, x_title) = plot.split_vertically(plot.dim_in_pixel().1 - theme.px(13.0));
    let (y_title, grid_area) = rest.split_horizontally(theme.px(13.0));
    let label = theme.label().color(&INK);
    let (w, h) = x_title.dim_in_pixel();
    x_title
        .draw(&Text::new(
            fit_title(
                &chart.x_label,
                &theme.label(),
                w.saturating_sub(theme.px(12.0)),
            ),
            (w as i32 / 2, h as i32 / 2),
            label.pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(err)?;
    draw_y_title(&y_title, &chart.y_label, theme)?;
    let (rows, cols) = grid(chart.panels.len());
    let head_font = theme.note();
    for (area, (title, members)) in grid_area
        .split_evenly((rows, cols))
        .iter()
        .zip(&chart.panels)
    {
        let (head, rest) = area.split_vertically(theme.px(10.0));
        let room = head.dim_in_pixel().0.saturating_sub(theme.px(30.0));
        head.draw(&Text::new(
            fit(title, &head_font, room),
            (theme.px(26.0) as i32, theme.px(2.0) as i32),
            head_font.color(&INK),
        ))
        .map_err(err)?;
        let series: Vec<Series> = members.iter().map(|&i| chart.series[i].clone()).collect();
        panel(&rest, chart, &series, y, theme, false)?;
    }
    root.present().map_err(err)
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &LineChart,
    series: &[Series],
    y: (f64, f64),
    theme: Theme,
    axis_titles: bool,
) -> DrawResult {
    let x = x_range(&chart.series);
    let x_area = theme.px(if axis_titles { 22.0 } else { 11.0 });
    let y_area = theme.px(if axis_titles { 36.0 } else { 22.0 });
    let mut c = ChartBuilder::on(area)
        .margin_left(theme.px(3.0))
        .margin_right(theme.px(8.0))
        .margin_top(theme.px(3.0))
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
        .map_err(err)?;
    let mut mesh = c.configure_mesh();
    let ticks = if axis_titles { 6 } else { 4 };
    house_mesh(&mut mesh, theme)
        .x_labels(ticks)
        .y_labels(ticks)
        .y_label_formatter(&|v| tick(*v));
    if axis_titles {
        // plotters centres each title on the plotting area: fit it to that area's width and height.
        let (w, h) = area.dim_in_pixel();
        let font = theme.label();
        mesh.x_desc(fit_title(
            &chart.x_label,
            &font,
            w.saturating_sub(y_area + theme.px(14.0)),
        ))
        .y_desc(fit_title(
            &chart.y_label,
            &font,
            h.saturating_sub(x_area + theme.px(6.0)),
        ));
    }
    mesh.draw().map_err(err)?;
    for s in series {
        let colour = theme::colour(s.colour);
        let with_interval: Vec<&Band> = s
            .points
            .iter()
            .filter(|b| b.lo.is_finite() && b.hi.is_finite())
            .collect();
        match chart.style {
            Style::Band => {
                if with_interval.len() >= 2 {
                    let outline: Vec<(f64, f64)> = with_interval
                        .iter()
                        .map(|b| (b.x, b.hi))
                        .chain(with_interval.iter().rev().map(|b| (b.x, b.lo)))
                        .collect();
                    c.draw_series(std::iter::once(Polygon::new(
                        outline,
                        colour.mix(0.2).filled(),
                    )))
                    .map_err(err)?;
                }
            }
            Style::ErrorBars => {
                c.draw_series(with_interval.iter().map(|b| {
                    ErrorBar::new_vertical(
                        b.x,
                        b.lo,
                        b.mean,
                        b.hi,
                        colour.stroke_width(theme.px(0.8)),
                        theme.px(4.0),
                    )
                }))
                .map_err(err)?;
            }
        }
        let line: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|b| b.mean.is_finite())
            .map(|b| (b.x, b.mean))
            .collect();
        c.draw_series(LineSeries::new(
            line.clone(),
            colour.stroke_width(theme.line()),
        ))
        .map_err(err)?;
        if chart.style == Style::ErrorBars {
            c.draw_series(
                line.iter()
                    .map(|&p| Circle::new(p, theme.px(1.8), colour.filled())),
            )
            .map_err(err)?;
        }
    }
    Ok(())
}
