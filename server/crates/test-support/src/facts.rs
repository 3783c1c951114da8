//! Image facts fixtures shared by the tests of every feature that quotes an image's size for a
//! stage (hover, code lens, inlay hints, the slimmer-variant action and the
//! toolchain-final-image rule), so that they all check the same figures.

use layerwise_analysis::image_facts::{FactSource, ImageFacts, Platform, PlatformFacts};
use layerwise_analysis::image_ref::ImageRef;

/// `node:20` with figures for two platforms: linux/amd64 first (as a request for the default
/// platform puts them): 300 MB compressed, 1.10 GB unpacked; then linux/arm64: 280 MB
/// compressed, 900 MB unpacked. A stage's `FROM --platform=linux/arm64` must pick the second.
pub fn two_platform_node() -> ImageFacts {
    two_platform(
        "node:20",
        (300_000_000, 1_100_000_000),
        (280_000_000, 900_000_000),
    )
}

/// `node:20-slim` the same way: amd64 70 MB / 200 MB, arm64 65 MB / 190 MB. Against
/// [`two_platform_node`] the slim image saves ≈900 MB on amd64 and ≈710 MB on arm64.
pub fn two_platform_node_slim() -> ImageFacts {
    two_platform(
        "node:20-slim",
        (70_000_000, 200_000_000),
        (65_000_000, 190_000_000),
    )
}

/// Facts for `reference` with `(compressed, unpacked)` figures for linux/amd64, then
/// linux/arm64, from the offline catalogue (exact entry).
///
/// # Panics
/// When `reference` is not a valid image reference (a broken fixture).
pub fn two_platform(reference: &str, amd64: (u64, u64), arm64: (u64, u64)) -> ImageFacts {
    let parsed = ImageRef::parse(reference)
        .unwrap_or_else(|e| panic!("fixture reference {reference:?}: {e}"));
    let arm = Platform::parse("linux/arm64").unwrap_or_else(|e| panic!("{e}"));
    ImageFacts {
        reference: parsed,
        digest: None,
        platforms: vec![
            PlatformFacts::sizes_only(Platform::linux_amd64(), amd64.0, Some(amd64.1)),
            PlatformFacts::sizes_only(arm, arm64.0, Some(arm64.1)),
        ],
        available_platforms: Vec::new(),
        source: FactSource::Catalogue {
            entry: reference.into(),
            exact: true,
            provenance: "test".into(),
        },
        fetched_at: None,
        fallback_reason: None,
    }
}
