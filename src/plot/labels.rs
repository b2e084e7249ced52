//! The words a person reads for a metric, a parameter or a setting, in figures and the report:
//! "Value added (effect SD × weeks)" and "Code learning rate = 0.1", not `value_added` and
//! `code_learning=0.1`. Metric labels and units come from the manifest (as declared when the run
//! was made); parameter labels from the model's declarations. Column names in the CSVs stay the
//! machine names.

use crate::analysis::saved::show_value;
use crate::engine::params::{ParamSpec, label_from_name};
use crate::models;
use crate::output::manifest::{Manifest, MetricInfo};

/// The metric's declaration as saved with the run, when the manifest has it.
pub fn metric_info<'a>(manifest: &'a Manifest, metric: &str) -> Option<&'a MetricInfo> {
    manifest.metric(metric)
}

/// "Value added" (the name when the manifest does not know the metric).
pub fn metric_label(manifest: &Manifest, metric: &str) -> String {
    metric_info(manifest, metric).map_or_else(|| metric.to_string(), MetricInfo::label)
}

/// "Value added (effect SD × weeks)".
pub fn metric_axis(manifest: &Manifest, metric: &str) -> String {
    metric_info(manifest, metric).map_or_else(|| metric.to_string(), MetricInfo::axis_label)
}

/// The model's declaration of a parameter, when the model is known to this build.
pub fn param_spec(manifest: &Manifest, param: &str) -> Option<&'static ParamSpec> {
    models::find(&manifest.model).and_then(|m| m.params().iter().find(|p| p.name == param))
}

/// "Code learning rate" (made from the name when the model does not declare it).
pub fn param_label(manifest: &Manifest, param: &str) -> String {
    param_spec(manifest, param).map_or_else(|| label_from_name(param), ParamSpec::label)
}

/// "Code learning rate (probability)".
pub fn param_axis(manifest: &Manifest, param: &str) -> String {
    param_spec(manifest, param).map_or_else(|| label_from_name(param), ParamSpec::axis_label)
}

/// "Code learning rate = 0.1".
pub fn param_value(manifest: &Manifest, param: &str, value: &str) -> String {
    format!("{} = {value}", param_label(manifest, param))
}

/// A point's values of `params`, in words: "Code learning rate = 0.1, Socialisation rate = 0.5".
pub fn setting(manifest: &Manifest, point_id: usize, params: &[&str]) -> String {
    let point = &manifest.points[point_id];
    params
        .iter()
        .map(|p| {
            let v = point.params.get(*p).map(show_value).unwrap_or_default();
            param_value(manifest, p, &v)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A setting written by the analysis as `name=value, name=value` (its machine form, kept in the
/// CSVs), in words; a part that is not `name=value` of a declared parameter stays as it is.
pub fn humanise_setting(manifest: &Manifest, machine: &str) -> String {
    machine
        .split(", ")
        .map(|part| match part.split_once('=') {
            Some((name, value)) if param_spec(manifest, name).is_some() => {
                param_value(manifest, name, value)
            }
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An alternative's label "option @ name=value" in words: "option @ Turbulence = 0.02".
pub fn humanise_alternative(manifest: &Manifest, label: &str) -> String {
    match label.split_once(" @ ") {
        Some((option, setting)) => format!("{option} @ {}", humanise_setting(manifest, setting)),
        None => humanise_setting(manifest, label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn march() -> Manifest {
        let json = r#"{"orgsim_version": "0", "scenario": {"name": "x"}, "model": "march1991",
            "master_seed": 0, "replications": 1, "ticks": 1,
            "metrics": [{"name": "code_knowledge", "label": "Knowledge of the code", "unit": "score in [-1, 1]"}],
            "points": [{"point_id": 0, "params": {"code_learning": 0.1, "socialisation": 0.5}}]}"#;
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn parameters_and_settings_read_as_words() {
        let m = march();
        assert_eq!(
            setting(&m, 0, &["code_learning", "socialisation"]),
            "Code learning rate = 0.1, Socialisation rate = 0.5"
        );
        assert_eq!(
            humanise_alternative(&m, "slow @ code_learning=0.1, socialisation=0.5"),
            "slow @ Code learning rate = 0.1, Socialisation rate = 0.5"
        );
        assert_eq!(humanise_setting(&m, "point 3"), "point 3");
        assert_eq!(
            metric_axis(&m, "code_knowledge"),
            "Knowledge of the code (score in [-1, 1])"
        );
        assert_eq!(metric_label(&m, "unknown_metric"), "unknown_metric");
    }
}
