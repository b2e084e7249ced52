//! A heatmap of a metric's mean over two swept parameters, with a colour bar and each cell's value.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::kit::{DrawResult, draw_note, err, fit_title, tick, titled};
use super::theme::{INK, Theme, sequential};
use crate::analysis::format::sig;

#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub title: String,
    pub x_label: String,
    pub x_values: Vec<String>,
    pub y_label: String,
    pub y_values: Vec<String>,
    /// `cells[y][x]`: the mean (NaN where no run).
    pub cells: Vec<Vec<f64>>,
    pub value_label: String,
    pub note: String,
    /// The colour scale's ends; shared by the heatmaps of one metric so options compare by colour.
    pub scale: (f64, f64),
}

/// Above this many cells the values are not written in the cells.
const MAX_LABELLED_CELLS: usize = 120;

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    map: &Heatmap,
    theme: Theme,
) -> DrawResult {
    let body = titled(root, &map.title, theme)?;
    let (body, note) = body.split_vertically(body.dim_in_pixel().1 - theme.px(11.0));
    draw_note(&note, &map.note, theme)?;
    let (plot, bar) = body.split_horizontally(body.dim_in_pixel().0 - theme.px(46.0));
    let (lo, hi) = map.scale;
    let (lo, hi) = if !lo.is_finite() || !hi.is_finite() {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let scale = |v: f64| (v - lo) / (hi - lo);
    let (nx, ny) = (map.x_values.len(), map.y_values.len());
    let (x_area, y_area) = (theme.px(22.0), theme.px(34.0));
    let (plot_w, plot_h) = plot.dim_in_pixel();
    let x_title = fit_title(
        &map.x_label,
        &theme.label(),
        plot_w.saturating_sub(y_area + theme.px(9.0)),
    );
    let y_title = fit_title(
        &map.y_label,
        &theme.label(),
        plot_h.saturating_sub(x_area + theme.px(5.0)),
    );
    let mut c = ChartBuilder::on(&plot)
        .margin_left(theme.px(3.0))
        .margin_top(theme.px(3.0))
        .margin_right(theme.px(4.0))
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(0f64..nx as f64, 0f64..ny as f64)
        .map_err(err)?;
    // Category labels are drawn by hand at cell centres; the mesh gives only the axis titles.
    c.configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .axis_style(INK.stroke_width(theme.px(0.6)))
        .axis_desc_style(theme.label().color(&INK))
        .x_desc(x_title)
        .y_desc(y_title)
        .draw()
        .map_err(err)?;
    let labelled = nx * ny <= MAX_LABELLED_CELLS;
    for (j, row) in map.cells.iter().enumerate() {
        for (i, &v) in row.iter().enumerate() {
            let (x, y) = (i as f64, j as f64);
            let fill = sequential(scale(v));
            c.draw_series(std::iter::once(Rectangle::new(
                [(x, y), (x + 1.0, y + 1.0)],
                fill.filled(),
            )))
            .map_err(err)?;
            if labelled {
                // Dark text on the light (yellow-green) end of the scale, white on the dark end.
                let ink = if scale(v) > 0.6 { BLACK } else { WHITE };
                let style = theme
                    .note()
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                c.draw_series(std::iter::once(Text::new(
                    sig(v, 2),
                    (x + 0.5, y + 0.5),
                    style,
                )))
                .map_err(err)?;
            }
        }
    }
    let at = |x: f64, y: f64| c.backend_coord(&(x, y));
    let origin = plot.get_base_pixel();
    let local = |(px, py): (i32, i32)| (px - origin.0, py - origin.1);
    let tick_style = theme.tick().color(&INK);
    // Too many categories to label them all: label every k-th.
    let every_x = nx.div_ceil(8).max(1);
    for (i, label) in map.x_values.iter().enumerate().step_by(every_x) {
        let p = local(at(i as f64 + 0.5, 0.0));
        plot.draw(&Text::new(
            label.clone(),
            (p.0, p.1 + theme.px(2.5) as i32),
            tick_style.pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(err)?;
    }
    let every_y = ny.div_ceil(10).max(1);
    for (j, label) in map.y_values.iter().enumerate().step_by(every_y) {
        let p = local(at(0.0, j as f64 + 0.5));
        plot.draw(&Text::new(
            label.clone(),
            (p.0 - theme.px(2.5) as i32, p.1),
            tick_style.pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(err)?;
    }
    colour_bar(&bar, lo, hi, &map.value_label, theme)?;
    root.present().map_err(err)
}

fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lo: f64,
    hi: f64,
    label: &str,
    theme: Theme,
) -> DrawResult {
    let mut c = ChartBuilder::on(area)
        .margin_top(theme.px(3.0))
        .margin_bottom(theme.px(22.0))
        .margin_left(theme.px(2.0))
        .y_label_area_size(0)
        .right_y_label_area_size(theme.px(24.0))
        .build_cartesian_2d(0f64..1.0, lo..hi)
        .map_err(err)?;
    c.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(5)
        .set_all_tick_mark_size(theme.px(2.0) as i32)
        .label_style(theme.tick().color(&INK))
        .axis_style(INK.stroke_width(theme.px(0.5)))
        .y_label_formatter(&|v| tick(*v))
        .draw()
        .map_err(err)?;
    let steps = 64;
    c.draw_series((0..steps).map(|k| {
        let a = lo + (hi - lo) * k as f64 / steps as f64;
        let b = lo + (hi - lo) * (k + 1) as f64 / steps as f64;
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            sequential(k as f64 / (steps - 1) as f64).filled(),
        )
    }))
    .map_err(err)?;
    let (w, _) = area.dim_in_pixel();
    area.draw(&Text::new(
        label.to_string(),
        (
            w as i32 / 2,
            area.dim_in_pixel().1 as i32 - theme.px(10.0) as i32,
        ),
        theme
            .note()
            .color(&INK)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(err)?;
    Ok(())
}
