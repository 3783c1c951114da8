//! `layerwise image REF`: what layerwise knows about an image — sizes per platform, layers,
//! digest, config — and where each figure came from (registry, cache, or the offline catalogue).

use anyhow::{Context, Result};
use layerwise_analysis::image_facts::{
    format_bytes, FactSource, ImageFacts, Platform, PlatformFacts, VariantSize,
};
use layerwise_analysis::image_ref::ImageRef;
use layerwise_registry::{Registry, RegistrySettings};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

/// Show an image's size per platform, layers, digest and config.
#[derive(Debug, clap::Args)]
pub struct ImageArgs {
    /// Image reference as in `FROM`: `node:20-slim`, `ghcr.io/org/app@sha256:…`.
    pub reference: String,
    /// Platform to describe (`linux/amd64`, `linux/arm64/v8`); default: the host's.
    #[arg(long)]
    pub platform: Option<String>,
    /// Describe every platform the image offers, not only one.
    #[arg(long)]
    pub all_platforms: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ImageFormat::Text)]
    pub format: ImageFormat,
    /// Do not use the network: answer from the cache and the offline catalogue.
    #[arg(long)]
    pub offline: bool,
    /// Allow plain HTTP / unverified TLS for this registry (`host:port`; repeatable).
    #[arg(long = "insecure-registry", value_name = "HOST")]
    pub insecure_registries: Vec<String>,
    /// Extra CA certificate (PEM) to trust for registries (repeatable).
    #[arg(long = "ca-cert", value_name = "FILE")]
    pub ca_certificates: Vec<PathBuf>,
    /// Cache directory (default: the user cache directory).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the disk cache.
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImageFormat {
    Text,
    Json,
}

/// Exit code 0 when facts were found (from any source), 1 when none could be, 2 on bad input.
pub fn run(args: &ImageArgs) -> Result<u8> {
    let image = match ImageRef::parse(&args.reference) {
        Ok(i) => i,
        Err(e) => {
            eprintln!(
                "layerwise: invalid image reference {:?}: {e}",
                args.reference
            );
            return Ok(2);
        }
    };
    let platform = match args.platform.as_deref().map(Platform::parse).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("layerwise: {e}");
            return Ok(2);
        }
    };
    let settings = RegistrySettings {
        offline: args.offline,
        default_platform: platform.clone(),
        insecure_registries: args.insecure_registries.clone(),
        ca_certificates: args.ca_certificates.clone(),
        cache_dir: args.cache_dir.clone(),
        disk_cache: !args.no_cache,
        ..RegistrySettings::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(lookup(settings, &image, args.all_platforms));
    // A credential helper that never answers must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_millis(500));
    let (facts, slimmer) = match result {
        Ok(found) => found,
        Err(e) => {
            eprintln!("layerwise: {e}");
            return Ok(1);
        }
    };
    let out = match args.format {
        ImageFormat::Text => render_text(&facts, &slimmer),
        ImageFormat::Json => render_json(&facts, &slimmer)?,
    };
    print!("{out}");
    Ok(0)
}

async fn lookup(
    settings: RegistrySettings,
    image: &ImageRef,
    all_platforms: bool,
) -> Result<(ImageFacts, Vec<VariantSize>)> {
    let registry = Registry::new(settings)?;
    let mut facts = registry.image_facts(image, None).await?;
    if all_platforms {
        let others: Vec<Platform> = facts
            .available_platforms
            .iter()
            .filter(|p| !facts.platforms.iter().any(|have| have.platform == **p))
            .cloned()
            .collect();
        for p in others {
            match registry.image_facts(image, Some(&p)).await {
                Ok(more) => facts.platforms.extend(more.platforms),
                Err(e) => eprintln!("layerwise: {p}: {e}"),
            }
        }
    }
    let slimmer = registry.slimmer_variants(image, None, facts.compressed_size());
    Ok((facts, slimmer))
}

fn render_json(facts: &ImageFacts, slimmer: &[VariantSize]) -> Result<String> {
    let mut value = serde_json::to_value(facts)?;
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "canonical".into(),
            serde_json::Value::String(facts.reference.canonical()),
        );
        obj.insert("slimmer_variants".into(), serde_json::to_value(slimmer)?);
    }
    let mut s = serde_json::to_string_pretty(&value)?;
    s.push('\n');
    Ok(s)
}

fn size_line(bytes: u64) -> String {
    format!("{} ({bytes} bytes)", format_bytes(bytes))
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_default()
}

