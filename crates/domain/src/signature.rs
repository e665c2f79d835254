//! The client's signature for online card payment: a PNG drawn on the app's signature
//! pad, sent as a `data:image/png;base64,…` URL.
//!
//! The server stores it with the closed call and it may end up in a receipt, so it is
//! trusted for nothing: the prefix must say PNG, the payload must be valid base64, the
//! decoded bytes must start with the 8-byte PNG signature followed by an `IHDR` chunk of
//! a sane, non-empty size, and the whole image must stay under
//! [`MAX_SIGNATURE_PNG_BYTES`]. Pure Rust (a small base64 decoder, no image library), so
//! the app can run the same check before it uploads.

use thiserror::Error;

/// The largest decoded signature PNG accepted, in bytes. A 600×200 pad drawn with a pen
/// compresses to a few kilobytes; 200 KB leaves room for high-DPI screens.
pub const MAX_SIGNATURE_PNG_BYTES: usize = 200 * 1024;
/// The largest width or height a signature may declare.
pub const MAX_SIGNATURE_SIDE: u32 = 4096;
/// What every signature data URL starts with.
pub const DATA_URL_PREFIX: &str = "data:image/png;base64,";

const PNG_MAGIC: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    /// Not a `data:image/png;base64,` URL.
    #[error("the signature must be a data:image/png;base64 URL")]
    NotPngDataUrl,
    /// The payload is not valid base64.
    #[error("the signature is not valid base64")]
    BadBase64,
    /// The decoded bytes are not a PNG (wrong signature or no IHDR header).
    #[error("the signature is not a PNG image")]
    NotPng,
    /// The image declares an empty or absurd size.
    #[error("the signature image has an invalid size")]
    BadDimensions,
    /// More than [`MAX_SIGNATURE_PNG_BYTES`] once decoded.
    #[error("the signature image is larger than {MAX_SIGNATURE_PNG_BYTES} bytes")]
    TooLarge,
}

impl SignatureError {
    /// Stable kebab-case code (the last segment of the problem+json `type`).
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::TooLarge => "signature-too-large",
            _ => "invalid-signature",
        }
    }
}

/// The dimensions of a checked signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureImage {
    pub width: u32,
    pub height: u32,
    /// Decoded size in bytes.
    pub bytes: usize,
}

/// Checks that `data_url` is a PNG data URL of acceptable size (see the module docs).
pub fn check_png_data_url(data_url: &str) -> Result<SignatureImage, SignatureError> {
    let payload = data_url
        .trim()
        .strip_prefix(DATA_URL_PREFIX)
        .ok_or(SignatureError::NotPngDataUrl)?;
    // Refuse before decoding: 4 base64 characters carry 3 bytes.
    if payload.len() / 4 * 3 > MAX_SIGNATURE_PNG_BYTES + 3 {
        return Err(SignatureError::TooLarge);
    }
    let bytes = decode_base64(payload)?;
    if bytes.len() > MAX_SIGNATURE_PNG_BYTES {
        return Err(SignatureError::TooLarge);
    }
    // Signature, then the first chunk: length 13, type IHDR, width, height.
    if bytes.len() < 8 + 8 + 13 || bytes[..8] != PNG_MAGIC {
        return Err(SignatureError::NotPng);
    }
    let be32 =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    if be32(8) != 13 || &bytes[12..16] != b"IHDR" {
        return Err(SignatureError::NotPng);
    }
    let (width, height) = (be32(16), be32(20));
    if width == 0 || height == 0 || width > MAX_SIGNATURE_SIDE || height > MAX_SIGNATURE_SIDE {
        return Err(SignatureError::BadDimensions);
    }
    Ok(SignatureImage {
        width,
        height,
        bytes: bytes.len(),
    })
}

/// Standard base64 (RFC 4648, with `=` padding; ASCII whitespace ignored).
fn decode_base64(input: &str) -> Result<Vec<u8>, SignatureError> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let clean: Vec<u8> = input.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if clean.is_empty() || !clean.len().is_multiple_of(4) {
        return Err(SignatureError::BadBase64);
    }
    let padding = clean.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 {
        return Err(SignatureError::BadBase64);
    }
    let data = &clean[..clean.len() - padding];
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in data {
        acc = (acc << 6) | value(c).ok_or(SignatureError::BadBase64)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap_or(0));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// The header of a `width`×`height` PNG followed by `extra` filler bytes.
    fn png(width: u32, height: u32, extra: usize) -> Vec<u8> {
        let mut bytes = PNG_MAGIC.to_vec();
        bytes.extend(13u32.to_be_bytes());
        bytes.extend(b"IHDR");
        bytes.extend(width.to_be_bytes());
        bytes.extend(height.to_be_bytes());
        bytes.extend([8, 6, 0, 0, 0]);
        bytes.extend(std::iter::repeat_n(0u8, extra));
        bytes
    }

    #[test]
    fn a_png_data_url_passes_with_its_size() {
        let url = format!("{DATA_URL_PREFIX}{}", encode(&png(600, 200, 100)));

        let image = check_png_data_url(&url).unwrap();

        assert_eq!((image.width, image.height), (600, 200));
        assert_eq!(image.bytes, 29 + 100);
    }

    #[test]
    fn other_images_text_and_broken_base64_are_refused() {
        let jpeg = [
            0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1,
        ];
        let cases = [
            ("hello".to_owned(), SignatureError::NotPngDataUrl),
            (
                format!("data:image/jpeg;base64,{}", encode(&jpeg)),
                SignatureError::NotPngDataUrl,
            ),
            (
                format!(
                    "{DATA_URL_PREFIX}{}",
                    encode(&[jpeg.as_slice(); 3].concat())
                ),
                SignatureError::NotPng,
            ),
            (
                format!(
                    "{DATA_URL_PREFIX}{}",
                    encode(b"not a png, just some text here!")
                ),
                SignatureError::NotPng,
            ),
            (format!("{DATA_URL_PREFIX}@@@@"), SignatureError::BadBase64),
            (format!("{DATA_URL_PREFIX}abc"), SignatureError::BadBase64),
            (
                format!("{DATA_URL_PREFIX}{}", encode(&png(0, 200, 0))),
                SignatureError::BadDimensions,
            ),
            (
                format!("{DATA_URL_PREFIX}{}", encode(&png(600, 50_000, 0))),
                SignatureError::BadDimensions,
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(check_png_data_url(&url), Err(expected), "{url}");
        }
    }

    #[test]
    fn a_png_over_the_limit_is_too_large() {
        let big = png(600, 200, MAX_SIGNATURE_PNG_BYTES);
        let url = format!("{DATA_URL_PREFIX}{}", encode(&big));

        let err = check_png_data_url(&url).unwrap_err();

        assert_eq!(err, SignatureError::TooLarge);
        assert_eq!(err.code(), "signature-too-large");
        assert_eq!(SignatureError::NotPng.code(), "invalid-signature");
    }

    #[test]
    fn base64_round_trips_with_every_padding() {
        for len in 0..10u8 {
            let bytes: Vec<u8> = (0..len).map(|b| b.wrapping_mul(37)).collect();
            if bytes.is_empty() {
                continue;
            }
            assert_eq!(decode_base64(&encode(&bytes)).unwrap(), bytes);
        }
    }
}
