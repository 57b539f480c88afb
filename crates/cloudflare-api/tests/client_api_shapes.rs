//! Shapes the API's documents disagree on, against an emulator playing each: the body of the
//! bulk delete (`{"ids": [...]}` or an array of `{"id": ...}`; the client falls back to single
//! deletes, once per store) and the HTTP status of a duplicate name (409 or 400).

mod client_support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_emulator::{BatchMode, BulkDeleteBody, EmulatorConfig, NameConflictStatus};
use client_support::{ACCOUNT, Harness, TOKEN, create_all, delete_all, names, new_secret};
use cloudflare_api::{Client, ErrorKind};

/// Collects everything the tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Creates a secret for each name (concurrently) and returns their ids.
async fn secrets(client: &Client, store: &str, prefix: &str, count: usize) -> Vec<String> {
    create_all(client, store, &names(prefix, count))
        .await
        .into_iter()
        .map(|created| created.expect("created").id)
        .collect()
}

/// The DELETEs logged since the last clear: `bulk <status>` for the bulk endpoint of `store`,
/// `single <status>` for the single-secret one.
fn deletes(h: &Harness, store: &str) -> Vec<String> {
    let bulk_path = format!("/stores/{store}/secrets");
    h.state
        .request_log()
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| {
            let kind = if r.path.ends_with(&bulk_path) {
                "bulk"
            } else {
                "single"
            };
            format!("{kind} {}", r.status)
        })
        .collect()
}

#[tokio::test]
async fn a_refused_bulk_delete_body_turns_its_store_to_single_deletes_once_for_the_process() {
    for shape in [BulkDeleteBody::Ids, BulkDeleteBody::Objects] {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);

        let config = EmulatorConfig {
            bulk_delete_body: shape,
            activation_delay: Duration::ZERO,
            max_stores: 2,
            ..EmulatorConfig::new(ACCOUNT, TOKEN)
        };
        // Slow enough that concurrent deletes queue behind the rate limiter and gather.
        let h = Harness::start_with(config, |c| c.requests_per_second = 10.0).await;
        let store = h.store().await;
        let ids = secrets(&h.client, &store, "GONE", 6).await;

        // First round: three deletes at once.
        h.state.clear_request_log();
        for result in delete_all(&h.client, &store, &ids[..3]).await {
            result.unwrap_or_else(|e| panic!("{shape:?}: {e}"));
        }
        let expected: &[&str] = match shape {
            BulkDeleteBody::Ids => &["bulk 202"],
            // Refused for its body: the three go one by one.
            BulkDeleteBody::Objects => &["bulk 400", "single 202", "single 202", "single 202"],
        };
        assert_eq!(deletes(&h, &store), expected, "{shape:?}: first round");

        // Second round: the client remembers; no bulk DELETE is tried again for this store.
        h.state.clear_request_log();
        for result in delete_all(&h.client, &store, &ids[3..]).await {
            result.unwrap_or_else(|e| panic!("{shape:?}: {e}"));
        }
        let expected: &[&str] = match shape {
            BulkDeleteBody::Ids => &["bulk 202"],
            BulkDeleteBody::Objects => &["single 202", "single 202", "single 202"],
        };
        assert_eq!(deletes(&h, &store), expected, "{shape:?}: second round");
        assert!(h.state.secrets().is_empty(), "{shape:?}: every secret gone");

        // Another store of the account tries its own bulk DELETE once.
        let other = h
            .client
            .create_store(ACCOUNT, "other")
            .await
            .expect("a second store")
            .id;
        let other_ids = secrets(&h.client, &other, "OTHER", 2).await;
        h.state.clear_request_log();
        for result in delete_all(&h.client, &other, &other_ids).await {
            result.unwrap_or_else(|e| panic!("{shape:?}: {e}"));
        }
        let expected: &[&str] = match shape {
            BulkDeleteBody::Ids => &["bulk 202"],
            BulkDeleteBody::Objects => &["bulk 400", "single 202", "single 202"],
        };
        assert_eq!(deletes(&h, &other), expected, "{shape:?}: other store");
        assert!(h.state.secrets().is_empty(), "{shape:?}");

        // Said once per store, naming the store, never the token.
        let logs = captured.text();
        let warnings: Vec<&str> = logs
            .lines()
            .filter(|line| line.contains("refused the body of a bulk delete"))
            .collect();
        match shape {
            BulkDeleteBody::Ids => assert!(warnings.is_empty(), "{logs}"),
            BulkDeleteBody::Objects => {
                assert_eq!(warnings.len(), 2, "{logs}");
                assert!(warnings[0].contains(&store), "{}", warnings[0]);
                assert!(warnings[1].contains(&other), "{}", warnings[1]);
                assert!(warnings.iter().all(|w| w.contains("WARN")), "{logs}");
            }
        }
        assert!(!logs.contains(TOKEN), "{logs}");
    }
}

#[tokio::test]
async fn a_duplicate_name_is_a_name_conflict_whether_answered_409_or_400() {
    let cases = [
        (NameConflictStatus::Conflict, 409),
        (NameConflictStatus::BadRequest, 400),
    ];
    for (setting, status) in cases {
        let config = EmulatorConfig {
            name_conflict_status: setting,
            batch_mode: BatchMode::AllOrNothing,
            activation_delay: Duration::ZERO,
            ..EmulatorConfig::new(ACCOUNT, TOKEN)
        };
        // Slow enough that concurrent creates gather into one bulk POST.
        let h = Harness::start_with(config, |c| c.requests_per_second = 10.0).await;
        let store = h.store().await;
        h.client
            .create_secret(ACCOUNT, &store, new_secret("TAKEN", "old"))
            .await
            .unwrap();

        // Alone: the refusal is the caller's, as a name conflict.
        let err = h
            .client
            .create_secret(ACCOUNT, &store, new_secret("TAKEN", "new"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NameConflict, "{status}: {err}");
        assert_eq!(err.status(), Some(status), "{err}");

        // In a batch refused whole for it: only its own caller fails, the rest are created.
        h.state.clear_request_log();
        let wanted: Vec<String> = ["A", "TAKEN", "B"].map(String::from).to_vec();
        let results = create_all(&h.client, &store, &wanted).await;
        for (name, result) in wanted.iter().zip(&results) {
            match (name.as_str(), result) {
                ("TAKEN", Err(e)) => assert_eq!(e.kind(), ErrorKind::NameConflict, "{e}"),
                (_, Ok(secret)) => assert_eq!(&secret.name, name),
                (_, other) => panic!("{status}: {name}: {other:?}"),
            }
        }
        let mut remote: Vec<String> = h.state.secrets().into_iter().map(|s| s.name).collect();
        remote.sort();
        assert_eq!(remote, ["A", "B", "TAKEN"], "{status}");
        // The bulk POST refused whole, then each of its secrets alone.
        let refused = format!("POST {status}");
        assert_eq!(
            h.log_lines(),
            [refused.as_str(), "POST 200", refused.as_str(), "POST 200"],
            "{status}"
        );
    }
}
