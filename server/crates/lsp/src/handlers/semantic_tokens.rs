//! `textDocument/semanticTokens/full`, `/full/delta` and `/range`.
//!
//! Tokens come from `layerwise_ide::semantic_tokens` as byte ranges on one line each; they are
//! encoded here in one forward pass over the text (line and column kept as we go, so a
//! 10,000-line file costs one scan, not a position lookup per token).
//!
//! Delta: the last full result of each document is kept (with its result id) in a small map
//! owned by this module, bounded to [`MAX_DOCUMENTS`]; the edit is the part between the
//! common prefix and the common suffix of the old and new token arrays.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tower_lsp_server::jsonrpc::Result;

use crate::position::{position_to_offset, Encoding};
use crate::server::Backend;
use crate::types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensDelta,
    SemanticTokensDeltaParams, SemanticTokensEdit, SemanticTokensFullDeltaResult,
    SemanticTokensFullOptions, SemanticTokensLegend, SemanticTokensOptions, SemanticTokensParams,
    SemanticTokensRangeParams, SemanticTokensRangeResult, SemanticTokensResult,
    SemanticTokensServerCapabilities, ServerCapabilities, Uri,
};
use layerwise_ide::semantic_tokens::{self as ide, modifiers, TokenType};
use layerwise_syntax::TextRange;

/// Documents whose last result is kept for deltas (least recently answered ones go first).
const MAX_DOCUMENTS: usize = 64;

/// Most tokens one answer colours; the rest of the document keeps the editor's grammar
/// colours. The framework turns an answer into a `serde_json::Value` tree first, 32 bytes per
/// integer and five integers per token: 2.5 million tokens of a 4 MB file of `ENV a=1 b=2`
/// lines took the server from 505 MB to 900 MB (F16). The 10,000-line benchmark file has
/// 23,662 tokens, so this covers about 40,000 lines of a real Dockerfile.
const MAX_TOKENS: usize = 100_000;

fn type_name(t: TokenType) -> &'static str {
    match t {
        TokenType::Keyword => "keyword",
        TokenType::Parameter => "parameter",
        TokenType::Property => "property",
        TokenType::Variable => "variable",
        TokenType::String => "string",
        TokenType::Class => "class",
        TokenType::Type => "type",
        TokenType::Comment => "comment",
        TokenType::Operator => "operator",
        TokenType::Number => "number",
        TokenType::Macro => "macro",
        TokenType::EnumMember => "enumMember",
    }
}

fn type_index(t: TokenType) -> u32 {
    TokenType::ALL.iter().position(|x| *x == t).unwrap_or(0) as u32
}

pub fn capability(caps: &mut ServerCapabilities) {
    let legend = SemanticTokensLegend {
        token_types: TokenType::ALL
            .iter()
            .map(|t| SemanticTokenType::new(type_name(*t)))
            .collect(),
        token_modifiers: modifiers::ALL
            .iter()
            .map(|m| SemanticTokenModifier::new(m))
            .collect(),
    };
    caps.semantic_tokens_provider = Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
        SemanticTokensOptions {
            work_done_progress_options: Default::default(),
            legend,
            range: Some(true),
            full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
        },
    ));
}

struct Previous {
    result_id: String,
    tokens: Arc<Vec<SemanticToken>>,
}

#[derive(Default)]
struct Cache {
    docs: HashMap<Uri, Previous>,
    order: VecDeque<Uri>,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn next_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed).to_string()
}

/// Remembers `tokens` as the latest result for `uri`; returns its result id.
fn remember(uri: &Uri, tokens: Arc<Vec<SemanticToken>>) -> String {
    let id = next_id();
    if let Ok(mut c) = cache().lock() {
        c.order.retain(|u| u != uri);
        c.order.push_back(uri.clone());
        c.docs.insert(
            uri.clone(),
            Previous {
                result_id: id.clone(),
                tokens,
            },
        );
        while c.order.len() > MAX_DOCUMENTS {
            if let Some(old) = c.order.pop_front() {
                c.docs.remove(&old);
            }
        }
    }
    id
}

fn previous(uri: &Uri, result_id: &str) -> Option<Arc<Vec<SemanticToken>>> {
    let c = cache().lock().ok()?;
    c.docs
        .get(uri)
        .filter(|p| p.result_id == result_id)
        .map(|p| p.tokens.clone())
}

