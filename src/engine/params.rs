//! Parameter declarations and values: the one source of truth for what a model accepts.
//!
//! Each model declares its parameters once as a static table of [`ParamSpec`]. Scenario parsing,
//! validation, `orgsim describe`, CSV columns and the documentation all read that table, so a parameter
//! cannot be accepted in one place and unknown in another.

use std::fmt;

/// What values a parameter may take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Domain {
    /// A real number in `[min, max]`.
    Real { min: f64, max: f64 },
    /// A whole number in `[min, max]`.
    Int { min: i64, max: i64 },
    /// One of a fixed set of names.
    Choice(&'static [&'static str]),
    /// Any subset of a fixed set of names, written comma-separated (`"a,b"`; `""` for none).
    Set(&'static [&'static str]),
}

impl Domain {
    /// A short human description of the allowed values, used in errors and `describe`.
    pub fn allowed(&self) -> String {
        match self {
            Domain::Real { min, max } if max.is_infinite() => format!("a number of at least {min}"),
            Domain::Real { min, max } => format!("a number from {min} to {max}"),
            Domain::Int { min, max } => format!("a whole number from {min} to {max}"),
            Domain::Choice(names) => format!("one of {}", quoted_list(names)),
            Domain::Set(names) => format!(
                "any of {}, comma-separated (\"\" for none)",
                quoted_list(names)
            ),
        }
    }
}

/// Formats `["a", "b"]` as `"a", "b"` for messages.
pub fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A parameter's default: a value, or unset (an optional parameter that switches a mode on).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    Num(f64),
    Text(&'static str),
    Unset,
}

/// What kind of input a parameter is: what a leader chooses, what describes the organisation and its
/// world, or an internal constant or price of the model's rules. `describe` lists each group under
/// its own heading; constants get a column in the tables only where a scenario sets or varies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Lever,
    Context,
    Constant,
}

impl Group {
    /// The heading `describe` and the docs use.
    pub fn heading(self) -> &'static str {
        match self {
            Group::Lever => "levers",
            Group::Context => "context",
            Group::Constant => "internal constants and prices",
        }
    }
}

/// One declared parameter of a model.
///
/// A model declares its parameters once, with [`crate::declare_params!`]: each entry pairs a typed
/// field of the struct the model reads with the spec built here, and the field's name is the
/// parameter's name. The builders are `const` so a declaration is a static table.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    /// A human label ("Hub share"), for the what-if page and figures; `""` means the name with
    /// spaces for underscores and a capital first letter ([`ParamSpec::label`]).
    pub label: &'static str,
    pub default: Default,
    pub domain: Domain,
    /// The range a slider or an experimental design explores, where narrower than the domain.
    pub explore: Option<(f64, f64)>,
    pub group: Group,
    pub unit: &'static str,
    pub meaning: &'static str,
    pub source: &'static str,
    /// Whether a `[[schedule]]` entry may change it mid-run: only where the model's
    /// [`crate::engine::Simulation::reconfigure`] uses it.
    pub schedulable: bool,
}

impl ParamSpec {
    const fn base(
        default: Default,
        domain: Domain,
        unit: &'static str,
        meaning: &'static str,
    ) -> Self {
        ParamSpec {
            name: "",
            label: "",
            default,
            domain,
            explore: None,
            group: Group::Context,
            unit,
            meaning,
            source: "",
            schedulable: false,
        }
    }

    /// A real number in `[min, max]` (`max` may be infinite).
    pub const fn real(
        default: f64,
        min: f64,
        max: f64,
        unit: &'static str,
        meaning: &'static str,
    ) -> Self {
        Self::base(
            Default::Num(default),
            Domain::Real { min, max },
            unit,
            meaning,
        )
    }

    /// A share or probability in `[0, 1]`.
    pub const fn share(default: f64, meaning: &'static str) -> Self {
        Self::real(default, 0.0, 1.0, "share", meaning)
    }

