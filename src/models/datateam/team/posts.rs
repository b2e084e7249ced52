//! The posts and the people in them between weeks and at the start of a week: hires filling vacant
//! posts, scheduled headcount changes (MODEL.md §3), and what a leaving holder leaves behind.

use rand::Rng as _;

use super::Team;
use crate::models::datateam::analysts::Analyst;

impl Team {
    /// A scheduled headcount change (MODEL.md §3): the team gets `posts` posts, of which post i is a
    /// translator iff i < `translators`. Runs between weeks, never inside the weekly loop.
    ///
    /// - New posts are appended as vacancies a junior hire fills at week `hire_at` (the path that
    ///   refills a post after a quit, `hire`). Appending keeps post i's home unit at i mod units,
    ///   which routing relies on.
    /// - Cut posts go from the highest index down; their holders leave as on a quit (open requests
    ///   unmet, commissions and projects released) but are not counted as `quits`, which are voluntary
    ///   leavers. Their insights still waiting for a window keep informing it and credit nobody.
    /// - A post that changes role keeps its person and skills, and starts the new role as a hire does:
    ///   work released, working relationships, time split, reward estimates and appraisal period
    ///   reset, pending credit dropped, and a new generation so late credit for the old role's
    ///   products does not reach the new one. A vacant post just changes the role its hire will take.
    pub fn set_posts(&mut self, posts: usize, translators: usize, hire_at: u32) {
        let old = self.analysts.len();
        let roles_change = self.analysts[..posts.min(old)]
            .iter()
            .enumerate()
            .any(|(i, a)| a.translator != (i < translators));
        if posts == old && !roles_change {
            return;
        }
        for i in (posts..old).rev() {
            self.release_work(i);
        }
        self.analysts.truncate(posts);
        // Pending credit of surviving posts is kept; converted posts' is dropped below.
        self.ledger.set_posts(posts);
        for i in 0..posts.min(old) {
            self.change_role(i, i < translators);
        }
        for i in old..posts {
            // A vacancy: `hire` sets the person's skills, motivation and plan when it is filled.
            self.analysts.push(Analyst::vacancy(
                i % self.units,
                self.units,
                i < translators,
                hire_at,
                self.c.initial_split(),
                self.c.initial_reward(),
            ));
        }
        self.scratch.set_posts(posts);
        self.inbox.set_posts(posts);
    }

    /// Post `i` takes the role `translator`; a holder in post starts it afresh (see `set_posts`).
    fn change_role(&mut self, i: usize, translator: bool) {
        if self.analysts[i].translator == translator {
            return;
        }
        self.analysts[i].translator = translator;
        if !self.analysts[i].in_post {
            return;
        }
        self.release_work(i);
        self.ledger.drop_pending(i);
        let (split, reward) = (self.c.initial_split(), self.c.initial_reward());
        let (care, care_reward) = (self.c.care_initial, self.c.initial_care_reward());
        // The new role's first period of care: a draw for analysts only, as at a hire.
        let careful = translator || self.people.random::<f64>() < care;
        self.analysts[i].start_afresh(split, reward, care, care_reward, careful);
    }

    /// What a holder leaving post `i` leaves behind, as on a quit: open requests are unmet, waiting
    /// commissions and the project in progress are released for others to cover.
    pub(super) fn release_work(&mut self, i: usize) {
        let a = &mut self.analysts[i];
        while let Some(r) = a.pop_request() {
            self.unmet[r.unit as usize] += 1.0;
        }
        for j in 0..a.commission_len {
            self.covered[a.commissions[j].0] = false;
        }
        a.commission_len = 0;
        if let Some(p) = a.project.take() {
            self.covered[p.problem] = false;
        }
    }

