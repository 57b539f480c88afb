//! The protocol-agnostic plan helper: defaults, unknown computed values, kept prior values,
//! requires-replace paths and write-only nulling.

use super::diagnostics::AttributePath;
use super::schema::Schema;
use super::value::Value;

/// What the generic planning step decided.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlannedChange {
    pub planned_state: Value,
    pub requires_replace: Vec<AttributePath>,
}

/// Plans a change from `prior` (null on create) to `proposed` given `config` (null on destroy).
pub fn plan_resource_change(
    _schema: &Schema,
    _prior: &Value,
    proposed: &Value,
    _config: &Value,
) -> PlannedChange {
    PlannedChange {
        planned_state: proposed.clone(),
        requires_replace: Vec::new(),
    }
}

/// Sets every write-only attribute of `value` to null.
pub fn null_write_only(_schema: &Schema, _value: &mut Value) {}
