//! The words a person reads for the service's codes (answers, groups,
//! statuses, stances, kinds of event, target metrics) in Vietnamese and
//! English, and numbers and dates as people write them. JSON keeps the
//! codes; what people read (CSV for people, the feed, the labels beside
//! the codes) uses these. An unknown code is given back as it is.

use chrono::{Datelike, NaiveDate};

use crate::text::Lang;

fn pick(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The code of a language, as `Accept-Language` and `lang=` name it.
pub fn lang_code(lang: Lang) -> &'static str {
    pick(lang, "vi", "en")
}

/// `vi` or `en`; `None` for anything else.
pub fn parse_lang(code: &str) -> Option<Lang> {
    match code {
        "vi" => Some(Lang::Vi),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// A dimension results are broken down by.
pub fn dimension(code: &str, lang: Lang) -> &str {
    match code {
        "age_band" => pick(lang, "Nhóm tuổi", "Age band"),
        "gender" => pick(lang, "Giới tính", "Gender"),
        "unit" => pick(lang, "Đơn vị", "Unit"),
        "period" => pick(lang, "Tháng", "Month"),
        other => other,
    }
}

/// A yes/no answer.
pub fn yes_no(yes: bool, lang: Lang) -> &'static str {
    if yes {
        pick(lang, "Có", "Yes")
    } else {
        pick(lang, "Không", "No")
    }
}

/// A column of a yes/no question (`yes`, `no`).
pub fn yes_no_column(code: &str, lang: Lang) -> &str {
    match code {
        "yes" => yes_no(true, lang),
        "no" => yes_no(false, lang),
        other => other,
    }
}

/// An age band (`12-14`), a half of childhood (`6-11`), or any age (`*`).
pub fn age_band(code: &str, lang: Lang) -> String {
    if code == "*" {
        return pick(lang, "Mọi lứa tuổi", "Any age").to_owned();
    }
    match code.split_once('-') {
        Some((from, to)) if from.parse::<u8>().is_ok() && to.parse::<u8>().is_ok() => match lang {
            Lang::Vi => format!("{from}–{to} tuổi"),
            Lang::En => format!("Aged {from}–{to}"),
        },
        _ => code.to_owned(),
    }
}

/// A gender as children give it (`girl`, `boy`, …), `not_given`, or any
/// (`*`).
pub fn gender(code: &str, lang: Lang) -> &str {
    match code {
        "girl" => pick(lang, "Nữ", "Girls"),
        "boy" => pick(lang, "Nam", "Boys"),
        "other" => pick(lang, "Khác", "Other"),
        "prefer_not_to_say" => pick(lang, "Không muốn nói", "Preferred not to say"),
        "not_given" => pick(lang, "Không cho biết", "Not given"),
        "*" => pick(lang, "Mọi giới tính", "Any gender"),
        other => other,
    }
}

/// A month (`2026-11`) as `11/2026`.
pub fn month(code: &str) -> String {
    match code.split_once('-') {
        Some((y, m)) if y.len() == 4 && m.len() == 2 => format!("{m}/{y}"),
        _ => code.to_owned(),
    }
}

/// A day as people in Vietnam write it: `25/11/2026`.
pub fn date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

/// Before a due date: "due 25/11/2026".
pub fn by_date(lang: Lang) -> &'static str {
    pick(lang, "hạn", "due")
}

/// Everyone, in a table of groups.
pub fn everyone(lang: Lang) -> &'static str {
    pick(lang, "Tất cả", "All")
}

/// Records of no unit in a table of units.
pub fn other_units(lang: Lang) -> &'static str {
    pick(lang, "Đơn vị khác", "Other units")
}

