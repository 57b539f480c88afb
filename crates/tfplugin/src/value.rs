//! Terraform values: null, unknown (optionally refined) and known values of every cty type.

use std::collections::BTreeMap;
use std::fmt;

use super::types::Type;

/// A number: kept exactly as Terraform sent it (integers, floats, or decimal text that fits neither).
#[derive(Clone, Debug)]
pub enum Number {
    Int(i64),
    Float(f64),
    /// Decimal text for numbers that fit neither i64 nor f64 exactly (e.g. "123456789012345678901234").
    Decimal(String),
}

/// What Terraform knows about an unknown value (msgpack extension 12). All fields optional.
/// `Debug` leaves out the string prefix (it may be the start of a secret).
#[derive(Clone, Default, PartialEq)]
pub struct Refinements {
    /// `Some(false)`: definitely not null.
    pub nullable: Option<bool>,
    pub string_prefix: Option<String>,
    pub number_lower: Option<(Number, bool)>,
    pub number_upper: Option<(Number, bool)>,
    pub length_lower: Option<u64>,
    pub length_upper: Option<u64>,
}

/// A Terraform value. The type is given by the schema; collections keep their kind.
///
/// `Debug` never shows string contents (any string may be a secret): it prints
/// `String(<redacted>)`. Use [`Value::debug_unredacted`] in test assertions only.
#[derive(Clone, Default)]
pub enum Value {
    #[default]
    Null,
    Unknown(Refinements),
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Elements are kept unique; order carries no meaning.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    /// A known value at a place whose schema type is `dynamic`, with the concrete type it travels
    /// with on the wire. The codecs produce it when decoding a `dynamic` position (a null or wholly
    /// unknown dynamic value is plain `Null` / `Unknown`); when encoding, a `dynamic` position also
    /// accepts any other value and infers its type from the value, and a
    /// statically typed position accepts a `Dynamic` wrapper and encodes the inner value.
    Dynamic {
        ty: Type,
        value: Box<Value>,
    },
}

/// The deepest nesting of collections, objects and `dynamic` values the decoders accept: 64
/// levels. Real schemas nest a handful of levels; the bound keeps hostile input from exhausting
/// the stack or the CPU.
pub(crate) const MAX_NESTING: usize = 64;

impl PartialEq for Number {
    /// Numbers compare by value: `Int(1) == Float(1.0)`, `Decimal("1.50") == Float(1.5)`.
    fn eq(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a == b,
            _ => self.comparison_text() == other.comparison_text(),
        }
    }
}

impl Number {
    /// The shortest decimal text of the number (what Terraform compares).
    pub fn to_decimal_string(&self) -> String {
        match self {
            Number::Int(i) => i.to_string(),
            Number::Float(f) => float_text(*f),
            Number::Decimal(d) => canonical_decimal(d).unwrap_or_else(|| d.clone()),
        }
    }

    /// The text numbers are compared by: an integral f64 within i64 reads as that integer,
    /// other floats as their shortest decimal text, decimal text in canonical form.
    fn comparison_text(&self) -> String {
        match self {
            Number::Float(f) => match Number::from_f64(*f) {
                Number::Int(i) => i.to_string(),
                _ => float_text(*f),
            },
            other => other.to_decimal_string(),
        }
    }

    /// Parses decimal text (`-12`, `0.5`, `1e400`, `123456789012345678901234`) into the most
    /// precise fitting form: `Int` when integral and within i64, `Float` when an f64 prints as
    /// exactly this number, else `Decimal` with canonical text (no exponent, no needless zeros).
    /// `None` when the text is not a finite decimal number.
    pub fn parse(text: &str) -> Option<Number> {
        let canonical = canonical_decimal(text)?;
        if let Ok(i) = canonical.parse::<i64>() {
            return Some(Number::Int(i));
        }
        if let Ok(f) = canonical.parse::<f64>()
            && f.is_finite()
            && float_text(f) == canonical
        {
            return Some(Number::Float(f));
        }
        Some(Number::Decimal(canonical))
    }

