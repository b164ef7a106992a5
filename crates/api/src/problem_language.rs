//! Every problem in the language of the request that got it: `lang=vi|en`
//! in the query, else `Accept-Language`, else Vietnamese. A problem
//! already written in one language (a child's refusal, in the language of
//! their form) is read as written. `code`, `type` and each field's `code`
//! never change with the language.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use langnghe_domain::text::Lang;

use crate::error::ApiError;

/// The language a request asks for: `lang=vi|en` in its query string,
/// else its `Accept-Language`. Another `lang` is left to the handler to
/// refuse (in the `Accept-Language` language).
pub fn asked(req: &actix_web::HttpRequest) -> Lang {
    req.query_string()
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find_map(langnghe_domain::words::parse_lang)
        .unwrap_or_else(|| crate::extract::request_lang(req))
}

/// Middleware: an error answered as a problem is written again in the
/// language asked.
pub async fn problem_language<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B, String>>, actix_web::Error> {
    let lang = asked(req.request());
    let res = next.call(req).await?;
    let Some((problem, lang)) = res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
        .map(|e| (e.problem_in(lang), e.written_in.unwrap_or(lang)))
    else {
        return Ok(res.map_into_left_body());
    };
    let body = serde_json::to_string(&problem).unwrap_or_default();
    Ok(res.map_body(|head, _| {
        head.headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(langnghe_domain::words::lang_code(lang)),
        );
        head.headers
            .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
        EitherBody::right(body)
    }))
}
