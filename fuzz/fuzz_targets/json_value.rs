//! Fuzzes the JSON value decoder against a schema type; what decodes must round-trip through
//! JSON and through msgpack.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tfplugin::{json, msgpack};
use terraform_provider_cloudflare_fuzz::typed_input;

fuzz_target!(|data: &[u8]| {
    let Some((ty, bytes)) = typed_input(data) else {
        return;
    };
    let Ok(value) = json::decode(bytes, &ty) else {
        return;
    };
    let text = json::encode_bytes(&value, &ty).expect("a decoded value encodes again");
    let again = json::decode(&text, &ty).expect("encoded JSON decodes again");
    assert!(
        again == value,
        "JSON round trip changed the value: {:?} became {:?}",
        value.debug_unredacted(),
        again.debug_unredacted()
    );
    let packed = msgpack::encode(&value, &ty).expect("a JSON-decoded value encodes as msgpack");
    let unpacked = msgpack::decode(&packed, &ty).expect("its msgpack decodes again");
    assert!(
        unpacked == value,
        "msgpack round trip of a JSON value changed it: {:?} became {:?}",
        value.debug_unredacted(),
        unpacked.debug_unredacted()
    );
    // The already-parsed path (used for raw state) agrees with the byte path.
    if let Ok(parsed) = serde_json::from_slice::<serde_json::Value>(bytes) {
        let _ = json::decode_value(&parsed, &ty);
    }
});
