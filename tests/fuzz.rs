//! The scenario parser under hostile input (issue 12): arbitrary text and the shipped scenarios with
//! bytes and lines deleted, duplicated, swapped and flipped. In process, through the library's
//! parse-and-validate entry (`orgsim::scenario::parse`), every input must give a scenario or a clean
//! [`InputError`] (a place and a message, no raw control character echoed), never a panic; a
//! smaller number of cases go through `orgsim validate`, which must exit 0 or 2 and nothing else.
//! Bounded: 12 000 in-process cases and 40 CLI cases, a few seconds in release (asserted under a minute).

use std::fs;
use std::path::{Path, PathBuf};

use orgsim::scenario::{self, Overrides};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::cli::{orgsim, repo_file};

/// Every shipped scenario, as (path, text).
fn shipped() -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![repo_file("scenarios")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                let bytes = fs::read(&path).unwrap();
                found.push((path, bytes));
            }
        }
    }
    found.sort();
    assert!(found.len() >= 10, "the shipped scenarios are found");
    found
}

/// One edit of a file's bytes or lines.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteBytes { at: usize, len: usize },
    FlipByte { at: usize, to: u8 },
    InsertText { at: usize, text: String },
    DeleteLine { line: usize },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Text that TOML and the scenario format find interesting.
    let token = prop_oneof![
        Just("=".to_string()),
        Just("[".to_string()),
        Just("]]".to_string()),
        Just("\"".to_string()),
        Just("#".to_string()),
        Just("\n".to_string()),
        Just("\u{1b}".to_string()),
        Just("\u{0}".to_string()),
        Just("-".to_string()),
        Just("1e308".to_string()),
        Just("9223372036854775808".to_string()),
        Just("-1".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("[[option]]\nname = \"x\"\n".to_string()),
        Just("[sweep]\n".to_string()),
        Just("{ from = 0, to = 1, step = 1e-300 }".to_string()),
        Just("\"\u{e9}\u{202e}\"".to_string()),
        "[ -~]{0,12}",
    ];
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::DeleteBytes { at, len }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, to)| Mutation::FlipByte { at, to }),
        (any::<usize>(), token).prop_map(|(at, text)| Mutation::InsertText { at, text }),
        any::<usize>().prop_map(|line| Mutation::DeleteLine { line }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len().max(1);
    match m {
        Mutation::DeleteBytes { at, len } => {
            let at = at % n;
            let end = (at + len).min(bytes.len());
            if at < end {
                bytes.drain(at..end);
            }
        }
        Mutation::FlipByte { at, to } => {
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = *to;
            }
        }
        Mutation::InsertText { at, text } => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, text.bytes());
        }
        Mutation::DeleteLine { .. }
        | Mutation::DuplicateLine { .. }
        | Mutation::SwapLines { .. } => {
            let mut lines: Vec<Vec<u8>> =
                bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            let k = lines.len();
            match m {
                Mutation::DeleteLine { line } => {
                    lines.remove(line % k);
                }
                Mutation::DuplicateLine { line } => {
                    let copy = lines[line % k].clone();
                    lines.insert(line % k, copy);
                }
                Mutation::SwapLines { a, b } => lines.swap(a % k, b % k),
                _ => unreachable!(),
            }
            *bytes = lines.join(&b'\n');
        }
    }
}

/// The property: a scenario, or an error that names a place and says something, without echoing a
/// raw control character to the terminal.
fn parses_cleanly(path: &Path, text: &str) -> Result<(), TestCaseError> {
    match scenario::parse(path, text, &Overrides::default()) {
        Ok(_) => Ok(()),
        Err(e) => {
            prop_assert!(!e.place.is_empty(), "no place in: {}", e.message);
            prop_assert!(!e.message.trim().is_empty(), "empty message at {}", e.place);
            let shown = e.to_string();
            prop_assert!(
                !shown
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t'),
                "a raw control character is echoed: {shown:?}"
            );
            Ok(())
        }
    }
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn mutated_shipped_scenarios_parse_or_fail_cleanly() {
    let files = shipped();
    let started = std::time::Instant::now();
    runner(8000)
        .run(
            &(0..files.len(), proptest::collection::vec(mutation(), 1..6)),
            |(which, mutations)| {
                let (path, original) = &files[which];
                let mut bytes = original.clone();
                for m in &mutations {
                    apply(&mut bytes, m);
                }
                // Bytes that are not UTF-8 are the file reader's business (tested through the CLI);
                // the parser gets the text a person would see.
                parses_cleanly(path, &String::from_utf8_lossy(&bytes))
            },
        )
        .unwrap();
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn arbitrary_text_parses_or_fails_cleanly() {
    let header = "[scenario]\nname = \"f\"\nmodel = \"march1991\"\nticks = 5\n";
    runner(4000)
        .run(&("\\PC{0,300}", any::<bool>()), |(text, with_header)| {
            let text = if with_header {
                format!("{header}{text}")
            } else {
                text
            };
            parses_cleanly(Path::new("fuzz.toml"), &text)
        })
        .unwrap();
}

#[test]
fn the_cli_exits_0_or_2_on_mutated_scenarios() {
    let files = shipped();
    let dir = tempfile::TempDir::new().unwrap();
    let case = std::cell::Cell::new(0u32);
    runner(40)
        .run(
            &(0..files.len(), proptest::collection::vec(mutation(), 1..4)),
            |(which, mutations)| {
                let mut bytes = files[which].1.clone();
                for m in &mutations {
                    apply(&mut bytes, m);
                }
                case.set(case.get() + 1);
                let path = dir.path().join(format!("case{}.toml", case.get()));
                fs::write(&path, &bytes).unwrap();
                let out = orgsim().arg("validate").arg(&path).output().unwrap();
                let err = String::from_utf8_lossy(&out.stderr);
                prop_assert!(
                    matches!(out.status.code(), Some(0 | 2)),
                    "exit {:?}: {err}",
                    out.status.code()
                );
                prop_assert!(!err.contains("panicked"), "{err}");
                Ok(())
            },
        )
        .unwrap();
}
