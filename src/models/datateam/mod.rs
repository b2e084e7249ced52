//! `datateam`: how a government data team's leadership, incentives and embedding turn data into policy.
//!
//! This file holds the model's one declaration of parameters and metrics (read by scenario parsing,
//! validation and `orgsim describe`), the validated settings a run reads them into, and the
//! [`Model`] implementation. The mechanisms live beside it:
//! - [`constants`]: what the internal constants (declared here, group `constant`) derive, and the
//!   robustness tests' perturbation of them;
//! - [`world`]: true effects, favourites, decision windows, politics and evaluation noise (shared by arms);
//! - [`units`]: policy units' beliefs, the decision rule and evaluation (used by every arm);
//! - [`analysts`]: one post of the team: skills, motivation, queues, reward estimates, quits;
//! - [`transmission`]: salience, read and understood probabilities (pure functions);
//! - [`structure`]: what each structure costs: dual reporting, belonging, isolation, distance;
//! - [`team`]: one week of demand → allocation → production → transmission → feedback;
//! - [`run`]: the arms stepped in lockstep over one world, schedules and the metrics.
//!
//! Design brief: `shared/MODEL.md`; the model as built: `docs/datateam-odd.md`.

pub mod analysts;
pub mod constants;
pub mod run;
pub mod structure;
pub mod team;
pub mod transmission;
pub mod units;
pub mod world;

use crate::engine::params::{Choice as _, ChoiceSet, MetricSpec, ParamSpec, Params, Value};
use crate::engine::{Model, RunSettings, Simulation};


const BRIEF: &str = "shared/MODEL.md";

crate::declare_choice! {
    /// Where analysts sit.
    pub enum Structure {
        Centralised = "centralised",
        Embedded = "embedded",
        HubAndSpoke = "hub_and_spoke",
    }
}

crate::declare_choice! {
    /// What the leader appraises: counted outputs, uses, or half of each.
    pub enum Incentive {
        Kpi = "kpi",
        Mixed = "mixed",
        Impact = "impact",
    }
}

crate::declare_choice! {
    /// The mechanisms a run can switch off (`knockout`), to measure what each one moves
    /// (MODEL.md §9.7; the ODD's knock-out table). Each name switches one mechanism off in a
    /// documented way, never through an out-of-range value.
    pub enum Mechanism {
        // Reading (§9.1).
        ReadingBudget = "reading_budget",
        OutsideBusiness = "outside_business",
        ShelfLife = "shelf_life",
        AdhocReading = "adhoc_reading",
        TranslatorSalience = "translator_salience",
        // Trust (§9.2).
        RelationalDecay = "relational_decay",
        RelationalBuilding = "relational_building",
        CompetenceTrust = "competence_trust",
        TrustAsymmetry = "trust_asymmetry",
        VisibleDelivery = "visible_delivery",
        // Evaluation (§9.3 ii).
        SparseEvaluation = "sparse_evaluation",
        TeamCoverage = "team_coverage",
        // Goodhart (§9.3).
        CareChoice = "care_choice",
        CommissionPacing = "commission_pacing",
        LateDemotion = "late_demotion",
        KpiGap = "kpi_gap",
        DashboardSteering = "dashboard_steering",
        // Structure (§9.4).
        DualReporting = "dual_reporting",
        Belonging = "belonging",
        IsolationSkills = "isolation_skills",
        IsolationQa = "isolation_qa",
        Distance = "distance",
        HubLearning = "hub_learning",
        // Earlier mechanisms (§2).
        Shading = "shading",
        MotivationCrowding = "motivation_crowding",
        LiteracyGrowth = "literacy_growth",
    }
}

/// The mechanisms switched off in a run.
pub type Knockouts = ChoiceSet<Mechanism>;

impl Incentive {
    /// The appraisal weight on counted outputs the regime stands for.
    pub fn kpi_weight(self) -> f64 {
        match self {
            Incentive::Kpi => 1.0,
            Incentive::Mixed => 0.5,
            Incentive::Impact => 0.0,
        }
    }
}

/// A share in [0, 1], from the brief unless a source is given.
const fn share(default: f64, meaning: &'static str) -> ParamSpec {
    ParamSpec::share(default, meaning).source(BRIEF)
}

/// Where the internal constants are described and justified.
const ODD: &str = "docs/datateam-odd.md";

/// An internal constant that is a level, share or probability in [0, 1].
const fn level(default: f64, meaning: &'static str) -> ParamSpec {
    ParamSpec::share(default, meaning).source(ODD).constant()
}

/// An internal constant that is a non-negative rate or size.
const fn rate(default: f64, unit: &'static str, meaning: &'static str) -> ParamSpec {
    ParamSpec::real(default, 0.0, f64::INFINITY, unit, meaning)
        .source(ODD)
        .constant()
}