    /// Vacant posts whose hire is due are filled by a junior hire: tech `hire_tech`, no domain
    /// knowledge, the hire's comm and motivation, and a fresh start in the role.
    pub(super) fn hire(&mut self, week: u32) {
        let hire_tech = self.levers.hire_tech;
        let c = &self.c;
        let (split, reward) = (c.initial_split(), c.initial_reward());
        let (care, care_reward) = (c.care_initial, c.initial_care_reward());
        for a in &mut self.analysts {
            if !a.in_post && a.hire_at <= week {
                a.in_post = true;
                a.pay_tech = hire_tech;
                self.counters.hires += 1.0;
                // A hire's first period of care is drawn at once (analysts only), on the people stream.
                let careful = a.translator || self.people.random::<f64>() < care;
                a.start_afresh(split, reward, care, care_reward, careful);
                a.tech = hire_tech;
                a.tech_max = hire_tech;
                a.domain.fill(0.0);
                a.comm = if a.translator {
                    c.hire_comm_translator
                } else {
                    c.hire_comm_analyst
                };
                a.motivation = c.hire_motivation;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{informed_window, plant_product, team_of, window};
    use super::super::ledger::{CREDIT_RING, NO_PRODUCER};
    use crate::models::datateam::analysts::{Project, Request};
    use crate::models::datateam::structure::dual_overhead;

    #[test]
    fn added_posts_are_vacancies_filled_by_junior_hires_after_the_hiring_delay() {
        let (world, mut units, mut team, env) = team_of(8, 0);
        team.set_posts(12, 0, 10 + env.hiring_delay);
        assert_eq!((team.analysts.len(), team.headcount()), (12, 8));
        for (i, a) in team.analysts.iter().enumerate() {
            assert_eq!(a.unit, i % 4, "post i's home unit is i mod units");
        }
        assert_eq!(team.ledger.credit.len(), CREDIT_RING * 12);
        assert_eq!(team.inbox.own_reports.len(), 12 * team.inbox.report_life);
        for week in 11..=22 {
            team.week(&world, &mut units, &env, week);
            let expected = if week < 22 { 8 } else { 12 };
            assert_eq!(team.headcount(), expected, "week {week}");
        }
        for a in &team.analysts[8..] {
            assert!(a.in_post && !a.translator && a.generation == 1);
            // Hired at hire_tech this week; one week of feedback has moved it a little since.
            assert!((a.tech - team.levers.hire_tech).abs() < 0.01, "{}", a.tech);
            assert!(a.domain.iter().all(|&d| d < 0.05), "{:?}", a.domain);
        }
        // The new posts take work like any other: they are routed to and plan their time.
        for week in 23..=60 {
            team.week(&world, &mut units, &env, week);
        }
        // Their whole week is planned, but for hub_and_spoke's dual-reporting overhead.
        let levers = &team.levers;
        let overhead = dual_overhead(levers.structure, levers.hub_share, &team.c);
        assert!(
            team.analysts[8..]
                .iter()
                .all(|a| a.time.iter().sum::<f64>() > 0.99 - overhead)
        );
        assert_eq!(team.counters.quits, 0.0);
    }

    #[test]
    fn cut_posts_leave_as_on_a_quit_without_counting_as_quits() {
        let (world, mut units, mut team, env) = team_of(8, 0);
        // Post 7 (home unit 3) holds two requests, a commission and a project; post 6 a project.
        let request = Request { week: 1, unit: 3 };
        assert!(team.analysts[7].push_request(request) && team.analysts[7].push_request(request));
        team.analysts[7].commissions[0] = (6, 0);
        team.analysts[7].commission_len = 1;
        team.analysts[7].project = Some(Project::new(7, 2.0, Some(0)));
        team.analysts[6].project = Some(Project::new(5, 2.0, None));
        team.covered[5..8].fill(true);
        // Pending credit for a surviving post and for a cut one.
        team.ledger.credit[3 * 8 + 2] = [1.0, 0.5];
        team.ledger.credit[3 * 8 + 7] = [1.0, 0.0];
        team.set_posts(6, 0, 99);
        assert_eq!((team.analysts.len(), team.headcount()), (6, 6));
        assert_eq!(team.unmet[3], 2.0, "the leaver's open requests are unmet");
        assert!(!team.covered[5] && !team.covered[6] && !team.covered[7]);
        assert_eq!(team.counters.quits, 0.0, "a cut post is not a quit");
        assert_eq!(team.ledger.credit.len(), CREDIT_RING * 6);
        assert_eq!(
            team.ledger.credit[3 * 6 + 2],
            [1.0, 0.5],
            "survivors keep pending credit"
        );
        assert_eq!(
            team.ledger.credit.iter().map(|c| c[0] + c[1]).sum::<f64>(),
            1.5
        );
        // An insight naming a post that no longer exists (a stale index: `set_posts` redirects the
        // stored ones, and `decide` guards the read anyway) still informs the window and is counted
        // as used; nobody is credited and nothing panics.
        informed_window(&mut team, &mut units);
        plant_product(&mut team, 7, 0);
        team.decide(&world, &mut units, &env, window(0, 20, 46));
        assert_eq!(team.counters.informed_decisions, 1.0);
        assert_eq!(team.counters.insights_used, 1.0);
        // The team runs on without touching the cut posts.
        for week in 21..=40 {
            team.week(&world, &mut units, &env, week);
        }
        assert_eq!(team.analysts.len(), 6);
        // Cutting to nothing leaves no team; the units' trust and literacy stay.
        team.set_posts(0, 0, 99);
        assert!(!team.exists() && team.ledger.credit.is_empty());
        team.week(&world, &mut units, &env, 41);
    }

    #[test]
    fn a_regrown_post_is_not_credited_for_its_cut_predecessors_insight() {
        let (world, mut units, mut team, env) = team_of(8, 0);
        // Post 7's holder is a successor (generation 1) whose insight waits for problem 0's window.
        team.analysts[7].generation = 1;
        plant_product(&mut team, 7, 1);
        team.set_posts(7, 0, 30);
        assert_eq!(team.ledger.products[0][0].producer, NO_PRODUCER);
        // The post comes back and its new holder (generation 1 again) arrives before the window.
        team.set_posts(8, 0, 30);
        for week in 30..=31 {
            team.week(&world, &mut units, &env, week);
        }
        let hired = &team.analysts[7];
        assert!(hired.in_post && hired.generation == 1);
        assert_eq!(team.ledger.product_len[0], 1);
        assert_eq!(team.ledger.products[0][0].producer, NO_PRODUCER);
        informed_window(&mut team, &mut units);
        team.decide(&world, &mut units, &env, window(0, 32, 58));
        assert_eq!(team.counters.insights_used, 1.0);
        assert_eq!(team.analysts[7].week_used, 0.0, "nobody is credited");
        assert!(team.ledger.credit.iter().all(|c| c[0] == 0.0));
    }

    #[test]
    fn a_converted_post_keeps_its_person_in_the_new_role() {
        let (world, mut units, mut team, env) = team_of(8, 0);
        // Post 0 is in post with a request and a project; post 1 is vacant.
        assert!(team.analysts[0].push_request(Request { week: 1, unit: 0 }));
        team.analysts[0].project = Some(Project::new(1, 2.0, None));
        team.covered[1] = true;
        team.analysts[0].split = [0.6, 0.2, 0.2];
        team.ledger.credit[5 * 8] = [1.0, 0.0];
        team.analysts[1].in_post = false;
        team.analysts[1].hire_at = 15;
        let before = team.analysts[0].clone();
        team.set_posts(8, 2, 99);
        let a = &team.analysts[0];
        assert!(
            a.translator && a.in_post,
            "the person stays, as a translator"
        );
        assert_eq!(
            (a.tech, a.comm, a.motivation),
            (before.tech, before.comm, before.motivation)
        );
        assert_eq!(a.domain, before.domain);
        assert_eq!(a.generation, before.generation + 1);
        assert_eq!((a.request_len, a.project), (0, None));
        assert_eq!(a.split, team.c.initial_split());
        assert_eq!(a.relationship, 0.0);
        assert_eq!(team.unmet[0], 1.0);
        assert!(!team.covered[1]);
        assert_eq!(
            team.ledger.credit[5 * 8],
            [0.0; 2],
            "the old role's pending credit is dropped"
        );
        assert_eq!(team.counters.quits, 0.0);
        assert_eq!(team.headcount(), 7);
        // The vacant post is filled by a translator hire, at its own time.
        assert!(team.analysts[1].translator && !team.analysts[1].in_post);
        for week in 10..=15 {
            team.week(&world, &mut units, &env, week);
        }
        assert!(team.analysts[1].in_post);
        assert_eq!(team.analysts[1].comm, team.c.hire_comm_translator);
        // Translators do no analysis: nothing is routed to them; they carry products to units.
        assert!(!team.analysts[0].analyses() && !team.analysts[1].analyses());
        assert!(team.scratch.translator_time.iter().sum::<f64>() > 0.0);
        // And back: the person is an analyst again, from the initial split.
        team.set_posts(8, 0, 99);
        assert!(!team.analysts[0].translator && team.analysts[0].in_post);
        assert_eq!(team.analysts[0].generation, before.generation + 2);
        // Unchanged posts and roles change nothing.
        let same = team.clone();
        team.set_posts(8, 0, 99);
        assert_eq!(format!("{team:?}"), format!("{same:?}"));
    }
}
