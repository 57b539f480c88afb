//! The protocol-agnostic plan helper: defaults, unknown computed values, kept prior values,
//! requires-replace paths and write-only nulling.
//!
//! The rules follow terraform-plugin-framework (see `plan_resource_change`); they apply to
//! top-level attributes and, recursively, to nested attributes and nested blocks (list elements
//! and map entries are matched with the prior value by index and key; set elements have no prior).

use super::diagnostics::AttributePath;
use super::schema::{Attribute, NestedBlock, Nesting, Schema};
use super::value::Value;

/// What the generic planning step decided.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlannedChange {
    pub planned_state: Value,
    pub requires_replace: Vec<AttributePath>,
}

/// Plans a change from `prior` (null on create) to `proposed` given `config` (null on destroy).
///
/// * `proposed` null (destroy) → planned null.
/// * The plan starts from `proposed`; write-only attributes are null.
/// * Optional + computed attributes with a `default` whose config is null get the default.
/// * When the resource changes (planned ≠ prior, always on create), computed attributes whose
///   config is null (and have no default) become unknown — or keep their prior value when marked
///   `use_state_for_unknown` and there is a prior object.
/// * When nothing changes, the plan is the prior state itself (no perpetual diff); attributes
///   that are only semantically equal (set order, `1` vs `1.0`) keep their prior form.
/// * `requires_replace`: the path of every `requires_replace` attribute (never write-only ones)
///   whose planned value differs from a non-null prior's (unknown counts as different).
pub fn plan_resource_change(
    schema: &Schema,
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> PlannedChange {
    if proposed.is_null() {
        return PlannedChange::default();
    }
    let level = Level {
        attributes: &schema.block.attributes,
        blocks: &schema.block.blocks,
    };
    let mut planned = proposed.clone();
    apply_defaults(level, config, &mut planned);
    null_write_only_in(level, &mut planned);

    if !prior.is_null()
        && without_unset_computed(level, config, &planned)
            == without_unset_computed(level, config, prior)
    {
        return PlannedChange {
            planned_state: prior.clone(),
            requires_replace: Vec::new(),
        };
    }
    mark_computed_unknown(level, prior, config, &mut planned);
    keep_equal_prior_attributes(prior, &mut planned);

    let mut requires_replace = Vec::new();
    if !prior.is_null() {
        collect_requires_replace(level, prior, &planned, &Path::Root, &mut requires_replace);
    }
    PlannedChange {
        planned_state: planned,
        requires_replace,
    }
}

/// Sets every write-only attribute of `value` to null.
pub(crate) fn null_write_only(schema: &Schema, value: &mut Value) {
    let level = Level {
        attributes: &schema.block.attributes,
        blocks: &schema.block.blocks,
    };
    null_write_only_in(level, value);
}

/// The paths of write-only attributes that are set (non-null, unknown included) in `config`.
/// Paths into a set stop at the set. For the "write-only attributes need Terraform 1.11" check.
pub(crate) fn write_only_paths(schema: &Schema, config: &Value) -> Vec<AttributePath> {
    let level = Level {
        attributes: &schema.block.attributes,
        blocks: &schema.block.blocks,
    };
    let mut paths = Vec::new();
    collect_write_only(level, config, &Path::Root, &mut paths);
    paths
}

/// The attributes and nested blocks that make up one object level of a schema.
#[derive(Clone, Copy)]
struct Level<'a> {
    attributes: &'a [Attribute],
    blocks: &'a [NestedBlock],
}

