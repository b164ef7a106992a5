//! Outputs people read: results, public results and the agencies' evidence
//! with the survey's title, the questions, the answers' labels and unit
//! names in the caller's language; CSV for people (headers in Vietnamese or
//! English, numbers rounded as people write them, one meaning per column),
//! read back and checked.

use serde_json::{Value, json};

use crate::results::{answer, session};
use crate::support::{Call, TestApp, question};

/// A survey in both languages, its results public.
fn bilingual(owner: &str) -> Value {
    json!({"kind": "opinion", "topic": "safety", "owner_unit_id": owner, "results_public": true,
    "title": {"vi": "Sân chơi của em", "en": "Your playground"},
    "description": {"vi": "Các em nói về sân chơi ở trường.", "en": "About your school playground."},
    "min_age": 6, "max_age": 17,
    "questions": [
     {"key": "shade", "type": "single_choice",
      "text": {"vi": "Sân trường có đủ bóng mát không?", "en": "Is there enough shade?"},
      "options": [{"key": "enough", "label": {"vi": "Đủ", "en": "Enough"}},
                  {"key": "little", "label": {"vi": "Còn ít", "en": "Too little"}},
                  {"key": "none", "label": {"vi": "Không có", "en": "None"}}]},
     {"key": "play", "type": "yes_no",
      "text": {"vi": "Em có chơi ở sân giờ ra chơi không?", "en": "Do you play there at break?"}},
     {"key": "minutes", "type": "number", "min": 0, "max": 60,
      "text": {"vi": "Em chơi bao nhiêu phút?", "en": "How many minutes do you play?"}},
     {"key": "order", "type": "ranking",
      "text": {"vi": "Em muốn gì trước?", "en": "What do you want first?"},
      "options": [{"key": "trees", "label": {"vi": "Cây xanh", "en": "Trees"}},
                  {"key": "benches", "label": {"vi": "Ghế đá", "en": "Benches"}}]}
    ]})
}

/// Splits a CSV body (as `crate::csv` writes it: BOM, CRLF, quotes where
/// needed) into rows of fields.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').expect("a BOM for Excel");
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && row.is_empty(), "the last line ends with CRLF");
    rows
}

/// A share (0 to 1) as the CSV writes it: a percentage with one decimal.
pub fn percent(share: f64, mark: char) -> String {
    decimal(share * 100.0, mark)
}

/// A figure as the CSV writes it: one decimal, the language's mark.
pub fn decimal(x: f64, mark: char) -> String {
    format!("{x:.1}").replace('.', &mark.to_string())
}

/// Whether a field is a number as people write it: digits, and at most
/// one decimal after the language's mark.
#[track_caller]
fn one_decimal(field: &str, mark: char) {
    let (whole, decimals) = field
        .split_once(mark)
        .unwrap_or_else(|| panic!("{field:?} has no {mark}"));
    assert!(
        !whole.is_empty() && whole.chars().all(|c| c.is_ascii_digit()) && decimals.len() == 1,
        "{field:?} is not written with one decimal"
    );
}

struct Answered {
    app: TestApp,
    survey: String,
    school: String,
}

/// Twelve girls of 12 and eleven boys of 13 at school PN-S06 (one age
/// band) answered: shade 7 enough, 8 little, 8 none; everyone plays and
/// puts trees first; minutes 5 to 27.
async fn answered() -> Answered {
    let app = TestApp::spawn_demo().await;
    app.stop_folder();
    let [district, school] = app.units(["PN", "PN-S06"]).await;
    let survey = crate::surveys::published_survey(&app, &bilingual(&district)).await;
    let code = session(&app, &survey, &school).await;
    for i in 0..23u32 {
        let (age, gender) = if i < 12 { (12, "girl") } else { (13, "boy") };
        let shade = match i % 3 {
            0 if i < 21 => "enough",
            1 => "little",
            _ => "none",
        };
        answer(
            &app,
            &code,
            age,
            gender,
            json!({"shade": shade, "play": true, "minutes": 5 + i, "order": ["trees", "benches"]}),
        )
        .await;
    }
    app.release().await;
    Answered { app, survey, school }
}

