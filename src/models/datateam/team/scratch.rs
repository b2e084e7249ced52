//! The team's working arrays for one week: what allocation and production put out per unit and per
//! post, read by translation, transmission and feedback, and cleared once at the start of the next
//! week (`Scratch::clear`). Nothing here outlives the week; state that does (unmet requests, the
//! planning period's engagement, the ledger) stays on `Team`.
//!
//! Allocated at build and resized only when the posts change, so the weekly loop allocates nothing.

use super::MAX_OPTIONS;
use super::demand::Candidate;
use crate::models::datateam::transmission::Reader;

/// An insight finished this week, before transmission.
#[derive(Debug, Clone, Copy)]
pub(super) struct Delivery {
    pub(super) producer: usize,
    pub(super) generation: u32,
    pub(super) problem: usize,
    /// The window it was commissioned for (`None`: unsolicited).
    pub(super) for_window: Option<u32>,
    /// How close its producer sits to the unit (salience's proximity term).
    pub(super) proximity: f64,
    pub(super) translated: bool,
    pub(super) sigma2: f64,
    pub(super) x: [f64; MAX_OPTIONS],
    /// Share of the work done fast (MODEL.md §9.3 (i)).
    pub(super) fast: f64,
}

/// The reports a unit read this week (expected counts), and what they carry.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ReportReads {
    pub(super) read: f64,
    /// Σ communication skill of those read.
    pub(super) comm: f64,
    /// How many of those read were made fast.
    pub(super) fast: f64,
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
    /// Reading: the budget left after ad-hoc answers (A'), the inbox's total salience (S), and the
    /// products read (expected, for reports).
    pub(super) reading_budget: Vec<f64>,
    pub(super) inbox_salience: Vec<f64>,
    /// Each unit's reader (from S and A').
    pub(super) readers: Vec<Reader>,
    /// What each unit reads of its reports this week (expected counts).
    pub(super) report_reads: Vec<ReportReads>,
    /// The week's products as one batch for `tx::read_probabilities`: every report bucket (unit by
    /// unit, in ring order), then every waiting insight; each one's reader, salience and chance.
    pub(super) batch_readers: Vec<Reader>,
    pub(super) batch_saliences: Vec<f64>,
    pub(super) batch_chances: Vec<f64>,
    pub(super) reads: Vec<f64>,
    pub(super) understood: Vec<f64>,
    /// Analysts in post at home in each unit this week (n_u: isolation, MODEL.md §9.4).
    pub(super) home_analysts: Vec<f64>,
    /// The best tech among the analysts in post this week (what time in the hub learns from).
    pub(super) best_tech: f64,
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
            reading_budget: vec![0.0; units],
            inbox_salience: vec![0.0; units],
            readers: vec![Reader::new(0.0, 0.0, 0.0); units],
            report_reads: vec![ReportReads::default(); units],
            batch_readers: Vec::new(),
            batch_saliences: Vec::new(),
            batch_chances: Vec::new(),
            reads: vec![0.0; units],
            understood: vec![0.0; units],
            home_analysts: vec![0.0; units],
            best_tech: 0.0,
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
            &mut self.reading_budget,
            &mut self.inbox_salience,
            &mut self.reads,
            &mut self.understood,
            &mut self.home_analysts,
        ] {
            v.fill(0.0);
        }
        self.best_tech = 0.0;
        self.deliveries.clear();
        // Per analyst nothing needs clearing: `time` is written by allocation for every analyst who
        // works before feedback reads it, and the own-product events (`week_used` …) are cleared by
        // feedback after use, because decisions credit uses before the team's week begins.
        // `candidates` is cleared by routing.
    }

    /// Per-post buffers follow the posts; the weekly loop then allocates nothing, as before.
    pub(super) fn set_posts(&mut self, posts: usize) {
        self.deliveries.clear();
        self.deliveries.reserve(posts + 1);
        self.candidates.clear();
        self.candidates.reserve(posts);
    }
}
