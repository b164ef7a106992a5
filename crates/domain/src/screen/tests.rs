//! Unit tests of screening: redaction, disclosures and their outcomes,
//! normalisation, and the examples of issue 12.

use super::*;
use proptest::prelude::*;

const PHONE: &str = "[số điện thoại đã ẩn]";
const EMAIL: &str = "[email đã ẩn]";
const ID: &str = "[số giấy tờ đã ẩn]";
const ADDRESS: &str = "[địa chỉ đã ẩn]";

/// Runs every case (input, expected) and fails once, with every case
/// where what `got` gives for the input is not `want` of the expected.
fn check_cases<'a>(
    cases: impl IntoIterator<Item = (&'a str, &'a str)>,
    got: impl Fn(&str) -> String,
    want: impl Fn(&str) -> String,
) {
    let failures: Vec<String> = cases
        .into_iter()
        .filter_map(|(input, expected)| {
            let (got, want) = (got(input), want(expected));
            (got != want).then(|| format!("{input:?}\n   gave {got:?}\n   want {want:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `-` for no concern, else `label: category, …`.
fn concern(input: &str, label: impl Fn(&Concern) -> &'static str) -> String {
    match screen(input).concern {
        None => "-".to_owned(),
        Some(c) => {
            let names: Vec<_> = c.categories.iter().map(|c| c.as_str()).collect();
            format!("{}: {}", label(&c), names.join(", "))
        }
    }
}

mod redaction {
    use super::*;

    /// `expected` spells markers as `{P}`, `{E}`, `{I}`, `{A}`.
    fn check_all<'a>(cases: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let markers = |e: &str| {
            e.replace("{P}", PHONE)
                .replace("{E}", EMAIL)
                .replace("{I}", ID)
                .replace("{A}", ADDRESS)
        };
        check_cases(cases, |i| screen(i).redacted, markers);
    }

    #[test]
    fn phone_numbers() {
        check_all([
            ("số của em là 0912345678", "số của em là {P}"),
            ("gọi 091 234 5678 nhé", "gọi {P} nhé"),
            ("091.234.5678", "{P}"),
            ("0912-345-678", "{P}"),
            ("0912 345 678.", "{P}."),
            ("+84 912 345 678", "{P}"),
            ("+84912345678", "{P}"),
            ("84912345678", "{P}"),
            ("(+84) 912 345 678", "{P}"),
            ("số máy bàn 028 3844 1234", "số máy bàn {P}"),
            ("(028) 38441234", "{P}"),
            ("024.3825.1234", "{P}"),
            ("02838441234", "{P}"),
            ("0352123456, 0587654321", "{P}, {P}"),
            ("0912345678 và 0987654321", "{P} và {P}"),
            ("số cũ 01234567890", "số cũ {P}"),
            ("sđt:0912345678!", "sđt:{P}!"),
        ]);
    }

    #[test]
    fn emails_and_id_numbers() {
        check_all([
            ("em tên An, email an.nguyen@gmail.com nhé", "em tên An, email {E} nhé"),
            ("Mail: be_an+lop5@truong.edu.vn.", "Mail: {E}."),
            ("0912345678@gmail.com", "{E}"),
            ("CCCD 079123456789", "CCCD {I}"),
            ("CMND 123456789", "CMND {I}"),
            ("số căn cước 079 123 456 789 ạ", "số căn cước {I} ạ"),
            ("0791-2345-6789", "{I}"),
            ("mã học sinh 20241234567", "mã học sinh {I}"),
            ("tài khoản 1903 5555 1234 012", "tài khoản {I} 012"),
        ]);
    }

    #[test]
    fn addresses() {
        check_all([
            ("nhà em ở số 12 đường Lê Văn Sỹ", "nhà em ở {A}"),
            ("123/4 Nguyễn Trọng Tuyển, Phường 2", "{A}, Phường 2"),
            ("số 45 hẻm 12 Phan Đăng Lưu", "{A}"),
            ("em ở 12A Huỳnh Văn Bánh quận Phú Nhuận", "em ở {A} quận Phú Nhuận"),
            ("nhà số 7 ngõ 3", "nhà {A}"),
            ("số nhà 25 gần chợ", "{A} gần chợ"),
            ("nha em o so 12 duong Le Van Sy", "nha em o {A}"),
            ("nha em o so 12 duong le van sy gan truong", "nha em o {A} gan truong"),
            ("em ở 8 phố Hàng Bạc", "em ở {A}"),
            ("kiệt 45 Trần Cao Vân", "{A}"),
            ("kiệt 45", "kiệt 45"),
            ("nhà em ở 34 kiệt 45 Trần Cao Vân", "nhà em ở {A}"),
            ("I live at 12 Smith Street.", "I live at {A}."),
            ("we live at 221B Baker St", "we live at {A}"),
            ("nhà em ở đường Lê Lợi số 12", "nhà em ở {A}"),
            ("12 Đường Lý Thường Kiệt", "{A}"),
        ]);
    }

    #[test]
    fn ordinary_numbers_stay() {
        check_all(
            [
                "em học lớp 7",
                "em 12 tuổi",
                "lớp em có 3 bạn bị ốm",
                "năm 2025 em lên lớp 6",
                "phòng y tế ở tầng 2",
                "4 giờ chiều em về nhà",
                "đường đến trường có 2 cây cầu",
                "có 3 đường đi đến trường",
                "giá 100.000.000 đồng",
                "gọi 111 để được giúp đỡ",
                "ngày 12/5 Lan Anh sinh nhật",
                "em được 9 10 9 8 10 9 điểm",
                "em thích số 7",
                "tỉ số 2-1",
                "Em sống ở Quận 3 Thành phố Hồ Chí Minh",
                "em hay chơi ở 2 công viên",
                "trận đấu lúc 19 30",
                "hotline 1800 1567",
                "I have 3 road bikes",
                "phòng số 5 Nhà A",
                "em mặc áo số 10 Quang Hải",
            ]
            .map(|i| (i, i)),
        );
    }

    #[test]
    fn redactions_are_listed_in_order() {
        let s = screen("Em ở số 12 đường Lê Lợi, gọi 0912345678 hoặc mail a@b.vn, CCCD 079123456789.");
        assert_eq!(
            s.redactions,
            [
                Redaction::Address,
                Redaction::Phone,
                Redaction::Email,
                Redaction::IdNumber
            ]
        );
        assert_eq!(
            s.redacted,
            format!("Em ở {ADDRESS}, gọi {PHONE} hoặc mail {EMAIL}, CCCD {ID}.")
        );
        let names: Vec<_> = s.redactions.iter().map(|r| r.as_str()).collect();
        assert_eq!(names, ["address", "phone", "email", "id_number"]);
        assert_eq!(screen("không có gì").redactions, []);
    }
}

mod concerns {
    use super::*;

    /// `expected` is `-` for no concern, else `severity: category, …`.
    fn check_all<'a>(cases: impl IntoIterator<Item = (&'a str, &'a str)>) {
        check_cases(cases, |i| concern(i, |c| c.severity.as_str()), str::to_owned);
    }

    #[test]
    fn disclosures_are_flagged() {
        check_all([
            // The examples of the brief.
            ("bố em say rượu về đánh em và mẹ", "urgent: violence"),
            ("bo em say ruou ve danh em", "urgent: violence"),
            ("em không muốn sống nữa", "urgent: self_harm"),
            ("em muon chet", "urgent: self_harm"),
            (
                "chú hàng xóm sờ vào người em và bảo em không được nói với ai",
                "urgent: sexual_abuse",
            ),
            (
                "có người rủ em sang Trung Quốc làm việc, không cần giấy tờ",
                "urgent: trafficking",
            ),
            ("em bị nhốt trong nhà cả ngày không cho ăn", "high: violence, neglect"),
            (
                "các bạn trong lớp đánh em và quay video đăng lên mạng",
                "high: violence, bullying",
            ),
            ("em bị bạn bè tẩy chay và chửi mỗi ngày", "medium: bullying"),
            ("my uncle hits me", "urgent: violence"),
            ("I want to kill myself", "urgent: self_harm"),
            ("I cut myself", "urgent: self_harm"),
            (
                "someone touched me and told me to keep it secret",
                "urgent: sexual_abuse",
            ),
            // Violence.
            ("Mẹ kế hay lấy roi quất em", "urgent: violence"),
            ("em bị bố đánh bầm tím cả lưng", "urgent: violence"),
            ("tối qua ba đánh má, em sợ lắm", "urgent: violence"),
            ("Dượng đá vào bụng em", "urgent: violence"),
            ("hôm qua em bị thầy giáo tát vào mặt", "high: violence"),
            ("anh lớp trên đấm em chảy máu mũi", "high: violence"),
            ("The older boys beat me up after school", "high: violence, bullying"),
            ("I was beaten by my dad", "urgent: violence"),
            ("Con bi me danh vi lam vo bat.", "urgent: violence"),
            ("mẹ bảo nếu em nói với ai thì mẹ sẽ đánh chết em", "urgent: violence"),
            ("Ba em nhậu xỉn rồi về đập đồ, em sợ lắm.", "urgent: violence"),
            ("My best friend's dad hits her.", "urgent: violence"),
            ("Cô giáo đánh em bằng thước kẻ.", "high: violence"),
            (
                "Em bị mấy bạn lớp bên quay clip đánh hội đồng.",
                "high: violence, bullying",
            ),
            // Sexual abuse.
            ("anh họ bắt em cởi quần áo", "urgent: sexual_abuse"),
            ("chu ay so vao nguoi em", "urgent: sexual_abuse"),
            ("em bị một người đàn ông quấy rối trên xe buýt", "urgent: sexual_abuse"),
            ("Dượng hay sờ soạng em khi mẹ đi vắng", "urgent: sexual_abuse"),
            ("chú ấy ôm em rồi bảo phải giữ bí mật", "urgent: sexual_abuse"),
            ("he hugged me and said it is our secret", "urgent: sexual_abuse"),
            (
                "Chú ấy hay cho em tiền và bảo không được kể với ai.",
                "urgent: sexual_abuse",
            ),
            (
                "Có anh trên mạng hứa cho em điện thoại nếu em gửi ảnh.",
                "urgent: sexual_abuse, online_exploitation",
            ),
            ("Thầy giáo hay sờ đùi các bạn nữ.", "urgent: sexual_abuse"),
            ("em bi anh ho sam so", "urgent: sexual_abuse"),
            // Self-harm.
            ("Em muốn chết.", "urgent: self_harm"),
            ("em chán sống lắm rồi", "urgent: self_harm"),
            ("em đã nghĩ đến chuyện tự tử", "urgent: self_harm"),
            ("em hay tự rạch tay khi buồn", "urgent: self_harm"),
            ("em khong muon song nua", "urgent: self_harm"),
            ("I don't want to live anymore", "urgent: self_harm"),
            ("Nobody cares about me, I wish I was dead.", "urgent: self_harm"),
            ("I sometimes hurt myself when I am sad.", "urgent: self_harm"),
            ("Em buồn lắm, chẳng ai hiểu em, em muốn biến mất.", "urgent: self_harm"),
            // Neglect.
            ("me em bo di, em o nha mot minh, khong ai cham soc", "high: neglect"),
            ("em bị mẹ bỏ đói hai ngày", "high: neglect"),
            ("my mom locks me in my room", "high: neglect"),
            ("My parents locked me in the bathroom all night.", "high: neglect"),
            (
                "Bạn em nghỉ học để đi làm ở Bình Dương.",
                "urgent: neglect, trafficking",
            ),
            ("em bị bố mẹ đuổi ra khỏi nhà", "high: neglect"),
            // Bullying.
            ("bạn lớp trên chặn đường bắt em nộp tiền", "medium: bullying"),
            ("mấy bạn hay trêu em là đồ béo", "medium: bullying"),
            ("em bi ban be bat nat", "medium: bullying"),
            ("nobody plays with me at break time", "medium: bullying"),
            ("they make fun of me because of my accent", "medium: bullying"),
            ("I get bullied on the bus", "medium: bullying"),
            ("Em bị các bạn gọi là đồ mập, đồ xấu xí.", "medium: bullying"),
            ("Tớ bị bọn lớp bên chặn đường đòi tiền.", "medium: bullying"),
            ("Không ai chơi với em cả.", "medium: bullying"),
            // Trafficking.
            (
                "có người lạ hứa cho em việc nhẹ lương cao ở nước ngoài",
                "urgent: trafficking",
            ),
            ("a stranger offered me a job abroad", "urgent: trafficking"),
            ("bố mẹ định gả em cho một người lớn tuổi", "urgent: trafficking"),
            ("bạn em bị bắt cóc", "urgent: trafficking"),
            (
                "Trường em hay có người lạ đứng ở cổng, dụ các bạn đi theo.",
                "urgent: trafficking",
            ),
            // Several at once: the severity is the highest.
            ("bố đánh em và bắt em nghỉ học", "urgent: violence, neglect"),
            ("các bạn đánh em rồi chửi em", "high: violence, bullying"),
            ("bạn trêu em, em muốn chết", "urgent: self_harm, bullying"),
        ]);
    }

    #[test]
    fn topics_and_idioms_are_not_flagged() {
        check_all(
            [
                // The examples of the brief.
                "bạo lực học đường là vấn đề lớn ở nhiều nơi",
                "trường nên dạy phòng chống xâm hại",
                "em muốn có thêm tiết học về an toàn trên mạng",
                "cần có chỗ chơi cho trẻ em",
                "phim này có nhiều cảnh đánh nhau",
                "em đánh cầu lông với bạn",
                "em chết cười với bạn",
                "học mệt muốn chết",
                // Words that fold like harm words.
                "mẹ đánh thức em dậy lúc 6 giờ",
                "bố dành nhiều thời gian cho em",
                "em từ từ làm bài cho cẩn thận",
                "tối nay em phải học bài",
                "cô giáo đánh giá em rất cao",
                "chú bộ đội đến thăm trường em",
                "anh ấy nóng tính nhưng tốt bụng",
                "em thích đá bóng với các bạn",
                "bạn rủ em đi đá bóng",
                "em bị ngã xe đạp",
                "hôm nay em bị điểm kém",
                "hoc met muon chet",
                "em cười muốn chết khi xem phim hài",
                "em không muốn sống ở thành phố vì ồn ào",
                "mẹ không cho em ăn kẹo",
                // Topics.
                "trẻ em bị xâm hại cần được giúp đỡ kịp thời",
                "em muốn học cách phòng tránh bị bắt nạt",
                "em được bố mẹ cho đi du lịch nước ngoài",
                "em sợ bị bắt cóc nên luôn đi cùng mẹ",
                "Bullying is a big problem in many schools",
                "we learned about bullying at school today",
                "Our school should teach suicide prevention",
                "the movie has a lot of fighting",
                "I hit the ball really far",
                "I think schools need more lessons about online safety",
                "We should learn how to stop cyberbullying.",
                "I hit my head on the door yesterday.",
                "This homework is killing me.",
                "That movie killed me, it was so funny.",
                "Em so ma.",
                "Em tò mò về chuyện tự tử của một ca sĩ nổi tiếng.",
                "Em được chú cho tiền mua bánh.",
                "Mẹ em đi Hàn Quốc làm việc.",
                "Bố mẹ em hay cãi nhau và đánh nhau.",
                "Bố em dạy em đánh cờ tướng.",
                "Trời nóng muốn chết mà lớp không có quạt.",
                "",
            ]
            .map(|i| (i, "-")),
        );
    }

    #[test]
    fn names_round_trip() {
        for s in [Severity::Medium, Severity::High, Severity::Urgent] {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        assert_eq!(Severity::parse("Urgent"), None);
        assert!(Severity::Urgent > Severity::High && Severity::High > Severity::Medium);
        let names: Vec<_> = ConcernCategory::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "violence",
                "sexual_abuse",
                "self_harm",
                "neglect",
                "bullying",
                "trafficking",
                "online_exploitation"
            ]
        );
        crate::testing::assert_names_read_back(ConcernCategory::ALL, ConcernCategory::as_str, ConcernCategory::parse);
        assert_eq!(ConcernCategory::parse("Violence"), None);
        crate::testing::assert_names_read_back(Redaction::ALL, Redaction::as_str, Redaction::parse);
        for o in [Outcome::Clear, Outcome::Possible] {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
        assert!(Outcome::Clear > Outcome::Possible);
    }
}

#[test]
fn folds() {
    assert_eq!(fold("  Bố EM   đánh\tEM  "), "bo em danh em");
    assert_eq!(fold("Tự tử, TỪ TỪ, Đường Lê Văn Sỹ"), "tu tu, tu tu, duong le van sy");
    // Decomposed (NFD) text folds like precomposed text.
    assert_eq!(fold("đa\u{301}nh"), "danh");
    assert_eq!(fold(""), "");
}

#[test]
fn long_and_hostile_texts_are_screened() {
    let sentence = "Bố em say rượu về đánh em. Gọi 0912345678, nhà số 12 đường Lê Lợi. ";
    let long = sentence.repeat(100_000 / sentence.len());
    let s = screen(&long);
    assert_eq!(s.redactions.len(), 2 * (100_000 / sentence.len()));
    assert_eq!(s.concern.map(|c| c.severity), Some(Severity::Urgent));
    for hostile in [
        "1 ".repeat(50_000),
        "1".repeat(100_000),
        "@".repeat(100_000),
        "a@".repeat(50_000),
        "a.".repeat(50_000),
        "đánh bị ".repeat(12_000),
        "em ".repeat(30_000),
        "12 Lê ".repeat(15_000),
        "\u{301}".repeat(50_000),
    ] {
        let s = screen(&hostile);
        assert!(s.redacted.len() <= hostile.len() * 8);
    }
}

/// Maximal runs of 9 or more ASCII digits.
fn long_digit_runs(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|r| r.len() >= 9)
        .collect()
}

fn number_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[0-9]{1,14}",
            "[ .()+-]{1,2}",
            Just("84".to_owned()),
            Just("09".to_owned()),
            "(số|đường|Lê|Lợi|em|a@b\\.vn|@|x|\\.com)",
        ],
        0..16,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn screen_never_panics_and_fold_is_idempotent(text in any::<String>()) {
        let _ = screen(&text);
        let once = fold(&text);
        prop_assert_eq!(fold(&once), once);
    }

    #[test]
    fn vietnamese_text_folds_idempotently(
        text in "[a-zA-Z0-9àáảãạăằắâđèéêềìíòóôồơờùúưừỳýÀÁĐÊÔƠƯ \u{300}\u{301}\u{303}\u{309}\u{323}\t\n.,@+()/-]{0,60}",
    ) {
        let _ = screen(&text);
        let once = fold(&text);
        prop_assert_eq!(fold(&once), once.clone());
        prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
    }

    #[test]
    fn long_digit_runs_never_survive(text in number_soup()) {
        let redacted = screen(&text).redacted;
        for run in long_digit_runs(&text) {
            prop_assert!(!redacted.contains(run), "{:?} leaked from {:?} into {:?}", run, text, redacted);
        }
    }
}

