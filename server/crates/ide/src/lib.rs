//! layerwise-ide
