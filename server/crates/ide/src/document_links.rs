//! Document links: base images (and `COPY --from=<image>`) to their page on the registry's
//! website, and `COPY`/`ADD` sources that exist in the build context to the file. Without
//! build-context facts there are only image links.

use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::{Base, RefTarget};
use layerwise_syntax::{Args, InstructionKind, TextRange};

use crate::Analysis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// A web page.
    Url(String),
    /// A file of the build context, `/`-separated and relative to the context root (the
    /// Dockerfile's folder); `lsp` makes the file URI.
    ContextFile(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub range: TextRange,
    pub target: LinkTarget,
    pub tooltip: String,
}

pub fn document_links(a: &Analysis) -> Vec<Link> {
    capped_links(a, usize::MAX).links
}

/// The first links of a document in source order, and how many more there are.
pub struct CappedLinks {
    pub links: Vec<Link>,
    pub left_out: usize,
}

/// Where a link will go, before its URL and tooltip are written: links are placed and
/// ordered first and only the first `max` get their strings (a file of 570,000 `FROM a`
/// stages has as many links; writing them all took 7 s and 1.6 GB of answer, F16).
enum Pending<'a> {
    Image(&'a ImageRef),
    ContextFile(String),
}

/// At most `max` links, in source order, and a count of the rest.
pub fn capped_links(a: &Analysis, max: usize) -> CappedLinks {
    let mut pending: Vec<(TextRange, Pending<'_>)> = Vec::new();
    for st in &a.model.stages {
        if let Base::Image(img) = &st.base {
            if !st.base_range.is_empty() {
                pending.push((st.base_range, Pending::Image(img)));
            }
        }
    }
    for rf in &a.model.refs {
        if let RefTarget::Image(img) = &rf.target {
            pending.push((rf.range, Pending::Image(img)));
        }
    }
    if a.facts.context.is_some() {
        context_links(a, &mut pending);
    }
    pending.sort_by_key(|(range, _)| range.start);
    let mut links = Vec::new();
    let mut left_out = 0;
    for (range, p) in pending {
        match p {
            Pending::Image(img) if links.len() == max => {
                left_out += usize::from(has_page(img));
            }
            Pending::ContextFile(_) if links.len() == max => left_out += 1,
            Pending::Image(img) => links.extend(image_link(img, range)),
            Pending::ContextFile(path) => links.push(Link {
                range,
                tooltip: format!("Open {path}"),
                target: LinkTarget::ContextFile(path),
            }),
        }
    }
    CappedLinks { links, left_out }
}

fn image_link(img: &ImageRef, range: TextRange) -> Option<Link> {
    let (url, site) = registry_page(img)?;
    Some(Link {
        range,
        target: LinkTarget::Url(url),
        tooltip: format!("Open {} on {site}", img.familiar_name()),
    })
}

/// Whether [`registry_page`] has a page for the image, without writing its URL.
fn has_page(img: &ImageRef) -> bool {
    if img.is_scratch() {
        return false;
    }
    let host = img.registry.as_str();
    let repo = img.repository.as_str();
    match host {
        "docker.io" | "ghcr.io" | "quay.io" | "mcr.microsoft.com" | "public.ecr.aws" => true,
        "gcr.io" | "us.gcr.io" | "eu.gcr.io" | "asia.gcr.io" => repo.contains('/'),
        _ => host.ends_with("-docker.pkg.dev") && repo.splitn(3, '/').count() == 3,
    }
}

/// The web page of an image's repository and the name of the site, for the registries that
/// have one.
pub fn registry_page(img: &ImageRef) -> Option<(String, &'static str)> {
    let repo = img.repository.as_str();
    let host = img.registry.as_str();
    if img.is_scratch() {
        return None;
    }
    Some(match host {
        "docker.io" => match repo.strip_prefix("library/").filter(|r| !r.contains('/')) {
            Some(official) => (format!("https://hub.docker.com/_/{official}"), "Docker Hub"),
            None => (format!("https://hub.docker.com/r/{repo}"), "Docker Hub"),
        },
        "ghcr.io" => (format!("https://ghcr.io/{repo}"), "GitHub Packages"),
        "quay.io" => (format!("https://quay.io/repository/{repo}"), "Quay"),
        "mcr.microsoft.com" => (
            format!("https://mcr.microsoft.com/artifact/mar/{repo}"),
            "Microsoft Artifact Registry",
        ),
        "public.ecr.aws" => (
            format!("https://gallery.ecr.aws/{repo}"),
            "Amazon ECR Public Gallery",
        ),
        "gcr.io" | "us.gcr.io" | "eu.gcr.io" | "asia.gcr.io" => {
            let location = match host.split_once('.') {
                Some((loc, "gcr.io")) => loc.to_ascii_uppercase(),
                _ => "GLOBAL".to_string(),
            };
            let (project, image) = repo.split_once('/')?;
            (
                format!("https://console.cloud.google.com/gcr/images/{project}/{location}/{image}"),
                "Google Container Registry",
            )
        }
        _ => {
            let region = host.strip_suffix("-docker.pkg.dev")?;
            let mut parts = repo.splitn(3, '/');
            let (project, repository, image) = (parts.next()?, parts.next()?, parts.next()?);
            (
                format!(
                    "https://console.cloud.google.com/artifacts/docker/{project}/{region}/{repository}/{image}"
                ),
                "Artifact Registry",
            )
        }
    })
}

/// `COPY`/`ADD` sources from the build context that name one existing file.
fn context_links<'a>(a: &'a Analysis, out: &mut Vec<(TextRange, Pending<'a>)>) {
    let Some(ctx) = a.facts.context.as_ref() else {
        return;
    };
    for (r, inst) in a.file.instructions() {
        let inst = inst.effective();
        if !matches!(inst.kind, InstructionKind::Copy | InstructionKind::Add)
            || inst.flag("from").is_some()
        {
            continue;
        }
        let Some((sources, Some(_))) = inst.copy_parts() else {
            continue;
        };
        let json = matches!(inst.args, Args::Exec { .. });
        for w in sources {
            let text = &*w.text;
            if text.starts_with("<<")
                || text.contains("://")
                || text.starts_with("git@")
                || text.contains(['$', '*', '?', '['])
            {
                continue;
            }
            // A source as a context path: `./src/` → `src`, `/a` → `a`.
            let path = crate::clean_path::clean(text);
            if path.is_empty() || ctx.entry(&path).is_none_or(|e| e.is_dir()) {
                continue;
            }
            let mut range = r.abs(w.range);
            if json && range.len() >= 2 {
                range = TextRange::new(range.start + 1, range.end - 1);
            }
            out.push((range, Pending::ContextFile(path)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_analysis::build_context::{BuildContext, ContextEntry, RawContext};

    fn url(image: &str) -> Option<String> {
        registry_page(&ImageRef::parse(image).ok()?).map(|(u, _)| u)
    }

    #[test]
    fn registry_pages() {
        assert_eq!(
            url("node:20").as_deref(),
            Some("https://hub.docker.com/_/node")
        );
        assert_eq!(url("docker.io/library/node@sha256:0123456789012345678901234567890123456789012345678901234567890123").as_deref(), Some("https://hub.docker.com/_/node"));
        assert_eq!(
            url("bitnami/redis:7").as_deref(),
            Some("https://hub.docker.com/r/bitnami/redis")
        );
        assert_eq!(
            url("ghcr.io/org/app:1").as_deref(),
            Some("https://ghcr.io/org/app")
        );
        assert_eq!(
            url("quay.io/prometheus/node-exporter").as_deref(),
            Some("https://quay.io/repository/prometheus/node-exporter")
        );
        assert_eq!(
            url("mcr.microsoft.com/dotnet/sdk:8.0").as_deref(),
            Some("https://mcr.microsoft.com/artifact/mar/dotnet/sdk")
        );
        assert_eq!(
            url("gcr.io/distroless/static-debian12").as_deref(),
            Some("https://console.cloud.google.com/gcr/images/distroless/GLOBAL/static-debian12")
        );
        assert_eq!(
            url("eu.gcr.io/p/a/b").as_deref(),
            Some("https://console.cloud.google.com/gcr/images/p/EU/a/b")
        );
        assert_eq!(
            url("us-central1-docker.pkg.dev/proj/repo/img:1").as_deref(),
            Some("https://console.cloud.google.com/artifacts/docker/proj/us-central1/repo/img")
        );
        assert_eq!(
            url("public.ecr.aws/docker/library/nginx").as_deref(),
            Some("https://gallery.ecr.aws/docker/library/nginx")
        );
        assert_eq!(url("registry.example.com/a/b"), None);
        assert_eq!(url("scratch"), None);
    }

    #[test]
    fn image_links_for_bases_and_copy_from_images() {
        let text = "ARG V=20\nFROM node:${V} AS build\nFROM build\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\nFROM scratch\n";
        let a = Analysis::from_text(text);
        let links = document_links(&a);
        let got: Vec<_> = links
            .iter()
            .map(|l| (a.slice(l.range), l.target.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "node:${V}",
                    LinkTarget::Url("https://hub.docker.com/_/node".into())
                ),
                (
                    "nginx:1.27",
                    LinkTarget::Url("https://hub.docker.com/_/nginx".into())
                ),
            ]
        );
        assert_eq!(links[0].tooltip, "Open node on Docker Hub");
    }

    #[test]
    fn copy_sources_that_exist_link_to_files() {
        let text = "FROM alpine:3.20\nCOPY ./package.json src/ missing.txt /app/\nADD [\"config/app.conf\", \"/etc/\"]\nCOPY --from=build /app/x /x\nCOPY *.json $D/a /x\n";
        let mut a = Analysis::from_text(text);
        a.facts.context = Some(std::sync::Arc::new(BuildContext::new(RawContext::new(
            "/ctx",
            vec![
                ContextEntry::file("package.json", 10),
                ContextEntry::dir("src"),
                ContextEntry::file("src/main.js", 10),
                ContextEntry::dir("config"),
                ContextEntry::file("config/app.conf", 5),
            ],
        ))));
        let links = document_links(&a);
        let got: Vec<_> = links
            .iter()
            .filter(|l| matches!(l.target, LinkTarget::ContextFile(_)))
            .map(|l| (a.slice(l.range), l.target.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "./package.json",
                    LinkTarget::ContextFile("package.json".into())
                ),
                (
                    "config/app.conf",
                    LinkTarget::ContextFile("config/app.conf".into())
                ),
            ]
        );
    }

    #[test]
    fn has_page_agrees_with_registry_page() {
        for image in [
            "node:20",
            "bitnami/redis",
            "scratch",
            "ghcr.io/o/a",
            "quay.io/a/b",
            "mcr.microsoft.com/dotnet/sdk",
            "public.ecr.aws/a/b",
            "gcr.io/distroless/static",
            "gcr.io/lonely",
            "asia.gcr.io/p/i",
            "us-central1-docker.pkg.dev/p/r/i",
            "us-central1-docker.pkg.dev/p/r",
            "europe-docker.pkg.dev/p/r/i/deeper",
            "registry.example.com/a/b",
            "localhost:5000/a",
        ] {
            let img = ImageRef::parse(image).unwrap();
            assert_eq!(has_page(&img), registry_page(&img).is_some(), "{image}");
        }
    }

    #[test]
    fn capped_links_keep_source_order_and_count_the_rest() {
        let text = "FROM node:20 AS a\nCOPY --from=nginx:1 /a /a\nFROM scratch\nFROM registry.example.com/x\nFROM ghcr.io/o/b\nFROM quay.io/q/c\n";
        let a = Analysis::from_text(text);
        let all = document_links(&a);
        assert_eq!(all.len(), 4);
        for max in 0..=5 {
            let capped = capped_links(&a, max);
            let kept = max.min(all.len());
            assert_eq!(capped.links, all[..kept], "max {max}");
            assert_eq!(capped.left_out, all.len() - kept, "max {max}");
        }
    }

    #[test]
    fn odd_files_do_not_panic() {
        for t in [
            "",
            "FROM",
            "FROM $X",
            "COPY",
            "FROM a\nCOPY a",
            "FROM a\nADD [\"\"]",
        ] {
            let _ = document_links(&Analysis::from_text(t));
        }
    }
}
