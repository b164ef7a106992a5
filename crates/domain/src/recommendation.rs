//! Recommendations and their deliveries to agencies: the states each moves
//! through, what an agency's reply and progress updates do to a delivery,
//! when a delivery is overdue, and the chasing schedule (đôn đốc) in working
//! days.

use chrono::NaiveDate;

use crate::calendar::Holidays;
use crate::catalog::Agency;
use crate::{AgencyId, FieldErrors};

/// Where a recommendation stands: written, approved by the Council, sent to
/// agencies. A sent recommendation can still gain deliveries (re-routing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecommendationStatus {
    Draft,
    Approved,
    Sent,
}

names! { RecommendationStatus { Draft = "draft", Approved = "approved", Sent = "sent" } }

/// Why a recommendation step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecommendationError {
    #[error("only a draft can be edited")]
    NotDraft,
    #[error("only a draft can be approved")]
    ApproveNotDraft,
    #[error("only an approved recommendation can be sent")]
    SendNotApproved,
}

impl RecommendationError {
    pub fn code(&self) -> &'static str {
        match self {
            RecommendationError::NotDraft => "not_draft",
            RecommendationError::ApproveNotDraft | RecommendationError::SendNotApproved => "illegal_transition",
        }
    }
}

pub fn can_edit(s: RecommendationStatus) -> Result<(), RecommendationError> {
    if s == RecommendationStatus::Draft {
        Ok(())
    } else {
        Err(RecommendationError::NotDraft)
    }
}

pub fn can_approve(s: RecommendationStatus) -> Result<(), RecommendationError> {
    if s == RecommendationStatus::Draft {
        Ok(())
    } else {
        Err(RecommendationError::ApproveNotDraft)
    }
}

/// Sending an approved recommendation, or re-routing a sent one to more
/// agencies.
pub fn can_send(s: RecommendationStatus) -> Result<(), RecommendationError> {
    if s == RecommendationStatus::Draft {
        Err(RecommendationError::SendNotApproved)
    } else {
        Ok(())
    }
}

/// Where one agency's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeliveryStatus {
    Sent,
    Acknowledged,
    Answered,
    InProgress,
    Done,
    Declined,
    NotResponsible,
}

names! {
    DeliveryStatus {
        Sent = "sent", Acknowledged = "acknowledged", Answered = "answered", InProgress = "in_progress",
        Done = "done", Declined = "declined", NotResponsible = "not_responsible",
    }
}

impl DeliveryStatus {
    /// Still waiting for the agency's answer: the due date applies.
    pub fn awaits_answer(self) -> bool {
        matches!(self, DeliveryStatus::Sent | DeliveryStatus::Acknowledged)
    }
}

/// Where an event for a webhook (an agency's, or the safeguarding
/// team's) stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookStatus {
    /// To be sent, or sent again after a failure.
    Pending,
    Delivered,
    /// Given up on after its retries: a dead letter an admin may replay.
    Dead,
}

names! {
    WebhookStatus { Pending = "pending", Delivered = "delivered", Dead = "dead" }
}

/// An agency's position on a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stance {
    Accepted,
    PartiallyAccepted,
    Declined,
    NotResponsible,
}

names! {
    Stance {
        Accepted = "accepted", PartiallyAccepted = "partially_accepted", Declined = "declined",
        NotResponsible = "not_responsible",
    }
}

impl Stance {
    /// The delivery's state once the reply is recorded.
    pub fn delivery_status(self) -> DeliveryStatus {
        match self {
            Stance::Accepted | Stance::PartiallyAccepted => DeliveryStatus::Answered,
            Stance::Declined => DeliveryStatus::Declined,
            Stance::NotResponsible => DeliveryStatus::NotResponsible,
        }
    }

    /// Whether the agency commits to anything with this stance.
    pub fn takes_commitments(self) -> bool {
        matches!(self, Stance::Accepted | Stance::PartiallyAccepted)
    }
}

/// A commitment's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommitmentStatus {
    Open,
    InProgress,
    Done,
}

names! { CommitmentStatus { Open = "open", InProgress = "in_progress", Done = "done" } }

/// Why an agency's step on a delivery is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error("a delivery cannot go from {from} to {to}")]
    Illegal { from: &'static str, to: &'static str },
    #[error("the commitment is already done")]
    CommitmentDone,
}