    /// An f64 as a number: `Int` when integral and within i64.
    pub(crate) fn from_f64(f: f64) -> Number {
        if f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
            Number::Int(f as i64)
        } else {
            Number::Float(f)
        }
    }

    /// This number in its most precise fitting form (see [`Number::parse`]).
    pub(crate) fn normalized(&self) -> Number {
        match self {
            Number::Int(i) => Number::Int(*i),
            Number::Float(f) if f.is_finite() => Number::from_f64(*f),
            Number::Float(f) => Number::Float(*f),
            Number::Decimal(d) => Number::parse(d).unwrap_or_else(|| Number::Decimal(d.clone())),
        }
    }

    /// The nearest f64 (may lose precision for `Decimal`).
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Number::Int(i) => Some(*i as f64),
            Number::Float(f) => Some(*f),
            Number::Decimal(d) => d.parse().ok(),
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            Number::Float(_) => None,
            Number::Decimal(d) => d.parse().ok(),
        }
    }
}

/// The shortest decimal text that reads back as `f` (no exponent; `-0` prints as `0`).
fn float_text(f: f64) -> String {
    if f == 0.0 {
        "0".to_string()
    } else {
        f.to_string()
    }
}

/// Rewrites decimal number text in canonical form: optional `-`, no exponent, no leading zeros
/// in the integer part, no trailing zeros in the fraction. `None` for anything else than a
/// finite decimal number, or for exponents too large to write out.
pub(crate) fn canonical_decimal(text: &str) -> Option<String> {
    const MAX_EXPONENT: i64 = 4096;
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], rest[at + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    if exponent.abs() > MAX_EXPONENT {
        return None;
    }
    let (integer, fraction) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if integer.len() + fraction.len() == 0 || !all_digits(integer) || !all_digits(fraction) {
        return None;
    }
    let mut digits: String = format!("{integer}{fraction}")
        .trim_start_matches('0')
        .to_string();
    let mut exponent = exponent - fraction.len() as i64;
    if digits.is_empty() {
        return Some("0".to_string());
    }
    while digits.ends_with('0') {
        digits.pop();
        exponent += 1;
    }
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if exponent >= 0 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', exponent as usize));
    } else {
        let point = digits.len() as i64 + exponent;
        if point > 0 {
            out.push_str(&digits[..point as usize]);
            out.push('.');
            out.push_str(&digits[point as usize..]);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-point) as usize));
            out.push_str(&digits);
        }
    }
    Some(out)
}

impl PartialEq for Value {
    /// Structural equality; sets compare without regard to order. Unknowns equal only unknowns
    /// with the same refinements.
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Unknown(a), Unknown(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (String(a), String(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Set(a), Set(b)) => a.len() == b.len() && sorted_keys(a) == sorted_keys(b),
            (Map(a), Map(b)) | (Object(a), Object(b)) => a == b,
            (
                Dynamic {
                    ty: type_a,
                    value: a,
                },
                Dynamic {
                    ty: type_b,
                    value: b,
                },
            ) => type_a == type_b && a == b,
            _ => false,
        }
    }
}

/// The equality keys of `items`, sorted: equal for two sets exactly when the sets are equal.
fn sorted_keys(items: &[Value]) -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = items.iter().map(Value::equality_key).collect();
    keys.sort_unstable();
    keys
}

impl Value {
    /// A byte string equal for two values exactly when they are equal (`==`): sets sort their
    /// elements' keys, numbers use their comparison text. Lets sets de-duplicate and compare in
    /// O(n log n) instead of comparing every pair.
    pub(crate) fn equality_key(&self) -> Vec<u8> {
        let mut key = Vec::new();
        self.write_key(&mut key);
        key
    }

