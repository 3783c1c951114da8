//! Server settings: from `initializationOptions`, `workspace/configuration` (section
//! `layerwise`) and `didChangeConfiguration`. The schema printed by `layerwise settings-schema`
//! (and turned into the VS Code extension's settings) is defined next to the struct, and a test
//! keeps the two in step.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Rule name (or hadolint code / BuildKit check) → "error" | "warning" | "info" | "hint" | "off".
    #[serde(deserialize_with = "lenient")]
    pub rules: HashMap<String, String>,
    /// Group → level.
    #[serde(deserialize_with = "lenient")]
    pub groups: HashMap<String, String>,
    #[serde(deserialize_with = "lenient")]
    pub inlay_hints: Toggle,
    #[serde(deserialize_with = "lenient")]
    pub code_lens: Toggle,
    #[serde(deserialize_with = "lenient")]
    pub registry: RegistrySettings,
    #[serde(deserialize_with = "lenient")]
    pub diagnostics: DiagnosticsSettings,
    #[serde(deserialize_with = "lenient")]
    pub context: ContextSettings,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Toggle {
    pub enabled: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct RegistrySettings {
    /// Never contact a registry; sizes come from the cache and the offline catalogue.
    pub offline: bool,
    /// Mirrors for Docker Hub, tried in order (`https://mirror.example.com`).
    #[serde(deserialize_with = "lenient")]
    pub mirrors: Vec<String>,
    /// Registries allowed over plain HTTP (loopback always is).
    #[serde(deserialize_with = "lenient")]
    pub insecure: Vec<String>,
    /// Default platform for sizes, e.g. `linux/arm64` (empty: the host's).
    pub platform: String,
    /// Where to cache registry answers (empty: the user cache directory).
    pub cache_dir: String,
    /// How long a tag → digest answer stays fresh, in seconds.
    pub tag_ttl_seconds: u64,
    /// Extra CA certificates (PEM files) trusted for registries, e.g. a company registry
    /// signed by an internal CA. The system's roots stay trusted.
    #[serde(deserialize_with = "lenient")]
    pub ca_certificates: Vec<String>,
    /// Directory holding Docker's `config.json` (credentials and credential helpers); empty:
    /// `$DOCKER_CONFIG`, else `~/.docker`, as `docker` itself looks.
    pub docker_config: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct DiagnosticsSettings {
    /// Wait this long after the last keystroke before computing diagnostics. Short by default:
    /// analysing a 10,000-line file takes milliseconds, and a newer change within the delay
    /// replaces the pending one, so a burst of keys still costs one analysis.
    pub debounce_ms: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ContextSettings {
    /// Read the build context (file sizes, .dockerignore, path completion).
    pub enabled: bool,
    /// Stop walking the context after this many entries.
    pub max_files: usize,
}

impl Default for Toggle {
    fn default() -> Self {
        Self { enabled: true }
    }
}

/// Also what a `registry` section fills in for the keys it leaves out: a section without
/// `tagTtlSeconds` must not make every cached tag stale at once (a derived default gave 0).
impl Default for RegistrySettings {
    fn default() -> Self {
        Self {
            offline: false,
            mirrors: Vec::new(),
            insecure: Vec::new(),
            platform: String::new(),
            cache_dir: String::new(),
            tag_ttl_seconds: 6 * 3600,
            ca_certificates: Vec::new(),
            docker_config: String::new(),
        }
    }
}

impl Default for DiagnosticsSettings {
    fn default() -> Self {
        Self { debounce_ms: 10 }
    }
}

impl Default for ContextSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            max_files: 200_000,
        }
    }
}

impl Settings {
    /// Reads settings from a JSON value: either the `layerwise` section itself or an object
    /// holding it. Unknown keys are ignored; a malformed value keeps the defaults and says why.
    pub fn from_value(value: &Value) -> (Self, Option<String>) {
        let section = value.get("layerwise").unwrap_or(value);
        if section.is_null() {
            return (Self::default(), None);
        }
        match serde_json::from_value::<Settings>(section.clone()) {
            Ok(s) => (s, None),
            Err(e) => (
                Self::default(),
                Some(format!("layerwise settings ignored: {e}")),
            ),
        }
    }

    pub fn lint_config(&self, base: &layerwise_lint::Config) -> layerwise_lint::Config {
        let mut c = base.clone();
        c.merge_levels(self.rules.clone(), self.groups.clone(), "editor settings");
        c
    }
}

/// Accepts `null` and `[]` for an empty map or section: Neovim sends an empty Lua table as
/// `[]`, Emacs sends `()` as `null`.
fn lenient<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    let v = Value::deserialize(d)?;
    match &v {
        Value::Null => Ok(T::default()),
        Value::Array(a) if a.is_empty() => Ok(T::default()),
        _ => serde_json::from_value(v).map_err(serde::de::Error::custom),
    }
}

