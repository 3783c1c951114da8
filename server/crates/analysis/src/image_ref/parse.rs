//! Parsing and normalising a reference by Docker's grammar (see the module docs of
//! `image_ref`): each part validated with its own byte range, then the registry host
//! decided and Docker Hub names filled in (`node` → `docker.io/library/node`).

use std::ops::Range;

use super::error::{err, ImageRefError, ImageRefErrorKind};
use super::{ImageRef, ImageRefSpans, DOCKER_HUB, MAX_NAME_LEN, MAX_TAG_LEN};

impl ImageRef {
    /// Parses and normalises a reference. See the module docs for the grammar.
    pub fn parse(input: &str) -> Result<ImageRef, ImageRefError> {
        Self::parse_spanned(input).map(|(r, _)| r)
    }

    /// Like [`ImageRef::parse`], also returning where the name, tag and digest are in `input`.
    pub fn parse_spanned(input: &str) -> Result<(ImageRef, ImageRefSpans), ImageRefError> {
        if input.is_empty() {
            return err(ImageRefErrorKind::Empty, 0..0);
        }
        if let Some((i, c)) = input
            .char_indices()
            .find(|(_, c)| c.is_whitespace() || c.is_control() || !c.is_ascii())
        {
            return err(ImageRefErrorKind::InvalidCharacter(c), i..i + c.len_utf8());
        }

        // Digest: everything after the first '@'.
        let (name_and_tag_end, digest) = match input.find('@') {
            Some(at) => {
                let d = at + 1..input.len();
                validate_digest(input, d.clone())?;
                (at, Some(d))
            }
            None => (input.len(), None),
        };
        let name_and_tag = &input[..name_and_tag_end];

        // Tag: after the last ':' that follows the last '/'.
        let last_slash = name_and_tag.rfind('/');
        let tag_colon = name_and_tag
            .rfind(':')
            .filter(|&c| !matches!(last_slash, Some(s) if c < s));
        let (name_end, tag) = match tag_colon {
            Some(c) => {
                let t = c + 1..name_and_tag_end;
                validate_tag(input, t.clone())?;
                (c, Some(t))
            }
            None => (name_and_tag_end, None),
        };
        let name = &input[..name_end];
        if name.is_empty() {
            return err(ImageRefErrorKind::EmptyComponent, 0..0);
        }
        if name.len() > MAX_NAME_LEN {
            return err(ImageRefErrorKind::NameTooLong, 0..name_end);
        }

        // Registry host, by Docker's rule.
        let (domain, path_start) = match name.find('/') {
            Some(i) => {
                let first = &name[..i];
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.bytes().any(|b| b.is_ascii_uppercase())
                {
                    validate_domain(input, 0..i)?;
                    (Some(first), i + 1)
                } else {
                    (None, 0)
                }
            }
            None => (None, 0),
        };
        validate_path(input, path_start..name_end)?;
        let path = &name[path_start..];
        if domain.is_none() && path.len() == 64 && path.bytes().all(|b| b.is_ascii_hexdigit()) {
            return err(ImageRefErrorKind::LooksLikeImageId, 0..name_end);
        }

        let registry = match domain {
            None => DOCKER_HUB.to_string(),
            Some(d) if is_docker_hub_alias(d) => DOCKER_HUB.to_string(),
            Some(d) => d.to_string(),
        };
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_string()
        };
        let image = ImageRef {
            registry,
            repository,
            tag: tag.clone().map(|t| input[t].to_string()),
            digest: digest.clone().map(|d| input[d].to_string()),
        };
        let spans = ImageRefSpans {
            name: 0..name_end,
            tag,
            digest,
        };
        Ok((image, spans))
    }
}

