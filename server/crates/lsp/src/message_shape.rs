//! Which message bodies `tower-lsp-server` can decode, and what to do with the rest.
//!
//! The framework decodes every body into its own `Request`/`Response` types and ends the
//! session on the first body that does not fit (its reader stops after a decode error), so the
//! stdin filter must never pass one on. The rules below mirror those types (and a test checks
//! them against the real ones): `jsonrpc` is exactly `"2.0"`; an `id` is an integer that fits
//! in `i64`, a string or null; a `method` is a string; an `error` is an object with an integer
//! `code`, a string `message`, an optional `data` and nothing else; no key appears twice.
//!
//! What does not fit is answered as JSON-RPC 2.0 asks (a Parse error or an Invalid Request,
//! with the request's id when it has a usable one, else null). The answer cannot be written to
//! stdout from here without racing the framework's own writer, so it travels *through* the
//! framework: the body is replaced by a request for [`REJECTED_METHOD`], a custom method that
//! [`answer`] serves by returning the error it carries. The framework drops its own
//! MethodNotFound answers to `$/` requests, leaving the client waiting; those are rejected the
//! same way (the spec asks for MethodNotFound; `$/` notifications are still passed on and
//! ignored). A malformed error object in a response from the client is turned into a
//! well-formed one, and a `result` the framework cannot read into an error, so the server's
//! request that it answers fails at once instead of waiting for an answer that never comes.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;

use crate::json_scan;
use serde_json::{json, Map, Value};

/// The method of a body the filter made in place of one it rejected. Its params are
/// `{"code": i64, "message": string}`; a client sending it is itself rejected, so only the
/// filter can produce it.
pub const REJECTED_METHOD: &str = "layerwise/internal/rejectedMessage";

/// JSON-RPC's codes for what the filter rejects.
pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
const INTERNAL_ERROR: i64 = -32603;

/// What the filter does with one body, and the method of a request or notification it passes
/// on as the client sent it (the filter watches `initialize`, `shutdown` and `exit` go by).
#[derive(Debug, PartialEq)]
pub struct Classified {
    pub verdict: Verdict,
    pub method: Option<String>,
    /// The body is not JSON at all (the filter then looks for a swallowed header in it).
    pub not_json: bool,
}

/// What the filter does with one body.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Pass the body on as it is.
    Forward,
    /// Pass this body on instead (re-serialised, normalised, or a rejection to answer).
    Replace(Vec<u8>),
    /// Pass nothing on (a malformed response that cannot be matched to a request).
    Drop(String),
}