#[test]
fn a_flag_in_either_part_withholds_both() {
    let plain = screen_issue("Cần đèn đường", "Gọi 0912 345 678 nhé");
    assert!(!plain.withheld());
    assert_eq!(plain.title, "Cần đèn đường");
    assert!(!plain.body.contains("0912"));
    assert_eq!(plain.redactions, vec![Redaction::Phone]);
    let flagged = screen_issue("Giúp em", "Bố em say rượu về đánh em");
    assert!(flagged.withheld());
    assert_eq!((flagged.title.as_str(), flagged.body.as_str()), (WITHHELD, WITHHELD));
    assert_eq!(flagged.flagged.len(), 1);
    assert_eq!(flagged.flagged[0].original, "Bố em say rượu về đánh em");
}

#[test]
fn the_rule_files_are_all_read() {
    assert_eq!(disclosure::unread_lines(), Vec::<String>::new());
}

mod outcomes {
    use super::*;

    /// `expected`: `-`, or `clear: category, …` / `possible: category, …`.
    fn check_all<'a>(cases: impl IntoIterator<Item = (&'a str, &'a str)>) {
        check_cases(cases, |i| concern(i, |c| c.outcome.as_str()), str::to_owned);
    }

    #[test]
    fn the_misses_of_issue_12_are_found() {
        check_all([
            ("me ke hay lay roi quat e", "clear: violence"),
            (
                "chú hàng xóm hay sờ người e, bảo e ko dc nói vs ai",
                "clear: sexual_abuse",
            ),
            (
                "gửi ảnh ko thì tao đăng ảnh cũ của mày lên",
                "clear: sexual_abuse, online_exploitation",
            ),
            (
                "send photos or I post your old ones",
                "clear: sexual_abuse, online_exploitation",
            ),
            ("e hay lấy dao lam rạch tay khi buồn", "clear: self_harm"),
            ("em mún biến mất", "possible: self_harm"),
            ("I want to disappear", "possible: self_harm"),
            ("I cut myself when I'm sad", "clear: self_harm"),
            (
                "mấy anh lớp 9 chặn e ở cổng trường đòi tiền, ko đưa thì đánh",
                "clear: bullying",
            ),
            (
                "có chị rủ e đi làm tiếp viên quán karaoke lương cao",
                "clear: trafficking",
            ),
            (
                "e bán vé số tới 12h đêm, ông chủ giữ giấy tờ của e",
                "clear: trafficking",
            ),
            (
                "2 đứa em nhỏ của e ở nhà 1 mình ko có gì ăn, bố mẹ đi mấy ngày chưa về",
                "clear: neglect",
            ),
            (
                "có người trên fb nhắn rủ e qua TQ làm việc lương cao, bảo ko được nói với bố mẹ",
                "clear: trafficking, online_exploitation",
            ),
        ]);
    }

    #[test]
    fn idioms_sports_music_and_negation_are_not_disclosures() {
        check_all(
            [
                "em không bị ai đánh",
                "e ko bi ai danh ca",
                "bố mẹ em chưa bao giờ đánh em",
                "Nobody hits me at home.",
                "kho muon chet luon a",
                "bài kiểm tra toán khó muốn chết",
                "chết cười với thằng bạn",
                "em giết thời gian bằng cách đọc truyện",
                "We're going to kill it at the concert",
                "This homework is killing me",
                "em đánh cầu lông với bố",
                "em học đánh đàn",
                "đội em bị đánh bại",
                "em chơi đánh bóng bàn",
                "em sợ bị bắt cóc nên luôn đi cùng mẹ",
                "nếu bị bắt nạt thì em nên làm gì?",
                "em gửi ảnh cho bà ngoại qua zalo",
                "em ở nhà một mình cả buổi chiều",
                "em đi hát karaoke với gia đình",
                "Em so ma.",
            ]
            .map(|i| (i, "-")),
        );
    }

    #[test]
    fn worrying_but_ambiguous_texts_are_possible() {
        check_all([
            ("bạn em bị bố đánh", "possible: violence"),
            ("em buồn lắm, chỉ muốn biến mất", "possible: self_harm"),
            ("anh ấy đòi em gửi ảnh", "possible: online_exploitation"),
            ("nếu em nói ra thì chú ấy sẽ đánh em", "possible: violence"),
            ("My best friend's dad hits her.", "possible: violence"),
        ]);
    }

    #[test]
    fn the_words_that_fired_are_kept_as_written() {
        let c = screen("Hôm qua bố e say rồi đ á n h e đau lắm").concern;
        assert_eq!(c.as_ref().map(|c| c.outcome), Some(Outcome::Clear));
        assert!(c.is_some_and(|c| c.matched.contains(&"đ á n h e".to_owned())));
        let s = screen("em mún biến mất");
        assert!(s.is_possible() && !s.is_clear());
        assert!(screen("bố đánh em").is_clear());
    }

    #[test]
    fn an_issue_takes_its_strongest_outcome() {
        let i = screen_issue("em buồn lắm, muốn biến mất", "bố đánh em");
        assert_eq!(i.outcome(), Some(Outcome::Clear));
        assert!(i.withheld());
        let i = screen_issue("Giúp em", "em buồn lắm, muốn biến mất");
        assert_eq!(i.outcome(), Some(Outcome::Possible));
        assert!(i.withheld());
        assert_eq!((i.title.as_str(), i.body.as_str()), (WITHHELD, WITHHELD));
        assert_eq!(screen_issue("Sân trường", "cần thêm ghế đá").outcome(), None);
    }
}

