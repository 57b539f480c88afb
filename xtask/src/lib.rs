//! The release tooling behind `cargo xtask`: packing provider binaries into Terraform Registry
//! release archives, installing an archive into a provider mirror, and the end-to-end demo.

pub mod archive;
pub mod dirhash;
pub mod dist;
pub mod install;
pub mod platform;
pub mod provider_address;

/// An error for the person at the terminal: what went wrong and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// Shorthand for an `Err(Error(...))`.
pub fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(Error(message.into()))
}

/// Attaches what was being done with which path to an I/O error.
pub(crate) fn io_context(
    what: &str,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> Error {
    let context = format!("{what} {}", path.display());
    move |error| Error(format!("{context}: {error}"))
}
