//! layerwise-syntax
