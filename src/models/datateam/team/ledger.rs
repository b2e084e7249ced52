//! What the team's products leave on the record until it is settled: per problem, the evidence this
//! window's products added to the units' beliefs (so a decision can tell whether they changed it) and
//! the read insights waiting for the window (so a use can be credited to its producer); per post, the
//! credit for uses the leader hands out `CREDIT_DELAY` weeks after a decision.
//!
//! Kept apart from the weekly loop's state because its lifetimes are different: evidence and
//! products last from window to window, credit rides a ring of weeks, and both must follow a change
//! of posts without leaking credit to the wrong holder.

use super::{CREDIT_DELAY, PRODUCTS_PER_PROBLEM};

/// Weeks of credit in flight: more than `CREDIT_DELAY`, so a slot is paid out before it is reused.
pub(super) const CREDIT_RING: usize = 16;
/// The producer of a product whose post has been cut (`Team::set_posts`): nobody is credited.
pub(super) const NO_PRODUCER: usize = usize::MAX;

/// Which share of a use a credit pays for.
pub(super) const CREDIT_INSIGHT: usize = 0;
pub(super) const CREDIT_ENGAGEMENT: usize = 1;

/// A read insight waiting for its problem's next window.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Product {
    pub(super) producer: usize,
    pub(super) generation: u32,
    pub(super) best: usize,
    /// Share of the work done fast: its uses and credit go to the fast mode in that share.
    pub(super) fast: f64,
}

#[derive(Debug, Clone)]
pub(super) struct Ledger {
    options: usize,
    /// The ring's stride: the number of posts.
    posts: usize,
    pub(super) products: Vec<[Product; PRODUCTS_PER_PROBLEM]>,
    pub(super) product_len: Vec<usize>,
    /// This window's evidence per option (s₀ = ΣT/σ², s₁ = ΣTx/σ², decayed like precision), held
    /// as shares of the units' current precision τ (s₀/τ, s₁/τ): the prediction step decays both
    /// alike, so these shares need no weekly update.
    pub(super) share0: Vec<f64>,
    pub(super) share1: Vec<f64>,
    /// What the products read since the window said about each option, at their stated precision
    /// and undecayed (Σ1/σ², Σx/σ²): the advice a window's outcome judges (competence trust).
    stated0: Vec<f64>,
    stated1: Vec<f64>,
    /// Credited uses arriving `CREDIT_DELAY` weeks later: [slot][post][insight, engagement].
    pub(super) credit: Vec<[f64; 2]>,
    /// Of each entry of `credit`, the part earned by fast work (for the reward estimate of fast work).
    pub(super) credit_fast: Vec<f64>,
}

impl Ledger {
    pub(super) fn new(problems: usize, options: usize, posts: usize) -> Ledger {
        Ledger {
            options,
            posts,
            products: vec![[Product::default(); PRODUCTS_PER_PROBLEM]; problems],
            product_len: vec![0; problems],
            share0: vec![0.0; problems * options],
            share1: vec![0.0; problems * options],
            stated0: vec![0.0; problems * options],
            stated1: vec![0.0; problems * options],
            credit: vec![[0.0; 2]; CREDIT_RING * posts],
            credit_fast: vec![0.0; CREDIT_RING * posts],
        }
    }

    /// Evidence of weight T/σ² for value `x` of option `index` (problem-major), as the units
    /// believed it: `precision`, their precision before, and `variance`, their variance after
    /// (`Units::believe`).
    pub(super) fn add_evidence(&mut self, index: usize, weight: f64, x: f64, believed: (f64, f64)) {
        let (precision, variance) = believed;
        self.share0[index] = (self.share0[index] * precision + weight) * variance;
        self.share1[index] = (self.share1[index] * precision + weight * x) * variance;
    }

    /// The units' precision on option `index` changed from `precision` to 1/`variance` through
    /// evidence that is not this window's: the window's sums stay, so their shares rescale.
    pub(super) fn rescale(&mut self, index: usize, believed: (f64, f64)) {
        let (precision, variance) = believed;
        let scale = precision * variance;
        self.share0[index] *= scale;
        self.share1[index] *= scale;
    }