impl DeliveryError {
    pub fn code(&self) -> &'static str {
        match self {
            DeliveryError::Illegal { .. } => "illegal_transition",
            DeliveryError::CommitmentDone => "commitment_done",
        }
    }
    /// What the agency can do instead, in words: (Vietnamese, English).
    pub fn next_step(&self) -> (&'static str, &'static str) {
        let answer = |s: &str| DeliveryStatus::parse(s).is_some_and(|s| !s.awaits_answer());
        match self {
            // A progress update asked before the reply.
            DeliveryError::Illegal { from, to } if *to == "in_progress" && !answer(from) => (
                "Cơ quan chưa trả lời kiến nghị này: hãy trả lời trước (POST /api/v1/agency/deliveries/{id}/replies, kèm các cam kết và thời hạn), rồi cập nhật tiến độ từng cam kết.",
                "This delivery is not answered yet: reply first (POST /api/v1/agency/deliveries/{id}/replies, with commitments and their dates), then report progress on each commitment.",
            ),
            DeliveryError::Illegal { from, to } if *to == "in_progress" && *from == "done" => (
                "Mọi cam kết của kiến nghị này đã hoàn thành: không cần cập nhật thêm.",
                "Every commitment of this delivery is done: nothing more needs reporting.",
            ),
            DeliveryError::Illegal { to, .. } if *to == "in_progress" => (
                "Câu trả lời của cơ quan không có cam kết (không tiếp thu hoặc không thuộc thẩm quyền) nên không có tiến độ để cập nhật. Nếu cơ quan đổi ý, hãy liên hệ Hội đồng trẻ em để được gửi lại kiến nghị.",
                "The agency's answer made no commitments (declined, or not responsible), so there is no progress to report. If the agency has changed its mind, ask the Children's Council to send the recommendation again.",
            ),
            DeliveryError::Illegal { .. } => (
                "Cơ quan đã trả lời kiến nghị này; mỗi kiến nghị chỉ trả lời một lần. Hãy cập nhật tiến độ các cam kết (POST /api/v1/agency/deliveries/{id}/updates); nếu cần sửa câu trả lời, hãy liên hệ Hội đồng trẻ em.",
                "The agency has answered this delivery; a delivery is answered once. Report progress on its commitments (POST /api/v1/agency/deliveries/{id}/updates); to change the answer, contact the Children's Council.",
            ),
            DeliveryError::CommitmentDone => (
                "Cam kết này đã hoàn thành: hãy cập nhật cam kết khác còn đang thực hiện.",
                "This commitment is done already: report on another commitment still under way.",
            ),
        }
    }
}

/// Acknowledging: from `sent`. Any later state has been acknowledged
/// already (a reply acknowledges too), so acknowledging again is a no-op
/// whatever followed, and a client on a flaky connection can retry.
/// `false` when nothing changes.
pub fn acknowledge(from: DeliveryStatus) -> bool {
    from == DeliveryStatus::Sent
}

/// Replying: once, while the delivery awaits an answer (a reply to a
/// delivery never acknowledged acknowledges it too).
pub fn reply(from: DeliveryStatus, stance: Stance) -> Result<DeliveryStatus, DeliveryError> {
    let to = stance.delivery_status();
    if from.awaits_answer() {
        Ok(to)
    } else {
        Err(DeliveryError::Illegal {
            from: from.as_str(),
            to: to.as_str(),
        })
    }
}

/// A progress update on one commitment of an answered delivery. Returns the
/// commitment's and the delivery's new state: `done` once every commitment
/// is done, `in_progress` as soon as work has started on any.
pub fn progress(
    delivery: DeliveryStatus,
    commitment: CommitmentStatus,
    to: CommitmentStatus,
    others_done: bool,
) -> Result<DeliveryStatus, DeliveryError> {
    if !matches!(delivery, DeliveryStatus::Answered | DeliveryStatus::InProgress) {
        return Err(DeliveryError::Illegal {
            from: delivery.as_str(),
            to: DeliveryStatus::InProgress.as_str(),
        });
    }
    if commitment == CommitmentStatus::Done {
        return Err(DeliveryError::CommitmentDone);
    }
    Ok(match to {
        CommitmentStatus::Done if others_done => DeliveryStatus::Done,
        _ => DeliveryStatus::InProgress,
    })
}

/// The most commitments one reply makes.
pub const MAX_COMMITMENTS: usize = 20;

/// What a reply must carry with its stance: a reason to decline or to say
/// another body is responsible; for an accepting stance one to
/// [`MAX_COMMITMENTS`] commitments (progress is reported on them, so the
/// delivery can be followed to done), and none otherwise.
pub fn check_reply(stance: Stance, has_reason: bool, commitments: usize) -> crate::FieldErrors {
    let mut errors = crate::FieldErrors::new();
    if matches!(stance, Stance::Declined | Stance::NotResponsible) && !has_reason {
        errors.push("reason", "reason_required", "say why, or who is responsible");
    }
    match (stance.takes_commitments(), commitments) {
        (false, n) if n > 0 => errors.push(
            "commitments",
            "not_allowed",
            "only an accepting stance commits to anything",
        ),
        (true, 0) => errors.push("commitments", "required", "say what will be done, and by when"),
        (_, n) if n > MAX_COMMITMENTS => errors.push("commitments", "too_many", "at most 20"),
        _ => {}
    }
    errors
}

/// Why a due date is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DueError {
    #[error("a due date after today and within a year")]
    OutOfRange,
    #[error("a due date on a working day (not a weekend or a holiday)")]
    NotAWorkingDay,
}

impl DueError {
    pub fn code(self) -> &'static str {
        match self {
            DueError::OutOfRange => "out_of_range",
            DueError::NotAWorkingDay => "not_a_working_day",
        }
    }
}

