//! Transmission (MODEL.md §2 step 5): translators carry insights, then reports; each unit attends to
//! what its attention allows; read insights are understood (or misread) and believed with weight
//! trust/σ², and kept for the problem's next window; reports are read as expected counts and believed
//! in one closed-form update per problem. Every belief update is also recorded as this window's
//! evidence in the ledger.

use rand::Rng as _;

use super::Team;
use super::ledger::Product;
use super::scratch::Delivery;
use crate::engine::normal::standard_normal;
use crate::models::datateam::Environment;
use crate::models::datateam::transmission as tx;
use crate::models::datateam::units::Units;
use crate::models::datateam::world::{World, argmax};

/// Units a team can serve (the per-unit attention terms live on the stack).
const MAX_UNITS: usize = 64;

/// Per unit this week: how much translators lift reports' salience, and the share of what arrives
/// that attention lets through.
struct Attention {
    report_boost: [f64; MAX_UNITS],
    overload: [f64; MAX_UNITS],
}

impl Team {
    /// Translators carry insights first, then reports, up to their capacity per unit.
    pub(super) fn translate(&mut self) {
        let s = &mut self.scratch;
        for d in &mut s.deliveries {
            let unit = self.unit_of[d.problem];
            if s.translator_capacity[unit] >= 1.0 {
                s.translator_capacity[unit] -= 1.0;
                d.translated = true;
                d.salience = (2.0 * d.salience).min(1.0);
            }
            s.insight_salience[unit] += d.salience;
        }
    }

    pub(super) fn transmit(&mut self, world: &World, units: &mut Units, env: &Environment) {
        let attention = self.attention(env);
        for j in 0..self.scratch.deliveries.len() {
            let d = self.scratch.deliveries[j];
            self.read_insight(d, &attention, units);
        }
        self.read_reports(&attention, world, units);
        self.count_own_unread(&attention);
    }

    fn attention(&self, env: &Environment) -> Attention {
        let s = &self.scratch;
        let mut overload = [0.0f64; MAX_UNITS];
        let mut report_boost = [1.0f64; MAX_UNITS];
        for u in 0..self.units {
            if s.report_count[u] > 0.0 {
                report_boost[u] = 1.0 + (s.translator_capacity[u] / s.report_count[u]).min(1.0);
            }
            let total =
                s.answered[u] + s.insight_salience[u] + s.report_salience[u] * report_boost[u];
            overload[u] = if total > 0.0 {
                (env.attention / total).min(1.0)
            } else {
                1.0
            };
        }
        Attention {
            report_boost,
            overload,
        }
    }

    /// An insight: read, understood, believed, and kept for its problem's next window.
    fn read_insight(&mut self, d: Delivery, attention: &Attention, units: &mut Units) {
        let k = self.options;
        let unit = self.unit_of[d.problem];
        let p_read = (d.salience * attention.overload[unit]).clamp(0.0, 1.0);
        if self.transmission.random::<f64>() >= p_read {
            self.counters.unread += 1.0;
            self.analysts[d.producer].week_unread += 1.0;
            return;
        }
        let producer_comm = self.analysts[d.producer].comm;
        let comm = if d.translated {
            producer_comm.max(self.scratch.translator_comm[unit])
        } else {
            producer_comm
        };
        let p_understood = tx::understood_probability(self.literacy[unit], comm);
        let understood = self.transmission.random::<f64>() < p_understood;
        if understood {
            self.scratch.understood[unit] += 1.0;
        }
        let t = self.trust[unit];
        let weight = t / d.sigma2;
        let base = d.problem * k;
        for o in 0..k {
            let x = if understood {
                d.x[o]
            } else {
                let z: f64 = standard_normal(&mut self.transmission);
                d.x[o] + self.c.misread_noise * z
            };
            units.believe(base + o, x, weight);
            self.ledger.add_evidence(base + o, weight, x);
        }
        // A product's own estimate decides, at the window, whether it was used.
        self.ledger.keep(
            d.problem,
            Product {
                producer: d.producer,
                generation: d.generation,
                best: argmax(&d.x[..k]),
                sigma2: d.sigma2,
                x: d.x,
                fast: d.fast,
            },
        );
    }

    /// Reports, aggregated: expected read and understood counts; one closed-form update per problem.
    fn read_reports(&mut self, attention: &Attention, world: &World, units: &mut Units) {
        let (k, ppu) = (self.options, self.problems_per_unit);
        let rn2 = self.c.report_noise * self.c.report_noise;
        // Fast reports are noisier (×fast_report_noise in SD); units still weigh them at rn2.
        let fast_excess = self.c.fast_report_noise * self.c.fast_report_noise - 1.0;
        let mn2 = self.c.misread_noise * self.c.misread_noise;
        for u in 0..self.units {
            let s = &mut self.scratch;
            let count = s.report_count[u];
            if count <= 0.0 {
                continue;
            }
            let boost = attention.report_boost[u];
            let read = (s.report_salience[u] * boost * attention.overload[u]).min(count);
            self.counters.unread += count - read;
            let mut comm = s.report_comm[u] / count;
            let translated = boost - 1.0;
            comm = (1.0 - translated) * comm + translated * comm.max(s.translator_comm[u]);
            let p_understood = tx::understood_probability(self.literacy[u], comm);
            s.understood[u] += read * p_understood;
            let t = self.trust[u];
            let bias_sd = self.c.report_bias * (1.2 - self.levers.data_quality);
            let noise2 = rn2 * (1.0 + fast_excess * s.report_fast[u] / count);
            for p in u * ppu..(u + 1) * ppu {
                let m = read / ppu as f64;
                if m <= 1e-12 {
                    continue;
                }
                let misread = m * (1.0 - p_understood);
                let var = (m * noise2 + misread * mn2) / (m * m);
                let z: f64 = standard_normal(&mut self.transmission);
                let option = units.policy[p];
                let index = p * k + option;
                let x = world.theta[index] + bias_sd * world.bias_draw[p] + var.sqrt() * z;
                let weight = t * m / rn2;
                units.believe(index, x, weight);
                self.ledger.add_evidence(index, weight, x);
            }
        }
    }

    /// Each analyst's own unread reports, for motivation.
    fn count_own_unread(&mut self, attention: &Attention) {
        let own_reports = &mut self.scratch.own_reports;
        for (a, own) in self.analysts.iter_mut().zip(own_reports.iter_mut()) {
            // No branch on whether the analyst made reports: with none, n = 0 adds exactly +0.
            let (n, s) = *own;
            let u = a.unit;
            let p_read = (s * attention.report_boost[u] * attention.overload[u]).min(1.0);
            a.week_unread += n * (1.0 - p_read);
            *own = (0.0, 0.0);
        }
    }
}
