//! layerwise-analysis
