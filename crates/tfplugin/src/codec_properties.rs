//! Property tests: arbitrary types and values round-trip through the type JSON, the msgpack
//! codec (nulls, unknowns, refinements, big numbers, dynamic values included) and the JSON codec.

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};

use super::types::Type;
use super::value::{Number, Refinements, Value};
use super::{json, msgpack};

fn primitive_type() -> BoxedStrategy<Type> {
    prop_oneof![Just(Type::String), Just(Type::Number), Just(Type::Bool)].boxed()
}

/// Types up to three levels deep; `dynamic` may appear anywhere when `dynamic` is true.
fn arb_type(dynamic: bool) -> BoxedStrategy<Type> {
    let leaf = if dynamic {
        prop_oneof![4 => primitive_type(), 1 => Just(Type::Dynamic)].boxed()
    } else {
        primitive_type()
    };
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-z_]{1,6}", inner.clone(), 0..4).prop_map(Type::object),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
    .boxed()
}

/// Object types with some attributes marked optional, as schemas describe them.
fn arb_type_with_optional() -> BoxedStrategy<Type> {
    (
        prop::collection::btree_map("[a-z_]{1,6}", arb_type(true), 1..4),
        any::<u8>(),
    )
        .prop_map(|(attributes, mask)| {
            let optional = attributes
                .keys()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, name)| name.clone())
                .collect();
            Type::Object {
                attributes,
                optional,
            }
        })
        .boxed()
}

fn arb_number() -> BoxedStrategy<Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Number::from_f64),
        "-?[1-9][0-9]{19,40}(\\.[0-9]{0,20}[1-9])?"
            .prop_map(|text| Number::parse(&text).expect("generated decimal text")),
        "0\\.[0-9]{18,30}[1-9]".prop_map(|text| Number::parse(&text).expect("decimal")),
    ]
    .boxed()
}

fn arb_unknown() -> BoxedStrategy<Value> {
    (
        any::<Option<bool>>(),
        proptest::option::of("\\PC{0,8}"),
        proptest::option::of((arb_number(), any::<bool>())),
        proptest::option::of((arb_number(), any::<bool>())),
        any::<Option<u64>>(),
        any::<Option<u64>>(),
    )
        .prop_map(
            |(nullable, string_prefix, number_lower, number_upper, length_lower, length_upper)| {
                Value::Unknown(Refinements {
                    nullable,
                    string_prefix,
                    number_lower,
                    number_upper,
                    length_lower,
                    length_upper,
                })
            },
        )
        .boxed()
}

/// Values of type `ty`: known ones, nulls and (when `unknowns`) refined or plain unknowns at
/// any depth. `budget` bounds how deep `dynamic` values may nest further types.
fn arb_value(ty: &Type, unknowns: bool, budget: u32) -> BoxedStrategy<Value> {
    let known = arb_known(ty, unknowns, budget);
    let mut options = vec![(8, known), (1, Just(Value::Null).boxed())];
    if unknowns {
        options.push((1, arb_unknown()));
    }
    Union::new_weighted(options).boxed()
}

fn arb_known(ty: &Type, unknowns: bool, budget: u32) -> BoxedStrategy<Value> {
    let items =
        |element: &Type| prop::collection::vec(arb_value(element, unknowns, budget), 0..4).boxed();
    match ty {
        Type::String => "\\PC{0,12}".prop_map(Value::String).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::List(element) => items(element).prop_map(Value::List).boxed(),
        Type::Set(element) => items(element).prop_map(Value::set_of).boxed(),
        Type::Tuple(elements) => elements
            .iter()
            .map(|t| arb_value(t, unknowns, budget))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Map(element) => {
            prop::collection::btree_map("\\PC{0,6}", arb_value(element, unknowns, budget), 0..4)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object { attributes, .. } => attributes
            .iter()
            .map(|(name, t)| {
                let name = name.clone();
                arb_value(t, unknowns, budget).prop_map(move |v| (name.clone(), v))
            })
            .collect::<Vec<_>>()
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
            .boxed(),
        Type::Dynamic => {
            let concrete = if budget == 0 {
                primitive_type()
            } else {
                arb_type(true)
                    .prop_filter("a concrete type", |t| *t != Type::Dynamic)
                    .boxed()
            };
            concrete
                .prop_flat_map(move |t| {
                    arb_value(&t, unknowns, budget.saturating_sub(1))
                        .prop_map(move |v| Value::dynamic(t.clone(), v))
                })
                .boxed()
        }
    }
}

fn typed_value(unknowns: bool) -> BoxedStrategy<(Type, Value)> {
    arb_type(true)
        .prop_flat_map(move |ty| (Just(ty.clone()), arb_value(&ty, unknowns, 2)))
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn types_round_trip_through_json(ty in prop_oneof![arb_type(true), arb_type_with_optional()]) {
        let text = ty.to_json();
        prop_assert_eq!(Type::from_json(&text).unwrap(), ty.clone());
        prop_assert!(serde_json::from_slice::<serde_json::Value>(&text).is_ok());
    }

    #[test]
    fn values_round_trip_through_msgpack((ty, value) in typed_value(true)) {
        let bytes = msgpack::encode(&value, &ty).unwrap();
        let decoded = msgpack::decode(&bytes, &ty).unwrap();
        prop_assert_eq!(&decoded, &value);
        // Encoding is deterministic: a second round gives the same bytes.
        prop_assert_eq!(msgpack::encode(&decoded, &ty).unwrap(), bytes);
    }

    #[test]
    fn known_values_round_trip_through_json((ty, value) in typed_value(false)) {
        let bytes = json::encode_bytes(&value, &ty).unwrap();
        prop_assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
        prop_assert_eq!(json::decode(&bytes, &ty).unwrap(), value.clone());
        // An already-parsed document decodes as its own bytes do.
        let parsed: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let reserialized = serde_json::to_vec(&parsed).unwrap();
        let from_bytes = json::decode(&reserialized, &ty).unwrap();
        prop_assert_eq!(json::decode_value(&parsed, &ty).unwrap(), from_bytes);
    }

    #[test]
    fn msgpack_and_json_agree_on_known_values((ty, value) in typed_value(false)) {
        let via_msgpack = msgpack::decode(&msgpack::encode(&value, &ty).unwrap(), &ty).unwrap();
        let via_json = json::decode(&json::encode_bytes(&value, &ty).unwrap(), &ty).unwrap();
        prop_assert_eq!(via_msgpack, via_json);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64), ty in arb_type(true)) {
        let _ = msgpack::decode(&bytes, &ty);
        let _ = json::decode(&bytes, &ty);
    }
}
