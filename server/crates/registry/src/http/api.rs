//! The [`Distribution`] methods over HTTP: manifests (HEAD and GET), blobs, and tag lists
//! (paginated by `Link` headers within the same repository, up to a page count).

use super::{HttpDistribution, Subject};
use crate::distribution::{BoxFuture, Distribution, ManifestBytes, ManifestHead};
use crate::manifest::MANIFEST_ACCEPT;
use crate::RegistryError;
use layerwise_analysis::image_ref::ImageRef;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::Method;
use std::sync::atomic::Ordering;

const MAX_TAG_PAGE: u64 = 4 * 1024 * 1024;
const MAX_TAG_PAGES: usize = 50;

fn manifest_subject<'a>(image: &'a ImageRef, reference: &str) -> Subject<'a> {
    let sep = if reference.contains(':') { '@' } else { ':' };
    Subject {
        image,
        text: format!("{}{sep}{reference}", image.familiar_name()),
    }
}

fn header_string(headers: &HeaderMap, name: impl reqwest::header::AsHeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The `next` target of an RFC 8288 `Link` header (`</v2/x/tags/list?last=a&n=100>; rel="next"`).
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get("link")?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params.contains("rel=\"next\"").then(|| target.to_string())
    })
}

#[derive(serde::Deserialize)]
struct TagList {
    tags: Option<Vec<String>>,
}

impl Distribution for HttpDistribution {
    fn head_manifest<'a>(
        &'a self,
        image: &'a ImageRef,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<ManifestHead, RegistryError>> {
        Box::pin(async move {
            let subject = manifest_subject(image, reference);
            let reply = self
                .request(
                    &subject,
                    Method::HEAD,
                    &format!("manifests/{reference}"),
                    MANIFEST_ACCEPT,
                    0,
                    "manifest",
                )
                .await?;
            Ok(ManifestHead {
                digest: header_string(&reply.headers, "docker-content-digest"),
                media_type: header_string(&reply.headers, CONTENT_TYPE),
            })
        })
    }

    fn get_manifest<'a>(
        &'a self,
        image: &'a ImageRef,
        reference: &'a str,
        max_bytes: u64,
    ) -> BoxFuture<'a, Result<ManifestBytes, RegistryError>> {
        Box::pin(async move {
            let subject = manifest_subject(image, reference);
            let reply = self
                .request(
                    &subject,
                    Method::GET,
                    &format!("manifests/{reference}"),
                    MANIFEST_ACCEPT,
                    max_bytes,
                    "manifest",
                )
                .await?;
            Ok(ManifestBytes {
                media_type: header_string(&reply.headers, CONTENT_TYPE),
                bytes: reply.body,
            })
        })
    }

    fn get_blob<'a>(
        &'a self,
        image: &'a ImageRef,
        digest: &'a str,
        max_bytes: u64,
    ) -> BoxFuture<'a, Result<Vec<u8>, RegistryError>> {
        Box::pin(async move {
            let subject = Subject {
                image,
                text: format!("blob {digest} of {}", image.familiar_name()),
            };
            let reply = self
                .request(
                    &subject,
                    Method::GET,
                    &format!("blobs/{digest}"),
                    &[],
                    max_bytes,
                    "image config",
                )
                .await?;
            Ok(reply.body)
        })
    }

    fn list_tags<'a>(
        &'a self,
        image: &'a ImageRef,
        max_tags: usize,
    ) -> BoxFuture<'a, Result<Vec<String>, RegistryError>> {
        Box::pin(async move {
            let subject = Subject {
                image,
                text: format!("tags of {}", image.familiar_name()),
            };
            let prefix = format!("/v2/{}/", image.repository);
            let mut path = "tags/list?n=1000".to_string();
            let mut tags = Vec::new();
            for _page in 0..MAX_TAG_PAGES {
                let reply = self
                    .request(
                        &subject,
                        Method::GET,
                        &path,
                        &["application/json"],
                        MAX_TAG_PAGE,
                        "tag list",
                    )
                    .await?;
                let page: TagList =
                    serde_json::from_slice(&reply.body).map_err(|e| RegistryError::Malformed {
                        what: "tag list".into(),
                        detail: e.to_string(),
                    })?;
                tags.extend(page.tags.unwrap_or_default());
                if tags.len() >= max_tags {
                    tags.truncate(max_tags);
                    break;
                }
                // Only follow pagination within the same repository on the same host.
                match next_link(&reply.headers)
                    .and_then(|n| n.strip_prefix(&prefix).map(str::to_string))
                {
                    Some(next) if next.starts_with("tags/list") => path = next,
                    _ => break,
                }
            }
            Ok(tags)
        })
    }

    fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            "link",
            r#"</v2/a/tags/list?last=x&n=2>; rel="next""#.parse().unwrap(),
        );
        assert_eq!(next_link(&h).as_deref(), Some("/v2/a/tags/list?last=x&n=2"));
        h.insert("link", r#"<http://x/y>; rel="prev""#.parse().unwrap());
        assert_eq!(next_link(&h), None);
    }
}