impl<'a> Level<'a> {
    fn of_attributes(attributes: &'a [Attribute]) -> Level<'a> {
        Level {
            attributes,
            blocks: &[],
        }
    }

    /// Each nested level (nested attributes and nested blocks) by name, with its nesting.
    fn children(self) -> impl Iterator<Item = (&'a str, Nesting, Level<'a>)> {
        let nested_attributes = self.attributes.iter().filter_map(|a| {
            a.nested_attributes()
                .map(|(nesting, list)| (a.name.as_str(), nesting, Level::of_attributes(list)))
        });
        let nested_blocks = self.blocks.iter().map(|b| {
            let level = Level {
                attributes: &b.block.attributes,
                blocks: &b.block.blocks,
            };
            (b.type_name.as_str(), b.nesting, level)
        });
        nested_attributes.chain(nested_blocks)
    }
}

/// Runs `visit` on every object of a nested value, with the matching prior and config objects.
fn for_each_nested(
    nesting: Nesting,
    prior: &Value,
    config: &Value,
    planned: &mut Value,
    mut visit: impl FnMut(&Value, &Value, &mut Value, Step),
) {
    match (nesting, planned) {
        (Nesting::Single | Nesting::Group, object @ Value::Object(_)) => {
            visit(prior, config, object, Step::None);
        }
        (Nesting::List, Value::List(items)) => {
            for (i, item) in items.iter_mut().enumerate() {
                visit(element(prior, i), element(config, i), item, Step::Index(i));
            }
        }
        (Nesting::Map, Value::Map(entries)) => {
            for (key, item) in entries.iter_mut() {
                visit(entry(prior, key), entry(config, key), item, Step::Key(key));
            }
        }
        (Nesting::Set, Value::Set(items)) => {
            // Set elements are their own identity: no prior or config element to match.
            for item in items.iter_mut() {
                let own = item.clone();
                visit(&Value::Null, &own, item, Step::Set);
            }
        }
        _ => {}
    }
}

/// How a nested object is reached from its attribute, for paths.
#[derive(Clone, Copy)]
enum Step<'a> {
    None,
    Index(usize),
    Key(&'a str),
    /// Paths stop at a set.
    Set,
}

fn element(value: &Value, index: usize) -> &Value {
    match value {
        Value::List(items) => items.get(index).unwrap_or(&Value::Null),
        _ => &Value::Null,
    }
}

fn entry<'v>(value: &'v Value, key: &str) -> &'v Value {
    match value {
        Value::Map(entries) => entries.get(key).unwrap_or(&Value::Null),
        _ => &Value::Null,
    }
}

/// An attribute path under construction (kept cheap; turned into an `AttributePath` on demand).
enum Path<'p> {
    Root,
    Attribute(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
    Key(&'p Path<'p>, &'p str),
}

impl Path<'_> {
    fn to_attribute_path(&self) -> AttributePath {
        match self {
            Path::Root => AttributePath::default(),
            Path::Attribute(parent, name) => parent.to_attribute_path().attribute(name),
            Path::Index(parent, index) => parent.to_attribute_path().index(*index as i64),
            Path::Key(parent, key) => parent.to_attribute_path().key(key),
        }
    }
}

fn apply_defaults(level: Level, config: &Value, planned: &mut Value) {
    if !matches!(planned, Value::Object(_)) {
        return;
    }
    for attribute in level.attributes {
        if let Some(default) = &attribute.default
            && attribute.computed
            && config.get(&attribute.name).is_null()
        {
            planned.set(&attribute.name, default.clone());
        }
    }
    for (name, nesting, child) in level.children() {
        let child_config = config.get(name);
        if let Value::Object(fields) = planned
            && let Some(nested) = fields.get_mut(name)
        {
            for_each_nested(nesting, &Value::Null, child_config, nested, |_, c, p, _| {
                apply_defaults(child, c, p);
            });
        }
    }
}

fn null_write_only_in(level: Level, value: &mut Value) {
    let Value::Object(fields) = value else {
        return;
    };
    for attribute in level.attributes.iter().filter(|a| a.write_only) {
        if let Some(field) = fields.get_mut(&attribute.name) {
            *field = Value::Null;
        }
    }
    for (name, nesting, child) in level.children() {
        if let Some(nested) = fields.get_mut(name) {
            for_each_nested(nesting, &Value::Null, &Value::Null, nested, |_, _, p, _| {
                null_write_only_in(child, p);
            });
        }
    }
}

fn mark_computed_unknown(level: Level, prior: &Value, config: &Value, planned: &mut Value) {
    if !matches!(planned, Value::Object(_)) {
        return;
    }
    for attribute in level.attributes {
        let unset = config.get(&attribute.name).is_null();
        if !attribute.computed || !unset || attribute.default.is_some() || attribute.write_only {
            continue;
        }
        let value = if attribute.use_state_for_unknown && !prior.is_null() {
            prior.get(&attribute.name).clone()
        } else {
            Value::unknown()
        };
        planned.set(&attribute.name, value);
    }
    for (name, nesting, child) in level.children() {
        let (child_prior, child_config) = (prior.get(name), config.get(name));
        if child_config.is_null() {
            continue;
        }
        if let Value::Object(fields) = planned
            && let Some(nested) = fields.get_mut(name)
        {
            for_each_nested(nesting, child_prior, child_config, nested, |pr, c, p, _| {
                mark_computed_unknown(child, pr, c, p);
            });
        }
    }
}

