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