crate::declare_params! {
    static PARAMS;
    /// Every scenario parameter of the model, as a run reads it (the levers, then the environment).
    pub struct Inputs {
        // ---- leadership levers
        structure: Structure = ParamSpec::choice(Structure::NAMES, Structure::HubAndSpoke.name(),
            "where analysts sit: all in a central hub, embedded in units, or embedded with hub_share of time in the hub")
            .source("MODEL.md §1; embedding: Oliver et al. 2014").lever().schedulable().labelled("Team structure"),
        hub_share: f64 = share(0.2,
            "hub_and_spoke: share of an analyst's week spent in the hub (peer learning, standards); the rest is spent in the home unit")
            .lever().schedulable().labelled("Share of the week in the hub"),
        incentive: Option<Incentive> = ParamSpec::choice(Incentive::NAMES, "",
            "what the leader appraises: kpi (kpi_weight 1), mixed (0.5), impact (0). Unset with kpi_weight unset means mixed; give one or the other, not both")
            .unset().source("MODEL.md §1; Goodhart 1975; Kerr 1975").lever().schedulable().labelled("Incentive"),
        kpi_weight: Option<f64> = ParamSpec::real(0.5, 0.0, 1.0, "weight",
            "weight of counted outputs (vs credited uses) in appraisal; an alternative to `incentive` for intermediate regimes")
            .labelled("KPI weight").unset().source(BRIEF).lever().schedulable(),
        learning_share: f64 = ParamSpec::share(0.05,
            "protected training time, as a share of the week ad-hoc work leaves")
            .source("Repenning & Sterman 2001").lever().schedulable().labelled("Protected training time"),
        engagement_share: f64 = ParamSpec::share(0.1,
            "time set aside for working with the units, as a share of the week ad-hoc work leaves")
            .source("Oliver et al. 2014; Lomas 2000").lever().schedulable().labelled("Time for working with units"),
        adhoc_shield: f64 = ParamSpec::share(0.0,
            "share of ad-hoc requests the leader triages away (each is unmet and costs a little trust)")
            .labelled("Ad-hoc shield").source("Repenning & Sterman 2001").lever().schedulable(),
        psych_safety: f64 = ParamSpec::share(0.5,
            "psychological safety: how far inconvenient findings are reported as found (shading prob 0.6(1 - psych_safety))")
            .labelled("Psychological safety").source("Edmondson 1999").lever().schedulable(),
        analysts: usize = ParamSpec::int(24, 0, 500, "posts",
            "headcount (posts), translators included; ignored in budget mode. Scheduled: new posts are vacancies a junior hire fills after hiring_delay weeks; cut posts go from the highest post down (not counted as quits)")
            .source(BRIEF).lever().schedulable().explore(0.0, 60.0).labelled("Analyst posts"),
        translators: usize = ParamSpec::int(0, 0, 500, "posts",
            "how many of the posts are translators (posts 0 .. translators-1): no analysis; each carries up to 6 products a week to units and builds literacy. Scheduled: a post that changes role keeps its person, whose work is released and who starts the new role afresh")
            .source("MODEL.md §1; knowledge brokers: Lomas 2007").lever().schedulable().explore(0.0, 12.0).labelled("Translator posts"),
        initial_tech: f64 = share(0.5,
            "mean technical skill of the current team (Beta(4,4) scaled to this mean)")
            .labelled("Initial technical skill"),
        hire_tech: f64 = share(0.3, "technical skill of a junior hire")
            .labelled("Technical skill of hires").lever().schedulable(),
        dormant_skill: f64 = ParamSpec::share(0.15,
            "skill the current team once had and let lapse: tech_max = tech + dormant_skill (regrows twice as fast)")
            .source("SEED.md ('reactivation of dormant skills'); Arthur et al. 1998 on skill decay and relearning").labelled("Dormant skill"),
        data_quality: f64 = ParamSpec::share(0.6,
            "infrastructure: less noise in insights, less bias in KPI reports; overridden in budget mode")
            .source("Bresnahan, Brynjolfsson & Hitt 2002").lever().schedulable().labelled("Data quality"),
        data_access: f64 = share(0.5,
            "infrastructure: time not lost to wrangling (effort factor 1 + (1 - data_access)); overridden in budget mode")
            .lever().schedulable().labelled("Data access"),
        budget: Option<f64> = ParamSpec::real(0.0, 0.0, 100_000.0, "thousands/year",
            "budget mode: a yearly budget; people get people_share of it (translators at translator_cost, analysts at c_post(initial_tech)), infrastructure the rest (see notes). Can be scheduled only in a run that starts in budget mode")
            .unset().source(BRIEF).lever().schedulable().explore(0.0, 6000.0).labelled("Yearly budget"),
        people_share: f64 = ParamSpec::real(0.8, 0.0, 1.0, "share",
            "budget mode: share of the budget spent on people (the rest on infrastructure); ignored without budget (and then cannot be scheduled)")
            .source(BRIEF).lever().schedulable().labelled("Budget share for people"),
        insight_effort: f64 = ParamSpec::real(4.0, 0.5, 52.0, "full-time weeks",
            "effort of one insight for a top analyst with perfect access (slower with less skill and access)")
            .source(BRIEF).explore(1.0, 12.0).labelled("Effort per insight"),
        // ---- environment
        units: usize = ParamSpec::int(8, 1, 64, "units", "policy units").source(BRIEF).labelled("Policy units"),
        problems_per_unit: usize = ParamSpec::int(2, 1, 8, "problems", "problems each unit decides on")
            .source(BRIEF).labelled("Problems per unit"),
        options: usize = ParamSpec::int(4, 2, 8, "options", "intervention options per problem")
            .source(BRIEF).labelled("Policy options per problem"),
        turbulence: f64 = ParamSpec::real(0.05, 0.0, 1.0, "SD/week",
            "weekly innovation of the true effects (stationary N(0,1) AR(1))")
            .source(BRIEF).schedulable().explore(0.0, 0.2).labelled("Turbulence"),
        politics: f64 = ParamSpec::share(0.2,
            "probability a window's decision is the ideological favourite, whatever the beliefs")
            .source("Kingdon 1984; Weiss 1979").schedulable().labelled("Politics"),
        adhoc_rate: f64 = ParamSpec::real(2.0, 0.0, 50.0, "requests/unit-week",
            "ad-hoc requests per unit-week, scaled by (0.5 + trust)")
            .labelled("Ad-hoc request rate").source("Repenning & Sterman 2001").schedulable().explore(0.0, 8.0),
        attention: f64 = ParamSpec::real(3.0, 0.0, 100.0, "products/week",
            "products a unit reads in a week, in expectation, at most")
            .source("Simon 1971; Weiss 1979").schedulable().explore(0.5, 12.0).labelled("Units' reading capacity"),
        literacy: f64 = ParamSpec::share(0.3, "initial literacy (absorptive capacity) of the units")
            .labelled("Initial literacy").source("Cohen & Levinthal 1990"),
        trust: f64 = ParamSpec::share(0.5, "initial trust of the units in the data team (both stocks, relational and competence, start here)")
            .labelled("Initial trust").source("Oliver et al. 2014"),
        prior_noise: f64 = ParamSpec::real(1.0, 0.01, 10.0, "SD",
            "noise of the units' initial beliefs about each effect")
            .source(BRIEF).explore(0.25, 3.0).labelled("Noise in starting beliefs"),
        obs_noise: f64 = ParamSpec::real(0.5, 0.01, 10.0, "SD", "noise of an observed outcome")
            .labelled("Observation noise").source(BRIEF).schedulable().explore(0.1, 2.0).labelled("Observation noise"),
        status_quo_bias: f64 = ParamSpec::real(0.1, 0.0, 10.0, "SD of effect",
            "how much better the best option must look to replace the one in force")
            .source("Samuelson & Zeckhauser 1988").schedulable().explore(0.0, 1.0).labelled("Status quo bias"),
        forgetting: f64 = ParamSpec::real(0.002, 0.0, 0.5, "share/week",
            "organisational forgetting of belief precision")
            .source("Argote 1999").schedulable().explore(0.0, 0.02).labelled("Forgetting"),
        base_quit_rate: f64 = ParamSpec::share(0.12, "annual quit probability at motivation 0.7")
            .source("public-sector analyst attrition, order of magnitude").schedulable().explore(0.0, 0.4).labelled("Base quit rate"),
        hiring_delay: u32 = ParamSpec::int(12, 0, 260, "weeks",
            "weeks a vacant post stays empty before a junior hire arrives")
            .source(BRIEF).schedulable().explore(0.0, 52.0).labelled("Hiring delay"),
        decision_interval: f64 = ParamSpec::real(26.0, 2.0, 520.0, "weeks",
            "mean weeks between decision windows on a problem (must exceed decision_notice)")
            .source("Kingdon 1984").schedulable().explore(13.0, 104.0).labelled("Weeks between decisions"),
        decision_notice: u32 = ParamSpec::int(12, 0, 260, "weeks",
            "weeks between a window's announcement and the decision")
            .source(BRIEF).schedulable().explore(0.0, 26.0).labelled("Notice of a decision"),
        eval_coverage: f64 = ParamSpec::share(0.25,
            "share of decisions whose outcome is formally evaluated (a team lifts it: c + (1 - c) 0.3 data_access); the others give no outcome observation")
            .labelled("Evaluation coverage").source("NAO 2021, Evaluating government spending").schedulable().labelled("Evaluation coverage"),
        dashboard_weight: f64 = ParamSpec::real(1.0, 0.0, 2.0, "weight",
            "omega_d: how far units act on the KPI reports (dashboards) they read: belief precision omega_d T m / report_noise^2 (MODEL.md §9.3 ii)")
            .source("Goodhart 1975; Campbell 1979; Bevan & Hood 2006").schedulable().labelled("Weight of dashboards"),
        eval_lag: u32 = ParamSpec::int(26, 1, 260, "weeks",
            "weeks until a decision's outcome is observed without a team (a team with data_access > 0.5 is faster)")
            .labelled("Evaluation lag").source(BRIEF).schedulable().explore(4.0, 104.0).labelled("Evaluation lag"),
        election_interval: u32 = ParamSpec::int(156, 0, 1040, "weeks",
            "weeks between elections that redraw the ideological favourites (0 = never)")
            .source(BRIEF).schedulable().explore(0.0, 260.0).labelled("Weeks between elections"),
    }
    /// The internal constants of the update rules and the starting state (ODD §3 and Table 2):
    /// settable like any parameter, listed by `describe` under their own heading, and perturbed
    /// ±50% by the robustness tests' Latin hypercube.
    pub struct Constants {
        // Allocation: the reward estimates and the plan.
        q_rate: f64 = level(0.1, "EWMA rate of an analyst's reward estimate Q per observation").labelled("Reward estimate update rate"),
        softmax_gain: f64 = rate(3.0, "1/reward", "inverse temperature of the softmax over Q").labelled("Sharpness of the time split"),
        plan_step: f64 = level(0.2, "weight of the new softmax in each 4-weekly re-plan: s <- (1 - w)s + w softmax").labelled("Weight of each re-plan"),
        intrinsic_weight: f64 = level(0.5, "weight of an analyst's own seen uses (times motivation) in the reward: intrinsic motivation").labelled("Weight of seeing one's work used"),
        engagement_credit: f64 = level(0.5, "share of the leader's credit for a use that engagement in the unit earns").labelled("Leader's credit for engagement"),
        credit_miss: f64 = level(0.3, "share of uses the leader misses").labelled("Uses the leader misses"),
        // Production.
        adhoc_effort: f64 = rate(0.2, "full-time weeks", "effort of one ad-hoc answer for a top analyst with perfect access").labelled("Effort per ad-hoc answer"),
        report_effort: f64 = rate(0.5, "full-time weeks", "effort of one routine report").labelled("Effort per report"),
        skill_slowdown: f64 = rate(0.5, "factor", "extra effort at zero tech: factor 1 + slowdown (1 - tech)").labelled("Slowdown at zero skill"),
        sigma_min: f64 = rate(0.3, "SD", "noise of an insight from perfect data (data_quality 1); must not exceed sigma_max").labelled("Smallest insight noise"),
        sigma_max: f64 = rate(1.5, "SD", "noise of an insight from useless data (data_quality 0)").labelled("Largest insight noise"),
        report_noise: f64 = rate(1.5, "SD", "noise of what a routine report says about an effect").labelled("Noise of a report"),
        report_bias: f64 = rate(0.5, "SD", "SD of a KPI report's bias: report_bias (1.2 - data_quality)").labelled("Bias of KPI reports"),
        kpi_gap: f64 = rate(0.5, "SD", "sigma_g: SD of each option's KPI gap, what its dashboard measure says minus its outcome, one draw per option (MODEL.md §9.3 ii; KPI-outcome correlation 0.89)").labelled("Gap between KPI and outcome"),
        shading: f64 = level(0.6, "probability an inconvenient finding is shaded at psych_safety 0").labelled("Shading of bad news without safety"),
        // Goodhart: care and pacing (MODEL.md §9.3 (i)).
        care_rate: f64 = level(0.2, "step of the probability of working carefully at each re-plan: care <- (1 - rate) care + rate logistic(care_gain (Q_careful - Q_fast))").labelled("Step towards careful or fast work"),
        care_gain: f64 = rate(3.0, "1/reward", "inverse temperature of the logistic choice between careful and fast work").labelled("Sharpness of the care choice"),
        care_initial: f64 = level(0.5, "probability of working carefully of the initial team, a hire and a post that changes role").labelled("Careful work at the start"),
        q_care_rate: f64 = level(0.1, "EWMA rate of an analyst's reward estimates for careful and for fast work").labelled("Care reward update rate"),
        fast_effort: f64 = level(0.6, "effort of every product (answers, reports, insight) when working fast, as a share of the careful effort").labelled("Effort of fast work"),
        fast_quality: f64 = level(0.7, "insight quality q of fast work, as a share of careful work's").labelled("Quality of fast work"),
        fast_report_noise: f64 = rate(1.3, "factor", "report noise SD of fast work, times report_noise (units still take the careful SD at face value)").labelled("Report noise of fast work"),
        fast_error: f64 = rate(2.0, "factor", "error probability of fast work, times careful work's (read by the error mechanism, MODEL.md §9.4)").labelled("Error rate of fast work"),
        // Transmission.
        relevance_unsolicited: f64 = level(0.5, "relevance rho of an insight other than a commission before its window (unsolicited, or past the window it was commissioned for; a commission before its window: 1)").labelled("Relevance of unsolicited insight"),
        relevance_report: f64 = level(0.25, "relevance rho of a routine report").labelled("Relevance of a report"),
        proximity_central: f64 = level(0.4, "proximity of a central hub to a unit, and the floor an embedded relationship builds from").labelled("Proximity of a central team"),
        trust_salience_floor: f64 = level(0.4, "salience's trust floor: floor + (1 - floor) trust").labelled("Salience at zero trust"),
        misread_noise: f64 = rate(1.0, "SD", "noise added when a product is read but not understood").labelled("Noise of a misread product"),
        translator_capacity: f64 = rate(6.0, "products/week", "products a translator carries to units in a week").labelled("Products a translator carries"),
        // Transmission: reading budget (MODEL.md §9.1).
        reading_outside: f64 = rate(2.0, "salience", "s0: the salience of a unit reader's other business (ministerial, stakeholder, casework), the outside option every reading slot may go to").labelled("Pull of readers' other business"),
        adhoc_read_cost: f64 = rate(0.2, "reads", "share of a read an ad-hoc answer takes from the reading budget (answers are read first)").labelled("Reading time of an ad-hoc answer"),
        report_shelf_life: f64 = rate(4.0, "weeks", "weeks a report waits in a unit's inbox before it expires unread (the next pack supersedes it); rounded, at least 1").labelled("Shelf life of a report"),
        insight_shelf_life: f64 = rate(13.0, "weeks", "weeks an insight waits in a unit's inbox before it expires unread; rounded, at least 1").labelled("Shelf life of an insight"),
        staleness: f64 = level(0.8, "delta: weekly factor on a waiting product's salience (salience x delta^age)").labelled("Weekly fading of a waiting product"),
        timeliness_unannounced: f64 = level(0.5, "tau: salience factor of a product whose problem has no announced window (1 with one announced and not yet reached)").labelled("Salience without an announced decision"),
        // Feedback: trust, two stocks (T = (A + K)/2): relational A, competence K.
        relational_rate: f64 = rate(0.02, "per contact-week", "relational trust gained from a week of contact, times the gap to 1").labelled("Relational trust built by contact"),
        relational_half_life: f64 = rate(26.0, "weeks", "half-life of relational trust's excess over trust_baseline without contact (decay ln 2 / half-life a week)").labelled("Half-life of relational trust"),
        trust_baseline: f64 = level(0.3, "the relational trust a unit decays to without contact: generic trust in a remote analytical function").labelled("Relational trust without contact"),
        relational_unmet: f64 = rate(0.005, "per request", "relational trust lost per unmet request, times relational trust").labelled("Relational trust lost per unmet request"),
        contact_per_answer: f64 = rate(0.1, "contact-weeks", "contact an ad-hoc answer counts for").labelled("Contact from an ad-hoc answer"),
        competence_gain: f64 = level(0.05, "share of the gap to 1 that competence trust gains when a judged window confirms the team's advice").labelled("Competence trust gained when advice holds"),
        competence_loss: f64 = level(0.15, "share of competence trust lost when a judged window contradicts the team's advice").labelled("Competence trust lost when advice fails"),
        trust_z_tolerance: f64 = rate(1.5, "SD", "how far (in SDs) an outcome may miss the advice and still confirm it").labelled("Miss that still confirms advice"),
        informal_noise: f64 = rate(1.0, "SD", "noise of a unit's informal impression of an outcome that is not formally evaluated").labelled("Noise of informal impressions"),
        delivery_gain: f64 = level(0.02, "share of the gap to 1 that competence trust gains when a commission is delivered before its window").labelled("Competence trust gained by on-time delivery"),
        delivery_loss: f64 = level(0.06, "share of competence trust lost when a commissioned window passes without the insight").labelled("Competence trust lost to a missed window"),
        team_eval_lift: f64 = level(0.3, "how far a team lifts evaluation coverage, times data_access: c + (1 - c) lift data_access").labelled("Team's lift to evaluation coverage"),
        relationship_weeks: f64 = rate(26.0, "weeks", "weeks a working relationship takes to build after a move or a hire").labelled("Time to build a working relationship"),
        // Feedback: literacy.
        literacy_rate: f64 = rate(0.002, "per exposure-week", "growth of literacy with exposure: rate exposure (0.2 + L)(1 - L)").labelled("Growth of literacy with exposure"),
        literacy_decay: f64 = rate(0.002, "per week", "decay of literacy towards literacy_floor").labelled("Decay of literacy"),
        literacy_floor: f64 = level(0.1, "the literacy a unit keeps without exposure").labelled("Literacy kept without exposure"),
        translator_exposure: f64 = rate(3.0, "factor", "literacy exposure per unit of translator time (vs 1 for an understood product)").labelled("Literacy exposure from translators"),
        // Feedback: skills.
        tech_insight: f64 = rate(0.01, "per week", "tech growth from a week of insight work").labelled("Technical skill gain from insight work"),
        tech_learning: f64 = rate(0.02, "per week", "tech growth from a week of protected training").labelled("Technical skill gain from training"),
        tech_hub: f64 = rate(0.02, "per week", "tech growth from time in the hub, times the gap to the best in the hub").labelled("Technical skill gain in the hub"),
        dormant_boost: f64 = rate(2.0, "factor", "how many times faster dormant skill regrows than new skill").labelled("Regrowth speed of dormant skill"),
        tech_decay: f64 = rate(0.003, "per week", "decay of unused tech").labelled("Technical skill decay"),
        domain_gain: f64 = rate(0.02, "per week", "domain knowledge gained per week of presence, reports, engagement or insight work on the unit").labelled("Domain knowledge gain"),
        domain_decay: f64 = rate(0.002, "per week", "decay of domain knowledge").labelled("Domain knowledge decay"),
        comm_gain: f64 = rate(0.01, "per week", "communication skill gained per week of engagement").labelled("Communication skill gain"),
        comm_decay: f64 = rate(0.001, "per week", "decay of communication skill towards 0.3").labelled("Communication skill decay"),
        // Structure costs (MODEL.md §9.4; φ = time share in the home unit, n_u = analysts at home in unit u).
        dual_overhead_base: f64 = level(0.04, "hub_and_spoke: weekly overhead of two line managers and two sets of objectives, taken before ad-hoc work").labelled("Overhead of two line managers"),
        dual_overhead_switch: f64 = level(0.06, "hub_and_spoke: weekly overhead of switching places at an even split: overhead = base + switch 4h(1 - h)").labelled("Overhead of switching places"),
        belonging_exponent: f64 = rate(2.0, "exponent", "beta in proximity 0.4 + 0.6 phi^beta r and presence contact phi^beta: a part-timer is a visitor").labelled("Penalty on part-time presence"),
        error_base: f64 = level(0.15, "probability an unchecked insight carries an undetected material error").labelled("Errors in unchecked insight"),
        qa_catch: f64 = level(0.6, "share of errors checking catches: error probability base (1 - catch checked), checked = (1 - phi) + phi (1 - 1/n_u)").labelled("Quality assurance catch rate"),
        distance_effort: f64 = rate(0.3, "factor", "extra ad-hoc and insight effort for a unit the analyst does not know: factor 1 + distance (1 - domain)").labelled("Extra effort for an unfamiliar unit"),
        // Feedback: motivation and quits.
        motivation_rate: f64 = level(0.02, "weekly pull of motivation towards its target").labelled("Pull of motivation to its target"),
        motivation_kpi: f64 = rate(0.3, "motivation", "how far KPI appraisal lowers the motivation target (less with psychological safety)").labelled("Motivation lost to KPI appraisal"),
        motivation_used: f64 = rate(0.02, "per use", "motivation gained when an analyst sees their work used").labelled("Motivation from seeing work used"),
        motivation_unread: f64 = rate(0.005, "per product", "motivation lost per product of theirs left unread").labelled("Motivation lost per unread product"),
        motivation_shaded: f64 = rate(0.01, "per finding", "motivation lost per finding they shaded").labelled("Motivation lost per shaded finding"),
        quit_motivation: f64 = rate(2.0, "1/motivation", "k in the quit hazard's factor exp(k (0.7 - motivation))").labelled("Sensitivity of quitting to motivation"),
        // Starting values: the state the initial team and each hire begin from.
        initial_split_reports: f64 = level(0.3, "the discretionary split's share for reports of the initial team, a hire and a post that changes role (the three shares sum to 1)").labelled("Starting time share on reports"),
        initial_split_insight: f64 = level(0.5, "the initial split's share for insight work").labelled("Starting time share on insight"),
        initial_split_engagement: f64 = level(0.2, "the initial split's share for extra engagement").labelled("Starting time share on engagement"),
        initial_tech_shape: f64 = rate(4.0, "Beta shape", "a in the initial team's tech = min(1, 2 initial_tech Beta(a, a)): larger is a more uniform team").labelled("Evenness of the team's starting skill"),
        initial_domain_home: f64 = level(0.3, "the initial team's domain knowledge of its home unit").labelled("Starting domain knowledge of the home unit"),
        initial_domain_other: f64 = level(0.05, "the initial team's domain knowledge of every other unit").labelled("Starting domain knowledge of other units"),
        initial_comm_translator: f64 = level(0.7, "the initial team's translators' communication skill").labelled("Starting communication skill of translators"),
        initial_comm_analyst: f64 = level(0.4, "the initial team's analysts' communication skill").labelled("Starting communication skill of analysts"),
        initial_motivation: f64 = level(0.7, "the initial team's motivation").labelled("Motivation of the team at the start"),
        initial_relationship: f64 = level(1.0, "how far the initial team's working relationships are built (1: an established team)").labelled("Working relationships at the start"),
        hire_comm_translator: f64 = level(0.6, "a hired translator's communication skill").labelled("Communication skill of a hired translator"),
        hire_comm_analyst: f64 = level(0.3, "a hired analyst's communication skill").labelled("Communication skill of a hired analyst"),
        hire_motivation: f64 = level(0.8, "a hire's motivation").labelled("Motivation of a new hire"),
    }
    /// Mechanisms switched off, for knock-out experiments.
    pub struct Switches {
        knockout: Knockouts = ParamSpec::set(Mechanism::NAMES,
            "mechanisms switched off, to measure what each moves (docs/datateam-odd.md, knock-outs): e.g. --set knockout=reading_budget,shading")
            .source(ODD).constant().labelled("Mechanisms switched off"),
    }
    /// Prices of every lever, in thousands a year (one-off where marked), in every mode (MODEL.md
    /// §9.5; sources in docs/datateam-odd.md). A post costs c_post(t) = on_cost (base + per_skill
    /// (t - 0.3)) + overhead at the skill t its holder was hired at.
    pub struct Prices {
        post_on_cost: f64 = ParamSpec::real(1.39, 1.0, f64::INFINITY, "factor",
            "employer on-costs on a salary: national insurance (13.8% above the threshold) and alpha pension (about 28%)")
            .source("HMRC 2023/24; alpha employer contribution rates 26.6-30.3%").constant().labelled("Employer on-cost factor"),
        post_base_salary: f64 = ParamSpec::real(34.5, 0.0, f64::INFINITY, "thousands/year",
            "salary of an analyst of tech 0.3 (HEO)")
            .source("Civil Service Statistics 2023: HEO about 34-35k").constant().labelled("Salary of a junior analyst"),
        post_salary_per_skill: f64 = ParamSpec::real(45.0, 0.0, f64::INFINITY, "thousands/year per skill",
            "salary per unit of tech above 0.3 (G7 at 0.8: about 57k)")
            .source("Civil Service Statistics 2023: SEO about 42-43k, G7 about 56-58k").constant().labelled("Salary per unit of skill"),
        post_overhead: f64 = ParamSpec::real(12.0, 0.0, f64::INFINITY, "thousands/year",
            "non-pay overhead of a post: accommodation, IT, corporate services (assumption)")
            .source(ODD).constant().labelled("Overhead per post"),
        translator_cost: f64 = ParamSpec::real(81.5, 0.0, f64::INFINITY, "thousands/year",
            "a translator (knowledge broker) post: 1.39 x 50 + 12, the midpoint of SEO and G7 (assumption)")
            .source("assumption; Lightowler & Knight 2013").constant().labelled("Cost of a translator post"),
        recruitment_cost: f64 = ParamSpec::real(3.0, 0.0, f64::INFINITY, "thousands",
            "one-off cost of each hire")
            .source("CIPD Resourcing and Talent Planning 2022").constant().labelled("Cost of a hire"),
        severance_share: f64 = ParamSpec::real(0.5, 0.0, f64::INFINITY, "years of salary",
            "one-off cost of cutting a filled post, as a share of its salary (6 years of service assumed)")
            .source("Civil Service Compensation Scheme").constant().labelled("Severance for a cut post"),
        infra_scale: f64 = ParamSpec::real(1000.0, 1.0, f64::INFINITY, "thousands/year",
            "infrastructure: a yearly spend S buys data quality and access 1 - (1 - floor) exp(-S/scale); a level x > floor costs scale ln((1 - floor)/(1 - x)) a year")
            .source(BRIEF).constant().labelled("Infrastructure cost scale"),
        infra_floor: f64 = ParamSpec::share(0.3,
            "infrastructure: the data quality and access of zero spend").source(BRIEF).constant().labelled("Data quality and access at zero spend"),
        training_fee: f64 = ParamSpec::real(20.0, 0.0, f64::INFINITY, "thousands/FTE-year",
            "course fees per full-time year of protected learning")
            .source("CIPD L&D surveys (assumption: technical training priced higher)").constant().labelled("Fees for training"),
        engagement_cost_share: f64 = ParamSpec::real(0.5, 0.0, f64::INFINITY, "posts/FTE",
            "unit-side time per analyst-FTE of engagement, priced at a G7 post c_post(0.8) (assumption)")
            .source(ODD).constant().labelled("Units' time per engagement FTE"),
        programme_base: f64 = ParamSpec::real(25.0, 0.0, f64::INFINITY, "thousands",
            "one-off cost of a scheduled change of levers or posts (a change programme)")
            .source("assumption scaled from NAO 2010").constant().labelled("Fixed cost of a change programme"),
        programme_per_move: f64 = ParamSpec::real(5.0, 0.0, f64::INFINITY, "thousands",
            "one-off cost per analyst whose structure or role a change programme changes")
            .source("assumption scaled from NAO 2010").constant().labelled("Cost per analyst a programme moves"),
    }
}