/// `value` with the top-level computed attributes that config leaves unset (and that have no
/// default) set to null: those are the provider's to fill, so they do not make a change.
fn without_unset_computed(level: Level, config: &Value, value: &Value) -> Value {
    let mut masked = value.clone();
    for attribute in level.attributes {
        if attribute.computed
            && attribute.default.is_none()
            && config.get(&attribute.name).is_null()
        {
            masked.set(&attribute.name, Value::Null);
        }
    }
    masked
}

/// Top-level attributes equal to their prior value keep the prior's exact form.
fn keep_equal_prior_attributes(prior: &Value, planned: &mut Value) {
    if let (Value::Object(before), Value::Object(after)) = (prior, planned) {
        for (name, value) in after.iter_mut() {
            if let Some(old) = before.get(name)
                && old == value
            {
                *value = old.clone();
            }
        }
    }
}

fn collect_requires_replace(
    level: Level,
    prior: &Value,
    planned: &Value,
    path: &Path,
    out: &mut Vec<AttributePath>,
) {
    if prior.is_null() {
        return;
    }
    for attribute in level.attributes {
        if attribute.requires_replace
            && !attribute.write_only
            && prior.get(&attribute.name) != planned.get(&attribute.name)
        {
            out.push(Path::Attribute(path, &attribute.name).to_attribute_path());
        }
    }
    for (name, nesting, child) in level.children() {
        let here = Path::Attribute(path, name);
        let (child_prior, child_planned) = (prior.get(name), planned.get(name));
        match (nesting, child_prior, child_planned) {
            (Nesting::Single | Nesting::Group, _, _) => {
                collect_requires_replace(child, child_prior, child_planned, &here, out);
            }
            (Nesting::List, Value::List(before), Value::List(after)) => {
                for (i, (b, a)) in before.iter().zip(after).enumerate() {
                    collect_requires_replace(child, b, a, &Path::Index(&here, i), out);
                }
            }
            (Nesting::Map, Value::Map(before), Value::Map(after)) => {
                for (key, b) in before {
                    if let Some(a) = after.get(key) {
                        collect_requires_replace(child, b, a, &Path::Key(&here, key), out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn collect_write_only(level: Level, config: &Value, path: &Path, out: &mut Vec<AttributePath>) {
    for attribute in level.attributes {
        if attribute.write_only && !config.get(&attribute.name).is_null() {
            out.push(Path::Attribute(path, &attribute.name).to_attribute_path());
        }
    }
    for (name, nesting, child) in level.children() {
        let here = Path::Attribute(path, name);
        let mut nested = config.get(name).clone();
        let mut found = Vec::new();
        for_each_nested(
            nesting,
            &Value::Null,
            &Value::Null,
            &mut nested,
            |_, _, c, step| match step {
                Step::None => collect_write_only(child, c, &here, &mut found),
                Step::Index(i) => collect_write_only(child, c, &Path::Index(&here, i), &mut found),
                Step::Key(k) => collect_write_only(child, c, &Path::Key(&here, k), &mut found),
                Step::Set => {
                    let mut inside = Vec::new();
                    collect_write_only(child, c, &here, &mut inside);
                    if !inside.is_empty() {
                        found.push(here.to_attribute_path());
                    }
                }
            },
        );
        for path in found {
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attribute;
    use crate::types::Type;

    /// A resource with a write-only value, its version, a computed id and a default.
    fn schema() -> Schema {
        Schema::new(
            "secret",
            vec![
                Attribute::string("id").computed().use_state_for_unknown(),
                Attribute::string("account_id")
                    .optional()
                    .computed()
                    .requires_replace()
                    .use_state_for_unknown(),
                Attribute::string("name").required().requires_replace(),
                Attribute::string("value").optional().sensitive(),
                Attribute::string("value_wo")
                    .optional()
                    .sensitive()
                    .write_only()
                    .requires_replace(),
                Attribute::number("value_wo_version").optional(),
                Attribute::new("scopes", Type::set(Type::String))
                    .optional()
                    .computed()
                    .default(Value::string_set(["workers"])),
                Attribute::string("status").computed(),
                Attribute::string("modified").computed(),
            ],
        )
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut object = Value::object(
            schema()
                .block
                .attributes
                .iter()
                .map(|a| (a.name.clone(), Value::Null)),
        );
        for (name, value) in pairs {
            object.set(name, value.clone());
        }
        object
    }

    fn prior() -> Value {
        config(&[
            ("id", "abc".into()),
            ("account_id", "acct".into()),
            ("name", "API_KEY".into()),
            ("value_wo_version", 1i64.into()),
            ("scopes", Value::string_set(["workers", "dex"])),
            ("status", "active".into()),
            ("modified", "2026-01-01T00:00:00Z".into()),
        ])
    }

    /// What Terraform proposes on update: config values, prior values for unset computed ones.
    fn proposed_update(config: &Value) -> Value {
        let mut proposed = config.clone();
        for attribute in &schema().block.attributes {
            if attribute.computed && config.get(&attribute.name).is_null() {
                proposed.set(&attribute.name, prior().get(&attribute.name).clone());
            }
        }
        proposed
    }

    fn update_config(pairs: &[(&str, Value)]) -> Value {
        let mut base = vec![
            ("name", Value::from("API_KEY")),
            ("value_wo", "s3cret".into()),
            ("value_wo_version", 1i64.into()),
            ("scopes", Value::string_set(["dex", "workers"])),
        ];
        base.extend(pairs.iter().cloned());
        config(&base)
    }

    #[test]
    fn destroy_plans_null() {
        let change = plan_resource_change(&schema(), &prior(), &Value::Null, &Value::Null);
        assert_eq!(change, PlannedChange::default());
    }

    #[test]
    fn create_plans_unknown_computed_values_defaults_and_no_write_only() {
        let config = config(&[("name", "API_KEY".into()), ("value_wo", "s3cret".into())]);
        let change = plan_resource_change(&schema(), &Value::Null, &config, &config);
        let planned = &change.planned_state;
        for computed in ["id", "account_id", "status", "modified"] {
            assert!(planned.get(computed).is_unknown(), "{computed}");
        }
        assert_eq!(planned.get("scopes"), &Value::string_set(["workers"]));
        assert_eq!(planned.get("name"), &Value::from("API_KEY"));
        assert_eq!(planned.get("value_wo"), &Value::Null);
        assert_eq!(planned.get("value"), &Value::Null);
        assert!(change.requires_replace.is_empty());
    }

    #[test]
    fn unchanged_resource_plans_the_prior_state_exactly() {
        let config = update_config(&[]);
        let change = plan_resource_change(&schema(), &prior(), &proposed_update(&config), &config);
        assert!(change.planned_state.is_wholly_known());
        assert_eq!(change.planned_state, prior());
        // The prior's element order is kept, not the config's.
        assert_eq!(
            change.planned_state.get("scopes").as_strings(),
            Some(vec!["workers", "dex"])
        );
        assert!(change.requires_replace.is_empty());
    }

    #[test]
    fn update_marks_computed_values_unknown_unless_kept_from_state() {
        let config = update_config(&[("value_wo_version", 2i64.into())]);
        let change = plan_resource_change(&schema(), &prior(), &proposed_update(&config), &config);
        let planned = &change.planned_state;
        assert_eq!(planned.get("value_wo_version"), &Value::from(2i64));
        assert_eq!(planned.get("id"), &Value::from("abc"));
        assert_eq!(planned.get("account_id"), &Value::from("acct"));
        assert!(planned.get("status").is_unknown());
        assert!(planned.get("modified").is_unknown());
        assert_eq!(planned.get("value_wo"), &Value::Null);
        assert!(
            change.requires_replace.is_empty(),
            "{:?}",
            change.requires_replace
        );
    }

    #[test]
    fn changing_a_requires_replace_attribute_asks_for_replacement() {
        let config = update_config(&[("name", "OTHER".into()), ("value_wo", "new".into())]);
        let change = plan_resource_change(&schema(), &prior(), &proposed_update(&config), &config);
        assert_eq!(change.requires_replace, vec![AttributePath::root("name")]);
    }

    #[test]
    fn computed_requires_replace_without_kept_state_replaces_once_unknown() {
        let mut schema = schema();
        schema.block.attributes[1].use_state_for_unknown = false;
        let config = update_config(&[("value", "v".into())]);
        let change = plan_resource_change(&schema, &prior(), &proposed_update(&config), &config);
        assert!(change.planned_state.get("account_id").is_unknown());
        assert_eq!(
            change.requires_replace,
            vec![AttributePath::root("account_id")]
        );
    }

    #[test]
    fn unset_computed_attributes_alone_are_no_change() {
        // A proposal that left unset computed attributes null (as hand-built ones may).
        let config = update_config(&[]);
        let change = plan_resource_change(&schema(), &prior(), &config, &config);
        assert_eq!(change.planned_state, prior());
    }

    #[test]
    fn removing_an_attribute_with_a_default_plans_the_default() {
        let config = update_config(&[("scopes", Value::Null)]);
        let change = plan_resource_change(&schema(), &prior(), &proposed_update(&config), &config);
        assert_eq!(
            change.planned_state.get("scopes"),
            &Value::string_set(["workers"])
        );
        assert!(change.planned_state.get("status").is_unknown());
    }

    #[test]
    fn unknown_config_values_stay_unknown_and_count_as_changes() {
        let config = update_config(&[("name", Value::unknown())]);
        let change = plan_resource_change(&schema(), &prior(), &proposed_update(&config), &config);
        assert!(change.planned_state.get("name").is_unknown());
        assert_eq!(change.requires_replace, vec![AttributePath::root("name")]);

        let create = self::config(&[("name", "N".into()), ("scopes", Value::unknown())]);
        let change = plan_resource_change(&schema(), &Value::Null, &create, &create);
        assert!(change.planned_state.get("scopes").is_unknown());
    }

    #[test]
    fn write_only_values_are_found_and_nulled() {
        let config = update_config(&[]);
        assert_eq!(
            write_only_paths(&schema(), &config),
            vec![AttributePath::root("value_wo")]
        );
        assert!(write_only_paths(&schema(), &prior()).is_empty());
        let mut value = config.clone();
        null_write_only(&schema(), &mut value);
        assert_eq!(value.get("value_wo"), &Value::Null);
        assert_eq!(value.get("name"), &Value::from("API_KEY"));
    }

    fn nested_schema() -> Schema {
        Schema::new(
            "nested",
            vec![
                Attribute::nested(
                    "binding",
                    Nesting::List,
                    vec![
                        Attribute::string("store").required().requires_replace(),
                        Attribute::string("token_wo").optional().write_only(),
                        Attribute::string("etag").computed(),
                        Attribute::bool("enabled")
                            .optional()
                            .computed()
                            .default(true),
                    ],
                )
                .optional(),
            ],
        )
    }

    fn binding(store: &str, etag: Value, token: Value, enabled: Value) -> Value {
        Value::object([
            ("store", Value::from(store)),
            ("token_wo", token),
            ("etag", etag),
            ("enabled", enabled),
        ])
    }

    #[test]
    fn nested_attributes_follow_the_same_rules() {
        let schema = nested_schema();
        let config = Value::object([(
            "binding",
            Value::List(vec![binding("s1", Value::Null, "t".into(), Value::Null)]),
        )]);
        let change = plan_resource_change(&schema, &Value::Null, &config, &config);
        let planned = &change.planned_state.get("binding").elements().unwrap()[0];
        assert!(planned.get("etag").is_unknown());
        assert_eq!(planned.get("enabled"), &Value::from(true));
        assert_eq!(planned.get("token_wo"), &Value::Null);
        assert_eq!(
            write_only_paths(&schema, &config),
            vec![
                AttributePath::root("binding")
                    .index(0)
                    .attribute("token_wo")
            ]
        );

        let prior = Value::object([(
            "binding",
            Value::List(vec![binding("s1", "e1".into(), Value::Null, true.into())]),
        )]);
        let config = Value::object([(
            "binding",
            Value::List(vec![binding("s2", Value::Null, Value::Null, Value::Null)]),
        )]);
        let proposed = Value::object([(
            "binding",
            Value::List(vec![binding("s2", "e1".into(), Value::Null, Value::Null)]),
        )]);
        let change = plan_resource_change(&schema, &prior, &proposed, &config);
        assert_eq!(
            change.requires_replace,
            vec![AttributePath::root("binding").index(0).attribute("store")]
        );
    }
}
