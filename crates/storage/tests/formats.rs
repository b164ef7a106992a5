//! Golden files: stored examples of every version of each stored format
//! (`tests/golden/`, the unversioned form as written before versions as
//! version 0) read back to the domain values they stand for, and the
//! current writer's output pinned byte for byte. A new version adds its
//! files here; the files of older versions are never edited.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use langnghe_domain::UnitId;
use langnghe_domain::disclosure::CellKey;
use langnghe_domain::results::{Count, Num, QuestionTally, Tally};
use langnghe_domain::survey::{
    AgeBand, Answer, CheckedQuestion, CheckedSurvey, QuestionOption, QuestionSpec, SurveyDefinition, SurveyKind,
};
use langnghe_domain::text::LocalizedText;
use langnghe_storage::formats::{Kind, answers, survey, tally};

fn golden(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .trim_end()
        .to_owned()
}

fn vi(t: &str) -> LocalizedText {
    LocalizedText::from_stored(t, None)
}

fn option(key: &str, label: LocalizedText) -> QuestionOption {
    QuestionOption::from_checked(key, label)
}

fn question(key: &str, spec: QuestionSpec, text: LocalizedText) -> CheckedQuestion {
    CheckedQuestion {
        key: key.into(),
        spec,
        required: false,
        topic: None,
        min_age: 6,
        max_age: 17,
        show_if: None,
        text,
        text_by_age_band: vec![],
    }
}

/// What `survey_v0.json` and `survey_v1.json` stand for.
fn expected_survey() -> survey::StoredSurvey {
    let mut feel_safe = question(
        "feel_safe",
        QuestionSpec::SingleChoice {
            options: vec![
                option("yes", LocalizedText::from_stored("Có", Some("Yes".into()))),
                option("no", LocalizedText::from_stored("Không", Some("No".into()))),
            ],
        },
        LocalizedText::from_stored(
            "Em có cảm thấy an toàn trên đường đến trường không?",
            Some("Do you feel safe on your way to school?".into()),
        ),
    );
    feel_safe.required = true;
    feel_safe.text_by_age_band = vec![(AgeBand::Band6To8, Some("Em đi học có thấy an toàn không?".into()), None)];
    let mut why_not = question(
        "why_not",
        QuestionSpec::Text { max_length: 500 },
        vi("Điều gì làm em thấy không an toàn?"),
    );
    why_not.show_if = Some(("feel_safe".into(), vec!["no".into()]));
    let mut happy = question(
        "happy",
        QuestionSpec::Rating {
            min: 1,
            max: 5,
            faces: true,
        },
        vi("Em vui thế nào khi ở trường?"),
    );
    happy.min_age = 9;
    let mut ways = question(
        "ways",
        QuestionSpec::MultipleChoice {
            options: vec![option("walk", vi("Đi bộ")), option("bike", vi("Xe đạp"))],
            min_choices: 0,
            max_choices: 2,
        },
        vi("Em đi học bằng gì?"),
    );
    ways.topic = Some("school".into());
    let definition = SurveyDefinition::from_checked(CheckedSurvey {
        kind: SurveyKind::Opinion,
        topic: Some("safety".into()),
        title: LocalizedText::from_stored("Đường đến trường", Some("The way to school".into())),
        description: None,
        min_age: 6,
        max_age: 17,
        allow_multiple: false,
        allow_issues: true,
        requires_guardian_consent: false,
        document_url: None,
        document_quote: None,
        questions: vec![
            feel_safe,
            why_not,
            happy,
            ways,
            question(
                "minutes",
                QuestionSpec::Number {
                    min: Some(0.0),
                    max: None,
                },
                vi("Mấy phút?"),
            ),
            question("v", QuestionSpec::YesNo, vi("Có đèn không?")),
            question(
                "a",
                QuestionSpec::Ranking {
                    options: vec![option("p", vi("P")), option("q", vi("Q"))],
                },
                vi("Xếp hạng"),
            ),
        ],
        assent: vec![],
    });
    survey::StoredSurvey {
        definition,
        owner_unit_id: UnitId("0193a5e4-7c1a-7d3e-9a51-0c2b8f1e4d20".parse().unwrap()),
        results_public: Some(true),
    }
}

#[test]
fn survey_definitions_of_every_version_read_back() {
    let expected = expected_survey();
    assert_eq!(
        survey::decode(&golden("survey_v0.json")).unwrap(),
        expected,
        "version 0"
    );
    assert_eq!(
        survey::decode(&golden("survey_v1.json")).unwrap(),
        expected,
        "version 1"
    );
    // Without assent wording, what is written today is still version 1,
    // byte for byte, so that a replica not yet upgraded reads it.
    assert_eq!(survey::encode(&expected), golden("survey_v1.json"));

    // With the survey's own assent wording: version 2.
    let mut parts = expected.definition.to_checked();
    parts.assent = vec![
        (
            AgeBand::Band6To8,
            LocalizedText::from_stored(
                "Em muốn trả lời. Em dừng lúc nào cũng được.",
                Some("I want to answer. I can stop whenever I like.".into()),
            ),
        ),
        (
            AgeBand::Band15To17,
            vi("Mình đồng ý tham gia, biết rằng mình có thể dừng bất cứ lúc nào."),
        ),
    ];
    let with_assent = survey::StoredSurvey {
        definition: SurveyDefinition::from_checked(parts),
        ..expected
    };
    assert_eq!(
        survey::decode(&golden("survey_v2.json")).unwrap(),
        with_assent,
        "version 2"
    );
    assert_eq!(survey::encode(&with_assent), golden("survey_v2.json"));
    assert_eq!(survey::VERSION, 2);
}