/// A delivery's due date: the one asked for, or by default
/// [`DEFAULT_DUE_WORKING_DAYS`](crate::calendar::DEFAULT_DUE_WORKING_DAYS)
/// working days after `today`; after today, within a year, on a working
/// day.
pub fn due_date(asked: Option<NaiveDate>, today: NaiveDate, cal: &Holidays) -> Result<NaiveDate, DueError> {
    let due = asked.unwrap_or_else(|| cal.add_working_days(today, crate::calendar::DEFAULT_DUE_WORKING_DAYS));
    if due <= today || due > today + chrono::Duration::days(366) {
        Err(DueError::OutOfRange)
    } else if !cal.is_working_day(due) {
        Err(DueError::NotAWorkingDay)
    } else {
        Ok(due)
    }
}

/// How many agencies one sending may name at the most.
pub const MAX_DELIVERIES: usize = 20;

/// One agency a recommendation is asked to be sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryRequest {
    pub agency_id: AgencyId,
    /// `None`: the default due date ([`due_date`]).
    pub due_on: Option<NaiveDate>,
}

/// A delivery to create: the agency and its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedDelivery {
    pub agency_id: AgencyId,
    pub due_on: NaiveDate,
}

/// What a sending does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendPlan {
    pub deliveries: Vec<PlannedDelivery>,
    /// The first sending freezes the evidence as it is published now; a
    /// re-routing keeps what was frozen then.
    pub freeze_evidence: bool,
}

/// Why a sending is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The recommendation may not be sent (a draft).
    #[error(transparent)]
    Refused(RecommendationError),
    /// What was asked is wrong, every problem by field path.
    #[error(transparent)]
    Invalid(FieldErrors),
}

/// Plans sending a recommendation (or re-routing a sent one) to the
/// agencies asked: only once approved; one to [`MAX_DELIVERIES`] agencies,
/// each listed once, known and active, each due date as [`due_date`] says.
/// `sent_before`: the recommendation already went out, so its evidence
/// stays as frozen then. Whether an agency already holds the
/// recommendation is decided under the storage lock
/// ([`already_delivered`]).
pub fn plan_deliveries(
    status: RecommendationStatus,
    sent_before: bool,
    asked: &[DeliveryRequest],
    agencies: &[Agency],
    today: NaiveDate,
    cal: &Holidays,
) -> Result<SendPlan, SendError> {
    can_send(status).map_err(SendError::Refused)?;
    let mut errors = FieldErrors::new();
    if asked.is_empty() || asked.len() > MAX_DELIVERIES {
        errors.push("deliveries", "invalid_length", "one to twenty agencies");
    }
    let mut deliveries = Vec::with_capacity(asked.len());
    for (i, d) in asked.iter().enumerate() {
        let field = format!("deliveries[{i}].agency_id");
        if asked[..i].iter().any(|o| o.agency_id == d.agency_id) {
            errors.push(field, "duplicate", "listed twice");
            continue;
        }
        match agencies.iter().find(|a| a.id == d.agency_id) {
            None => errors.push(field, "unknown_agency", "no such agency"),
            Some(a) if !a.active => errors.push(field, "agency_inactive", "the agency is no longer active"),
            Some(_) => {}
        }
        match due_date(d.due_on, today, cal) {
            Ok(due_on) => deliveries.push(PlannedDelivery {
                agency_id: d.agency_id,
                due_on,
            }),
            Err(e) => errors.push(format!("deliveries[{i}].due_on"), e.code(), e.to_string()),
        }
    }
    errors
        .into_result(SendPlan {
            deliveries,
            freeze_evidence: !sent_before,
        })
        .map_err(SendError::Invalid)
}

/// The refusal of a sending some of whose agencies (`taken`) already hold
/// the recommendation, by field path of what was asked.
pub fn already_delivered(asked: &[DeliveryRequest], taken: &[AgencyId]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (i, d) in asked.iter().enumerate() {
        if taken.contains(&d.agency_id) {
            errors.push(
                format!("deliveries[{i}].agency_id"),
                "already_delivered",
                "the agency already has this recommendation",
            );
        }
    }
    errors
}

/// Whether a recommendation waits to be routed again: an agency answered
/// "not responsible" after the last time it was routed. Each delivery is
/// `(status, sent_at, answered_at)`.
pub fn needs_rerouting<T: Ord + Copy>(deliveries: &[(DeliveryStatus, T, Option<T>)]) -> bool {
    let last_routed = deliveries.iter().map(|(_, sent, _)| *sent).max();
    deliveries.iter().any(|(status, _, answered)| {
        *status == DeliveryStatus::NotResponsible && answered.is_some_and(|a| Some(a) > last_routed)
    })
}

/// An agency that could take a recommendation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion<'a> {
    pub agency: &'a crate::catalog::Agency,
    /// Levels between the recommendation's unit and the agency's
    /// jurisdiction on the day: 0 is the unit itself.
    pub distance: usize,
    /// It already has a delivery of the recommendation.
    pub already_delivered: bool,
}

