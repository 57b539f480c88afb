//! Paged lists read one page at a time, so a caller can use a page before the next is requested.

use serde::de::DeserializeOwned;

use super::client::Client;
use super::error::Error;
use super::request::{Call, MAX_PAGES, MAX_PER_PAGE};

/// A paged list endpoint read page by page with [`Pages::next_page`]: a page is requested only
/// when asked for, so a caller that has enough stops the requests.
pub struct Pages<'a, T> {
    client: &'a Client,
    call: Call,
    base_query: Vec<(&'static str, String)>,
    per_page: u32,
    id_of: fn(&T) -> &str,
    /// Applied to every item as it arrives (e.g. normalising the API's older shapes).
    finish: fn(T) -> T,
    /// The number of the next page to request.
    page: u32,
    previous_first: Option<String>,
    received: u64,
    finished: bool,
}

impl<'a, T: DeserializeOwned + Send + 'static> Pages<'a, T> {
    /// The pages of `call` with `per_page` items each (clamped to what the API serves);
    /// `id_of` tells items apart to catch a server that repeats a page.
    pub(super) fn new(
        client: &'a Client,
        call: Call,
        per_page: u32,
        id_of: fn(&T) -> &str,
    ) -> Pages<'a, T> {
        Pages {
            client,
            base_query: call.query.clone(),
            call,
            per_page: per_page.clamp(1, MAX_PER_PAGE),
            id_of,
            finish: |item| item,
            page: 1,
            previous_first: None,
            received: 0,
            finished: false,
        }
    }

    /// The same pages with `finish` applied to every item.
    pub(super) fn finishing_with(self, finish: fn(T) -> T) -> Pages<'a, T> {
        Pages { finish, ..self }
    }

    /// The items of the next page, or `None` after the last page. An error ends the listing.
    pub async fn next_page(&mut self) -> Result<Option<Vec<T>>, Error> {
        if self.finished || self.page > MAX_PAGES {
            return Ok(None);
        }
        let page = self.page;
        self.call.query = self.base_query.clone();
        self.call.query.push(("page", page.to_string()));
        self.call
            .query
            .push(("per_page", self.per_page.to_string()));
        // Ended by an error too: nothing more comes from a listing that failed midway.
        self.finished = true;
        let envelope = self.client.simple::<Vec<T>>(&self.call, None).await?;
        self.call.prepaid_permit = false;
        let batch = envelope.result.unwrap_or_default();
        if batch.is_empty() {
            return Ok(None);
        }
        let first = (self.id_of)(&batch[0]).to_string();
        if self.previous_first.as_deref() == Some(first.as_str()) {
            return Err(Error::Decode(format!(
                "{} returned the same page twice (page {page}); pagination did not advance",
                self.call.path()
            )));
        }
        self.previous_first = Some(first);
        let len = batch.len() as u64;
        self.received += len;
        let info = envelope.result_info.unwrap_or_default();
        let last = if let Some(total_pages) = info.total_pages {
            u64::from(page) >= total_pages
        } else if let Some(total) = info.total_count {
            self.received >= total
        } else {
            len < info.per_page.unwrap_or(u64::from(self.per_page))
        };
        self.finished = last;
        self.page += 1;
        Ok(Some(batch.into_iter().map(self.finish).collect()))
    }

    /// Every item of the remaining pages.
    pub async fn all(self) -> Result<Vec<T>, Error> {
        self.until(|_| false).await
    }

    /// The items of the remaining pages, stopping after the page where `enough(items so far)`
    /// holds.
    pub async fn until(mut self, mut enough: impl FnMut(&[T]) -> bool) -> Result<Vec<T>, Error> {
        let mut items = Vec::new();
        while let Some(batch) = self.next_page().await? {
            items.extend(batch);
            if enough(&items) {
                break;
            }
        }
        Ok(items)
    }
}