/// A number rounded to `places` decimals, with the language's decimal
/// mark (`12,5` in Vietnamese, `12.5` in English), without float noise
/// and without trailing zeros beyond `places` = 0.
pub fn decimal(x: f64, places: usize, lang: Lang) -> String {
    let rounded = format!("{x:.places$}");
    // "-0.0" reads as a sign with nothing to say.
    let rounded = if rounded.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
        rounded.trim_start_matches('-').to_owned()
    } else {
        rounded
    };
    match lang {
        Lang::Vi => rounded.replace('.', ","),
        Lang::En => rounded,
    }
}

/// A share (0 to 1) as a percentage with one decimal: `0.125` → `12,5`.
pub fn percent_of_share(share: f64, lang: Lang) -> String {
    decimal(share * 100.0, 1, lang)
}

/// An issue's status in the moderation queue (`merged` included).
pub fn issue_status(code: &str, lang: Lang) -> &str {
    match code {
        "new" => pick(lang, "Mới", "New"),
        "accepted" => pick(lang, "Đã tiếp nhận", "Accepted"),
        "rejected" => pick(lang, "Không tiếp nhận", "Rejected"),
        "merged" => pick(lang, "Đã gộp vào ý kiến trùng", "Merged as a duplicate"),
        "withheld" => pick(lang, "Chuyển bảo vệ trẻ em", "Withheld for safeguarding"),
        "in_review" => pick(lang, "Chờ cán bộ bảo vệ trẻ em xem", "Awaiting a safeguarding review"),
        "withdrawn" => pick(lang, "Trẻ đã rút lại", "Withdrawn"),
        other => other,
    }
}

/// A recommendation's status.
pub fn recommendation_status(code: &str, lang: Lang) -> &str {
    match code {
        "draft" => pick(lang, "Dự thảo", "Draft"),
        "approved" => pick(lang, "Đã thông qua", "Approved"),
        "sent" => pick(lang, "Đã gửi cơ quan", "Sent to agencies"),
        other => other,
    }
}

/// Where an agency's delivery stands.
pub fn delivery_status(code: &str, lang: Lang) -> &str {
    match code {
        "sent" => pick(lang, "Đã gửi, chờ cơ quan nhận", "Sent, awaiting receipt"),
        "acknowledged" => pick(lang, "Cơ quan đã nhận, chờ trả lời", "Received, awaiting an answer"),
        "answered" => pick(lang, "Đã trả lời", "Answered"),
        "in_progress" => pick(lang, "Đang thực hiện", "In progress"),
        "done" => pick(lang, "Đã hoàn thành", "Done"),
        "declined" => pick(lang, "Không tiếp thu", "Declined"),
        "not_responsible" => pick(lang, "Không thuộc thẩm quyền", "Not responsible"),
        other => other,
    }
}

/// An agency's stance on a recommendation.
pub fn stance(code: &str, lang: Lang) -> &str {
    match code {
        "accepted" => pick(lang, "Tiếp thu", "Accepted"),
        "partially_accepted" => pick(lang, "Tiếp thu một phần", "Partly accepted"),
        "declined" => pick(lang, "Không tiếp thu", "Declined"),
        "not_responsible" => pick(lang, "Không thuộc thẩm quyền", "Not responsible"),
        other => other,
    }
}

/// A commitment's progress.
pub fn commitment_status(code: &str, lang: Lang) -> &str {
    match code {
        "open" => pick(lang, "Chưa bắt đầu", "Not started"),
        "in_progress" => pick(lang, "Đang thực hiện", "In progress"),
        "done" => pick(lang, "Đã hoàn thành", "Done"),
        other => other,
    }
}

/// Where a target stands (`met`, `on_track`, `behind`).
pub fn target_status(code: &str, lang: Lang) -> &str {
    match code {
        "met" => pick(lang, "Đạt", "Met"),
        "on_track" => pick(lang, "Đúng tiến độ", "On track"),
        "behind" => pick(lang, "Chậm tiến độ", "Behind"),
        other => other,
    }
}