    fn write_key(&self, out: &mut Vec<u8>) {
        fn text(out: &mut Vec<u8>, text: &[u8]) {
            out.extend_from_slice(&(text.len() as u64).to_le_bytes());
            out.extend_from_slice(text);
        }
        fn count(out: &mut Vec<u8>, n: usize) {
            out.extend_from_slice(&(n as u64).to_le_bytes());
        }
        fn option<T>(out: &mut Vec<u8>, value: &Option<T>, write: impl Fn(&mut Vec<u8>, &T)) {
            match value {
                None => out.push(0),
                Some(v) => {
                    out.push(1);
                    write(out, v);
                }
            }
        }
        let bound = |out: &mut Vec<u8>, (number, inclusive): &(Number, bool)| {
            text(out, number.comparison_text().as_bytes());
            out.push(u8::from(*inclusive));
        };
        match self {
            Value::Null => out.push(b'n'),
            Value::Unknown(r) => {
                out.push(b'u');
                option(out, &r.nullable, |out, b| out.push(u8::from(*b)));
                option(out, &r.string_prefix, |out, s| text(out, s.as_bytes()));
                option(out, &r.number_lower, bound);
                option(out, &r.number_upper, bound);
                option(out, &r.length_lower, |out, n| out.extend(n.to_le_bytes()));
                option(out, &r.length_upper, |out, n| out.extend(n.to_le_bytes()));
            }
            Value::Bool(b) => out.push(if *b { b't' } else { b'f' }),
            Value::Number(n) => {
                out.push(b'#');
                text(out, n.comparison_text().as_bytes());
            }
            Value::String(s) => {
                out.push(b's');
                text(out, s.as_bytes());
            }
            Value::List(items) | Value::Tuple(items) => {
                out.push(if matches!(self, Value::List(_)) {
                    b'l'
                } else {
                    b'T'
                });
                count(out, items.len());
                for item in items {
                    item.write_key(out);
                }
            }
            Value::Set(items) => {
                out.push(b'S');
                count(out, items.len());
                for key in sorted_keys(items) {
                    out.extend_from_slice(&key);
                }
            }
            Value::Map(entries) | Value::Object(entries) => {
                out.push(if matches!(self, Value::Map(_)) {
                    b'm'
                } else {
                    b'o'
                });
                count(out, entries.len());
                for (name, item) in entries {
                    text(out, name.as_bytes());
                    item.write_key(out);
                }
            }
            Value::Dynamic { ty, value } => {
                out.push(b'd');
                text(out, &ty.to_json());
                value.write_key(out);
            }
        }
    }
}

impl fmt::Debug for Refinements {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_refinements(self, f, false)
    }
}

fn debug_refinements(r: &Refinements, f: &mut fmt::Formatter<'_>, reveal: bool) -> fmt::Result {
    let mut out = f.debug_struct("Refinements");
    out.field("nullable", &r.nullable);
    match &r.string_prefix {
        Some(prefix) if reveal => out.field("string_prefix", &Some(prefix)),
        Some(_) => out.field("string_prefix", &Some(Redacted)),
        None => out.field("string_prefix", &None::<()>),
    };
    out.field("number_lower", &r.number_lower)
        .field("number_upper", &r.number_upper)
        .field("length_lower", &r.length_lower)
        .field("length_upper", &r.length_upper)
        .finish()
}

/// Stands in for a string in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_value(self, f, false)
    }
}

/// Shows everything, strings included: for test assertion messages only, never for logs.
pub struct Unredacted<'a>(&'a Value);

impl fmt::Debug for Unredacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_value(self.0, f, true)
    }
}

fn debug_value(value: &Value, f: &mut fmt::Formatter<'_>, reveal: bool) -> fmt::Result {
    struct Show<'a>(&'a Value, bool);
    struct ShowRefinements<'a>(&'a Refinements, bool);
    impl fmt::Debug for ShowRefinements<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            debug_refinements(self.0, f, self.1)
        }
    }
    impl fmt::Debug for Show<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            debug_value(self.0, f, self.1)
        }
    }
    fn items(v: &[Value], reveal: bool) -> Vec<Show<'_>> {
        v.iter().map(|x| Show(x, reveal)).collect()
    }
    fn entries(m: &BTreeMap<String, Value>, reveal: bool) -> BTreeMap<&str, Show<'_>> {
        m.iter()
            .map(|(k, x)| (k.as_str(), Show(x, reveal)))
            .collect()
    }
    match value {
        Value::Null => f.write_str("Null"),
        Value::Unknown(r) => f
            .debug_tuple("Unknown")
            .field(&ShowRefinements(r, reveal))
            .finish(),
        Value::Bool(b) => f.debug_tuple("Bool").field(b).finish(),
        Value::Number(n) => f.debug_tuple("Number").field(n).finish(),
        Value::String(s) if reveal => f.debug_tuple("String").field(s).finish(),
        Value::String(_) => f.debug_tuple("String").field(&Redacted).finish(),
        Value::List(v) => f.debug_tuple("List").field(&items(v, reveal)).finish(),
        Value::Set(v) => f.debug_tuple("Set").field(&items(v, reveal)).finish(),
        Value::Tuple(v) => f.debug_tuple("Tuple").field(&items(v, reveal)).finish(),
        Value::Map(m) => f.debug_tuple("Map").field(&entries(m, reveal)).finish(),
        Value::Object(m) => f.debug_tuple("Object").field(&entries(m, reveal)).finish(),
        Value::Dynamic { ty, value } => f
            .debug_struct("Dynamic")
            .field("ty", ty)
            .field("value", &Show(value, reveal))
            .finish(),
    }
}

