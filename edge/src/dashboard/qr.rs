//! QR codes of share links, drawn on the edge as SVG (the `qrcode` crate
//! without its image feature): printable on a market stall's sign or an
//! invoice, and scannable into the link's URL.

use crate::error::{EdgeError, EdgeResult};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The QR code of `url` as an SVG document (medium error correction, a
/// quiet zone, at least 256 px).
pub(crate) fn svg(url: &str) -> EdgeResult<String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| EdgeError::Internal(format!("QR code of a {}-byte URL: {e}", url.len())))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_url_becomes_an_svg() {
        let s = super::svg("https://pay.example.com/l/abc").unwrap();
        assert!(s.contains("<svg"), "{s}");
        assert!(s.contains("#000000"));
    }
}
