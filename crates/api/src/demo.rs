//! The demo organisation from the plan (shared/plan/PLAN.en.md): Hồ Chí
//! Minh City → Phú Nhuận district → its 13 wards as of 2024 and 18 school
//! Pioneer units (invented names, marked as demo data), the district
//! Children's Council, one care centre, the 1 July 2025 reorganisation into
//! Đức Nhuận, Cầu Kiệu and Phú Nhuận wards, the topic taxonomy and the
//! agencies the plan names, and a published demo survey about safe places
//! to play with a session open for [`DEMO_SESSION_DAYS`] days from seeding
//! under the fixed join code [`DEMO_JOIN_CODE`], so that a newcomer can join
//! as a child at once.

use std::collections::HashMap;

use chrono::NaiveDate;
use langnghe_domain::catalog::{Agency, AgencyKind, Contact, Topic, TopicSlug};
use langnghe_domain::consultation::{JoinCode, SessionMode, SessionWindow};
use langnghe_domain::org::{Unit, UnitCode, UnitKind};
use langnghe_domain::reorg::{self, LineageSpec, MoveUnit, OpenUnit, ReorganisationRequest, UnitRef};
use langnghe_domain::{AgencyId, LocalizedText, TopicId, UnitId};
use langnghe_storage::{Actor, Db, catalog, org};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] langnghe_storage::StoreError),
    #[error("demo data is inconsistent: {0}")]
    Data(String),
}

impl From<langnghe_domain::FieldErrors> for DemoError {
    fn from(e: langnghe_domain::FieldErrors) -> Self {
        DemoError::Data(format!("{:?}", e.0))
    }
}

const DEMO: &str = "Dữ liệu mẫu (demo data).";

/// The join code of the demo session, as it is read aloud. Fixed so that
/// the README can name it; it exists only where the demo data is seeded.
pub const DEMO_JOIN_CODE: &str = "KT7H-MX3P-WA9C";

/// How long the demo session stays open after seeding (the longest a
/// session may last).
pub const DEMO_SESSION_DAYS: i64 = langnghe_domain::consultation::MAX_SESSION_DAYS;

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, DemoError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DemoError::Data(format!("bad date {y}-{m}-{d}")))
}

fn text(vi: &str, en: &str) -> LocalizedText {
    LocalizedText::from_stored(vi, Some(en.to_owned()))
}

/// A ward's school Pioneer units: (code, Vietnamese name, English name).
type Schools = &'static [(&'static str, &'static str, &'static str)];

/// The 13 wards of Phú Nhuận district as of 2024: (number, schools).
const WARDS: [(u32, Schools); 13] = [
    (
        1,
        &[
            ("S01", "Tiểu học Hoa Phượng", "Hoa Phuong Primary School"),
            ("S02", "THCS Sao Mai", "Sao Mai Lower Secondary School"),
        ],
    ),
    (2, &[("S03", "Tiểu học Hoa Sen", "Hoa Sen Primary School")]),
    (3, &[("S04", "Tiểu học Bằng Lăng", "Bang Lang Primary School")]),
    (
        4,
        &[
            ("S05", "Tiểu học Hoa Mai", "Hoa Mai Primary School"),
            ("S06", "THCS Bình Minh", "Binh Minh Lower Secondary School"),
        ],
    ),
    (5, &[("S07", "THCS Ánh Dương", "Anh Duong Lower Secondary School")]),
    (
        7,
        &[
            ("S08", "Tiểu học Măng Non", "Mang Non Primary School"),
            ("S09", "THCS Cánh Diều", "Canh Dieu Lower Secondary School"),
        ],
    ),
    (8, &[("S10", "Tiểu học Họa Mi", "Hoa Mi Primary School")]),
    (9, &[("S11", "Tiểu học Chồi Xanh", "Choi Xanh Primary School")]),
    (
        10,
        &[
            ("S12", "Tiểu học Hướng Dương", "Huong Duong Primary School"),
            ("S13", "THCS Cầu Vồng", "Cau Vong Lower Secondary School"),
        ],
    ),
    (11, &[("S14", "THCS Tuổi Thơ", "Tuoi Tho Lower Secondary School")]),
    (
        13,
        &[
            ("S15", "Tiểu học Hoa Lan", "Hoa Lan Primary School"),
            ("S16", "THCS Hoa Sữa", "Hoa Sua Lower Secondary School"),
        ],
    ),
    (15, &[("S17", "Tiểu học Hoa Cúc", "Hoa Cuc Primary School")]),
    (17, &[("S18", "THCS Hoa Hồng", "Hoa Hong Lower Secondary School")]),
];

