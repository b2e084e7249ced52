//! `datateam`: how a government data team's leadership, incentives and embedding turn data into policy.
//!
//! This file holds the model's one declaration of parameters and metrics (read by scenario parsing,
//! validation and `orgsim describe`), the validated settings a run reads them into, and the
//! [`Model`] implementation. The mechanisms live beside it:
//! - [`constants`]: the internal rates of the update rules (ODD table; perturbed by the robustness tests);
//! - [`world`]: true effects, favourites, decision windows, politics and evaluation noise (shared by arms);
//! - [`units`]: policy units' beliefs, the decision rule and evaluation (used by every arm);
//! - [`analysts`]: one post of the team: skills, motivation, queues, reward estimates, quits;
//! - [`transmission`]: salience, read and understood probabilities (pure functions);
//! - [`team`]: one week of demand → allocation → production → transmission → feedback;
//! - [`run`]: the arms stepped in lockstep over one world, schedules and the metrics.
//!
//! Design brief: `shared/MODEL.md`; the model as built: `docs/datateam-odd.md`.

pub mod analysts;
pub mod constants;
pub mod run;
pub mod team;
pub mod transmission;
pub mod units;
pub mod world;

use crate::engine::params::{Default, Domain, MetricSpec, ParamSpec, Params, Value};
use crate::engine::{Model, RunSettings, Simulation};

pub use constants::Constants;

const BRIEF: &str = "shared/MODEL.md";

/// Where analysts sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    Centralised,
    Embedded,
    HubAndSpoke,
}

pub const STRUCTURES: &[&str] = &["centralised", "embedded", "hub_and_spoke"];
pub const INCENTIVES: &[&str] = &["kpi", "mixed", "impact"];

/// Budget mode: what an analyst costs a year (thousands), and how fast infrastructure money buys
/// quality and access (per thousand).
pub const ANALYST_COST: f64 = 100.0;
pub const INFRA_RATE: f64 = 0.001;
/// The infrastructure floor money starts from: 1 − (1 − floor)·exp(−rate·spend).
pub const INFRA_FLOOR: f64 = 0.3;

#[allow(clippy::too_many_arguments)]
const fn spec(
    name: &'static str,
    default: Default,
    domain: Domain,
    unit: &'static str,
    meaning: &'static str,
    source: &'static str,
    schedulable: bool,
) -> ParamSpec {
    ParamSpec {
        name,
        default,
        domain,
        unit,
        meaning,
        source,
        schedulable,
    }
}

const fn share(
    name: &'static str,
    default: f64,
    meaning: &'static str,
    source: &'static str,
) -> ParamSpec {
    spec(
        name,
        Default::Num(default),
        Domain::Real { min: 0.0, max: 1.0 },
        "share",
        meaning,
        source,
        true,
    )
}