/// Decides what to do with one message body.
pub fn classify(body: &[u8]) -> Classified {
    let not_passed = |verdict| Classified {
        verdict,
        method: None,
        not_json: false,
    };
    let top = match serde_json::from_slice::<TopLevel>(body) {
        Ok(top) => top,
        Err(e) if e.is_data() => {
            return not_passed(reject(&Value::Null, INVALID_REQUEST, "not a JSON object"));
        }
        Err(e) => {
            let why = format!("not valid JSON: {e}");
            return Classified {
                not_json: true,
                ..not_passed(reject(&Value::Null, PARSE_ERROR, &why))
            };
        }
    };
    let lost = |k: &str| top.unreadable.iter().any(|u| u == k);
    let usable = top.map.get("id").filter(|v| usable_id(v)).cloned();
    if lost("id") || lost("method") {
        // an unreadable id or method cannot be told from a missing one: a request would pass
        // for a notification, an answer for a request
        let why = format!("an \"id\" or \"method\" that {UNREADABLE}");
        let reply_id = usable.unwrap_or(Value::Null);
        return not_passed(if top.map.contains_key("method") || lost("method") {
            reject(&reply_id, INVALID_REQUEST, &why)
        } else {
            Verdict::Drop(why)
        });
    }
    let has_result = top.bulk.contains_key("result") || lost("result");
    let has_error = top.map.contains_key("error") || lost("error");
    let is_response = !top.map.contains_key("method") && (has_result || has_error);
    if is_response {
        return not_passed(response(top));
    }
    let TopLevel {
        ref map, duplicate, ..
    } = top;
    let id = map.get("id");
    let usable_id = id.filter(|v| usable_id(v));
    let reply_id = usable_id.cloned().unwrap_or(Value::Null);
    if map.get("jsonrpc") != Some(&Value::String("2.0".into())) {
        let why = "\"jsonrpc\" must be \"2.0\"";
        return not_passed(reject(&reply_id, INVALID_REQUEST, why));
    }
    if id.is_some() && usable_id.is_none() {
        let why = "an id must be an integer, a string or null";
        return not_passed(reject(&Value::Null, INVALID_REQUEST, why));
    }
    if has_result || has_error {
        // the framework would read it as a response (it tries that first) and never answer
        // the request, while the filter would have noted its method (`shutdown`, say)
        let why = "a message cannot have both a method and a result or an error";
        return not_passed(reject(&reply_id, INVALID_REQUEST, why));
    }
    if lost("params") && id.is_some() {
        return not_passed(reject(
            &reply_id,
            INVALID_REQUEST,
            &format!("params that {UNREADABLE}"),
        ));
    }
    let verdict = match map.get("method") {
        Some(Value::String(m)) if m == REJECTED_METHOD => {
            reject(&reply_id, INVALID_REQUEST, "reserved method name")
        }
        Some(Value::String(m)) if m.starts_with("$/") && id.is_some() => {
            reject(&reply_id, METHOD_NOT_FOUND, &format!("unknown method {m}"))
        }
        Some(Value::String(m)) => {
            // A notification's unreadable params, or any other unreadable member, is left
            // out: a notification cannot be answered, and the framework then reads it as one
            // without params (`exit` still exits; one that needs params is logged and
            // ignored, as a notification with wrong params always is).
            return Classified {
                verdict: if duplicate || !top.unreadable.is_empty() {
                    reserialize(&top)
                } else {
                    Verdict::Forward
                },
                method: Some(m.clone()),
                not_json: false,
            };
        }
        Some(_) => reject(&reply_id, INVALID_REQUEST, "\"method\" must be a string"),
        None => reject(&reply_id, INVALID_REQUEST, "no \"method\""),
    };
    not_passed(verdict)
}

/// A response from the client: forwarded when the framework can read it, its error object
/// made readable when only that is wrong, dropped when it cannot be matched to a request.
fn response(mut top: TopLevel) -> Verdict {
    let map = &top.map;
    let version_ok = map.get("jsonrpc") == Some(&Value::String("2.0".into()));
    let id_ok = map.get("id").is_some_and(usable_id);
    if !version_ok || !id_ok {
        return Verdict::Drop("a response without \"jsonrpc\": \"2.0\" or a usable id".into());
    }
    let lost = |k: &str| top.unreadable.iter().any(|u| u == k);
    if lost("error") || (lost("result") && !top.map.contains_key("error")) {
        // an answer to one of the server's requests that cannot be read: it becomes an error
        // answer, so that request fails now instead of waiting out its time limit
        top.unreadable.clear();
        top.bulk.clear();
        top.map.insert(
            "error".into(),
            json!({
                "code": INTERNAL_ERROR,
                "message": format!("the client's answer could not be read: it {UNREADABLE}"),
            }),
        );
        return reserialize(&top);
    }
    if !top.bulk.contains_key("result") {
        if let Some(error) = map.get("error").filter(|e| !error_ok(e)) {
            let code = error.get("code").and_then(Value::as_i64);
            let message = error.get("message").and_then(Value::as_str);
            let fixed = json!({
                "code": code.unwrap_or(INTERNAL_ERROR),
                "message": message.unwrap_or("the client answered with a malformed error"),
                "data": error.clone(),
            });
            top.map.insert("error".into(), fixed);
            return reserialize(&top);
        }
    }
    // A well-formed answer (every answer of a normal client) goes through untouched; one with
    // a key twice is written anew, which keeps one of them, and one with an unreadable member
    // beside a readable answer (`params`, say) is written without that member.
    if top.duplicate || !top.unreadable.is_empty() {
        reserialize(&top)
    } else {
        Verdict::Forward
    }
}