#[actix_web::test]
async fn results_carry_the_words_in_the_callers_language() {
    let Answered { app, survey, school } = answered().await;
    let unit = app.get(&format!("/api/v1/units/{school}"), app.admin()).await;
    let school_name = unit.ok(200)["name"]["vi"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/surveys/{survey}/results?by=unit&unit_level=school");
    let r = app.get(&path, app.admin()).await;
    let vi = r.ok(200).clone();
    assert_eq!(vi["lang"], "vi");
    assert_eq!(vi["survey_title"], "Sân chơi của em");
    let shade = question(&vi, "shade");
    assert_eq!(shade["text"], "Sân trường có đủ bóng mát không?");
    assert_eq!(shade["columns"], json!(["enough", "little", "none"]), "the keys stay");
    assert_eq!(shade["column_labels"], json!(["Đủ", "Còn ít", "Không có"]));
    assert_eq!(question(&vi, "play")["column_labels"], json!(["Có", "Không"]));
    assert_eq!(question(&vi, "order")["column_labels"], json!(["Cây xanh", "Ghế đá"]));
    assert_eq!(question(&vi, "minutes")["text"], "Em chơi bao nhiêu phút?");
    assert_eq!(vi["groups"][0]["dimensions"]["unit"], "PN-S06", "the code stays");
    assert_eq!(vi["groups"][0]["labels"]["unit"], school_name.as_str());

    // English, by Accept-Language or by `lang`; the codes do not change.
    let en = app
        .get_in(
            &format!("/api/v1/surveys/{survey}/results?by=age_band,gender"),
            app.admin(),
            "en-GB,en;q=0.9,vi;q=0.5",
        )
        .await;
    let en = en.ok(200).clone();
    assert_eq!(en["lang"], "en");
    assert_eq!(en["survey_title"], "Your playground");
    assert_eq!(question(&en, "shade")["text"], "Is there enough shade?");
    assert_eq!(
        question(&en, "shade")["column_labels"],
        json!(["Enough", "Too little", "None"])
    );
    assert_eq!(question(&en, "play")["column_labels"], json!(["Yes", "No"]));
    let groups: Vec<(Value, Value)> = en["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["dimensions"].clone(), g["labels"].clone()))
        .collect();
    assert!(
        groups.contains(&(
            json!({"age_band": "12-14", "gender": "girl"}),
            json!({"age_band": "Aged 12–14", "gender": "Girls"})
        )),
        "{groups:?}"
    );
    let by_query = app.results(&survey, "?by=age_band&lang=en", app.admin()).await;
    assert_eq!(by_query.ok(200)["groups"][0]["labels"]["age_band"], "Aged 12–14");
    let months = app.results(&survey, "?by=period", app.admin()).await;
    assert_eq!(months.ok(200)["groups"][0]["labels"]["period"], "11/2026");
    assert_eq!(months.body["groups"][0]["dimensions"]["period"], "2026-11");
    // The public results say the same, to anyone.
    let public = app
        .get(&format!("/api/v1/public/surveys/{survey}/results?lang=en"), None)
        .await;
    assert_eq!(public.ok(200)["survey_title"], "Your playground");
    assert_eq!(question(&public.body, "shade")["column_labels"][1], "Too little");

    // A language the service does not speak is refused, naming the two it
    // does; so is a bad one in the CSV.
    for path in [
        format!("/api/v1/surveys/{survey}/results?lang=fr"),
        format!("/api/v1/surveys/{survey}/results.csv?lang=EN"),
        format!("/api/v1/public/surveys/{survey}/results?lang="),
        format!("/api/v1/public/surveys/{survey}?lang=de"),
    ] {
        let r = app.get(&path, app.admin()).await;
        r.assert_problem(400, "invalid_query");
        assert!(r.body["detail"].as_str().unwrap().contains("vi hoặc en"), "{}", r.text);
    }
    // Accept-Language in a language the service does not speak: Vietnamese.
    let fr = app
        .get_in(&format!("/api/v1/surveys/{survey}/results"), app.admin(), "fr")
        .await;
    assert_eq!(fr.ok(200)["lang"], "vi");
}

#[actix_web::test]
async fn results_csv_is_for_people_in_either_language() {
    let Answered { app, survey, .. } = answered().await;
    let json = app.results(&survey, "?by=age_band", app.admin()).await.ok(200).clone();
    let r = app.survey_file(&survey, "results.csv?by=age_band", app.admin()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    let rows = parse_csv(&r.text);
    assert_eq!(
        rows[0],
        [
            "Câu hỏi",
            "Nhóm tuổi",
            "Phương án trả lời",
            "Số trẻ",
            "Tỷ lệ (%)",
            "Trung bình",
            "Trung vị",
            "Tứ phân vị dưới",
            "Tứ phân vị trên",
            "Thứ hạng trung bình"
        ]
    );
    assert!(rows[1..].iter().all(|r| r.len() == rows[0].len()), "{rows:?}");
    let find = |rows: &[Vec<String>], q: &str, group: &str, answer: &str| -> Vec<String> {
        rows.iter()
            .find(|r| r[0] == q && r[1] == group && r[2] == answer)
            .unwrap_or_else(|| panic!("no row {q} / {group} / {answer} in {rows:?}"))
            .clone()
    };
    let shade_q = "Sân trường có đủ bóng mát không?";
    // Counts as integers, shares as percentages with one decimal, each the
    // JSON's figure (the same published count, the same share).
    let total = &question(&json, "shade")["total"];
    for (i, label) in ["Đủ", "Còn ít", "Không có"].iter().enumerate() {
        let row = find(&rows, shade_q, "Tất cả", label);
        assert_eq!(row[3], total["counts"][i]["count"].to_string(), "{row:?}");
        match total["counts"][i]["share"].as_f64() {
            Some(share) => {
                assert_eq!(row[4], percent(share, ','), "{row:?}");
                one_decimal(&row[4], ',');
            }
            None => assert_eq!(row[4], "", "{row:?}"),
        }
        assert!(row[5..].iter().all(String::is_empty), "one meaning per column: {row:?}");
    }
    let respondents = find(&rows, shade_q, "Tất cả", "Số trẻ trả lời câu hỏi");
    assert_eq!(respondents[3], total["respondents"].to_string());
    assert_eq!(respondents[4], "", "a count is not a share");
    // Everyone plays: one hundred percent, written as people write it.
    let play = find(&rows, "Em có chơi ở sân giờ ra chơi không?", "Tất cả", "Có");
    assert_eq!(play[4], "100,0");
    // Groups in words: everyone is 12 or 13, one age band.
    let girls = find(&rows, shade_q, "12–14 tuổi", "Số trẻ trả lời câu hỏi");
    crate::results::near(&json!(girls[3].parse::<u64>().unwrap()), 23);
    // The mean of minutes for the 23 with one decimal; quartiles where
    // the group is large enough to publish them.
    let minutes = find(&rows, "Em chơi bao nhiêu phút?", "Tất cả", "Số trẻ trả lời câu hỏi");
    let stats = &question(&json, "minutes")["total"]["stats"];
    one_decimal(&minutes[5], ',');
    assert_eq!(minutes[5], decimal(stats["mean"].as_f64().unwrap(), ','));
    for (field, key) in [(6, "median"), (7, "q1"), (8, "q3")] {
        match stats[key].as_f64() {
            Some(x) => assert_eq!(minutes[field], decimal(x, ',')),
            None => assert_eq!(minutes[field], ""),
        }
    }
    // Mean ranks in their own column, by option, never in the counts'.
    let trees = find(&rows, "Em muốn gì trước?", "Tất cả", "Cây xanh");
    let ranks = &question(&json, "order")["total"]["mean_rank"];
    one_decimal(&trees[9], ',');
    assert_eq!(trees[9], decimal(ranks[0].as_f64().unwrap(), ','));
    assert_eq!((trees[3].as_str(), trees[4].as_str()), ("", ""));
    // No float noise anywhere: no number has more than one decimal.
    for row in &rows[1..] {
        for f in &row[3..] {
            if let Some((_, decimals)) = f.split_once(',') {
                assert_eq!(decimals.len(), 1, "{row:?}");
            }
            assert!(!f.contains('.') && !f.contains('e'), "{row:?}");
        }
    }
    assert!(!r.text.contains("single_choice") && !r.text.contains("respondents"));

    // English: by `lang=en`, or by Accept-Language.
    let by_query = app
        .survey_file(&survey, "results.csv?by=age_band&lang=en", app.admin())
        .await;
    let by_header = app
        .get_in(
            &format!("/api/v1/surveys/{survey}/results.csv?by=age_band"),
            app.admin(),
            "en",
        )
        .await;
    assert_eq!(by_query.text, by_header.text);
    let rows = parse_csv(&by_query.text);
    assert_eq!(
        rows[0],
        [
            "Question",
            "Age band",
            "Answer",
            "Children",
            "Share (%)",
            "Mean",
            "Median",
            "Lower quartile",
            "Upper quartile",
            "Mean rank"
        ]
    );
    let play = find(&rows, "Do you play there at break?", "All", "Yes");
    assert_eq!(play[4], "100.0");
    let little = find(&rows, "Is there enough shade?", "Aged 12–14", "Too little");
    if let Some(share) = question(&json, "shade")["groups"][0]["counts"][1]["share"].as_f64() {
        assert_eq!(little[4], percent(share, '.'));
    }
    assert_eq!(
        find(&rows, "What do you want first?", "All", "Trees")[9],
        decimal(ranks[0].as_f64().unwrap(), '.')
    );
    assert!(rows[1..].iter().all(|r| r[3].chars().all(|c| c.is_ascii_digit())));
}

#[actix_web::test]
async fn the_public_survey_is_readable_with_its_results() {
    let Answered { app, survey, .. } = answered().await;
    let r = app.get(&format!("/api/v1/public/surveys/{survey}"), None).await;
    let vi = r.ok(200).clone();
    assert_eq!(vi["lang"], "vi");
    assert_eq!(vi["title"], "Sân chơi của em");
    assert_eq!(vi["description"], "Các em nói về sân chơi ở trường.");
    assert_eq!(vi["version"], 1);
    let shade = question(&vi, "shade");
    assert_eq!(shade["text"], "Sân trường có đủ bóng mát không?");
    assert_eq!(
        shade["options"],
        json!([{"key": "enough", "label": "Đủ"}, {"key": "little", "label": "Còn ít"}, {"key": "none", "label": "Không có"}])
    );
    assert_eq!(
        question(&vi, "play")["options"][0],
        json!({"key": "yes", "label": "Có"})
    );
    assert_eq!(
        (
            question(&vi, "minutes")["min"].as_f64(),
            question(&vi, "minutes")["max"].as_f64()
        ),
        (Some(0.0), Some(60.0))
    );
    // Every question of the results is in the definition.
    let results = app.get(&format!("/api/v1/public/surveys/{survey}/results"), None).await;
    for q in results.ok(200)["questions"].as_array().unwrap() {
        assert_eq!(question(&vi, q["key"].as_str().unwrap())["text"], q["text"]);
    }
    let en = app
        .get_in(&format!("/api/v1/public/surveys/{survey}"), None, "en")
        .await;
    assert_eq!(en.ok(200)["title"], "Your playground");
    assert_eq!(question(&en.body, "shade")["options"][1]["label"], "Too little");
    // Only a survey whose results are public, and only its published version.
    let district = app.unit_id("PN", "2026-01-01").await;
    let mut closed = bilingual(&district);
    closed["results_public"] = json!(false);
    let closed = crate::surveys::published_survey(&app, &closed).await;
    app.get(&format!("/api/v1/public/surveys/{closed}"), None)
        .await
        .assert_problem(404, "not_found");
    let mut draft = bilingual(&district);
    draft["title"]["vi"] = json!("Bản nháp");
    let draft = app.post("/api/v1/surveys", app.admin(), &draft).await;
    let draft = draft.created();
    let not_found = [
        Call::get(format!("/api/v1/public/surveys/{draft}")),
        Call::get(format!("/api/v1/public/surveys/{}", uuid::Uuid::now_v7())),
    ];
    app.refuses(&not_found, &[None], 404, "not_found").await;
    app.get(&format!("/api/v1/public/surveys/{survey}?colour=red"), None)
        .await
        .assert_problem(400, "invalid_query");
}

/// The evidence an agency reads carries the words in its language: the
/// survey's title, the question, the answers' labels and the unit's name,
/// beside the keys.
#[actix_web::test]
async fn evidence_carries_the_words_in_the_readers_language() {
    let w = crate::recommendations::world().await;
    let app = &w.app;
    let board = crate::recommendations::agency(app, &w.school, "school_board").await;
    let sent = crate::recommendations::sent(&w, &[&board]).await;
    let id = sent["id"].as_str().unwrap();
    let unit = app.get(&format!("/api/v1/units/{}", w.school), app.admin()).await;
    let school = unit.ok(200)["name"].clone();
    let frozen = &sent["frozen_evidence"][0];
    assert_eq!(frozen["question_key"], "feel_safe");
    assert_eq!(frozen["results"]["columns"], json!(["yes", "no", "not_sure"]));
    assert_eq!(
        frozen["labels"],
        json!({"lang": "vi", "survey_title": "Đường đến trường",
               "question": "Em có cảm thấy an toàn trên đường đến trường không?",
               "columns": ["Có", "Không", "Em không chắc"], "unit": school["vi"]})
    );
    assert_eq!(
        frozen["results"]["column_labels"],
        json!(["Có", "Không", "Em không chắc"])
    );
    assert_eq!(frozen["unit"]["code"], "PN-S06");
    assert_eq!(frozen["column_labels"]["en"], json!(["Yes", "No", "Not sure"]));
    let (_, _, token) = crate::recommendations::client_token(app, &board).await;
    let delivery = sent["deliveries"][0]["id"].as_str().unwrap();
    let en = app
        .get_in(&format!("/api/v1/agency/deliveries/{delivery}"), Some(&token), "en")
        .await;
    let evidence = &en.ok(200)["recommendation"]["evidence"][0];
    assert_eq!(evidence["labels"]["lang"], "en");
    assert_eq!(evidence["labels"]["survey_title"], "The way to school");
    assert_eq!(
        evidence["labels"]["question"],
        "Do you feel safe on your way to school?"
    );
    assert_eq!(evidence["labels"]["columns"], json!(["Yes", "No", "Not sure"]));
    let school_en = school["en"].as_str().or(school["vi"].as_str()).unwrap();
    assert_eq!(evidence["labels"]["unit"], school_en);
    assert_eq!(evidence["results"]["text"], "Do you feel safe on your way to school?");
    // The figures are those frozen, whatever the language.
    assert_eq!(evidence["results"]["total"], frozen["results"]["total"]);
    // Staff read it in theirs.
    let staff = app
        .get_in(&format!("/api/v1/recommendations/{id}"), Some(&w.moderator), "en")
        .await;
    assert_eq!(
        staff.ok(200)["frozen_evidence"][0]["labels"]["columns"],
        json!(["Yes", "No", "Not sure"])
    );
}
