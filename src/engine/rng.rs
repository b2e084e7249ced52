//! Seeding and fast random bits.
//!
//! Every run gets a seed derived from (master seed, replicate) alone, so replicate r of every point of a
//! sweep faces the same random streams (common random numbers), whatever the thread count or the other
//! points. Models split that seed into per-purpose streams with [`stream`]. The generator is
//! Xoshiro256++ (named and portable), never a thread-local or OS-seeded RNG.
//!
//! [`bernoulli_mask`] draws up to 64 independent Bernoulli(p) bits at once by comparing each lane's
//! random bits with p's binary expansion, most significant bit first. It stops as soon as every lane is
//! decided, so it uses about 7 random words per 64 lanes, and it is exact for p held to 32 bits.

use rand::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every model uses.
pub type Rng = Xoshiro256PlusPlus;

/// SplitMix64's finaliser: a bijective mix of 64 bits (Steele, Lea & Flood 2014).
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of replicate `replicate` under `master`: independent of the point, thread and order.
pub fn run_seed(master: u64, replicate: u64) -> u64 {
    mix64(mix64(master) ^ mix64(replicate.wrapping_add(0x5EED)))
}

/// The seed of replicate `replicate` at a point with its own streams, keyed `stream` (a design
/// without common random numbers): independent of the thread, the order and the other points.
pub fn point_run_seed(master: u64, stream: u64, replicate: u64) -> u64 {
    run_seed(
        mix64(master ^ mix64(stream.wrapping_add(0x00D1_5EED))),
        replicate,
    )
}

/// An independent stream for one purpose (e.g. "the world's drift") within a run.
pub fn stream(run_seed: u64, purpose: u64) -> Rng {
    Rng::seed_from_u64(mix64(
        run_seed ^ mix64(purpose.wrapping_mul(0xA24B_AED4_963E_E407)),
    ))
}

/// A probability held to 32 bits, as used by [`bernoulli_mask`] and [`bernoulli`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prob32(u64);

impl Prob32 {
    /// Rounds `p` in `[0, 1]` to the nearest multiple of 2⁻³²; 1 is held exactly.
    pub fn new(p: f64) -> Self {
        debug_assert!((0.0..=1.0).contains(&p));
        Prob32((p * 4_294_967_296.0).round() as u64)
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 4_294_967_296.0
    }
}

/// One Bernoulli(p) trial from the top 32 bits of one random word.
#[inline]
pub fn bernoulli(rng: &mut Rng, p: Prob32) -> bool {
    (rng.next_u64() >> 32) < p.0
}

/// Draws a word whose bits in `lanes` are independent Bernoulli(p); other bits are 0.
#[inline]
pub fn bernoulli_mask(rng: &mut Rng, p: Prob32, lanes: u64) -> u64 {
    if p.0 == 0 || lanes == 0 {
        return 0;
    }
    if p.0 >= 1 << 32 {
        return lanes;
    }
    let mut result = 0u64;
    let mut undecided = lanes;
    let mut bit = 31;
    // Lanes whose random prefix equals p's prefix so far stay undecided; a lane whose random bit is 0
    // where p has 1 is below p (success), a lane with 1 where p has 0 is above it (failure).
    loop {
        let r = rng.next_u64();
        if (p.0 >> bit) & 1 == 1 {
            result |= undecided & !r;
            undecided &= r;
        } else {
            undecided &= !r;
        }
        // Once p's remaining bits are all zero, no undecided lane can fall below p.
        if undecided == 0 || bit == 0 || p.0 & ((1u64 << bit) - 1) == 0 {
            return result;
        }
        bit -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_seed_depends_on_master_and_replicate_only() {
        assert_eq!(run_seed(1, 2), run_seed(1, 2));
        assert_ne!(run_seed(1, 2), run_seed(1, 3));
        assert_ne!(run_seed(1, 2), run_seed(2, 2));
        assert_ne!(point_run_seed(1, 0, 2), point_run_seed(1, 1, 2));
        assert_ne!(point_run_seed(1, 0, 2), run_seed(1, 2));
        assert_eq!(point_run_seed(1, 5, 2), point_run_seed(1, 5, 2));
    }

    #[test]
    fn streams_differ_by_purpose() {
        let a = stream(7, 0).next_u64();
        let b = stream(7, 1).next_u64();
        assert_ne!(a, b);
        assert_eq!(a, stream(7, 0).next_u64());
    }

    #[test]
    fn prob32_rounds_to_32_bits() {
        assert_eq!(Prob32::new(0.5).as_f64(), 0.5);
        assert_eq!(Prob32::new(1.0).as_f64(), 1.0);
        assert!((Prob32::new(0.1).as_f64() - 0.1).abs() < 1e-9);
    }

    /// Each lane's empirical frequency must match p within 5 standard errors, across many p.
    #[test]
    fn bernoulli_mask_matches_p_in_every_lane() {
        let mut rng = stream(42, 0);
        let draws = 20_000;
        for &p in &[0.0, 0.013, 0.1, 0.3333, 0.5, 0.77, 0.9, 0.999, 1.0] {
            let prob = Prob32::new(p);
            let mut counts = [0u32; 64];
            for _ in 0..draws {
                let m = bernoulli_mask(&mut rng, prob, u64::MAX);
                for (lane, c) in counts.iter_mut().enumerate() {
                    *c += ((m >> lane) & 1) as u32;
                }
            }
            let se = (p * (1.0 - p) / draws as f64).sqrt().max(1e-12);
            for (lane, &c) in counts.iter().enumerate() {
                let freq = c as f64 / draws as f64;
                assert!(
                    (freq - p).abs() <= 5.0 * se + 1e-12,
                    "p={p} lane={lane} freq={freq}"
                );
            }
        }
    }

    #[test]
    fn bernoulli_mask_respects_lanes() {
        let mut rng = stream(1, 1);
        let lanes = 0x0000_FFFF_0000_00F0;
        for _ in 0..1000 {
            assert_eq!(
                bernoulli_mask(&mut rng, Prob32::new(0.6), lanes) & !lanes,
                0
            );
        }
        assert_eq!(bernoulli_mask(&mut rng, Prob32::new(1.0), lanes), lanes);
    }

    /// Lanes must be independent: the joint frequency of two lanes is p².
    #[test]
    fn bernoulli_mask_lanes_are_independent() {
        let mut rng = stream(3, 3);
        let p = 0.3;
        let draws = 100_000;
        let both = (0..draws)
            .filter(|_| bernoulli_mask(&mut rng, Prob32::new(p), 0b11) == 0b11)
            .count() as f64
            / draws as f64;
        let se = (p * p * (1.0 - p * p) / draws as f64).sqrt();
        assert!((both - p * p).abs() < 5.0 * se, "joint {both}");
    }
}