    /// A whole number in `[min, max]`.
    pub const fn int(
        default: i64,
        min: i64,
        max: i64,
        unit: &'static str,
        meaning: &'static str,
    ) -> Self {
        Self::base(
            Default::Num(default as f64),
            Domain::Int { min, max },
            unit,
            meaning,
        )
    }

    /// One of `names`, `default` among them.
    pub const fn choice(
        names: &'static [&'static str],
        default: &'static str,
        meaning: &'static str,
    ) -> Self {
        Self::base(Default::Text(default), Domain::Choice(names), "", meaning)
    }

    /// A subset of `names`, empty by default.
    pub const fn set(names: &'static [&'static str], meaning: &'static str) -> Self {
        Self::base(Default::Text(""), Domain::Set(names), "", meaning)
    }

    /// Unset by default: an optional parameter whose presence switches a mode on.
    pub const fn unset(self) -> Self {
        ParamSpec {
            default: Default::Unset,
            ..self
        }
    }

    /// Sets the name: [`crate::declare_params!`] passes the field's name, so the two cannot differ.
    pub const fn named(self, name: &'static str) -> Self {
        ParamSpec { name, ..self }
    }

    pub const fn labelled(self, label: &'static str) -> Self {
        ParamSpec { label, ..self }
    }

    pub const fn source(self, source: &'static str) -> Self {
        ParamSpec { source, ..self }
    }

    pub const fn schedulable(self) -> Self {
        ParamSpec {
            schedulable: true,
            ..self
        }
    }

    pub const fn lever(self) -> Self {
        ParamSpec {
            group: Group::Lever,
            ..self
        }
    }

    pub const fn constant(self) -> Self {
        ParamSpec {
            group: Group::Constant,
            ..self
        }
    }

    /// The range a slider or design explores, where narrower than the domain.
    pub const fn explore(self, low: f64, high: f64) -> Self {
        ParamSpec {
            explore: Some((low, high)),
            ..self
        }
    }

    /// The human label: declared, or made from the name ("hub_share" → "Hub share").
    pub fn label(&self) -> String {
        if !self.label.is_empty() {
            return self.label.to_string();
        }
        label_from_name(self.name)
    }

    /// The label a figure's axis shows: "Hub share (share)".
    pub fn axis_label(&self) -> String {
        with_unit(&self.label(), self.unit)
    }

    /// The numeric range a slider or design explores: the declared one; for an internal constant,
    /// ±50% of its default within the domain (the robustness tests' hypercube); else the domain's
    /// bounds where finite; `None` for choices and unbounded domains.
    pub fn explore_range(&self) -> Option<(f64, f64)> {
        if self.explore.is_some() {
            return self.explore;
        }
        if let (Group::Constant, Default::Num(d), Domain::Real { min, max }) =
            (self.group, self.default, self.domain)
        {
            return Some(((0.5 * d).max(min), (1.5 * d).min(max)));
        }
        match self.domain {
            Domain::Real { min, max } if max.is_finite() => Some((min, max)),
            Domain::Int { min, max } => Some((min as f64, max as f64)),
            _ => None,
        }
    }
}

/// "hub_share" → "Hub share".
pub fn label_from_name(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A parameter value after validation.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Num(f64),
    Text(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Num(x) => write!(f, "{x}"),
            Value::Text(s) => f.write_str(s),
        }
    }
}

impl Value {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Num(x) => serde_json::json!(x),
            Value::Text(s) => serde_json::json!(s),
        }
    }
}

/// Why a value does not fit a parameter's domain.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainError(pub String);