mod personal {
    use super::*;

    /// `expected` spells markers as `{N}` (name), `{S}` (school, class),
    /// `{M}` (social), `{P}`, `{A}`.
    fn check_all<'a>(cases: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let markers = |e: &str| {
            e.replace("{N}", Redaction::Name.marker())
                .replace("{S}", Redaction::School.marker())
                .replace("{M}", Redaction::Social.marker())
                .replace("{P}", PHONE)
                .replace("{A}", ADDRESS)
        };
        check_cases(cases, |i| screen(i).redacted, markers);
    }

    #[test]
    fn names_schools_and_social_accounts() {
        check_all([
            (
                "Em tên là Nguyễn Thị Hoa, học lớp 7A3 trường THCS Lê Quý Đôn",
                "Em tên là {N}, học lớp {S} trường {S}",
            ),
            // A class code is personal only with its school.
            ("em là Trần Minh Khoa lớp 9/2", "em là {N} lớp 9/2"),
            ("lop 8a1 truong thcs cau kieu", "lop {S} truong {S}"),
            ("mik học 6A7 trường Châu Văn Liêm", "mik học {S} trường {S}"),
            ("e o lop 5.3 truong th chi lang", "e o lop {S} truong {S}"),
            (
                "ten em la nguyen van an, hoc truong thcs nguyen du",
                "ten em la {N}, hoc truong {S}",
            ),
            ("mình là Linh, 13 tuổi", "mình là {N}, 13 tuổi"),
            ("bạn Hùng lớp em hay trêu em", "bạn {N} lớp em hay trêu em"),
            ("cô giáo Lan dạy toán rất hay", "cô giáo {N} dạy toán rất hay"),
            ("fb của em: facebook.com/hoa.nguyen.2010", "fb của em: {M}"),
            ("https://www.tiktok.com/@linh.cute", "{M}"),
            ("zalo: Mai Anh", "zalo: {M}"),
            ("tiktok @linh.cute2010 nha", "tiktok {M} nha"),
            ("ig của mình là linh_123", "ig của mình là {M}"),
            ("nick fb là Hoa Bé Bỏng", "nick fb là {M}"),
            ("Lớp 7A Trường Nguyễn Du", "Lớp {S} Trường {S}"),
            (
                "My name is Linh Nguyen and I go to Nguyen Du High School",
                "My name is {N} and I go to {S} High School",
            ),
        ]);
    }

    #[test]
    fn phones_in_words_and_addresses_of_city_forms() {
        check_all([
            ("sđt của em không chín một hai ba bốn năm sáu bảy tám", "sđt của em {P}"),
            ("so em la 0 9 1 2 3 4 5 6 7 8 nha", "so em la {P} nha"),
            ("nhà em ở 45/6 Nguyễn Trãi", "nhà em ở {A}"),
            ("em ở hẻm 12 Phan Đăng Lưu", "em ở {A}"),
            ("nhà em ở ngõ 7 phố Huế", "nhà em ở {A}"),
        ]);
    }

    #[test]
    fn times_ages_grades_counts_years_and_money_stay() {
        check_all(
            [
                "toi 12h dem em moi ve nha",
                "12h đêm em mới ngủ",
                "em học lớp 7, năm nay 12 tuổi, nhà có 3 anh em",
                "năm 2024 em được 50k tiền lì xì, 100.000 đồng",
                "sinh nhật em 12/5",
                "em được 8/10 điểm",
                "em sống ở Quận 3 Thành phố Hồ Chí Minh",
                "nhà em gần đường Lê Lợi",
                "đếm một hai ba bốn năm sáu bảy tám chín mười",
                "em hay lên fb xem video",
                "lớp 9/3 với lớp 9/4 thi kéo co",
                "I'm from 8A4",
                "e làm đúng 38/40 câu",
                "phố đi bộ Nguyễn Huệ cuối tuần đông lắm",
            ]
            .map(|i| (i, i)),
        );
    }
}