/// A safeguarding case's status.
pub fn case_status(code: &str, lang: Lang) -> &str {
    match code {
        "new" => pick(lang, "Mới tiếp nhận", "New"),
        "assessing" => pick(lang, "Đang đánh giá", "Being assessed"),
        "referred" => pick(lang, "Đã chuyển tuyến", "Referred"),
        "closed" => pick(lang, "Đã kết thúc", "Closed"),
        other => other,
    }
}

/// A kind of event held offline.
pub fn event_kind(code: &str, lang: Lang) -> &str {
    match code {
        "forum" => pick(
            lang,
            "Diễn đàn lắng nghe tiếng nói trẻ em",
            "Forum: listening to children",
        ),
        "leaders_meet_pioneers" => pick(
            lang,
            "Lãnh đạo gặp gỡ Đội viên tiêu biểu",
            "Leaders meet outstanding Pioneers",
        ),
        "dialogue" => pick(
            lang,
            "Đối thoại với lãnh đạo địa phương, Ban Giám hiệu",
            "Dialogue with local leaders or a school board",
        ),
        "council_meeting" => pick(lang, "Họp Hội đồng trẻ em", "Children's Council meeting"),
        "training" => pick(lang, "Tập huấn", "Training"),
        "action_month" => pick(lang, "Tháng hành động vì trẻ em", "Action Month for Children"),
        "care_centre_listening" => pick(
            lang,
            "Lắng nghe trẻ em tại cơ sở bảo trợ",
            "Listening to children in a care centre",
        ),
        "peoples_council_session" => pick(
            lang,
            "Đại biểu trẻ em dự kỳ họp Hội đồng nhân dân",
            "Child delegates at a People's Council session",
        ),
        "policy_consultation" => pick(
            lang,
            "Lấy ý kiến trẻ em vào văn bản, kế hoạch, chương trình",
            "Consultation on a legal document, plan or programme",
        ),
        "rights_communication" => pick(
            lang,
            "Tuyên truyền Luật Trẻ em và Công ước về quyền trẻ em",
            "Communication on the Law on Children and the Convention",
        ),
        "parents_session" => pick(
            lang,
            "Phụ huynh - Bạn đồng hành cùng con",
            "Parents' session: walking alongside our children",
        ),
        other => other,
    }
}

/// What a target's figure counts.
pub fn quantity(code: &str, lang: Lang) -> &str {
    match code {
        "consultations" => pick(lang, "Lượt trẻ em được lấy ý kiến", "Consultations (one child once)"),
        "unique_participants" => pick(lang, "Số trẻ tham gia (mỗi em một lần)", "Children (each once)"),
        "headcount" => pick(lang, "Lượt trẻ em có mặt", "Headcount"),
        "events" => pick(lang, "Số hoạt động", "Events"),
        "policy_consultations" => pick(lang, "Số lần lấy ý kiến về văn bản, chính sách", "Policy consultations"),
        "units" => pick(lang, "Số đơn vị", "Units"),
        "percent_of_units" => pick(lang, "Tỷ lệ đơn vị (%)", "Percentage of units"),
        other => other,
    }
}

/// A part of a target's figure (`survey_responses`, `issues`, …), added
/// into it or shown beside it.
pub fn target_part(code: &str, lang: Lang) -> &str {
    match code {
        "survey_responses" => pick(lang, "phiếu khảo sát", "survey responses"),
        "issues" => pick(lang, "ý kiến trẻ em gửi", "issues children raised"),
        "event_attendance" => pick(
            lang,
            "trẻ em dự hoạt động lấy ý kiến",
            "children at consultation events",
        ),
        "event_headcount" => pick(
            lang,
            "lượt trẻ em THCS dự hoạt động",
            "lower-secondary headcount at events",
        ),
        "event_headcount_school_level_not_entered" => pick(
            lang,
            "lượt trẻ em dự hoạt động chưa ghi cấp học",
            "headcount at events with no school level entered",
        ),
        "unique_participants" => pick(lang, "số trẻ tham gia (mỗi em một lần)", "children (each once)"),
        "events" => pick(lang, "hoạt động", "events"),
        "surveys" => pick(lang, "khảo sát lấy ý kiến chính sách", "policy consultation surveys"),
        "units_covered" => pick(lang, "đơn vị đã thực hiện", "units covered"),
        "units_in_scope" => pick(lang, "đơn vị thuộc phạm vi", "units in scope"),
        other => other,
    }
}