fn compute(
    b: &Backend,
    uri: &Uri,
    range: Option<crate::types::Range>,
) -> Result<Option<Vec<SemanticToken>>> {
    b.with_doc("semanticTokens", uri, |a, rope, enc| {
        let range = range.map(|r| {
            let (s, e) = (
                position_to_offset(rope, r.start, enc),
                position_to_offset(rope, r.end, enc),
            );
            TextRange::new(s.min(e), s.max(e))
        });
        let mut tokens = ide::semantic_tokens(a, range);
        if tokens.len() > MAX_TOKENS {
            let keep = whole_lines(&a.text, &tokens, MAX_TOKENS);
            tracing::info!(
                "semanticTokens: {keep} tokens coloured, {} more left to the editor",
                tokens.len() - keep
            );
            tokens.truncate(keep);
        }
        Some(encode(&a.text, &tokens, enc))
    })
}

pub fn full(b: &Backend, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
    let uri = params.text_document.uri;
    let Some(data) = compute(b, &uri, None)? else {
        return Ok(None);
    };
    let data = Arc::new(data);
    let result_id = remember(&uri, data.clone());
    Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: Some(result_id),
        data: Arc::unwrap_or_clone(data),
    })))
}

pub fn full_delta(
    b: &Backend,
    params: SemanticTokensDeltaParams,
) -> Result<Option<SemanticTokensFullDeltaResult>> {
    let uri = params.text_document.uri;
    let Some(data) = compute(b, &uri, None)? else {
        return Ok(None);
    };
    let data = Arc::new(data);
    let old = previous(&uri, &params.previous_result_id);
    let result_id = remember(&uri, data.clone());
    Ok(Some(match old {
        Some(old) => SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
            result_id: Some(result_id),
            edits: diff(&old, &data).into_iter().collect(),
        }),
        None => SemanticTokensFullDeltaResult::Tokens(SemanticTokens {
            result_id: Some(result_id),
            data: Arc::unwrap_or_clone(data),
        }),
    }))
}

pub fn range(
    b: &Backend,
    params: SemanticTokensRangeParams,
) -> Result<Option<SemanticTokensRangeResult>> {
    let data = compute(b, &params.text_document.uri, Some(params.range))?;
    Ok(data.map(|data| {
        SemanticTokensRangeResult::Tokens(SemanticTokens {
            result_id: None,
            data,
        })
    }))
}

/// How many of `tokens` (in order) to keep, at most `max`, so that the cut falls between
/// lines: a line is coloured whole or not at all, and an edit above the cut moves whole lines
/// across it. Everything up to `max` when the tokens before it are all on one line.
fn whole_lines(text: &str, tokens: &[ide::SemanticToken], max: usize) -> usize {
    if tokens.len() <= max {
        return tokens.len();
    }
    let line_break_between = |a: &ide::SemanticToken, b: &ide::SemanticToken| {
        text.get(a.range.end as usize..b.range.start as usize)
            .is_some_and(|gap| gap.contains(['\n', '\r']))
    };
    (1..=max)
        .rev()
        .find(|&k| line_break_between(&tokens[k - 1], &tokens[k]))
        .unwrap_or(max)
}

/// The one edit that turns `old` into `new` (none when they are equal). Offsets count
/// integers of the flat array, five per token.
fn diff(old: &[SemanticToken], new: &[SemanticToken]) -> Option<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let max_suffix = old.len().min(new.len()) - prefix;
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    if prefix == old.len() && prefix == new.len() {
        return None;
    }
    let inserted = &new[prefix..new.len() - suffix];
    Some(SemanticTokensEdit {
        start: (prefix * 5) as u32,
        delete_count: ((old.len() - prefix - suffix) * 5) as u32,
        data: (!inserted.is_empty()).then(|| inserted.to_vec()),
    })
}