static PARAMS: &[ParamSpec] = &[
    // ---- leadership levers
    spec(
        "structure",
        Default::Text("hub_and_spoke"),
        Domain::Choice(STRUCTURES),
        "",
        "where analysts sit: all in a central hub, embedded in units, or embedded with hub_share of time in the hub",
        "MODEL.md §1; embedding: Oliver et al. 2014",
        true,
    ),
    share(
        "hub_share",
        0.2,
        "hub_and_spoke: share of an analyst's week spent in the hub (peer learning, standards); the rest is spent in the home unit",
        BRIEF,
    ),
    spec(
        "incentive",
        Default::Unset,
        Domain::Choice(INCENTIVES),
        "",
        "what the leader appraises: kpi (kpi_weight 1), mixed (0.5), impact (0). Unset with kpi_weight unset means mixed; give one or the other, not both",
        "MODEL.md §1; Goodhart 1975; Kerr 1975",
        true,
    ),
    spec(
        "kpi_weight",
        Default::Unset,
        Domain::Real { min: 0.0, max: 1.0 },
        "weight",
        "weight of counted outputs (vs credited uses) in appraisal; an alternative to `incentive` for intermediate regimes",
        BRIEF,
        true,
    ),
    share(
        "learning_share",
        0.05,
        "protected training time, as a share of the week ad-hoc work leaves",
        "Repenning & Sterman 2001",
    ),
    share(
        "engagement_share",
        0.1,
        "time set aside for working with the units, as a share of the week ad-hoc work leaves",
        "Oliver et al. 2014; Lomas 2000",
    ),
    share(
        "adhoc_shield",
        0.0,
        "share of ad-hoc requests the leader triages away (each is unmet and costs a little trust)",
        "Repenning & Sterman 2001",
    ),
    share(
        "psych_safety",
        0.5,
        "psychological safety: how far inconvenient findings are reported as found (shading prob 0.6(1 - psych_safety))",
        "Edmondson 1999",
    ),
    spec(
        "analysts",
        Default::Num(24.0),
        Domain::Int { min: 0, max: 500 },
        "posts",
        "headcount (posts), translators included; ignored in budget mode. Scheduled: new posts are vacancies a junior hire fills after hiring_delay weeks; cut posts go from the highest post down (not counted as quits)",
        BRIEF,
        true,
    ),
    spec(
        "translators",
        Default::Num(0.0),
        Domain::Int { min: 0, max: 500 },
        "posts",
        "how many of the posts are translators (posts 0 .. translators-1): no analysis; each carries up to 6 products a week to units and builds literacy. Scheduled: a post that changes role keeps its person, whose work is released and who starts the new role afresh",
        "MODEL.md §1; knowledge brokers: Lomas 2007",
        true,
    ),
    share(
        "initial_tech",
        0.5,
        "mean technical skill of the current team (Beta(4,4) scaled to this mean)",
        BRIEF,
    ),
    share("hire_tech", 0.3, "technical skill of a junior hire", BRIEF),
    share(
        "dormant_skill",
        0.15,
        "skill the current team once had and let lapse: tech_max = tech + dormant_skill (regrows twice as fast)",
        "SEED.md ('reactivation of dormant skills'); Arthur et al. 1998 on skill decay and relearning",
    ),
    share(
        "data_quality",
        0.6,
        "infrastructure: less noise in insights, less bias in KPI reports; overridden in budget mode",
        "Bresnahan, Brynjolfsson & Hitt 2002",
    ),
    share(
        "data_access",
        0.5,
        "infrastructure: time not lost to wrangling (effort factor 1 + (1 - data_access)); overridden in budget mode",
        BRIEF,
    ),
    spec(
        "budget",
        Default::Unset,
        Domain::Real {
            min: 0.0,
            max: 100_000.0,
        },
        "thousands/year",
        "budget mode: a yearly budget; people get people_share of it at 100 a post, infrastructure the rest (see notes). Can be scheduled only in a run that starts in budget mode",
        BRIEF,
        true,
    ),
    spec(
        "people_share",
        Default::Num(0.8),
        Domain::Real { min: 0.0, max: 1.0 },
        "share",
        "budget mode: share of the budget spent on people (the rest on infrastructure); ignored without budget (and then cannot be scheduled)",
        BRIEF,
        true,
    ),
    spec(
        "insight_effort",
        Default::Num(4.0),
        Domain::Real {
            min: 0.5,
            max: 52.0,
        },
        "full-time weeks",
        "effort of one insight for a top analyst with perfect access (slower with less skill and access)",
        BRIEF,
        false,
    ),
    // ---- environment
    spec(
        "units",
        Default::Num(8.0),
        Domain::Int { min: 1, max: 64 },
        "units",
        "policy units",
        BRIEF,
        false,
    ),
    spec(
        "problems_per_unit",
        Default::Num(2.0),
        Domain::Int { min: 1, max: 8 },
        "problems",
        "problems each unit decides on",
        BRIEF,
        false,
    ),
    spec(
        "options",
        Default::Num(4.0),
        Domain::Int { min: 2, max: 8 },
        "options",
        "intervention options per problem",
        BRIEF,
        false,
    ),
    spec(
        "turbulence",
        Default::Num(0.05),
        Domain::Real { min: 0.0, max: 1.0 },
        "SD/week",
        "weekly innovation of the true effects (stationary N(0,1) AR(1))",
        BRIEF,
        true,
    ),
    share(
        "politics",
        0.2,
        "probability a window's decision is the ideological favourite, whatever the beliefs",
        "Kingdon 1984; Weiss 1979",
    ),
    spec(
        "adhoc_rate",
        Default::Num(2.0),
        Domain::Real {
            min: 0.0,
            max: 50.0,
        },
        "requests/unit-week",
        "ad-hoc requests per unit-week, scaled by (0.5 + trust)",
        "Repenning & Sterman 2001",
        true,
    ),
    spec(
        "attention",
        Default::Num(3.0),
        Domain::Real {
            min: 0.0,
            max: 100.0,
        },
        "products/week",
        "products a unit reads in a week, in expectation, at most",
        "Simon 1971; Weiss 1979",
        true,
    ),
    share(
        "literacy",
        0.3,
        "initial literacy (absorptive capacity) of the units",
        "Cohen & Levinthal 1990",
    ),
    share(
        "trust",
        0.5,
        "initial trust of the units in the data team",
        "Oliver et al. 2014",
    ),
    spec(
        "prior_noise",
        Default::Num(1.0),
        Domain::Real {
            min: 0.01,
            max: 10.0,
        },
        "SD",
        "noise of the units' initial beliefs about each effect",
        BRIEF,
        false,
    ),
    spec(
        "obs_noise",
        Default::Num(0.5),
        Domain::Real {
            min: 0.01,
            max: 10.0,
        },
        "SD",
        "noise of an observed outcome",
        BRIEF,
        true,
    ),
    spec(
        "status_quo_bias",
        Default::Num(0.1),
        Domain::Real {
            min: 0.0,
            max: 10.0,
        },
        "SD of effect",
        "how much better the best option must look to replace the one in force",
        "Samuelson & Zeckhauser 1988",
        true,
    ),
    spec(
        "forgetting",
        Default::Num(0.002),
        Domain::Real { min: 0.0, max: 0.5 },
        "share/week",
        "organisational forgetting of belief precision",
        "Argote 1999",
        true,
    ),
    share(
        "base_quit_rate",
        0.12,
        "annual quit probability at motivation 0.7",
        "public-sector analyst attrition, order of magnitude",
    ),
    spec(
        "hiring_delay",
        Default::Num(12.0),
        Domain::Int { min: 0, max: 260 },
        "weeks",
        "weeks a vacant post stays empty before a junior hire arrives",
        BRIEF,
        true,
    ),
    spec(
        "decision_interval",
        Default::Num(26.0),
        Domain::Real {
            min: 2.0,
            max: 520.0,
        },
        "weeks",
        "mean weeks between decision windows on a problem (must exceed decision_notice)",
        "Kingdon 1984",
        true,
    ),
    spec(
        "decision_notice",
        Default::Num(12.0),
        Domain::Int { min: 0, max: 260 },
        "weeks",
        "weeks between a window's announcement and the decision",
        BRIEF,
        true,
    ),
    spec(
        "eval_lag",
        Default::Num(26.0),
        Domain::Int { min: 1, max: 260 },
        "weeks",
        "weeks until a decision's outcome is observed without a team (a team with data_access > 0.5 is faster)",
        BRIEF,
        true,
    ),
    spec(
        "election_interval",
        Default::Num(156.0),
        Domain::Int { min: 0, max: 1040 },
        "weeks",
        "weeks between elections that redraw the ideological favourites (0 = never)",
        BRIEF,
        true,
    ),
];

