//! Small multiples of one output against each input of a design: a panel per input, one marker
//! per design point (its replicate mean), optionally faint markers for single runs, colours for
//! options. Inputs on a log scale get a log axis (ticks at 1, 2, 5 × 10^k), lists of choices
//! jittered columns named by the choices.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::kit::{
    DrawResult, draw_legend, draw_note, draw_y_title, err, fit, fit_title, legend_height,
    padded_range, tick, titled,
};
use super::lines::grid;
use super::theme::{self, INK, Theme};

/// How a panel's x axis reads its values.
#[derive(Debug, Clone, PartialEq)]
pub enum XAxis {
    Linear,
    /// Values above 0, drawn on a log axis.
    Log,
    /// Choice k is drawn at x = k (jittered around it), labelled by its name.
    Categories(Vec<String>),
}

/// One input's panel.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterPanel {
    /// The input's label, with its unit.
    pub title: String,
    pub axis: XAxis,
    /// (x, replicate mean, palette index) per design point.
    pub means: Vec<(f64, f64, usize)>,
    /// (x, one run's value, palette index), drawn faint under the means; may be empty.
    pub runs: Vec<(f64, f64, usize)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scatter {
    pub title: String,
    pub y_label: String,
    pub legend_title: String,
    /// (label, palette index); no legend for fewer than two.
    pub legend: Vec<(String, usize)>,
    pub panels: Vec<ScatterPanel>,
    pub note: String,
}

/// Ticks of a log axis over [lo, hi] (lo > 0): 1, 2, 5 × 10^k inside it, thinned to powers of 10
/// when there are many, and the two ends when there would be fewer than two.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let nice = |mantissas: &[f64]| -> Vec<f64> {
        let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
        (a..=b)
            .flat_map(|k| mantissas.iter().map(move |m| m * 10f64.powi(k)))
            .filter(|v| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9))
            .collect()
    };
    let ticks = nice(&[1.0, 2.0, 5.0]);
    if ticks.len() > 5 {
        let decades = nice(&[1.0]);
        if decades.len() >= 2 {
            // Every decade, or every other (third…) one across many decades.
            let step = decades.len().div_ceil(5);
            return decades.into_iter().step_by(step).collect();
        }
    }
    if ticks.len() >= 2 {
        ticks
    } else {
        vec![lo, hi]
    }
}

/// A log tick's label: the value with at most three significant digits.
fn log_label(v: f64) -> String {
    let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The width in pixels of one of `c` category columns of a panel drawn in `area`.
fn column<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: f64, theme: Theme) -> u32 {
    (area.dim_in_pixel().0.saturating_sub(theme.px(33.0)) as f64 / c) as u32
}

/// Whether category names must be staggered on two lines: some name is wider than its column.
fn staggered(names: &[String], column: u32, theme: Theme) -> bool {
    let font = theme.tick();
    names.iter().any(|n| {
        font.box_size(n)
            .map(|(w, _)| w + theme.px(4.0) > column)
            .unwrap_or(false)
    })
}

