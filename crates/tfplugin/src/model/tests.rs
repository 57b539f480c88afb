//! Tests of the model binding: values in, values out, and every way a model and a schema can
//! disagree.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Attr, check, from_value, to_value};
use crate::schema::{Attribute, Nesting, Schema};
use crate::types::Type;
use crate::value::{Number, Value};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Binding {
    kind: Attr<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Thing {
    id: Attr<String>,
    enabled: Attr<bool>,
    version: Attr<Number>,
    tags: Attr<Vec<String>>,
    order: Attr<Vec<String>>,
    labels: Attr<BTreeMap<String, String>>,
    binding: Attr<Binding>,
}

fn schema() -> Schema {
    Schema::new(
        "A thing.",
        vec![
            Attribute::string("id").computed(),
            Attribute::bool("enabled").optional(),
            Attribute::number("version").optional(),
            Attribute::new("tags", Type::set(Type::String)).optional(),
            Attribute::new("order", Type::list(Type::String)).optional(),
            Attribute::new("labels", Type::map(Type::String)).optional(),
            Attribute::nested(
                "binding",
                Nesting::Single,
                vec![Attribute::string("kind").computed()],
            )
            .computed(),
        ],
    )
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_model_round_trips_through_a_value_of_its_schema() {
    let thing = Thing {
        id: Attr::Known("t-1".into()),
        enabled: Attr::Known(true),
        version: Attr::Known(Number::Float(1.5)),
        tags: Attr::Known(strings(&["b", "a", "b"])),
        order: Attr::Known(strings(&["b", "a"])),
        labels: Attr::Known(BTreeMap::from([("k".to_string(), "v".to_string())])),
        binding: Attr::Known(Binding {
            kind: Attr::Known("x".into()),
        }),
    };
    let value = to_value(&thing, &schema()).unwrap();
    assert_eq!(value.get("tags"), &Value::string_set(["a", "b"]), "a set");
    assert_eq!(
        value.get("order"),
        &Value::List(vec![Value::string("b"), Value::string("a")]),
        "a list keeps its order"
    );
    assert_eq!(value.get("binding").get("kind"), &Value::string("x"));
    let back: Thing = from_value(&value).unwrap();
    // A set has no order, and holds each element once.
    let mut tags = back.tags.known().cloned().unwrap();
    tags.sort();
    assert_eq!(tags, strings(&["a", "b"]));
    assert_eq!(
        Thing {
            tags: back.tags.clone(),
            ..thing
        },
        back
    );
}

#[test]
fn null_and_unknown_stay_apart_from_known_values() {
    let value = to_value(
        &Thing {
            id: Attr::Unknown,
            ..Thing::default()
        },
        &schema(),
    )
    .unwrap();
    assert!(value.get("id").is_unknown());
    assert!(value.get("enabled").is_null());
    let back: Thing = from_value(&value).unwrap();
    assert_eq!(back.id, Attr::Unknown);
    assert_eq!(back.enabled, Attr::Null, "never read as false");
    assert_eq!(back.binding, Attr::Null);

    // Outside an Attr, an unknown is an error, not a default.
    #[derive(Debug, Deserialize)]
    struct Plain {
        #[allow(dead_code)]
        id: String,
    }
    let unknown = Value::object([("id", Value::unknown())]);
    let err = from_value::<Plain>(&unknown).unwrap_err();
    assert!(err.to_string().contains("unknown"), "{err}");
}

#[test]
fn a_model_and_a_schema_that_disagree_are_errors_both_ways() {
    #[derive(Default, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Short {
        id: Attr<String>,
    }
    #[derive(Default, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Typo {
        id: Attr<String>,
        enabeld: Attr<bool>,
    }
    let full = to_value(&Thing::default(), &schema()).unwrap();
    let missing = to_value(&Short::default(), &schema()).unwrap_err();
    assert!(
        missing.to_string().contains("not a field of the model"),
        "{missing}"
    );
    assert!(
        from_value::<Short>(&full).is_err(),
        "an attribute the model lacks"
    );
    let typo = to_value(&Typo::default(), &schema()).unwrap_err();
    assert!(
        typo.to_string()
            .contains("field enabeld is not an attribute of the schema"),
        "{typo}"
    );
    assert!(
        from_value::<Typo>(&full).is_err(),
        "a field the value lacks"
    );
}

#[test]
fn a_value_of_the_wrong_type_is_an_error_naming_the_attribute() {
    let mut value = to_value(&Thing::default(), &schema()).unwrap();
    value.set("enabled", Value::string("yes"));
    let err = from_value::<Thing>(&value).unwrap_err();
    assert!(err.to_string().contains("enabled"), "{err}");
    let number: Result<Thing, _> = from_value(&{
        let mut v = value.clone();
        v.set("enabled", Value::Null);
        v.set(
            "version",
            Value::Number(Number::Decimal("123456789012345678901234".into())),
        );
        v
    });
    assert_eq!(
        number.unwrap().version,
        Attr::Known(Number::Decimal("123456789012345678901234".into()))
    );
}

#[test]
fn check_finds_a_typo_in_a_nested_object_too() {
    assert_eq!(check::<Thing>(&schema()), Ok(()));
    #[derive(Default, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Bound {
        kind: Attr<String>,
    }
    #[derive(Default, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Typo {
        knid: Attr<String>,
    }
    let nested = |inner: Vec<Attribute>| {
        Schema::new(
            "x",
            vec![Attribute::nested("binding", Nesting::Single, inner).computed()],
        )
    };
    #[derive(Default, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer<T> {
        binding: Attr<T>,
    }
    let schema = nested(vec![Attribute::string("kind").computed()]);
    assert_eq!(check::<Outer<Bound>>(&schema), Ok(()));
    let err = check::<Outer<Typo>>(&schema).unwrap_err();
    assert!(
        err.to_string().contains("kind") || err.to_string().contains("knid"),
        "{err}"
    );
}