    /// This window's evidence on option `index` (s₀, s₁) when the units' precision is `precision`.
    pub(super) fn evidence(&self, index: usize, precision: f64) -> (f64, f64) {
        (self.share0[index] * precision, self.share1[index] * precision)
    }

    /// Sets this window's evidence on option `index`, for tests that set up a decision by hand.
    #[cfg(test)]
    pub(super) fn set_evidence(&mut self, index: usize, precision: f64, s0: f64, s1: f64) {
        self.share0[index] = s0 / precision;
        self.share1[index] = s1 / precision;
    }

    /// A read product said `x` about option `index` with stated precision `precision` (1/σ², as the
    /// units take it: they cannot see shading, bias or a misreading).
    pub(super) fn add_stated(&mut self, index: usize, precision: f64, x: f64) {
        self.stated0[index] += precision;
        self.stated1[index] += precision * x;
    }

    /// The advice on option `index` since the window: the read products' precision-weighted estimate
    /// and its stated variance; `None` if no read product spoke about it.
    pub(super) fn advice(&self, index: usize) -> Option<(f64, f64)> {
        let precision = self.stated0[index];
        (precision > 0.0).then(|| (self.stated1[index] / precision, 1.0 / precision))
    }

    /// Keeps a read insight for its problem's next window, dropping the oldest beyond the shelf.
    pub(super) fn keep(&mut self, problem: usize, product: Product) {
        let len = self.product_len[problem];
        if len < PRODUCTS_PER_PROBLEM {
            self.products[problem][len] = product;
            self.product_len[problem] += 1;
        } else {
            self.products[problem].copy_within(1.., 0);
            self.products[problem][PRODUCTS_PER_PROBLEM - 1] = product;
        }
    }

    /// A window has decided `problem`: its evidence and waiting products are settled.
    pub(super) fn close_window(&mut self, problem: usize) {
        let base = problem * self.options;
        for o in 0..self.options {
            self.share0[base + o] = 0.0;
            self.share1[base + o] = 0.0;
            self.stated0[base + o] = 0.0;
            self.stated1[base + o] = 0.0;
        }
        self.product_len[problem] = 0;
    }

    /// Owes post `post` `amount` of credit of `kind` for a use decided in week `week`, of which
    /// `fast` was earned by fast work.
    pub(super) fn owe(&mut self, week: u32, post: usize, kind: usize, amount: f64, fast: f64) {
        let slot = (week as usize + CREDIT_DELAY) % CREDIT_RING;
        self.credit[slot * self.posts + post][kind] += amount;
        self.credit_fast[slot * self.posts + post] += fast;
    }

    /// The credit arriving in week `week`, one entry per post, and the part of each earned by fast
    /// work, for the caller to pay out and zero.
    pub(super) fn arriving(&mut self, week: u32) -> (&mut [[f64; 2]], &mut [f64]) {
        let slot = week as usize % CREDIT_RING;
        let range = slot * self.posts..(slot + 1) * self.posts;
        (&mut self.credit[range.clone()], &mut self.credit_fast[range])
    }

    /// Forgets the credit on its way to post `post` (its holder left or changed role).
    pub(super) fn drop_pending(&mut self, post: usize) {
        for slot in 0..CREDIT_RING {
            self.credit[slot * self.posts + post] = [0.0; 2];
            self.credit_fast[slot * self.posts + post] = 0.0;
        }
    }

    /// The team now has `posts` posts: waiting products of cut posts credit nobody, and pending credit
    /// of surviving posts is kept (slot by slot).
    pub(super) fn set_posts(&mut self, posts: usize) {
        let old = self.posts;
        for (shelf, &len) in self.products.iter_mut().zip(&self.product_len) {
            for product in &mut shelf[..len] {
                if product.producer >= posts {
                    product.producer = NO_PRODUCER;
                }
            }
        }
        let mut credit = vec![[0.0; 2]; CREDIT_RING * posts];
        let mut credit_fast = vec![0.0; CREDIT_RING * posts];
        for slot in 0..CREDIT_RING {
            for i in 0..posts.min(old) {
                credit[slot * posts + i] = self.credit[slot * old + i];
                credit_fast[slot * posts + i] = self.credit_fast[slot * old + i];
            }
        }
        self.credit = credit;
        self.credit_fast = credit_fast;
        self.posts = posts;
    }
}