static METRICS: &[MetricSpec] = &[
    MetricSpec::new("value_added", "effect SD x weeks", "welfare - welfare of the same world with no data team (the headline outcome)").headline(),
    MetricSpec::new("uptake_rate", "share", "insights_used / insights_delivered").headline(),
    MetricSpec::new("evidence_informed_share", "share", "share of decisions changed by products the unit read and understood").headline(),
    MetricSpec::new("trust", "0-1 scale", "mean trust of the units in the team").headline(),
    MetricSpec::new("tech", "0-1 skill", "mean technical skill of analysts in post").headline(),
    MetricSpec::new("welfare", "effect SD x weeks", "cumulative true effect of the policies in force, per problem-week, averaged over problems"),
    MetricSpec::new("regret", "effect SD x weeks", "cumulative gap to the best option each week (averaged over problems)").lower_is_better(),
    MetricSpec::new("decision_accuracy", "share", "share of decisions that picked the then-best option"),
    MetricSpec::new("counted_outputs", "products", "what a KPI dashboard counts: reports, ad-hoc answers and insights delivered (cumulative)"),
    MetricSpec::new("insights_delivered", "insights", "insight products finished (cumulative)"),
    MetricSpec::new("insights_used", "insights", "insights that informed a decision (cumulative)"),
    MetricSpec::new("unread_share", "share", "share of delivered products never read").lower_is_better(),
    MetricSpec::new("late_share", "share", "share of commissioned insights finished after the window they were commissioned for").lower_is_better(),
    MetricSpec::new("literacy", "0-1 scale", "mean literacy of the units"),
    MetricSpec::new("domain", "0-1 skill", "mean domain knowledge of analysts of their home (main) unit"),
    MetricSpec::new("comm", "0-1 skill", "mean communication skill of analysts"),
    MetricSpec::new("motivation", "0-1 scale", "mean motivation of analysts"),
    MetricSpec::new("headcount", "staff", "staff in post (posts in force - vacancies)"),
    MetricSpec::new("vacancies", "posts", "empty posts").lower_is_better(),
    MetricSpec::new("quits", "people", "cumulative voluntary leavers (posts cut by a schedule are not quits)").lower_is_better(),
    MetricSpec::new("time_adhoc", "share of time", "share of analyst time on ad-hoc answers (EWMA over ~a quarter)"),
    MetricSpec::new("time_reports", "share of time", "share of analyst time on KPI reports (EWMA over ~a quarter)"),
    MetricSpec::new("time_insight", "share of time", "share of analyst time on insight work (EWMA over ~a quarter)"),
    MetricSpec::new("time_engagement", "share of time", "share of analyst time working with units (EWMA over ~a quarter)"),
    MetricSpec::new("time_learning", "share of time", "share of analyst time in training (EWMA over ~a quarter)"),
    MetricSpec::new("cost", "thousands", "budget mode: cumulative spend (thousands), at the yearly budget in force each week; NaN otherwise").lower_is_better(),
    MetricSpec::new("value_per_cost", "effect SD x weeks per thousand", "budget mode: value_added per thousand spent; NaN otherwise"),
    MetricSpec::new("dip_depth", "effect SD x weeks", "with a schedule: deepest shortfall of cumulative value added below staying put after the first change (>= 0); NaN without a schedule").lower_is_better(),
    MetricSpec::new("weeks_to_recover", "weeks", "with a schedule: weeks from the first change until cumulative value added is back at or above staying put (NaN if not yet, or without a schedule)").lower_is_better(),
];