/// The topic taxonomy drawn from the plan: (slug, vi, en).
pub const TOPICS: [(&str, &str, &str); 10] = [
    ("education", "Học tập, giáo dục", "Education"),
    (
        "safety",
        "An toàn, phòng chống bạo lực",
        "Safety and violence prevention",
    ),
    ("abuse_prevention", "Phòng chống xâm hại trẻ em", "Abuse prevention"),
    ("online_safety", "An toàn trên không gian mạng", "Online safety"),
    (
        "drowning_fire",
        "Phòng chống đuối nước, cháy nổ",
        "Drowning and fire safety",
    ),
    ("play_spaces", "Sân chơi, điểm vui chơi", "Play spaces"),
    ("family", "Gia đình", "Family"),
    ("health", "Sức khỏe thể chất và tinh thần", "Health and wellbeing"),
    ("summer", "Hoạt động hè", "Summer activities"),
    (
        "school_participation",
        "Tham gia quyết định ở trường",
        "Participation in school decisions",
    ),
];

/// Seeds the demo organisation when the database has no unit yet; says
/// whether it did.
pub async fn seed_if_empty(db: &Db, now: chrono::DateTime<chrono::Utc>) -> Result<bool, DemoError> {
    let chart = org::load_chart(db).await?;
    if chart.units().next().is_some() {
        return Ok(false);
    }
    let actor = Actor::system(now);
    let start = date(2024, 1, 1)?;
    let add = async |code: &str,
                     kind,
                     vi: &str,
                     en: &str,
                     parent: Option<UnitId>,
                     note: Option<&str>|
           -> Result<UnitId, DemoError> {
        let unit = Unit {
            id: UnitId::new(),
            kind,
            code: UnitCode::parse("code", code)?,
            name: text(vi, en),
            valid_from: start,
            valid_to: None,
            note: note.map(str::to_owned),
        };
        org::create_unit(db, &actor, &unit, parent).await?;
        Ok(unit.id)
    };

    let city = add(
        "HCM",
        UnitKind::City,
        "Thành phố Hồ Chí Minh",
        "Ho Chi Minh City",
        None,
        None,
    )
    .await?;
    let district = add(
        "PN",
        UnitKind::District,
        "Quận Phú Nhuận",
        "Phu Nhuan District",
        Some(city),
        Some("Cấp quận kết thúc ngày 01/07/2025; đơn vị được giữ làm phạm vi của kế hoạch 2024–2027 trên địa bàn quận cũ. (District-level government ended on 1 July 2025; the unit is kept as the scope of the 2024–2027 plan on the former district's ground.)"),
    )
    .await?;
    let council = add(
        "PN-HDTE",
        UnitKind::Council,
        "Hội đồng trẻ em quận Phú Nhuận",
        "Phu Nhuan District Children's Council",
        Some(district),
        None,
    )
    .await?;
    add(
        "PN-MAHM",
        UnitKind::CareCentre,
        "Mái ấm Hoa Mai (dữ liệu mẫu)",
        "Hoa Mai Children's Home (demo data)",
        Some(district),
        Some(DEMO),
    )
    .await?;
    let mut wards: HashMap<u32, UnitId> = HashMap::new();
    let mut schools: HashMap<u32, Vec<UnitId>> = HashMap::new();
    for (n, ward_schools) in WARDS {
        let ward = add(
            &format!("PN-P{n:02}"),
            UnitKind::Ward,
            &format!("Phường {n}"),
            &format!("Ward {n}"),
            Some(district),
            None,
        )
        .await?;
        wards.insert(n, ward);
        for (code, vi, en) in ward_schools {
            let school = add(
                &format!("PN-{code}"),
                UnitKind::School,
                &format!("Liên đội Trường {vi} (dữ liệu mẫu)"),
                &format!("{en} Pioneer unit (demo data)"),
                Some(ward),
                Some(DEMO),
            )
            .await?;
            schools.entry(n).or_default().push(school);
        }
    }

    // 1 July 2025: 13 wards become three (Resolution 1685/NQ-UBTVQH15).
    let new_ward = |reference: &str, code: &str, vi: &str, en: &str| -> Result<OpenUnit, DemoError> {
        Ok(OpenUnit {
            reference: reference.to_owned(),
            kind: UnitKind::Ward,
            code: UnitCode::parse("code", code)?,
            name: text(vi, en),
            parent: Some(UnitRef::Existing(district)),
            note: None,
        })
    };
    let ward = |n: u32| {
        wards
            .get(&n)
            .copied()
            .ok_or_else(|| DemoError::Data(format!("no ward {n}")))
    };
    // (old ward, new ward ref, default, assumption, note)
    let links: [(u32, &str, bool, bool, Option<&str>); 14] = [
        (4, "duc_nhuan", true, false, None),
        (5, "duc_nhuan", true, false, None),
        (9, "duc_nhuan", true, false, None),
        (1, "cau_kieu", true, false, None),
        (2, "cau_kieu", true, false, None),
        (7, "cau_kieu", true, false, None),
        (
            15,
            "cau_kieu",
            false,
            false,
            Some("Một phần phường 15 (part of ward 15)."),
        ),
        (
            15,
            "phu_nhuan",
            true,
            false,
            Some("Phần còn lại của phường 15 (the rest of ward 15)."),
        ),
        (8, "phu_nhuan", true, false, None),
        (10, "phu_nhuan", true, false, None),
        (11, "phu_nhuan", true, false, None),
        (13, "phu_nhuan", true, false, None),
        (
            3,
            "phu_nhuan",
            true,
            true,
            Some(
                "Giả định: danh sách công bố không nêu phường 3 về đâu (assumption: the published lists do not say where ward 3 went).",
            ),
        ),
        (
            17,
            "phu_nhuan",
            true,
            true,
            Some(
                "Giả định: danh sách công bố không nêu phường 17 về đâu (assumption: the published lists do not say where ward 17 went).",
            ),
        ),
    ];
    let mut lineage = Vec::new();
    let mut moves = Vec::new();
    for (n, to, is_default, assumption, note) in links {
        lineage.push(LineageSpec {
            from: ward(n)?,
            to: UnitRef::New(to.to_owned()),
            is_default: Some(is_default),
            assumption,
            note: note.map(str::to_owned),
        });
        if is_default {
            for school in schools.get(&n).into_iter().flatten() {
                moves.push(MoveUnit {
                    unit_id: *school,
                    parent: UnitRef::New(to.to_owned()),
                });
            }
        }
    }
    let request = ReorganisationRequest {
        effective_on: date(2025, 7, 1)?,
        close: WARDS.iter().map(|(n, _)| ward(*n)).collect::<Result<_, _>>()?,
        open: vec![
            new_ward("duc_nhuan", "HCM-DUCNHUAN", "Phường Đức Nhuận", "Duc Nhuan Ward")?,
            new_ward("cau_kieu", "HCM-CAUKIEU", "Phường Cầu Kiệu", "Cau Kieu Ward")?,
            new_ward("phu_nhuan", "HCM-PHUNHUAN", "Phường Phú Nhuận", "Phu Nhuan Ward")?,
        ],
        moves,
        lineage,
    };
    let chart = org::load_chart(db).await?;
    let plan = reorg::plan(&chart, &request)?;
    org::apply_reorganisation(
        db,
        &actor,
        &plan,
        "Sắp xếp đơn vị hành chính cấp xã từ 01/07/2025 (Nghị quyết 1685/NQ-UBTVQH15)",
        Some("Phường 3 và 17 được ghi nhận về phường Phú Nhuận theo giả định (assumption)."),
    )
    .await?;

    // Topics.
    let mut topic_ids: HashMap<&str, TopicId> = HashMap::new();
    for (slug, vi, en) in TOPICS {
        let topic = Topic {
            id: TopicId::new(),
            slug: TopicSlug::parse("slug", slug)?,
            name: text(vi, en),
            description: None,
            active: true,
        };
        catalog::create_topic(db, &actor, &topic).await?;
        topic_ids.insert(slug, topic.id);
    }
    let topics = |slugs: &[&str]| -> Vec<TopicId> { slugs.iter().filter_map(|s| topic_ids.get(s).copied()).collect() };

    // Agencies the plan names.
    let chart = org::load_chart(db).await?;
    let code = |c: &str| -> Result<UnitId, DemoError> {
        chart
            .units()
            .find(|u| u.code.as_str() == c)
            .map(|u| u.id)
            .ok_or_else(|| DemoError::Data(format!("no unit {c}")))
    };
    let mut agencies = vec![
        (
            text(
                "Phòng Giáo dục và Đào tạo quận Phú Nhuận",
                "Phu Nhuan District Education Office",
            ),
            AgencyKind::EducationOffice,
            district,
            topics(&["education", "school_participation", "online_safety", "health", "summer"]),
        ),
        (
            text(
                "Phòng Lao động – Thương binh và Xã hội quận Phú Nhuận",
                "Phu Nhuan District Office of Labour, Invalids and Social Affairs",
            ),
            AgencyKind::SocialAffairsOffice,
            district,
            topics(&["abuse_prevention", "safety", "family", "drowning_fire", "health"]),
        ),
        (
            text(
                "Hội Liên hiệp Phụ nữ quận Phú Nhuận",
                "Phu Nhuan District Women's Union",
            ),
            AgencyKind::MassOrganisation,
            district,
            topics(&["family", "abuse_prevention"]),
        ),
        (
            text(
                "Sở Văn hóa và Thể thao Thành phố Hồ Chí Minh",
                "Ho Chi Minh City Department of Culture and Sports",
            ),
            AgencyKind::Department,
            city,
            topics(&["play_spaces", "summer"]),
        ),
    ];
    for (c, vi, en) in [
        (
            "HCM-DUCNHUAN",
            "Ủy ban nhân dân phường Đức Nhuận",
            "Duc Nhuan Ward People's Committee",
        ),
        (
            "HCM-CAUKIEU",
            "Ủy ban nhân dân phường Cầu Kiệu",
            "Cau Kieu Ward People's Committee",
        ),
        (
            "HCM-PHUNHUAN",
            "Ủy ban nhân dân phường Phú Nhuận",
            "Phu Nhuan Ward People's Committee",
        ),
    ] {
        agencies.push((
            text(vi, en),
            AgencyKind::PeoplesCommittee,
            code(c)?,
            topics(&["safety", "play_spaces", "drowning_fire", "summer", "family"]),
        ));
    }
    for (_, ward_schools) in WARDS {
        for (c, vi, en) in ward_schools {
            agencies.push((
                text(
                    &format!("Ban Giám hiệu Trường {vi} (dữ liệu mẫu)"),
                    &format!("{en} board (demo data)"),
                ),
                AgencyKind::SchoolBoard,
                code(&format!("PN-{c}"))?,
                topics(&["school_participation", "education", "safety", "health"]),
            ));
        }
    }
    // The plan's targets, for every year of the plan (2024–2027) and every
    // unit that reports: the district, its wards and its school units.
    let targets: Vec<(uuid::Uuid, langnghe_domain::plan::Target)> =
        langnghe_domain::plan::plan_targets(&chart, langnghe_domain::plan::PlanUnits { district, council })
            .into_iter()
            .map(|t| (uuid::Uuid::now_v7(), t))
            .collect();
    langnghe_storage::targets::create_many(db, &actor, &targets).await?;
    for (name, kind, jurisdiction, topics) in agencies {
        let agency = Agency {
            id: AgencyId::new(),
            name,
            kind,
            jurisdiction_unit_id: jurisdiction,
            topics,
            contact: Contact::default(),
            active: true,
        };
        catalog::create_agency(db, &actor, &agency).await?;
    }
    seed_survey(db, &actor, district, code("HCM-PHUNHUAN")?).await?;
    Ok(true)
}