impl ParamSpec {
    /// Checks a candidate value against the domain, returning the validated value.
    pub fn check(&self, value: &Value) -> Result<Value, DomainError> {
        let allowed = self.domain.allowed();
        match (&self.domain, value) {
            (Domain::Real { min, max }, Value::Num(x)) => {
                if !x.is_finite() || *x < *min || *x > *max {
                    return Err(DomainError(format!(
                        "{x} is out of range: `{}` takes {allowed}",
                        self.name
                    )));
                }
                Ok(Value::Num(*x))
            }
            (Domain::Int { min, max }, Value::Num(x)) => {
                if x.fract() != 0.0 || !x.is_finite() {
                    return Err(DomainError(format!(
                        "{x} is not a whole number: `{}` takes {allowed}",
                        self.name
                    )));
                }
                if *x < *min as f64 || *x > *max as f64 {
                    return Err(DomainError(format!(
                        "{x} is out of range: `{}` takes {allowed}",
                        self.name
                    )));
                }
                Ok(Value::Num(*x))
            }
            (Domain::Choice(names), Value::Text(s)) => {
                if names.contains(&s.as_str()) {
                    Ok(Value::Text(s.clone()))
                } else {
                    let hint = crate::suggest::did_you_mean(s, names.iter().copied());
                    Err(DomainError(format!(
                        "\"{s}\" is not allowed: `{}` takes {allowed}{hint}",
                        self.name
                    )))
                }
            }
            (Domain::Set(names), Value::Text(s)) => {
                let mut chosen = vec![false; names.len()];
                for item in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    let Some(i) = names.iter().position(|n| *n == item) else {
                        let hint = crate::suggest::did_you_mean(item, names.iter().copied());
                        return Err(DomainError(format!(
                            "\"{item}\" is not allowed: `{}` takes {allowed}{hint}",
                            self.name
                        )));
                    };
                    if chosen[i] {
                        return Err(DomainError(format!(
                            "`{}` lists \"{item}\" twice; each name once",
                            self.name
                        )));
                    }
                    chosen[i] = true;
                }
                // One spelling per set (declaration order), so equal sets are equal values.
                let canonical: Vec<&str> = names
                    .iter()
                    .zip(&chosen)
                    .filter(|(_, c)| **c)
                    .map(|(n, _)| *n)
                    .collect();
                Ok(Value::Text(canonical.join(",")))
            }
            (Domain::Choice(_) | Domain::Set(_), Value::Num(x)) => Err(DomainError(format!(
                "expected a name, found the number {x}: `{}` takes {allowed}",
                self.name
            ))),
            (_, Value::Text(s)) => Err(DomainError(format!(
                "expected a number, found the text \"{s}\": `{}` takes {allowed}",
                self.name
            ))),
        }
    }

    pub fn default_value(&self) -> Option<Value> {
        match self.default {
            Default::Num(x) => Some(Value::Num(x)),
            Default::Text(s) => Some(Value::Text(s.to_string())),
            Default::Unset => None,
        }
    }

    pub fn default_display(&self) -> String {
        match self.default {
            Default::Num(x) => x.to_string(),
            Default::Text("") => "none".to_string(),
            Default::Text(s) => s.to_string(),
            Default::Unset => "unset".to_string(),
        }
    }
}

/// A full set of parameter values for one model, in declaration order.
#[derive(Debug, Clone)]
pub struct Params {
    specs: &'static [ParamSpec],
    values: Vec<Option<Value>>,
    /// Which parameters were set explicitly (by a scenario, an option, a flag), whatever the value:
    /// decides which internal constants get a column. Not part of equality.
    explicit: Vec<bool>,
}

impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.specs, other.specs) && self.values == other.values
    }
}

impl Params {
    /// Every parameter at its default.
    pub fn defaults(specs: &'static [ParamSpec]) -> Self {
        Params {
            specs,
            values: specs.iter().map(ParamSpec::default_value).collect(),
            explicit: vec![false; specs.len()],
        }
    }

