//! Transmission (MODEL.md §9.1, replacing §2.5's *read*): translators carry insights, then reports;
//! what is delivered joins the unit's inbox; each unit's reader spends a weekly budget of
//! `attention` reads — ad-hoc answers first, then inbox products by Luce choice against other
//! business — and what is read is understood (or misread) and believed with weight trust/σ² that
//! week; read insights are kept for the problem's next window. What waits too long expires unread,
//! which costs its producer motivation. Every belief update is also recorded as this window's
//! evidence in the ledger.

use rand::Rng as _;

use super::Team;
use super::inbox::HeldInsight;
use super::ledger::Product;
use super::scratch::ReportReads;
use crate::engine::normal::standard_normal;
use crate::models::datateam::transmission::{self as tx, Kind};
use crate::models::datateam::units::Units;
use crate::models::datateam::world::{World, argmax};
use crate::models::datateam::{Environment, Mechanism};

/// The reports a unit read this week, as evidence about each of its problems: the same for all of
/// them (expected counts, each problem's share of what was read), so it is worked out once per unit.
#[derive(Debug, Clone, Copy)]
struct ReportEvidence {
    /// The standard deviation of the noise of the mean of the reports read on one problem.
    noise_sd: f64,
    /// The weight units give it: `steering`·m/σ_r².
    weight: f64,
    /// The precision the reports state: m/σ_r².
    stated: f64,
}

impl Team {
    /// The salience factor of what a translator carries (×2; ×1 with `translator_salience` off).
    fn translation(&self) -> f64 {
        if self.off.contains(Mechanism::TranslatorSalience) {
            1.0
        } else {
            2.0
        }
    }

    /// Translators carry this week's insights first, then its reports, up to their capacity per
    /// unit.
    pub(super) fn translate(&mut self) {
        let translation = self.translation();
        let s = &mut self.scratch;
        for d in &mut s.deliveries {
            let unit = self.unit_of[d.problem];
            if s.translator_capacity[unit] >= 1.0 {
                s.translator_capacity[unit] -= 1.0;
                d.translated = true;
            }
        }
        for unit in 0..self.units {
            let (count, capacity) = (self.inbox.fresh_reports(unit), s.translator_capacity[unit]);
            if count > 0.0 && capacity > 0.0 {
                let share = (capacity / count).min(1.0);
                let comm = s.translator_comm[unit];
                self.inbox.carry_reports(unit, share, translation, comm);
            }
        }
    }

    pub(super) fn transmit(&mut self, world: &World, units: &mut Units, env: &Environment) {
        self.shelve_deliveries();
        for u in 0..self.units {
            let answers = self.scratch.answered[u];
            self.scratch.reading_budget[u] = tx::reading_budget(env.attention, answers, &self.c);
        }
        self.weigh_inbox(world);
        self.set_read_chances();
        self.read_insights(units);
        self.read_reports(world, units, env);
        self.count_attention(env);
        self.expire_unread();
    }

    /// This week's insights join their units' inboxes, carrying what their salience is made of.
    fn shelve_deliveries(&mut self) {
        let translation = self.translation();
        for j in 0..self.scratch.deliveries.len() {
            let d = self.scratch.deliveries[j];
            let unit = self.unit_of[d.problem];
            let producer_comm = self.analysts[d.producer].comm;
            let (translation, comm) = if d.translated {
                (translation, producer_comm.max(self.scratch.translator_comm[unit]))
            } else {
                (1.0, producer_comm)
            };
            self.inbox.hold(HeldInsight {
                unit,
                problem: d.problem,
                producer: d.producer,
                generation: d.generation,
                for_window: d.for_window,
                proximity: d.proximity,
                translation,
                comm,
                sigma2: d.sigma2,
                x: d.x,
                fast: d.fast,
                age: 0,
                salience: 0.0,
                p_read: 0.0,
            });
        }
    }

