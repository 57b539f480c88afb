//! The example provider (`examples/file_provider.rs`) under the real `terraform`, run as the
//! README runs it, through `dev_overrides`: create, update in place, replace, validation at the
//! attribute, import, destroy, and an empty plan after each change.
#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{example_binary, terraform_or_skip};

/// A Terraform working directory whose provider `example/files` is the example binary; its
/// files live in `data/`.
struct Workdir {
    dir: tempfile::TempDir,
    terraform: PathBuf,
}

impl Workdir {
    fn new(terraform: PathBuf) -> Workdir {
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join("plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        let binary = example_binary("file_provider");
        std::os::unix::fs::symlink(binary, plugins.join("terraform-provider-files")).unwrap();
        let cli_config = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"example/files\" = \"{}\"\n  }}\n  \
             direct {{}}\n}}\n",
            plugins.display()
        );
        std::fs::write(dir.path().join("cli.tfrc"), cli_config).unwrap();
        Workdir { dir, terraform }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes main.tf with one `files_text.todo` of `path` and `content`.
    fn config(&self, path: &str, content: &str) {
        let main = format!(
            "terraform {{\n  required_providers {{\n    files = {{ source = \"example/files\" }}\n  \
             }}\n}}\n\nprovider \"files\" {{\n  directory = \"{}\"\n}}\n\n\
             resource \"files_text\" \"todo\" {{\n  path    = \"{path}\"\n  content = \"{content}\"\n}}\n",
            self.path().join("data").display()
        );
        std::fs::write(self.path().join("main.tf"), main).unwrap();
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(&self.terraform)
            .args(args)
            .arg("-no-color")
            .current_dir(self.path())
            .env("TF_CLI_CONFIG_FILE", self.path().join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_LOG")
            .output()
            .unwrap()
    }

    /// Runs a command that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let errors = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args:?}: {text}\n{errors}");
        text
    }

    fn apply(&self) {
        self.ok(&["apply", "-auto-approve", "-input=false"]);
        let plan = self.run(&["plan", "-detailed-exitcode", "-input=false"]);
        let text = String::from_utf8_lossy(&plan.stdout);
        assert_eq!(plan.status.code(), Some(0), "a plan after apply: {text}");
    }

    fn file(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.path().join("data").join(name)).ok()
    }

    /// The state's attributes of `files_text.todo`.
    fn state(&self) -> serde_json::Value {
        let show: serde_json::Value = serde_json::from_str(&self.ok(&["show", "-json"])).unwrap();
        show["values"]["root_module"]["resources"][0]["values"].clone()
    }
}

#[test]
fn the_example_provider_manages_a_file_through_its_whole_life() {
    let Some(terraform) = terraform_or_skip("the_example_provider_manages_a_file") else {
        return;
    };
    let tf = Workdir::new(terraform);
    tf.config("todo.txt", "milk");
    tf.apply();
    assert_eq!(tf.file("todo.txt").as_deref(), Some("milk"));
    let state = tf.state();
    assert_eq!(state["id"], "todo.txt");
    assert_eq!(state["bytes"], 4);

    tf.config("todo.txt", "milk, eggs");
    let plan = tf.ok(&["plan", "-input=false"]);
    assert!(plan.contains("updated in-place"), "{plan}");
    tf.apply();
    assert_eq!(tf.file("todo.txt").as_deref(), Some("milk, eggs"));
    assert_eq!(tf.state()["bytes"], 10);

    tf.config("done.txt", "milk, eggs");
    let plan = tf.ok(&["plan", "-input=false"]);
    assert!(plan.contains("must be replaced"), "{plan}");
    tf.apply();
    assert_eq!(tf.file("todo.txt"), None, "the old file is deleted");
    assert_eq!(tf.file("done.txt").as_deref(), Some("milk, eggs"));

    tf.config("../escape.txt", "x");
    let invalid = tf.run(&["validate"]);
    let text = String::from_utf8_lossy(&invalid.stderr);
    assert!(!invalid.status.success());
    assert!(text.contains("Invalid path"), "{text}");
    assert!(
        text.contains("path    = \"../escape.txt\""),
        "points at it: {text}"
    );

    tf.config("done.txt", "milk, eggs");
    tf.ok(&["state", "rm", "files_text.todo"]);
    tf.ok(&["import", "-input=false", "files_text.todo", "done.txt"]);
    assert_eq!(tf.state()["content"], "milk, eggs");
    tf.apply();

    tf.ok(&["destroy", "-auto-approve", "-input=false"]);
    assert_eq!(tf.file("done.txt"), None);
}
