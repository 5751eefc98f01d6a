//! Draws an SVG's checked bytes to a PNG, so the token page shows an SVG from
//! checked bytes without the SVG ever becoming a document of the app's
//! origin: only the PNG gets a `blob:` URL.

use thiserror::Error;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, HtmlImageElement, OffscreenCanvas, OffscreenCanvasRenderingContext2d};

use crate::nft::media::raster_size;

/// Why an SVG was not drawn; the page then shows it from the gateway instead.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RasterError {
    #[error("the browser could not read the SVG as an image")]
    Unreadable,
    #[error("the browser could not draw the SVG")]
    Undrawable,
}

/// The SVG in `svg`, drawn as a PNG at [`raster_size`].
pub async fn svg_to_png(svg: &[u8]) -> Result<Blob, RasterError> {
    let window = web_sys::window().ok_or(RasterError::Undrawable)?;
    // `btoa` takes a "binary string": one UTF-16 unit per byte.
    let binary: String = svg.iter().copied().map(char::from).collect();
    let base64 = window.btoa(&binary).map_err(|_| RasterError::Unreadable)?;
    // An <img> renders an SVG as an image: no scripts, nothing loaded from
    // elsewhere. It reads a data: URL, which is never a document of this
    // origin; a blob: URL of the SVG would be one for as long as it lived.
    let image = HtmlImageElement::new().map_err(|_| RasterError::Undrawable)?;
    image.set_src(&format!("data:image/svg+xml;base64,{base64}"));
    JsFuture::from(image.decode())
        .await
        .map_err(|_| RasterError::Unreadable)?;
    let (width, height) = raster_size(image.natural_width(), image.natural_height());
    let canvas = OffscreenCanvas::new(width, height).map_err(|_| RasterError::Undrawable)?;
    let context: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|context| context.dyn_into().ok())
        .ok_or(RasterError::Undrawable)?;
    context
        .draw_image_with_html_image_element_and_dw_and_dh(
            &image,
            0.0,
            0.0,
            f64::from(width),
            f64::from(height),
        )
        .map_err(|_| RasterError::Undrawable)?;
    // PNG is convertToBlob's default type.
    let png = canvas
        .convert_to_blob()
        .map_err(|_| RasterError::Undrawable)?;
    let png = JsFuture::from(png)
        .await
        .map_err(|_| RasterError::Undrawable)?;
    png.dyn_into().map_err(|_| RasterError::Undrawable)
}
