//! Transmission, *delivered → read → understood → believed*: the pure functions that carry a
//! product's salience, read and understood probabilities, and insight quality.
//!
//! Reading is a budget (MODEL.md §9.1): a unit reader's week holds `attention` reads; ad-hoc answers
//! take theirs first, and the products waiting in the unit's inbox compete for the rest by salience
//! (relevance, timeliness, staleness, proximity, trust, translation) against the reader's other
//! business. Keeping the forms here, apart from the weekly loop, lets unit tests pin them.

use super::Constants;
use super::Levers;
use super::structure;

/// What a product is, for its relevance ρ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An insight commissioned for a window that has not been reached yet.
    TimelyCommissioned,
    /// An unsolicited insight, or a commissioned one whose window has passed.
    OtherInsight,
    Report,
}

/// Relevance ρ: 1 for a commission before its window, `relevance_unsolicited` for another insight,
/// `relevance_report` for a report.
pub fn relevance(kind: Kind, c: &Constants) -> f64 {
    match kind {
        Kind::TimelyCommissioned => 1.0,
        Kind::OtherInsight => c.relevance_unsolicited,
        Kind::Report => c.relevance_report,
    }
}

/// How close the producer sits to the unit; `relationship` ∈ [0,1] is how far working relationships
/// have been built since the last move or hire. Belonging (MODEL.md §9.4): 0.4 + 0.6·φ^β·r, φ the
/// time share in the unit, so a part-timer counts as a visitor.
pub fn proximity(levers: &Levers, relationship: f64, c: &Constants) -> f64 {
    let near = structure::belonging(structure::unit_time_share_of(levers), c);
    proximity_with_belonging(near, relationship, c)
}

/// [`proximity`] with belonging φ^β given: it is the same for every analyst in a week, so the weekly
/// loop computes it once.
pub fn proximity_with_belonging(belonging: f64, relationship: f64, c: &Constants) -> f64 {
    c.proximity_central + (1.0 - c.proximity_central) * belonging * relationship
}

/// Timeliness τ: 1 while the product's problem has an announced window not yet reached, else
/// `timeliness_unannounced` (Oliver et al. 2014: timing is the barrier most often reported).
pub fn timeliness(window_announced: bool, c: &Constants) -> f64 {
    if window_announced {
        1.0
    } else {
        c.timeliness_unannounced
    }
}

/// The trust term of salience: floor + (1 − floor)·T.
pub fn trust_factor(trust: f64, c: &Constants) -> f64 {
    c.trust_salience_floor + (1.0 - c.trust_salience_floor) * trust
}

/// Salience s = ρ·τ·δ^age·prox·(floor + (1 − floor)·T)·translation, capped at 1; `translation` is
/// 2 for a product a translator carried (1 otherwise, or with translator salience knocked out).
pub fn salience(
    relevance: f64,
    timeliness: f64,
    staleness: f64,
    proximity: f64,
    trust_factor: f64,
    translation: f64,
) -> f64 {
    (relevance * timeliness * staleness * proximity * trust_factor * translation).min(1.0)
}

/// Luce choice with an outside option: each of the `budget` (A') reading slots goes to a product
/// of salience `s` with probability s/(s₀ + S), S the inbox's total salience, else to other
/// business; the product is read if it wins at least one slot: p = 1 − (1 − s/(s₀ + S))^{A'}.
/// A fractional budget is read as the same closed form (a part-slot is a partial chance).
pub fn read_probability(salience: f64, total_salience: f64, outside: f64, budget: f64) -> f64 {
    Reader::new(total_salience, outside, budget).p_read(salience)
}

/// One unit reader's week, for `read_probability` of each product in its inbox: what is the same
/// for all of them (the competition s₀ + S and the budget A') is set once.
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    competing: f64,
    budget: f64,
}

