//! Colours and sizes: an Okabe–Ito palette (safe for the common colour-vision deficiencies), a
//! perceptually uniform sequential scale for heatmaps, and sizes set in printer's points.
//!
//! A figure is laid out on a canvas of `width` pixels that stands for one journal column (3.5 in,
//! 252 pt). Every size is given in points and scaled by `width / 252`, so text stays 7–9 pt whatever
//! the pixel size the figure is drawn at and then printed at column width.

use plotters::style::{FontDesc, FontFamily, FontStyle, RGBColor};

use super::font::FAMILY;

/// Okabe & Ito (2008), reordered so the first colours are the most distinct on white (yellow last).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(230, 159, 0),   // orange
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(240, 228, 66),  // yellow
];

pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

pub const INK: RGBColor = RGBColor(30, 30, 30);
pub const GRID: RGBColor = RGBColor(225, 225, 225);
pub const MUTED: RGBColor = RGBColor(110, 110, 110);

/// Viridis (van der Walt & Smith, matplotlib), sampled at nine stops and interpolated: perceptually
/// uniform, readable in greyscale and by people with colour-vision deficiencies.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

/// The sequential colour for `t` in [0, 1] (clamped; NaN is mid-grey).
pub fn sequential(t: f64) -> RGBColor {
    if t.is_nan() {
        return RGBColor(190, 190, 190);
    }
    let t = t.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (t.floor() as usize).min(VIRIDIS.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Sizes for one canvas.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// Pixels per point.
    pub scale: f64,
}

impl Theme {
    /// The column width in points a canvas stands for.
    pub const COLUMN_PT: f64 = 252.0;

    pub fn for_width(width: u32) -> Theme {
        Theme {
            scale: width as f64 / Self::COLUMN_PT,
        }
    }

    /// `pt` points in pixels.
    pub fn px(&self, pt: f64) -> u32 {
        (pt * self.scale).round().max(1.0) as u32
    }

    fn font(&self, pt: f64, style: FontStyle) -> FontDesc<'static> {
        FontDesc::new(FontFamily::Name(FAMILY), pt * self.scale, style)
    }

    pub fn title(&self) -> FontDesc<'static> {
        self.font(8.5, FontStyle::Bold)
    }
    pub fn label(&self) -> FontDesc<'static> {
        self.font(8.0, FontStyle::Normal)
    }
    pub fn tick(&self) -> FontDesc<'static> {
        self.font(7.0, FontStyle::Normal)
    }
    pub fn note(&self) -> FontDesc<'static> {
        self.font(6.5, FontStyle::Normal)
    }
    pub fn line(&self) -> u32 {
        self.px(1.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_ends_and_middle() {
        assert_eq!(sequential(0.0), RGBColor(68, 1, 84));
        assert_eq!(sequential(1.0), RGBColor(253, 231, 37));
        assert_eq!(sequential(0.5), RGBColor(33, 144, 141));
        assert_eq!(sequential(7.0), sequential(1.0));
    }

    #[test]
    fn sizes_scale_with_width() {
        let t = Theme::for_width(1260);
        assert_eq!(t.px(7.0), 35);
        assert_eq!(Theme::for_width(252).px(7.0), 7);
    }
}