    pub fn specs(&self) -> &'static [ParamSpec] {
        self.specs
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.specs.iter().position(|s| s.name == name)
    }

    /// Sets an already-validated value. Panics on an undeclared name: callers validate names first.
    pub fn set(&mut self, name: &str, value: Value) {
        let i = self
            .index_of(name)
            .unwrap_or_else(|| panic!("undeclared parameter `{name}`"));
        self.values[i] = Some(value);
        self.explicit[i] = true;
    }

    /// Whether parameter `index` was set explicitly rather than left at its default.
    pub fn is_explicit(&self, index: usize) -> bool {
        self.explicit[index]
    }

    /// The values from declaration index `first` on, for a declared struct's generated `read`.
    pub fn values_from(&self, first: usize) -> impl Iterator<Item = Option<&Value>> {
        self.values[first..].iter().map(Option::as_ref)
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.index_of(name).and_then(|i| self.values[i].as_ref())
    }

    /// The numeric value of a declared, set numeric parameter.
    pub fn num(&self, name: &str) -> f64 {
        self.opt_num(name)
            .unwrap_or_else(|| panic!("parameter `{name}` is not a set number"))
    }

    /// The numeric value, or `None` when the parameter is unset.
    pub fn opt_num(&self, name: &str) -> Option<f64> {
        match self.get(name) {
            Some(Value::Num(x)) => Some(*x),
            _ => None,
        }
    }

    /// The name held by a declared choice parameter.
    pub fn text(&self, name: &str) -> &str {
        match self.get(name) {
            Some(Value::Text(s)) => s,
            _ => panic!("parameter `{name}` is not a set name"),
        }
    }

    /// `(spec, value)` pairs in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static ParamSpec, Option<&Value>)> {
        self.specs
            .iter()
            .zip(self.values.iter().map(Option::as_ref))
    }

    /// The value rendered for a CSV cell: empty when unset.
    pub fn cell(&self, index: usize) -> String {
        self.values[index]
            .as_ref()
            .map(Value::to_string)
            .unwrap_or_default()
    }
}

/// One declared output metric of a model.
///
/// A model declares its metrics once, with [`crate::declare_metrics!`]: each entry pairs a field of
/// the typed record its `observe` fills with the spec built here; the field's name is the metric's.
#[derive(Debug, Clone, Copy)]
pub struct MetricSpec {
    pub name: &'static str,
    /// A human label ("Value added"); `""` means one made from the name ([`MetricSpec::label`]).
    pub label: &'static str,
    /// For axis labels and `describe`, e.g. "share" or "effect SD × weeks".
    pub unit: &'static str,
    /// The unit explained in words for a reader who does not know the model ("the true effect of
    /// the policies in force, in standard deviations of the possible effects, summed over weeks");
    /// the report's glossary and `describe` show it beside the unit.
    pub unit_meaning: &'static str,
    /// One line saying what the metric measures.
    pub meaning: &'static str,
    /// Headline metrics lead comparisons, plots and reports.
    pub headline: bool,
    /// Which direction is better, for rankings and "probability best".
    pub higher_is_better: bool,
}

impl MetricSpec {
    /// A metric where more is better, not a headline; named by [`crate::declare_metrics!`].
    pub const fn new(unit: &'static str, meaning: &'static str) -> Self {
        MetricSpec {
            name: "",
            label: "",
            unit,
            unit_meaning: "",
            meaning,
            headline: false,
            higher_is_better: true,
        }
    }

    pub const fn named(self, name: &'static str) -> Self {
        MetricSpec { name, ..self }
    }

    pub const fn labelled(self, label: &'static str) -> Self {
        MetricSpec { label, ..self }
    }

    /// The unit in words (see [`MetricSpec::unit_meaning`]).
    pub const fn unit_meaning(self, unit_meaning: &'static str) -> Self {
        MetricSpec {
            unit_meaning,
            ..self
        }
    }

    pub const fn headline(self) -> Self {
        MetricSpec {
            headline: true,
            ..self
        }
    }

    pub const fn lower_is_better(self) -> Self {
        MetricSpec {
            higher_is_better: false,
            ..self
        }
    }

    /// The human label: declared, or made from the name ("value_added" → "Value added").
    pub fn label(&self) -> String {
        if !self.label.is_empty() {
            return self.label.to_string();
        }
        label_from_name(self.name)
    }

    /// The label a figure's axis shows: "Value added (effect SD × weeks)".
    pub fn axis_label(&self) -> String {
        with_unit(&self.label(), self.unit)
    }
}

/// "Value added" and "effect SD × weeks" → "Value added (effect SD × weeks)"; the label alone
/// when there is no unit (or only a placeholder "-").
pub fn with_unit(label: &str, unit: &str) -> String {
    if unit.is_empty() || unit == "-" {
        label.to_string()
    } else {
        format!("{label} ({unit})")
    }
}

