//! `workspace/executeCommand`: `layerwise.imageSize` (what layerwise knows about an image) and
//! the commands other features register.

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};

use layerwise_analysis::image_facts::Platform;
use layerwise_analysis::image_ref::ImageRef;

use crate::server::Backend;
use crate::types::{ExecuteCommandOptions, ExecuteCommandParams, LSPAny, ServerCapabilities};

pub const IMAGE_SIZE: &str = "layerwise.imageSize";

pub fn capability(caps: &mut ServerCapabilities) {
    caps.execute_command_provider = Some(ExecuteCommandOptions {
        commands: vec![IMAGE_SIZE.into(), super::code_actions::SPLIT.into()],
        work_done_progress_options: Default::default(),
    });
}

pub async fn execute(b: &Backend, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
    match params.command.as_str() {
        IMAGE_SIZE => image_size(b, params.arguments).await,
        super::code_actions::SPLIT => super::code_actions::execute_split(b, params.arguments).await,
        other => Err(Error::invalid_params(format!("unknown command {other}"))),
    }
}

/// Arguments: `[reference]` or `[{"image": reference, "platform": "linux/arm64"}]`. Answers
/// with the facts as JSON (sizes in bytes), waiting on the registry at most a few seconds.
async fn image_size(b: &Backend, args: Vec<Value>) -> Result<Option<LSPAny>> {
    let (reference, platform) = match args.first() {
        Some(Value::String(s)) => (s.clone(), None),
        Some(Value::Object(o)) => (
            o.get("image")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            o.get("platform")
                .and_then(Value::as_str)
                .and_then(|p| Platform::parse(p).ok()),
        ),
        _ => return Err(Error::invalid_params("expected an image reference")),
    };
    let image = ImageRef::parse(&reference)
        .map_err(|e| Error::invalid_params(format!("{reference}: {e}")))?;
    let registry = b.state.registry();
    let lookup = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        registry.image_facts(&image, platform.as_ref()),
    )
    .await;
    let facts = match lookup {
        Ok(Ok(f)) => f,
        Ok(Err(e)) => match registry.catalogue_facts(&image, platform.as_ref()) {
            Some(f) => f,
            None => return Err(Error::invalid_params(e.to_string())),
        },
        Err(_) => match registry
            .cached_facts(&image, platform.as_ref())
            .or_else(|| registry.catalogue_facts(&image, platform.as_ref()))
        {
            Some(f) => f,
            None => return Err(Error::invalid_params("the registry did not answer in time")),
        },
    };
    Ok(serde_json::to_value(facts).ok())
}
