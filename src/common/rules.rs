//! Plan-time rules for names and ids, each as a diagnostic on the attribute it concerns.

use crate::tfplugin::{AttributePath, Diagnostic, Value};

/// Why `name` is not a valid secret name, if it is not: non-empty; only ASCII letters, digits,
/// `_` and `-` (which also rules out whitespace).
pub fn secret_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("The secret name is empty. Give it a name such as API_KEY.".to_string());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        let what = if bad.is_whitespace() {
            "whitespace".to_string()
        } else {
            format!("the character {bad:?}")
        };
        return Some(format!(
            "The secret name {name:?} contains {what}. Secret names may contain only letters, \
             digits, underscores (_) and dashes (-), e.g. MY_API_KEY."
        ));
    }
    None
}

/// A validate-time error at `name` when it is known and not a valid secret name.
pub fn check_secret_name(config: &Value) -> Option<Diagnostic> {
    let name = config.get("name").as_str()?;
    secret_name_problem(name).map(|detail| {
        Diagnostic::error("Invalid secret name", detail).at(AttributePath::root("name"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::Severity;

    #[test]
    fn secret_names_follow_the_rules() {
        assert_eq!(secret_name_problem("API_KEY-2"), None);
        assert!(secret_name_problem("").unwrap().contains("empty"));
        assert!(
            secret_name_problem("MY KEY")
                .unwrap()
                .contains("whitespace")
        );
        assert!(secret_name_problem("key\t").unwrap().contains("whitespace"));
        assert!(secret_name_problem("a.b").unwrap().contains("'.'"));
        assert!(secret_name_problem("ключ").is_some());
    }

    #[test]
    fn name_check_points_at_the_attribute_and_skips_unknowns() {
        let bad = Value::object([("name", Value::string("has space"))]);
        let diag = check_secret_name(&bad).expect("an error");
        assert_eq!(diag.path, Some(AttributePath::root("name")));
        assert_eq!(diag.severity, Severity::Error);
        let unknown = Value::object([("name", Value::unknown())]);
        assert!(check_secret_name(&unknown).is_none());
    }
}