#[test]
fn a_definition_is_read_without_todays_rules() {
    // A topic since retired and a title longer than today's limit: saved
    // under older rules, read as saved.
    let mut text: serde_json::Value = serde_json::from_str(&golden("survey_v1.json")).unwrap();
    text["topic"] = "retired_topic".into();
    text["title"]["vi"] = "x".repeat(5000).into();
    let read = survey::decode(&text.to_string()).unwrap();
    assert_eq!(read.definition.topic(), Some("retired_topic"));
    assert_eq!(read.definition.title().vi().len(), 5000);
    // Fields a later writer might add are ignored, not refused.
    text["something_new"] = true.into();
    assert!(survey::decode(&text.to_string()).is_ok());
}

#[test]
fn unreadable_definitions_are_errors_not_guesses() {
    let e = survey::decode(&golden("survey_v3.json")).unwrap_err();
    assert_eq!(e.kind, Kind::SurveyDefinition);
    assert!(e.detail.contains("version 3"), "{e}");
    for bad in [
        "not json",
        "[]",
        r#"{"v":"one","kind":"opinion"}"#,
        &golden("survey_v1.json").replace("\"rating\"", "\"stars\""),
        &golden("survey_v1.json").replace("\"opinion\"", "\"poll\""),
        &golden("survey_v1.json").replace("\"min_age\":6", "\"min_age\":600"),
        &golden("survey_v2.json").replace("\"6-8\"", "\"5-7\""),
        &golden("survey_v2.json").replace("{\"vi\":\"Mình", "{\"en\":\"Mình"),
    ] {
        assert!(survey::decode(bad).is_err(), "{bad}");
    }
}

fn expected_answers() -> Vec<(String, Answer)> {
    vec![
        ("feel_safe".into(), Answer::Choice("no".into())),
        (
            "why_not".into(),
            Answer::Text("Đoạn đường gần trường không có đèn.".into()),
        ),
        ("happy".into(), Answer::Rating(4)),
        ("ways".into(), Answer::Choices(vec!["walk".into(), "bike".into()])),
        ("minutes".into(), Answer::Number(12.5)),
        ("v".into(), Answer::YesNo(false)),
        ("a".into(), Answer::Ranking(vec!["q".into(), "p".into()])),
    ]
}

#[test]
fn answers_of_every_version_read_back() {
    let def = expected_survey().definition;
    let expected = expected_answers();
    // Questions may be keyed `v`: the version is under `$v`.
    assert_eq!(answers::decode(&def, &golden("answers_v0.json")).unwrap(), expected);
    assert_eq!(answers::decode(&def, &golden("answers_v1.json")).unwrap(), expected);
    assert_eq!(answers::encode(&expected), golden("answers_v1.json"));
    assert_eq!(answers::decode(&def, &answers::empty()).unwrap(), vec![]);
    // As JSON (a child's export): the same object whichever the version.
    assert_eq!(
        answers::as_json(&golden("answers_v1.json")).unwrap(),
        serde_json::from_str::<serde_json::Value>(&golden("answers_v0.json")).unwrap()
    );
}

#[test]
fn answers_are_changed_in_place_and_written_as_the_current_version() {
    let def = expected_survey().definition;
    for name in ["answers_v0.json", "answers_v1.json"] {
        let text = golden(name);
        assert_eq!(
            answers::text_of(&text, "why_not").unwrap().as_deref(),
            Some("Đoạn đường gần trường không có đèn.")
        );
        let marked = answers::with_text(&text, "why_not", "[withheld]").unwrap().unwrap();
        assert!(marked.contains("\"$v\":1"), "{marked}");
        assert_eq!(
            answers::text_of(&marked, "why_not").unwrap().as_deref(),
            Some("[withheld]")
        );
        assert_eq!(answers::with_text(&text, "nothing", "x").unwrap(), None);
        let purged = answers::replace_texts(&def, &text, "[purged]").unwrap();
        let mut expected = expected_answers();
        expected[1].1 = Answer::Text("[purged]".into());
        assert_eq!(answers::decode(&def, &purged).unwrap(), expected, "{name}");
    }
}

#[test]
fn unreadable_answers_are_errors() {
    let def = expected_survey().definition;
    for bad in [
        "{broken",
        "\"yes\"",
        r#"{"$v":2,"feel_safe":"no"}"#,
        r#"{"$v":"1","feel_safe":"no"}"#,
        r#"{"feel_safe":["no"]}"#,
        r#"{"$v":1,"happy":"four"}"#,
    ] {
        let e = answers::decode(&def, bad).unwrap_err();
        assert_eq!(e.kind, Kind::Answers, "{bad}");
    }
}

fn expected_tally() -> Tally {
    let c = |n, key| Count {
        n,
        key: CellKey::from_u32(key),
    };
    Tally {
        responses: c(3, 123456),
        questions: vec![
            QuestionTally {
                respondents: c(3, 123456),
                columns: vec![c(2, 1000), c(1, 122456)],
                values: Default::default(),
            },
            QuestionTally {
                respondents: c(2, 99),
                columns: vec![],
                values: [(Num(12.5), 1), (Num(30.0), 1)].into_iter().collect(),
            },
        ],
    }
}

#[test]
fn tallies_of_every_version_read_back() {
    let expected = expected_tally();
    assert_eq!(tally::decode(&golden("tally_v0.json")).unwrap(), expected);
    assert_eq!(tally::decode(&golden("tally_v1.json")).unwrap(), expected);
    assert_eq!(tally::encode(&expected), golden("tally_v1.json"));
    for bad in ["", "{}", r#"{"v":2,"r":[1,1],"q":[]}"#, r#"{"r":"three","q":[]}"#] {
        assert_eq!(tally::decode(bad).unwrap_err().kind, Kind::Tally, "{bad}");
    }
}