/// `index.docker.io` and `registry-1.docker.io` are other names of Docker Hub.
fn is_docker_hub_alias(domain: &str) -> bool {
    matches!(
        domain,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

fn validate_domain(input: &str, span: Range<usize>) -> Result<(), ImageRefError> {
    let text = &input[span.clone()];
    let base = span.start;
    // Host: [IPv6] or DNS-like components.
    let (host_end, port_start) = if text.starts_with('[') {
        match text.find(']') {
            Some(close) => {
                let inner = &text[1..close];
                if inner.is_empty()
                    || !inner
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
                {
                    return err(ImageRefErrorKind::InvalidDomain, base..base + close + 1);
                }
                match &text[close + 1..] {
                    "" => (close + 1, None),
                    rest if rest.starts_with(':') => (close + 1, Some(close + 2)),
                    _ => return err(ImageRefErrorKind::InvalidDomain, base + close + 1..span.end),
                }
            }
            None => return err(ImageRefErrorKind::InvalidDomain, span),
        }
    } else {
        match text.find(':') {
            Some(c) => (c, Some(c + 1)),
            None => (text.len(), None),
        }
    };
    if !text.starts_with('[') {
        let host = &text[..host_end];
        let mut offset = 0;
        for component in host.split('.') {
            let ok = !component.is_empty()
                && component
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !component.starts_with('-')
                && !component.ends_with('-');
            if !ok {
                let at = base + offset;
                let bad = component
                    .char_indices()
                    .find(|(_, c)| !c.is_ascii_alphanumeric() && *c != '-')
                    .map(|(i, c)| (ImageRefErrorKind::InvalidCharacter(c), at + i..at + i + 1))
                    .unwrap_or((ImageRefErrorKind::InvalidDomain, at..at + component.len()));
                return err(bad.0, bad.1);
            }
            offset += component.len() + 1;
        }
    }
    if let Some(p) = port_start {
        let port = &text[p..];
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
            return err(ImageRefErrorKind::InvalidPort, base + p..span.end);
        }
    }
    Ok(())
}

fn validate_path(input: &str, span: Range<usize>) -> Result<(), ImageRefError> {
    let text = &input[span.clone()];
    let mut start = span.start;
    for component in text.split('/') {
        validate_component(input, start..start + component.len())?;
        start += component.len() + 1;
    }
    Ok(())
}

/// `[a-z0-9]+ ( ("." | "_" | "__" | "-"+) [a-z0-9]+ )*`
fn validate_component(input: &str, span: Range<usize>) -> Result<(), ImageRefError> {
    let bytes = &input.as_bytes()[span.clone()];
    if bytes.is_empty() {
        return err(ImageRefErrorKind::EmptyComponent, span.start..span.start);
    }
    let at = |i: usize| span.start + i..span.start + i + 1;
    let mut i = 0;
    let mut need_alnum = true;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_lowercase() || b.is_ascii_digit() {
            need_alnum = false;
            i += 1;
            continue;
        }
        if b.is_ascii_uppercase() {
            return err(ImageRefErrorKind::UppercaseRepository, at(i));
        }
        let sep_len = match b {
            b'.' => 1,
            b'_' if bytes.get(i + 1) == Some(&b'_') => 2,
            b'_' => 1,
            b'-' => bytes[i..].iter().take_while(|&&c| c == b'-').count(),
            _ => return err(ImageRefErrorKind::InvalidCharacter(b as char), at(i)),
        };
        // A separator must sit between alphanumerics.
        if need_alnum || i + sep_len >= bytes.len() {
            return err(ImageRefErrorKind::InvalidCharacter(b as char), at(i));
        }
        let next = bytes[i + sep_len];
        if !(next.is_ascii_lowercase() || next.is_ascii_digit() || next.is_ascii_uppercase()) {
            return err(
                ImageRefErrorKind::InvalidCharacter(next as char),
                at(i + sep_len),
            );
        }
        i += sep_len;
        need_alnum = true;
    }
    Ok(())
}

fn validate_tag(input: &str, span: Range<usize>) -> Result<(), ImageRefError> {
    let tag = &input.as_bytes()[span.clone()];
    if tag.is_empty() {
        return err(ImageRefErrorKind::InvalidTag, span);
    }
    if tag.len() > MAX_TAG_LEN {
        return err(ImageRefErrorKind::TagTooLong, span);
    }
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    for (i, &b) in tag.iter().enumerate() {
        let ok = if i == 0 {
            word(b)
        } else {
            word(b) || b == b'.' || b == b'-'
        };
        if !ok {
            let p = span.start + i;
            let kind = if b == b':' || b == b'/' {
                ImageRefErrorKind::InvalidCharacter(b as char)
            } else {
                ImageRefErrorKind::InvalidTag
            };
            return err(kind, p..p + 1);
        }
    }
    Ok(())
}

fn validate_digest(input: &str, span: Range<usize>) -> Result<(), ImageRefError> {
    let text = &input[span.clone()];
    let bad = |r: Range<usize>| err(ImageRefErrorKind::InvalidDigest, r);
    let Some(colon) = text.find(':') else {
        return bad(span);
    };
    let (alg, hex) = (&text[..colon], &text[colon + 1..]);
    let alg_ok = !alg.is_empty()
        && alg.split(['+', '.', '_', '-']).all(|c| {
            c.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && c.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    if !alg_ok {
        return bad(span.start..span.start + colon);
    }
    let hex_span = span.start + colon + 1..span.end;
    let expected_len = match alg {
        "sha256" => Some(64),
        "sha384" => Some(96),
        "sha512" => Some(128),
        _ => None,
    };
    let hex_ok = match expected_len {
        Some(n) => {
            hex.len() == n
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        None => hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
    };
    if !hex_ok {
        return bad(hex_span);
    }
    Ok(())
}
