//! The command line as a new user meets it: every subcommand, and every kind of bad input.

use assert_cmd::Command;

pub fn orgsim() -> Command {
    Command::cargo_bin("orgsim").expect("the orgsim binary is built")
}

#[test]
fn models_lists_march1991() {
    let out = orgsim().arg("models").assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&out).contains("march1991"));
}