fn render_platform(out: &mut String, p: &PlatformFacts, approximate: bool) {
    let approx = if approximate { " (approximate)" } else { "" };
    let _ = writeln!(out, "platform    {}", p.platform);
    if let Some(d) = &p.manifest_digest {
        let _ = writeln!(out, "  manifest    {d}");
    }
    let _ = writeln!(
        out,
        "  compressed  {}{approx}",
        size_line(p.compressed_size)
    );
    match p.unpacked_size {
        Some(u) => {
            let _ = writeln!(out, "  unpacked    {}{approx}", size_line(u));
        }
        None => {
            let _ = writeln!(
                out,
                "  unpacked    unknown (registries publish only compressed sizes)"
            );
        }
    }
    if !p.layers.is_empty() || p.layer_count > 0 {
        let _ = writeln!(out, "  layers      {}", p.layer_count);
        for (i, l) in p.layers.iter().enumerate() {
            let short = l.digest.get(..19).unwrap_or(&l.digest);
            let step = p
                .history
                .get(i)
                .map(|h| format!("  {}", truncate(h, 60)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {:>3}  {short}…  {:>9}{step}",
                i + 1,
                format_bytes(l.size)
            );
        }
    }
    if let Some(c) = &p.created {
        let _ = writeln!(out, "  created     {c}");
    }
    if !p.layers.is_empty() || p.created.is_some() {
        let user = p.user.as_deref().unwrap_or("root (not set)");
        let _ = writeln!(out, "  user        {user}");
    }
    if !p.exposed_ports.is_empty() {
        let _ = writeln!(out, "  ports       {}", p.exposed_ports.join(", "));
    }
    if let Some(e) = &p.entrypoint {
        let _ = writeln!(out, "  entrypoint  {}", json_list(e));
    }
    if let Some(c) = &p.cmd {
        let _ = writeln!(out, "  cmd         {}", json_list(c));
    }
    if let Some(w) = &p.working_dir {
        let _ = writeln!(out, "  workdir     {w}");
    }
}

fn truncate(s: &str, max: usize) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The human-readable report.
pub fn render_text(facts: &ImageFacts, slimmer: &[VariantSize]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "image       {}  ({})",
        facts.reference.display_name(),
        facts.reference.canonical()
    );
    if let Some(d) = &facts.digest {
        let _ = writeln!(out, "digest      {d}");
    }
    let _ = writeln!(out, "source      {}", facts.source.label());
    if let FactSource::Catalogue { provenance, .. } = &facts.source {
        let _ = writeln!(out, "            {provenance}");
    }
    if let Some(why) = &facts.fallback_reason {
        let _ = writeln!(out, "note        {why}");
    }
    let approximate = facts.source.is_approximate();
    for p in &facts.platforms {
        render_platform(&mut out, p, approximate);
    }
    if !facts.available_platforms.is_empty() {
        let list: Vec<String> = facts
            .available_platforms
            .iter()
            .map(ToString::to_string)
            .collect();
        let _ = writeln!(out, "platforms   {}", list.join(", "));
    }
    if let (Some(current), false) = (facts.compressed_size(), slimmer.is_empty()) {
        let _ = writeln!(out, "slimmer     (approximate, from the offline catalogue)");
        for v in slimmer {
            let ratio = if v.compressed_size > 0 {
                format!("{:.1}× smaller", current as f64 / v.compressed_size as f64)
            } else {
                "empty".to_string()
            };
            let _ = writeln!(
                out,
                "            {:<28} {:>9}  {ratio}",
                v.reference,
                format_bytes(v.compressed_size)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offline_registry(dir: &std::path::Path) -> Registry {
        Registry::new(RegistrySettings {
            offline: true,
            cache_dir: Some(dir.to_path_buf()),
            default_platform: Some(Platform::linux_amd64()),
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn offline_catalogue_report_says_approximate_and_where_from() {
        let dir = std::env::temp_dir().join(format!("layerwise-image-cmd-{}", std::process::id()));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let reg = offline_registry(&dir);
        let image = ImageRef::parse("node:20").unwrap();
        let facts = rt.block_on(reg.image_facts(&image, None)).unwrap();
        let slimmer = reg.slimmer_variants(&image, None, facts.compressed_size());
        let text = render_text(&facts, &slimmer);
        assert!(text.contains("docker.io/library/node:20"), "{text}");
        assert!(text.contains("offline catalogue, approximate"), "{text}");
        assert!(
            text.contains("380 MB (380000000 bytes) (approximate)"),
            "{text}"
        );
        assert!(text.contains("node:20-alpine"), "{text}");
        assert!(text.contains("× smaller"), "{text}");
        let json: serde_json::Value =
            serde_json::from_str(&render_json(&facts, &slimmer).unwrap()).unwrap();
        assert_eq!(json["platforms"][0]["compressed_size"], 380_000_000u64);
        assert_eq!(json["source"]["kind"], "catalogue");
        assert_eq!(json["canonical"], "docker.io/library/node:20");
        assert!(json["slimmer_variants"]
            .as_array()
            .is_some_and(|a| !a.is_empty()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn registry_figures_render_layers_and_config() {
        use layerwise_analysis::image_facts::LayerFacts;
        let mut p = PlatformFacts::sizes_only(Platform::linux_amd64(), 3000, None);
        p.layer_count = 2;
        p.layers = vec![
            LayerFacts {
                digest: format!("sha256:{}", "a".repeat(64)),
                size: 1000,
                media_type: None,
            },
            LayerFacts {
                digest: format!("sha256:{}", "b".repeat(64)),
                size: 2000,
                media_type: None,
            },
        ];
        p.history = vec!["ADD rootfs".into(), "RUN  apt-get   install x".into()];
        p.exposed_ports = vec!["80/tcp".into()];
        p.cmd = Some(vec!["nginx".into(), "-g".into()]);
        let facts = ImageFacts {
            reference: ImageRef::parse("localhost:5000/app:1").unwrap(),
            digest: Some(format!("sha256:{}", "c".repeat(64))),
            platforms: vec![p],
            available_platforms: vec![Platform::linux_amd64()],
            source: FactSource::Registry,
            fetched_at: Some(0),
            fallback_reason: None,
        };
        let text = render_text(&facts, &[]);
        assert!(text.contains("source      registry"), "{text}");
        assert!(
            text.contains("compressed  3.00 kB (3000 bytes)\n"),
            "{text}"
        );
        assert!(text.contains("unpacked    unknown"), "{text}");
        assert!(text.contains("RUN apt-get install x"), "{text}");
        assert!(text.contains("user        root (not set)"), "{text}");
        assert!(text.contains(r#"cmd         ["nginx","-g"]"#), "{text}");
        assert!(!text.contains("approximate"), "{text}");
    }
}
