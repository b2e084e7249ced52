//! The report's "Robust choice" section for a design crossed with options: the verdict in one
//! sentence, the ranked robustness table, where the case of interest concentrates (the PRIM box in
//! words), and the regret and winner-map figures. [`box_sentence`] gives the box in words alone,
//! for the page's opening.

use std::fmt::Write as _;

use anyhow::Result;

use super::escape;
use crate::analysis::format::sig;
use crate::analysis::robustness::{self, Analysis, Stat};
use crate::plot::{self, Figure, Kind};

/// The first case's box in plain words, as a sentence ending in a full stop, e.g. "\"embed
/// everyone\" is not best where turbulence is at least 0.08 and there are at most 4 policy units
/// (coverage 70%, density 85%)."; `None` when there is no case or no limit in its box is significant.
pub fn box_sentence(a: &Analysis) -> Option<String> {
    let d = a.discoveries.first()?;
    let step = d.boxes.first()?.chosen();
    let words = robustness::box_in_words(&a.model, &d.data, step)?;
    Some(format!(
        "{} {words} (coverage {:.0}%, density {:.0}%).",
        case_as_clause(&d.case),
        100.0 * step.coverage,
        100.0 * step.density
    ))
}

/// A case definition as the start of a sentence (its first letter capitalised).
fn case_as_clause(case: &str) -> String {
    let mut chars = case.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

fn interval(s: &Stat) -> String {
    format!(
        "{} <span class=\"ci\">[{}, {}]</span>",
        sig(s.estimate, 3),
        sig(s.lo, 3),
        sig(s.hi, 3)
    )
}

fn percent(s: &Stat) -> String {
    format!(
        "{:.0}% <span class=\"ci\">[{:.0}, {:.0}]</span>",
        100.0 * s.estimate,
        100.0 * s.lo,
        100.0 * s.hi
    )
}

/// The section, with the robustness figures among `figures` inlined.
pub fn section(a: Option<&Analysis>, figures: &[Figure]) -> Result<String> {
    let Some(a) = a else {
        return Ok(String::new());
    };
    let r = &a.robustness;
    let mut body = String::from("<h2 id=\"robust\">Robust choice across the design</h2>\n");
    let _ = writeln!(
        body,
        "<p><strong>{}</strong></p>",
        escape(&robustness::verdict(r))
    );
    let _ = writeln!(
        body,
        "<p class=\"note\">Regret of an option at a design point is the best option's mean {} there minus its own (replicate means, {} replicates on common random numbers, so each difference is paired); over the {} design points. 95% intervals by bootstrap over points and replicates; the maximum has none (a bootstrap cannot exceed the observed maximum). Regret against the best of noisy means is biased upward: about {} here (bootstrap estimate). Full precision in <code>robustness.csv</code> and <code>regret.csv</code>.</p>",
        escape(&r.metric.label().to_lowercase()),
        r.replicates,
        r.points,
        sig(
            r.options.iter().map(|o| o.regret_bias).fold(0.0, f64::max),
            2
        )
    );
    let pct = crate::analysis::saved::show_number(r.config.percentile);
    let _ = writeln!(
        body,
        "<table><thead><tr><th>option</th><th>expected value</th><th>mean regret</th><th>{pct}th percentile of regret</th><th>maximum regret</th><th>best at</th>{}</tr></thead><tbody>",
        if r.config.threshold.is_some() {
            "<th>satisficing</th>"
        } else {
            ""
        }
    );
    for &o in &robustness::ranked(r) {
        let x = &r.options[o];
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}</tr>",
            escape(&x.option),
            interval(&x.expected_value),
            interval(&x.mean_regret),
            interval(&x.percentile_regret),
            sig(x.max_regret, 3),
            percent(&x.share_best),
            x.satisficing
                .as_ref()
                .map(|s| format!("<td>{}</td>", percent(s)))
                .unwrap_or_default()
        );
    }
    body += "</tbody></table>\n";
    for d in &a.discoveries {
        let _ = writeln!(body, "<h3>Where: {}</h3>", escape(&d.case));
        match robustness::discovery_sentence(&a.model, d) {
            Some(s) => {
                let _ = writeln!(
                    body,
                    "<p>Scenario discovery (PRIM, as EMA Workbench runs it) finds this case at {} of {} design points, concentrated {}.</p>",
                    d.cases,
                    d.points,
                    escape(&s)
                );
            }
            None => {
                let _ = writeln!(
                    body,
                    "<p>The case holds at {} of {} design points, with no region of the design where it concentrates (no limit with quasi-p below 0.05).</p>",
                    d.cases, d.points
                );
            }
        }
    }
    for f in figures.iter().filter(|f| f.kind == Kind::Robust) {
        let svg = f.svg(plot::DEFAULT_WIDTH, plot::DEFAULT_HEIGHT)?;
        let _ = writeln!(
            body,
            "<figure id=\"fig-{}\">{}<figcaption>{}</figcaption></figure>",
            escape(&f.name),
            super::inline_svg(&svg, &f.caption),
            escape(&f.caption)
        );
    }
    Ok(body)
}
