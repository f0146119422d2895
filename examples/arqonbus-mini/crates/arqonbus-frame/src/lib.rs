//! Binary frame header codec and tenant-scoped NATS subjects of arqonbus-mini.
//!
//! A frame is an 8-byte header followed by a protobuf-encoded envelope:
//! magic `AB`, a version byte, a flags byte, and the payload length as a
//! big-endian `u32`. Decoding never panics: every malformed input is an error.

pub mod header;
pub mod subject;

pub use header::{decode_header, encode_header, FrameError, Header, HEADER_LEN, MAX_PAYLOAD};
pub use subject::{subject_for, SubjectError};