/// Each unit's own metrics (the opt-in per-unit output). A unit's welfare averages over its own
/// problems as `welfare` does over all of them; units hold equal numbers of problems, so the mean over
/// units of the per-unit `value_added` is the run's `value_added` (up to rounding).
static UNIT_METRICS: &[MetricSpec] = &[
    MetricSpec::new(
        "value_added",
        "effect SD x weeks",
        "the unit's welfare - the same unit's welfare in the same world with no data team; the mean over units is value_added",
    ),
    MetricSpec::new(
        "welfare",
        "effect SD x weeks",
        "cumulative true effect of the unit's policies in force, per problem-week, averaged over the unit's problems",
    ),
    MetricSpec::new("trust", "0-1 scale", "the unit's trust in the team"),
    MetricSpec::new("literacy", "0-1 scale", "the unit's literacy"),
];

/// Per-unit metric indices, in declaration order (checked against [`UNIT_METRICS`] by a unit test).
pub mod unit_metric_index {
    pub const VALUE_ADDED: usize = 0;
    pub const WELFARE: usize = 1;
    pub const TRUST: usize = 2;
    pub const LITERACY: usize = 3;
    pub const COUNT: usize = 4;
}

/// Metric indices, in declaration order (checked against [`METRICS`] by a unit test).
pub mod metric_index {
    pub const VALUE_ADDED: usize = 0;
    pub const UPTAKE_RATE: usize = 1;
    pub const EVIDENCE_INFORMED_SHARE: usize = 2;
    pub const TRUST: usize = 3;
    pub const TECH: usize = 4;
    pub const WELFARE: usize = 5;
    pub const REGRET: usize = 6;
    pub const DECISION_ACCURACY: usize = 7;
    pub const COUNTED_OUTPUTS: usize = 8;
    pub const INSIGHTS_DELIVERED: usize = 9;
    pub const INSIGHTS_USED: usize = 10;
    pub const UNREAD_SHARE: usize = 11;
    pub const LATE_SHARE: usize = 12;
    pub const LITERACY: usize = 13;
    pub const DOMAIN: usize = 14;
    pub const COMM: usize = 15;
    pub const MOTIVATION: usize = 16;
    pub const HEADCOUNT: usize = 17;
    pub const VACANCIES: usize = 18;
    pub const QUITS: usize = 19;
    pub const TIME_ADHOC: usize = 20;
    pub const TIME_REPORTS: usize = 21;
    pub const TIME_INSIGHT: usize = 22;
    pub const TIME_ENGAGEMENT: usize = 23;
    pub const TIME_LEARNING: usize = 24;
    pub const COST: usize = 25;
    pub const VALUE_PER_COST: usize = 26;
    pub const DIP_DEPTH: usize = 27;
    pub const WEEKS_TO_RECOVER: usize = 28;
    pub const COUNT: usize = 29;
}