/// The value every absent attribute reads as.
static NULL: Value = Value::Null;

impl Value {
    /// A plain unknown value ("known after apply").
    pub fn unknown() -> Value {
        Value::Unknown(Refinements::default())
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// An object from `(attribute, value)` pairs.
    pub fn object<K: Into<String>>(attributes: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attributes.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A set of strings (duplicates collapse).
    pub fn string_set<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::set_of(items.into_iter().map(|item| Value::String(item.into())))
    }

    /// True for null (also a null inside a `Dynamic` wrapper).
    pub fn is_null(&self) -> bool {
        matches!(self.unwrap_dynamic(), Value::Null)
    }

    /// True for an unknown value at the top level (its parts are not inspected).
    pub fn is_unknown(&self) -> bool {
        matches!(self.unwrap_dynamic(), Value::Unknown(_))
    }

    /// True when neither the value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic { value, .. } => value.is_wholly_known(),
            _ => true,
        }
    }

    /// The attribute `name` of an object; `Null` when absent or when `self` is not an object.
    pub fn get(&self, name: &str) -> &Value {
        match self.unwrap_dynamic() {
            Value::Object(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// Sets attribute `name` of an object (no effect on other values).
    pub fn set(&mut self, name: &str, value: Value) {
        if let Value::Object(m) = self {
            m.insert(name.to_string(), value);
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.unwrap_dynamic() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.unwrap_dynamic() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.unwrap_dynamic() {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// Elements of a list, set or tuple.
    pub fn elements(&self) -> Option<&[Value]> {
        match self.unwrap_dynamic() {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// The string elements of a known list or set of strings, in order.
    pub fn as_strings(&self) -> Option<Vec<&str>> {
        self.elements()?.iter().map(Value::as_str).collect()
    }
}

impl Value {
    /// A number value.
    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    /// A set of values (duplicates collapse; the first of equal values stays, in order).
    /// O(n log n) in the number of values: each is keyed once by [`Value::equality_key`].
    pub(crate) fn set_of(items: impl IntoIterator<Item = Value>) -> Value {
        let mut seen = std::collections::HashSet::new();
        let out = items
            .into_iter()
            .filter(|item| seen.insert(item.equality_key()))
            .collect();
        Value::Set(out)
    }

    /// A `dynamic` value carrying its concrete type.
    pub fn dynamic(ty: Type, value: Value) -> Value {
        Value::Dynamic {
            ty,
            value: Box::new(value),
        }
    }

    /// A `Debug` view that shows string contents: for test assertion messages only.
    pub fn debug_unredacted(&self) -> Unredacted<'_> {
        Unredacted(self)
    }

    /// The value inside a `Dynamic` wrapper (or the value itself).
    pub(crate) fn unwrap_dynamic(&self) -> &Value {
        match self {
            Value::Dynamic { value, .. } => value.unwrap_dynamic(),
            other => other,
        }
    }

    /// The type this value shows by itself, used when a `dynamic` position gets a value without
    /// a `Dynamic` wrapper. Nulls and unknowns are `dynamic`; an empty or mixed collection has
    /// `dynamic` elements; a map of values of one type is a map of that type.
    pub(crate) fn implied_type(&self) -> Type {
        fn common(types: Vec<Type>) -> Type {
            match types.first() {
                Some(first) if types.iter().all(|t| t == first) => first.clone(),
                _ => Type::Dynamic,
            }
        }
        match self {
            Value::Null | Value::Unknown(_) => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(v) => Type::list(common(v.iter().map(Value::implied_type).collect())),
            Value::Set(v) => Type::set(common(v.iter().map(Value::implied_type).collect())),
            Value::Map(m) => Type::map(common(m.values().map(Value::implied_type).collect())),
            Value::Object(m) => Type::object(m.iter().map(|(k, v)| (k.clone(), v.implied_type()))),
            Value::Tuple(v) => Type::Tuple(v.iter().map(Value::implied_type).collect()),
            Value::Dynamic { ty, .. } => ty.clone(),
        }
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number::Int(i)
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Number {
        Number::from_f64(f)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Number(Number::from_f64(f))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// A value could not be encoded or decoded against its type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct CodecError(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_strings() {
        let value = Value::object([
            ("value", Value::from("s3cret")),
            ("list", Value::List(vec!["s3cret".into(), 1i64.into()])),
            (
                "prefix",
                Value::Unknown(Refinements {
                    string_prefix: Some("s3c".into()),
                    ..Refinements::default()
                }),
            ),
            ("dyn", Value::dynamic(Type::String, "s3cret".into())),
        ]);
        let shown = format!("{value:?}");
        assert!(!shown.contains("s3c"), "{shown}");
        assert!(
            shown.contains("<redacted>") && shown.contains("Int(1)"),
            "{shown}"
        );
        let revealed = format!("{:?}", value.debug_unredacted());
        assert!(
            revealed.contains("\"s3cret\"") && revealed.contains("s3c"),
            "{revealed}"
        );
    }

    #[test]
    fn decimal_text_is_canonical() {
        let cases = [
            ("0", "0"),
            ("-0.000", "0"),
            ("007", "7"),
            ("1.50", "1.5"),
            ("1e3", "1000"),
            ("1.25E-2", "0.0125"),
            ("-12.5e1", "-125"),
            ("+.5", "0.5"),
            ("123456789012345678901234", "123456789012345678901234"),
        ];
        for (text, canonical) in cases {
            assert_eq!(
                canonical_decimal(text).as_deref(),
                Some(canonical),
                "{text}"
            );
        }
        for bad in [
            "", "-", ".", "1..2", "1e", "abc", "1e999999", "NaN", "inf", "0x10",
        ] {
            assert_eq!(canonical_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_parse_into_the_most_precise_form() {
        assert_eq!(Number::parse("42"), Some(Number::Int(42)));
        assert!(matches!(Number::parse("0.1"), Some(Number::Float(f)) if f == 0.1));
        assert!(
            matches!(Number::parse("9223372036854775808"), Some(Number::Decimal(d)) if d == "9223372036854775808")
        );
        assert!(matches!(
            Number::parse("0.1000000000000000000001"),
            Some(Number::Decimal(_))
        ));
        assert_eq!(Number::Int(3), Number::Float(3.0));
        assert_ne!(Number::Int(i64::MAX), Number::Float(i64::MAX as f64));
        assert_ne!(Number::Int(3), Number::Float(3.5));
        assert_eq!(Number::Decimal("1.50".into()), Number::Float(1.5));
        assert_ne!(
            Number::Decimal("12345678901234567890".into()),
            Number::Float(12345678901234567890.0)
        );
    }

    #[test]
    fn sets_compare_without_order_and_dynamic_compares_type() {
        let a = Value::set_of([Value::from("x"), Value::from("y"), Value::from("x")]);
        assert_eq!(a.elements().unwrap().len(), 2);
        assert_eq!(a, Value::string_set(["y", "x"]));
        let d = Value::dynamic(Type::String, "x".into());
        assert_ne!(d, Value::dynamic(Type::Dynamic, "x".into()));
        assert_eq!(d.unwrap_dynamic(), &Value::from("x"));
        assert_eq!(d.as_str(), Some("x"));
        assert!(Value::dynamic(Type::String, Value::Null).is_null());
        assert_eq!(
            Value::object([("a", Value::List(vec![1i64.into(), 2i64.into()]))]).implied_type(),
            Type::object([("a", Type::list(Type::Number))])
        );
    }
}
