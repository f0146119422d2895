//! The 8-byte frame header.

/// Length of an encoded header in bytes.
pub const HEADER_LEN: usize = 8;

/// Largest payload a frame may announce (1 MiB): larger frames are refused.
pub const MAX_PAYLOAD: u32 = 1 << 20;

const MAGIC: [u8; 2] = *b"AB";
const SUPPORTED_VERSION: u8 = 1;

/// A decoded frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Protocol version of the envelope that follows.
    pub version: u8,
    /// Flag bits (bit 0: compressed).
    pub flags: u8,
    /// Length of the payload after the header.
    pub payload_len: u32,
}

/// Why bytes are not a valid frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// Fewer than [`HEADER_LEN`] bytes.
    Truncated,
    /// The first two bytes are not the magic `AB`.
    BadMagic,
    /// A version this build does not understand.
    UnsupportedVersion(u8),
    /// The announced payload is larger than [`MAX_PAYLOAD`].
    TooLarge(u32),
}

/// Decode the header at the start of `bytes`.
///
/// # Errors
///
/// Returns a [`FrameError`] for truncated input, a wrong magic, an
/// unsupported version or an oversized payload.
pub fn decode_header(bytes: &[u8]) -> Result<Header, FrameError> {
    let raw: &[u8; HEADER_LEN] = bytes
        .get(..HEADER_LEN)
        .and_then(|head| head.try_into().ok())
        .ok_or(FrameError::Truncated)?;
    let [magic0, magic1, version, flags, len0, len1, len2, len3] = *raw;
    if [magic0, magic1] != MAGIC {
        return Err(FrameError::BadMagic);
    }
    if version != SUPPORTED_VERSION {
        return Err(FrameError::UnsupportedVersion(version));
    }
    let payload_len = u32::from_be_bytes([len0, len1, len2, len3]);
    if payload_len > MAX_PAYLOAD {
        return Err(FrameError::TooLarge(payload_len));
    }
    Ok(Header {
        version,
        flags,
        payload_len,
    })
}

/// Encode a header.
#[must_use]
pub const fn encode_header(header: Header) -> [u8; HEADER_LEN] {
    let [magic0, magic1] = MAGIC;
    let [len0, len1, len2, len3] = header.payload_len.to_be_bytes();
    [
        magic0,
        magic1,
        header.version,
        header.flags,
        len0,
        len1,
        len2,
        len3,
    ]
}

#[cfg(test)]
mod tests {
    use super::{decode_header, encode_header, FrameError, Header, MAX_PAYLOAD};

    const SAMPLE: Header = Header {
        version: 1,
        flags: 0,
        payload_len: 42,
    };

    #[test]
    fn round_trips() {
        assert_eq!(decode_header(&encode_header(SAMPLE)), Ok(SAMPLE));
    }

    #[test]
    fn refuses_truncated_input() {
        assert_eq!(decode_header(b"AB\x01"), Err(FrameError::Truncated));
    }

    #[test]
    fn refuses_bad_magic() {
        let mut bytes = encode_header(SAMPLE);
        bytes[0] = b'X';
        assert_eq!(decode_header(&bytes), Err(FrameError::BadMagic));
    }

    #[test]
    fn refuses_unknown_version() {
        let bytes = encode_header(Header {
            version: 9,
            ..SAMPLE
        });
        assert_eq!(
            decode_header(&bytes),
            Err(FrameError::UnsupportedVersion(9))
        );
    }

    #[test]
    fn refuses_oversized_payload() {
        let bytes = encode_header(Header {
            payload_len: MAX_PAYLOAD + 1,
            ..SAMPLE
        });
        assert_eq!(
            decode_header(&bytes),
            Err(FrameError::TooLarge(MAX_PAYLOAD + 1))
        );
    }
}
