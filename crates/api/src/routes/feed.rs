//! "You said, we did": the public feed of sent recommendations with each
//! agency's stance, child-friendly reply, commitments and progress, newest
//! first, as JSON and as an Atom feed for the Council's community page. No
//! sign-in, no personal data: no issue texts, no names, only the Council's
//! and the agencies' words and suppressed figures.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text, TextType};
use chrono::{DateTime, NaiveDate, Utc};
use langnghe_domain::recommendation::RecommendationStatus;
use langnghe_domain::text::Lang;
use langnghe_domain::words;
use langnghe_domain::{LocalizedText, UnitId};
use langnghe_storage::recommendations::{self as store, RecommendationRow};
use langnghe_storage::{StoreError, org};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::dto::LangQuery;
use crate::error::{ApiError, Code, OrNotFound};
use crate::services::lookups::{Lookup, commitments};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(feed)
        .service(feed_atom)
        .service(public_recommendation)
        .service(public_catalog);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicProgressDto {
    /// `in_progress` or `done`.
    #[schema(value_type = crate::closed_sets::ProgressStatusName)]
    pub status: String,
    /// The agency's note in child-friendly words; null if it gave none
    /// (its formal note is not published).
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCommitmentDto {
    pub text: String,
    pub due_on: NaiveDate,
    /// `open`, `in_progress` or `done`.
    #[schema(value_type = crate::closed_sets::CommitmentStatusName)]
    pub status: String,
    pub progress: Vec<PublicProgressDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicAnswerDto {
    pub agency_id: Uuid,
    pub agency: String,
    /// `sent`, `acknowledged`, `answered`, `in_progress`, `done`,
    /// `declined` or `not_responsible`.
    #[schema(value_type = crate::closed_sets::DeliveryStatusName)]
    pub status: String,
    /// `accepted`, `partially_accepted`, `declined` or `not_responsible`;
    /// null until it answers.
    #[schema(value_type = Option<crate::closed_sets::StanceName>)]
    pub stance: Option<String>,
    /// The agency's answer in child-friendly words; null until it answers
    /// (or if it gave none: its formal answer is not published).
    pub reply: Option<String>,
    pub due_on: NaiveDate,
    /// Unanswered past the due date.
    pub overdue: bool,
    pub commitments: Vec<PublicCommitmentDto>,
    /// The agency's official letter (PDF), if it made it public.
    pub letter_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicRecommendationDto {
    pub id: Uuid,
    pub title: String,
    /// What children asked for, in their words' spirit.
    pub child_summary: String,
    /// Topic slug and name.
    pub topic: String,
    pub topic_name: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub sent_at: DateTime<Utc>,
    /// The latest answer or progress.
    pub updated_at: DateTime<Utc>,
    /// The survey figures it rests on, suppressed, as when sent; only from
    /// surveys whose results are public.
    #[schema(value_type = Vec<crate::services::results::FrozenEvidenceDto>)]
    pub evidence: serde_json::Value,
    pub answers: Vec<PublicAnswerDto>,
}

fn pick(t: &LocalizedText, lang: Lang) -> String {
    t.get(lang).to_owned()
}

async fn public_dtos(
    state: &AppState,
    rows: Vec<RecommendationRow>,
    lang: Lang,
) -> Result<Vec<PublicRecommendationDto>, ApiError> {
    let look = Lookup::load(state).await?;
    let chart = org::load_chart(&state.db).await?;
    // Figures from a survey whose results are not public stay with the
    // Council and the agencies.
    let mut public_surveys = std::collections::HashMap::new();
    for r in &rows {
        for e in &r.draft.evidence {
            if let std::collections::hash_map::Entry::Vacant(v) = public_surveys.entry(e.survey_id) {
                let public = match langnghe_storage::surveys::get(&state.db, e.survey_id).await {
                    Ok(s) => s.results_public,
                    Err(StoreError::NotFound) => false,
                    Err(e) => return Err(e.into()),
                };
                v.insert(public);
            }
        }
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let deliveries = store::deliveries_of(&state.db, &ids).await?;
    let delivery_ids: Vec<Uuid> = deliveries.iter().map(|d| d.id).collect();
    let promised = commitments(state, &delivery_ids).await?;
    let letters = langnghe_storage::letters::public_of(&state.db, &ids).await?;
    let base = state.public_url.as_deref().unwrap_or("");
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let Some(sent_at) = r.sent_at else { continue };
        let mut updated_at = sent_at;
        let answers = deliveries
            .iter()
            .filter(|d| d.recommendation_id == r.id)
            .map(|d| {
                updated_at = updated_at.max(d.answered_at.unwrap_or(sent_at));
                let commitments = promised
                    .of(d.id)
                    .map(|c| PublicCommitmentDto {
                        text: c.body.clone(),
                        due_on: c.due_on,
                        status: c.status.as_str().to_owned(),
                        progress: promised
                            .updates(c.id)
                            .map(|u| {
                                updated_at = updated_at.max(u.created_at);
                                PublicProgressDto {
                                    status: u.status.as_str().to_owned(),
                                    note: u.child_note.clone(),
                                    at: u.created_at,
                                }
                            })
                            .collect(),
                    })
                    .collect();
                PublicAnswerDto {
                    agency_id: d.agency_id,
                    agency: look.agency_name_in(d.agency_id, lang),
                    status: d.status.as_str().to_owned(),
                    stance: d.stance.map(|s| s.as_str().to_owned()),
                    reply: d.reply_child_summary.clone(),
                    due_on: d.due_on,
                    overdue: look.days_overdue(d).is_some(),
                    commitments,
                    letter_url: letters
                        .iter()
                        .any(|l| l.letter.delivery_id == d.id)
                        .then(|| format!("{base}/api/v1/public/recommendations/{}/letters/{}", r.id, d.id)),
                }
            })
            .collect();
        let topic = look.topic(r.draft.topic_id);
        out.push(PublicRecommendationDto {
            id: r.id,
            title: pick(&r.draft.title, lang),
            child_summary: pick(&r.draft.child_summary, lang),
            topic: topic.map(|t| t.slug.as_str().to_owned()).unwrap_or_default(),
            topic_name: topic.map(|t| pick(&t.name, lang)).unwrap_or_default(),
            unit_id: r.draft.unit_id,
            unit_name: chart
                .unit(UnitId(r.draft.unit_id))
                .map(|u| pick(&u.name, lang))
                .unwrap_or_default(),
            sent_at,
            updated_at,
            evidence: crate::services::results::evidence_for_reader(
                state,
                serde_json::Value::Array(
                    r.frozen_evidence
                        .and_then(|f| f.as_array().cloned())
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|e| {
                            e["survey_id"]
                                .as_str()
                                .and_then(|id| id.parse::<Uuid>().ok())
                                .is_some_and(|id| public_surveys.get(&id).copied().unwrap_or(false))
                        })
                        .collect(),
                ),
                lang,
            )
            .await?,
            answers,
        });
    }
    Ok(out)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Topic slug.
    pub topic: Option<String>,
    /// This unit and everything below it.
    pub unit_id: Option<Uuid>,
    /// `vi` or `en` (default: from Accept-Language, else `vi`).
    #[param(value_type = Option<crate::closed_sets::LangCode>)]
    pub lang: Option<String>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPage {
    pub items: Vec<PublicRecommendationDto>,
    /// Pass as `cursor` for older items; null on the last page.
    pub next_cursor: Option<String>,
}

struct Narrowed {
    lang: Lang,
    topic_id: Option<Uuid>,
    units: Option<Vec<UnitId>>,
}

use crate::extract::query_lang as lang_of;

async fn narrow(state: &AppState, req: &HttpRequest, q: &FeedQuery) -> Result<Narrowed, ApiError> {
    let lang = lang_of(req, q.lang.as_deref())?;
    let topics = langnghe_storage::catalog::list_topics(&state.db).await?;
    let topic_id = crate::services::lookups::topic_query(&topics, q.topic.as_deref())?;
    let units = crate::services::lookups::unit_query(state, q.unit_id).await?;
    Ok(Narrowed { lang, topic_id, units })
}

fn parse_cursor(c: &str) -> Result<(DateTime<Utc>, Uuid), ApiError> {
    let bad = || ApiError::bad_request(Code::InvalidCursor, "the cursor was not issued by this feed");
    let (micros, id) = c.split_once('_').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let at = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
    // Years every database stores.
    if !(2000..=9999).contains(&chrono::Datelike::year(&at)) {
        return Err(bad());
    }
    Ok((at, id.parse().map_err(|_| bad())?))
}

/// Sent recommendations with the agencies' answers and progress, newest
/// first. No sign-in.
#[utoipa::path(
    tag = "public",
    params(FeedQuery),
    responses(
        (status = 200, body = FeedPage),
        crate::openapi::BadInput,
    )
)]
#[get("/public/feed")]
async fn feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let n = narrow(&state, &req, &q).await?;
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request(
            Code::InvalidQuery,
            "limit must be between 1 and 100",
        ));
    }
    let before = q.cursor.as_deref().map(parse_cursor).transpose()?;
    let mut rows = store::published(&state.db, n.topic_id, n.units.as_deref(), before, limit as u64 + 1).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| {
            rows.last()
                .and_then(|r| r.sent_at.map(|s| format!("{}_{}", s.timestamp_micros(), r.id)))
        })
        .flatten();
    let items = public_dtos(&state, rows, n.lang).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header((header::VARY, "Accept-Language"))
        .json(FeedPage { items, next_cursor }))
}