    /// Every waiting product's salience this week, each inbox's total S and its unit's reader;
    /// the buckets' saliences and readers go straight into the week's reading batch.
    fn weigh_inbox(&mut self, world: &World) {
        let c = &self.c;
        let s = &mut self.scratch;
        for j in 0..self.inbox.insights.len() {
            let h = &self.inbox.insights[j];
            let commissioned = h.for_window == Some(world.windows_reached[h.problem]);
            let kind = if commissioned {
                Kind::TimelyCommissioned
            } else {
                Kind::OtherInsight
            };
            let salience = tx::salience(
                tx::relevance(kind, c),
                tx::timeliness(world.window_at[h.problem].is_some(), c),
                self.inbox.staleness(h.age),
                h.proximity,
                tx::trust_factor(self.trust[h.unit], c),
                h.translation,
            );
            s.inbox_salience[h.unit] += salience;
            self.inbox.insights[j].salience = salience;
        }
        let (ppu, life) = (self.problems_per_unit, self.inbox.report_life);
        let buckets = self.units * life;
        s.batch_readers.resize(buckets, tx::Reader::new(0.0, 0.0, 0.0));
        s.batch_saliences.resize(buckets, 0.0);
        for u in 0..self.units {
            // Reports go to all of the unit's problems alike: their timeliness is the mean τ.
            let problems = u * ppu..(u + 1) * ppu;
            let announced = problems
                .map(|p| tx::timeliness(world.window_at[p].is_some(), c))
                .sum::<f64>();
            let timeliness = announced / ppu as f64;
            let trust = tx::trust_factor(self.trust[u], c);
            let (ring, bucket_stale) = self.inbox.ring_mut(u);
            let saliences = &mut s.batch_saliences[u * life..(u + 1) * life];
            let mut total = s.inbox_salience[u];
            for ((b, &stale), salience) in ring.iter().zip(bucket_stale).zip(saliences) {
                let count = b.count;
                // An empty bucket has salience 0, so chance 0, and is never read.
                *salience = 0.0;
                if count <= 0.0 {
                    continue;
                }
                let base = b.salience / count;
                let mean = tx::salience(base, timeliness, stale, 1.0, trust, 1.0);
                *salience = mean;
                total += count * mean;
            }
            s.inbox_salience[u] = total;
            let reader = tx::Reader::new(total, c.reading_outside, s.reading_budget[u]);
            s.readers[u] = reader;
            s.batch_readers[u * life..(u + 1) * life].fill(reader);
        }
    }

    /// Every waiting product's chance of being read this week, all computed in one batch
    /// (`tx::read_probabilities`) before any is read, so that their independent arithmetic
    /// overlaps: Luce choice over each reader's budget, or, with the reading budget knocked out,
    /// every product read the week it arrives. Each unit's reports read (expected counts) leave
    /// their buckets here.
    fn set_read_chances(&mut self) {
        let s = &mut self.scratch;
        let life = self.inbox.report_life;
        let buckets = self.units * life;
        let n = buckets + self.inbox.insights.len();
        s.batch_readers.resize(n, tx::Reader::new(0.0, 0.0, 0.0));
        s.batch_saliences.resize(n, 0.0);
        s.batch_chances.resize(n, 0.0);
        let insight_entries = s.batch_readers[buckets..]
            .iter_mut()
            .zip(&mut s.batch_saliences[buckets..]);
        for (h, (reader, salience)) in self.inbox.insights.iter().zip(insight_entries) {
            *reader = s.readers[h.unit];
            *salience = h.salience;
        }
        if self.off.contains(Mechanism::ReadingBudget) {
            s.batch_chances.fill(1.0);
        } else {
            tx::read_probabilities(&s.batch_readers, &s.batch_saliences, &mut s.batch_chances);
        }
        let (bucket_chances, insight_chances) = s.batch_chances.split_at(buckets);
        for (h, &p) in self.inbox.insights.iter_mut().zip(insight_chances) {
            h.p_read = p;
        }
        let rings = self.inbox.reports.chunks_exact_mut(life);
        for ((ring, chances), reads) in rings.zip(bucket_chances.chunks_exact(life)).zip(&mut s.report_reads) {
            let (mut read, mut comm, mut fast) = (0.0, 0.0, 0.0);
            for (b, &p_read) in ring.iter_mut().zip(chances) {
                if b.count <= 0.0 {
                    continue;
                }
                read += b.count * p_read;
                comm += b.comm * p_read;
                fast += b.fast * p_read;
                b.keep(1.0 - p_read);
            }
            *reads = ReportReads { read, comm, fast };
        }
    }

    /// Each waiting insight is read with one draw on the transmission stream, and leaves the inbox.
    fn read_insights(&mut self, units: &mut Units) {
        let mut j = 0;
        while j < self.inbox.insights.len() {
            if self.transmission.random::<f64>() < self.inbox.insights[j].p_read {
                let h = self.inbox.insights.swap_remove(j);
                self.read_insight(h, units);
            } else {
                j += 1;
            }
        }
    }

    /// An insight read: understood or misread, believed, and kept for its problem's next window.
    fn read_insight(&mut self, h: HeldInsight, units: &mut Units) {
        let k = self.options;
        let unit = h.unit;
        self.counters.insights_read += 1.0;
        self.scratch.reads[unit] += 1.0;
        let p_understood = tx::understood_probability(self.literacy[unit], h.comm);
        let understood = self.transmission.random::<f64>() < p_understood;
        if understood {
            self.scratch.understood[unit] += 1.0;
        }
        let t = self.trust[unit];
        let weight = t / h.sigma2;
        let base = h.problem * k;
        for o in 0..k {
            let x = if understood {
                h.x[o]
            } else {
                let z: f64 = standard_normal(&mut self.transmission);
                h.x[o] + self.c.misread_noise * z
            };
            let believed = units.believe(base + o, x, weight);
            self.ledger.add_evidence(base + o, weight, x, believed);
            self.ledger.add_stated(base + o, 1.0 / h.sigma2, x);
        }
        // A product's own estimate decides, at the window, whether it was used.
        self.ledger.keep(
            h.problem,
            Product {
                producer: h.producer,
                generation: h.generation,
                best: argmax(&h.x[..k]),
                fast: h.fast,
            },
        );
    }