/// The levers a leader sets: read once per run and again after every scheduled change.
#[derive(Debug, Clone, PartialEq)]
pub struct Levers {
    pub structure: Structure,
    pub hub_share: f64,
    pub kpi_weight: f64,
    pub learning_share: f64,
    pub engagement_share: f64,
    pub adhoc_shield: f64,
    pub psych_safety: f64,
    pub hire_tech: f64,
    pub data_quality: f64,
    pub data_access: f64,
}

/// The environment: what the leader does not control (shared by every arm).
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    pub turbulence: f64,
    pub politics: f64,
    pub adhoc_rate: f64,
    pub attention: f64,
    pub obs_noise: f64,
    pub status_quo_bias: f64,
    pub forgetting: f64,
    pub base_quit_rate: f64,
    pub hiring_delay: u32,
    pub decision_interval: f64,
    pub decision_notice: u32,
    pub eval_lag: u32,
    pub election_interval: u32,
}

/// Fixed at the start of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    pub units: usize,
    pub problems_per_unit: usize,
    pub options: usize,
    pub posts: usize,
    pub translators: usize,
    pub initial_tech: f64,
    pub dormant_skill: f64,
    pub literacy: f64,
    pub trust: f64,
    pub prior_noise: f64,
    pub insight_effort: f64,
    /// Budget mode: the yearly budget (thousands).
    pub budget: Option<f64>,
}

/// The appraisal weight on counted outputs: from `kpi_weight`, else from `incentive`, else mixed.
pub fn kpi_weight(params: &Params) -> f64 {
    if let Some(w) = params.opt_num("kpi_weight") {
        return w;
    }
    match params.get("incentive") {
        Some(crate::engine::params::Value::Text(s)) => match s.as_str() {
            "kpi" => 1.0,
            "impact" => 0.0,
            _ => 0.5,
        },
        _ => 0.5,
    }
}

/// Budget mode: (posts, data_quality, data_access) bought by a yearly budget.
pub fn budget_allocation(budget: f64, people_share: f64) -> (usize, f64, f64) {
    let posts = (budget * people_share / ANALYST_COST + 1e-9).floor() as usize;
    let infra = budget * (1.0 - people_share);
    let level = 1.0 - (1.0 - INFRA_FLOOR) * (-INFRA_RATE * infra).exp();
    (posts, level, level)
}

