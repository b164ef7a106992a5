// Words of the console's later additions (an issue's note and unit, the
// other reorganisations, the school calendar, the safeguarding webhook
// and webhook dead letters, corrections to events), vi then en.
import { extend } from './i18n.js';

extend({
  vi: {
    // An issue's moderator note and unit
    noteAndUnit: 'Ghi chú, đơn vị', issueUnit: 'Đơn vị', modNote: 'Ghi chú của Hội đồng',
    noteHelp: 'Ghi chú chỉ cán bộ Hội đồng đọc, không bao giờ công bố. Đơn vị là nơi ý kiến nói đến.',
    noteHint: 'Tối đa 2.000 ký tự; để trống là xoá ghi chú.', noteSaved: 'Đã lưu ghi chú và đơn vị.',
    // Splits, moves, renames
    newSplit: 'Ghi nhận một lần chia tách', splitHelp: 'Đơn vị được chọn thôi hoạt động từ ngày hiệu lực; các đơn vị mới mở ra, một đơn vị nhận lịch sử của nó (số liệu cũ được tính cho đơn vị đó). Các đơn vị trực thuộc chuyển về đơn vị mới.',
    splitUnit: 'Đơn vị chia tách', splitNewN: (n) => `Đơn vị mới ${n}`, takesHistory: 'Nhận lịch sử của đơn vị cũ', splitAdd: 'Thêm một đơn vị mới',
    splitChildren: 'Các đơn vị trực thuộc chuyển về', splitNoChildren: 'Đơn vị này không có đơn vị trực thuộc.',
    newMove: 'Chuyển một đơn vị sang đơn vị cấp trên khác', moveHelp: 'Đơn vị vẫn hoạt động và giữ lịch sử của mình; từ ngày hiệu lực nó thuộc đơn vị cấp trên mới.',
    moveUnit: 'Đơn vị chuyển', moveTo: 'Thuộc đơn vị (mới)',
    newRename: 'Đổi tên, mã đơn vị', renameHelp: 'Là một sửa chữa: tên và mã mới dùng cho mọi ngày, kể cả trước đây. Nếu đơn vị đổi tên vì sáp nhập hay chia tách từ một ngày, hãy ghi nhận sắp xếp lại ở trên.',
    renameUnit: 'Đơn vị', saveRename: 'Lưu tên mới', renamed: (n) => `Đã lưu: ${n}.`,
    // School terms
    termsTitle: 'Học kỳ của các năm học', termsHelp: 'Ngày bắt đầu và kết thúc mỗi học kỳ theo lịch thành phố công bố. Báo cáo, tiến độ và chỉ tiêu theo học kỳ (ví dụ 2026-2027-HK1) tính theo các ngày này.',
    termsSet: 'Đặt ngày cho một năm học', schoolYear: 'Năm học', schoolYearHint: 'ví dụ 2027-2028', hk1: 'Học kỳ I', hk2: 'Học kỳ II',
    hk1First: 'Học kỳ I từ ngày', hk1Last: 'Học kỳ I đến ngày', hk2First: 'Học kỳ II từ ngày', hk2Last: 'Học kỳ II đến ngày',
    saveTerms: 'Lưu năm học', termsSaved: (y) => `Đã lưu các học kỳ của năm học ${y}.`,
    // Webhooks
    admHooks: 'Webhook', sgWebhook: 'Webhook của đội bảo vệ trẻ em',
    sgWebhookHelp: 'Địa chỉ https:// của đội bảo vệ trẻ em được báo ngay mỗi hồ sơ mới (mã hồ sơ, mức độ, đơn vị, thời điểm; không bao giờ có lời của trẻ). Mỗi thông báo được ký bằng mã bí mật; lưu lại là tạo mã mới.',
    hookEvents: 'Thông báo webhook đã gửi', hookEventsHelp: 'Thông báo gửi cho cơ quan và đội bảo vệ trẻ em, mới nhất trước. Thông báo gửi hỏng quá lâu thành “thư chết”: sửa bên nhận rồi gửi lại (cùng mã thông báo).',
    hookStatuses: { dead: 'Thư chết (gửi không được)', pending: 'Đang chờ gửi', delivered: 'Đã gửi' }, queuedAt: 'Xếp hàng lúc', hookType: 'Loại', hookTo: 'Gửi đến',
    attempts: 'Số lần thử', lastError: 'Lỗi gần nhất', replay: 'Gửi lại', replayed: (x) => `Đã xếp lại thông báo ${x} vào hàng gửi.`,
    sgTeam: 'Đội bảo vệ trẻ em', noHookEvents: 'Không có thông báo nào.',
    // Events: corrections, children of units below
    fixEvent: 'Sửa sự kiện đã ghi', fixHelp: 'Sửa những gì ghi nhầm. Máy chủ kiểm tra như một sự kiện mới; các ý kiến nêu tại đó đi theo ngày mới.',
    eventFixed: 'Đã lưu bản sửa.', byUnitTitle: 'Trẻ em của các đơn vị trực thuộc',
    byUnitHelp: 'Sự kiện tổ chức ở cấp trên (ví dụ diễn đàn của quận): mỗi đơn vị trực thuộc ghi số em của mình đã tham dự; các em được tính cho đơn vị đó, phần còn lại tính cho đơn vị tổ chức.',
    enterChildren: 'Ghi số em của một đơn vị', unitBelow: 'Đơn vị trực thuộc', byLevel: 'Theo cấp học (không bắt buộc)',
    levels: { primary: 'Tiểu học', lower_secondary: 'THCS', upper_secondary: 'THPT' }, updatedAt: 'Cập nhật lúc',
    childrenSaved: (u) => `Đã lưu số em của ${u}.`, noUnitsBelow: 'Không có đơn vị trực thuộc nào bạn được ghi.',
  },
  en: {
    noteAndUnit: 'Note, unit', issueUnit: 'Unit', modNote: 'The Council\u2019s note',
    noteHelp: 'A note only the Council\u2019s moderators read, never published. The unit is where the issue is about.',
    noteHint: 'Up to 2,000 characters; empty clears the note.', noteSaved: 'Note and unit saved.',
    newSplit: 'Record a split', splitHelp: 'The unit chosen stops on the effective day; the new units open, one of them takes over its history (its past figures count toward it). Its own units move to the new ones.',
    splitUnit: 'Unit split', splitNewN: (n) => `New unit ${n}`, takesHistory: 'Takes over the old unit\u2019s history', splitAdd: 'Add a new unit',
    splitChildren: 'Its units move to', splitNoChildren: 'No unit sits under this one.',
    newMove: 'Move a unit under another parent', moveHelp: 'The unit stays in force with its history; from the effective day it sits under the new parent.',
    moveUnit: 'Unit moved', moveTo: 'New parent',
    newRename: 'Rename a unit or change its code', renameHelp: 'A correction: the new names and code hold for every day, earlier ones too. A unit renamed from a given day by a merger or a split is recorded as a reorganisation above.',
    renameUnit: 'Unit', saveRename: 'Save the new name', renamed: (n) => `Saved: ${n}.`,
    termsTitle: 'School terms', termsHelp: 'The first and last day of each term, as the city announces them. Reports, progress and targets named by a term (e.g. 2026-2027-HK1) follow these dates.',
    termsSet: 'Set a school year\u2019s dates', schoolYear: 'School year', schoolYearHint: 'e.g. 2027-2028', hk1: 'Term I', hk2: 'Term II',
    hk1First: 'Term I from', hk1Last: 'Term I to', hk2First: 'Term II from', hk2Last: 'Term II to',
    saveTerms: 'Save the school year', termsSaved: (y) => `The terms of ${y} are saved.`,
    admHooks: 'Webhooks', sgWebhook: 'The safeguarding team\u2019s webhook',
    sgWebhookHelp: 'The safeguarding team\u2019s https:// address, told at once of each new case (its id, severity, unit, time; never a child\u2019s words). Every call is signed with the secret; saving makes a new one.',
    hookEvents: 'Webhook events', hookEventsHelp: 'Events sent to agencies and to the safeguarding team, newest first. An event that fails for too long becomes a dead letter: fix the receiver, then send it again (with the same event id).',
    hookStatuses: { dead: 'Dead letter (could not be sent)', pending: 'Waiting to be sent', delivered: 'Delivered' }, queuedAt: 'Queued', hookType: 'Type', hookTo: 'To',
    attempts: 'Attempts', lastError: 'Last error', replay: 'Send again', replayed: (x) => `${x} is queued again.`,
    sgTeam: 'Safeguarding team', noHookEvents: 'No events.',
    fixEvent: 'Correct the event', fixHelp: 'Correct what was recorded wrongly. The server checks it as a new event; the issues raised there follow the new day.',
    eventFixed: 'The correction is saved.', byUnitTitle: 'Children of units below',
    byUnitHelp: 'An event held above them (a district forum, say): each unit below enters how many of its children attended; they count for that unit, the rest for the unit that held it.',
    enterChildren: 'Enter a unit\u2019s children', unitBelow: 'Unit below', byLevel: 'By school level (optional)',
    levels: { primary: 'Primary', lower_secondary: 'Lower secondary', upper_secondary: 'Upper secondary' }, updatedAt: 'Updated',
    childrenSaved: (u) => `Children of ${u} saved.`, noUnitsBelow: 'No unit below this one that you may enter for.',
  },
});