/// The text without the characters XML 1.0 cannot carry (the writer
/// escapes the rest).
fn xml_chars(s: &str) -> String {
    s.chars()
        .filter(|&c| (c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// Escaped for the HTML of an entry's content (which the writer escapes
/// again as the element's text).
fn html(s: &str) -> String {
    quick_xml::escape::escape(xml_chars(s).as_str()).into_owned()
}

fn stance_words(stance: Option<&str>, lang: Lang) -> &'static str {
    match (stance, lang) {
        (Some("accepted"), Lang::Vi) => "tiếp thu",
        (Some("partially_accepted"), Lang::Vi) => "tiếp thu một phần",
        (Some("declined"), Lang::Vi) => "chưa tiếp thu",
        (Some("not_responsible"), Lang::Vi) => "không thuộc thẩm quyền",
        (_, Lang::Vi) => "đang chờ trả lời",
        (Some("accepted"), Lang::En) => "accepted",
        (Some("partially_accepted"), Lang::En) => "partly accepted",
        (Some("declined"), Lang::En) => "declined",
        (Some("not_responsible"), Lang::En) => "not responsible",
        (_, Lang::En) => "awaiting an answer",
    }
}

/// The feed as Atom (RFC 4287), newest 50, for the Council's community
/// page. No sign-in.
#[utoipa::path(
    tag = "public",
    params(
        ("topic" = Option<String>, Query, description = "Topic slug."),
        ("unit_id" = Option<Uuid>, Query, description = "This unit and everything below it."),
        ("lang" = Option<crate::closed_sets::LangCode>, Query, description = "`vi` or `en` (default: from Accept-Language, else `vi`)."),
    ),
    responses(
        (status = 200, description = "An Atom feed", content_type = "application/atom+xml", body = String),
        crate::openapi::BadInput,
    )
)]
#[get("/public/feed.atom")]
async fn feed_atom(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let n = narrow(&state, &req, &q).await?;
    if q.cursor.is_some() || q.limit.is_some() {
        return Err(ApiError::bad_request(
            Code::InvalidQuery,
            "the Atom feed has the newest 50 items; page the JSON feed",
        ));
    }
    let rows = store::published(&state.db, n.topic_id, n.units.as_deref(), None, 50).await?;
    let items = public_dtos(&state, rows, n.lang).await?;
    let (title, lang_tag) = match n.lang {
        Lang::Vi => ("Lắng Nghe — Các em nói, chúng tôi làm", "vi"),
        Lang::En => ("Lắng Nghe — You said, we did", "en"),
    };
    // Every text of the feed is in the reader's language: the feed says so,
    // and so does each entry's text.
    let text = |value: &str, kind: TextType| Text {
        value: xml_chars(value),
        lang: Some(lang_tag.to_owned()),
        r#type: kind,
        ..Text::default()
    };
    let updated = items
        .iter()
        .map(|i| i.updated_at)
        .max()
        .unwrap_or_else(|| state.clock.now());
    // Absolute where the service knows its address (LANGNGHE_PUBLIC_URL),
    // never from a request header, which could point readers elsewhere;
    // relative to the feed otherwise.
    let base = state.public_url.as_deref().unwrap_or("");
    let page_lang = match n.lang {
        Lang::Vi => "",
        Lang::En => "?lang=en",
    };
    let entries = items
        .iter()
        .map(|i| {
            let mut content = format!("<p>{}</p>", html(&i.child_summary));
            for a in &i.answers {
                content.push_str(&format!(
                    "<p><b>{}</b>: {}{}</p>",
                    html(&a.agency),
                    stance_words(a.stance.as_deref(), n.lang),
                    a.reply
                        .as_deref()
                        .map(|r| format!(" — {}", html(r)))
                        .unwrap_or_default(),
                ));
                if !a.commitments.is_empty() {
                    content.push_str("<ul>");
                    for c in &a.commitments {
                        content.push_str(&format!(
                            "<li>{} ({} {}, {})</li>",
                            html(&c.text),
                            words::by_date(n.lang),
                            words::date(c.due_on),
                            words::commitment_status(&c.status, n.lang),
                        ));
                    }
                    content.push_str("</ul>");
                }
            }
            Entry {
                id: format!("urn:uuid:{}", i.id),
                title: text(&i.title, TextType::Text),
                published: Some(i.sent_at.fixed_offset()),
                updated: i.updated_at.fixed_offset(),
                // First the page people read it on (the Council's community
                // page, in the feed's language), then its public JSON, typed.
                links: vec![
                    Link {
                        href: format!("{base}/cong-dong/r/{}{}", i.id, page_lang),
                        mime_type: Some("text/html".to_owned()),
                        hreflang: Some(lang_tag.to_owned()),
                        ..Link::default()
                    },
                    Link {
                        href: format!("{base}/api/v1/public/recommendations/{}{}", i.id, page_lang),
                        mime_type: Some("application/json".to_owned()),
                        hreflang: Some(lang_tag.to_owned()),
                        ..Link::default()
                    },
                ],
                categories: vec![Category {
                    term: xml_chars(&i.topic),
                    label: Some(xml_chars(&i.topic_name)),
                    ..Category::default()
                }],
                summary: Some(text(&i.child_summary, TextType::Text)),
                content: Some(Content {
                    value: Some(content),
                    content_type: Some("html".to_owned()),
                    lang: Some(lang_tag.to_owned()),
                    ..Content::default()
                }),
                ..Entry::default()
            }
        })
        .collect();
    let atom = Feed {
        id: "urn:langnghe:feed".to_owned(),
        title: text(title, TextType::Text),
        updated: updated.fixed_offset(),
        links: vec![Link {
            href: xml_chars(&format!("{base}{}", req.uri())),
            rel: "self".to_owned(),
            mime_type: Some("application/atom+xml".to_owned()),
            ..Link::default()
        }],
        authors: vec![Person {
            name: "Hội đồng trẻ em".to_owned(),
            ..Person::default()
        }],
        lang: Some(lang_tag.to_owned()),
        entries,
        ..Feed::default()
    };
    let out = atom.write_to(Vec::new()).map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::VARY, "Accept-Language"))
        .body(out))
}

