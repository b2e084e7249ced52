//! The drawing kit every chart module shares: error plumbing, padded ranges, tick labels and
//! text fitting, legends, the house axis style, titles, and rendering to SVG or PNG.
//!
//! The chart modules ([`super::lines`], [`super::heatmap`], [`super::rows`]) import from here and
//! never from [`super`], so the entry point and the figure choice can change without touching how
//! anything is drawn. Colours and type sizes are in [`super::theme`].

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use anyhow::Context;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontDesc;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendTextStyle, DrawingErrorKind};

use super::font;
use super::theme::{self, INK, Theme};

pub(crate) type DrawResult = std::result::Result<(), String>;

pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// The range of `values` with 5% padding each side (a unit range around a constant or no values).
pub(crate) fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        let pad = (hi - lo) * 0.05;
        (lo - pad, hi + pad)
    }
}

/// Lays legend entries out in rows under the chart; returns the height they need in pixels.
pub(crate) fn legend_height(
    title: &str,
    entries: &[(String, usize)],
    width: u32,
    theme: Theme,
) -> u32 {
    legend_layout(title, entries, width, theme).1
}

fn legend_layout(
    title: &str,
    entries: &[(String, usize)],
    width: u32,
    theme: Theme,
) -> (Vec<(i32, i32)>, u32) {
    let font = theme.tick();
    let line_h = theme.px(11.0) as i32;
    let swatch = theme.px(14.0) as i32;
    let gap = theme.px(8.0) as i32;
    let mut x = theme.px(6.0) as i32
        + if title.is_empty() {
            0
        } else {
            font.box_size(title).map(|(w, _)| w as i32).unwrap_or(0) + gap
        };
    let mut y = 0;
    let mut at = Vec::new();
    for (label, _) in entries {
        let label = legend_entry(label, width, theme);
        let w = swatch
            + theme.px(3.0) as i32
            + font.box_size(&label).map(|(w, _)| w as i32).unwrap_or(0);
        // Onto a new line when it would run past the edge, unless it already starts one.
        if x + w > width as i32 && x > theme.px(6.0) as i32 {
            x = theme.px(6.0) as i32;
            y += line_h;
        }
        at.push((x, y));
        x += w + gap;
    }
    (at, (y + line_h) as u32 + theme.px(4.0))
}

/// A legend entry as drawn: cut with an ellipsis when it would not fit on a line of its own.
fn legend_entry(label: &str, width: u32, theme: Theme) -> String {
    let room = width.saturating_sub(theme.px(6.0 + 14.0 + 3.0 + 6.0));
    fit(label, &theme.tick(), room)
}

pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    entries: &[(String, usize)],
    theme: Theme,
) -> DrawResult {
    let (at, _) = legend_layout(title, entries, area.dim_in_pixel().0, theme);
    let top = theme.px(3.0) as i32;
    let mid = theme.px(3.4) as i32;
    if !title.is_empty() {
        area.draw(&Text::new(
            title.to_string(),
            (theme.px(6.0) as i32, top),
            theme.tick().color(&INK),
        ))
        .map_err(err)?;
    }
    let swatch = theme.px(14.0) as i32;
    for ((label, colour), (x, y)) in entries.iter().zip(at) {
        let c = theme::colour(*colour);
        area.draw(&PathElement::new(
            vec![(x, top + y + mid), (x + swatch, top + y + mid)],
            c.stroke_width(theme.px(1.6)),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            legend_entry(label, area.dim_in_pixel().0, theme),
            (x + swatch + theme.px(3.0) as i32, top + y),
            theme.tick().color(&INK),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The house style of a chart's grid, axes, tick labels and axis titles (x ticks as [`tick`]).
pub(crate) fn house_mesh<'m, 'a, 'b, DB: DrawingBackend>(
    mesh: &'m mut plotters::chart::MeshStyle<
        'a,
        'b,
        plotters::coord::types::RangedCoordf64,
        plotters::coord::types::RangedCoordf64,
        DB,
    >,
    theme: theme::Theme,
) -> &'m mut plotters::chart::MeshStyle<
    'a,
    'b,
    plotters::coord::types::RangedCoordf64,
    plotters::coord::types::RangedCoordf64,
    DB,
> {
    mesh.max_light_lines(0)
        .bold_line_style(theme::GRID.stroke_width(theme.px(0.4)))
        .axis_style(theme::INK.stroke_width(theme.px(0.6)))
        .label_style(theme.tick().color(&theme::INK))
        .axis_desc_style(theme.label().color(&theme::INK))
        .set_all_tick_mark_size(theme.px(2.5) as i32)
        .x_label_formatter(&|v| tick(*v))
}

/// Clears `root` to white and writes the chart title across its top; returns the area below it.
pub(crate) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    theme: theme::Theme,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).map_err(err)?;
    let (title_area, body) = root.split_vertically(theme.px(16.0));
    let room = root.dim_in_pixel().0.saturating_sub(theme.px(12.0));
    title_area
        .draw(&Text::new(
            fit(title, &theme.title(), room),
            (theme.px(6.0) as i32, theme.px(4.0) as i32),
            theme.title().color(&theme::INK),
        ))
        .map_err(err)?;
    Ok(body)
}

/// Writes a chart's note (its foot line) into `area`, cut to the width if it must be.
pub(crate) fn draw_note<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    note: &str,
    theme: Theme,
) -> DrawResult {
    let room = area.dim_in_pixel().0.saturating_sub(theme.px(12.0));
    area.draw(&Text::new(
        fit(note, &theme.note(), room),
        (theme.px(6.0) as i32, theme.px(2.0) as i32),
        theme.note().color(&theme::MUTED),
    ))
    .map_err(err)
}

