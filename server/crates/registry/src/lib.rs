//! layerwise-registry