#[test]
fn a_long_text_is_screened() {
    // Not timed: it exercises the length a child may write.
    let sentence = "Hôm nay e ở nhà 1 mình, bố mẹ đi làm xa. Em tên là Nguyễn Thị Hoa, lớp 7A3. ";
    let text: String = sentence.repeat(30).chars().take(2_000).collect();
    assert_eq!(text.chars().count(), 2_000);
    let s = screen(&text);
    assert!(s.redactions.contains(&Redaction::Name));
    assert!(!s.redacted.contains("Nguyễn Thị Hoa"));
}

/// Sentences written for these tests in the ways of the labelled set (not
/// taken from it): other wordings of each category, and safe texts with the
/// same trap words. Flagged means clear or possible.
mod paraphrases {
    use super::*;

    fn failures<'a>(texts: &[&'a str], want_flag: bool) -> Vec<&'a str> {
        texts
            .iter()
            .copied()
            .filter(|t| screen(t).concern.is_some() != want_flag)
            .collect()
    }

    #[test]
    fn other_wordings_of_disclosures_are_flagged() {
        let missed = failures(
            &[
                "bố dượng hay lấy dây điện quất vào lưng e",
                "ba say về là lôi e ra đánh, e sợ về nhà lắm",
                "mẹ hay bắt e quỳ gối cả buổi tối, có khi cầm cây đánh",
                "con bị ba đánh bầm mình mẩy hết",
                "chú e hay đấm vào đầu e khi chú say",
                "bà nội hay véo tai e đến chảy máu",
                "ông ngoại cầm dao dọa giết cả nhà",
                "my stepdad hits my mom every night",
                "dad threw a plate at me and i had to get stitches",
                "mỗi lần điểm kém là bị ba dùng roi mây đánh",
                "ông chú hay nhắn tin bảo e gửi hình ko mặc áo",
                "thầy dạy thêm hay xoa lưng e rồi bảo đừng kể với ai",
                "anh họ vào phòng e ban đêm rồi sờ soạng",
                "chú hàng xóm hay gọi e qua nhà cho tiền rồi ôm e",
                "some guy at the park showed me his private parts",
                "my coach touches me in ways i dont like and says its our secret",
                "e ko muốn sống nữa đâu",
                "e muốn đi theo ông bà cho rồi",
                "dạo này e hay nghĩ tới cái chết",
                "e lấy dao cắt vào tay cho đỡ buồn",
                "i dont see the point of living anymore",
                "i want to die so bad",
                "e uống cả vỉ thuốc rồi",
                "e chán đời lắm, ko muốn tồn tại nữa",
                "bọn lớp bên hay chặn đường đòi tiền, ko đưa là bị đánh",
                "tụi nó quay clip đánh e rồi đăng lên tiktok",
                "cả lớp tẩy chay e vì e nghèo",
                "tụi nó bắt e uống nước bồn cầu",
                "they beat me up in the toilets and took my phone",
                "mấy đứa lớp trên dọa nếu méc thầy thì sẽ đánh e nhừ tử",
                "có người rủ e sang campuchia làm việc lương 20 triệu, ko cần bằng cấp",
                "chị e bị bán qua trung quốc làm vợ",
                "e phải đi bán vé số tới khuya, ko bán hết là bị chủ đánh",
                "ông chủ quán bắt e rửa chén từ 5h sáng tới 11h đêm mà ko trả lương",
                "có người hứa đưa e đi làm ở nhà hàng ở Malaysia, bảo e giấu ba mẹ",
                "ba mẹ đi làm xa cả tháng, e với em út ở nhà ko có gì ăn",
                "mẹ bỏ đi r, ba thì say suốt, ko ai nấu cơm cho tụi e",
                "e bị ốm 3 ngày ko ai chăm, tự đi mua thuốc",
                "tụi e phải tự kiếm ăn, ba mẹ ko về nhà cả tuần rồi",
                "em bé nhà bên khóc suốt vì đói, ba mẹ nó đi nhậu",
                "có người trên tiktok đòi e gửi ảnh nóng, ko gửi thì tung ảnh e lên mạng",
                "1 anh quen qua game hẹn e ra khách sạn gặp mặt",
                "có người lạ trên fb cho e card điện thoại rồi bảo e gửi ảnh khỏa thân",
                "someone online is threatening to share my photos unless i pay",
                "a man on instagram keeps asking me to video call without clothes",
                "mạ e hay lấy cây đánh e mỗi khi e đi chơi về muộn",
                "ôn nội say rượu rồi đánh mạ e",
                "bo e nhau xong ve dap pha do dac, danh ca me",
                "tía đánh e tới sưng mặt",
                "cha đánh con bằng thắt lưng",
                "dì ghẻ ko cho e ăn cơm, bắt e làm việc nhà cả ngày",
                "my dad beats us when he is drunk",
                "my mum slaps me across the face when i get bad grades",
                "ông hàng xóm kêu e vào nhà rồi sờ ngực e",
                "bác xe ôm hay chạm vào người e, dặn e ko được kể với ai",
                "an older boy made me touch him and said dont tell",
                "my uncle comes into my room at night",
                "anh họ bắt e xem clip sex",
                "e bị 1 người lạ kéo vào hẻm và sờ soạng",
                "em muốn tự tử",
                "e nghĩ nếu e chết thì ba mẹ sẽ bớt khổ",
                "e hay lấy compa rạch tay",
                "i hurt myself with a razor last night",
                "i dont want to wake up tomorrow",
                "e ko thiết sống nữa",
                "bạn thân e nhắn là muốn chết, e sợ quá",
                "e cảm thấy mình là gánh nặng của gia đình, biến mất thì tốt hơn",
                "mấy đứa trong lớp lập group chửi e mỗi ngày",
                "tụi nó lấy tiền ăn sáng của e, ko đưa thì đánh",
                "e bị tụi lớp 9 đánh ở nhà vệ sinh",
                "they post mean comments about me every day and tell me to kill myself",
                "nó dọa sẽ đánh e nếu e ko đưa tiền",
                "e bị đánh hội đồng sau giờ học",
                "có người tuyển lao động sang Nhật không mất phí, chỉ cần đi liền",
                "có anh nói sẽ đưa e lên Sài Gòn làm việc, bao ăn ở, ko cần hỏi ba mẹ",
                "e phải đi ăn xin ngoài chợ, tối về đưa hết tiền cho chú",
                "bạn e bị dụ đi Trung Quốc, mấy tháng rồi chưa liên lạc được",
                "chủ xưởng khóa cửa ko cho tụi e về",
                "ba mẹ đi làm từ sáng tới khuya, e với 2 em nhỏ ở nhà tự lo, nhiều hôm ko có cơm",
                "e bị sốt mấy ngày mà ko ai đưa đi khám",
                "ba đuổi e ra khỏi nhà, e phải ngủ ở nhà bạn",
                "tụi e bị bỏ ở nhà ko có đồ ăn",
                "có người lạ trên zalo nhắn tin làm quen, hỏi e có muốn kiếm tiền ko, chỉ cần gửi ảnh",
                "a kia trên facebook bảo e bật camera lên cho a xem người",
                "a guy i met in a game wants to meet me and told me not to tell my mom",
                "someone sent me nude pics and wants mine",
                "có ng đòi e chuyển tiền ko thì đăng clip e lên mạng",
                "bo e hay danh me e moi khi say xin",
                "me e bi ba danh chay mau dau",
                "ba danh e bang cay chổi tới gãy cây",
                "hom qua e bi ba dap vao mat",
                "ông bà nội hay nhốt e trong nhà kho",
                "e bi co giao nhet giay vao mieng vi noi chuyen",
                "chu e hay om e roi so vao cho kin",
                "anh ke hay nhin e tam, e so lam",
                "co nguoi la cho e keo roi dan e ve nha ong ta",
                "my step brother comes into the bathroom when im showering",
                "he said he would hurt my family if i told anyone",
                "e thay ko ai can e ca, chac e nen bien di",
                "e tung uong thuoc de chet nhung ko duoc",
                "nhieu luc e muon nhay xuong song cho xong",
                "e ghet ban than, e muon bien mat vinh vien",
                "sometimes i think everyone would be happier if i was dead",
                "i have been thinking about suicide a lot",
                "tui lop 9 bat e dua tien moi tuan, ko dua thi bi danh",
                "tui no lap nhom chat de che cuoi e, con chia se anh xau cua e",
                "e bi may ban ep uong ruou roi quay clip",
                "they steal my stuff and push me around every day",
                "co nguoi gioi thieu viec lam o quan karaoke cho e, bao ko can noi ba me",
                "e bi chu giu giay khai sinh, ko cho nghi",
                "ba me bat e nghi hoc di lam phu ho",
                "co nguoi hua cho e di lam nail o nuoc ngoai, tien ve may bay ho lo",
                "e o nha mot minh 3 ngay roi, ko co gi an",
                "me bo di tu nam ngoai, ba thi ko lo cho e an hoc",
                "em cua e 4 tuoi, ba me de o nha 1 minh ca ngay de di lam",
                "ko ai cho e tien mua sach vo, e phai nghi hoc",
                "anh trai trên game đòi e gửi ảnh mặc đồ lót",
                "co nguoi lam quen qua tiktok roi hen gap o nha nghi",
                "nguoi ta doa se gui anh cua e cho ca truong neu e ko chuyen tien",
            ],
            true,
        );
        assert!(missed.is_empty(), "missed:\n{}", missed.join("\n"));
    }

    #[test]
    fn safe_texts_with_trap_words_are_not_flagged() {
        let flagged = failures(
            &[
                "hôm qua e bị ngã xe, đầu gối chảy máu",
                "e bị cô giáo phạt chép bài 10 lần",
                "mẹ ôm e ngủ mỗi tối",
                "ba e dạy e đánh cờ tướng",
                "tụi e đá bóng ở sân sau trường, e bị bóng đập vào mặt",
                "e muốn có thêm cây xanh trong trường",
                "bạn e bị ốm nên nghỉ học 3 ngày",
                "e chết mê chết mệt phim hoạt hình này",
                "e ghét môn toán muốn chết luôn",
                "bài tập nhiều quá chắc e chết mất",
                "e ở nhà một mình trông nhà khi mẹ đi chợ",
                "ba mẹ đi du lịch 2 ngày, e ở với bà ngoại",
                "e giữ bí mật món quà sinh nhật cho mẹ",
                "cô giáo bảo tụi e chụp ảnh lớp gửi vào nhóm zalo",
                "e thích xem phim hành động có nhiều cảnh bắn nhau",
                "trong game e giết được 20 con quái",
                "ba e làm ở quán nhậu đến khuya mới về",
                "chị e đi xuất khẩu lao động ở Nhật",
                "mẹ e bán vé số ở chợ",
                "e phụ mẹ bán hàng đến 9h tối",
                "e đi làm thêm ở quán trà sữa vào cuối tuần",
                "e bị muỗi cắn sưng cả tay",
                "e cắt tay khi gọt trái cây",
                "e không bị ai bắt nạt cả",
                "nhà e không ai đánh ai",
                "em cần thêm đèn đường ở hẻm nhà em",
                "hôm nay trời nóng chết đi được",
                "e muốn biến mất khỏi buổi thuyết trình vì run quá",
                "e rất buồn vì con chó nhà e chết",
                "ông e mất rồi, e nhớ ông lắm",
                "trường nên có phòng tư vấn tâm lý cho học sinh bị bắt nạt",
                "chúng ta cần phòng chống xâm hại tình dục trẻ em",
                "e đọc báo thấy có vụ bắt cóc trẻ em ở tỉnh khác",
                "e thích đi hát karaoke với lớp vào cuối năm",
                "bạn e kể chuyện ma làm e sợ mất ngủ",
                "mẹ nhắc e không được nói chuyện với người lạ trên mạng",
                "e bị mẹ la vì đi chơi về trễ",
                "ba phạt e không được chơi điện thoại 1 tuần",
                "e muốn học võ để tự vệ",
                "em trai e hay đánh e khi chơi đùa, tụi e cười suốt",
                "I was so tired I could die",
                "my brother is so annoying i could kill him lol",
                "we watched a movie about a kidnapping",
                "my mom hugs me every morning",
                "I cut my finger while cooking",
                "our team got beaten badly in the final",
                "the test was brutal, it destroyed me",
                "I keep my diary secret from my sister",
                "e thich danh dan guitar voi ba",
                "hom nay e bi diem kem mon ly, buon qua",
                "me danh thuc e luc 6h sang",
                "e voi ban da bong o san truong",
                "ba e sua xe o dau hem",
                "e tu tu lam bai cho ky",
                "e so ma lam, toi ko dam ngu mot minh",
                "ban e bi dau bung nen ve som",
                "co giao cho e diem 10",
                "thay day toan rat vui tinh",
                "e muon co san choi cho tre em",
                "tui e di hat karaoke ky niem cuoi nam",
                "e bi cat tay luc got tao",
                "me e cho tien an sang moi ngay",
                "ba cho e di choi cong vien",
                "e ko muon song o thanh pho vi on ao",
                "ong ba e song o que",
                "e hay choi game ban sung voi ban",
                "e bi bat nat hoi lop 3 nhung gio het roi",
                "ba e di lam ca dem o xuong",
                "e di nha sach mua sach",
                "nha e nuoi 2 con cho",
                "me dan e ko duoc noi chuyen voi nguoi la",
                "e muon hoc cach tu bao ve ban than",
                "ban be hay ru e di choi cuoi tuan",
                "anh e dua e di hoc moi sang",
                "e bi ngat xiu trong gio the duc vi nang qua",
                "chi e di du hoc o Uc",
                "e ghet bi nhot trong nha vao ngay nghi, muon ra ngoai choi",
                "cuoi tuan e phu ba ban hang o cho",
                "e hay thuc khuya hoc bai den 12h dem",
                "e bi me mang vi ko lam bai tap",
                "ban e chuyen truong nen e buon lam",
                "e thay met moi vi hoc them nhieu qua",
                "tui no hay ru e choi lien quan",
                "hom qua e xem phim kinh di co canh giet nguoi",
                "em muon cam on thay co",
                "co ai bi bat nat thi bao co nhe",
                "my family went to the beach and i got sunburned",
                "I hate being left out of group chats lol",
                "my teacher said i should keep my password secret",
                "i sent photos of my drawing to my aunt",
                "we learned how to stay safe online at school",
                "my dad works late at night at the factory",
                "my sister pushed me into the pool for fun",
                "I fell off my bike and got bruises on my leg",
                "i'm dying to go to the concert",
                "i cut my hair myself and it looks bad",
                "grandma hugged me and gave me some money for tet",
                "my friend is moving away and i'm sad, she will disappear from my life",
                "my mom said if anyone touches me i should tell her",
                "we should talk about bullying more in class",
                "i was so embarrassed i wanted to disappear",
                "the exam killed me today",
                "I got beaten at chess by my little brother",
                "nobody ever hurt me at home, my parents are kind",
                "she threatened to unfriend me lol",
            ],
            false,
        );
        assert!(flagged.is_empty(), "flagged:\n{}", flagged.join("\n"));
    }
}
