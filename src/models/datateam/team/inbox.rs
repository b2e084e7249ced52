//! The units' inboxes (MODEL.md §9.1): what the team has delivered and nobody has read yet.
//!
//! A product is read at most once; until then it waits, losing salience as it ages, and expires
//! unread at its shelf life (reports after `report_shelf_life` weeks, when the next pack supersedes
//! them; insights after `insight_shelf_life`). Insights are held singly, with what their salience is
//! made of; reports stay aggregated as they are produced: per unit and week of delivery (an age
//! bucket, in a ring of `report_life` weeks), the expected count still waiting, its summed base
//! salience and communication skill, and how many were delivered into it, so the share that expired
//! unread — and each analyst's part of it, for motivation — is known without one object per report.
//!
//! Allocated at build and when the posts change; the weekly loop allocates nothing (the insight pool
//! holds at most `posts` insights a week for `insight_life` weeks, its reserved capacity).

use super::MAX_OPTIONS;
use super::ledger::NO_PRODUCER;

/// An insight waiting in a unit's inbox.
#[derive(Debug, Clone, Copy)]
pub(super) struct HeldInsight {
    pub(super) unit: usize,
    pub(super) problem: usize,
    pub(super) producer: usize,
    pub(super) generation: u32,
    /// The window it was commissioned for (`None`: unsolicited): relevant as a commission until
    /// that window is reached.
    pub(super) for_window: Option<u32>,
    pub(super) proximity: f64,
    /// The translator's factor on salience (2 if a translator carried it, else 1).
    pub(super) translation: f64,
    /// The best communication skill behind it: the producer's, or its translator's if higher.
    pub(super) comm: f64,
    pub(super) sigma2: f64,
    pub(super) x: [f64; MAX_OPTIONS],
    /// Share of the work done fast (MODEL.md §9.3 (i)), for the credit of a use.
    pub(super) fast: f64,
    /// Whole weeks waited (0 in the week of delivery).
    pub(super) age: usize,
    /// This week's salience, written when the inbox is weighed.
    pub(super) salience: f64,
    /// This week's chance of being read (written with the week's reading batch).
    pub(super) p_read: f64,
}

/// One post's reports of one week, as they join the inbox.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reports {
    pub(super) count: f64,
    /// How many of them were made fast.
    pub(super) fast: f64,
    /// Their summed base salience (ρ·proximity each).
    pub(super) salience: f64,
    /// Their summed communication skill.
    pub(super) comm: f64,
}

impl Reports {
    #[cfg(test)]
    fn new(count: f64, fast: f64, salience: f64, comm: f64) -> Reports {
        Reports {
            count,
            fast,
            salience,
            comm,
        }
    }
}

/// One unit's reports of one week of delivery: an age bucket of the unit's ring. Its fields sit
/// together because every pass over the inbox (delivery, weighing, reading, expiry) touches them
/// together.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Bucket {
    /// Reports still waiting (expected count).
    pub(super) count: f64,
    /// Their summed base salience (ρ·proximity·translation).
    pub(super) salience: f64,
    /// Their summed communication skill.
    pub(super) comm: f64,
    /// How many of them were made fast (MODEL.md §9.3 (i): noisier by `fast_report_noise`), read
    /// at the bucket's probability like the others.
    pub(super) fast: f64,
    /// How many were delivered into it.
    delivered: f64,
}

impl Bucket {
    /// Keeps a fraction `kept` waiting (the rest was read); its mean salience and skill are
    /// unchanged.
    pub(super) fn keep(&mut self, kept: f64) {
        self.count *= kept;
        self.salience *= kept;
        self.comm *= kept;
        self.fast *= kept;
    }
}

/// One post's reports of one week, for its holder's motivation when they expire.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct OwnReports {
    count: f64,
    unit: usize,
    generation: u32,
}

#[derive(Debug, Clone)]
pub(super) struct Inbox {
    units: usize,
    pub(super) report_life: usize,
    pub(super) insight_life: usize,
    /// The bucket this week's reports go into; it advances as the oldest bucket expires.
    slot: usize,
    /// δ^age for every age a product can reach.
    stale: Vec<f64>,
    /// δ^age of the reports in each bucket of a unit's ring this week (the same for every unit),
    /// kept as the slot advances so the weekly weighing needs no age arithmetic per bucket.
    bucket_stale: Vec<f64>,
    /// Per unit, its ring of `report_life` buckets (unit u's are `u * report_life..`).
    pub(super) reports: Vec<Bucket>,
    /// Per post × bucket: the post's own reports delivered in that week.
    pub(super) own_reports: Vec<OwnReports>,
    pub(super) insights: Vec<HeldInsight>,
}

