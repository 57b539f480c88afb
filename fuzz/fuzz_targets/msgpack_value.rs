//! Fuzzes the msgpack value decoder against a schema type; what decodes must round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tfplugin::msgpack;
use terraform_provider_cloudflare_fuzz::typed_input;

fuzz_target!(|data: &[u8]| {
    let Some((ty, bytes)) = typed_input(data) else {
        return;
    };
    let Ok(value) = msgpack::decode(bytes, &ty) else {
        return;
    };
    let encoded = msgpack::encode(&value, &ty).expect("a decoded value encodes again");
    let again = msgpack::decode(&encoded, &ty).expect("an encoded value decodes again");
    assert!(
        again == value,
        "msgpack round trip changed the value: {:?} became {:?}",
        value.debug_unredacted(),
        again.debug_unredacted()
    );
});
