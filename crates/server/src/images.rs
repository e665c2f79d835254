//! Profile pictures: an upload is trusted for nothing. Its format is sniffed from the
//! bytes (JPEG, PNG or WebP only; the name and `Content-Type` are ignored), its declared
//! dimensions are checked before any pixel is decoded (a decompression bomb is a small
//! file declaring a huge image), decoding runs under allocation limits, and what is kept
//! is a freshly encoded square JPEG thumbnail — never the uploaded bytes.

use std::io::Cursor;

use image::{imageops::FilterType, ImageFormat, ImageReader, Limits};

/// The largest upload accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// The largest width or height accepted before decoding.
pub const MAX_SIDE: u32 = 6000;
/// The most pixels accepted before decoding (about 24 megapixels).
pub const MAX_PIXELS: u64 = 24_000_000;
/// Side of the stored square thumbnail.
pub const THUMBNAIL_SIDE: u32 = 256;
/// Media type of the stored thumbnail.
pub const THUMBNAIL_TYPE: &str = "image/jpeg";

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The bytes are not a JPEG, PNG or WebP image, whatever the file was called.
    #[error("the file is not a JPEG, PNG or WebP image")]
    UnsupportedFormat,
    /// The image declares more pixels than we decode.
    #[error("the image is {width}×{height} pixels; at most {MAX_SIDE}×{MAX_SIDE} and {MAX_PIXELS} pixels are accepted")]
    TooManyPixels { width: u32, height: u32 },
    /// The header looked right but the image could not be decoded.
    #[error("the image is damaged and could not be read: {0}")]
    Corrupt(String),
}

/// The sniffed format, if it is one we accept.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    let format = image::guess_format(bytes).ok()?;
    matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    )
    .then_some(format)
}

/// Checks, decodes under limits, crops to the centre square and encodes a
/// [`THUMBNAIL_SIDE`]² JPEG. CPU-heavy: call it on the blocking pool.
pub fn thumbnail(bytes: &[u8]) -> Result<Vec<u8>, ImageError> {
    let format = sniff(bytes).ok_or(ImageError::UnsupportedFormat)?;

    // Only the header is read here: a 50000×50000 PNG of a few hundred bytes is refused
    // without allocating its pixels.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    if width == 0
        || height == 0
        || width > MAX_SIDE
        || height > MAX_SIDE
        || u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return Err(ImageError::TooManyPixels { width, height });
    }

    // Limits again at decode time, in case a format's header and body disagree.
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 16 * 1024 * 1024);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ImageError::TooManyPixels { width, height },
        other => ImageError::Corrupt(other.to_string()),
    })?;

    let square = decoded.resize_to_fill(THUMBNAIL_SIDE, THUMBNAIL_SIDE, FilterType::Triangle);
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    square
        .to_rgb8()
        .write_with_encoder(encoder)
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    Ok(out)
}

/// Hex SHA-256 of the thumbnail: its photo key and ETag.
pub fn photo_key(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(bytes)[..16])
}

/// A placeholder avatar (SVG with initials) for a profile that has a photo key but no
/// stored picture, as the demo seed writes.
pub fn placeholder_svg(name: &str) -> String {
    let initials: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .filter(|c| c.is_alphanumeric())
        .collect();
    let hue = name
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 360;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 256 256\" width=\"256\" height=\"256\">\
         <rect width=\"256\" height=\"256\" fill=\"hsl({hue} 45% 40%)\"/>\
         <text x=\"128\" y=\"128\" dy=\".35em\" text-anchor=\"middle\" font-family=\"sans-serif\" \
         font-size=\"104\" fill=\"#fff\">{initials}</text></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_wide_png_becomes_a_square_jpeg() {
        let thumb = thumbnail(&png(600, 300)).unwrap();

        assert_eq!(sniff(&thumb), Some(ImageFormat::Jpeg));
        let img = image::load_from_memory(&thumb).unwrap();
        assert_eq!(
            (img.width(), img.height()),
            (THUMBNAIL_SIDE, THUMBNAIL_SIDE)
        );
    }

    #[test]
    fn text_is_not_an_image() {
        assert_eq!(
            thumbnail(b"GIF89a not really"),
            Err(ImageError::UnsupportedFormat)
        );
        assert_eq!(thumbnail(b"hello"), Err(ImageError::UnsupportedFormat));
    }

    #[test]
    fn initials_are_letters_only() {
        let svg = placeholder_svg("<Anna> Keller");
        assert!(svg.contains(">AK<") || svg.contains(">K<"), "{svg}");
        assert!(!svg.contains("<Anna"));
    }
}