/// Where to route a recommendation about `unit` and `topic`: the active
/// agencies that answer for the topic and whose jurisdiction is the unit
/// or one of its ancestors on `date`; the closest first, those that already
/// have it last.
pub fn suggest_agencies<'a>(
    agencies: &'a [crate::catalog::Agency],
    chart: &crate::org::OrgChart,
    unit: crate::UnitId,
    topic: crate::TopicId,
    delivered: &[crate::AgencyId],
    date: NaiveDate,
) -> Vec<Suggestion<'a>> {
    let chain: Vec<crate::UnitId> = std::iter::once(unit)
        .chain(chart.ancestors_on(unit, date).into_iter().map(|u| u.id))
        .collect();
    let mut out: Vec<Suggestion<'a>> = agencies
        .iter()
        .filter(|a| a.active && a.topics.contains(&topic))
        .filter_map(|a| {
            Some(Suggestion {
                agency: a,
                distance: chain.iter().position(|u| *u == a.jurisdiction_unit_id)?,
                already_delivered: delivered.contains(&a.id),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.already_delivered, a.distance, a.agency.name.vi()).cmp(&(
            b.already_delivered,
            b.distance,
            b.agency.name.vi(),
        ))
    });
    out
}

/// Working days past the due date, when a delivery still awaiting an answer
/// is overdue on `today`.
pub fn days_overdue(status: DeliveryStatus, due_on: NaiveDate, today: NaiveDate, cal: &Holidays) -> Option<i64> {
    (status.awaits_answer() && today > due_on).then(|| cal.working_days_between(due_on, today).max(1))
}

/// Whether an answer given on `answered_on` kept the due date.
pub fn answered_on_time(answered_on: NaiveDate, due_on: NaiveDate) -> bool {
    answered_on <= due_on
}

/// Working days before the due date of the first reminder.
pub const REMIND_BEFORE: u32 = 3;
/// Working days between reminders once past due.
pub const REMIND_EVERY: u32 = 5;
/// Reminders past due after which the admins are alerted.
pub const ESCALATE_AFTER: u32 = 3;

/// One step of the chasing schedule of a delivery. Step 0 is three working
/// days before the due date, step 1 the due date, step `n + 1` the `n`th
/// reminder past due, five working days apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminder {
    pub step: u32,
    pub on: NaiveDate,
}

impl Reminder {
    /// `before_due`, `on_due` or `overdue`.
    pub fn kind(self) -> &'static str {
        match self.step {
            0 => "before_due",
            1 => "on_due",
            _ => "overdue",
        }
    }

    /// How many reminders past due this one is (0 before and on the due
    /// date).
    pub fn past_due(self) -> u32 {
        self.step.saturating_sub(1)
    }
}

/// Whether a reminder past due alerts the admins, given how many reminders
/// past due have been sent with it: the third does (not the third step of
/// the schedule, which a chaser that was down may have skipped).
pub fn escalates(past_due_sent: u64) -> bool {
    past_due_sent >= u64::from(ESCALATE_AFTER)
}

/// The date of step `step` of the schedule for a delivery due on `due_on`.
pub fn reminder_date(due_on: NaiveDate, step: u32, cal: &Holidays) -> NaiveDate {
    match step {
        0 => subtract_working_days(due_on, REMIND_BEFORE, cal),
        1 => due_on,
        n => cal.add_working_days(due_on, REMIND_EVERY * (n - 1)),
    }
}

fn subtract_working_days(from: NaiveDate, n: u32, cal: &Holidays) -> NaiveDate {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d -= chrono::Duration::days(1);
        if cal.is_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// The reminder due on `today` for a delivery that awaits an answer, if
/// any: the latest step of the schedule reached by `today` and later than
/// the last one sent. A chaser that missed days sends only the latest step,
/// never a burst of stale ones.
pub fn reminder_due(due_on: NaiveDate, last_sent: Option<u32>, today: NaiveDate, cal: &Holidays) -> Option<Reminder> {
    if today < reminder_date(due_on, 0, cal) {
        return None;
    }
    let mut step = 0;
    while reminder_date(due_on, step + 1, cal) <= today {
        step += 1;
    }
    match last_sent {
        Some(last) if last >= step => None,
        _ => Some(Reminder {
            step,
            on: reminder_date(due_on, step, cal),
        }),
    }
}

/// A delivery as the reports count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryFacts {
    pub recommendation: uuid::Uuid,
    pub status: DeliveryStatus,
    /// The local day it was sent.
    pub sent_on: NaiveDate,
    pub due_on: NaiveDate,
    pub answered_on: Option<NaiveDate>,
}

/// Deliveries sent, answered, answered by the due date and overdue, as
/// known on the last day measured, with the working days each answer took.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerTally {
    pub recommendations: std::collections::BTreeSet<uuid::Uuid>,
    pub sent: u64,
    pub answered: u64,
    pub answered_on_time: u64,
    pub overdue: u64,
    pub working_days_to_answer: Vec<i64>,
}

