//! Why a reference is invalid, and where (byte offsets into the parsed text, so the editor
//! can underline the exact character).

use std::fmt;
use std::ops::Range;

use super::{MAX_NAME_LEN, MAX_TAG_LEN};

/// Why a reference is invalid, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRefError {
    pub kind: ImageRefErrorKind,
    /// Byte range in the input that the error is about.
    pub span: Range<usize>,
}

/// The kinds of invalid reference, each with a message a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRefErrorKind {
    Empty,
    /// A character that is never valid where it appears.
    InvalidCharacter(char),
    /// Repository paths must be lowercase (Docker rejects `FROM Node`).
    UppercaseRepository,
    /// An empty path component (`a//b`, trailing `/`, `:tag` with no name).
    EmptyComponent,
    InvalidDomain,
    InvalidPort,
    InvalidTag,
    TagTooLong,
    InvalidDigest,
    NameTooLong,
    /// A bare 64-hex-digit name looks like an image ID, which Docker refuses as a name.
    LooksLikeImageId,
}

impl fmt::Display for ImageRefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ImageRefErrorKind::*;
        match &self.kind {
            Empty => write!(f, "image reference is empty"),
            InvalidCharacter(c) => write!(f, "invalid character {c:?} in image reference"),
            UppercaseRepository => write!(f, "repository name must be lowercase"),
            EmptyComponent => write!(f, "image name has an empty path component"),
            InvalidDomain => write!(f, "invalid registry host name"),
            InvalidPort => write!(f, "invalid registry port"),
            InvalidTag => write!(
                f,
                "invalid tag: a tag is letters, digits, `_`, `.` and `-`, not starting with `.` or `-`"
            ),
            TagTooLong => write!(f, "tag is longer than {MAX_TAG_LEN} characters"),
            InvalidDigest => write!(
                f,
                "invalid digest: expected `sha256:` followed by 64 lowercase hex digits"
            ),
            NameTooLong => write!(f, "image name is longer than {MAX_NAME_LEN} characters"),
            LooksLikeImageId => write!(
                f,
                "a 64-character hex string is an image ID, not a repository name"
            ),
        }
    }
}

impl std::error::Error for ImageRefError {}

pub(super) fn err<T>(kind: ImageRefErrorKind, span: Range<usize>) -> Result<T, ImageRefError> {
    Err(ImageRefError { kind, span })
}