/// The framework's `Id`: an `i64`, a string or null.
fn usable_id(v: &Value) -> bool {
    match v {
        Value::Null | Value::String(_) => true,
        Value::Number(n) => n.as_i64().is_some(),
        _ => false,
    }
}

/// The framework's `Error`: `code` an `i64`, `message` a string, `data` anything, nothing else.
fn error_ok(e: &Value) -> bool {
    let Some(obj) = e.as_object() else {
        return false;
    };
    obj.get("code").and_then(Value::as_i64).is_some()
        && obj.get("message").is_some_and(Value::is_string)
        && obj
            .keys()
            .all(|k| matches!(k.as_str(), "code" | "message" | "data"))
}

/// Params of a [`REJECTED_METHOD`] request.
#[derive(Debug, serde::Deserialize)]
pub struct Rejection {
    pub code: i64,
    pub message: String,
}

/// Serves [`REJECTED_METHOD`]: the answer is the error the filter put in it. (Before
/// `initialize` the framework answers ServerNotInitialized instead, as the spec asks.)
pub async fn answer(
    _: &crate::server::Backend,
    rejection: Rejection,
) -> tower_lsp_server::jsonrpc::Result<Value> {
    Err(tower_lsp_server::jsonrpc::Error {
        code: rejection.code.into(),
        message: rejection.message.into(),
        data: None,
    })
}

fn reject(id: &Value, code: i64, message: &str) -> Verdict {
    let body = json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": REJECTED_METHOD,
        "params": { "code": code, "message": message },
    });
    reserialize_value(&body)
}

fn reserialize(top: &TopLevel) -> Verdict {
    match serde_json::to_vec(top) {
        Ok(b) => Verdict::Replace(b),
        Err(e) => Verdict::Drop(format!("could not re-serialise: {e}")),
    }
}

fn reserialize_value(v: &Value) -> Verdict {
    match serde_json::to_vec(v) {
        Ok(b) => Verdict::Replace(b),
        Err(e) => Verdict::Drop(format!("could not serialise: {e}")),
    }
}

/// A body parsed once into its top-level object, noting whether a key appeared twice (a
/// `Value` keeps the last; the framework's derived types fail on the duplicate).
///
/// The filter looks only at the small members. `params` and `result` (a whole document on
/// open, a whole answer) are checked to be JSON and kept as borrowed slices of the body, not
/// built into a `Value`: that copy of a 375 kB document cost as much as the framework's own
/// decode.
struct TopLevel<'a> {
    map: Map<String, Value>,
    bulk: BTreeMap<String, &'a RawValue>,
    /// Members that are JSON but that no `Value` can hold (a lone surrogate, a number past
    /// `f64`, nesting past [`MEMBER_DEPTH`]): the framework's generic read would end the
    /// session on them, so they are never passed on.
    unreadable: Vec<String>,
    duplicate: bool,
}

/// Members passed through without being looked at.
const BULK_MEMBERS: [&str; 2] = ["params", "result"];
/// How deep a member may nest for the framework to decode the body: its generic read of the
/// whole body stops at serde_json's limit of 128 levels, two of them taken by the body's object
/// and the framework's own wrapping (`deep_members_are_judged_as_the_framework_decodes_them`).
const MEMBER_DEPTH: usize = 126;

/// What makes a member unreadable to the framework, for the messages that say so.
const UNREADABLE: &str = "holds what no JSON decoder here can hold (a lone surrogate, a number \
                          too large for a double, or nesting deeper than 126 levels)";