/// What a target measures.
pub fn metric(code: &str, lang: Lang) -> &str {
    match code {
        "consultations" => pick(lang, "Lượt trẻ em được lấy ý kiến", "Child consultations"),
        "lower_secondary_participants" => {
            pick(lang, "Thiếu niên THCS tham gia (người)", "Lower-secondary participants")
        }
        "ward_dialogue_coverage" => pick(
            lang,
            "Tỷ lệ phường tổ chức đối thoại với trẻ em",
            "Wards holding a dialogue with children",
        ),
        "school_dialogue_coverage" => pick(
            lang,
            "Tỷ lệ Liên đội tổ chức đối thoại với trẻ em",
            "School units holding a dialogue with children",
        ),
        "school_consultation_coverage" => pick(
            lang,
            "Tỷ lệ Liên đội lấy ý kiến trẻ em về quyết định của trường",
            "School units consulting children on school decisions",
        ),
        "council_meetings" => pick(lang, "Số cuộc họp Hội đồng trẻ em", "Children's Council meetings"),
        "forums" => pick(lang, "Số diễn đàn lắng nghe trẻ em", "Forums"),
        "leaders_meet_pioneers" => pick(
            lang,
            "Số buổi lãnh đạo gặp gỡ Đội viên tiêu biểu",
            "Leaders meeting outstanding Pioneers",
        ),
        "trainings_commanders" => pick(
            lang,
            "Số lớp tập huấn chỉ huy Đội, Đội viên nòng cốt",
            "Trainings for Pioneer commanders",
        ),
        "pioneer_leaders_trained_coverage" => pick(
            lang,
            "Tỷ lệ Liên đội có Tổng phụ trách được tập huấn",
            "School units whose Pioneer leaders were trained",
        ),
        "policy_consultations" => pick(
            lang,
            "Số lần lấy ý kiến trẻ em về văn bản, chính sách",
            "Consultations on laws, plans and policies",
        ),
        "neighbourhood_leaders_trained_coverage" => pick(
            lang,
            "Tỷ lệ phường có phụ trách thiếu nhi địa bàn dân cư được tập huấn",
            "Wards whose neighbourhood children's leaders were trained",
        ),
        "unique_participants" => pick(lang, "Số trẻ em tham gia (người)", "Children taking part (each once)"),
        "events.forum" => pick(lang, "Số diễn đàn lắng nghe trẻ em", "Forums held"),
        "events.leaders_meet_pioneers" => pick(
            lang,
            "Số buổi lãnh đạo gặp gỡ Đội viên tiêu biểu",
            "Leaders meeting outstanding Pioneers held",
        ),
        "events.dialogue" => pick(lang, "Số buổi đối thoại", "Dialogues held"),
        "events.council_meeting" => pick(lang, "Số cuộc họp Hội đồng trẻ em", "Children's Council meetings held"),
        "events.training" => pick(lang, "Số lớp tập huấn", "Trainings held"),
        "events.action_month" => pick(
            lang,
            "Số hoạt động Tháng hành động vì trẻ em",
            "Action Month for Children events held",
        ),
        "events.care_centre_listening" => pick(
            lang,
            "Số buổi lắng nghe trẻ em tại cơ sở bảo trợ",
            "Listening sessions in care centres held",
        ),
        "events.peoples_council_session" => pick(
            lang,
            "Số lần đại biểu trẻ em dự kỳ họp Hội đồng nhân dân",
            "People's Council sessions attended by child delegates",
        ),
        "events.policy_consultation" => pick(
            lang,
            "Số buổi lấy ý kiến trẻ em vào văn bản, kế hoạch",
            "Consultations on documents held in a room",
        ),
        "events.rights_communication" => pick(
            lang,
            "Số hoạt động tuyên truyền Luật Trẻ em, Công ước",
            "Communication events on the Law on Children and the Convention",
        ),
        "events.parents_session" => pick(
            lang,
            "Số buổi sinh hoạt \"Phụ huynh - Bạn đồng hành cùng con\"",
            "Parents' sessions held",
        ),
        other => other,
    }
}