    /// Reports, aggregated: what each unit read this week (expected counts, taken from its
    /// buckets by `set_read_chances`) is understood at the read reports' mean skill and believed in
    /// one closed-form update per problem.
    fn read_reports(&mut self, world: &World, units: &mut Units, env: &Environment) {
        let ppu = self.problems_per_unit;
        // How far units act on what their dashboards say (ω_d), once a week, not per problem.
        let steering = if self.off.contains(Mechanism::DashboardSteering) {
            0.0
        } else {
            env.dashboard_weight
        };
        for u in 0..self.units {
            let ReportReads { read, comm, fast } = self.scratch.report_reads[u];
            if read <= 0.0 {
                continue;
            }
            self.counters.reports_read += read;
            self.scratch.reads[u] += read;
            let p_understood = tx::understood_probability(self.literacy[u], comm / read);
            self.scratch.understood[u] += read * p_understood;
            let fast_share = (fast / read).clamp(0.0, 1.0);
            let m = read / ppu as f64;
            if m <= 1e-12 {
                continue;
            }
            let evidence = self.report_evidence(steering * self.trust[u], m, p_understood, fast_share);
            for p in u * ppu..(u + 1) * ppu {
                self.believe_reports(p, evidence, world, units);
            }
        }
    }

    /// `m` reports read this week on each of a unit's problems, `p_understood` of them understood
    /// and `fast_share` made fast: the noise of their mean — σ_r for careful reports, κσ_r for fast
    /// ones (κ = `fast_report_noise`, MODEL.md §9.3 (i)), plus the misread share's extra noise —
    /// and their weight `steering`·m/σ_r² (`steering` = ω_d·T; units take the reports' stated,
    /// careful σ_r, so fast reports are over-trusted).
    fn report_evidence(
        &self,
        steering: f64,
        m: f64,
        p_understood: f64,
        fast_share: f64,
    ) -> ReportEvidence {
        let rn2 = self.c.report_noise * self.c.report_noise;
        let mn2 = self.c.misread_noise * self.c.misread_noise;
        let kappa2 = self.c.fast_report_noise * self.c.fast_report_noise;
        let misread = m * (1.0 - p_understood);
        let made = m * rn2 * (1.0 + fast_share * (kappa2 - 1.0));
        let var = (made + misread * mn2) / (m * m);
        ReportEvidence {
            noise_sd: var.sqrt(),
            weight: steering * m / rn2,
            stated: m / rn2,
        }
    }

    /// The reports read this week on problem `problem`: one closed-form update of the option in
    /// force, x = θ + KPI gap + bias + noise.
    fn believe_reports(
        &mut self,
        problem: usize,
        evidence: ReportEvidence,
        world: &World,
        units: &mut Units,
    ) {
        let k = self.options;
        let z: f64 = standard_normal(&mut self.transmission);
        let bias_sd = self.c.report_bias * (1.2 - self.levers.data_quality);
        let index = problem * k + units.policy[problem];
        // A dashboard reports the measure, not the outcome: the option's KPI gap and the unit's bias
        // persist while the noise averages out (MODEL.md §9.3 ii).
        let x = world.theta[index]
            + self.c.kpi_gap * world.kpi_gap_draw[index]
            + bias_sd * world.bias_draw[problem]
            + evidence.noise_sd * z;
        let believed = units.believe(index, x, evidence.weight);
        self.ledger.add_evidence(index, evidence.weight, x, believed);
        self.ledger.add_stated(index, evidence.stated, x);
    }

    /// The share of each unit's reading budget spent this week: ad-hoc answers' reads plus products
    /// read, over `attention`, capped at 1 (uncounted when there is no attention to spend).
    fn count_attention(&mut self, env: &Environment) {
        if env.attention <= 0.0 {
            return;
        }
        let s = &self.scratch;
        for u in 0..self.units {
            let spent = self.c.adhoc_read_cost * s.answered[u] + s.reads[u];
            self.counters.attention_used += (spent / env.attention).min(1.0);
        }
        self.counters.reading_weeks += self.units as f64;
    }

    /// Products at their shelf life expire unread; each costs its producer motivation (reports
    /// as the expected part of each analyst's reports in the expiring bucket).
    fn expire_unread(&mut self) {
        let analysts = &mut self.analysts;
        let mut own_unread = |post: usize, generation: u32, n: f64| {
            // A post cut or given a new holder since: nobody now in post made it.
            if let Some(a) = analysts.get_mut(post)
                && a.in_post
                && a.generation == generation
            {
                a.week_unread += n;
            }
        };
        self.counters.reports_expired += self.inbox.expire_reports(&mut own_unread);
        self.counters.insights_expired += self
            .inbox
            .expire_insights(|post, generation| own_unread(post, generation, 1.0));
    }
}