impl<'de> Deserialize<'de> for TopLevel<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TopLevel<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<TopLevel<'de>, A::Error> {
                let mut top = TopLevel {
                    map: Map::new(),
                    bulk: BTreeMap::new(),
                    unreadable: Vec::new(),
                    duplicate: false,
                };
                while let Some(k) = access.next_key::<String>()? {
                    let raw = access.next_value::<&RawValue>()?;
                    // the framework reads the whole body generically first (its message type
                    // is an untagged enum), so every member must decode, not only params
                    let again = if !json_scan::decodes_within(raw.get(), MEMBER_DEPTH) {
                        // kept out of the body passed on; `classify` decides what it means
                        top.unreadable.push(k.clone());
                        top.bulk.remove(&k).is_some() | top.map.remove(&k).is_some()
                    } else if BULK_MEMBERS.contains(&k.as_str()) {
                        top.unreadable.retain(|u| *u != k);
                        top.bulk.insert(k, raw).is_some()
                    } else {
                        let value = serde_json::from_str::<Value>(raw.get())
                            .map_err(serde::de::Error::custom)?;
                        top.unreadable.retain(|u| *u != k);
                        top.map.insert(k, value).is_some()
                    };
                    top.duplicate |= again;
                }
                Ok(top)
            }
        }
        d.deserialize_map(V)
    }
}

