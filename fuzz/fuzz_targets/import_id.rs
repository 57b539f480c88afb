//! Fuzzes the `terraform import` id parsers: no panics, errors list the accepted forms, and
//! what parses is made of the input's own parts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_cloudflare::resources::import_id::{
    SECRET_IMPORT_FORMS, STORE_IMPORT_FORMS, SecretImport, SecretKey, StoreImport,
    parse_secret_import, parse_store_import,
};

fuzz_target!(|data: &[u8]| {
    let Ok(id) = std::str::from_utf8(data) else {
        return;
    };
    match parse_store_import(id) {
        Ok(StoreImport::ById {
            account_id,
            store_id,
        }) => {
            let rebuilt = match account_id {
                Some(account) => format!("{account}/{store_id}"),
                None => store_id,
            };
            assert_eq!(rebuilt, id);
        }
        Ok(StoreImport::ByName { account_id, name }) => {
            assert_eq!(format!("{account_id}/{name}"), id);
        }
        Err(message) => assert!(message.contains(STORE_IMPORT_FORMS)),
    }
    match parse_secret_import(id) {
        Ok(SecretImport::InStore {
            account_id,
            store_id,
            secret,
        }) => {
            let secret = match secret {
                SecretKey::Id(s) | SecretKey::Name(s) => s,
            };
            assert_eq!(format!("{account_id}/{store_id}/{secret}"), id);
        }
        Ok(SecretImport::InDefaultStore { name }) => assert_eq!(name, id),
        Err(message) => assert!(message.contains(SECRET_IMPORT_FORMS)),
    }
});