/// One sent recommendation with the agencies' answers and progress. No
/// sign-in; a recommendation not yet sent is not found.
#[utoipa::path(
    tag = "public",
    params(("id" = Uuid, Path), LangQuery),
    responses(
        (status = 200, body = PublicRecommendationDto),
        crate::openapi::BadInput, crate::openapi::Missing,
    )
)]
#[get("/public/recommendations/{id}")]
async fn public_recommendation(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    q: web::Query<LangQuery>,
) -> Result<web::Json<PublicRecommendationDto>, ApiError> {
    let lang = lang_of(&req, q.lang.as_deref())?;
    let row = Some(store::get(&state.db, *id).await.or_not_found("recommendation")?)
        .filter(|r| r.status == RecommendationStatus::Sent)
        .ok_or_else(|| ApiError::not_found("recommendation"))?;
    public_dtos(&state, vec![row], lang)
        .await?
        .pop()
        .map(web::Json)
        .ok_or_else(|| ApiError::not_found("recommendation"))
}

/// A topic children's issues and recommendations are filed under.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicTopicDto {
    pub slug: String,
    pub name: String,
}

/// A place whose issues and recommendations can be read on their own.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicPlaceDto {
    pub id: Uuid,
    /// `district` or `ward`.
    #[schema(value_type = crate::closed_sets::UnitKindName)]
    pub kind: &'static str,
    pub name: String,
    /// The place it belongs to, if it is listed too.
    pub parent_id: Option<Uuid>,
}