/// Written back as one object: the looked-at members, then the passed-through ones verbatim.
impl Serialize for TopLevel<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_map(Some(self.map.len() + self.bulk.len()))?;
        for (k, v) in &self.map {
            out.serialize_entry(k, v)?;
        }
        for (k, v) in &self.bulk {
            out.serialize_entry(k, v)?;
        }
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::jsonrpc::{Request, Response};

    /// The framework's own message type: an untagged enum, tried as a response first. Its
    /// codec reads a body as text into it; an untagged enum first reads the whole body
    /// generically, so every member must decode (unlike decoding `Request` directly).
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)] // only whether it decodes matters
    enum Message {
        Response(Response),
        Request(Request),
    }

    /// What the framework's reader does with a body.
    fn tower_accepts(body: &[u8]) -> bool {
        std::str::from_utf8(body).is_ok_and(|t| serde_json::from_str::<Message>(t).is_ok())
    }

    fn rejected(v: &Verdict) -> Option<(Value, i64)> {
        let Verdict::Replace(b) = v else { return None };
        let v: Value = serde_json::from_slice(b).ok()?;
        (v["method"] == REJECTED_METHOD)
            .then(|| (v["id"].clone(), v["params"]["code"].as_i64().unwrap()))
    }

    const SHAPES: &[&str] = &[
        r#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}}"#,
        r#"{"jsonrpc":"2.0","id":"x","method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":null,"method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":-9223372036854775808,"method":"m"}"#,
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        r#"{"jsonrpc":"2.0","id":1.5,"method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":1.0,"method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":{"a":1},"method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":[1],"method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":true,"method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":18446744073709551616,"method":"m"}"#,
        r#"{"jsonrpc":"2.0","id":9223372036854775808,"method":"m"}"#,
        r#"{"jsonrpc":"2.0","method":5}"#,
        r#"{"jsonrpc":"1.0","id":3,"method":"m"}"#,
        r#"{"jsonrpc":2,"id":3,"method":"m"}"#,
        r#"{"id":3,"method":"m"}"#,
        r#"{}"#,
        r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"m"}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":{"a":"x\ny"},"params":[1]}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":{"a":}}"#,
        r#"{"jsonrpc":"2.0","method":"m","params":{"a":"\ud800"}}"#,
        r#"{"jsonrpc":"2.0","id":7,"result":null}"#,
        r#"{"jsonrpc":"2.0","id":7,"result":{"a":[1,2]},"result":2}"#,
        r#"{"jsonrpc":"2.0","id":7,"result":{"a":[1,2]},"error":{"code":"x"}}"#,
        r#"{"jsonrpc":"2.0","id":7,"error":{"code":-1,"message":"no"}}"#,
        r#"{"jsonrpc":"2.0","id":7,"error":{"code":"x"}}"#,
        r#"{"jsonrpc":"2.0","id":7,"error":{"code":1,"message":"m","extra":1}}"#,
        r#"{"jsonrpc":"2.0","id":7,"error":"nope"}"#,
        r#"{"jsonrpc":"2.0","id":1.5,"result":1}"#,
        r#"{"jsonrpc":"1.0","id":1,"result":1}"#,
        r#"[]"#,
        r#"null"#,
        r#"42"#,
        r#""text""#,
        r#"{not json"#,
        "",
    ];

    #[test]
    fn what_is_passed_on_is_what_the_framework_reads() {
        for shape in SHAPES {
            let out = match classify(shape.as_bytes()).verdict {
                Verdict::Forward => shape.as_bytes().to_vec(),
                Verdict::Replace(b) => b,
                Verdict::Drop(_) => continue,
            };
            assert!(
                tower_accepts(&out),
                "{shape} -> {}",
                String::from_utf8_lossy(&out)
            );
        }
    }

    #[test]
    fn well_formed_messages_pass_unchanged() {
        for shape in &SHAPES[..5] {
            let c = classify(shape.as_bytes());
            assert_eq!(c.verdict, Verdict::Forward, "{shape}");
            assert!(c.method.is_some(), "{shape}");
        }
    }

    #[test]
    fn bad_requests_are_answered_with_their_id_when_it_is_usable() {
        let cases = [
            (
                r#"{"jsonrpc":"2.0","id":1.5,"method":"m"}"#,
                Value::Null,
                INVALID_REQUEST,
            ),
            (
                r#"{"jsonrpc":"2.0","id":true,"method":"m"}"#,
                Value::Null,
                INVALID_REQUEST,
            ),
            (
                r#"{"jsonrpc":"1.0","id":3,"method":"m"}"#,
                json!(3),
                INVALID_REQUEST,
            ),
            (r#"{"id":"a","method":"m"}"#, json!("a"), INVALID_REQUEST),
            (
                r#"{"jsonrpc":"2.0","method":5}"#,
                Value::Null,
                INVALID_REQUEST,
            ),
            (r#"{"jsonrpc":"2.0","id":4}"#, json!(4), INVALID_REQUEST),
            (r#"{}"#, Value::Null, INVALID_REQUEST),
            (r#"[1]"#, Value::Null, INVALID_REQUEST),
            (r#"{not json"#, Value::Null, PARSE_ERROR),
            (r#"{"a":1}x"#, Value::Null, PARSE_ERROR),
        ];
        for (body, id, code) in cases {
            assert_eq!(
                rejected(&classify(body.as_bytes()).verdict),
                Some((id, code)),
                "{body}"
            );
        }
    }

    #[test]
    fn dollar_requests_get_method_not_found_and_dollar_notifications_pass() {
        let req = classify(br#"{"jsonrpc":"2.0","id":"d","method":"$/unknown","params":{}}"#);
        assert_eq!(rejected(&req.verdict), Some((json!("d"), METHOD_NOT_FOUND)));
        assert_eq!(req.method, None);
        let note = classify(br#"{"jsonrpc":"2.0","method":"$/setTrace","params":{}}"#);
        assert_eq!(note.verdict, Verdict::Forward);
        assert_eq!(note.method.as_deref(), Some("$/setTrace"));
    }

    #[test]
    fn the_reserved_method_cannot_be_sent_by_a_client() {
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":9,"method":"{REJECTED_METHOD}","params":{{"code":1,"message":"x"}}}}"#
        );
        assert_eq!(
            rejected(&classify(body.as_bytes()).verdict),
            Some((json!(9), INVALID_REQUEST))
        );
    }

    #[test]
    fn a_malformed_error_answer_becomes_a_readable_one() {
        let Verdict::Replace(b) =
            classify(br#"{"jsonrpc":"2.0","id":7,"error":{"code":"x"}}"#).verdict
        else {
            panic!("not replaced");
        };
        let r: Response = serde_json::from_slice(&b).unwrap();
        assert!(r.is_error());
        assert_eq!(r.id(), &tower_lsp_server::jsonrpc::Id::Number(7));
        // a response nobody can match is dropped, never answered
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","id":[7],"result":1}"#).verdict,
            Verdict::Drop(_)
        ));
    }

    #[test]
    fn well_formed_answers_pass_untouched() {
        for answer in [
            r#"{"jsonrpc":"2.0","id":0,"result":null}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":[{"rules":{}}]}"#,
            r#"{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"no"}}"#,
        ] {
            assert_eq!(
                classify(answer.as_bytes()).verdict,
                Verdict::Forward,
                "{answer}"
            );
        }
        // the same answer with a key twice is written anew
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","id":0,"id":0,"result":null}"#).verdict,
            Verdict::Replace(_)
        ));
    }

    /// A client answer whose `result` cannot be read fails the server's request at once (it
    /// used to be taken for a malformed request and answered with id null, leaving the
    /// server's request to wait out its time limit); a request with such params is answered
    /// with its own id.
    #[test]
    fn unreadable_answers_and_params_keep_their_id() {
        for bad in [
            "1e400",
            r#""\ud800""#,
            &format!("{}{}", "[".repeat(127), "]".repeat(127)),
        ] {
            let answer = format!(r#"{{"jsonrpc":"2.0","id":7,"result":{{"x":{bad}}}}}"#);
            let Verdict::Replace(b) = classify(answer.as_bytes()).verdict else {
                panic!("{answer:.80}: not replaced");
            };
            let v: Value = serde_json::from_slice(&b).unwrap();
            assert_eq!(v["id"], 7, "{answer:.80}");
            assert_eq!(v["error"]["code"], INTERNAL_ERROR, "{answer:.80}");
            assert!(v.get("result").is_none());
            assert!(tower_accepts(&b));
            let request = format!(r#"{{"jsonrpc":"2.0","id":"r","method":"m","params":[{bad}]}}"#);
            assert_eq!(
                rejected(&classify(request.as_bytes()).verdict),
                Some((Value::from("r"), INVALID_REQUEST)),
                "{request:.80}"
            );
        }
        // without a usable id there is nothing to answer
        let lost = r#"{"jsonrpc":"2.0","id":[1],"result":1e400}"#;
        assert!(matches!(
            classify(lost.as_bytes()).verdict,
            Verdict::Drop(_)
        ));
    }

    /// From the review of F31's first fix: every member is judged, not only params and
    /// result, and only what cannot be read is left out.
    #[test]
    fn unreadable_members_are_left_out_or_answered_for() {
        let bad = r#""\ud800""#;
        let replaced = |body: &str| -> Value {
            match classify(body.as_bytes()).verdict {
                Verdict::Replace(b) => {
                    assert!(tower_accepts(&b), "{body}");
                    serde_json::from_slice(&b).unwrap()
                }
                other => panic!("{body}: {other:?}"),
            }
        };
        // an unreadable error is an error answer with its id
        let v = replaced(&format!(
            r#"{{"jsonrpc":"2.0","id":4,"error":{{"code":1,"message":{bad}}}}}"#
        ));
        assert_eq!(
            (v["id"].clone(), v["error"]["code"].clone()),
            (json!(4), json!(INTERNAL_ERROR))
        );
        // a readable answer keeps its result; the unreadable member beside it goes
        let v = replaced(&format!(
            r#"{{"jsonrpc":"2.0","id":4,"result":[{{"a":1}}],"params":{bad}}}"#
        ));
        assert_eq!(v["result"], json!([{"a": 1}]));
        assert!(v.get("params").is_none() && v.get("error").is_none());
        // the client's own error is kept when only its result is unreadable
        let v = replaced(&format!(
            r#"{{"jsonrpc":"2.0","id":4,"result":{bad},"error":{{"code":-32800,"message":"x"}}}}"#
        ));
        assert_eq!(v["error"]["code"], -32800);
        assert!(v.get("result").is_none());
        // a request loses an unreadable extra member and keeps its method
        let c =
            classify(format!(r#"{{"jsonrpc":"2.0","id":1,"method":"m","x":{bad}}}"#).as_bytes());
        assert_eq!(c.method.as_deref(), Some("m"));
        assert!(matches!(c.verdict, Verdict::Replace(ref b) if !rejected_or(b)));
        // a notification is never answered: its unreadable params are left out (exit exits)
        let c =
            classify(format!(r#"{{"jsonrpc":"2.0","method":"exit","params":{bad}}}"#).as_bytes());
        assert_eq!(c.method.as_deref(), Some("exit"));
        let Verdict::Replace(b) = c.verdict else {
            panic!("not replaced")
        };
        assert_eq!(
            serde_json::from_slice::<Value>(&b).unwrap(),
            json!({"jsonrpc": "2.0", "method": "exit"})
        );
        // an unreadable id cannot be answered with; an unreadable method is refused
        let v = format!(r#"{{"jsonrpc":"2.0","id":{bad},"method":"m"}}"#);
        assert_eq!(
            rejected(&classify(v.as_bytes()).verdict),
            Some((Value::Null, INVALID_REQUEST))
        );
        let v = format!(r#"{{"jsonrpc":"2.0","id":2,"method":{bad}}}"#);
        assert_eq!(
            rejected(&classify(v.as_bytes()).verdict),
            Some((json!(2), INVALID_REQUEST))
        );
        let v = format!(r#"{{"jsonrpc":"2.0","id":{bad},"result":1}}"#);
        assert!(matches!(classify(v.as_bytes()).verdict, Verdict::Drop(_)));
    }

    /// Found in review: `{"id":5,"method":"shutdown","result":null}` was noted as a shutdown by
    /// the filter but read as a response by the framework, so id 5 was never answered.
    #[test]
    fn a_request_with_a_result_or_an_error_is_an_invalid_request() {
        for body in [
            r#"{"jsonrpc":"2.0","id":5,"method":"shutdown","result":null}"#,
            r#"{"jsonrpc":"2.0","id":5,"method":"m","error":{"code":1,"message":"x"}}"#,
        ] {
            let c = classify(body.as_bytes());
            assert_eq!(
                rejected(&c.verdict),
                Some((json!(5), INVALID_REQUEST)),
                "{body}"
            );
            assert_eq!(c.method, None, "{body}");
        }
    }

    #[test]
    fn duplicate_keys_are_written_once() {
        let Verdict::Replace(b) =
            classify(br#"{"jsonrpc":"2.0","id":1,"id":2,"method":"m"}"#).verdict
        else {
            panic!("not replaced");
        };
        let r: Request = serde_json::from_slice(&b).unwrap();
        assert_eq!(r.id(), Some(&tower_lsp_server::jsonrpc::Id::Number(2)));
    }

    #[test]
    fn params_and_results_are_passed_through_verbatim() {
        // a duplicated params keeps the last one, as a `Value` would, escapes and all
        let Verdict::Replace(b) = classify(
            br#"{"jsonrpc":"2.0","method":"m","params":{"a":1},"params":{"t":"x\ny\u00e9"}}"#,
        )
        .verdict
        else {
            panic!("not replaced");
        };
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["params"], json!({"t": "x\ny\u{e9}"}));
        assert_eq!(v["method"], "m");
        let Verdict::Replace(b) =
            classify(br#"{"jsonrpc":"2.0","id":3,"result":[1],"result":{"k":[2]}}"#).verdict
        else {
            panic!("not replaced");
        };
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v, json!({"jsonrpc": "2.0", "id": 3, "result": {"k": [2]}}));
        // what is inside params must still be JSON
        let c = classify(br#"{"jsonrpc":"2.0","method":"m","params":{"a":[}}"#);
        assert!(c.not_json, "{c:?}");
    }

    /// Passed-through params are accepted exactly when the framework can decode them, for
    /// every combination of escapes around surrogates.
    #[test]
    fn escapes_in_params_are_judged_as_the_framework_decodes_them() {
        let pieces = [
            r"\ud800",
            r"\udbff",
            r"\udc00",
            r"\udfff",
            r"\u0041",
            r"\ud7ff",
            r"\ue000",
            r"\\",
            r"\\u",
            r"\n",
            r"\u00e9",
            "a",
            r"\ud83d\ude00",
            "u",
        ];
        let mut n = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    let json = format!(r#"{{"k":["{text}",{{"{text}":1}}]}}"#);
                    for body in [
                        format!(r#"{{"jsonrpc":"2.0","method":"m","params":{json}}}"#),
                        format!(r#"{{"jsonrpc":"2.0","id":4,"result":{json}}}"#),
                    ] {
                        judged_like_the_framework(&body);
                    }
                    n += 1;
                }
            }
        }
        assert_eq!(n, pieces.len().pow(3));
    }

    /// Nesting deeper than the framework's decoder allows is refused here too.
    #[test]
    fn deep_members_are_judged_as_the_framework_decodes_them() {
        for depth in [100, 126, 127, 128, 129, 200, 5000] {
            let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            for body in [
                format!(r#"{{"jsonrpc":"2.0","method":"m","params":{nested}}}"#),
                format!(r#"{{"jsonrpc":"2.0","id":1,"result":{nested}}}"#),
            ] {
                judged_like_the_framework(&body);
            }
        }
    }

    /// Numbers are judged as the decoder does: too large for an `f64` ends its reader.
    #[test]
    fn numbers_in_params_are_judged_as_the_framework_decodes_them() {
        let numbers = [
            "0",
            "-0",
            "01",
            "1.",
            "-",
            "1e",
            "1e400",
            "-1e400",
            "1e-400",
            "1.5E+3",
            "18446744073709551616",
            "-9223372036854775809",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "2e308",
            &"9".repeat(400),
            "0.000001e-300",
        ];
        for n in numbers {
            for body in [
                format!(r#"{{"jsonrpc":"2.0","method":"m","params":{{"v":{n}}}}}"#),
                format!(r#"{{"jsonrpc":"2.0","id":1,"result":[{n},"{n}"]}}"#),
            ] {
                judged_like_the_framework(&body);
            }
        }
    }

    /// The filter passes `body` on (as it is or repaired) exactly when the framework can read
    /// it, and the framework reads what it passes on.
    fn judged_like_the_framework(body: &str) {
        let passed = match classify(body.as_bytes()).verdict {
            Verdict::Forward => Some(body.as_bytes().to_vec()),
            Verdict::Replace(b) if repaired(body, &b) => None,
            Verdict::Replace(b) if !rejected_or(&b) => Some(b),
            _ => None,
        };
        assert_eq!(
            passed.is_some(),
            tower_accepts(body.as_bytes()),
            "{body:.100}"
        );
        if let Some(out) = passed {
            assert!(tower_accepts(&out), "{body:.100}");
        }
    }

    /// A body the framework cannot read, replaced by one it can: an error answer in place of
    /// a client's unreadable answer (the server's request fails at once), or a notification
    /// without its unreadable params (a notification cannot be answered).
    fn repaired(body: &str, replaced: &[u8]) -> bool {
        let Ok(out) = serde_json::from_slice::<Value>(replaced) else {
            return false;
        };
        let error_answer = out["error"]["code"] == INTERNAL_ERROR && out.get("result").is_none();
        let stripped = out.get("method").is_some()
            && out.get("id").is_none()
            && out.get("params").is_none()
            && body.contains("\"params\"");
        (error_answer || stripped) && !tower_accepts(body.as_bytes()) && tower_accepts(replaced)
    }

    fn rejected_or(body: &[u8]) -> bool {
        serde_json::from_slice::<Value>(body).is_ok_and(|v| v["method"] == REJECTED_METHOD)
    }
}
