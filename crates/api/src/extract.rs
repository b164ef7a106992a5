//! Request extractors that refuse bad input with a problem, never a 500:
//! JSON bodies (content type, size, syntax, control characters, unknown
//! fields, types, then validation rules, each with the field at fault),
//! query strings and paths (no control characters in either, whatever the
//! route), and the headers used as data.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use langnghe_domain::FieldErrors;
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{ApiError, Code};

/// Largest JSON body accepted; the app stores a [`BodyLimit`] to change it.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body, checked by serde (unknown fields refused) and by its
/// `validator` rules. A refusal of the body waits for the request's
/// authorising extractors ([`crate::auth::authorised`]), so that a caller
/// without the right gets 403, never what is wrong with their body.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<BodyLimit>>()
            .map(|l| l.0)
            .unwrap_or(DEFAULT_BODY_LIMIT);
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        let declared = declared_length(req);
        let mut payload = payload.take();
        let req = req.clone();
        Box::pin(async move {
            let result = read_json::<T>(&mut payload, content_type_ok, declared, limit).await;
            if result.is_err() {
                crate::auth::authorised(&req).await;
            }
            result
        })
    }
}

/// The body's length as the request declares it (`Content-Length`), if it
/// does and the value is a number.
pub fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
}

async fn read_json<T: DeserializeOwned + Validate>(
    payload: &mut Payload,
    content_type_ok: bool,
    declared: Option<usize>,
    limit: usize,
) -> Result<Json<T>, ApiError> {
    if !content_type_ok {
        return Err(unsupported_media_type());
    }
    if declared.is_some_and(|n| n > limit) {
        return Err(payload_too_large(limit));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request(Code::MalformedJson, "the body could not be read"))?;
        if body.len() + chunk.len() > limit {
            return Err(payload_too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    let value = parse_json::<T>(&body)?;
    value.validate().map_err(|e| ApiError::invalid(validation_errors(&e)))?;
    Ok(Json(value))
}

/// Whether a character may not be stored in text a client sends: NUL
/// (PostgreSQL text cannot hold it) and every other control character
/// (C0, DEL, C1), but tab, line feed and carriage return, which free text
/// uses.
pub fn refused_in_text(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// What a refused control character is told.
const CONTROL_MESSAGE: &str = "no NUL or other control characters (only tab and line breaks, in text)";

/// Whether a JSON text may hold a refused character: an escape `\uXXXX`
/// (after an odd number of backslashes) of one, or a raw DEL or C1
/// character (raw C0 characters are not JSON at all). A quick scan, so
/// that only a suspect body is walked for the field at fault.
fn may_hold_control(body: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (i, &b) in body.iter().enumerate() {
        if b == b'\\' {
            backslashes += 1;
            continue;
        }
        if b == b'u' && backslashes % 2 == 1 {
            let code = body
                .get(i + 1..i + 5)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .and_then(char::from_u32);
            if code.is_some_and(refused_in_text) {
                return true;
            }
        }
        if b == 0x7f || (b == 0xc2 && body.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n))) {
            return true;
        }
        backslashes = 0;
    }
    false
}

/// The path of the first string (or object key) in `value` holding a
/// refused character, as field paths are written (`a.b[2].c`).
fn control_path(value: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(s) => s.chars().any(refused_in_text).then(|| path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| control_path(v, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.chars().any(refused_in_text) {
                Some(join(k))
            } else {
                control_path(v, &join(k))
            }
        }),
        _ => None,
    }
}

pub fn unsupported_media_type() -> ApiError {
    ApiError::new(Code::UnsupportedMediaType, "Unsupported media type")
        .detail("send the body as Content-Type: application/json")
}

pub fn payload_too_large(limit: usize) -> ApiError {
    ApiError::new(Code::PayloadTooLarge, "The body is too large").detail(format!("at most {limit} bytes"))
}

