//! Image facts from registries, fetched in the background: a request never waits on the
//! network (invariant 5). When facts arrive, analyses are recomputed and the client is asked
//! to refresh hints, lenses and diagnostics.

use layerwise_analysis::image_facts::{FactSource, Platform};
use layerwise_analysis::Base;
use layerwise_ide::Analysis;

use crate::server::Backend;

/// Starts registry lookups for base images whose facts are missing or only approximate.
pub fn fetch_missing(backend: &Backend, analysis: &Analysis) {
    let registry = backend.state.registry();
    if registry.settings().offline {
        return;
    }
    for stage in &analysis.model.stages {
        let Base::Image(image) = &stage.base else {
            continue;
        };
        let key = image.canonical();
        let known = analysis
            .facts
            .images
            .get(&key)
            .is_some_and(|f| !matches!(f.source, FactSource::Catalogue { .. }));
        if known {
            continue;
        }
        let platform = stage
            .platform
            .as_deref()
            .and_then(|p| Platform::parse(p).ok());
        let lookup_key = format!(
            "{key}|{}",
            platform.as_ref().map(|p| p.to_string()).unwrap_or_default()
        );
        let fresh = backend
            .state
            .image_lookups
            .lock()
            .map(|mut s| s.insert(lookup_key))
            .unwrap_or(false);
        if !fresh {
            continue;
        }
        let backend = backend.clone();
        let registry = registry.clone();
        let image = image.clone();
        tokio::spawn(async move {
            match registry.image_facts(&image, platform.as_ref()).await {
                Ok(_) => {
                    backend.state.invalidate_analyses();
                    crate::diagnostics::refresh_all(&backend);
                    super::refresh_views(&backend);
                }
                Err(e) => tracing::info!("no registry facts for {}: {e}", image.display_name()),
            }
        });
    }
}
