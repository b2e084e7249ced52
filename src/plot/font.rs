//! The font every figure uses, shipped in `assets/fonts/` and registered with plotters at start-up.
//!
//! plotters' `ab_glyph` text path reads only registered fonts, never the system's, so figures render
//! the same on a fresh machine with no fonts installed. The family is registered as "sans-serif"
//! because SVG files name the family in `<text>` elements: a browser or editor that opens the SVG
//! then uses its own sans-serif, while PNGs use DejaVu Sans.

use std::sync::OnceLock;

use plotters::style::FontStyle;

/// The family name figures ask for.
pub const FAMILY: &str = "sans-serif";

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Registers the shipped fonts once; every drawing function calls it first.
pub fn ensure_registered() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        // The bytes are the shipped files; they parse (a unit test checks), so failure is a build bug.
        plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR)
            .unwrap_or_else(|_| panic!("assets/fonts/DejaVuSans.ttf is not a valid font"));
        plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD)
            .unwrap_or_else(|_| panic!("assets/fonts/DejaVuSans-Bold.ttf is not a valid font"));
    });
}

#[cfg(test)]
mod tests {
    use plotters::style::{FontDesc, FontFamily};

    #[test]
    fn shipped_fonts_register_and_measure_text() {
        super::ensure_registered();
        let font = FontDesc::new(
            FontFamily::Name(super::FAMILY),
            20.0,
            super::FontStyle::Normal,
        );
        let (w, h) = font
            .box_size("code_knowledge")
            .expect("the shipped font lays out text");
        assert!(w > 100 && h > 10, "{w}x{h}");
    }
}
