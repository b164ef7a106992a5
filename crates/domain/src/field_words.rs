//! The Vietnamese sentence of each field error code, for a problem whose
//! own sentence was written in English only: what a staff member reads
//! beside the field at fault. The English sentence stays the one written
//! for the problem; a problem that carries more than its code says (a
//! range, the values allowed) writes both (`FieldError::said`).

/// The Vietnamese sentence of a field error `code`; a code without one
/// (none, as the e2e test `field_words` checks over the sources) reads as
/// a plain "invalid value".
pub fn sentence(code: &str) -> &'static str {
    known(code).unwrap_or("Giá trị không hợp lệ.")
}

/// The sentence of `code`, if it has one of its own.
pub fn known(code: &str) -> Option<&'static str> {
    Some(match code {
        // Shape and presence.
        "required" => "Cần điền mục này.",
        "invalid" => "Giá trị không hợp lệ.",
        "invalid_type" => "Sai kiểu dữ liệu.",
        "invalid_length" => "Độ dài không hợp lệ.",
        "invalid_character" => "Có ký tự không được phép (ký tự điều khiển hoặc đảo chiều chữ).",
        "unknown_field" => "Mục này không có trong yêu cầu được phép.",
        "unknown_value" => "Giá trị không nằm trong danh sách được phép.",
        "out_of_range" => "Giá trị nằm ngoài khoảng cho phép.",
        "not_integer" => "Cần một số nguyên.",
        "too_long" => "Quá dài.",
        "too_many" => "Quá nhiều mục.",
        "empty_text" => "Nội dung đang trống.",
        "duplicate" => "Bị lặp lại.",
        "duplicate_key" => "Khoá bị lặp lại.",
        "not_allowed" => "Không được phép ở đây.",
        "min_greater_than_max" => "Giá trị nhỏ nhất lớn hơn giá trị lớn nhất.",
        "nothing_to_change" => "Không có gì để thay đổi.",
        "ambiguous" => "Có nhiều hơn một kết quả khớp; hãy nói rõ hơn.",
        "does_not_add_up" => "Các phần cộng lại không khớp với tổng.",
        "does_not_match" => "Không khớp.",
        // Formats.
        "invalid_url" => "Địa chỉ web không hợp lệ.",
        "invalid_destination" => "Địa chỉ nhận không được phép (cần một địa chỉ công khai, https).",
        "invalid_email" => "Địa chỉ thư điện tử không hợp lệ.",
        "invalid_phone" => "Số điện thoại không hợp lệ.",
        "invalid_slug" => "Mã dài 2 đến 64 ký tự: chữ thường a-z, chữ số hoặc dấu gạch dưới (_), bắt đầu bằng chữ cái.",
        "invalid_code" => "Mã không hợp lệ.",
        "invalid_key" => "Khoá chỉ gồm chữ thường a-z, chữ số và dấu gạch dưới.",
        "invalid_username" => "Tên đăng nhập dài 3 đến 64 ký tự: chữ a-z, chữ số, '.', '_' hoặc '-'.",
        "password_too_short" => "Mật khẩu quá ngắn.",
        "password_too_long" => "Mật khẩu quá dài.",
        "current_password_wrong" => "Mật khẩu hiện tại không đúng.",
        "invalid_period" => "Kỳ báo cáo không hợp lệ.",
        "invalid_school_year" => "Năm học viết dạng 2025-2026.",
        // Dates.
        "in_the_future" => "Ngày này chưa đến.",
        "in_the_past" => "Ngày này đã qua.",
        "too_long_ago" => "Ngày này đã quá lâu.",
        "before_published" => "Trước ngày khảo sát được công bố.",
        "before_first_day" => "Trước ngày đầu tiên.",
        "outside_school_year" => "Nằm ngoài năm học.",
        "terms_overlap" => "Các học kỳ chồng lên nhau.",
        "other_year" => "Thuộc năm khác.",
        // Things named by id.
        "unknown_unit" => "Không có đơn vị này.",
        "unknown_topic" => "Không có chủ đề này.",
        "unknown_agency" => "Không có cơ quan này.",
        "unknown_survey" => "Không có khảo sát này.",
        "unknown_question" => "Không có câu hỏi này.",
        "unknown_option" => "Không phải một lựa chọn của câu hỏi này.",
        "unknown_issue" => "Không có ý kiến này.",
        "unknown_event" => "Không có hoạt động này.",
        "unknown_commitment" => "Không có cam kết này.",
        "unknown_status" => "Không có trạng thái này.",
        "unknown_reason" => "Không có lý do này.",
        "unknown_category" => "Không có nhóm này.",
        "unknown_severity" => "Không có mức độ này.",
        "unknown_channel" => "Không có kênh tiếp nhận này.",
        "unknown_ref" => "Không có tham chiếu này.",
        "invalid_ref" => "Tham chiếu không hợp lệ.",
        // Units and scope.
        "not_in_force" => "Đơn vị không còn hiệu lực vào ngày này.",
        "outside_scope" => "Nằm ngoài phạm vi đơn vị của bạn.",
        "kind_not_allowed" => "Loại đơn vị này không được phép ở đây.",
        "code_taken" => "Mã này đã có đơn vị dùng.",
        "children_left" => "Đơn vị còn đơn vị trực thuộc.",
        "cycle" => "Tạo thành vòng lặp giữa các đơn vị.",
        "default_successor_required" => "Cần chọn đơn vị kế thừa mặc định.",
        "closed_by_this_reorganisation" => "Đơn vị bị đóng trong chính lần sắp xếp này.",
        "parent_changed_later" => "Đơn vị cấp trên đã thay đổi vào ngày sau.",
        "not_closed" => "Đơn vị chưa đóng.",
        "no_successor" => "Không có đơn vị kế thừa.",
        "empty_reorganisation" => "Lần sắp xếp không có thay đổi nào.",
        // Surveys and answers.
        "too_few_options" => "Cần ít nhất hai lựa chọn.",
        "empty_options" => "Chưa có lựa chọn nào.",
        "show_if_unknown_question" => "Điều kiện hiển thị nhắc đến câu hỏi không có.",
        "show_if_unknown_option" => "Điều kiện hiển thị nhắc đến lựa chọn không có.",
        "show_if_later_question" => "Điều kiện hiển thị chỉ được dựa vào câu hỏi đứng trước.",
        "not_eligible" => "Không dành cho độ tuổi này.",
        "hidden_question" => "Câu hỏi này không hiện với các câu trả lời trước.",
        "duplicate_choice" => "Một lựa chọn được chọn hai lần.",
        "too_few_choices" => "Chọn chưa đủ số lựa chọn.",
        "too_many_choices" => "Chọn quá số lựa chọn cho phép.",
        "invalid_ranking" => "Cần xếp mỗi lựa chọn đúng một lần.",
        "survey_not_published" => "Khảo sát chưa được công bố.",
        // Events and the plan.
        "has_children_by_unit" => "Hoạt động đã có số trẻ em theo đơn vị.",
        "not_below_event" => "Đơn vị không trực thuộc nơi tổ chức hoạt động.",
        "more_than_attended" => "Nhiều hơn số đã tham dự.",
        "less_than_entered" => "Ít hơn số các đơn vị đã nhập.",
        "lower_secondary_participants" => "Số học sinh THCS không được vượt tổng số trẻ em.",
        "not_a_council_meeting" => "Hoạt động này không phải phiên họp Hội đồng.",
        // Recommendations and agencies.
        "reason_required" => "Cần nêu lý do.",
        "already_delivered" => "Cơ quan này đã nhận kiến nghị.",
        "agency_inactive" => "Cơ quan này đã ngừng hoạt động.",
        "not_accepted" => "Ý kiến này chưa được chấp nhận.",
        "no_grounds" => "Kiến nghị cần ít nhất một căn cứ (ý kiến, câu hỏi hoặc hoạt động).",
        "not_an_officer" => "Tài khoản này không phải cán bộ bảo vệ trẻ em.",
        _ => return None,
    })
}
