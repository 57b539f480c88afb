//! A small provider written with tfplugin: `files`, whose one resource, `files_text`, is a text
//! file under the provider's `directory`. It shows a schema (required, computed, requires-replace
//! attributes), create/read/update/delete, import, config validation and serving (`--debug` too).
//! The objects live in files, not in memory: Terraform starts a new provider process for each
//! walk of a command. See the crate README for how to run it under Terraform.

use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::*;

fn main() -> ExitCode {
    let source = "registry.terraform.io/example/files";
    tfplugin::serve::run(FilesProvider, source, std::env::args().collect())
}

/// The provider; `configure` turns its `directory` into the [`Directory`] every call gets.
struct FilesProvider;

/// Where the files live.
struct Directory(PathBuf);

#[async_trait]
impl Provider for FilesProvider {
    type Data = Directory;

    fn type_name(&self) -> &'static str {
        "files"
    }

    fn version(&self) -> &'static str {
        "0.1.0"
    }

    fn schema(&self) -> Schema {
        let directory = Attribute::string("directory")
            .optional()
            .description("Where the files live (default: the working directory).");
        Schema::new("Text files in one directory.", vec![directory])
    }

    async fn configure(&self, req: ConfigureRequest) -> ConfigureResponse<Directory> {
        let directory = req.config.get("directory").as_str().unwrap_or(".");
        ConfigureResponse {
            data: Some(Directory(PathBuf::from(directory))),
            diagnostics: Diagnostics::default(),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<Directory>>> {
        vec![Arc::new(TextFile)]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Directory>>> {
        Vec::new()
    }
}

/// `files_text`: one text file; its id is its path.
struct TextFile;

impl TextFile {
    /// The state of the file at `path` holding `content`.
    fn state(path: &str, content: &str) -> Value {
        Value::object([
            ("id", Value::string(path)),
            ("path", Value::string(path)),
            ("content", Value::string(content)),
            ("bytes", Value::from(content.len() as i64)),
        ])
    }

    /// Writes `planned`'s content; the new state, or an error naming the file.
    fn write(dir: &Directory, planned: &Value) -> (Value, Diagnostics) {
        let path = planned.get("path").as_str().unwrap_or_default();
        let content = planned.get("content").as_str().unwrap_or_default();
        match std::fs::write(dir.0.join(path), content) {
            Ok(()) => (TextFile::state(path, content), Diagnostics::default()),
            Err(e) => {
                let error = Diagnostic::error("Unable to write file", format!("{path}: {e}"));
                (Value::Null, error.into())
            }
        }
    }
}

#[async_trait]
impl Resource<Directory> for TextFile {
    fn type_name(&self) -> &'static str {
        "files_text"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "A text file.",
            vec![
                Attribute::string("id").computed().use_state_for_unknown(),
                Attribute::string("path")
                    .required()
                    .requires_replace()
                    .description("The file's path, relative to the provider's directory."),
                Attribute::string("content").required(),
                Attribute::number("bytes").computed(),
            ],
        )
    }

    async fn create(&self, req: CreateRequest<Directory>) -> CreateResponse {
        let (new_state, diagnostics) = TextFile::write(&req.provider, &req.planned_state);
        CreateResponse {
            new_state,
            diagnostics,
            ..Default::default()
        }
    }

    async fn read(&self, req: ReadRequest<Directory>) -> ReadResponse {
        let path = req.current_state.get("path").as_str().unwrap_or_default();
        let (new_state, diagnostics) = match std::fs::read_to_string(req.provider.0.join(path)) {
            Ok(content) => (TextFile::state(path, &content), Diagnostics::default()),
            // Gone: Terraform plans to create it again.
            Err(e) if e.kind() == ErrorKind::NotFound => (Value::Null, Diagnostics::default()),
            Err(e) => {
                let error = Diagnostic::error("Unable to read file", format!("{path}: {e}"));
                (req.current_state, error.into())
            }
        };
        ReadResponse {
            new_state,
            diagnostics,
            ..Default::default()
        }
    }

    async fn update(&self, req: UpdateRequest<Directory>) -> UpdateResponse {
        let (new_state, diagnostics) = TextFile::write(&req.provider, &req.planned_state);
        UpdateResponse {
            new_state,
            diagnostics,
            ..Default::default()
        }
    }

    async fn delete(&self, req: DeleteRequest<Directory>) -> DeleteResponse {
        let path = req.prior_state.get("path").as_str().unwrap_or_default();
        let mut diagnostics = Diagnostics::default();
        match std::fs::remove_file(req.provider.0.join(path)) {
            Err(e) if e.kind() != ErrorKind::NotFound => {
                diagnostics.add(Diagnostic::error(
                    "Unable to delete file",
                    format!("{path}: {e}"),
                ));
            }
            _ => {}
        }
        DeleteResponse { diagnostics }
    }

    fn importer(&self) -> Option<&dyn ImportState<Directory>> {
        Some(self)
    }

    fn config_validator(&self) -> Option<&dyn ValidateConfig> {
        Some(self)
    }
}

/// `terraform import files_text.x notes/todo.txt`: the id is the path; the read that follows
/// fills in the rest.
#[async_trait]
impl ImportState<Directory> for TextFile {
    async fn import_state(&self, req: ImportStateRequest<Directory>) -> ImportStateResponse {
        let mut state = TextFile::state(&req.id, "");
        state.set("content", Value::Null);
        state.set("bytes", Value::Null);
        ImportStateResponse {
            state,
            ..Default::default()
        }
    }
}

/// A path must stay inside the directory. Unknown values (known only at apply) pass.
impl ValidateConfig for TextFile {
    fn validate_config(&self, req: ValidateConfigRequest) -> ValidateConfigResponse {
        let mut diagnostics = Diagnostics::default();
        if let Some(path) = req.config.get("path").as_str() {
            let inside = Path::new(path)
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
            if path.is_empty() || !inside {
                let detail = format!("{path:?} must be a relative path without `..`.");
                let error = Diagnostic::error("Invalid path", detail);
                diagnostics.add(error.at(AttributePath::root("path")));
            }
        }
        ValidateConfigResponse { diagnostics }
    }
}
