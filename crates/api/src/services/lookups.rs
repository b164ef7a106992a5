//! Lookups several routes share: query parameters read against the
//! catalogue and the organisation, the holiday calendar, and what turning
//! delivery rows into answers needs.

use chrono::NaiveDate;
use langnghe_domain::calendar::Holidays;
use langnghe_domain::catalog::{Agency, Topic};
use langnghe_domain::recommendation as rules;
use langnghe_domain::text::Lang;
use langnghe_domain::{Named, UnitId};
use langnghe_storage::recommendations::{self as store, DeliveryRow};
use langnghe_storage::{calendar, catalog, org};
use uuid::Uuid;

use crate::dto::{Commitments, Text};
use crate::error::{ApiError, Code, OrNotFound};
use crate::state::AppState;

/// A status (or stance, or kind) named in the query parameter `name`, read
/// as its typed value at the edge: a name it does not know is a 400
/// `invalid_query` listing the known names, in both languages.
pub(crate) fn status_query<T: Named>(raw: Option<&str>, name: &str) -> Result<Option<T>, ApiError> {
    raw.map(|s| {
        T::parse(s).ok_or_else(|| {
            let list = T::NAMES.join(", ");
            ApiError::bad_request(Code::InvalidQuery, format!("{name} is one of: {list}")).said(
                format!("{name} là một trong: {list}"),
                format!("{name} is one of: {list}"),
            )
        })
    })
    .transpose()
}

/// The agency `id` exists, or 404 `not_found`.
pub(crate) async fn agency_exists(state: &AppState, id: Uuid) -> Result<(), ApiError> {
    catalog::get_agency(&state.db, langnghe_domain::AgencyId(id))
        .await
        .or_not_found("agency")?;
    Ok(())
}

/// A delivery routed to the agency `agency_id`, as it opens its own: another
/// agency's is not found, as a missing one is.
pub(crate) async fn own_delivery(state: &AppState, agency_id: Uuid, id: Uuid) -> Result<DeliveryRow, ApiError> {
    Some(store::get_delivery(&state.db, id).await.or_not_found("delivery")?)
        .filter(|d| d.agency_id == agency_id)
        .ok_or_else(|| ApiError::not_found("delivery"))
}

/// What turning rows into answers needs besides the rows.
pub(crate) struct Lookup {
    pub topics: Vec<Topic>,
    pub agencies: Vec<Agency>,
    pub holidays: Holidays,
    pub today: NaiveDate,
}

impl Lookup {
    pub(crate) async fn load(state: &AppState) -> Result<Lookup, ApiError> {
        Ok(Lookup {
            topics: catalog::list_topics(&state.db).await?,
            agencies: catalog::list_agencies(&state.db).await?,
            holidays: holidays(state).await?,
            today: state.clock.local_date(),
        })
    }

    pub(crate) fn topic(&self, id: Uuid) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id.0 == id)
    }

    pub(crate) fn topic_slug(&self, id: Uuid) -> String {
        self.topic(id).map(|t| t.slug.as_str().to_owned()).unwrap_or_default()
    }

    fn agency(&self, id: Uuid) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.id.0 == id)
    }

    pub(crate) fn agency_name(&self, id: Uuid) -> Text {
        self.agency(id).map(|a| Text::from(&a.name)).unwrap_or(Text {
            vi: String::new(),
            en: None,
        })
    }

    /// An agency's name in `lang` (empty for an agency no longer listed).
    pub(crate) fn agency_name_in(&self, id: Uuid, lang: Lang) -> String {
        self.agency(id).map(|a| a.name.get(lang).to_owned()).unwrap_or_default()
    }

    pub(crate) fn days_overdue(&self, d: &DeliveryRow) -> Option<i64> {
        rules::days_overdue(d.status, d.due_on, self.today, &self.holidays)
    }
}

/// The holiday calendar, from storage.
pub(crate) async fn holidays(state: &AppState) -> Result<Holidays, ApiError> {
    Ok(Holidays::new(
        calendar::list(&state.db, None).await?.into_iter().map(|(d, _)| d),
    ))
}

/// The commitments of some deliveries with their updates.
pub(crate) async fn commitments(state: &AppState, deliveries: &[Uuid]) -> Result<Commitments, ApiError> {
    Ok(Commitments {
        rows: store::commitments_of(&state.db, deliveries).await?,
        updates: store::updates_of(&state.db, deliveries).await?,
    })
}

pub(crate) fn topic_by_slug<'a>(topics: &'a [Topic], slug: &str) -> Option<&'a Topic> {
    topics.iter().find(|t| t.slug.as_str() == slug)
}

/// A `topic` query parameter (a slug) as the topic's id.
pub(crate) fn topic_query(topics: &[Topic], slug: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    slug.map(|s| {
        topic_by_slug(topics, s)
            .map(|t| t.id.0)
            .ok_or_else(|| ApiError::bad_request(Code::InvalidQuery, "unknown topic"))
    })
    .transpose()
}

/// A `unit_id` query parameter as the units it covers today (below it, and
/// old units that count toward it).
pub(crate) async fn unit_query(state: &AppState, unit_id: Option<Uuid>) -> Result<Option<Vec<UnitId>>, ApiError> {
    let Some(u) = unit_id else {
        return Ok(None);
    };
    let chart = org::load_chart(&state.db).await?;
    if chart.unit(UnitId(u)).is_none() {
        return Err(ApiError::bad_request(Code::InvalidQuery, "unknown unit_id"));
    }
    Ok(Some(chart.counting_for(UnitId(u), state.clock.local_date())))
}
