//! Which rules run and how loud they are: per rule, per group, from `layerwise.toml`, the
//! editor's settings and `.hadolint.yaml`. Parsing takes text; finding the files is the
//! caller's job (this crate does no IO).

use std::collections::HashMap;

use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::rule::{Group, RuleMeta};

/// A rule's level: a severity, or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    pub fn parse(s: &str) -> Option<Self> {
        if matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "off" | "ignore" | "none" | "false"
        ) {
            return Some(Self::Off);
        }
        Severity::parse(s).map(Self::On)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// By rule name, hadolint code or BuildKit check name.
    pub rules: HashMap<String, Level>,
    pub groups: HashMap<Group, Level>,
    /// `check` exits 1 at or above this severity.
    pub failure_threshold: Option<Severity>,
    pub trusted_registries: Vec<String>,
    /// Problems reading a config file, for the user to see.
    pub warnings: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct TomlConfig {
    #[serde(default)]
    rules: HashMap<String, String>,
    #[serde(default)]
    groups: HashMap<String, String>,
    failure_threshold: Option<String>,
    #[serde(default)]
    trusted_registries: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct HadolintConfig {
    #[serde(default)]
    ignored: Vec<String>,
    #[serde(default)]
    r#override: HashMap<String, Vec<String>>,
    #[serde(default)]
    trusted_registries: Vec<String>,
    #[serde(rename = "failure-threshold")]
    failure_threshold: Option<String>,
}

impl Config {
    /// The level a rule runs at, or `None` when it is off.
    pub fn severity_of(&self, meta: &RuleMeta) -> Option<Severity> {
        let by_rule = self
            .rules
            .iter()
            .find(|(k, _)| meta.answers_to(k))
            .map(|(_, v)| *v);
        let level = by_rule.or_else(|| self.groups.get(&meta.group).copied());
        match level {
            Some(Level::Off) => None,
            Some(Level::On(s)) => Some(s),
            None if meta.default_enabled => Some(meta.severity),
            None => None,
        }
    }

    /// Reads `layerwise.toml` text on top of this config.
    pub fn merge_toml(&mut self, text: &str, origin: &str) {
        let parsed: TomlConfig = match toml::from_str(text) {
            Ok(p) => p,
            Err(e) => {
                self.warnings.push(format!("{origin}: {e}"));
                return;
            }
        };
        self.merge_levels(parsed.rules, parsed.groups, origin);
        if let Some(t) = parsed.failure_threshold {
            match Severity::parse(&t) {
                Some(s) => self.failure_threshold = Some(s),
                None => self
                    .warnings
                    .push(format!("{origin}: unknown failure-threshold {t:?}")),
            }
        }
        self.trusted_registries.extend(parsed.trusted_registries);
    }

    /// Rule and group levels from the editor's settings (`{"rules": {...}, "groups": {...}}`).
    pub fn merge_levels(
        &mut self,
        rules: HashMap<String, String>,
        groups: HashMap<String, String>,
        origin: &str,
    ) {
        for (k, v) in rules {
            match Level::parse(&v) {
                Some(l) => {
                    self.rules.insert(k, l);
                }
                None => self
                    .warnings
                    .push(format!("{origin}: unknown level {v:?} for rule {k}")),
            }
        }
        for (k, v) in groups {
            match (Group::parse(&k), Level::parse(&v)) {
                (Some(g), Some(l)) => {
                    self.groups.insert(g, l);
                }
                _ => self
                    .warnings
                    .push(format!("{origin}: unknown group or level {k} = {v:?}")),
            }
        }
    }

    /// Reads `.hadolint.yaml` text: `ignored`, `override`, `trustedRegistries`,
    /// `failure-threshold`.
    pub fn merge_hadolint_yaml(&mut self, text: &str, origin: &str) {
        let parsed: HadolintConfig = match serde_yaml::from_str(text) {
            Ok(p) => p,
            Err(e) => {
                self.warnings.push(format!("{origin}: {e}"));
                return;
            }
        };
        for code in parsed.ignored {
            self.rules.insert(code, Level::Off);
        }
        for (level, codes) in parsed.r#override {
            let Some(l) = Level::parse(&level) else {
                self.warnings
                    .push(format!("{origin}: unknown override level {level:?}"));
                continue;
            };
            for code in codes {
                self.rules.insert(code, l);
            }
        }
        self.trusted_registries.extend(parsed.trusted_registries);
        if let Some(t) = parsed
            .failure_threshold
            .as_deref()
            .and_then(Severity::parse)
        {
            self.failure_threshold = Some(t);
        }
    }
}