impl Inbox {
    pub(super) fn new(
        units: usize,
        posts: usize,
        report_life: usize,
        insight_life: usize,
        staleness: f64,
    ) -> Inbox {
        let buckets = units * report_life;
        let oldest = report_life.max(insight_life);
        let mut inbox = Inbox {
            units,
            report_life,
            insight_life,
            slot: 0,
            stale: (0..oldest).map(|age| staleness.powi(age as i32)).collect(),
            bucket_stale: vec![0.0; report_life],
            reports: vec![Bucket::default(); buckets],
            own_reports: vec![OwnReports::default(); posts * report_life],
            insights: Vec::with_capacity(posts * (insight_life + 1)),
        };
        inbox.age_buckets();
        inbox
    }

    /// Each bucket's δ^age for the current slot.
    fn age_buckets(&mut self) {
        // The age of bucket b is (slot − b) mod life, without the division.
        for b in 0..self.report_life {
            let age = if b <= self.slot {
                self.slot - b
            } else {
                self.slot + self.report_life - b
            };
            self.bucket_stale[b] = self.stale[age];
        }
    }

    /// Unit `unit`'s ring of buckets (in no particular order of age), and each one's δ^age this
    /// week.
    pub(super) fn ring_mut(&mut self, unit: usize) -> (&mut [Bucket], &[f64]) {
        let life = self.report_life;
        (
            &mut self.reports[unit * life..(unit + 1) * life],
            &self.bucket_stale,
        )
    }

    /// δ^age this week of the reports in the bucket at `position` in every unit's ring (the
    /// bucket `buckets(unit).start + position`).
    #[cfg(test)]
    pub(super) fn bucket_staleness(&self, position: usize) -> f64 {
        self.bucket_stale[position]
    }

    /// The indices in `reports` of unit `unit`'s buckets.
    #[cfg(test)]
    pub(super) fn buckets(&self, unit: usize) -> std::ops::Range<usize> {
        unit * self.report_life..(unit + 1) * self.report_life
    }

    /// The age in weeks of the reports in bucket `index`.
    #[cfg(test)]
    pub(super) fn report_age(&self, index: usize) -> usize {
        let b = index % self.report_life;
        (self.slot + self.report_life - b) % self.report_life
    }

    /// δ^age.
    pub(super) fn staleness(&self, age: usize) -> f64 {
        self.stale[age]
    }

    /// This week's bucket of unit `unit`.
    fn fresh(&self, unit: usize) -> usize {
        unit * self.report_life + self.slot
    }

    /// Post `post`'s reports this week to its home unit `unit`.
    pub(super) fn add_reports(&mut self, unit: usize, post: usize, generation: u32, batch: Reports) {
        let Reports {
            count,
            fast,
            salience,
            comm,
        } = batch;
        let fresh = self.fresh(unit);
        let b = &mut self.reports[fresh];
        b.count += count;
        b.fast += fast;
        b.salience += salience;
        b.comm += comm;
        b.delivered += count;
        self.own_reports[post * self.report_life + self.slot] = OwnReports {
            count,
            unit,
            generation,
        };
    }

    /// Reports delivered to unit `unit` this week (none has been read yet when translators carry).
    pub(super) fn fresh_reports(&self, unit: usize) -> f64 {
        self.reports[self.fresh(unit)].count
    }

    /// Translators carry `share` of unit `unit`'s fresh reports: their salience is multiplied by
    /// `translation`, and they are understood as well as the translator (`comm`) explains them.
    pub(super) fn carry_reports(&mut self, unit: usize, share: f64, translation: f64, comm: f64) {
        let fresh = self.fresh(unit);
        let b = &mut self.reports[fresh];
        let count = b.count;
        let own = b.comm / count;
        b.salience *= 1.0 + share * (translation - 1.0);
        b.comm = count * ((1.0 - share) * own + share * own.max(comm));
    }

    /// The week's end for reports: the oldest bucket, at its shelf life, expires. Returns the
    /// reports that expired unread; `own_unread(post, generation, n)` gets each post's expected
    /// part of them (its reports in the bucket times the bucket's unread share).
    pub(super) fn expire_reports(&mut self, mut own_unread: impl FnMut(usize, u32, f64)) -> f64 {
        let life = self.report_life;
        let oldest = if self.slot + 1 == life { 0 } else { self.slot + 1 };
        let mut expired = 0.0;
        let own_oldest = self.own_reports.iter_mut().skip(oldest).step_by(life);
        for (post, own) in own_oldest.enumerate() {
            if own.count > 0.0 {
                let b = &self.reports[own.unit * life + oldest];
                let unread = own.count * b.count / b.delivered;
                own_unread(post, own.generation, unread);
                *own = OwnReports::default();
            }
        }
        for unit in 0..self.units {
            let b = &mut self.reports[unit * life + oldest];
            expired += b.count;
            *b = Bucket::default();
        }
        self.slot = oldest;
        self.age_buckets();
        expired
    }

    /// An insight delivered this week joins its unit's inbox.
    pub(super) fn hold(&mut self, insight: HeldInsight) {
        self.insights.push(insight);
    }