/// What became of a child's words, as the child reads it for a receipt:
/// `kind` is `response` or `issue`; `status` is `received`, `accepted`,
/// `merged`, `rejected` or `recommended`; `reason` the code of a
/// rejection.
pub fn receipt_status(kind: &str, status: &str, reason: Option<&str>, lang: Lang) -> &'static str {
    match (kind, status, reason) {
        ("response", "recommended", _) => pick(
            lang,
            "Câu trả lời của em và của các bạn đã giúp làm nên một kiến nghị gửi tới những người có thể thay đổi điều đó.",
            "Your answers, with other children's, helped make a recommendation to the people who can change things.",
        ),
        ("response", _, _) => pick(
            lang,
            "Câu trả lời của em đã được nhận và được tính cùng câu trả lời của các bạn khác.",
            "Your answers were received and are counted with other children's answers.",
        ),
        (_, "recommended", _) => pick(
            lang,
            "Điều em nói đã trở thành một phần của kiến nghị gửi tới những người có thể thay đổi điều đó.",
            "What you said is now part of a recommendation to the people who can change things.",
        ),
        (_, "accepted", _) => pick(
            lang,
            "Hội đồng trẻ em đã đọc và chọn điều em nói để đưa lên.",
            "The Children's Council read what you said and took it up.",
        ),
        (_, "merged", _) | (_, "rejected", Some("duplicate")) => pick(
            lang,
            "Các bạn khác cũng nói điều giống em, nên Hội đồng trẻ em gộp các ý kiến lại để cùng đưa lên.",
            "Other children said the same thing, so the Children's Council put your words together with theirs.",
        ),
        (_, "rejected", Some("off_topic")) => pick(
            lang,
            "Lần này Hội đồng trẻ em không đưa được điều em nói lên vì nó không thuộc chủ đề đang bàn. Cảm ơn em đã nói.",
            "This time the Children's Council could not take it up: it was not about what is being discussed. Thank you for saying it.",
        ),
        (_, "rejected", _) => pick(
            lang,
            "Hội đồng trẻ em đã đọc nhưng lần này không đưa được điều em nói lên. Em vẫn có thể nêu điều khác bất cứ lúc nào.",
            "The Children's Council read it but could not take it up this time. You can always raise something else.",
        ),
        _ => pick(
            lang,
            "Hội đồng trẻ em đã nhận được điều em nói và sẽ đọc.",
            "The Children's Council has received what you said and will read it.",
        ),
    }
}

/// An agency's stance (or none yet) as a child reads it.
pub fn child_stance(stance: Option<&str>, lang: Lang) -> &'static str {
    match stance {
        Some("accepted") => pick(lang, "đã đồng ý làm", "said yes"),
        Some("partially_accepted") => pick(lang, "đã đồng ý làm một phần", "said yes to part of it"),
        Some("declined") => pick(lang, "chưa đồng ý", "said not now"),
        Some("not_responsible") => pick(lang, "nói việc này thuộc nơi khác", "said another office must do this"),
        _ => pick(lang, "chưa trả lời", "has not answered yet"),
    }
}

