//! HCL `variable` blocks that could let a secret into state or a saved plan: a variable whose
//! name says it carries a secret (or that is `sensitive`) must be `sensitive` and `ephemeral`.

/// Name endings of variables that carry a secret value or a credential.
const SECRET_NAME_ENDINGS: &[&str] = &["token", "_key", "secret", "password", "values", "_value"];

/// Whether a variable's name says it carries a secret value or a credential (`*_api_token`,
/// `*_api_key`, `webhook_secret`, `secret_values`, …; not `account_id` or `value_version`).
pub fn names_a_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_NAME_ENDINGS
        .iter()
        .any(|ending| name.ends_with(ending))
}

/// The top-level `variable "NAME" { … }` blocks of an HCL text, as (name, body lines).
pub fn variable_blocks(hcl: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in hcl.lines() {
        match current.as_mut() {
            None => {
                let name = line
                    .strip_prefix("variable \"")
                    .and_then(|rest| rest.split_once('"'))
                    .filter(|(_, rest)| rest.trim() == "{")
                    .map(|(name, _)| name.to_string());
                if let Some(name) = name {
                    current = Some((name, Vec::new()));
                }
            }
            Some(_) if line.trim_end() == "}" => blocks.push(current.take().unwrap()),
            Some((_, body)) => body.push(line.to_string()),
        }
    }
    blocks
}

/// Why a `variable` block could let a secret into state or a saved plan: a sensitive variable
/// that is not ephemeral, or one whose name says it is secret without being both. `None` when
/// it is fine.
pub fn variable_secrecy_problem(name: &str, body: &[String]) -> Option<String> {
    let set = |attribute: &str| {
        body.iter().any(|line| {
            line.split_once('=').is_some_and(|(key, value)| {
                key.trim() == attribute && value.split('#').next().unwrap().trim() == "true"
            })
        })
    };
    let (sensitive, ephemeral) = (set("sensitive"), set("ephemeral"));
    if (sensitive || names_a_secret(name)) && !(sensitive && ephemeral) {
        Some(format!(
            "variable \"{name}\" carries a secret but is not both `sensitive = true` and \
             `ephemeral = true`, so a saved plan (plan -out) would hold its value"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_blocks_are_found_with_their_bodies() {
        let hcl = "variable \"a\" {\n  type = string\n  validation {\n    condition = true\n  }\n}\n\n\
                   resource \"x\" \"y\" {\n  variable = 1\n}\nvariable \"b\" {}\nvariable \"c\" {\n}\n";
        let blocks = variable_blocks(hcl);
        let names: Vec<&str> = blocks.iter().map(|(name, _)| name.as_str()).collect();
        // `variable "b" {}` on one line has no body and nothing to check.
        assert_eq!(names, vec!["a", "c"]);
        assert_eq!(blocks[0].1.len(), 4);
    }

    #[test]
    fn secret_variables_must_be_sensitive_and_ephemeral() {
        let body = |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let both = body(&[
            "  sensitive = true",
            "  ephemeral   = true # kept out of plans",
        ]);
        assert_eq!(variable_secrecy_problem("stripe_api_key", &both), None);
        assert_eq!(variable_secrecy_problem("anything", &both), None);
        let sensitive_only = body(&["  sensitive = true"]);
        for name in ["cloudflare_api_token", "secret_values", "anything"] {
            let problem = variable_secrecy_problem(name, &sensitive_only);
            assert!(problem.is_some_and(|p| p.contains(name)), "{name}");
        }
        let plain = body(&["  type = string", "  ephemeral = false"]);
        assert!(variable_secrecy_problem("webhook_secret", &plain).is_some());
        assert!(variable_secrecy_problem("values", &plain).is_some());
        for name in [
            "account_id",
            "store_id",
            "secrets",
            "value_version",
            "emulator_base_url",
        ] {
            assert_eq!(variable_secrecy_problem(name, &plain), None, "{name}");
        }
    }
}
