//! Charts with one labelled row per option: the forest plot of paired differences from the baseline,
//! and the distribution of a metric across replicates (box plots).
//!
//! Rows run top to bottom in rank order, and labels sit to the left of the plot where they can be
//! read without rotating the page.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::kit::{DrawResult, draw_note, err, fit, fit_title, house_mesh, padded_range, titled};
use super::theme::{self, INK, MUTED, Theme};

/// What a forest row's label ends with when the row is the baseline.
pub const BASELINE_MARK: &str = " (baseline)";

/// One option's paired difference from the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    pub label: String,
    pub colour: usize,
    pub diff: f64,
    pub lo: f64,
    pub hi: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Forest {
    pub title: String,
    pub x_label: String,
    pub rows: Vec<ForestRow>,
    pub note: String,
}

/// One option's values across replicates.
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionRow {
    pub label: String,
    pub colour: usize,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    pub title: String,
    pub x_label: String,
    pub rows: Vec<DistributionRow>,
    pub note: String,
}

/// The height in points a row chart needs for `rows` rows (at least the usual figure height).
pub fn height_pt(rows: usize, base_pt: f64) -> f64 {
    base_pt.max(64.0 + 13.0 * rows as f64)
}

/// Quartiles by linear interpolation between order statistics (Hyndman & Fan type 7, R's default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let (i, f) = (h.floor() as usize, h - h.floor());
    let next = sorted.get(i + 1).copied().unwrap_or(sorted[i]);
    sorted[i] + f * (next - sorted[i])
}

struct Frame<'a, DB: DrawingBackend> {
    plot: DrawingArea<DB, Shift>,
    labels: Vec<&'a str>,
}

/// Title, note and the left label column; returns the area left for the chart.
fn frame<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    note: &str,
    labels: Vec<&'a str>,
    theme: Theme,
) -> Result<Frame<'a, DB>, String> {
    let body = titled(root, title, theme)?;
    let (body, note_area) = body.split_vertically(body.dim_in_pixel().1 - theme.px(11.0));
    draw_note(&note_area, note, theme)?;
    Ok(Frame { plot: body, labels })
}

/// Draws the row labels to the left of the chart at each row's centre.
fn row_labels<DB: DrawingBackend, F: Fn(f64) -> (i32, i32)>(
    area: &DrawingArea<DB, Shift>,
    labels: &[&str],
    at: F,
    theme: Theme,
) -> DrawResult {
    let style = theme
        .tick()
        .color(&INK)
        .pos(Pos::new(HPos::Right, VPos::Center));
    let origin = area.get_base_pixel();
    let room = max_label_width(area.dim_in_pixel().0);
    let font = theme.tick();
    let n = labels.len();
    for (i, label) in labels.iter().enumerate() {
        // Row 0 (the best) at the top.
        let (px, py) = at((n - 1 - i) as f64);
        // A cut label keeps its " (baseline)" marker: the head is cut, not the marker.
        let shown = match label.strip_suffix(BASELINE_MARK) {
            Some(head) => {
                let mark = font.box_size(BASELINE_MARK).map(|(w, _)| w).unwrap_or(0);
                fit(head, &font, room.saturating_sub(mark)) + BASELINE_MARK
            }
            None => fit(label, &font, room),
        };
        area.draw(&Text::new(
            shown,
            (px - origin.0 - theme.px(3.0) as i32, py - origin.1),
            style.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The widest a label may be: the rest of the width is the chart's.
fn max_label_width(area_width: u32) -> u32 {
    area_width * 9 / 20
}

/// Width in pixels of the widest label (at most [`max_label_width`]), plus padding.
fn label_width(labels: &[&str], area_width: u32, theme: Theme) -> u32 {
    let font = theme.tick();
    let widest = labels
        .iter()
        .map(|l| font.box_size(l).map(|(w, _)| w).unwrap_or(0))
        .max()
        .unwrap_or(0);
    widest.min(max_label_width(area_width)) + theme.px(8.0)
}

/// The chart area of a row chart: x from `x`, one row per unit of y, with the shared mesh and axis.
fn row_chart<'a, DB: DrawingBackend>(
    f: &Frame<'a, DB>,
    x: std::ops::Range<f64>,
    rows: usize,
    x_label: &str,
    theme: Theme,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, String> {
    let labels_w = label_width(&f.labels, f.plot.dim_in_pixel().0, theme);
    // plotters centres the x title on the plotting area, right of the row labels: it must fit there.
    let room = f
        .plot
        .dim_in_pixel()
        .0
        .saturating_sub(labels_w + theme.px(12.0));
    let x_title = fit_title(x_label, &theme.label(), room);
    let mut c = ChartBuilder::on(&f.plot)
        .margin_top(theme.px(3.0))
        .margin_right(theme.px(8.0))
        .x_label_area_size(theme.px(22.0))
        .y_label_area_size(labels_w)
        .build_cartesian_2d(x, -0.5..rows as f64 - 0.5)
        .map_err(err)?;
    house_mesh(&mut c.configure_mesh(), theme)
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(6)
        .x_desc(x_title)
        .draw()
        .map_err(err)?;
    Ok(c)
}

pub fn draw_forest<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    forest: &Forest,
    theme: Theme,
) -> DrawResult {
    let labels: Vec<&str> = forest.rows.iter().map(|r| r.label.as_str()).collect();
    let f = frame(root, &forest.title, &forest.note, labels, theme)?;
    let values = forest
        .rows
        .iter()
        .flat_map(|r| [r.diff, r.lo, r.hi])
        .chain([0.0])
        .filter(|v| v.is_finite());
    let (lo, hi) = padded_range(values);
    let n = forest.rows.len().max(1);
    let mut c = row_chart(&f, lo..hi, n, &forest.x_label, theme)?;
    // The line of no difference.
    c.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
        MUTED.stroke_width(theme.px(0.7)),
    )))
    .map_err(err)?;
    for (i, r) in forest.rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let colour = theme::colour(r.colour);
        if r.lo.is_finite() && r.hi.is_finite() {
            c.draw_series(std::iter::once(ErrorBar::new_horizontal(
                y,
                r.lo,
                r.diff,
                r.hi,
                colour.stroke_width(theme.px(1.0)),
                theme.px(4.0),
            )))
            .map_err(err)?;
        }
        if r.diff.is_finite() {
            // The baseline (no interval) is drawn hollow.
            let marker = if r.lo.is_finite() {
                colour.filled()
            } else {
                colour.stroke_width(theme.px(0.9))
            };
            c.draw_series(std::iter::once(Circle::new(
                (r.diff, y),
                theme.px(2.2),
                marker,
            )))
            .map_err(err)?;
        }
    }
    row_labels(&f.plot, &f.labels, |y| c.backend_coord(&(lo, y)), theme)?;
    root.present().map_err(err)
}