/// A linear axis whose ticks are given (plotters' own `WithKeyPoints` has no tick formatter).
struct Ticked {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        RangedCoordf64::from(self.range.clone()).map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Scatter,
    theme: Theme,
) -> DrawResult {
    let body = titled(root, &chart.title, theme)?;
    let (body, note) = body.split_vertically(body.dim_in_pixel().1 - theme.px(11.0));
    draw_note(&note, &chart.note, theme)?;
    let legend_px = if chart.legend.len() > 1 {
        legend_height(
            &chart.legend_title,
            &chart.legend,
            body.dim_in_pixel().0,
            theme,
        )
    } else {
        0
    };
    let (plot, legend) = body.split_vertically(body.dim_in_pixel().1 - legend_px);
    if legend_px > 0 {
        draw_legend(&legend, &chart.legend_title, &chart.legend, theme)?;
    }
    // One output, so one y axis title for the whole grid, and one y range shared by every panel.
    let (y_title, grid_area) = plot.split_horizontally(theme.px(13.0));
    draw_y_title(&y_title, &chart.y_label, theme)?;
    let y = padded_range(
        chart
            .panels
            .iter()
            .flat_map(|p| p.means.iter().chain(&p.runs).map(|&(_, y, _)| y))
            .filter(|y| y.is_finite()),
    );
    let (rows, cols) = grid(chart.panels.len());
    for (area, p) in grid_area
        .split_evenly((rows, cols))
        .iter()
        .zip(&chart.panels)
    {
        panel(area, p, y, theme)?;
    }
    root.present().map_err(err)
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &ScatterPanel,
    y: (f64, f64),
    theme: Theme,
) -> DrawResult {
    let (head, rest) = area.split_vertically(theme.px(11.0));
    let room = head.dim_in_pixel().0.saturating_sub(theme.px(30.0));
    head.draw(&Text::new(
        fit_title(&p.title, &theme.note(), room),
        (theme.px(26.0) as i32, theme.px(2.0) as i32),
        theme.note().color(&INK),
    ))
    .map_err(err)?;
    let to_x = |x: f64| match p.axis {
        XAxis::Log => x.log10(),
        _ => x,
    };
    let xs = p
        .means
        .iter()
        .chain(&p.runs)
        .map(|&(x, _, _)| x)
        .filter(|x| x.is_finite());
    let (x0, x1, ticks, labels): (f64, f64, Vec<f64>, Vec<String>) = match &p.axis {
        XAxis::Categories(names) => {
            let c = names.len().max(1) as f64;
            let ticks: Vec<f64> = (0..names.len()).map(|k| k as f64).collect();
            // Names that fit their column go under it; otherwise they are staggered on two lines
            // below (drawn after the mesh), each with two columns' width.
            let labels = if staggered(names, column(&rest, c, theme), theme) {
                vec![String::new(); names.len()]
            } else {
                names.clone()
            };
            (-0.5, c - 0.5, ticks, labels)
        }
        XAxis::Log => {
            let (lo, hi) = xs
                .filter(|x| *x > 0.0)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                    (a.min(x), b.max(x))
                });
            let (lo, hi) = if lo.is_finite() {
                (lo, hi)
            } else {
                (1.0, 10.0)
            };
            let ticks = log_ticks(lo, hi);
            let labels = ticks.iter().map(|&t| log_label(t)).collect();
            let (a, b) = padded_range([lo.log10(), hi.log10()].into_iter());
            (a, b, ticks.iter().map(|t| t.log10()).collect(), labels)
        }
        XAxis::Linear => {
            let (a, b) = padded_range(xs);
            let ticks: Vec<f64> = RangedCoordf64::from(a..b).key_points(4usize);
            let labels = ticks.iter().map(|&t| tick(t)).collect();
            (a, b, ticks, labels)
        }
    };
    let stagger = match &p.axis {
        XAxis::Categories(names) => staggered(
            names,
            column(&rest, names.len().max(1) as f64, theme),
            theme,
        ),
        _ => false,
    };
    let mut c = ChartBuilder::on(&rest)
        .margin_left(theme.px(3.0))
        .margin_right(theme.px(8.0))
        .margin_top(theme.px(2.0))
        .x_label_area_size(theme.px(if stagger { 19.0 } else { 11.0 }))
        .y_label_area_size(theme.px(22.0))
        .build_cartesian_2d(
            Ticked {
                range: x0..x1,
                ticks: ticks.clone(),
            },
            y.0..y.1,
        )
        .map_err(err)?;
    let label_of = |v: &f64| {
        ticks
            .iter()
            .position(|t| (t - v).abs() <= 1e-9 * (1.0 + t.abs()))
            .map(|i| labels[i].clone())
            .unwrap_or_default()
    };
    c.configure_mesh()
        .max_light_lines(0)
        .bold_line_style(theme::GRID.stroke_width(theme.px(0.4)))
        .axis_style(INK.stroke_width(theme.px(0.6)))
        .label_style(theme.tick().color(&INK))
        .set_all_tick_mark_size(theme.px(2.5) as i32)
        .y_labels(4)
        .x_label_formatter(&label_of)
        .y_label_formatter(&|v| tick(*v))
        .draw()
        .map_err(err)?;
    if let (true, XAxis::Categories(names)) = (stagger, &p.axis) {
        let base = rest.get_base_pixel();
        let room = 2 * column(&rest, names.len() as f64, theme) - theme.px(4.0);
        for (k, name) in names.iter().enumerate() {
            let at = c.backend_coord(&(k as f64, y.0));
            let line = (k % 2) as i32 * theme.px(8.0) as i32;
            rest.draw(&Text::new(
                fit(name, &theme.tick(), room),
                (at.0 - base.0, at.1 - base.1 + theme.px(3.5) as i32 + line),
                theme
                    .tick()
                    .color(&INK)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(err)?;
        }
    }
    let faint = theme.px(0.9) as i32;
    c.draw_series(
        p.runs.iter().filter(|q| q.1.is_finite()).map(|&(x, y, k)| {
            Circle::new((to_x(x), y), faint, theme::colour(k).mix(0.25).filled())
        }),
    )
    .map_err(err)?;
    // Many points overlap: smaller and more transparent markers let the density show.
    let (size, alpha) = if p.means.len() > 400 {
        (1.0, 0.45)
    } else {
        (1.5, 0.8)
    };
    let dot = theme.px(size) as i32;
    c.draw_series(
        p.means
            .iter()
            .filter(|q| q.1.is_finite())
            .map(|&(x, y, k)| Circle::new((to_x(x), y), dot, theme::colour(k).mix(alpha).filled())),
    )
    .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_round_numbers_inside_the_range() {
        let close = |a: Vec<f64>, b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x / y - 1.0).abs() < 1e-9)
        };
        assert!(close(log_ticks(0.5, 8.0), &[0.5, 1.0, 2.0, 5.0]));
        // Seven decades: every other one, so the labels keep their room.
        assert!(close(log_ticks(0.001, 1000.0), &[0.001, 0.1, 10.0, 1000.0]));
        assert!(close(log_ticks(0.02, 0.3), &[0.02, 0.05, 0.1, 0.2]));
        // Too narrow for two round numbers: the ends.
        assert!(close(log_ticks(1.1, 1.9), &[1.1, 1.9]));
        assert_eq!(log_label(0.05), "0.05");
        assert_eq!(log_label(2000.0), "2000");
    }
}
