//! layerwise-lint
