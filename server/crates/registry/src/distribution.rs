//! Our own seam in front of the network: the four registry API calls layerwise makes.
//! [`crate::HttpDistribution`] speaks them over HTTP; tests and the LSP can substitute another
//! implementation (an in-memory registry, a recorder) through [`crate::Registry::with_distribution`].
//!
//! Implementations only move bytes and map HTTP outcomes to [`RegistryError`]s; checking digests,
//! choosing platforms and caching happen above them, once, for every implementation.

use crate::RegistryError;
use layerwise_analysis::image_ref::ImageRef;
use std::future::Future;
use std::pin::Pin;

/// A boxed future, so the trait stays usable as `dyn Distribution`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a `HEAD` of a manifest says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestHead {
    /// `Docker-Content-Digest`, when the registry sends it.
    pub digest: Option<String>,
    pub media_type: Option<String>,
}

/// A manifest's bytes as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestBytes {
    pub bytes: Vec<u8>,
    /// The `Content-Type` the registry served it with.
    pub media_type: Option<String>,
}

/// The registry API calls layerwise needs. `image` names the registry (its `registry` field, e.g.
/// a mirror host) and repository; `reference` is a tag or a digest.
pub trait Distribution: Send + Sync {
    /// `HEAD /v2/<repo>/manifests/<reference>`: resolves a tag to a digest without a `GET`
    /// (a `GET` counts against Docker Hub's pull limit, a `HEAD` does not).
    fn head_manifest<'a>(
        &'a self,
        image: &'a ImageRef,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<ManifestHead, RegistryError>>;

    /// `GET /v2/<repo>/manifests/<reference>`, refusing bodies over `max_bytes`.
    fn get_manifest<'a>(
        &'a self,
        image: &'a ImageRef,
        reference: &'a str,
        max_bytes: u64,
    ) -> BoxFuture<'a, Result<ManifestBytes, RegistryError>>;

    /// `GET /v2/<repo>/blobs/<digest>`, refusing bodies over `max_bytes`.
    fn get_blob<'a>(
        &'a self,
        image: &'a ImageRef,
        digest: &'a str,
        max_bytes: u64,
    ) -> BoxFuture<'a, Result<Vec<u8>, RegistryError>>;

    /// `GET /v2/<repo>/tags/list`, following pagination, at most `max_tags` tags.
    fn list_tags<'a>(
        &'a self,
        image: &'a ImageRef,
        max_tags: usize,
    ) -> BoxFuture<'a, Result<Vec<String>, RegistryError>>;

    /// How many HTTP requests this implementation has sent (for diagnostics and tests).
    fn requests_sent(&self) -> u64 {
        0
    }
}