    /// The week's end for insights: those at their shelf life expire (each reported to
    /// `unread(producer, generation)`), the rest age a week. Returns how many expired.
    pub(super) fn expire_insights(&mut self, mut unread: impl FnMut(usize, u32)) -> f64 {
        let life = self.insight_life;
        let mut expired = 0.0;
        self.insights.retain_mut(|h| {
            h.age += 1;
            if h.age >= life {
                unread(h.producer, h.generation);
                expired += 1.0;
                false
            } else {
                true
            }
        });
        expired
    }

    /// The team now has `posts` posts: waiting insights of cut posts credit nobody, the per-post
    /// ring follows the posts, and the pool can hold a full shelf of the new team's insights.
    pub(super) fn set_posts(&mut self, posts: usize) {
        for h in &mut self.insights {
            if h.producer >= posts {
                h.producer = NO_PRODUCER;
            }
        }
        self.own_reports.truncate(posts * self.report_life);
        self.own_reports
            .resize(posts * self.report_life, OwnReports::default());
        let full = posts * (self.insight_life + 1);
        if self.insights.capacity() < full {
            self.insights.reserve(full - self.insights.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insight(age: usize) -> HeldInsight {
        HeldInsight {
            unit: 0,
            problem: 0,
            producer: 1,
            generation: 0,
            for_window: None,
            proximity: 1.0,
            translation: 1.0,
            comm: 0.4,
            sigma2: 1.0,
            x: [0.0; MAX_OPTIONS],
            fast: 0.0,
            age,
            salience: 0.0,
            p_read: 0.0,
        }
    }

    #[test]
    fn insights_expire_unread_at_their_shelf_life() {
        let mut inbox = Inbox::new(1, 2, 4, 3, 0.8);
        inbox.hold(insight(0));
        let mut unread = Vec::new();
        // Delivered in week 1: waits through weeks 1, 2 and 3, and expires at the end of week 3.
        for week in 1..=3 {
            let expired = inbox.expire_insights(|post, _| unread.push(post));
            assert_eq!(expired, if week == 3 { 1.0 } else { 0.0 }, "week {week}");
        }
        assert!(inbox.insights.is_empty());
        assert_eq!(unread, [1]);
        // A shelf life of one week: read the week it arrives, or never.
        let mut inbox = Inbox::new(1, 2, 1, 1, 0.8);
        inbox.hold(insight(0));
        assert_eq!(inbox.expire_insights(|_, _| {}), 1.0);
    }

    #[test]
    fn reports_expire_at_their_shelf_life_and_each_post_owns_its_unread_part() {
        let mut inbox = Inbox::new(2, 2, 4, 13, 0.8);
        // Week 1: post 0 sends 3 reports to unit 1, post 1 sends 1.
        inbox.add_reports(1, 0, 0, Reports::new(3.0, 0.0, 0.3, 1.2));
        inbox.add_reports(1, 1, 5, Reports::new(1.0, 1.0, 0.1, 0.4));
        let b = inbox.buckets(1).start;
        assert_eq!(inbox.report_age(b), 0);
        // Half of them are read in week 1, half of the fast one with them.
        inbox.reports[b].keep(0.5);
        assert_eq!(inbox.reports[b].fast, 0.5);
        let mut own = Vec::new();
        for week in 1..=4 {
            let expired = inbox.expire_reports(|post, generation, n| own.push((post, generation, n)));
            if week < 4 {
                assert_eq!(expired, 0.0, "week {week}");
                assert_eq!(inbox.report_age(b), week);
                assert_eq!(inbox.bucket_staleness(b - inbox.buckets(1).start), inbox.staleness(week));
            } else {
                assert_eq!(expired, 2.0);
            }
        }
        assert_eq!(own, [(0, 0, 1.5), (1, 5, 0.5)]);
        assert_eq!(inbox.reports.iter().map(|b| b.count).sum::<f64>(), 0.0);
        // Week 5's reports go into the bucket week 1's left.
        inbox.add_reports(0, 0, 0, Reports::new(1.0, 0.0, 0.1, 0.4));
        assert_eq!(inbox.reports[inbox.buckets(0).start].count, 1.0);
        assert_eq!(inbox.report_age(inbox.buckets(0).start), 0);
    }

    #[test]
    fn translators_multiply_the_salience_of_the_share_they_carry() {
        let mut inbox = Inbox::new(1, 1, 4, 13, 0.8);
        inbox.add_reports(0, 0, 0, Reports::new(4.0, 0.0, 0.4, 1.6));
        inbox.carry_reports(0, 0.5, 2.0, 0.7);
        assert!((inbox.reports[0].salience - 0.6).abs() < 1e-15);
        assert!((inbox.reports[0].comm - 4.0 * (0.5 * 0.4 + 0.5 * 0.7)).abs() < 1e-15);
    }
}