crate::declare_metrics! {
    static METRICS;
    /// What a run reports.
    pub struct Metrics {
        value_added = MetricSpec::new("effect SD × weeks", "welfare - welfare of the same world with no data team (the headline outcome)").headline().labelled("Value added").unit_meaning("the true effect of the policies in force, in standard deviations of the effects a policy can have, summed over the weeks of the run, over and above the same organisation with no data team"),
        uptake_rate = MetricSpec::new("share", "share of delivered insights that informed a decision (insights_used / insights_delivered)").headline().labelled("Uptake of insights").unit_meaning("a proportion from 0 (none) to 1 (all) of the insights delivered"),
        evidence_informed_share = MetricSpec::new("share", "share of decisions changed by products the unit read and understood").headline().labelled("Evidence-informed decisions").unit_meaning("a proportion from 0 (none) to 1 (all) of decisions"),
        trust = MetricSpec::new("0-1 scale", "mean trust of the units in the team: the mean of relational and competence trust").headline().labelled("Trust in the team").unit_meaning("a score from 0 (none) to 1 (complete)"),
        trust_relational = MetricSpec::new("0-1 scale", "mean relational (affect-based) trust of the units: built by contact, decays to a baseline").labelled("Relational trust").unit_meaning("a score from 0 (none) to 1 (complete)"),
        trust_competence = MetricSpec::new("0-1 scale", "mean competence (cognition-based) trust of the units: judged outcomes of advised decisions and visible delivery").labelled("Competence trust").unit_meaning("a score from 0 (none) to 1 (complete)"),
        tech = MetricSpec::new("0-1 skill", "mean technical skill of analysts in post").headline().labelled("Technical skill").unit_meaning("a skill level from 0 (none) to 1 (the best there is)"),
        welfare = MetricSpec::new("effect SD × weeks", "cumulative true effect of the policies in force, per problem-week, averaged over problems").labelled("Welfare").unit_meaning("the true effect of the policies in force, in standard deviations of the effects a policy can have, summed over the weeks of the run"),
        regret = MetricSpec::new("effect SD × weeks", "cumulative gap to the best option each week (averaged over problems)").lower_is_better().labelled("Regret").unit_meaning("the gap to the best policy each week, in standard deviations of the effects a policy can have, summed over the weeks of the run"),
        decision_accuracy = MetricSpec::new("share", "share of decisions that picked the then-best option").labelled("Decisions that picked the best option").unit_meaning("a proportion from 0 (none) to 1 (all) of decisions"),
        error_rate = MetricSpec::new("share", "share of delivered insights carrying an undetected material error (isolation: fewer peers, less checking)").lower_is_better().labelled("Insights with undetected errors").unit_meaning("a proportion from 0 (none) to 1 (all) of the insights delivered"),
        counted_outputs = MetricSpec::new("products", "what a KPI dashboard counts: reports, ad-hoc answers and insights delivered (cumulative)").labelled("Counted outputs").unit_meaning("a count of reports, ad-hoc answers and insights over the run"),
        insights_delivered = MetricSpec::new("insights", "insight products finished (cumulative)").labelled("Insights delivered").unit_meaning("a count of insight products over the run"),
        insights_used = MetricSpec::new("insights", "insights that informed a decision (cumulative)").labelled("Insights used in decisions").unit_meaning("a count of insight products over the run"),
        unread_share = MetricSpec::new("share", "share of resolved products (read, or expired unread at their shelf life) that expired unread; reports as expected counts, ad-hoc answers not included").lower_is_better().labelled("Products never read").unit_meaning("a proportion from 0 (none) to 1 (all) of the products that were read or expired"),
        unread_reports = MetricSpec::new("share", "reports that expired unread / reports resolved (read or expired), as expected counts").lower_is_better().labelled("Reports never read").unit_meaning("a proportion from 0 (none) to 1 (all) of the reports that were read or expired"),
        unread_insights = MetricSpec::new("share", "insights that expired unread / insights resolved (read or expired)").lower_is_better().labelled("Insights never read").unit_meaning("a proportion from 0 (none) to 1 (all) of the insights that were read or expired"),
        attention_used = MetricSpec::new("share", "share of the units' reading budget spent: (adhoc_read_cost x ad-hoc answers + products read) / attention, capped at 1, mean over unit-weeks with a team (unit-weeks with attention 0 not counted)").labelled("Reading time used").unit_meaning("a proportion from 0 (none) to 1 (all) of the units' reading time"),
        late_share = MetricSpec::new("share", "share of commissioned insights finished after the window they were commissioned for").lower_is_better().labelled("Commissioned insights delivered late").unit_meaning("a proportion from 0 (none) to 1 (all) of commissioned insights"),
        care = MetricSpec::new("probability", "mean probability that an analyst in post works carefully in a planning period (else fast: quicker, lower quality, noisier)").labelled("Careful work").unit_meaning("a probability from 0 (always rushed) to 1 (always careful)"),
        literacy = MetricSpec::new("0-1 scale", "mean literacy of the units").labelled("Data literacy of units").unit_meaning("a score from 0 (none) to 1 (complete)"),
        domain = MetricSpec::new("0-1 skill", "mean domain knowledge of analysts of their home (main) unit").labelled("Domain knowledge").unit_meaning("a skill level from 0 (none) to 1 (the best there is)"),
        comm = MetricSpec::new("0-1 skill", "mean communication skill of analysts").labelled("Communication skill").unit_meaning("a skill level from 0 (none) to 1 (the best there is)"),
        motivation = MetricSpec::new("0-1 scale", "mean motivation of analysts").labelled("Analyst motivation").unit_meaning("a score from 0 (none) to 1 (complete)"),
        headcount = MetricSpec::new("staff", "staff in post (posts in force - vacancies)").labelled("Staff in post").unit_meaning("a count of people"),
        vacancies = MetricSpec::new("posts", "empty posts").lower_is_better().labelled("Vacant posts").unit_meaning("a count of posts"),
        quits = MetricSpec::new("people", "cumulative voluntary leavers (posts cut by a schedule are not quits)").lower_is_better().labelled("Analysts who quit").unit_meaning("a count of people over the run"),
        time_adhoc = MetricSpec::new("share of time", "share of analyst time on ad-hoc answers (EWMA over ~a quarter)").labelled("Time on ad-hoc requests").unit_meaning("a proportion of analysts' working time, from 0 to 1"),
        time_reports = MetricSpec::new("share of time", "share of analyst time on KPI reports (EWMA over ~a quarter)").labelled("Time on reports").unit_meaning("a proportion of analysts' working time, from 0 to 1"),
        time_insight = MetricSpec::new("share of time", "share of analyst time on insight work (EWMA over ~a quarter)").labelled("Time on insight").unit_meaning("a proportion of analysts' working time, from 0 to 1"),
        time_engagement = MetricSpec::new("share of time", "share of analyst time working with units (EWMA over ~a quarter)").labelled("Time on engagement").unit_meaning("a proportion of analysts' working time, from 0 to 1"),
        time_learning = MetricSpec::new("share of time", "share of analyst time in training (EWMA over ~a quarter)").labelled("Time on learning").unit_meaning("a proportion of analysts' working time, from 0 to 1"),
        cost = MetricSpec::new("£k", "cumulative spend: posts in post, translators, infrastructure, training fees, units' engagement time, and one-off hires, cuts and change programmes").lower_is_better().labelled("Cost").unit_meaning("thousands of pounds (£k), summed over the run"),
        value_per_cost = MetricSpec::new("effect SD × weeks per thousand", "value_added per thousand spent (0 while nothing is spent)").labelled("Value for money").unit_meaning("value added (effect SD × weeks) per thousand pounds spent"),
    }
}