impl Reader {
    pub fn new(total_salience: f64, outside: f64, budget: f64) -> Reader {
        let competing = outside + total_salience;
        // Nothing is read without a budget, or when nothing competes (then nothing is salient).
        let budget = if competing <= 0.0 { 0.0 } else { budget };
        Reader { competing, budget }
    }

    /// `read_probability` of a product of salience `salience`.
    #[inline]
    pub fn p_read(&self, salience: f64) -> f64 {
        if let Some(p) = self.p_read_in_range(salience) {
            return p;
        }
        if self.budget <= 0.0 || salience <= 0.0 {
            return 0.0;
        }
        let x = salience / self.competing;
        if x >= 1.0 {
            return 1.0;
        }
        -exp_m1(self.budget * ln_1m(x))
    }

    /// `p_read` where both approximations hold (x ≤ 1/8 and |y| ≤ 1/2, nearly every product),
    /// without a branch: the arithmetic runs whatever the product, and `None` sends the rest to
    /// libm.
    #[inline(always)]
    fn p_read_in_range(&self, salience: f64) -> Option<f64> {
        // u = x/(2 − x) with x = s/(s₀ + S), in one division.
        let u = salience / (2.0 * self.competing - salience);
        let y = self.budget * ln_1m_atanh(u);
        let p = -exp_m1_pade(y);
        let in_range = self.budget > 0.0
            && salience > 0.0
            && salience <= LN_SERIES_LIMIT * self.competing
            && y.abs() <= EXP_PADE_LIMIT;
        in_range.then_some(p)
    }
}

/// [`Reader::p_read`] for a batch of products: `out[i]` for a product of salience `saliences[i]`
/// read by `readers[i]`, bit for bit what `p_read` gives. The week's products are independent, so
/// the series run branch-free over the whole batch, where a processor overlaps one product's
/// chains of dependent multiplications with the next one's; one product at a time, each chain
/// waited on the last (docs/datateam-odd.md §6). The few products outside the series' range (and
/// those with no budget or salience) are then redone one by one by `p_read`.
pub fn read_probabilities(readers: &[Reader], saliences: &[f64], out: &mut [f64]) {
    debug_assert!(readers.len() == saliences.len() && saliences.len() == out.len());
    for ((p, r), &s) in out.iter_mut().zip(readers).zip(saliences) {
        // NaN marks a product for `p_read` (an in-range product's probability is never NaN).
        *p = r.p_read_in_range(s).unwrap_or(f64::NAN);
    }
    for ((p, r), &s) in out.iter_mut().zip(readers).zip(saliences) {
        if p.is_nan() {
            *p = r.p_read(s);
        }
    }
}

/// Where ln(1 − x)'s series gives way to libm: x ≤ 1/8.
const LN_SERIES_LIMIT: f64 = 0.125;
/// Where e^y − 1 by its Padé approximant gives way to libm: |y| ≤ 1/2.
const EXP_PADE_LIMIT: f64 = 0.5;

/// ln(1 − x) for 0 ≤ x < 1. Below x = 1/8 (most products: a report's x is about 0.02) it is the
/// series −2 atanh(u) = −2(u + u³/3 + … + u¹³/13), u = x/(2 − x) ≤ 1/15, whose first omitted term
/// is below 2⁻⁵⁴ of the sum, so it agrees with libm's `ln_1p(−x)` to an ulp or two at a third of
/// its cost (the reading step calls it for every inbox bucket and insight every week); above, `ln_1p`.
fn ln_1m(x: f64) -> f64 {
    if x > LN_SERIES_LIMIT {
        return cold_ln_1p(-x);
    }
    ln_1m_series(x)
}

/// [`ln_1m`]'s series, for x ≤ 1/8.
#[inline(always)]
fn ln_1m_series(x: f64) -> f64 {
    ln_1m_atanh(x / (2.0 - x))
}

