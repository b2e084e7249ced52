//! The `orgsim` binary: parse the command line, call `app`, print errors, return an exit code.

use std::process::ExitCode;

use clap::Parser;
use orgsim::app;
use orgsim::cli::{Cli, Command};
use orgsim::error::InputError;

/// Prints to stdout, ignoring a closed pipe (`orgsim run ... | head` must not panic).
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// [`say_raw`] with a newline.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Models => {
            say_raw!("{}", app::list_models());
            ExitCode::SUCCESS
        }
        Command::Describe { model } => match app::describe(&model) {
            Ok(text) => {
                say_raw!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => report(&anyhow::Error::new(e)),
        },
        Command::Validate { files, allow_large } => {
            let (ok, errors) = app::validate(&files, allow_large);
            say_raw!("{ok}");
            for e in &errors {
                eprintln!("error: {e}");
            }
            if errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
        Command::Status { dir } => match app::status(&dir) {
            Ok(text) => {
                say_raw!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => report(&anyhow::Error::new(e)),
        },
        Command::Merge {
            shards,
            out,
            overwrite,
            no_plots,
        } => match app::merge(&shards, &out, overwrite, no_plots) {
            Ok((runs, table)) => {
                say!(
                    "orgsim: merged {} shards ({runs} runs) into {}",
                    shards.len(),
                    out.display()
                );
                say_raw!("\n{table}");
                ExitCode::SUCCESS
            }
            Err(e) => report(&e),
        },
        Command::Serve(args) => match orgsim::serve::serve(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => report(&e),
        },
        Command::Run(args) if args.dry_run => match app::dry_run(&args) {
            Ok(text) => {
                say_raw!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => report(&e),
        },
        Command::Run(args) => match app::run(&args, std::env::args().collect()) {
            Ok(outcome) => {
                say!(
                    "orgsim: {} runs in {:.2} s; outputs in {}",
                    outcome.runs,
                    outcome.wall_seconds,
                    outcome.dir.display()
                );
                say_raw!("\n{}", outcome.comparison);
                if outcome.failures.is_empty() {
                    return ExitCode::SUCCESS;
                }
                report_failures(&outcome, &args);
                ExitCode::from(1)
            }
            Err(e) => report(&e),
        },
        Command::Compare(args) => match app::compare(&args) {
            Ok(text) => {
                say_raw!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => report(&e),
        },
        Command::Plot(args) => match app::plot(&args) {
            Ok(written) => {
                say!(
                    "orgsim: {} figure files in {}",
                    written.len(),
                    args.dir.join(app::PLOTS).display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => report(&e),
        },
        Command::Sensitivity { dir, no_plots } => match app::sensitivity(&dir, no_plots) {
            Ok(text) => {
                say_raw!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => report(&e),
        },
        Command::Robustness(args) => match app::robustness(&args) {
            Ok(text) => {
                say_raw!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => report(&e),
        },
        Command::Discover(args) => match app::discover(&args) {
            Ok(text) => {
                say_raw!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => report(&e),
        },
        Command::Report(args) => match app::report(&args) {
            Ok(path) => {
                say!("orgsim: report in {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => report(&e),
        },
    }
}

/// Names the runs that panicked (at most ten; all are in failures.csv) and how to reproduce one.
fn report_failures(outcome: &app::RunOutcome, args: &orgsim::cli::RunArgs) {
    let failures = &outcome.failures;
    eprintln!(
        "error: {} of {} runs failed; they are listed in {} and left out of every other file",
        failures.len(),
        outcome.runs,
        outcome.dir.join(orgsim::output::files::FAILURES).display()
    );
    for f in failures.iter().take(10) {
        eprintln!(
            "  run {} (point {}, replicate {}, seed {}): {}",
            f.run_id, f.point_id, f.replicate, f.seed, f.message
        );
    }
    if failures.len() > 10 {
        eprintln!("  ... and {} more", failures.len() - 10);
    }
    // The flags that change a run's values; the rest (threads, output) do not.
    let mut flags = String::new();
    if let Some(r) = args.replications {
        flags += &format!(" --replications {r}");
    }
    if let Some(s) = args.seed {
        flags += &format!(" --seed {s}");
    }
    for set in &args.set {
        flags += &format!(" --set '{set}'");
    }
    if args.per_unit {
        flags += " --per-unit";
    }
    eprintln!(
        "reproduce one alone with: orgsim run {}{flags} --only {}",
        args.file.display(),
        failures[0].run_id
    );
}

/// Prints an error; bad input exits 2, anything else 1.
fn report(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {error:#}");
    if error.downcast_ref::<InputError>().is_some() {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}
