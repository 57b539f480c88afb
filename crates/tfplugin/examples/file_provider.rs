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
use serde::{Deserialize, Serialize};
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

/// The attributes of `files_text`, one field per attribute (see [`tfplugin::model`]).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextModel {
    id: Attr<String>,
    path: Attr<String>,
    content: Attr<String>,
    bytes: Attr<i64>,
}

impl TextFile {
    /// The state of the file at `path` holding `content`.
    fn state(path: &str, content: &str) -> Result<Value, Diagnostics> {
        let model = TextModel {
            id: Attr::Known(path.to_string()),
            path: Attr::Known(path.to_string()),
            content: Attr::Known(content.to_string()),
            bytes: Attr::Known(content.len() as i64),
        };
        model::to_value(&model, &TextFile.schema())
            .map_err(|e| e.diagnostic("a file's state").into())
    }

    /// The model in `value` (a plan, a state).
    fn model(value: &Value) -> Result<TextModel, Diagnostics> {
        model::from_value(value).map_err(|e| e.diagnostic("a files_text value").into())
    }

    /// Writes the planned content; the new state, or an error naming the file.
    fn write(dir: &Directory, planned: &Value) -> Result<Value, Diagnostics> {
        let planned = TextFile::model(planned)?;
        let path = planned.path.as_deref().unwrap_or_default();
        let content = planned.content.as_deref().unwrap_or_default();
        std::fs::write(dir.0.join(path), content).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Unable to write file",
                format!("{path}: {e}"),
            ))
        })?;
        TextFile::state(path, content)
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

    async fn create(&self, req: CreateRequest<Directory>) -> Result<CreateResponse, Diagnostics> {
        let new_state = TextFile::write(&req.provider, &req.planned_state)?;
        Ok(CreateResponse {
            new_state,
            ..Default::default()
        })
    }

    async fn read(&self, req: ReadRequest<Directory>) -> Result<ReadResponse, Diagnostics> {
        let current = TextFile::model(&req.current_state)?;
        let path = current.path.as_deref().unwrap_or_default();
        let new_state = match std::fs::read_to_string(req.provider.0.join(path)) {
            Ok(content) => TextFile::state(path, &content)?,
            // Gone: Terraform plans to create it again.
            Err(e) if e.kind() == ErrorKind::NotFound => Value::Null,
            Err(e) => {
                let error = Diagnostic::error("Unable to read file", format!("{path}: {e}"));
                return Err(error.into());
            }
        };
        Ok(ReadResponse {
            new_state,
            ..Default::default()
        })
    }

    async fn update(&self, req: UpdateRequest<Directory>) -> Result<UpdateResponse, Diagnostics> {
        let new_state = TextFile::write(&req.provider, &req.planned_state)?;
        Ok(UpdateResponse {
            new_state,
            ..Default::default()
        })
    }

    async fn delete(&self, req: DeleteRequest<Directory>) -> Result<DeleteResponse, Diagnostics> {
        let prior = TextFile::model(&req.prior_state)?;
        let path = prior.path.as_deref().unwrap_or_default();
        match std::fs::remove_file(req.provider.0.join(path)) {
            Err(e) if e.kind() != ErrorKind::NotFound => {
                let error = Diagnostic::error("Unable to delete file", format!("{path}: {e}"));
                Err(error.into())
            }
            _ => Ok(DeleteResponse::default()),
        }
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
    async fn import_state(
        &self,
        req: ImportStateRequest<Directory>,
    ) -> Result<ImportStateResponse, Diagnostics> {
        let model = TextModel {
            id: Attr::Known(req.id.clone()),
            path: Attr::Known(req.id),
            ..TextModel::default()
        };
        let state = model::to_value(&model, &self.schema())
            .map_err(|e| Diagnostics::from(e.diagnostic("an imported file")))?;
        Ok(ImportStateResponse {
            state,
            ..Default::default()
        })
    }
}

/// A path must stay inside the directory. Unknown values (known only at apply) pass.
impl ValidateConfig for TextFile {
    fn validate_config(&self, req: ValidateConfigRequest) -> ValidateConfigResponse {
        let mut diagnostics = Diagnostics::default();
        let path = TextFile::model(&req.config).map(|config| config.path);
        if let Ok(Attr::Known(path)) = &path {
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
