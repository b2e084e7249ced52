//! Publication figures drawn from a saved output directory alone (plotters, PNG and SVG).
//!
//! [`figures()`] (in [`figures`]) turns the CSVs into chart data; the chart modules ([`lines`],
//! [`heatmap`], [`rows`]) draw it on any plotters backend with the shared [`kit`]; [`draw_all`]
//! writes each figure whole or not at all into `DIR/plots/`.

pub mod cost;
pub mod design;
pub mod figures;
pub mod font;
pub mod heatmap;
pub mod kit;
pub mod labels;
pub mod lines;
pub mod robust;
pub mod rows;
pub mod scatter;
pub mod theme;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

pub use design::design_figures;
pub use figures::{Chart, Figure, Kind, figures};

use crate::output::write_atomic;
use kit::DrawResult;
use theme::Theme;

/// The default canvas: one journal column (3.5 in) at 300 dpi, 10:7.
pub const DEFAULT_WIDTH: u32 = 1050;
pub const DEFAULT_HEIGHT: u32 = 750;

impl Figure {
    /// The canvas for this figure given the requested size: row charts grow taller with rows.
    pub fn size(&self, width: u32, height: u32) -> (u32, u32) {
        let theme = Theme::for_width(width);
        if self.panel_rows > 0 {
            // A two-column figure at the same type size: panels of about 80 pt each.
            let need = 56.0 + 82.0 * self.panel_rows as f64;
            return (2 * width, (need * theme.scale).round() as u32);
        }
        if self.rows == 0 {
            return (width, height);
        }
        let base_pt = height as f64 / theme.scale;
        let need = rows::height_pt(self.rows, base_pt);
        (width, (need * theme.scale).round() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, theme: Theme) -> DrawResult {
        match &self.chart {
            Chart::Lines(c) => lines::draw(root, c, theme),
            Chart::Heatmap(h) => heatmap::draw(root, h, theme),
            Chart::Forest(f) => rows::draw_forest(root, f, theme),
            Chart::Distribution(d) => rows::draw_distribution(root, d, theme),
            Chart::WinnerMap(m) => robust::draw_winner_map(root, m, theme),
            Chart::ValueCost(v) => cost::draw_value_cost(root, v, theme),
            Chart::Scatter(s) => scatter::draw(root, s, theme),
        }
    }

    /// The figure as an SVG document.
    pub fn svg(&self, width: u32, height: u32) -> Result<String> {
        kit::render_svg(self.size(width, height), |root| {
            self.draw(root, Theme::for_width(width))
        })
        .map_err(|e| anyhow::anyhow!("cannot draw {}: {e}", self.name))
    }

    /// Every piece of text the figure puts on its canvas, and where (see [`kit::TextBox`]): the
    /// layout a test checks so that no title, axis label, tick label or legend entry is cut off.
    pub fn text_layout(&self, width: u32, height: u32) -> Result<Vec<kit::TextBox>> {
        kit::text_layout(self.size(width, height), |root| {
            self.draw(root, Theme::for_width(width))
        })
        .map_err(|e| anyhow::anyhow!("cannot lay out {}: {e}", self.name))
    }

    /// The pieces of text that do not lie whole on the canvas (none, in a figure fit to print).
    pub fn clipped_text(&self, width: u32, height: u32) -> Result<Vec<kit::TextBox>> {
        let size = self.size(width, height);
        Ok(self
            .text_layout(width, height)?
            .into_iter()
            .filter(|b| !b.inside(size))
            .collect())
    }

    /// Draws the figure as a PNG file, whole or not at all.
    pub fn write_png(&self, path: &Path, width: u32, height: u32) -> Result<()> {
        kit::save_png(path, self.size(width, height), |root| {
            self.draw(root, Theme::for_width(width))
        })
    }
}

/// Which files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Formats {
    Png,
    Svg,
    Both,
}

#[derive(Debug, Clone)]
pub struct PlotOptions {
    /// Metric names (checked against the manifest); empty = the headline metrics.
    pub metrics: Vec<String>,
    pub width: u32,
    pub height: u32,
    pub formats: Formats,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            metrics: Vec::new(),
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
            formats: Formats::Both,
        }
    }
}

/// Draws every figure into `dir` (created if needed) and returns the files written.
pub fn draw_all(figures: &[Figure], dir: &Path, options: &PlotOptions) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    for figure in figures {
        if options.formats != Formats::Png {
            let path = dir.join(format!("{}.svg", figure.name));
            let svg = figure.svg(options.width, options.height)?;
            write_atomic(&path, svg.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            written.push(path);
        }
        if options.formats != Formats::Svg {
            let path = dir.join(format!("{}.png", figure.name));
            figure.write_png(&path, options.width, options.height)?;
            written.push(path);
        }
    }
    Ok(written)
}