/// Relative LSP tokens from byte ranges, in one pass. Line breaks are `\n`, `\r\n` and a lone
/// `\r`, as in the rope the positions elsewhere come from.
fn encode(text: &str, tokens: &[ide::SemanticToken], enc: Encoding) -> Vec<SemanticToken> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(tokens.len());
    let mut line = 0u32;
    let mut scanned = 0usize;
    // a known (byte offset, column) on the current line
    let mut anchor = (0usize, 0u32);
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for t in tokens {
        let (start, end) = (t.range.start as usize, (t.range.end as usize).min(b.len()));
        if start < scanned
            || start >= end
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        let mut i = scanned;
        while i < start {
            match b[i] {
                b'\n' => {
                    line += 1;
                    anchor = (i + 1, 0);
                }
                b'\r' if b.get(i + 1) != Some(&b'\n') => {
                    line += 1;
                    anchor = (i + 1, 0);
                }
                _ => {}
            }
            i += 1;
        }
        scanned = start;
        let col = anchor.1 + width(&text[anchor.0..start], enc);
        anchor = (start, col);
        let length = width(&text[start..end], enc);
        let delta_line = line - prev_line;
        let delta_start = if delta_line == 0 { col - prev_col } else { col };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: type_index(t.ty),
            token_modifiers_bitset: t.modifiers,
        });
        prev_line = line;
        prev_col = col;
    }
    out
}

fn width(s: &str, enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf8 => s.len() as u32,
        Encoding::Utf16 => s.chars().map(|c| c.len_utf16() as u32).sum(),
        Encoding::Utf32 => s.chars().count() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cut_falls_between_lines() {
        let text = "ENV a=1 b=2\nENV c=3\r\nENV d=4 e=5 f=6\n";
        let a = layerwise_ide::Analysis::from_text(text);
        let tokens = ide::semantic_tokens(&a, None);
        let line_of = |t: &ide::SemanticToken| text[..t.range.start as usize].matches('\n').count();
        for max in 1..tokens.len() {
            let keep = whole_lines(text, &tokens, max);
            assert!(keep <= max, "max {max}");
            if line_of(&tokens[0]) == line_of(&tokens[max - 1]) && line_of(&tokens[max]) == 0 {
                assert_eq!(keep, max, "one line only: cut where asked");
            } else {
                assert_ne!(
                    line_of(&tokens[keep - 1]),
                    line_of(&tokens[keep]),
                    "max {max}"
                );
            }
        }
        assert_eq!(whole_lines(text, &tokens, tokens.len()), tokens.len());
        assert_eq!(whole_lines(text, &tokens, tokens.len() + 5), tokens.len());
    }

    fn tok(l: u32, s: u32, len: u32) -> SemanticToken {
        SemanticToken {
            delta_line: l,
            delta_start: s,
            length: len,
            token_type: 0,
            token_modifiers_bitset: 0,
        }
    }

    #[test]
    fn diff_is_the_middle_between_common_ends() {
        let old = [tok(0, 0, 3), tok(1, 0, 3), tok(1, 0, 4)];
        let new = [tok(0, 0, 3), tok(1, 0, 5), tok(0, 6, 1), tok(1, 0, 4)];
        let e = diff(&old, &new).unwrap();
        assert_eq!((e.start, e.delete_count), (5, 5));
        assert_eq!(e.data.unwrap(), [tok(1, 0, 5), tok(0, 6, 1)]);
        assert!(diff(&old, &old).is_none());
        let e = diff(&old, &old[..2]).unwrap();
        assert_eq!((e.start, e.delete_count, e.data), (10, 5, None));
        // repeated tokens: prefix and suffix never overlap
        let e = diff(&[tok(1, 0, 1); 3], &[tok(1, 0, 1); 2]).unwrap();
        assert_eq!((e.start, e.delete_count), (10, 5));
    }

    #[test]
    fn encodes_lines_and_columns_in_each_encoding() {
        let text = "a\u{1F600}b\r\ncd\ref";
        let t = |s: u32, e: u32| ide::SemanticToken {
            range: TextRange::new(s, e),
            ty: TokenType::Keyword,
            modifiers: 0,
        };
        // "b" after the emoji, "cd", "ef" after a lone CR
        let tokens = [t(5, 6), t(8, 10), t(11, 13)];
        let utf16 = encode(text, &tokens, Encoding::Utf16);
        assert_eq!(
            utf16
                .iter()
                .map(|x| (x.delta_line, x.delta_start, x.length))
                .collect::<Vec<_>>(),
            [(0, 3, 1), (1, 0, 2), (1, 0, 2)]
        );
        let utf8 = encode(text, &tokens, Encoding::Utf8);
        assert_eq!(utf8[0].delta_start, 5);
        let utf32 = encode(text, &tokens, Encoding::Utf32);
        assert_eq!(utf32[0].delta_start, 2);
    }
}