/// A model's named stopping rule (for `stop = "..."` in a scenario). A scenario's choice is
/// resolved once, at validation, to the model's declared rule; models compare rules as values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopRule {
    pub name: &'static str,
    pub meaning: &'static str,
}

/// How a declared struct's field is read from a validated value. Values were checked against the
/// declaration when the scenario was validated, so a mismatch here is a bug in a declaration.
pub trait FromValue: Sized {
    fn from_value(value: Option<&Value>) -> Self;
}

impl FromValue for f64 {
    fn from_value(value: Option<&Value>) -> Self {
        match value {
            Some(Value::Num(x)) => *x,
            other => panic!("declared a number, found {other:?}"),
        }
    }
}

impl FromValue for Option<f64> {
    fn from_value(value: Option<&Value>) -> Self {
        value.map(|v| f64::from_value(Some(v)))
    }
}

macro_rules! whole_number_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: Option<&Value>) -> Self {
                f64::from_value(value) as $t
            }
        }
    )*};
}
whole_number_from_value!(u32, u64, usize);

/// A choice parameter's enum: its variants' names, in declaration order.
pub trait Choice: Sized + Copy + 'static {
    const NAMES: &'static [&'static str];
    const ALL: &'static [Self];
    /// The variant's position in `NAMES` and `ALL`.
    fn index(self) -> usize;
}

/// A set of a choice enum's variants: the value of a [`Domain::Set`] parameter declared with
/// `T::NAMES`, read once per run into bits so a membership test in a weekly loop is one `and`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChoiceSet<T: Choice> {
    bits: u64,
    kind: std::marker::PhantomData<T>,
}

impl<T: Choice> ChoiceSet<T> {
    pub const fn empty() -> Self {
        ChoiceSet {
            bits: 0,
            kind: std::marker::PhantomData,
        }
    }

    pub fn of(items: &[T]) -> Self {
        let mut set = Self::empty();
        for &item in items {
            set.bits |= 1 << item.index();
        }
        set
    }

    #[inline]
    pub fn contains(&self, item: T) -> bool {
        self.bits & (1 << item.index()) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// The members' names, in declaration order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        T::NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.bits & (1 << i) != 0)
            .map(|(_, n)| *n)
    }
}

impl<T: Choice> FromValue for ChoiceSet<T> {
    fn from_value(value: Option<&Value>) -> Self {
        assert!(T::NAMES.len() <= 64, "a set holds at most 64 names");
        let mut set = Self::empty();
        if let Some(Value::Text(s)) = value {
            for item in s.split(',').filter(|t| !t.is_empty()) {
                let i = T::NAMES
                    .iter()
                    .position(|n| *n == item)
                    .unwrap_or_else(|| panic!("declared a set of {:?}, found {item}", T::NAMES));
                set.bits |= 1 << i;
            }
        }
        set
    }
}

/// Declares a choice parameter's enum: each variant paired with the name scenarios use.
///
/// ```ignore
/// declare_choice! {
///     /// Where analysts sit.
///     pub enum Structure { Centralised = "centralised", Embedded = "embedded" }
/// }
/// ```
/// gives the enum, [`Choice`] (`Structure::NAMES` for the declaration's domain), `name()` (a
/// `const fn`, for the declaration's default) and the reading of a validated value (and of an
/// optional one, as `Option<Structure>`).
#[macro_export]
macro_rules! declare_choice {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name { $($variant),+ }

        impl $crate::engine::params::Choice for $name {
            const NAMES: &'static [&'static str] = &[$($text),+];
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn index(self) -> usize {
                self as usize
            }
        }

        impl $name {
            /// The name scenarios use for this choice.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl $crate::engine::params::FromValue for $name {
            fn from_value(value: Option<&$crate::engine::params::Value>) -> Self {
                match value {
                    $(Some($crate::engine::params::Value::Text(s)) if s == $text => $name::$variant,)+
                    other => panic!("declared one of {:?}, found {other:?}",
                        <$name as $crate::engine::params::Choice>::NAMES),
                }
            }
        }

        impl $crate::engine::params::FromValue for Option<$name> {
            fn from_value(value: Option<&$crate::engine::params::Value>) -> Self {
                value.map(|v| <$name as $crate::engine::params::FromValue>::from_value(Some(v)))
            }
        }
    };
}