impl AnswerTally {
    /// Counts a delivery as it stood on `measured_to`: an answer given
    /// later was not known then, and the delivery was still waiting.
    pub fn add(&mut self, d: &DeliveryFacts, measured_to: NaiveDate, cal: &Holidays) {
        self.recommendations.insert(d.recommendation);
        self.sent += 1;
        match d.answered_on.filter(|a| *a <= measured_to) {
            Some(answered) => {
                self.answered += 1;
                if answered_on_time(answered, d.due_on) {
                    self.answered_on_time += 1;
                }
                self.working_days_to_answer
                    .push(cal.working_days_between(d.sent_on, answered).max(0));
            }
            None => {
                let waiting = d.status.awaits_answer() || d.answered_on.is_some();
                if waiting && measured_to > d.due_on {
                    self.overdue += 1;
                }
            }
        }
    }

    /// The median working days to answer, if anything was answered.
    pub fn median_working_days(&self) -> Option<f64> {
        median(&mut self.working_days_to_answer.clone())
    }
}

/// The median of some counts (the mean of the middle two for an even
/// number), or `None` for none.
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0
    })
}

#[cfg(test)]
mod next_step_tests {
    use super::*;

    #[test]
    fn every_refusal_of_a_step_says_what_to_do_next() {
        use DeliveryStatus::*;
        let early = progress(Sent, CommitmentStatus::Open, CommitmentStatus::Done, false).unwrap_err();
        assert!(
            early
                .next_step()
                .1
                .starts_with("This delivery is not answered yet: reply first")
        );
        let finished = progress(Done, CommitmentStatus::Done, CommitmentStatus::Done, true).unwrap_err();
        assert!(finished.next_step().1.contains("nothing more needs reporting"));
        let declined = progress(Declined, CommitmentStatus::Open, CommitmentStatus::Done, false).unwrap_err();
        assert!(declined.next_step().0.contains("không có tiến độ"));
        let twice = reply(Answered, Stance::Accepted).unwrap_err();
        assert!(twice.next_step().1.contains("a delivery is answered once"));
        let done = progress(InProgress, CommitmentStatus::Done, CommitmentStatus::Done, false).unwrap_err();
        assert_eq!(done, DeliveryError::CommitmentDone);
        assert!(done.next_step().0.starts_with("Cam kết này đã hoàn thành"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{d, parent, unit};
    use proptest::prelude::*;

    fn vietnam() -> Holidays {
        Holidays::new(crate::calendar::vietnam_holidays().into_iter().map(|(d, _)| d))
    }

    #[test]
    fn statuses_round_trip() {
        crate::testing::assert_names_read_back(DeliveryStatus::ALL, DeliveryStatus::as_str, DeliveryStatus::parse);
        crate::testing::assert_names_read_back(
            RecommendationStatus::ALL,
            RecommendationStatus::as_str,
            RecommendationStatus::parse,
        );
        crate::testing::assert_names_read_back(Stance::ALL, Stance::as_str, Stance::parse);
        assert_eq!(Stance::parse("maybe"), None);
    }

    #[test]
    fn a_recommendation_is_edited_as_a_draft_approved_once_and_sent_after_approval() {
        use RecommendationStatus::*;
        assert!(can_edit(Draft).is_ok());
        assert_eq!(can_edit(Approved), Err(RecommendationError::NotDraft));
        assert!(can_approve(Draft).is_ok());
        assert_eq!(can_approve(Sent).unwrap_err().code(), "illegal_transition");
        assert_eq!(can_send(Draft), Err(RecommendationError::SendNotApproved));
        assert!(can_send(Approved).is_ok());
        assert!(can_send(Sent).is_ok(), "re-routing");
    }

    #[test]
    fn a_delivery_moves_forward_only() {
        use DeliveryStatus::*;
        assert!(acknowledge(Sent));
        for from in [Acknowledged, Answered, InProgress, Done, Declined, NotResponsible] {
            assert!(!acknowledge(from), "{from:?}: already acknowledged, nothing changes");
        }
        assert_eq!(reply(Sent, Stance::Accepted), Ok(Answered));
        assert_eq!(reply(Acknowledged, Stance::Declined), Ok(Declined));
        assert_eq!(reply(Acknowledged, Stance::NotResponsible), Ok(NotResponsible));
        for from in [Answered, InProgress, Done, Declined, NotResponsible] {
            assert_eq!(reply(from, Stance::Accepted).unwrap_err().code(), "illegal_transition");
        }
        use CommitmentStatus as C;
        assert_eq!(progress(Answered, C::Open, C::InProgress, false), Ok(InProgress));
        assert_eq!(progress(InProgress, C::InProgress, C::Done, false), Ok(InProgress));
        assert_eq!(progress(InProgress, C::InProgress, C::Done, true), Ok(Done));
        assert_eq!(progress(Answered, C::Open, C::Done, true), Ok(Done));
        assert_eq!(
            progress(InProgress, C::Done, C::Done, true),
            Err(DeliveryError::CommitmentDone)
        );
        for from in [Sent, Acknowledged, Done, Declined, NotResponsible] {
            assert!(progress(from, C::Open, C::InProgress, false).is_err(), "{from:?}");
        }
    }

    #[test]
    fn routing_suggests_the_closest_jurisdiction_answering_for_the_topic() {
        use crate::catalog::{Agency, AgencyKind, Contact};
        use crate::org::{OrgChart, Unit, UnitKind};
        use crate::{AgencyId, LocalizedText, TopicId};
        let (district, ward, school, other) = (
            unit("PN", UnitKind::District),
            unit("W", UnitKind::Ward),
            unit("S", UnitKind::School),
            unit("W2", UnitKind::Ward),
        );
        let parents = vec![
            parent(&ward, &district),
            parent(&school, &ward),
            parent(&other, &district),
        ];
        let chart = OrgChart::new(
            vec![district.clone(), ward.clone(), school.clone(), other.clone()],
            parents,
            vec![],
        );
        let (safety, play) = (TopicId::new(), TopicId::new());
        let agency = |name: &str, at: &Unit, topics: Vec<TopicId>, active| Agency {
            id: AgencyId::new(),
            name: LocalizedText::from_stored(name, None),
            kind: AgencyKind::Other,
            jurisdiction_unit_id: at.id,
            topics,
            contact: Contact::default(),
            active,
        };
        let agencies = vec![
            agency("Quận", &district, vec![safety], true),
            agency("Trường", &school, vec![safety, play], true),
            agency("Phường", &ward, vec![safety], true),
            agency("Phường khác", &other, vec![safety], true),
            agency("Vui chơi", &ward, vec![play], true),
            agency("Đã giải thể", &ward, vec![safety], false),
        ];
        let names = |s: &[Suggestion]| {
            s.iter()
                .map(|s| (s.agency.name.vi().to_owned(), s.distance))
                .collect::<Vec<_>>()
        };
        let today = d("2026-11-29");
        let got = suggest_agencies(&agencies, &chart, school.id, safety, &[], today);
        assert_eq!(
            names(&got),
            vec![("Trường".into(), 0), ("Phường".into(), 1), ("Quận".into(), 2)]
        );
        // One that already has it comes last.
        let got = suggest_agencies(&agencies, &chart, school.id, safety, &[agencies[1].id], today);
        assert_eq!(
            names(&got),
            vec![("Phường".into(), 1), ("Quận".into(), 2), ("Trường".into(), 0)]
        );
        assert!(got[2].already_delivered);
    }

    fn plan_agency(active: bool) -> Agency {
        use crate::catalog::{AgencyKind, Contact};
        Agency {
            id: AgencyId::new(),
            name: crate::LocalizedText::from_stored("Phường", None),
            kind: AgencyKind::Other,
            jurisdiction_unit_id: crate::UnitId::new(),
            topics: vec![],
            contact: Contact::default(),
            active,
        }
    }

    fn ask(a: &Agency, due_on: Option<&str>) -> DeliveryRequest {
        DeliveryRequest {
            agency_id: a.id,
            due_on: due_on.map(d),
        }
    }

    fn fields(e: SendError) -> Vec<(String, &'static str)> {
        match e {
            SendError::Invalid(e) => e.0.into_iter().map(|f| (f.field, f.code)).collect(),
            SendError::Refused(r) => panic!("refused: {r}"),
        }
    }

    #[test]
    fn a_sending_plans_one_delivery_per_agency_due_by_default_in_fifteen_working_days() {
        let (a, b) = (plan_agency(true), plan_agency(true));
        let agencies = [a.clone(), b.clone()];
        // Wednesday 25 November 2026.
        let today = d("2026-11-25");
        let asked = [ask(&a, None), ask(&b, Some("2026-12-31"))];
        let plan = plan_deliveries(
            RecommendationStatus::Approved,
            false,
            &asked,
            &agencies,
            today,
            &vietnam(),
        )
        .unwrap();
        assert!(plan.freeze_evidence);
        assert_eq!(
            plan.deliveries,
            vec![
                PlannedDelivery {
                    agency_id: a.id,
                    due_on: d("2026-12-16"),
                },
                PlannedDelivery {
                    agency_id: b.id,
                    due_on: d("2026-12-31"),
                },
            ]
        );
        // Re-routing a sent one keeps the evidence frozen at the first.
        let plan = plan_deliveries(
            RecommendationStatus::Sent,
            true,
            &asked[..1],
            &agencies,
            today,
            &vietnam(),
        )
        .unwrap();
        assert!(!plan.freeze_evidence);
        assert_eq!(plan.deliveries.len(), 1);
    }

    #[test]
    fn a_draft_is_not_sent_whatever_is_asked() {
        assert_eq!(
            plan_deliveries(
                RecommendationStatus::Draft,
                false,
                &[],
                &[],
                d("2026-11-25"),
                &vietnam()
            ),
            Err(SendError::Refused(RecommendationError::SendNotApproved))
        );
    }

    #[test]
    fn a_sending_names_one_to_twenty_known_active_agencies_once_each_with_working_due_dates() {
        let today = d("2026-11-25");
        let plan = |asked: &[DeliveryRequest], agencies: &[Agency]| {
            plan_deliveries(
                RecommendationStatus::Approved,
                false,
                asked,
                agencies,
                today,
                &vietnam(),
            )
        };
        assert_eq!(
            fields(plan(&[], &[]).unwrap_err()),
            vec![("deliveries".to_owned(), "invalid_length")]
        );
        let many: Vec<Agency> = (0..21).map(|_| plan_agency(true)).collect();
        let asked: Vec<DeliveryRequest> = many.iter().map(|a| ask(a, None)).collect();
        assert_eq!(
            fields(plan(&asked, &many).unwrap_err()),
            vec![("deliveries".to_owned(), "invalid_length")]
        );
        assert!(plan(&asked[..20], &many).is_ok());
        let (known, gone, stranger) = (plan_agency(true), plan_agency(false), plan_agency(true));
        let agencies = [known.clone(), gone.clone()];
        assert_eq!(
            fields(
                plan(
                    &[
                        ask(&known, None),
                        ask(&known, None),
                        ask(&gone, None),
                        ask(&stranger, Some("2026-11-28")),
                        ask(&known, Some("2026-11-25")),
                    ],
                    &agencies,
                )
                .unwrap_err()
            ),
            vec![
                ("deliveries[1].agency_id".to_owned(), "duplicate"),
                ("deliveries[2].agency_id".to_owned(), "agency_inactive"),
                ("deliveries[3].agency_id".to_owned(), "unknown_agency"),
                // A Saturday.
                ("deliveries[3].due_on".to_owned(), "not_a_working_day"),
                ("deliveries[4].agency_id".to_owned(), "duplicate"),
            ]
        );
    }

    #[test]
    fn agencies_already_holding_it_are_named_by_what_was_asked() {
        let (a, b) = (plan_agency(true), plan_agency(true));
        let asked = [ask(&a, None), ask(&b, None)];
        let e = already_delivered(&asked, &[b.id]);
        assert_eq!(
            e.0.into_iter().map(|f| (f.field, f.code)).collect::<Vec<_>>(),
            vec![("deliveries[1].agency_id".to_owned(), "already_delivered")]
        );
        assert!(already_delivered(&asked, &[]).is_empty());
    }

    #[test]
    fn a_reply_carries_what_its_stance_needs() {
        let codes = |e: crate::FieldErrors| e.0.into_iter().map(|f| (f.field, f.code)).collect::<Vec<_>>();
        assert!(check_reply(Stance::Accepted, false, 1).is_empty());
        assert!(check_reply(Stance::Declined, true, 0).is_empty());
        assert_eq!(
            codes(check_reply(Stance::Declined, false, 0)),
            vec![("reason".to_owned(), "reason_required")]
        );
        assert_eq!(
            codes(check_reply(Stance::NotResponsible, false, 2)),
            vec![
                ("reason".to_owned(), "reason_required"),
                ("commitments".to_owned(), "not_allowed")
            ]
        );
        assert_eq!(
            codes(check_reply(Stance::PartiallyAccepted, false, 0)),
            vec![("commitments".to_owned(), "required")]
        );
        assert_eq!(
            codes(check_reply(Stance::Accepted, false, 21)),
            vec![("commitments".to_owned(), "too_many")]
        );
    }

    #[test]
    fn due_dates_default_to_fifteen_working_days_and_fall_on_one() {
        let cal = vietnam();
        let today = d("2027-01-25");
        assert_eq!(due_date(None, today, &cal), Ok(d("2027-02-22")));
        assert_eq!(due_date(Some(d("2027-02-19")), today, &cal), Ok(d("2027-02-19")));
        assert_eq!(due_date(Some(today), today, &cal), Err(DueError::OutOfRange));
        assert_eq!(due_date(Some(d("2028-02-01")), today, &cal), Err(DueError::OutOfRange));
        assert_eq!(
            due_date(Some(d("2027-02-08")), today, &cal),
            Err(DueError::NotAWorkingDay),
            "Tết"
        );
        assert_eq!(
            due_date(Some(d("2027-01-30")), today, &cal),
            Err(DueError::NotAWorkingDay),
            "Saturday"
        );
    }

    #[test]
    fn a_recommendation_needs_rerouting_after_a_not_responsible_answer_since_its_last_routing() {
        use DeliveryStatus::*;
        assert!(!needs_rerouting::<u32>(&[]));
        assert!(!needs_rerouting(&[(Answered, 1, Some(2))]));
        assert!(needs_rerouting(&[(Answered, 1, Some(2)), (NotResponsible, 1, Some(3))]));
        // Routed again at 4, after the answer at 3.
        assert!(!needs_rerouting(&[(NotResponsible, 1, Some(3)), (Sent, 4, None)]));
        // A second "not responsible" after the re-routing.
        assert!(needs_rerouting(&[
            (NotResponsible, 1, Some(3)),
            (NotResponsible, 4, Some(5))
        ]));
    }

    #[test]
    fn overdue_counts_working_days_past_the_due_date_while_unanswered() {
        let cal = vietnam();
        let due = d("2026-04-28"); // Tuesday before 30/4 and 1/5
        assert_eq!(days_overdue(DeliveryStatus::Sent, due, due, &cal), None);
        // 29/4 is a working day, 30/4 and 1/5 holidays, 2–3/5 the weekend.
        assert_eq!(days_overdue(DeliveryStatus::Sent, due, d("2026-04-29"), &cal), Some(1));
        assert_eq!(
            days_overdue(DeliveryStatus::Acknowledged, due, d("2026-05-04"), &cal),
            Some(2)
        );
        // Overdue on a holiday just after the due date still counts one day.
        assert_eq!(
            days_overdue(DeliveryStatus::Sent, d("2026-04-29"), d("2026-04-30"), &cal),
            Some(1)
        );
        assert_eq!(days_overdue(DeliveryStatus::Answered, due, d("2026-06-01"), &cal), None);
        assert!(answered_on_time(due, due));
        assert!(!answered_on_time(d("2026-04-29"), due));
    }

    /// The schedule over real holidays: a delivery sent on 2027-01-25 is due
    /// 15 working days later, across Tết 2027 (5–10 February).
    #[test]
    fn the_chasing_schedule_skips_weekends_and_tet() {
        let cal = vietnam();
        let sent = d("2027-01-25");
        let due = cal.add_working_days(sent, crate::calendar::DEFAULT_DUE_WORKING_DAYS);
        // 5 February and 8–11 February are Tết; the 15th working day is
        // a Monday.
        assert_eq!(due, d("2027-02-22"));
        let cases = [
            (0, "2027-02-17", "before_due"),
            (1, "2027-02-22", "on_due"),
            (2, "2027-03-01", "overdue"),
            (3, "2027-03-08", "overdue"),
            (4, "2027-03-15", "overdue"),
        ];
        for (step, on, kind) in cases {
            let r = Reminder { step, on: d(on) };
            assert_eq!(reminder_date(due, step, &cal), d(on), "step {step}");
            assert_eq!(r.kind(), kind);
            assert_eq!(escalates(r.past_due().into()), step == 4);
        }
        assert_eq!(reminder_due(due, None, d("2027-02-16"), &cal), None);
        assert_eq!(
            reminder_due(due, None, d("2027-02-17"), &cal),
            Some(Reminder {
                step: 0,
                on: d("2027-02-17")
            })
        );
        assert_eq!(reminder_due(due, Some(0), d("2027-02-19"), &cal), None);
        assert_eq!(
            reminder_due(due, Some(0), d("2027-02-22"), &cal).map(|r| r.step),
            Some(1)
        );
        // A chaser that was down for two weeks sends the latest step only.
        assert_eq!(
            reminder_due(due, Some(0), d("2027-03-09"), &cal).map(|r| r.step),
            Some(3)
        );
        assert_eq!(reminder_due(due, Some(3), d("2027-03-12"), &cal), None);
    }

    #[test]
    fn answers_are_tallied_as_known_at_the_end_of_the_period() {
        let cal = vietnam();
        let id = uuid::Uuid::nil();
        let facts = |status, answered: Option<&str>| DeliveryFacts {
            recommendation: id,
            status,
            sent_on: d("2026-04-20"),
            due_on: d("2026-05-11"),
            answered_on: answered.map(d),
        };
        let mut t = AnswerTally::default();
        let end = d("2026-06-30");
        t.add(&facts(DeliveryStatus::Answered, Some("2026-04-29")), end, &cal); // on time
        t.add(&facts(DeliveryStatus::Declined, Some("2026-05-15")), end, &cal); // late
        t.add(&facts(DeliveryStatus::Sent, None), end, &cal); // overdue
        t.add(&facts(DeliveryStatus::Answered, Some("2026-07-02")), end, &cal); // after the period: overdue then
        assert_eq!(t.recommendations.len(), 1);
        assert_eq!((t.sent, t.answered, t.answered_on_time, t.overdue), (4, 2, 1, 2));
        // 21–24, 28 and 29 April: 6 days (27/4 is the Hùng Kings'
        // holiday taken on the Monday); to 15 May: 16 (30/4 and 1/5 off).
        assert_eq!(t.working_days_to_answer, vec![6, 16]);
        assert_eq!(t.median_working_days(), Some(11.0));
        // Measured before the due date, nothing is overdue yet.
        let mut early = AnswerTally::default();
        early.add(&facts(DeliveryStatus::Sent, None), d("2026-05-11"), &cal);
        assert_eq!(early.overdue, 0);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3.0));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2.5));
    }

    proptest! {
        /// Steps are strictly later than one another, every step falls on a
        /// working day, and running the chaser every day sends each step
        /// exactly once, in order.
        #[test]
        fn daily_chasing_sends_each_step_once_in_order(offset in 0i64..700) {
            let cal = vietnam();
            let due = cal.add_working_days(d("2026-01-01") + chrono::Duration::days(offset), 0);
            let due = if cal.is_working_day(due) { due } else { cal.add_working_days(due, 1) };
            let mut last = None;
            let mut sent = Vec::new();
            let mut day = due - chrono::Duration::days(20);
            while day <= due + chrono::Duration::days(60) {
                if let Some(r) = reminder_due(due, last, day, &cal) {
                    prop_assert_eq!(r.on, day);
                    prop_assert!(cal.is_working_day(r.on));
                    last = Some(r.step);
                    sent.push(r.step);
                }
                day += chrono::Duration::days(1);
            }
            let expected: Vec<u32> = (0..sent.len() as u32).collect();
            prop_assert_eq!(&sent, &expected);
            prop_assert!(sent.len() >= 5);
        }
    }
}