/// ln(1 − x) from u = x/(2 − x) ≤ 1/15: −2 atanh(u), its series evaluated by Estrin's scheme in
/// v = u², three short chains instead of Horner's one of six steps.
#[inline(always)]
fn ln_1m_atanh(u: f64) -> f64 {
    let v = u * u;
    let v2 = v * v;
    let v4 = v2 * v2;
    let low = (1.0 + v * (1.0 / 3.0)) + v2 * (1.0 / 5.0 + v * (1.0 / 7.0));
    let high = (1.0 / 9.0 + v * (1.0 / 11.0)) + v2 * (1.0 / 13.0);
    -2.0 * u * (low + v4 * high)
}

/// e^y − 1. For |y| ≤ 1/2 (nearly every product: y = A'·ln(1 − x) is about −0.1, and at most
/// 3·ln(8/7) ≈ 0.4 in range at the default attention) it is [`exp_m1_pade`]; beyond, libm's
/// `exp_m1`.
fn exp_m1(y: f64) -> f64 {
    if y.abs() > EXP_PADE_LIMIT {
        return cold_exp_m1(y);
    }
    exp_m1_pade(y)
}

/// e^z − 1 for |z| ≤ 1/2 by the [6/6] Padé approximant of e^z, P(z)/P(−z) with
/// P(z) = E(z²) + z·O(z²): e^z − 1 = 2z·O/(E − z·O), without the cancellation of 1 − e^z. Its
/// truncation error at |z| = 1/2 is about 10⁻¹⁷ of the result (Abramowitz & Stegun 4.2.45's
/// bound), so it agrees with libm to an ulp or two (unit test), in half the operations of the
/// Taylor series and one division.
#[inline(always)]
fn exp_m1_pade(z: f64) -> f64 {
    let w = z * z;
    let even = 1.0 + w * (5.0 / 44.0 + w * (1.0 / 792.0 + w * (1.0 / 665_280.0)));
    let odd = z * (0.5 + w * (1.0 / 66.0 + w * (1.0 / 15_840.0)));
    2.0 * odd / (even - odd)
}

/// libm's `ln_1p` and `exp_m1`, out of line and marked cold: the reading loop, inlined into the
/// team's week, then saves its registers only on the way to these rare calls rather than around
/// every series evaluation.
#[cold]
#[inline(never)]
fn cold_ln_1p(x: f64) -> f64 {
    x.ln_1p()
}

#[cold]
#[inline(never)]
fn cold_exp_m1(y: f64) -> f64 {
    y.exp_m1()
}

/// The budget a unit's reader has left for products after its ad-hoc answers: max(0, A − c_a·n).
pub fn reading_budget(attention: f64, answers: f64, c: &Constants) -> f64 {
    (attention - c.adhoc_read_cost * answers).max(0.0)
}

/// Understood with probability L + (1 − L)·comm, comm the best of the producer and translator.
pub fn understood_probability(literacy: f64, comm: f64) -> f64 {
    (literacy + (1.0 - literacy) * comm).clamp(0.0, 1.0)
}

/// Insight quality q = tech^0.4 · domain^0.2 · data_quality^0.3 · (0.5 + 0.5m)^0.1: multiplicative, so
/// skill and infrastructure are complements (Bresnahan, Brynjolfsson & Hitt 2002).
pub fn insight_quality(tech: f64, domain: f64, data_quality: f64, motivation: f64) -> f64 {
    tech.powf(0.4) * domain.powf(0.2) * data_quality.powf(0.3) * (0.5 + 0.5 * motivation).powf(0.1)
}

/// The noise SD of an insight's estimates: σ_min + (σ_max − σ_min)(1 − q).
pub fn insight_sigma(quality: f64, c: &Constants) -> f64 {
    c.sigma_min + (c.sigma_max - c.sigma_min) * (1.0 - quality)
}