/// Declares a model's parameters once: the static table of [`ParamSpec`]s (parsing, validation,
/// `describe`, columns, docs) and the typed structs the model reads, from one list.
///
/// ```ignore
/// declare_params! {
///     pub static PARAMS;
///     /// What a run reads.
///     pub struct Inputs {
///         /// The share of the week in the hub.
///         hub_share: f64 = ParamSpec::share(0.2, "meaning").lever().schedulable(),
///     }
///     pub struct Constants { q_rate: f64 = ParamSpec::share(0.1, "meaning").constant() }
/// }
/// ```
/// The table holds every struct's parameters in order, each named after its field, so a misspelt
/// name is a compile error. Each struct gets `read(&Params)` (no look-up by string: it reads its
/// slice of the table in order), `FIRST` (its first parameter's index) and `NAMES`.
#[macro_export]
macro_rules! declare_params {
    (
        $(#[$table_meta:meta])*
        $table_vis:vis static $table:ident;
        $(
            $(#[$struct_meta:meta])*
            $vis:vis struct $name:ident {
                $( $(#[$field_meta:meta])* $field:ident : $ty:ty = $spec:expr ),* $(,)?
            }
        )+
    ) => {
        $(#[$table_meta])*
        $table_vis static $table: &[$crate::engine::params::ParamSpec] = &[
            $( $( $spec.named(stringify!($field)), )* )+
        ];
        $crate::declare_params!(@structs $table, 0usize;
            $( $(#[$struct_meta])* $vis struct $name { $( $(#[$field_meta])* $field : $ty ),* } )+
        );
    };
    (@structs $table:ident, $offset:expr; ) => {};
    (@structs $table:ident, $offset:expr;
        $(#[$struct_meta:meta])* $vis:vis struct $name:ident {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty ),*
        }
        $($rest:tt)*
    ) => {
        $(#[$struct_meta])*
        #[derive(Debug, Clone, PartialEq)]
        $vis struct $name { $( $(#[$field_meta])* pub $field: $ty, )* }

        #[allow(dead_code)] // not every model reads every generated item
        impl $name {
            /// The index of this struct's first parameter in the model's table.
            pub const FIRST: usize = $offset;
            /// Its parameters' names, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($field)),*];

            /// Reads the validated values, in declaration order.
            pub fn read(params: &$crate::engine::params::Params) -> Self {
                debug_assert!(std::ptr::eq(params.specs(), $table), "parameters of another model");
                let mut values = params.values_from(Self::FIRST);
                $name {
                    $( $field: $crate::engine::params::FromValue::from_value(
                        values.next().expect("the table holds every declared field")), )*
                }
            }

            /// Every parameter at its declared default.
            pub fn defaults() -> Self {
                Self::read(&$crate::engine::params::Params::defaults($table))
            }
        }

        /// Each parameter's name, as a constant named after its field (`Inputs::hub_share` is
        /// `"hub_share"`): code that names a parameter (a schedule check) cannot misspell it.
        #[allow(non_upper_case_globals, dead_code)]
        impl $name {
            $( pub const $field: &'static str = stringify!($field); )*
        }

        $crate::declare_params!(@structs $table, $offset + $name::NAMES.len(); $($rest)*);
    };
}

/// Declares a model's metrics once: the static table of [`MetricSpec`]s and the typed record
/// `observe` fills, from one list. The record gets `write(&self, out)` (values in declaration
/// order, the layout [`crate::engine::Simulation::observe`] writes) and `COUNT`.
///
/// ```ignore
/// declare_metrics! {
///     pub static METRICS;
///     pub struct Metrics {
///         value_added = MetricSpec::new("effect SD x weeks", "meaning").headline(),
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_metrics {
    (
        $(#[$table_meta:meta])*
        $table_vis:vis static $table:ident;
        $(#[$struct_meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$field_meta:meta])* $field:ident = $spec:expr ),* $(,)?
        }
    ) => {
        $(#[$table_meta])*
        $table_vis static $table: &[$crate::engine::params::MetricSpec] = &[
            $( $spec.named(stringify!($field)), )*
        ];

        $(#[$struct_meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Default)]
        $vis struct $name { $( $(#[$field_meta])* pub $field: f64, )* }

        #[allow(dead_code)] // not every model reads its records back
        impl $name {
            /// How many metrics the record holds.
            pub const COUNT: usize = [$(stringify!($field)),*].len();

            /// Writes every value in declaration order.
            pub fn write(&self, out: &mut [f64]) {
                let values = [$(self.$field),*];
                out[..Self::COUNT].copy_from_slice(&values);
            }

            /// Reads a row written by [`Self::write`].
            pub fn from_row(row: &[f64]) -> Self {
                let mut values = row.iter().copied();
                $name { $( $field: values.next().expect("a full row"), )* }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ParamSpec] = &[
        ParamSpec::real(0.5, 0.0, 1.0, "probability", "").named("rate"),
        ParamSpec::int(3, 1, 10, "people", "").named("count"),
        ParamSpec::choice(&["fast", "slow"], "fast", "").named("mode"),
    ];

    crate::declare_choice! {
        enum Mode { Fast = "fast", Slow = "slow" }
    }

    crate::declare_params! {
        static TOY;
        struct Levers {
            rate: f64 = ParamSpec::share(0.5, "a rate").lever().schedulable(),
            mode: Mode = ParamSpec::choice(Mode::NAMES, Mode::Slow.name(), "a mode").lever(),
        }
        struct Knobs {
            count: usize = ParamSpec::int(3, 1, 10, "people", "a count").labelled("Head count"),
            cap: Option<f64> = ParamSpec::real(1.0, 0.0, f64::INFINITY, "", "a cap").unset().constant(),
        }
    }

    crate::declare_metrics! {
        static TOY_METRICS;
        struct Toy {
            first = MetricSpec::new("", "").headline(),
            second = MetricSpec::new("", "").lower_is_better(),
        }
    }

    /// One declaration gives the table (named after the fields, in order, across structs) and the
    /// typed structs, each reading its own slice.
    #[test]
    fn a_constant_explores_half_to_one_and_a_half_times_its_default_within_its_domain() {
        let gain = ParamSpec::real(3.0, 0.0, f64::INFINITY, "", "").constant();
        assert_eq!(gain.explore_range(), Some((1.5, 4.5)));
        let level = ParamSpec::share(0.8, "").constant();
        assert_eq!(level.explore_range(), Some((0.4, 1.0)));
        let lever = ParamSpec::real(3.0, 0.0, f64::INFINITY, "", "");
        assert_eq!(lever.explore_range(), None);
        assert_eq!(level.explore(0.6, 0.9).explore_range(), Some((0.6, 0.9)));
    }

    #[test]
    fn a_declaration_gives_the_table_and_the_typed_structs() {
        let names: Vec<&str> = TOY.iter().map(|s| s.name).collect();
        assert_eq!(names, ["rate", "mode", "count", "cap"]);
        assert_eq!((Levers::FIRST, Knobs::FIRST), (0, 2));
        assert_eq!(Knobs::count, "count");
        assert_eq!(TOY[1].domain, Domain::Choice(&["fast", "slow"]));
        assert_eq!(TOY[1].group, Group::Lever);
        assert_eq!(TOY[3].group, Group::Constant);
        assert!(TOY[0].schedulable && !TOY[1].schedulable);
        assert_eq!(TOY[2].label(), "Head count");
        assert_eq!(TOY[0].label(), "Rate");
        assert_eq!(TOY[3].domain.allowed(), "a number of at least 0");
        let mut p = Params::defaults(TOY);
        assert_eq!(
            Levers::read(&p),
            Levers {
                rate: 0.5,
                mode: Mode::Slow
            }
        );
        assert_eq!(
            Knobs::read(&p),
            Knobs {
                count: 3,
                cap: None
            }
        );
        assert!(!p.is_explicit(3));
        p.set("cap", Value::Num(2.5));
        p.set("mode", Value::Text("fast".into()));
        assert!(p.is_explicit(3));
        assert_eq!(Knobs::read(&p).cap, Some(2.5));
        assert_eq!(Levers::read(&p).mode, Mode::Fast);
        assert_eq!(Knobs::defaults().count, 3);
    }

    #[test]
    fn a_metric_record_writes_and_reads_its_row_in_declaration_order() {
        assert_eq!(Toy::COUNT, 2);
        assert_eq!(TOY_METRICS[1].name, "second");
        assert!(TOY_METRICS[0].headline && !TOY_METRICS[1].higher_is_better);
        let mut row = [0.0; 2];
        Toy {
            first: 1.0,
            second: 2.0,
        }
        .write(&mut row);
        assert_eq!(row, [1.0, 2.0]);
        assert_eq!(
            Toy::from_row(&row),
            Toy {
                first: 1.0,
                second: 2.0
            }
        );
    }

    #[test]
    fn real_range_is_inclusive_and_rejects_outside() {
        assert!(SPECS[0].check(&Value::Num(1.0)).is_ok());
        assert!(SPECS[0].check(&Value::Num(0.0)).is_ok());
        let err = SPECS[0].check(&Value::Num(1.5)).unwrap_err();
        assert!(err.0.contains("from 0 to 1"), "{}", err.0);
        assert!(SPECS[0].check(&Value::Num(f64::NAN)).is_err());
    }

    #[test]
    fn int_rejects_fractions() {
        assert!(SPECS[1].check(&Value::Num(2.0)).is_ok());
        assert!(
            SPECS[1]
                .check(&Value::Num(2.5))
                .unwrap_err()
                .0
                .contains("whole number")
        );
        assert!(SPECS[1].check(&Value::Num(11.0)).is_err());
    }

    #[test]
    fn choice_suggests_near_miss() {
        let err = SPECS[2].check(&Value::Text("slwo".into())).unwrap_err();
        assert!(err.0.contains("did you mean \"slow\""), "{}", err.0);
        assert!(SPECS[2].check(&Value::Num(1.0)).is_err());
    }

    #[test]
    fn a_set_is_canonical_and_checked_name_by_name() {
        let spec = ParamSpec::set(&["fast", "slow", "steady"], "switches").named("off");
        let check = |s: &str| spec.check(&Value::Text(s.into()));
        assert_eq!(check("steady, fast"), Ok(Value::Text("fast,steady".into())));
        assert_eq!(check(""), Ok(Value::Text(String::new())));
        let err = check("fast,stedy").unwrap_err().0;
        assert!(err.contains("did you mean \"steady\""), "{err}");
        assert!(check("slow,slow").unwrap_err().0.contains("twice"));
        assert!(spec.check(&Value::Num(1.0)).is_err());
        let set = ChoiceSet::<Mode>::from_value(Some(&Value::Text("slow".into())));
        assert!(set.contains(Mode::Slow) && !set.contains(Mode::Fast));
        assert_eq!(set.names().collect::<Vec<_>>(), ["slow"]);
        assert!(ChoiceSet::<Mode>::from_value(Some(&Value::Text(String::new()))).is_empty());
        assert_eq!(
            ChoiceSet::of(&[Mode::Fast]),
            ChoiceSet::<Mode>::from_value(Some(&Value::Text("fast".into())))
        );
    }

    #[test]
    fn params_start_at_defaults_and_set_overrides() {
        let mut p = Params::defaults(SPECS);
        assert_eq!(p.num("rate"), 0.5);
        assert_eq!(p.text("mode"), "fast");
        p.set("rate", Value::Num(0.25));
        assert_eq!(p.num("rate"), 0.25);
        assert_eq!(p.cell(0), "0.25");
    }
}
