//! Cursor pagination: `limit` (1–100, default 50) and an opaque `cursor`
//! that encodes the last id of the previous page. Ids are UUID v7, so id
//! order is creation order and a page never shifts when rows are added.

use data_encoding::BASE64URL_NOPAD;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, Code};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The same page, its items turned into answers all at once (`f` may
    /// need to look things up for the whole page).
    pub async fn try_map<U, E, F>(self, f: impl FnOnce(Vec<T>) -> F) -> Result<Page<U>, E>
    where
        F: std::future::Future<Output = Result<Vec<U>, E>>,
    {
        Ok(Page {
            items: f(self.items).await?,
            next_cursor: self.next_cursor,
        })
    }
}

/// A query string of a list: its filters, then `limit` (1–100, default 50)
/// and `cursor`, as every list takes them, with `page()` to read the two.
/// (serde cannot flatten a struct into one that denies unknown fields, so
/// the two fields are written in by this macro instead.)
macro_rules! paged_query {
    ($(#[$attr:meta])* pub struct $name:ident { $($(#[$fattr:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$attr])*
        #[derive(serde::Deserialize, utoipa::IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            $($(#[$fattr])* pub $field: $ty,)*
            /// 1–100, default 50.
            #[param(minimum = 1, maximum = 100)]
            pub limit: Option<u32>,
            pub cursor: Option<String>,
        }

        impl $name {
            /// The page asked for.
            pub fn page(&self) -> Result<$crate::pagination::PageRequest, $crate::error::ApiError> {
                $crate::pagination::PageRequest::parse(self.limit, self.cursor.as_deref())
            }
        }
    };
}
pub(crate) use paged_query;

/// A checked page request.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: usize,
    pub after: Option<Uuid>,
}

impl PageRequest {
    pub fn parse(limit: Option<u32>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_request(
                Code::InvalidQuery,
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = match cursor {
            None | Some("") => None,
            Some(c) => Some(decode(c).ok_or_else(|| {
                ApiError::bad_request(Code::InvalidCursor, "the cursor was not issued by this service")
            })?),
        };
        Ok(PageRequest {
            limit: limit as usize,
            after,
        })
    }

    /// How many rows to fetch: one more than the page, to know whether
    /// another page follows.
    pub fn fetch(&self) -> u64 {
        self.limit as u64 + 1
    }

    /// Builds the page from rows fetched with `limit + 1`, oldest first.
    pub fn page<T, U>(&self, mut rows: Vec<T>, id_of: impl Fn(&T) -> Uuid, map: impl FnMut(T) -> U) -> Page<U> {
        let more = rows.len() > self.limit;
        rows.truncate(self.limit);
        let next_cursor = if more {
            rows.last().map(|r| encode(id_of(r)))
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(map).collect(),
            next_cursor,
        }
    }

    /// Pages an in-memory list already sorted by id.
    pub fn page_sorted<T, U>(&self, rows: Vec<T>, id_of: impl Fn(&T) -> Uuid, map: impl FnMut(T) -> U) -> Page<U> {
        let rows: Vec<T> = rows
            .into_iter()
            .filter(|r| self.after.is_none_or(|a| id_of(r) > a))
            .take(self.limit + 1)
            .collect();
        self.page(rows, id_of, map)
    }
}

fn encode(id: Uuid) -> String {
    BASE64URL_NOPAD.encode(id.as_bytes())
}

fn decode(cursor: &str) -> Option<Uuid> {
    let bytes = BASE64URL_NOPAD.decode(cursor.as_bytes()).ok()?;
    Uuid::from_slice(&bytes).ok()
}
