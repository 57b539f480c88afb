//! List query parameters (`page`, `per_page`, `order`, `direction`, `search`, `scopes`),
//! ordering with deterministic ties, and pagination into `result_info`.

use std::cmp::Ordering;

use super::envelope::{ApiError, ResultInfo};
use super::validation::ALLOWED_SCOPES;

/// Page size when the request gives none.
pub const DEFAULT_PER_PAGE: usize = 20;
/// The largest accepted `per_page`.
pub const MAX_PER_PAGE: usize = 100;

/// Sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

/// Parsed list parameters. `order` is one of the names allowed for the listed kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    pub page: usize,
    pub per_page: usize,
    pub order: String,
    pub direction: Direction,
    pub search: Option<String>,
    pub scopes: Vec<String>,
}

/// Parses raw query pairs; `allowed_orders` lists the accepted `order` values. Unknown
/// keys are ignored, as the API does; store listings ignore `search` and `scopes`.
pub fn parse_list_query(
    pairs: &[(String, String)],
    allowed_orders: &[&str],
) -> Result<ListQuery, ApiError> {
    let mut query = ListQuery {
        page: 1,
        per_page: DEFAULT_PER_PAGE,
        order: "created".to_string(),
        direction: Direction::Desc,
        search: None,
        scopes: Vec::new(),
    };
    for (key, value) in pairs {
        match key.as_str() {
            "page" => query.page = parse_number("page", value)?.max(1),
            "per_page" => {
                let per_page = parse_number("per_page", value)?;
                if !(1..=MAX_PER_PAGE).contains(&per_page) {
                    return Err(invalid_query(format!(
                        "per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}"
                    )));
                }
                query.per_page = per_page;
            }
            "order" => {
                if !allowed_orders.contains(&value.as_str()) {
                    return Err(invalid_query(format!(
                        "order must be one of {}, got {value:?}",
                        allowed_orders.join(", ")
                    )));
                }
                query.order = value.clone();
            }
            "direction" => {
                query.direction = match value.as_str() {
                    "asc" => Direction::Asc,
                    "desc" => Direction::Desc,
                    other => {
                        return Err(invalid_query(format!(
                            "direction must be asc or desc, got {other:?}"
                        )));
                    }
                }
            }
            "search" => query.search = Some(value.clone()).filter(|text| !text.is_empty()),
            "scopes" | "scopes[]" => {
                for scope in value.split(',').filter(|scope| !scope.is_empty()) {
                    if !ALLOWED_SCOPES.contains(&scope) {
                        return Err(invalid_query(format!(
                            "scopes must be a comma-separated list of {}, got {scope:?}",
                            ALLOWED_SCOPES.join(", ")
                        )));
                    }
                    query.scopes.push(scope.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(query)
}

fn parse_number(name: &str, value: &str) -> Result<usize, ApiError> {
    value
        .parse::<usize>()
        .map_err(|_| invalid_query(format!("{name} must be a whole number, got {value:?}")))
}

fn invalid_query(detail: String) -> ApiError {
    ApiError::invalid(format!("invalid_query_parameter: {detail}"))
}

/// Sorts `items` by `key` in `direction`; ties are broken by creation sequence so the
/// order is always the same.
pub fn sort_items<T>(
    items: &mut [T],
    direction: Direction,
    key: impl Fn(&T, &T) -> Ordering,
    sequence: impl Fn(&T) -> u64,
) {
    items.sort_by(|a, b| {
        let ordering = key(a, b).then_with(|| sequence(a).cmp(&sequence(b)));
        match direction {
            Direction::Asc => ordering,
            Direction::Desc => ordering.reverse(),
        }
    });
}

/// The requested page of `items` and its `result_info`; past the end the page is empty.
pub fn paginate<T: Clone>(items: &[T], page: usize, per_page: usize) -> (Vec<T>, ResultInfo) {
    let start = (page - 1).saturating_mul(per_page);
    let slice: Vec<T> = items.iter().skip(start).take(per_page).cloned().collect();
    let info = ResultInfo {
        page,
        per_page,
        count: slice.len(),
        total_count: items.len(),
        total_pages: items.len().div_ceil(per_page),
    };
    (slice, info)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_page_1_created_desc() {
        let query = parse_list_query(&[], &["created"]).unwrap();
        assert_eq!(query.page, 1);
        assert_eq!(query.per_page, DEFAULT_PER_PAGE);
        assert_eq!(query.order, "created");
        assert_eq!(query.direction, Direction::Desc);
    }

    #[test]
    fn bad_parameters_are_rejected_with_the_reason() {
        let too_big = parse_list_query(&pairs(&[("per_page", "101")]), &["created"]).unwrap_err();
        assert_eq!(too_big.status, axum::http::StatusCode::BAD_REQUEST);
        assert!(too_big.message.contains("between 1 and 100"));
        assert!(parse_list_query(&pairs(&[("page", "x")]), &["created"]).is_err());
        assert!(parse_list_query(&pairs(&[("order", "status")]), &["created"]).is_err());
        assert!(parse_list_query(&pairs(&[("direction", "up")]), &["created"]).is_err());
        assert!(parse_list_query(&pairs(&[("scopes", "workers,nope")]), &["created"]).is_err());
    }

    #[test]
    fn scopes_accept_comma_lists_and_repeats() {
        let query = parse_list_query(
            &pairs(&[("scopes", "workers,dex"), ("scopes", "access")]),
            &["created"],
        )
        .unwrap();
        assert_eq!(query.scopes, vec!["workers", "dex", "access"]);
    }

    #[test]
    fn sorting_breaks_ties_by_sequence_in_both_directions() {
        let mut items = vec![("b", 1), ("a", 2), ("b", 0)];
        sort_items(&mut items, Direction::Asc, |x, y| x.0.cmp(y.0), |x| x.1);
        assert_eq!(items, vec![("a", 2), ("b", 0), ("b", 1)]);
        sort_items(&mut items, Direction::Desc, |x, y| x.0.cmp(y.0), |x| x.1);
        assert_eq!(items, vec![("b", 1), ("b", 0), ("a", 2)]);
    }

    #[test]
    fn pages_past_the_end_are_empty() {
        let items: Vec<u32> = (0..5).collect();
        let (page, info) = paginate(&items, 2, 2);
        assert_eq!(page, vec![2, 3]);
        assert_eq!(info.total_pages, 3);
        assert_eq!(info.total_count, 5);
        let (past, info) = paginate(&items, 9, 2);
        assert!(past.is_empty());
        assert_eq!(info.count, 0);
    }
}