pub fn read_levers(params: &Params) -> Levers {
    let structure = match params.text("structure") {
        "centralised" => Structure::Centralised,
        "embedded" => Structure::Embedded,
        _ => Structure::HubAndSpoke,
    };
    let (mut data_quality, mut data_access) =
        (params.num("data_quality"), params.num("data_access"));
    if let Some(budget) = params.opt_num("budget") {
        let (_, q, a) = budget_allocation(budget, params.num("people_share"));
        data_quality = q;
        data_access = a;
    }
    Levers {
        structure,
        hub_share: params.num("hub_share"),
        kpi_weight: kpi_weight(params),
        learning_share: params.num("learning_share"),
        engagement_share: params.num("engagement_share"),
        adhoc_shield: params.num("adhoc_shield"),
        psych_safety: params.num("psych_safety"),
        hire_tech: params.num("hire_tech"),
        data_quality,
        data_access,
    }
}

pub fn read_environment(params: &Params) -> Environment {
    Environment {
        turbulence: params.num("turbulence"),
        politics: params.num("politics"),
        adhoc_rate: params.num("adhoc_rate"),
        attention: params.num("attention"),
        obs_noise: params.num("obs_noise"),
        status_quo_bias: params.num("status_quo_bias"),
        forgetting: params.num("forgetting"),
        base_quit_rate: params.num("base_quit_rate"),
        hiring_delay: params.num("hiring_delay") as u32,
        decision_interval: params.num("decision_interval"),
        decision_notice: params.num("decision_notice") as u32,
        eval_lag: params.num("eval_lag") as u32,
        election_interval: params.num("election_interval") as u32,
    }
}

pub fn read_setup(params: &Params) -> Setup {
    let budget = params.opt_num("budget");
    let posts = match budget {
        Some(b) => budget_allocation(b, params.num("people_share")).0,
        None => params.num("analysts") as usize,
    };
    Setup {
        units: params.num("units") as usize,
        problems_per_unit: params.num("problems_per_unit") as usize,
        options: params.num("options") as usize,
        posts,
        translators: params.num("translators") as usize,
        initial_tech: params.num("initial_tech"),
        dormant_skill: params.num("dormant_skill"),
        literacy: params.num("literacy"),
        trust: params.num("trust"),
        prior_noise: params.num("prior_noise"),
        insight_effort: params.num("insight_effort"),
        budget,
    }
}

/// The model's declaration; runs are built by [`Model::build`].
pub struct DataTeam;

impl DataTeam {
    /// Builds a run with non-default internal constants (the robustness tests' Latin hypercube).
    #[doc(hidden)]
    pub fn build_with_constants(
        params: &Params,
        seed: u64,
        settings: &RunSettings,
        constants: Constants,
    ) -> run::DataTeamRun {
        run::DataTeamRun::new(params, seed, settings, constants)
    }
}

