//! The models orgsim ships, and the registry that finds them by name.
//!
//! Models are pure: no I/O, no globals, no clocks. Each declares its parameters and metrics once and
//! builds runs through [`crate::engine::Model`]. Adding a model is one file (or folder) beside these
//! and one line in the registry below; see docs/architecture.md.

use crate::engine::Model;

/// Declares each model's module and lists it, in the order `orgsim models` shows them: one line a
/// model, so the module and the list cannot disagree.
macro_rules! registry {
    ($($module:ident::$model:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// Every model, in the order `orgsim models` lists them.
        pub fn all() -> Vec<&'static dyn Model> {
            vec![$(&$module::$model),+]
        }
    };
}

registry! {
    datateam::DataTeam,
    march1991::March1991,
    ishigami::Ishigami,
    sobol_g::SobolG,
}

/// The model called `name`.
pub fn find(name: &str) -> Option<&'static dyn Model> {
    all().into_iter().find(|m| m.name() == name)
}

/// The names of every model, for errors and suggestions.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|m| m.name()).collect()
}

#[cfg(test)]
mod tests {
    /// Figures, the report and `describe` show these to people: every metric of every model
    /// declares a human label, its unit in words and a one-line meaning, and every parameter —
    /// lever, context, internal constant or price — a human label (tests/labels.rs also checks
    /// that a constant's label is more than its name title-cased).
    #[test]
    fn every_metric_and_every_parameter_is_declared_for_people() {
        for model in super::all() {
            for m in model.metrics().iter().chain(model.unit_metrics()) {
                let who = format!("{}: metric `{}`", model.name(), m.name);
                assert!(!m.label.is_empty(), "{who} has no label");
                assert!(!m.unit_meaning.is_empty(), "{who} has no unit in words");
                assert!(!m.meaning.is_empty(), "{who} has no meaning");
                assert!(!m.meaning.contains('\n'), "{who}: the meaning is one line");
            }
            for p in model.params() {
                assert!(
                    !p.label.is_empty(),
                    "{}: parameter `{}` has no label",
                    model.name(),
                    p.name
                );
            }
        }
    }
}
