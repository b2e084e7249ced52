//! The team's working arrays for one week: what allocation and production put out per unit and per
//! post, read by translation, transmission and feedback, and cleared once at the start of the next
//! week (`Scratch::clear`). Nothing here outlives the week; state that does (unmet requests, the
//! planning period's engagement, the ledger) stays on `Team`.
//!
//! Allocated at build and resized only when the posts change, so the weekly loop allocates nothing.

use super::MAX_OPTIONS;
use super::demand::Candidate;

/// An insight finished this week, before transmission.
#[derive(Debug, Clone, Copy)]
pub(super) struct Delivery {
    pub(super) producer: usize,
    pub(super) generation: u32,
    pub(super) problem: usize,
    pub(super) salience: f64,
    pub(super) translated: bool,
    pub(super) sigma2: f64,
    pub(super) x: [f64; MAX_OPTIONS],
}

#[derive(Debug, Clone)]
pub(super) struct Scratch {
    // Per unit.
    pub(super) answered: Vec<f64>,
    pub(super) engagement: Vec<f64>,
    pub(super) presence: Vec<f64>,
    pub(super) translator_time: Vec<f64>,
    pub(super) translator_capacity: Vec<f64>,
    pub(super) translator_comm: Vec<f64>,
    pub(super) report_count: Vec<f64>,
    pub(super) report_salience: Vec<f64>,
    pub(super) report_comm: Vec<f64>,
    pub(super) insight_salience: Vec<f64>,
    pub(super) understood: Vec<f64>,
    /// Analysts in post at home in each unit this week (n_u: isolation, MODEL.md §9.4).
    pub(super) home_analysts: Vec<f64>,
    /// Per post: reports made and their salience (for unread accounting), zeroed as transmission
    /// reads them.
    pub(super) own_reports: Vec<(f64, f64)>,
    pub(super) deliveries: Vec<Delivery>,
    /// For routing: the posts a request may go to (refilled for each unit that asks).
    pub(super) candidates: Vec<Candidate>,
}

impl Scratch {
    pub(super) fn new(units: usize, posts: usize) -> Scratch {
        Scratch {
            answered: vec![0.0; units],
            engagement: vec![0.0; units],
            presence: vec![0.0; units],
            translator_time: vec![0.0; units],
            translator_capacity: vec![0.0; units],
            translator_comm: vec![0.0; units],
            report_count: vec![0.0; units],
            report_salience: vec![0.0; units],
            report_comm: vec![0.0; units],
            insight_salience: vec![0.0; units],
            understood: vec![0.0; units],
            home_analysts: vec![0.0; units],
            own_reports: vec![(0.0, 0.0); posts],
            deliveries: Vec::with_capacity(posts + 1),
            candidates: Vec::with_capacity(posts),
        }
    }

    /// Once a week, before anything is written.
    pub(super) fn clear(&mut self) {
        for v in [
            &mut self.answered,
            &mut self.engagement,
            &mut self.presence,
            &mut self.translator_time,
            &mut self.translator_capacity,
            &mut self.translator_comm,
            &mut self.report_count,
            &mut self.report_salience,
            &mut self.report_comm,
            &mut self.insight_salience,
            &mut self.understood,
            &mut self.home_analysts,
        ] {
            v.fill(0.0);
        }
        self.deliveries.clear();
        // Per analyst nothing needs clearing: `time` is written by allocation for every analyst who
        // works before feedback reads it, and the own-product events (`week_used` …) are cleared by
        // feedback after use, because decisions credit uses before the team's week begins.
        // `own_reports` is zeroed by transmission as it reads it; `candidates` by routing.
    }

    /// Per-post buffers follow the posts; the weekly loop then allocates nothing, as before.
    pub(super) fn set_posts(&mut self, posts: usize) {
        self.own_reports.clear();
        self.own_reports.resize(posts, (0.0, 0.0));
        self.deliveries.clear();
        self.deliveries.reserve(posts + 1);
        self.candidates.clear();
        self.candidates.reserve(posts);
    }
}
