//! Acceptance tests for settings precedence: a credential in the provider block beats the
//! environment, a conflict is an error only within one source. Each case plans against the
//! emulator (which accepts both a token and a key pair) and checks which headers arrived.

mod acc_harness;
mod support;

use acc_harness::{API_TOKEN, Emulator, Workdir};
use api_emulator::{CredentialHeaders, EmulatorConfig};

const EMAIL: &str = "ops@example.com";
const KEY: &str = "0123456789abcdef-global-key";

/// Planning an adopted store lists the stores, so every case makes at least one API call.
const ADOPT: &str = r#"resource "cloudflare_secrets_store" "main" { adopt = true }"#;

fn emulator() -> Emulator {
    let mut config = EmulatorConfig::new(acc_harness::ACCOUNT_ID, API_TOKEN);
    config.api_key = Some((EMAIL.to_string(), KEY.to_string()));
    let emulator = Emulator::start_with(config);
    emulator.create_store("default_secrets_store");
    emulator
}

/// One combination: the provider block's settings, the environment's, and what must happen.
struct Case {
    name: &'static str,
    block: &'static str,
    env: &'static [(&'static str, &'static str)],
    expect: Result<CredentialHeaders, &'static str>,
}

const CASES: &[Case] = &[
    Case {
        name: "env token only",
        block: "",
        env: &[("CLOUDFLARE_API_TOKEN", API_TOKEN)],
        expect: Ok(CredentialHeaders::Token),
    },
    Case {
        name: "env key and email only",
        block: "",
        env: &[
            ("CLOUDFLARE_API_TOKEN", ""),
            ("CLOUDFLARE_API_KEY", KEY),
            ("CLOUDFLARE_EMAIL", EMAIL),
        ],
        expect: Ok(CredentialHeaders::Key),
    },
    Case {
        name: "block key and email beat an env token",
        block: "api_key = \"0123456789abcdef-global-key\"\n  email = \"ops@example.com\"",
        env: &[("CLOUDFLARE_API_TOKEN", "env-token-that-is-not-used")],
        expect: Ok(CredentialHeaders::Key),
    },
    Case {
        name: "block key with the email from the env beats an env token",
        block: "api_key = \"0123456789abcdef-global-key\"",
        env: &[
            ("CLOUDFLARE_API_TOKEN", "env-token-that-is-not-used"),
            ("CLOUDFLARE_EMAIL", EMAIL),
        ],
        expect: Ok(CredentialHeaders::Key),
    },
    Case {
        name: "block token beats env key and email",
        block: "api_token = \"acc-test-token\"",
        env: &[
            ("CLOUDFLARE_API_TOKEN", ""),
            ("CLOUDFLARE_API_KEY", "env-key-that-is-not-used"),
            ("CLOUDFLARE_EMAIL", EMAIL),
        ],
        expect: Ok(CredentialHeaders::Token),
    },
    Case {
        name: "block token beats an env token",
        block: "api_token = \"acc-test-token\"",
        env: &[("CLOUDFLARE_API_TOKEN", "env-token-that-is-not-used")],
        expect: Ok(CredentialHeaders::Token),
    },
    Case {
        name: "token and key in the env conflict",
        block: "",
        env: &[
            ("CLOUDFLARE_API_TOKEN", API_TOKEN),
            ("CLOUDFLARE_API_KEY", KEY),
            ("CLOUDFLARE_EMAIL", EMAIL),
        ],
        expect: Err("Conflicting Cloudflare credentials in the environment"),
    },
    Case {
        name: "token and key in the block conflict",
        block: "api_token = \"acc-test-token\"\n  api_key = \"0123456789abcdef-global-key\"\n  email = \"ops@example.com\"",
        env: &[],
        expect: Err("Conflicting Cloudflare credentials"),
    },
];

#[test]
fn the_provider_block_beats_the_environment_for_credentials() {
    assert_eq!(API_TOKEN, "acc-test-token", "the cases spell the token out");
    let emulator = emulator();
    let Some(tf) = Workdir::new(
        &emulator,
        "the_provider_block_beats_the_environment_for_credentials",
    ) else {
        return;
    };
    for case in CASES {
        tf.config(&format!(
            "provider \"cloudflare\" {{\n  {}\n}}\n\n{ADOPT}",
            case.block
        ));
        emulator.state.clear_request_log();
        let run = tf.run_with_env(&["plan", "-input=false", "-no-color"], case.env);
        let text = run.text();
        let requests = emulator.state.request_log();
        match case.expect {
            Ok(headers) => {
                assert_eq!(run.code, 0, "{}: plan failed: {text}", case.name);
                assert!(!requests.is_empty(), "{}: no API call", case.name);
                for request in &requests {
                    assert_eq!(request.credentials, headers, "{}: {request:?}", case.name);
                    assert_eq!(request.status, 200, "{}: {request:?}", case.name);
                }
            }
            Err(summary) => {
                assert_ne!(run.code, 0, "{}: plan should fail: {text}", case.name);
                assert!(text.contains(summary), "{}: {text}", case.name);
                assert!(requests.is_empty(), "{}: {requests:?}", case.name);
            }
        }
    }
}