/// A promise's progress (`open`, `in_progress`, `done`) as a child reads it.
pub fn child_progress(status: &str, lang: Lang) -> &'static str {
    match status {
        "done" => pick(lang, "đã làm xong", "done"),
        "in_progress" => pick(lang, "đang làm", "being done"),
        _ => pick(lang, "chưa bắt đầu", "not started yet"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_people_write_them() {
        let check = |x: f64, places: usize, vi: &str, en: &str| {
            assert_eq!(decimal(x, places, Lang::Vi), vi, "{x}");
            assert_eq!(decimal(x, places, Lang::En), en, "{x}");
        };
        check(0.1 + 0.2, 1, "0,3", "0.3");
        check(12.345, 1, "12,3", "12.3");
        check(100.0, 1, "100,0", "100.0");
        check(-0.01, 1, "0,0", "0.0");
        check(2.5, 0, "2", "2");
        assert_eq!(percent_of_share(0.125, Lang::Vi), "12,5");
        assert_eq!(percent_of_share(1.0 / 3.0, Lang::En), "33.3");
        assert_eq!(percent_of_share(1.0, Lang::En), "100.0");
    }

    #[test]
    fn dates_and_groups() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        assert_eq!(date(d), "07/03/2026");
        assert_eq!(month("2026-11"), "11/2026");
        assert_eq!(age_band("12-14", Lang::Vi), "12–14 tuổi");
        assert_eq!(age_band("6-11", Lang::En), "Aged 6–11");
        assert_eq!(age_band("*", Lang::Vi), "Mọi lứa tuổi");
        assert_eq!(gender("girl", Lang::Vi), "Nữ");
        assert_eq!(gender("not_given", Lang::En), "Not given");
        assert_eq!(yes_no_column("yes", Lang::Vi), "Có");
        assert_eq!(parse_lang("en"), Some(Lang::En));
        assert_eq!(parse_lang("fr"), None);
    }

    #[test]
    fn every_code_has_its_words() {
        use crate::recommendation::{CommitmentStatus, DeliveryStatus, RecommendationStatus, Stance};
        let both = |f: &dyn Fn(Lang) -> String, code: &str| {
            for lang in [Lang::Vi, Lang::En] {
                assert_ne!(f(lang), code, "{code} has no words in {lang:?}");
            }
        };
        for k in crate::plan::EventKind::ALL {
            both(&|l| event_kind(k.as_str(), l).to_owned(), k.as_str());
        }
        for m in crate::plan::Metric::all() {
            both(&|l| metric(m.as_str(), l).to_owned(), m.as_str());
        }
        for s in [
            crate::plan::Status::Met,
            crate::plan::Status::OnTrack,
            crate::plan::Status::Behind,
        ] {
            both(&|l| target_status(s.as_str(), l).to_owned(), s.as_str());
        }
        for s in crate::moderation::IssueStatus::ALL {
            both(&|l| issue_status(s.as_str(), l).to_owned(), s.as_str());
        }
        both(&|l| issue_status(crate::moderation::MERGED, l).to_owned(), "merged");
        for s in crate::safeguarding::CaseStatus::ALL {
            both(&|l| case_status(s.as_str(), l).to_owned(), s.as_str());
        }
        for s in DeliveryStatus::ALL {
            both(&|l| delivery_status(s.as_str(), l).to_owned(), s.as_str());
        }
        for s in Stance::ALL {
            both(&|l| stance(s.as_str(), l).to_owned(), s.as_str());
        }
        for s in [
            CommitmentStatus::Open,
            CommitmentStatus::InProgress,
            CommitmentStatus::Done,
        ] {
            both(&|l| commitment_status(s.as_str(), l).to_owned(), s.as_str());
        }
        for s in RecommendationStatus::ALL {
            both(&|l| recommendation_status(s.as_str(), l).to_owned(), s.as_str());
        }
        use crate::consultation::Gender;
        for g in [Gender::Girl, Gender::Boy, Gender::Other, Gender::PreferNotToSay] {
            both(&|l| gender(g.as_str(), l).to_owned(), g.as_str());
        }
    }
}