pub fn draw_distribution<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    dist: &Distribution,
    theme: Theme,
) -> DrawResult {
    let labels: Vec<&str> = dist.rows.iter().map(|r| r.label.as_str()).collect();
    let f = frame(root, &dist.title, &dist.note, labels, theme)?;
    let (lo, hi) = padded_range(
        dist.rows
            .iter()
            .flat_map(|r| r.values.iter().copied())
            .filter(|v| v.is_finite()),
    );
    let n = dist.rows.len().max(1);
    let mut c = row_chart(&f, lo..hi, n, &dist.x_label, theme)?;
    let half = 0.28;
    for (i, r) in dist.rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let colour = theme::colour(r.colour);
        let mut sorted: Vec<f64> = r.values.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            continue;
        }
        sorted.sort_by(f64::total_cmp);
        let (q1, med, q3) = (
            quantile(&sorted, 0.25),
            quantile(&sorted, 0.5),
            quantile(&sorted, 0.75),
        );
        let iqr = q3 - q1;
        // Tukey's whiskers: the furthest values within 1.5 IQR of the box; beyond them, points.
        let low_whisker = sorted
            .iter()
            .copied()
            .find(|&v| v >= q1 - 1.5 * iqr)
            .unwrap_or(q1);
        let high_whisker = sorted
            .iter()
            .rev()
            .copied()
            .find(|&v| v <= q3 + 1.5 * iqr)
            .unwrap_or(q3);
        let stroke = colour.stroke_width(theme.px(0.9));
        c.draw_series([
            PathElement::new(vec![(low_whisker, y), (q1, y)], stroke),
            PathElement::new(vec![(q3, y), (high_whisker, y)], stroke),
            PathElement::new(
                vec![(low_whisker, y - half / 2.0), (low_whisker, y + half / 2.0)],
                stroke,
            ),
            PathElement::new(
                vec![
                    (high_whisker, y - half / 2.0),
                    (high_whisker, y + half / 2.0),
                ],
                stroke,
            ),
        ])
        .map_err(err)?;
        c.draw_series(std::iter::once(Rectangle::new(
            [(q1, y - half), (q3, y + half)],
            colour.mix(0.25).filled(),
        )))
        .map_err(err)?;
        c.draw_series(std::iter::once(Rectangle::new(
            [(q1, y - half), (q3, y + half)],
            stroke,
        )))
        .map_err(err)?;
        c.draw_series(std::iter::once(PathElement::new(
            vec![(med, y - half), (med, y + half)],
            colour.stroke_width(theme.px(1.6)),
        )))
        .map_err(err)?;
        c.draw_series(
            sorted
                .iter()
                .filter(|&&v| v < low_whisker || v > high_whisker)
                .map(|&v| Circle::new((v, y), theme.px(1.2), stroke)),
        )
        .map_err(err)?;
    }
    row_labels(&f.plot, &f.labels, |y| c.backend_coord(&(lo, y)), theme)?;
    root.present().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_r_type_7() {
        // R: quantile(c(1, 2, 3, 4, 10), c(.25, .5, .75)) = 2, 3, 4
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile(&v, 0.25), 2.0);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.75), 4.0);
        // R: quantile(c(1, 2, 3, 4), .25) = 1.75
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
    }
}