/// The settings schema in VS Code's `contributes.configuration.properties` shape.
pub fn schema() -> Value {
    let levels = json!(["error", "warning", "info", "hint", "off"]);
    json!({ "properties": {
        "layerwise.rules": { "type": "object", "default": {}, "additionalProperties": { "type": "string", "enum": levels },
            "markdownDescription": "Severity per rule (name, hadolint code or BuildKit check), e.g. `{\"untagged-image\": \"error\", \"DL3008\": \"off\"}`. `layerwise rules` lists them." },
        "layerwise.groups": { "type": "object", "default": {}, "additionalProperties": { "type": "string", "enum": levels },
            "markdownDescription": "Severity per rule group: correctness, suspicious, cache, size, security, reproducibility, style, nursery." },
        "layerwise.inlayHints.enabled": { "type": "boolean", "default": true, "description": "Show estimated layer sizes, stage totals and the final image size as inlay hints." },
        "layerwise.codeLens.enabled": { "type": "boolean", "default": true, "description": "Show per-stage code lenses (base image, estimated size, used by)." },
        "layerwise.registry.offline": { "type": "boolean", "default": false, "description": "Never contact a registry: sizes come from the cache and the offline catalogue." },
        "layerwise.registry.mirrors": { "type": "array", "items": { "type": "string" }, "default": [], "description": "Docker Hub mirrors, tried in order." },
        "layerwise.registry.insecure": { "type": "array", "items": { "type": "string" }, "default": [], "description": "Registries allowed over plain HTTP (loopback always is)." },
        "layerwise.registry.platform": { "type": "string", "default": "", "description": "Default platform for image sizes, e.g. linux/arm64 (empty: this machine's)." },
        "layerwise.registry.cacheDir": { "type": "string", "default": "", "description": "Where registry answers are cached (empty: the user cache directory)." },
        "layerwise.registry.tagTtlSeconds": { "type": "number", "default": 21600, "description": "How long a tag → digest answer stays fresh." },
        "layerwise.registry.caCertificates": { "type": "array", "items": { "type": "string" }, "default": [], "scope": "machine", "description": "Extra CA certificates (PEM files, absolute paths) to trust for registries, e.g. an internal CA. The system's roots stay trusted." },
        "layerwise.registry.dockerConfig": { "type": "string", "default": "", "scope": "machine", "description": "Directory (absolute path) holding Docker's config.json with registry credentials (empty: $DOCKER_CONFIG, else ~/.docker)." },
        "layerwise.diagnostics.debounceMs": { "type": "number", "default": 10, "description": "Delay after the last keystroke before diagnostics are computed and published. A change arriving within it replaces the pending one, so a burst of keys costs one analysis. Raise it if errors flickering mid-word bother you." },
        "layerwise.context.enabled": { "type": "boolean", "default": true, "description": "Read the build context for sizes, .dockerignore checks and path completion." },
        "layerwise.context.maxFiles": { "type": "number", "default": 200000, "description": "Stop reading the build context after this many entries." }
    }})
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_registry_section_without_a_ttl_keeps_the_default_ttl() {
        let (s, _) = Settings::from_value(&serde_json::json!({"registry": {"offline": true}}));
        assert!(s.registry.offline);
        assert_eq!(s.registry.tag_ttl_seconds, 6 * 3600);
    }

    use super::*;

    /// Every key in the schema deserialises into `Settings` with its documented default, and
    /// every field of `Settings` is in the schema.
    #[test]
    fn schema_matches_struct() {
        let props = schema()["properties"].as_object().unwrap().clone();
        let mut nested = serde_json::Map::new();
        for (key, spec) in &props {
            let path: Vec<&str> = key.trim_start_matches("layerwise.").split('.').collect();
            let mut cur = &mut nested;
            for p in &path[..path.len() - 1] {
                cur = cur
                    .entry(p.to_string())
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .unwrap();
            }
            cur.insert(path[path.len() - 1].to_string(), spec["default"].clone());
        }
        let parsed: Settings =
            serde_json::from_value(Value::Object(nested)).expect("schema defaults deserialize");
        assert_eq!(
            parsed,
            Settings::default(),
            "schema defaults equal the struct's defaults"
        );
        // and the struct has no field the schema lacks: serialise-by-hand check of the leaf count
        assert_eq!(props.len(), 15);
    }

    #[test]
    fn empty_maps_may_arrive_as_arrays_or_null() {
        let (s, err) = Settings::from_value(
            &json!({"rules": [], "groups": null, "registry": {"mirrors": null, "offline": true}}),
        );
        assert!(err.is_none(), "{err:?}");
        assert!(s.rules.is_empty() && s.registry.offline);
    }

    #[test]
    fn tolerates_bad_input() {
        let (s, err) =
            Settings::from_value(&json!({"layerwise": {"inlayHints": {"enabled": "yes"}}}));
        assert_eq!(s, Settings::default());
        assert!(err.is_some());
        let (s, err) = Settings::from_value(&json!({"registry": {"offline": true}, "unknown": 1}));
        assert!(s.registry.offline && err.is_none());
    }
}
