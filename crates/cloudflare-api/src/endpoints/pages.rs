//! Paged lists read one page at a time, so a caller can use a page before the next is requested.

use serde::de::DeserializeOwned;

use super::MAX_PER_PAGE;
use crate::transport::{Call, Error, Permit, Transport};

/// A safety net against servers that never signal the last page.
const MAX_PAGES: u32 = 10_000;

/// A paged list endpoint read page by page with [`Pages::next_page`]: a page is requested only
/// when asked for, so a caller that has enough stops the requests.
pub struct Pages<'a, T> {
    api: &'a Transport,
    call: Call,
    /// The rate-limit token of the first page, when the caller already took it.
    permit: Option<Permit>,
    base_query: Vec<(&'static str, String)>,
    per_page: u32,
    id_of: fn(&T) -> &str,
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
        api: &'a Transport,
        call: Call,
        per_page: u32,
        id_of: fn(&T) -> &str,
    ) -> Pages<'a, T> {
        Pages {
            api,
            base_query: call.query.clone(),
            call,
            permit: None,
            per_page: per_page.clamp(1, MAX_PER_PAGE),
            id_of,
            page: 1,
            previous_first: None,
            received: 0,
            finished: false,
        }
    }

    /// The same pages, the first sent with `permit`, the rate-limit token the caller took.
    pub(crate) fn with_permit(self, permit: Permit) -> Pages<'a, T> {
        let permit = Some(permit);
        Pages { permit, ..self }
    }

    /// The items of the next page, or `None` after the last page. An error ends the listing.
    pub async fn next_page(&mut self) -> Result<Option<Vec<T>>, Error> {
        if self.finished || self.page > MAX_PAGES {
            return Ok(None);
        }
        let page = self.page;
        let query = &mut self.call.query;
        query.clone_from(&self.base_query);
        query.push(("page", page.to_string()));
        query.push(("per_page", self.per_page.to_string()));
        // Ended by an error too: nothing more comes from a listing that failed midway.
        self.finished = true;
        let permit = self.permit.take();
        let envelope = self.api.send::<Vec<T>>(&self.call, permit, None).await?;
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
        Ok(Some(batch))
    }

    /// Every item of the remaining pages.
    pub(crate) async fn all(self) -> Result<Vec<T>, Error> {
        self.until(|_| false).await
    }

    /// The items of the remaining pages, stopping after the page where `enough(items so far)`
    /// holds.
    pub(crate) async fn until(
        mut self,
        mut enough: impl FnMut(&[T]) -> bool,
    ) -> Result<Vec<T>, Error> {
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