impl Model for DataTeam {
    fn name(&self) -> &'static str {
        "datateam"
    }
    fn summary(&self) -> &'static str {
        "A government data team: leadership, incentives, embedding and the transmission of insight into policy"
    }
    fn notes(&self) -> &'static str {
        "Each run steps the organisation and a counterfactual with no data team over one world (same \
         effects, windows, politics and evaluation noise); value_added = welfare - counterfactual welfare, \
         exactly 0 with analysts = 0 or politics = 1. A week runs world -> demand -> allocation -> \
         production -> transmission -> feedback -> record. Analysts split their discretionary time by \
         softmax of what the appraisal regime rewards them for (kpi_weight: counted outputs vs credited \
         uses); nothing writes an expected result.\n\
         Incentive: give `incentive` (kpi = 1, mixed = 0.5, impact = 0) or `kpi_weight`, not both; \
         neither means mixed.\n\
         Budget mode (set `budget`, thousands a year): posts = floor(budget * people_share / 100); \
         data_quality = data_access = 1 - 0.7 * exp(-0.001 * budget * (1 - people_share)) (so 500 a year \
         on infrastructure gives 0.58, 1000 gives 0.74); `analysts`, `data_quality` and `data_access` \
         are then ignored, and cost (cumulative spend) and value_per_cost are reported.\n\
         Schedules: every parameter marked 'can be scheduled' may change mid-run; a structure change \
         re-routes new requests and resets working relationships (they rebuild over about 26 weeks). \
         Headcount can change too: more `analysts` (or a bigger budget) adds vacant posts that junior \
         hires fill after hiring_delay weeks; fewer removes posts from the highest down, their holders \
         leaving as on a quit (requests unmet, work released) without counting as quits; a change of \
         `translators` converts posts (post i is a translator iff i < translators), each keeping its \
         person, who starts the new role afresh. In budget mode schedule `budget` or `people_share`, \
         not `analysts`, `data_quality` or `data_access` (the budget sets them); cost then follows \
         the budget in force week by week. \
         With a schedule the run also steps a 'stay put' copy of the team that sees only environment \
         changes, and reports dip_depth and weeks_to_recover against it.\n\
         The ODD description: docs/datateam-odd.md."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn metrics(&self) -> &'static [MetricSpec] {
        METRICS
    }
    fn unit_metrics(&self) -> &'static [MetricSpec] {
        UNIT_METRICS
    }
    fn unit_count(&self, params: &Params) -> usize {
        read_setup(params).units
    }
    fn default_ticks(&self) -> u64 {
        260
    }
    fn tick_unit(&self) -> &'static str {
        "week"
    }
    fn check(&self, params: &Params) -> Result<(), String> {
        if params.get("incentive").is_some() && params.get("kpi_weight").is_some() {
            return Err(
                "give either `incentive` or `kpi_weight`, not both (incentive is kpi = 1, mixed = 0.5, impact = 0)"
                    .into(),
            );
        }
        let interval = params.num("decision_interval");
        let notice = params.num("decision_notice");
        if interval <= notice {
            return Err(format!(
                "decision_interval ({interval}) must exceed decision_notice ({notice}): windows are announced decision_notice weeks ahead"
            ));
        }
        let setup = read_setup(params);
        if setup.translators > setup.posts {
            return Err(format!(
                "translators ({}) cannot exceed the posts ({}){}",
                setup.translators,
                setup.posts,
                if setup.budget.is_some() {
                    " the budget buys"
                } else {
                    " (`analysts`)"
                }
            ));
        }
        Ok(())
    }
    fn check_change(&self, before: &Params, set: &[(&'static str, Value)]) -> Result<(), String> {
        let sets = |name: &str| set.iter().any(|(n, _)| *n == name);
        if before.get("budget").is_some() {
            // The budget buys the posts and the infrastructure: setting them too would be ignored.
            if let Some(name) = ["analysts", "data_quality", "data_access"]
                .into_iter()
                .find(|n| sets(n))
            {
                return Err(format!(
                    "`{name}` cannot be scheduled in budget mode: the budget sets the posts and the infrastructure; schedule `budget` or `people_share` instead"
                ));
            }
        } else if let Some(name) = ["budget", "people_share"].into_iter().find(|n| sets(n)) {
            let both = if sets("analysts") && name == "budget" {
                "a change cannot set both `budget` and `analysts` (the budget sets the posts), and "
            } else {
                ""
            };
            return Err(format!(
                "{both}`{name}` can be scheduled only in a run that starts in budget mode (set `budget` in [params]); without a budget the posts are `analysts`"
            ));
        }
        Ok(())
    }
    fn build(&self, params: &Params, seed: u64, settings: &RunSettings) -> Box<dyn Simulation> {
        Box::new(run::DataTeamRun::new(
            params,
            seed,
            settings,
            Constants::default(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_indices_match_declarations() {
        use metric_index::*;
        let names = [
            (VALUE_ADDED, "value_added"),
            (UPTAKE_RATE, "uptake_rate"),
            (EVIDENCE_INFORMED_SHARE, "evidence_informed_share"),
            (TRUST, "trust"),
            (TECH, "tech"),
            (WELFARE, "welfare"),
            (REGRET, "regret"),
            (DECISION_ACCURACY, "decision_accuracy"),
            (COUNTED_OUTPUTS, "counted_outputs"),
            (INSIGHTS_DELIVERED, "insights_delivered"),
            (INSIGHTS_USED, "insights_used"),
            (UNREAD_SHARE, "unread_share"),
            (LATE_SHARE, "late_share"),
            (LITERACY, "literacy"),
            (DOMAIN, "domain"),
            (COMM, "comm"),
            (MOTIVATION, "motivation"),
            (HEADCOUNT, "headcount"),
            (VACANCIES, "vacancies"),
            (QUITS, "quits"),
            (TIME_ADHOC, "time_adhoc"),
            (TIME_REPORTS, "time_reports"),
            (TIME_INSIGHT, "time_insight"),
            (TIME_ENGAGEMENT, "time_engagement"),
            (TIME_LEARNING, "time_learning"),
            (COST, "cost"),
            (VALUE_PER_COST, "value_per_cost"),
            (DIP_DEPTH, "dip_depth"),
            (WEEKS_TO_RECOVER, "weeks_to_recover"),
        ];
        assert_eq!(METRICS.len(), COUNT);
        for (i, name) in names {
            assert_eq!(METRICS[i].name, name);
        }
    }

    #[test]
    fn unit_metric_indices_match_declarations() {
        use unit_metric_index::*;
        let names = [
            (VALUE_ADDED, "value_added"),
            (WELFARE, "welfare"),
            (TRUST, "trust"),
            (LITERACY, "literacy"),
        ];
        assert_eq!(UNIT_METRICS.len(), COUNT);
        for (i, name) in names {
            assert_eq!(UNIT_METRICS[i].name, name);
        }
    }

    #[test]
    fn budget_maps_money_to_posts_and_infrastructure() {
        let (posts, q, a) = budget_allocation(3000.0, 0.8);
        assert_eq!(posts, 24);
        assert!((q - (1.0 - 0.7 * (-0.6f64).exp())).abs() < 1e-12);
        assert_eq!(q, a);
        let (posts, q, _) = budget_allocation(0.0, 0.5);
        assert_eq!(posts, 0);
        assert!((q - INFRA_FLOOR).abs() < 1e-12);
    }

    #[test]
    fn incentive_and_kpi_weight_exclude_each_other() {
        use crate::engine::params::Value;
        let mut p = Params::defaults(PARAMS);
        assert_eq!(kpi_weight(&p), 0.5);
        assert!(DataTeam.check(&p).is_ok());
        p.set("incentive", Value::Text("kpi".into()));
        assert_eq!(kpi_weight(&p), 1.0);
        p.set("kpi_weight", Value::Num(0.3));
        assert!(DataTeam.check(&p).unwrap_err().contains("not both"));
    }

    #[test]
    fn budget_mode_decides_which_headcount_levers_a_change_may_set() {
        let plain = Params::defaults(PARAMS);
        let mut budget = plain.clone();
        budget.set("budget", Value::Num(2000.0));
        let set = |name: &'static str| vec![(name, Value::Num(10.0))];
        assert!(DataTeam.check_change(&plain, &set("analysts")).is_ok());
        assert!(DataTeam.check_change(&plain, &set("translators")).is_ok());
        assert!(DataTeam.check_change(&plain, &set("budget")).is_err());
        assert!(DataTeam.check_change(&plain, &set("people_share")).is_err());
        assert!(DataTeam.check_change(&budget, &set("budget")).is_ok());
        assert!(DataTeam.check_change(&budget, &set("translators")).is_ok());
        for name in ["analysts", "data_quality", "data_access"] {
            let e = DataTeam.check_change(&budget, &set(name)).unwrap_err();
            assert!(e.contains(name) && e.contains("budget mode"), "{e}");
        }
        let both = [set("budget"), set("analysts")].concat();
        assert!(
            DataTeam
                .check_change(&plain, &both)
                .unwrap_err()
                .contains("both")
        );
    }

    #[test]
    fn windows_must_be_announced_before_they_open() {
        use crate::engine::params::Value;
        let mut p = Params::defaults(PARAMS);
        p.set("decision_notice", Value::Num(26.0));
        assert!(DataTeam.check(&p).unwrap_err().contains("must exceed"));
        let mut p = Params::defaults(PARAMS);
        p.set("translators", Value::Num(25.0));
        assert!(DataTeam.check(&p).is_err());
    }
}