/// Deserialises `body`, naming the field at fault. A string holding a
/// control character (see [`refused_in_text`]) is refused first, as
/// `invalid_character`.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if may_hold_control(body)
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(field) = control_path(&value, "")
    {
        return Err(ApiError::field(&field, "invalid_character", CONTROL_MESSAGE));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let msg = inner.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
                let code = if msg.starts_with("unknown field") {
                    "unknown_field"
                } else if msg.starts_with("missing field") {
                    "required"
                } else if msg.starts_with("unknown variant") {
                    "unknown_value"
                } else {
                    "invalid_type"
                };
                let field = if code == "required" {
                    let name = msg.split('`').nth(1).unwrap_or("");
                    if path == "." {
                        name.to_owned()
                    } else {
                        format!("{path}.{name}")
                    }
                } else if path == "." {
                    String::new()
                } else {
                    path
                };
                ApiError::invalid(match (code, expected_variants(&msg)) {
                    // The values allowed, listed in both languages.
                    ("unknown_value", Some(known)) => {
                        let known: Vec<&str> = known.iter().map(String::as_str).collect();
                        langnghe_domain::field::one_of(field, &known).into()
                    }
                    _ => FieldErrors::single(field, code, msg),
                })
            }
            _ => ApiError::bad_request(Code::MalformedJson, format!("the body is not valid JSON: {inner}")),
        }
    })
}

/// The values serde lists in an "unknown variant `x`, expected one of `a`,
/// `b`" (or "expected `a` or `b`") message.
fn expected_variants(msg: &str) -> Option<Vec<String>> {
    let (_, expected) = msg.split_once("expected ")?;
    let names: Vec<String> = expected.split('`').skip(1).step_by(2).map(str::to_owned).collect();
    (!names.is_empty()).then_some(names)
}

/// Flattens `validator` errors into field errors with dotted paths.
pub fn validation_errors(e: &ValidationErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    collect(e, "", &mut out);
    out
}

fn collect(e: &ValidationErrors, prefix: &str, out: &mut FieldErrors) {
    let mut fields: Vec<_> = e.errors().iter().collect();
    fields.sort_by_key(|(k, _)| k.to_string());
    for (name, kind) in fields {
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        match kind {
            ValidationErrorsKind::Field(errs) => {
                for err in errs {
                    let code = static_code(&err.code);
                    match &err.message {
                        Some(m) => out.push(path.clone(), code, m.to_string()),
                        None => {
                            let (vi, en) = describe(err);
                            out.push_said(path.clone(), code, vi, en);
                        }
                    }
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                let mut items: Vec<_> = items.iter().collect();
                items.sort_by_key(|(i, _)| **i);
                for (i, inner) in items {
                    collect(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

/// A `validator` error in words, Vietnamese and English.
fn describe(err: &validator::ValidationError) -> (String, String) {
    let p = |k: &str| err.params.get(k).map(|v| v.to_string());
    match err.code.as_ref() {
        "length" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => (
                format!("Độ dài từ {min} đến {max}."),
                format!("length must be {min} to {max}"),
            ),
            (Some(min), None) => (
                format!("Độ dài ít nhất {min}."),
                format!("length must be at least {min}"),
            ),
            (None, Some(max)) => (format!("Độ dài tối đa {max}."), format!("length must be at most {max}")),
            _ => ("Độ dài không hợp lệ.".into(), "wrong length".into()),
        },
        "range" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => (
                format!("Giá trị từ {min} đến {max}."),
                format!("must be between {min} and {max}"),
            ),
            (Some(min), None) => (format!("Giá trị ít nhất {min}."), format!("must be at least {min}")),
            (None, Some(max)) => (format!("Giá trị tối đa {max}."), format!("must be at most {max}")),
            _ => ("Giá trị nằm ngoài khoảng cho phép.".into(), "out of range".into()),
        },
        other => ("Giá trị không hợp lệ.".into(), format!("invalid ({other})")),
    }
}

/// Codes from `validator` are `Cow<'static, str>`; field errors carry
/// `&'static str`, so map the known ones and call the rest `invalid`.
fn static_code(code: &str) -> &'static str {
    match code {
        "length" => "invalid_length",
        "range" => "out_of_range",
        "email" => "invalid_email",
        "url" => "invalid_url",
        "required" => "required",
        "invalid_character" => "invalid_character",
        _ => "invalid",
    }
}

/// Query strings and paths that do not parse become 400 problems.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|err, _req| ApiError::bad_request(Code::InvalidQuery, err.to_string()).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        ApiError::new(Code::InvalidPath, "The path could not be read")
            .detail(err.to_string())
            .into()
    })
}

/// actix's own JSON extractor, should any route use it, answers the same way.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(move |err, _req| {
        use actix_web::error::JsonPayloadError as E;
        match err {
            E::ContentType => unsupported_media_type(),
            E::OverflowKnownLength { .. } | E::Overflow { .. } => payload_too_large(limit),
            other => ApiError::bad_request(Code::MalformedJson, other.to_string()),
        }
        .into()
    })
}

