//! Docker image references (`node:20-slim`, `ghcr.io/org/app@sha256:…`, `localhost:5000/x`),
//! parsed and normalised the way Docker's `reference` package does it, so that hover, the
//! registry client and the cache all agree on what `FROM node` means
//! (`docker.io/library/node:latest`).
//!
//! Pure: no IO. Errors carry byte offsets into the input so the editor can underline the exact
//! character that makes a reference invalid.
//!
//! Grammar (from Docker's distribution/reference, restated):
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [ domain "/" ] path            (at most 255 bytes)
//! domain     := host [ ":" port ]              host: DNS-ish components, or [IPv6]
//! path       := component ( "/" component )*   component: [a-z0-9]+ ( sep [a-z0-9]+ )*
//! sep        := "." | "_" | "__" | "-"+
//! tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest     := algorithm ":" hex              sha256: 64 lowercase hex digits
//! ```
//!
//! The first path segment is a registry host only if it contains `.` or `:`, is `localhost`, or
//! has an uppercase letter (Docker's rule); otherwise the image is on Docker Hub.
//!
//! Files: `parse` (the grammar and Docker's normalisation), `forms` (the names a reference
//! is shown and requested by: familiar, canonical, manifest reference, API host), `error`
//! (what is wrong and where).

mod error;
mod forms;
mod parse;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use std::ops::Range;

pub use error::{ImageRefError, ImageRefErrorKind};

/// The registry name Docker Hub images normalise to.
pub const DOCKER_HUB: &str = "docker.io";
/// The host Docker Hub's registry API actually answers on.
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
/// The tag used when a reference names neither tag nor digest.
pub const DEFAULT_TAG: &str = "latest";

const MAX_NAME_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;

/// A normalised image reference. Two references that Docker treats as the same image compare
/// equal (`node` == `docker.io/library/node`; `index.docker.io/x/y` == `x/y`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ImageRef {
    /// Registry host with optional port, normalised: `docker.io`, `ghcr.io`, `localhost:5000`.
    pub registry: String,
    /// Repository path inside the registry: `library/node`, `org/app`.
    pub repository: String,
    /// The tag as written, if any (`None` for `node` or `node@sha256:…`).
    pub tag: Option<String>,
    /// The digest as written, if any (`sha256:<64 hex>`).
    pub digest: Option<String>,
}

/// Where the parts of a reference sit in the parsed text (byte ranges), for editor features
/// that work on one part (tag completion, hover on the digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRefSpans {
    /// The name, including any registry host: `ghcr.io/org/app`.
    pub name: Range<usize>,
    /// The tag without its `:`.
    pub tag: Option<Range<usize>>,
    /// The digest without its `@`.
    pub digest: Option<Range<usize>>,
}
