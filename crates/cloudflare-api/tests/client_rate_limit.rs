//! The client-side rate limit is shared by every clone of a client and its concurrent requests.

mod client_support;

use std::time::{Duration, Instant};

use client_support::{ACCOUNT, Harness};

#[tokio::test]
async fn clones_share_one_rate_limit() {
    // 10 requests per second with a burst of 5: twelve requests need at least 0.7 s.
    let h = Harness::start().await;
    let client = h.client_with(|c| c.requests_per_second = 10.0);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let clone = client.clone();
        tasks.push(tokio::spawn(async move { clone.quota(ACCOUNT).await }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(650),
        "12 requests at 10/s (burst 5) finished in {elapsed:?}"
    );
    assert_eq!(h.state.request_count(), 12);
}