/// An optional free text as kept: trimmed, and none when blank.
pub fn optional_text(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// A date from a query string, within the range the service stores
/// (1900–2199); outside it the database could not compare it, so it is
/// refused here as a bad query.
pub fn query_date(name: &str, date: Option<chrono::NaiveDate>) -> Result<Option<chrono::NaiveDate>, ApiError> {
    match date {
        None => Ok(None),
        Some(d) => langnghe_domain::org::check_date(name, d)
            .map(Some)
            .map_err(|_| ApiError::bad_request(Code::InvalidQuery, format!("{name} must be a date from 1900 to 2199"))),
    }
}

/// The language asked for: `lang=vi|en` in the query, else the request's
/// `Accept-Language` (Vietnamese by default). Another `lang` is refused,
/// naming the two.
pub fn query_lang(req: &actix_web::HttpRequest, lang: Option<&str>) -> Result<langnghe_domain::text::Lang, ApiError> {
    match lang {
        None => Ok(crate::extract::request_lang(req)),
        Some(code) => langnghe_domain::words::parse_lang(code).ok_or_else(|| {
            let asked = code.chars().take(20).collect::<String>();
            ApiError::bad_request(Code::InvalidQuery, "").said(
                format!("lang là vi hoặc en, không phải {asked:?}"),
                format!("lang is vi or en, not {asked:?}"),
            )
        }),
    }
}

/// A `validator` rule for names and titles: no bidirectional override or
/// isolate characters (`langnghe_domain::text::is_bidi_control`).
pub fn no_bidi_controls(text: &str) -> Result<(), validator::ValidationError> {
    if text.chars().any(langnghe_domain::text::is_bidi_control) {
        return Err(validator::ValidationError::new("invalid_character")
            .with_message(langnghe_domain::text::BIDI_MESSAGE.into()));
    }
    Ok(())
}

/// The refusal of a control character outside a JSON body.
pub fn invalid_character(where_: &str) -> ApiError {
    ApiError::bad_request(
        Code::InvalidCharacter,
        format!("{where_} must not contain NUL or other control characters"),
    )
}

/// Whether text decoded from `%XX` escapes (and `+`, in a query) holds a
/// control character. Undecodable bytes are left for the extractors.
fn decoded_has_control(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).chars().any(char::is_control)
}

/// Middleware: a path or query string holding a control character (`%00`,
/// `%0A`, `%7F`, `%C2%85` …), decoded, is refused with 400
/// `invalid_character` before any route sees it: path segments and query
/// parameters reach the database, and none needs one.
pub async fn refuse_control_characters<B: actix_web::body::MessageBody + 'static>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::EitherBody<B>>, actix_web::Error> {
    let refused = if decoded_has_control(req.uri().path()) {
        Some("the path")
    } else if req.uri().query().is_some_and(decoded_has_control) {
        Some("the query string")
    } else {
        None
    };
    if let Some(where_) = refused {
        return Ok(req.error_response(invalid_character(where_)).map_into_right_body());
    }
    next.call(req)
        .await
        .map(actix_web::dev::ServiceResponse::map_into_left_body)
}

/// A header used as data (such as `Idempotency-Key`), trimmed: `None` when
/// absent, refused with 400 `invalid_character` when it holds a control
/// character or anything but visible ASCII and spaces.
pub fn header_text<'a>(req: &'a HttpRequest, name: &str) -> Result<Option<&'a str>, ApiError> {
    let Some(value) = req.headers().get(name) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .ok()
        .filter(|t| !t.chars().any(char::is_control))
        .ok_or_else(|| invalid_character(&format!("the {name} header")))?;
    Ok(Some(text.trim()))
}

/// The language a request asks for with `Accept-Language` (Vietnamese by
/// default).
pub fn request_lang(req: &actix_web::HttpRequest) -> langnghe_domain::text::Lang {
    req.headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(langnghe_domain::text::Lang::negotiate)
        .unwrap_or_default()
}

/// Tells an absent field from an explicit `null` in PATCH bodies:
/// absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
/// Use with `#[serde(default, deserialize_with = "crate::extract::nullable::deserialize")]`.
pub mod nullable {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}
