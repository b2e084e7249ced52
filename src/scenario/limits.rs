//! Resource guards: how big a sweep is (points, runs, ticks, output bytes), decided from the
//! scenario's numbers alone, before any point is expanded or any run starts.
//!
//! Every count uses checked arithmetic, so a product that does not fit in 64 bits is refused rather
//! than wrapped. The limits are documented in README.md ("Limits"); all but the number of points
//! and the file size are raised by `--allow-large`.

/// The largest scenario file read, in bytes (16 MiB); a larger file is refused unread.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The most points a sweep may have (options × combinations of the swept values); they are held
/// in memory, so this limit is not raised by a flag.
pub const MAX_POINTS: u64 = 1_000_000;
/// The most runs (points × replicates) without `--allow-large`.
pub const MAX_RUNS: u64 = 10_000_000;
/// The most ticks over the whole sweep (runs × ticks, an upper bound as a stop rule may end runs
/// early) without `--allow-large`.
pub const MAX_TICKS: u64 = 10_000_000_000;
/// The largest estimated output (runs.csv and timeseries.csv) without `--allow-large`: 10 GiB.
pub const MAX_OUTPUT_BYTES: u64 = 10 * 1024 * 1024 * 1024;
/// The flag that raises [`MAX_RUNS`], [`MAX_TICKS`] and [`MAX_OUTPUT_BYTES`].
pub const ALLOW_FLAG: &str = "--allow-large";
/// Bytes assumed per CSV cell in the output estimate (a number such as `0.4187302937,`).
const CELL_BYTES: u64 = 12;

/// Which count broke a limit, so the caller can name the line or flag that sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Points,
    Runs,
    Ticks,
    Output,
}

/// A refused size: which count, and a message saying what is allowed and how to raise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub which: Which,
    pub message: String,
}

/// What a sweep asks for, counted before it is expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demand {
    /// Whether the axes combine as a grid (else as a zip).
    pub grid: bool,
    /// The option count (0 when the scenario has none).
    pub options: usize,
    pub replications: u64,
    pub ticks: u64,
    pub record_every: u64,
    /// Columns of runs.csv and of timeseries.csv (roughly: ids, swept parameters, metrics).
    pub run_columns: u64,
    pub series_columns: u64,
}

/// The counted size of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub points: u64,
    pub runs: u64,
    pub ticks: u64,
    pub output_bytes: u64,
}

/// The number of points of axes with `lens` values (a grid multiplies, a zip pairs), times the
/// options; `None` if it does not fit in 64 bits.
pub fn point_count(grid: bool, lens: &[usize], options: usize) -> Option<u64> {
    let combos = if grid {
        lens.iter()
            .try_fold(1u64, |acc, &n| acc.checked_mul(n as u64))?
    } else {
        lens.first().map_or(1, |&n| n as u64)
    };
    combos.checked_mul(options.max(1) as u64)
}

