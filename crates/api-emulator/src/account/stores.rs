//! Store operations: list, create (one per account by default), get, delete (with `force`).

use std::cmp::Ordering;

use axum::http::StatusCode;

use super::AccountData;
use crate::envelope::{ApiError, ResultInfo};
use crate::ids::new_id;
use crate::listing::{ListQuery, paginate, sort_items};
use crate::model::{StoreInfo, StoreRecord};
use crate::validation::check_store_name;

/// `order` values accepted when listing stores.
pub const STORE_ORDERS: [&str; 3] = ["name", "created", "modified"];

impl AccountData {
    pub fn list_stores(&self, query: &ListQuery) -> (Vec<StoreInfo>, ResultInfo) {
        let mut stores: Vec<&StoreRecord> = self.stores.iter().collect();
        sort_items(
            &mut stores,
            query.direction,
            |a, b| compare_stores(a, b, &query.order),
            |store| store.sequence,
        );
        let infos: Vec<StoreInfo> = stores
            .iter()
            .map(|store| store.info(&self.config.account_id))
            .collect();
        paginate(&infos, query.page, query.per_page)
    }

    pub fn create_store(&mut self, name: &str) -> Result<StoreInfo, ApiError> {
        check_store_name(name)?;
        if self.stores.len() >= self.config.max_stores {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                1003,
                "maximum_stores_exceeded",
            ));
        }
        let now = self.clock.now();
        let sequence = self.sequence();
        let store = StoreRecord {
            id: new_id(),
            name: name.to_string(),
            created: now,
            modified: now,
            sequence,
        };
        let info = store.info(&self.config.account_id);
        self.stores.push(store);
        Ok(info)
    }

    pub fn get_store(&self, store_id: &str) -> Result<StoreInfo, ApiError> {
        self.find_store(store_id)
            .map(|store| store.info(&self.config.account_id))
    }

    pub fn delete_store(&mut self, store_id: &str, force: bool) -> Result<(), ApiError> {
        self.find_store(store_id)?;
        let holds_secrets = self.secrets.iter().any(|s| s.store_id == store_id);
        if holds_secrets && !force {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                1003,
                "store_not_empty: the store still holds secrets; delete them first or pass force=true",
            ));
        }
        self.secrets.retain(|secret| secret.store_id != store_id);
        self.stores.retain(|store| store.id != store_id);
        Ok(())
    }

    pub(super) fn find_store(&self, store_id: &str) -> Result<&StoreRecord, ApiError> {
        self.stores
            .iter()
            .find(|store| store.id == store_id)
            .ok_or_else(ApiError::store_not_found)
    }
}

fn compare_stores(a: &StoreRecord, b: &StoreRecord, order: &str) -> Ordering {
    match order {
        "name" => a.name.cmp(&b.name),
        "modified" => a.modified.cmp(&b.modified),
        _ => a.created.cmp(&b.created),
    }
}