/// A survey whose results anyone can read.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSurveyBriefDto {
    pub id: Uuid,
    pub title: String,
    /// `opinion`, `policy_consultation` or `issue_form`.
    #[schema(value_type = crate::closed_sets::SurveyKindName)]
    pub kind: &'static str,
    /// The published version, whose results `GET /public/surveys/{id}/results` gives.
    pub version: i32,
}

/// What the public can browse: the topics and places to filter by, and the
/// surveys whose results are public.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCatalogDto {
    /// The language of the names: `vi` or `en`.
    #[schema(value_type = crate::closed_sets::LangCode)]
    pub lang: &'static str,
    /// Topics in use, by name.
    pub topics: Vec<PublicTopicDto>,
    /// Districts and wards in force today, each district before its wards.
    pub places: Vec<PublicPlaceDto>,
    /// Newest first.
    pub surveys: Vec<PublicSurveyBriefDto>,
}

/// The topics and places the public feed and issues can be filtered by
/// (`topic`, `unit_id`), and the surveys whose results are public, with
/// their names in the caller's language. No sign-in; nothing about
/// children.
#[utoipa::path(
    tag = "public",
    params(LangQuery),
    responses(
        (status = 200, body = PublicCatalogDto),
        crate::openapi::BadInput,
    )
)]
#[get("/public/catalog")]
async fn public_catalog(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    use langnghe_domain::org::UnitKind;
    use langnghe_storage::surveys::{self, SurveyFilter};
    let lang = lang_of(&req, q.lang.as_deref())?;
    let mut topics: Vec<PublicTopicDto> = langnghe_storage::catalog::list_topics(&state.db)
        .await?
        .into_iter()
        .filter(|t| t.active)
        .map(|t| PublicTopicDto {
            slug: t.slug.as_str().to_owned(),
            name: pick(&t.name, lang),
        })
        .collect();
    topics.sort_by(|a, b| a.name.cmp(&b.name));
    let chart = org::load_chart(&state.db).await?;
    let today = state.clock.local_date();
    let mut districts: Vec<_> = chart
        .in_force_on(today)
        .filter(|u| u.kind == UnitKind::District)
        .collect();
    districts.sort_by_key(|u| u.code.as_str().to_owned());
    let mut wards: Vec<_> = chart.in_force_on(today).filter(|u| u.kind == UnitKind::Ward).collect();
    wards.sort_by_key(|u| u.code.as_str().to_owned());
    let place = |u: &langnghe_domain::org::Unit| PublicPlaceDto {
        id: u.id.0,
        kind: u.kind.as_str(),
        name: pick(&u.name, lang),
        parent_id: chart
            .ancestors_on(u.id, today)
            .into_iter()
            .find(|a| a.kind == UnitKind::District)
            .map(|a| a.id.0),
    };
    let mut places = Vec::new();
    for d in &districts {
        places.push(place(d));
        places.extend(
            wards
                .iter()
                .filter(|w| place(w).parent_id == Some(d.id.0))
                .map(|w| place(w)),
        );
    }
    places.extend(
        wards
            .iter()
            .filter(|w| {
                place(w)
                    .parent_id
                    .is_none_or(|p| !districts.iter().any(|d| d.id.0 == p))
            })
            .map(|w| place(w)),
    );
    let mut records = Vec::new();
    let mut after = None;
    loop {
        let page = surveys::list(&state.db, &SurveyFilter::default(), after, 500).await?;
        let last = page.last().map(|r| r.id);
        records.extend(
            page.into_iter()
                .filter(|r| r.results_public && r.published_version.is_some()),
        );
        match last {
            Some(id) => after = Some(id),
            None => break,
        }
    }
    records.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        let Some(version) = r.published_version else { continue };
        let stored = surveys::version(&state.db, r.id, version).await?;
        out.push(PublicSurveyBriefDto {
            id: r.id,
            title: stored.definition.definition.title().get(lang).to_owned(),
            kind: r.kind.as_str(),
            version,
        });
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header((header::VARY, "Accept-Language"))
        .json(PublicCatalogDto {
            lang: words::lang_code(lang),
            topics,
            places,
            surveys: out,
        }))
}