/// Writes an axis title for a y axis shared by a whole area (a grid of panels, or a chart whose
/// mesh leaves no room for it): turned a quarter left, centred, fitted to the area's height.
pub(crate) fn draw_y_title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    theme: Theme,
) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        fit_title(title, &theme.label(), h.saturating_sub(theme.px(6.0))),
        (w as i32 / 2, h as i32 / 2),
        theme
            .label()
            .color(&INK)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(err)
}

/// A tick label: few digits, no trailing zeros.
pub fn tick(v: f64) -> String {
    // Axis positions near zero carry rounding noise (e.g. -1e-17); they are zero.
    if v.abs() < 1e-9 {
        return "0".into();
    }
    let s = if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// `text` cut with an ellipsis to fit `width` pixels in `font`.
pub(crate) fn fit(text: &str, font: &FontDesc, width: u32) -> String {
    let fits = |t: &str| font.box_size(t).map(|(w, _)| w <= width).unwrap_or(true);
    if fits(text) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    (1..chars.len())
        .rev()
        .map(|k| chars[..k].iter().collect::<String>() + "…")
        .find(|t| fits(t))
        .unwrap_or_default()
}

/// Where one piece of text lands on the canvas: its string and its ink box in pixels (`left`,
/// `top` inclusive; `right`, `bottom` exclusive), from the same font metrics and anchoring the
/// bitmap backend draws with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextBox {
    pub text: String,
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

impl TextBox {
    /// Whether the whole box lies on a canvas of `size` pixels.
    pub fn inside(&self, size: (u32, u32)) -> bool {
        self.left >= 0
            && self.top >= 0
            && self.right <= size.0 as i32
            && self.bottom <= size.1 as i32
    }
}

/// A backend that draws nothing and records where every piece of text goes: the layout of a
/// figure's titles, axis titles, tick labels, legend entries and notes, whoever places them (our
/// code or plotters' mesh), so a test can check that none is cut off at the canvas edge.
pub(crate) struct TextRecorder {
    size: (u32, u32),
    /// Shared with [`text_layout`], which cannot take the backend back out of its drawing area.
    boxes: Rc<RefCell<Vec<TextBox>>>,
}

impl DrawingBackend for TextRecorder {
    type ErrorType = std::io::Error;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        _point: BackendCoord,
        _color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    /// The placement of plotters' own `draw_text` (plotters-backend 0.3), without the pixels.
    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if style.color().alpha == 0.0 || text.trim().is_empty() {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let corners = [
            transform.transform(dx, dy),
            transform.transform(dx + width, dy + height),
        ];
        let xs = corners.map(|c| pos.0 + c.0);
        let ys = corners.map(|c| pos.1 + c.1);
        self.boxes.borrow_mut().push(TextBox {
            text: text.to_string(),
            left: xs[0].min(xs[1]),
            top: ys[0].min(ys[1]),
            right: xs[0].max(xs[1]),
            bottom: ys[0].max(ys[1]),
        });
        Ok(())
    }
}

/// Every piece of text `draw` puts on a canvas of `size` pixels, where it lands.
pub(crate) fn text_layout(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<TextRecorder, Shift>) -> DrawResult,
) -> Result<Vec<TextBox>, String> {
    font::ensure_registered();
    let boxes = Rc::new(RefCell::new(Vec::new()));
    let root = TextRecorder {
        size,
        boxes: Rc::clone(&boxes),
    }
    .into_drawing_area();
    draw(&root)?;
    Ok(boxes.take())
}

/// An axis title that fits `room` pixels in `font`: whole if it fits, else without its trailing
/// "(unit)" (the caption and the report's glossary still give the unit), else cut with an ellipsis.
pub(crate) fn fit_title(text: &str, font: &FontDesc, room: u32) -> String {
    let fits = |t: &str| font.box_size(t).map(|(w, _)| w <= room).unwrap_or(true);
    if fits(text) {
        return text.to_string();
    }
    if let Some(open) = text.rfind(" (")
        && text.ends_with(')')
        && fits(&text[..open])
    {
        return text[..open].to_string();
    }
    fit(text, font, room)
}

/// Renders `draw` into an SVG document of `size` pixels.
pub(crate) fn render_svg(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> DrawResult,
) -> Result<String, String> {
    font::ensure_registered();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root)?;
    }
    Ok(out)
}

/// Renders `draw` into a PNG file of `size` pixels, whole or not at all: it is drawn to a temporary
/// file beside `path` and renamed into place only when drawing succeeded.
pub(crate) fn save_png(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> DrawResult,
) -> anyhow::Result<()> {
    font::ensure_registered();
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    // plotters picks the encoder from the extension, so the temporary name keeps `.png`.
    let tmp = path.with_file_name(format!(".{stem}.tmp-{}.png", std::process::id()));
    let drawn = {
        let root = BitMapBackend::new(&tmp, size).into_drawing_area();
        draw(&root)
    };
    let done = drawn
        .map_err(|e| anyhow::anyhow!("cannot draw {}: {e}", path.display()))
        .and_then(|()| {
            std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
        });
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

#[cfg(test)]
mod tests {
    use super::tick;

    #[test]
    fn tick_labels_are_short_and_never_negative_zero() {
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(-0.00001), "0");
        assert_eq!(tick(-1e-17), "0");
        assert_eq!(tick(2.0), "2");
        assert_eq!(tick(1500.0), "1500");
    }
}