/// The effort factor: low skill and poor data access make everything slower.
pub fn slowness(tech: f64, data_access: f64, c: &Constants) -> f64 {
    (1.0 + c.skill_slowdown * (1.0 - tech)) * (1.0 + (1.0 - data_access))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_probability_is_the_closed_form_of_luce_choice_with_an_outside_option() {
        // One slot: the share of the competition, s/(s0 + S).
        assert!((read_probability(0.5, 2.0, 2.0, 1.0) - 0.125).abs() < 1e-15);
        // A' slots: 1 − (1 − s/(s0 + S))^A', pinned at values worked by hand.
        let p = read_probability(0.7, 1.0, 2.0, 2.4);
        assert!((p - (1.0 - (1.0f64 - 0.7 / 3.0).powf(2.4))).abs() < 1e-15);
        assert!((p - 0.471_486_852_9).abs() < 1e-9, "{p}");
        // No budget, nothing read; a lone product with no outside option, read with any budget.
        assert_eq!(read_probability(0.7, 0.7, 2.0, 0.0), 0.0);
        assert_eq!(read_probability(0.7, 0.7, 0.0, 0.5), 1.0);
        assert_eq!(read_probability(0.0, 0.0, 0.0, 3.0), 0.0);
        // More budget, more read; more competition, less.
        assert!(read_probability(0.3, 1.0, 2.0, 30.0) > read_probability(0.3, 1.0, 2.0, 3.0));
        assert!(read_probability(0.3, 4.0, 2.0, 3.0) < read_probability(0.3, 1.0, 2.0, 3.0));
        // Expected reads never exceed the budget when it is a whole slot or more.
        let (s, n) = (0.2, 40.0);
        assert!(n * read_probability(s, n * s, 2.0, 3.0) < 3.0);
    }

    #[test]
    fn the_batch_gives_p_read_bit_for_bit() {
        // Over the series' range, both of its edges, the libm fallbacks of either series, no
        // budget, no salience and a product that outweighs its whole competition.
        let mut readers = Vec::new();
        let mut saliences = Vec::new();
        for budget in [0.0, 0.4, 1.0, 2.2, 3.0, 7.5, 100.0] {
            for competing in [0.0, 0.5, 2.0, 2.37, 9.0] {
                for k in 0..=60 {
                    readers.push(Reader::new(competing - 2.0, 2.0, budget));
                    // Spaced more closely near 0, where most products are.
                    let share = (k as f64 / 60.0).powi(2) * 1.5;
                    saliences.push(share * competing.max(0.1));
                }
            }
        }
        for x in [LN_SERIES_LIMIT, LN_SERIES_LIMIT.next_up(), LN_SERIES_LIMIT.next_down()] {
            readers.push(Reader::new(0.0, 1.0, 1.0));
            saliences.push(x);
        }
        let mut batch = vec![0.0; saliences.len()];
        read_probabilities(&readers, &saliences, &mut batch);
        for ((r, &s), p) in readers.iter().zip(&saliences).zip(&batch) {
            assert_eq!(p.to_bits(), r.p_read(s).to_bits(), "{r:?}, salience {s}");
        }
        // Both routes are taken: some products in the series' range, some redone by `p_read`.
        let fallback = |r: &Reader, s: f64| r.p_read_in_range(s).is_none();
        let redone = readers.iter().zip(&saliences).filter(|&(r, &s)| fallback(r, s)).count();
        assert!(redone >= 100 && saliences.len() - redone >= 100, "{redone} of {}", saliences.len());
    }

    #[test]
    fn the_approximations_and_libm_meet_at_the_range_edges() {
        // Just inside and just outside each approximation's range the read probability is
        // continuous: the two routes agree where they meet (to a few eps beyond the step in x).
        let close = |a: f64, b: f64| (a - b).abs() <= 2e-9 * b.abs();
        let edge = Reader::new(0.0, 1.0, 1.0);
        let (inside, outside) = (LN_SERIES_LIMIT, LN_SERIES_LIMIT.next_up());
        assert!(edge.p_read_in_range(inside).is_some() && edge.p_read_in_range(outside).is_none());
        assert!(close(edge.p_read(inside), edge.p_read(outside)));
        // y = A'·ln(1 − x) = −1/2 at x = 1 − e^(−1/(2A')).
        let budget = 9.0;
        let x = -(-0.5f64 / budget).exp_m1();
        let reader = Reader::new(0.0, 1.0, budget);
        let (inside, outside) = (x * (1.0 - 1e-9), x * (1.0 + 1e-9));
        assert!(reader.p_read_in_range(inside).is_some());
        assert!(reader.p_read_in_range(outside).is_none());
        assert!(close(reader.p_read(inside), reader.p_read(outside)));
    }

    #[test]
    fn the_cheap_series_agree_with_libm_to_a_few_ulps() {
        // Relative error in units of f64::EPSILON (2 ulps of a value just below a power of two).
        let eps = |a: f64, b: f64| (a - b).abs() / (f64::EPSILON * b.abs().max(1e-300));
        let (mut worst_ln, mut worst_exp, mut worst_p) = (0.0f64, 0.0f64, 0.0f64);
        for i in 0..=20_000 {
            let x = i as f64 / 20_000.0 * 0.99;
            worst_ln = worst_ln.max(eps(ln_1m(x), (-x).ln_1p()));
            let y = (i as f64 - 10_000.0) / 10_000.0 * 1.2;
            worst_exp = worst_exp.max(eps(exp_m1(y), y.exp_m1()));
            // The read probability itself, against libm's −expm1(A'·log1p(−x)).
            for budget in [0.5, 2.2, 3.0, 9.0] {
                let p = Reader::new(0.0, 1.0, budget).p_read(x);
                worst_p = worst_p.max(eps(p, -(budget * (-x).ln_1p()).exp_m1()));
            }
        }
        assert!(worst_ln <= 3.0, "ln(1 - x): {worst_ln} eps");
        assert!(worst_exp <= 5.0, "expm1: {worst_exp} eps");
        assert!(worst_p <= 6.0, "read probability: {worst_p} eps");
        assert_eq!(ln_1m(0.0), 0.0);
        assert_eq!(exp_m1(0.0), 0.0);
    }

    #[test]
    fn ad_hoc_answers_take_their_reads_first() {
        let c = Constants::default();
        assert!((reading_budget(3.0, 2.9, &c) - 2.42).abs() < 1e-12);
        assert_eq!(reading_budget(3.0, 20.0, &c), 0.0);
    }

    #[test]
    fn salience_multiplies_its_terms_and_caps_at_one() {
        let c = Constants::default();
        let report = salience(relevance(Kind::Report, &c), 1.0, 0.8, 0.4, trust_factor(0.5, &c), 1.0);
        assert!((report - 0.25 * 0.8 * 0.4 * 0.7).abs() < 1e-15);
        let carried = salience(relevance(Kind::Report, &c), 1.0, 0.8, 0.4, trust_factor(0.5, &c), 2.0);
        assert!((carried - 2.0 * report).abs() < 1e-15);
        assert_eq!(salience(1.0, 1.0, 1.0, 1.0, trust_factor(1.0, &c), 2.0), 1.0);
        assert_eq!(timeliness(false, &c), 0.5);
        assert!(relevance(Kind::OtherInsight, &c) < relevance(Kind::TimelyCommissioned, &c));
    }

    #[test]
    fn quality_is_complementary_in_skill_and_infrastructure() {
        // The gain from better data is larger for a skilled analyst (positive cross-difference).
        let gain_skilled =
            insight_quality(0.8, 0.5, 0.9, 0.7) - insight_quality(0.8, 0.5, 0.4, 0.7);
        let gain_unskilled =
            insight_quality(0.3, 0.5, 0.9, 0.7) - insight_quality(0.3, 0.5, 0.4, 0.7);
        assert!(gain_skilled > gain_unskilled);
        let c = Constants::default();
        assert!((insight_sigma(1.0, &c) - 0.3).abs() < 1e-12);
        assert!((insight_sigma(0.0, &c) - 1.5).abs() < 1e-12);
    }
}
