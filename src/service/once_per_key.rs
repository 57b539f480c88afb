//! `OncePerKey`: values computed at most once per key in a provider process; concurrent callers
//! of one key share one computation, and forgetting a key makes the next caller compute again.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

/// A map from keys to cells that are filled once.
pub struct OncePerKey<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K, V> Default for OncePerKey<K, V> {
    fn default() -> Self {
        OncePerKey {
            cells: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V> OncePerKey<K, V> {
    /// The cell of `key`, created empty on first use.
    pub fn cell(&self, key: K) -> Arc<OnceCell<V>> {
        let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
        cells.entry(key).or_default().clone()
    }

    /// `key`'s value when some caller already computed it; never starts a computation.
    pub fn peek(&self, key: &K) -> Option<V>
    where
        V: Clone,
    {
        let cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
        cells.get(key)?.get().cloned()
    }

    /// Forgets `key`'s value: the next caller computes it again.
    pub fn forget(&self, key: &K) {
        let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
        cells.remove(key);
    }
}