/// The demo survey ("Sân chơi an toàn quanh em", for ages 6–17, issues
/// allowed), published, and its session at `ward` open from the seeding
/// for [`DEMO_SESSION_DAYS`] days under [`DEMO_JOIN_CODE`].
async fn seed_survey(db: &Db, actor: &Actor, district: UnitId, ward: UnitId) -> Result<(), DemoError> {
    let body: crate::survey_format::SurveyIn = serde_json::from_value(serde_json::json!({
        "kind": "opinion",
        "topic": "play_spaces",
        "owner_unit_id": district.0,
        "title": {"vi": "Sân chơi an toàn quanh em (khảo sát mẫu)", "en": "Safe places to play near you (demo survey)"},
        "description": {
            "vi": "Khảo sát mẫu để thử Lắng Nghe: em kể về chỗ em vui chơi. Đừng viết tên hay số điện thoại.",
            "en": "A demo survey to try Lắng Nghe: tell us about where you play. Do not write names or phone numbers."
        },
        "min_age": 6,
        "max_age": 17,
        "allow_issues": true,
        "assent": {
            "6-8": {
                "vi": "Em muốn kể về chỗ em chơi. Em không cần viết tên. Em dừng lúc nào cũng được.",
                "en": "I want to tell you about where I play. I do not write my name. I can stop whenever I like."
            },
            "9-11": {
                "vi": "Em đồng ý kể về chỗ em vui chơi. Em biết em có thể bỏ qua câu nào hoặc dừng lúc nào cũng được, và không ai biết câu trả lời là của em.",
                "en": "I agree to tell you about where I play. I know I can skip a question or stop at any time, and nobody will know the answers are mine."
            },
            "12-14": {
                "vi": "Mình đồng ý trả lời về chỗ vui chơi quanh nhà. Mình biết việc này là tự nguyện, mình có thể dừng bất cứ lúc nào, và câu trả lời không gắn với tên mình.",
                "en": "I agree to answer about places to play near my home. I know it is my choice, I can stop at any time, and my answers are not linked to my name."
            },
            "15-17": {
                "vi": "Mình đồng ý tham gia khảo sát về chỗ vui chơi an toàn. Mình hiểu việc tham gia là tự nguyện, mình có thể dừng bất cứ lúc nào, câu trả lời không gắn với tên mình và chỉ được công bố dưới dạng số liệu tổng hợp.",
                "en": "I agree to take part in this survey about safe places to play. I understand it is my choice, I can stop at any time, my answers are not linked to my name and are only published as totals."
            }
        },
        "questions": [
            {"key": "has_place", "type": "single_choice", "required": true,
             "text": {"vi": "Gần nhà em có chỗ vui chơi an toàn không?", "en": "Is there a safe place to play near your home?"},
             "text_by_age_band": {"6-8": {"vi": "Gần nhà em có chỗ chơi không?", "en": "Is there a place to play near your home?"}},
             "options": [
                {"key": "yes", "label": {"vi": "Có", "en": "Yes"}},
                {"key": "no", "label": {"vi": "Không", "en": "No"}},
                {"key": "not_sure", "label": {"vi": "Em không chắc", "en": "Not sure"}}
             ]},
            {"key": "where_play", "type": "multiple_choice", "required": false,
             "text": {"vi": "Em thường chơi ở đâu?", "en": "Where do you usually play?"},
             "options": [
                {"key": "park", "label": {"vi": "Công viên", "en": "A park"}},
                {"key": "school_yard", "label": {"vi": "Sân trường", "en": "The school yard"}},
                {"key": "street", "label": {"vi": "Trong hẻm, ngoài đường", "en": "In the alley or street"}},
                {"key": "home", "label": {"vi": "Ở nhà", "en": "At home"}}
             ]},
            {"key": "feel_safe", "type": "rating", "min": 1, "max": 5, "faces": true, "required": true,
             "text": {"vi": "Khi chơi ở đó, em thấy an toàn thế nào?", "en": "How safe do you feel when you play there?"}},
            {"key": "wish", "type": "text", "max_length": 300, "required": false,
             "text": {"vi": "Em mong chỗ chơi gần nhà có thêm gì?", "en": "What would you like the place to play near your home to have?"}}
        ]
    }))
    .map_err(|e| DemoError::Data(format!("demo survey: {e}")))?;
    let topics = catalog::list_topics(db).await?;
    let topic_exists = |slug: &str| topics.iter().any(|t| t.slug.as_str() == slug);
    let def = langnghe_domain::survey::SurveyDefinition::parse(
        &langnghe_domain::survey::RawSurvey::from(body),
        &topic_exists,
    )?;
    let stored = langnghe_storage::formats::survey::StoredSurvey {
        definition: def,
        owner_unit_id: district,
        results_public: None,
    };
    let summary = langnghe_storage::surveys::SurveySummary::of(&stored, &topics);
    let id = uuid::Uuid::now_v7();
    langnghe_storage::surveys::create(db, actor, id, &summary, &stored).await?;
    let record = langnghe_storage::surveys::publish(db, actor, id, &summary).await?;
    let version = record
        .published_version
        .ok_or_else(|| DemoError::Data("the demo survey did not publish".into()))?;
    let code = JoinCode::parse(DEMO_JOIN_CODE).ok_or_else(|| DemoError::Data("bad demo join code".into()))?;
    let window = SessionWindow::new(actor.at, actor.at + chrono::Duration::days(DEMO_SESSION_DAYS))?;
    let session = langnghe_storage::participation::Session {
        id: uuid::Uuid::now_v7(),
        survey_id: id,
        version,
        unit_id: ward,
        window,
        expected_participants: None,
        join_code: code.as_str().to_owned(),
        guardian_consent_method: None,
        guardian_consent_reference: None,
        created_at: actor.at,
        mode: SessionMode::App,
    };
    langnghe_storage::participation::create_session(db, actor, &session).await?;
    Ok(())
}
