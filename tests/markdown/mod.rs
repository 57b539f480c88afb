//! Reads Markdown pages: every `*.md` file of a directory tree, and their fenced code blocks.

use std::path::{Path, PathBuf};

/// Every `*.md` file under `dir`, sorted.
pub fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("docs directory is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The contents of every ```` ```language ```` fenced block.
pub fn fenced_blocks(markdown: &str, language: &str) -> Vec<String> {
    let opening = format!("```{language}");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match current.as_mut() {
            None if line.trim_end() == opening => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_end() == "```" => blocks.push(current.take().unwrap()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenced_blocks_are_extracted_by_language() {
        let markdown = "a\n```terraform\nx = 1\n```\n```shell\nls\n```\n";
        assert_eq!(
            fenced_blocks(markdown, "terraform"),
            vec!["x = 1\n".to_string()]
        );
        assert_eq!(fenced_blocks(markdown, "shell"), vec!["ls\n".to_string()]);
    }
}