crate::declare_metrics! {
    /// Each unit's own metrics (the opt-in per-unit output). A unit's welfare averages over its own
    /// problems as `welfare` does over all of them; units hold equal numbers of problems, so the mean
    /// over units of the per-unit `value_added` is the run's `value_added` (up to rounding).
    static UNIT_METRICS;
    /// One unit's metrics.
    pub struct UnitMetrics {
        value_added = MetricSpec::new("effect SD × weeks",
            "the unit's welfare - the same unit's welfare in the same world with no data team; the mean over units is value_added").labelled("Value added").unit_meaning("the true effect of the policies in force, in standard deviations of the effects a policy can have, summed over the weeks of the run, over and above the same unit with no data team"),
        welfare = MetricSpec::new("effect SD × weeks",
            "cumulative true effect of the unit's policies in force, per problem-week, averaged over the unit's problems").labelled("Welfare").unit_meaning("the true effect of the policies in force, in standard deviations of the effects a policy can have, summed over the weeks of the run"),
        trust = MetricSpec::new("0-1 scale", "the unit's trust in the team").labelled("Trust in the team").unit_meaning("a score from 0 (none) to 1 (complete)"),
        literacy = MetricSpec::new("0-1 scale", "the unit's literacy").labelled("Data literacy").unit_meaning("a score from 0 (none) to 1 (complete)"),
    }
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
    pub eval_coverage: f64,
    pub dashboard_weight: f64,
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

impl Inputs {
    /// The appraisal weight on counted outputs: from `kpi_weight`, else from `incentive`, else mixed.
    pub fn appraisal_weight(&self) -> f64 {
        self.kpi_weight
            .unwrap_or_else(|| self.incentive.unwrap_or(Incentive::Mixed).kpi_weight())
    }

    /// The levers in force: in budget mode the budget buys the infrastructure at `prices`.
    pub fn levers(&self, prices: &Prices) -> Levers {
        let (mut data_quality, mut data_access) = (self.data_quality, self.data_access);
        if let Some(budget) = self.budget {
            let (_, q, a) = budget_allocation(
                budget,
                self.people_share,
                self.translators,
                self.initial_tech,
                prices,
            );
            data_quality = q;
            data_access = a;
        }
        Levers {
            structure: self.structure,
            hub_share: self.hub_share,
            kpi_weight: self.appraisal_weight(),
            learning_share: self.learning_share,
            engagement_share: self.engagement_share,
            adhoc_shield: self.adhoc_shield,
            psych_safety: self.psych_safety,
            hire_tech: self.hire_tech,
            data_quality,
            data_access,
        }
    }

    pub fn environment(&self) -> Environment {
        Environment {
            turbulence: self.turbulence,
            politics: self.politics,
            adhoc_rate: self.adhoc_rate,
            attention: self.attention,
            obs_noise: self.obs_noise,
            status_quo_bias: self.status_quo_bias,
            forgetting: self.forgetting,
            base_quit_rate: self.base_quit_rate,
            hiring_delay: self.hiring_delay,
            decision_interval: self.decision_interval,
            decision_notice: self.decision_notice,
            eval_coverage: self.eval_coverage,
            dashboard_weight: self.dashboard_weight,
            eval_lag: self.eval_lag,
            election_interval: self.election_interval,
        }
    }

    /// What is fixed at the start of a run; in budget mode the budget buys the posts at `prices`.
    pub fn setup(&self, prices: &Prices) -> Setup {
        let posts = match self.budget {
            Some(b) => {
                budget_allocation(
                    b,
                    self.people_share,
                    self.translators,
                    self.initial_tech,
                    prices,
                )
                .0
            }
            None => self.analysts,
        };
        Setup {
            units: self.units,
            problems_per_unit: self.problems_per_unit,
            options: self.options,
            posts,
            translators: self.translators,
            initial_tech: self.initial_tech,
            dormant_skill: self.dormant_skill,
            literacy: self.literacy,
            trust: self.trust,
            prior_noise: self.prior_noise,
            insight_effort: self.insight_effort,
            budget: self.budget,
        }
    }
}

/// The levers of validated parameters (shorthand for tests of the mechanisms).
#[cfg(test)]
pub fn read_levers(params: &Params) -> Levers {
    Inputs::read(params).levers(&Prices::read(params))
}

/// The environment of validated parameters (shorthand for tests of the mechanisms).
#[cfg(test)]
pub fn read_environment(params: &Params) -> Environment {
    Inputs::read(params).environment()
}

/// The setup of validated parameters (shorthand for tests of the mechanisms).
#[cfg(test)]
pub fn read_setup(params: &Params) -> Setup {
    Inputs::read(params).setup(&Prices::read(params))
}

/// Budget mode: (posts, data_quality, data_access) bought by a yearly budget at `prices`. The people
/// money buys the `translators` posts at their price first, then analyst posts at the cost of the
/// team in post, c_post(`initial_tech`); the rest buys infrastructure.
pub fn budget_allocation(
    budget: f64,
    people_share: f64,
    translators: usize,
    initial_tech: f64,
    prices: &Prices,
) -> (usize, f64, f64) {
    let people = budget * people_share;
    let for_analysts = people - translators as f64 * prices.translator_cost;
    // 1e-9: a budget written as an exact multiple of a post's cost buys that many posts.
    let posts = if for_analysts < 0.0 {
        // Not even the translators: as many translator posts as the money buys (and the check
        // refuses translators > posts).
        (people / prices.translator_cost + 1e-9).floor() as usize
    } else {
        translators + (for_analysts / prices.post_cost(initial_tech) + 1e-9).floor() as usize
    };
    let level = prices.infrastructure_level(budget * (1.0 - people_share));
    (posts, level, level)
}

/// A level of data quality or access above this is priced as this: the price curve reaches
/// infinity at 1 (perfect data is unaffordable), and an infinite cost would make every mean of it
/// infinite.
const PRICED_LEVEL_MAX: f64 = 0.999;

impl Prices {
    /// A post's salary (before on-costs) for skill `tech`.
    pub fn salary(&self, tech: f64) -> f64 {
        self.post_base_salary + self.post_salary_per_skill * (tech - 0.3)
    }

    /// c_post(t): a post's yearly cost for skill `tech` (60 at 0.3, 72.5 at 0.5, 91 at 0.8).
    pub fn post_cost(&self, tech: f64) -> f64 {
        self.post_on_cost * self.salary(tech) + self.post_overhead
    }

    /// A translator's salary (before on-costs), for severance.
    pub fn translator_salary(&self) -> f64 {
        (self.translator_cost - self.post_overhead) / self.post_on_cost
    }

    /// The data quality (or access) a yearly infrastructure spend buys.
    pub fn infrastructure_level(&self, spend: f64) -> f64 {
        1.0 - (1.0 - self.infra_floor) * (-spend / self.infra_scale).exp()
    }

    /// C(x): the yearly spend that buys level `x` (the inverse of `infrastructure_level`); 0 at or
    /// below the floor.
    pub fn infrastructure_spend(&self, level: f64) -> f64 {
        if level <= self.infra_floor {
            return 0.0;
        }
        let level = level.min(PRICED_LEVEL_MAX);
        self.infra_scale * ((1.0 - self.infra_floor) / (1.0 - level)).ln()
    }

    /// The yearly infrastructure cost of the levels in force: ½[C(data_quality) + C(data_access)].
    pub fn infrastructure(&self, data_quality: f64, data_access: f64) -> f64 {
        0.5 * (self.infrastructure_spend(data_quality) + self.infrastructure_spend(data_access))
    }

    /// The units' time a full-time year of engagement takes, priced at a G7 post.
    pub fn engagement_per_fte(&self) -> f64 {
        self.engagement_cost_share * self.post_cost(0.8)
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
         Costs, in every mode (thousands a year at the default prices; docs/datateam-odd.md): a post \
         in post costs c_post(t) = 1.39 (34.5 + 45 (t - 0.3)) + 12 at the skill it was filled at \
         (initial_tech for the initial team, hire_tech for hires: 72.5 at 0.5), a translator 81.5; \
         infrastructure 1000 ln(0.7/(1 - x)) a year for each of data_quality and data_access above \
         0.3, halved (448 at the defaults); training fees 20 per FTE-year of learning; units' time \
         45.6 per analyst-FTE-year of engagement; one-off 3 per hire, half a salary per cut filled \
         post, and 25 + 5 per analyst moved (structure or role) at a scheduled change of levers or \
         posts. cost is the cumulative spend and value_per_cost = value_added / cost.\n\
         Budget mode (set `budget`, thousands a year): the people share buys the translators' posts \
         at 81.5, then analyst posts at c_post(initial_tech) (3000 at people_share 0.8 buys 33 \
         posts at the defaults); data_quality = data_access = 1 - 0.7 * exp(-budget * (1 - \
         people_share) / 1000) (so 500 a year on infrastructure gives 0.58, 1000 gives 0.74); \
         `analysts`, `data_quality` and `data_access` are then ignored. cost is the spend as in \
         every mode: vacancies save, training and engagement come on top.\n\
         Schedules: every parameter marked 'can be scheduled' may change mid-run; a structure change \
         re-routes new requests and resets working relationships (they rebuild over about 26 weeks). \
         Headcount can change too: more `analysts` (or a bigger budget) adds vacant posts that junior \
         hires fill after hiring_delay weeks; fewer removes posts from the highest down, their holders \
         leaving as on a quit (requests unmet, work released) without counting as quits; a change of \
         `translators` converts posts (post i is a translator iff i < translators), each keeping its \
         person, who starts the new role afresh. In budget mode schedule `budget` or `people_share`, \
         not `analysts`, `data_quality` or `data_access` (the budget sets them); cost then follows \
         the budget in force week by week. \
         A change's dip and recovery are measured on the ensemble, not per run: with [[option]]s \
         and a schedule, the analysis writes change.csv (paired option - baseline value_added, \
         with a simultaneous band) and change_trajectory.csv.\n\
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
        Inputs::read(params).units
    }
    fn default_ticks(&self) -> u64 {
        260
    }
    fn tick_unit(&self) -> &'static str {
        "week"
    }
    fn leaves_out(&self) -> (&'static str, &'static str) {
        (
            "A chosen policy is delivered perfectly; welfare is a mean effect, not its spread across people; the politics of the team's own budget, analysts' careers beyond quitting and hiring, and the disruption of changing headcount beyond its money are not represented.",
            "docs/datateam-odd.md, section 5 (What the model does not represent)",
        )
    }
    fn check(&self, params: &Params) -> Result<(), String> {
        let inputs = Inputs::read(params);
        if inputs.incentive.is_some() && inputs.kpi_weight.is_some() {
            return Err(
                "give either `incentive` or `kpi_weight`, not both (incentive is kpi = 1, mixed = 0.5, impact = 0)"
                    .into(),
            );
        }
        let (interval, notice) = (inputs.decision_interval, inputs.decision_notice);
        if interval <= notice as f64 {
            return Err(format!(
                "decision_interval ({interval}) must exceed decision_notice ({notice}): windows are announced decision_notice weeks ahead"
            ));
        }
        let constants = Constants::read(params);
        if constants.sigma_min > constants.sigma_max {
            return Err(format!(
                "sigma_min ({}) cannot exceed sigma_max ({}): insight noise runs from sigma_min at data_quality 1 to sigma_max at 0",
                constants.sigma_min, constants.sigma_max
            ));
        }
        let split = constants.initial_split();
        if (split.iter().sum::<f64>() - 1.0).abs() > 1e-9 {
            return Err(format!(
                "initial_split_reports, initial_split_insight and initial_split_engagement must sum to 1 (they sum to {}): they are shares of the discretionary week",
                split.iter().sum::<f64>()
            ));
        }
        let setup = inputs.setup(&Prices::read(params));
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
        if Inputs::read(before).budget.is_some() {
            // The budget buys the posts and the infrastructure: setting them too would be ignored.
            if let Some(name) = [Inputs::analysts, Inputs::data_quality, Inputs::data_access]
                .into_iter()
                .find(|n| sets(n))
            {
                return Err(format!(
                    "`{name}` cannot be scheduled in budget mode: the budget sets the posts and the infrastructure; schedule `budget` or `people_share` instead"
                ));
            }
        } else if let Some(name) = [Inputs::budget, Inputs::people_share]
            .into_iter()
            .find(|n| sets(n))
        {
            let both = if sets(Inputs::analysts) && name == Inputs::budget {
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
            Constants::read(params),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_maps_money_to_posts_and_infrastructure() {
        let prices = Prices::defaults();
        // 2400 for people at c_post(0.5) = 72.5 buys 33 posts; 600 for infrastructure.
        let (posts, q, a) = budget_allocation(3000.0, 0.8, 0, 0.5, &prices);
        assert_eq!(posts, 33);
        assert!((q - (1.0 - 0.7 * (-0.6f64).exp())).abs() < 1e-12);
        assert_eq!(q, a);
        // Translators are bought first at 81.5: 4 of them leave 2074, 28 analyst posts.
        assert_eq!(budget_allocation(3000.0, 0.8, 4, 0.5, &prices).0, 32);
        // An exact multiple of c_post(0.5) = 72.465 buys that many posts.
        assert_eq!(budget_allocation(724.65, 1.0, 0, 0.5, &prices).0, 10);
        let (posts, q, _) = budget_allocation(0.0, 0.5, 0, 0.5, &prices);
        assert_eq!(posts, 0);
        assert!((q - prices.infra_floor).abs() < 1e-12);
    }

    #[test]
    fn prices_are_the_briefs() {
        let p = Prices::defaults();
        for (tech, cost) in [(0.3, 60.0), (0.5, 72.5), (0.8, 91.0)] {
            assert!((p.post_cost(tech) - cost).abs() < 0.25, "c_post({tech}) = {}", p.post_cost(tech));
        }
        assert!((p.post_cost(0.5) - 72.465).abs() < 1e-9);
        assert!((p.translator_salary() - 50.0).abs() < 1e-9);
        // Infrastructure at the defaults: C(0.6) ≈ 560, C(0.5) ≈ 336, mean ≈ 448.
        assert!((p.infrastructure_spend(0.6) - 559.6).abs() < 0.1);
        assert!((p.infrastructure_spend(0.5) - 336.5).abs() < 0.1);
        assert!((p.infrastructure(0.6, 0.5) - 448.0).abs() < 0.1);
        assert_eq!(p.infrastructure(0.3, 0.1), 0.0);
        assert!(p.infrastructure(1.0, 1.0).is_finite());
        // The price curve inverts the budget curve.
        let level = p.infrastructure_level(600.0);
        assert!((p.infrastructure_spend(level) - 600.0).abs() < 1e-9);
        // Engagement: half a G7 post per analyst-FTE.
        assert!((p.engagement_per_fte() - 45.5).abs() < 0.15);
    }

    #[test]
    fn incentive_and_kpi_weight_exclude_each_other() {
        use crate::engine::params::Value;
        let mut p = Params::defaults(PARAMS);
        assert_eq!(Inputs::read(&p).appraisal_weight(), 0.5);
        assert!(DataTeam.check(&p).is_ok());
        p.set("incentive", Value::Text("kpi".into()));
        assert_eq!(Inputs::read(&p).appraisal_weight(), 1.0);
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
