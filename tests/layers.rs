//! Layers only point down: each top-level module of `src/` may use the modules below it in the
//! data flow (scenario → plan → execute → sink → analyse → draw/report), never one above. The
//! order is the one docs/architecture.md draws; this test reads the sources and holds them to it.

use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules, lowest first.
const LAYERS: &[&str] = &[
    "error", "suggest", "stats", "engine", "models", "scenario", "output", "analysis", "plot",
    "report", "cli", "app", "serve",
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|m| *m == module)
}

/// The modules `text` reaches through `crate::NAME` paths (in `use` lines and in code) that sit
/// at or above `module`'s layer.
fn upward_uses(module: &str, text: &str) -> Vec<String> {
    let own = rank(module).expect("a known module");
    let mut found = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let name: String = text[at + 7..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if let Some(r) = rank(&name)
            && r > own
            && !found.contains(&name)
        {
            found.push(name);
        }
    }
    found
}

fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut files = Vec::new();
    for entry in fs::read_dir(path).unwrap() {
        files.extend(rust_files(&entry.unwrap().path()));
    }
    files.retain(|f| f.extension().is_some_and(|e| e == "rs"));
    files
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    let mut broken = Vec::new();
    for module in LAYERS {
        let dir = src.join(module);
        let path = if dir.is_dir() {
            dir
        } else {
            src.join(format!("{module}.rs"))
        };
        for file in rust_files(&path) {
            let text = fs::read_to_string(&file).unwrap();
            for upward in upward_uses(module, &text) {
                broken.push(format!("{} uses crate::{upward}", file.display()));
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 30,
        "only {checked} files found under {}",
        src.display()
    );
    assert!(
        broken.is_empty(),
        "imports pointing up the layers:\n{}",
        broken.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for line in lib.lines().filter_map(|l| l.strip_prefix("pub mod ")) {
        let name = line.trim_end_matches(';');
        assert!(
            rank(name).is_some(),
            "src/lib.rs declares `{name}`, which has no layer here"
        );
    }
}

#[test]
fn an_upward_use_is_found() {
    assert_eq!(
        upward_uses("output", "use crate::analysis::summary;"),
        ["analysis"]
    );
    assert_eq!(
        upward_uses("engine", "x = crate::scenario::suggest(y)"),
        ["scenario"]
    );
    assert!(upward_uses("analysis", "use crate::output::manifest; crate::stats::t").is_empty());
}