/// Counts the sweep and refuses it above the limits (`allow_large` lifts all but the points).
pub fn check(demand: &Demand, lens: &[usize], allow_large: bool) -> Result<Size, Refusal> {
    let refuse = |which, message: String| Err(Refusal { which, message });
    let how = |what: &str| {
        format!("{what}; pass {ALLOW_FLAG} to `orgsim run` (or `orgsim validate`) to go beyond it")
    };
    let shape = if demand.options > 0 {
        format!("{} options × the swept values", demand.options)
    } else {
        "the product of the swept values".to_string()
    };
    let Some(points) = point_count(demand.grid, lens, demand.options) else {
        return refuse(
            Which::Points,
            format!(
                "the sweep has more than 2^64 points ({shape}); at most {MAX_POINTS}: sweep fewer values, or split it into several scenarios"
            ),
        );
    };
    if points > MAX_POINTS {
        return refuse(
            Which::Points,
            format!(
                "the sweep has {points} points ({shape}); at most {MAX_POINTS}: sweep fewer values, or split it into several scenarios"
            ),
        );
    }
    let r = demand.replications;
    let Some(runs) = points.checked_mul(r) else {
        return refuse(
            Which::Runs,
            format!(
                "{points} points × {r} replicates is more than 2^64 runs; at most {MAX_RUNS} runs"
            ),
        );
    };
    if runs > MAX_RUNS && !allow_large {
        return refuse(
            Which::Runs,
            how(&format!(
                "{points} points × {r} replicates = {runs} runs; the limit is {MAX_RUNS}"
            )),
        );
    }
    let t = demand.ticks;
    let Some(ticks) = runs.checked_mul(t) else {
        return refuse(
            Which::Ticks,
            format!("{runs} runs × {t} ticks is more than 2^64 ticks; lower `ticks`"),
        );
    };
    if ticks > MAX_TICKS && !allow_large {
        return refuse(
            Which::Ticks,
            how(&format!(
                "{runs} runs × {t} ticks = up to {ticks} ticks in all; the limit is {MAX_TICKS}"
            )),
        );
    }
    let rows_per_run = match demand.record_every {
        0 => 0,
        every => t / every + 1,
    };
    let output = runs
        .checked_mul(demand.run_columns)
        .and_then(|cells| {
            runs.checked_mul(rows_per_run)?
                .checked_mul(demand.series_columns)?
                .checked_add(cells)
        })
        .and_then(|cells| cells.checked_mul(CELL_BYTES));
    let Some(output_bytes) = output else {
        return refuse(
            Which::Output,
            "the outputs would exceed 2^64 bytes; lower `ticks` or raise `record_every`".into(),
        );
    };
    if output_bytes > MAX_OUTPUT_BYTES && !allow_large {
        return refuse(
            Which::Output,
            how(&format!(
                "the outputs would take about {} GiB (runs.csv and timeseries.csv); the limit is {} GiB (raise `record_every`, or set it to 0 for final values only)",
                output_bytes / (1024 * 1024 * 1024),
                MAX_OUTPUT_BYTES / (1024 * 1024 * 1024)
            )),
        );
    }
    Ok(Size {
        points,
        runs,
        ticks,
        output_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demand(replications: u64, ticks: u64) -> Demand {
        Demand {
            grid: true,
            options: 0,
            replications,
            ticks,
            record_every: 0,
            run_columns: 10,
            series_columns: 10,
        }
    }

    #[test]
    fn points_are_the_grid_product_times_options_without_overflow() {
        assert_eq!(point_count(true, &[2, 3], 0), Some(6));
        assert_eq!(point_count(true, &[2, 3], 4), Some(24));
        assert_eq!(point_count(false, &[5, 5], 2), Some(10));
        assert_eq!(point_count(true, &[], 0), Some(1));
        assert_eq!(point_count(true, &[100_000; 4], 0), None);
    }

    #[test]
    fn a_huge_grid_is_refused_without_expanding_it() {
        let e = check(&demand(1, 1), &[100_000, 100_000, 100_000], true).unwrap_err();
        assert_eq!(e.which, Which::Points);
        assert!(
            e.message.contains("1000000000000000 points"),
            "{}",
            e.message
        );
    }

    #[test]
    fn runs_that_overflow_are_refused_even_when_large_is_allowed() {
        let e = check(&demand(1 << 63, 1), &[2], true).unwrap_err();
        assert_eq!(e.which, Which::Runs);
        assert!(e.message.contains("2^64"), "{}", e.message);
    }

    #[test]
    fn soft_limits_name_the_flag_and_yield_to_it() {
        let e = check(&demand(20_000_000, 1), &[], false).unwrap_err();
        assert_eq!(e.which, Which::Runs);
        assert!(e.message.contains(ALLOW_FLAG), "{}", e.message);
        assert!(check(&demand(20_000_000, 1), &[], true).is_ok());
        let e = check(&demand(1, 1 << 40), &[], false).unwrap_err();
        assert_eq!(e.which, Which::Ticks);
        let mut d = demand(1000, 1_000_000);
        d.record_every = 1;
        let e = check(&d, &[], false).unwrap_err();
        assert_eq!(e.which, Which::Output);
        let size = check(&demand(80, 5000), &[7], false).unwrap();
        assert_eq!((size.points, size.runs, size.ticks), (7, 560, 2_800_000));
    }
}
