import { describe, expect, it } from "vitest";
import { ACTION_NAMES } from "../../src/engine/action.ts";
import { ASK_BACK_CONFIDENCE, FAQ_CONFIDENCE } from "../../src/engine/engine.ts";
import { FaqMatcher } from "../../src/engine/faq-matcher.ts";
import { loadFlowBundle } from "../../src/engine/flow-loader.ts";

const bundle = loadFlowBundle("flows", "locales", ACTION_NAMES);
const matcher = new FaqMatcher(bundle.faq, bundle.commands, bundle.nlu.classifier);
const answer = (text: string) => {
  const m = matcher.match(text);
  return m && m.confidence >= FAQ_CONFIDENCE ? m.entry.id : null;
};
/** What the bot offers: the answer when sure, else the two guesses it asks back with ("Ý bạn là…?"). */
const offered = (text: string) => {
  const m = matcher.match(text);
  if (!m || m.confidence < ASK_BACK_CONFIDENCE) return [];
  return m.confidence >= FAQ_CONFIDENCE ? [m.entry.id] : [m.entry.id, m.alternatives[0]?.entry.id];
};

/** Examples in nlu/ change what the classifier learns: these guard what people were seen typing. */
describe("FAQ matching of what people type", () => {
  it.each([
    ["nhà tôi là hộ nghèo, làm sao xin hỗ trợ?", "need_help"],
    ["my family is poor, can the fund help me?", "need_help"],
    ["tôi cần tiền", "need_help"],
    ["quỹ đã quyên góp được bao nhiêu rồi?", "progress"],
    ["how much has been raised", "progress"],
    ["nên ủng hộ bao nhiêu", "how_much"],
    ["số hotline là gì", "contact"],
    ["ủng hộ tiền", "how_to_donate"],
    ["stk quỹ là gì vậy", "bank_account"],
    ["xem dữ liệu của tôi", "my_data_intent"],
    ["xóa dữ liệu của tôi", "forget_intent"],
    ["rút lại đồng ý", "forget_intent"],
    ["em đóng rồi ạ", "paid_intent"],
    ["mình nộp tiền mặt rồi", "paid_intent"], // paid, not "how do I pay cash"
    ["nộp tiền mặt được không", "how_to_donate"],
    ["ok", "affirm"], // after the bot's last answer: not "I did not understand"
    ["quỹ ở đâu?", "contact"],
    ["sửa số tiền đã đăng ký", "change_pledge"], // not the campaign totals
    ["em ghi nhầm tiền rồi", "change_pledge"],
    ["I want to change my pledge", "change_pledge"],
    ["doanh nghiệp ủng hộ thế nào", "how_to_donate"], // not the union answer
    ["chào bot, mình muốn hỏi chút", "wants_to_ask"], // before: not understood
    ["có ai không", "wants_to_ask"], // before: what the money is for
    ["tôi muốn ủng hộ nhưng chưa biết bao nhiêu", "how_much"],
    ["có được khấu trừ thuế không", "tax"], // before: not understood
    ["is my donation tax deductible?", "tax"],
    ["ủng hộ bằng thẻ tín dụng được không", "how_to_donate"], // a question, not a pledge started
    ["ủng hộ ẩn danh được không", "anonymous"],
    ["tôi muốn ủng hộ cho một gia đình cụ thể", "specific_family"],
    ["có xuất hóa đơn không", "no_fact"], // understood, and said so: not "I did not understand"
    ["tôi là người nước ngoài", "how_to_donate"], // before: the emulation movement ("cả nước")
    ["có phải lừa đảo không", "trust"], // before: not understood
    ["is this a scam?", "trust"],
    ["bạn không hiểu gì cả", "frustrated"],
    ["tôi muốn khiếu nại", "complaint"],
    ["gọi điện cho ai", "contact"],
    ["mai tôi nộp", "pay_later"],
    ["thôi để sau", "later"], // not the emulation movement ("… bỏ lại phía sau")
    ["VNN 10 gửi 1408", "sms"], // the SMS text pasted (before: about the fund, "VNN" being its name)
    ["tôi muốn nhận tin", "subscribe_intent"], // before: a pledge started
    ["tôi không muốn nhận tin", "stop_intent"], // the negation turns it around: never a subscription
    ["đừng nhắn nữa", "stop_intent"],
    ["spam quá", "stop_intent"],
    ["please stop messaging me", "stop_intent"],
    ["có nhận tin được không", "subscribe_intent"], // "không" ending a question is no negation
    ["tôi không muốn ủng hộ", "not_giving"], // before: the ways to give
    ["tôi muốn ủng hộ", "pledge_intent"], // the same words without "không": never "that is fine"
    ["không, cảm ơn", "deny"],
    ["no thank you", "deny"],
    ["em không ủng hộ đâu ạ", "not_giving"],
    ["i don't want to give money", "not_giving"],
    ["i really don't know how to give", "how_to_donate"], // denies knowing, not giving
    ["mình không biết ủng hộ kiểu gì", "how_to_donate"],
    ["ủng hộ qua chuyển khoản được không", "how_to_donate"], // asks whether it can: answered, no pledge started
    ["can I donate by bank transfer?", "how_to_donate"],
    ["what happens to my money", "transparency"],
    ["bảo mật thông tin thế nào", "why_details"], // before: a subscription offered
    ["sửa tên", "change_details"],
    ["e mún ủng hộ", "pledge_intent"], // texting spellings (before: the ways to give)
    // Spoken-style questions: what follows "cho em hỏi (là)" is the question (before: not understood, or "I have paid").
    ["dạ cho em hỏi số tài khoản để chuyển khoản ủng hộ quỹ là số nào vậy ạ", "bank_account"],
    ["chị ơi cho chị hỏi cái là ở phường chị thì chị đóng tiền ủng hộ ở đâu vậy em", "how_to_donate"],
    [
      "cho em hỏi là năm nay em muốn ủng hộ cho quỹ vì người nghèo thì em phải làm như thế nào ạ",
      "how_to_donate",
    ],
    ["anh muốn hỏi là cái tin nhắn ủng hộ đó thì anh nhắn số mấy vậy", "sms"],
    ["can you tell me the bank account", "bank_account"],
    ["tin nhắn ủng hộ bị lỗi", "sms_help"], // the SMS hotline, not the SMS how-to (before: not understood)
    ["mạng vinaphone có nhắn được không", "sms_help"], // carriers are not in campaign data: no list claimed
    ["nhắn tin", "sms"],
    ["tui hổng biết làm sao", "wants_to_ask"], // southern "tui", "hổng": an invitation to ask (before: the safety answer)
    ["ủng hộ dzậy được hông", "how_to_donate"],
    ["con muốn góp cho người nghèo", "pledge_intent"],
    ["I pledged yesterday, how do I pay?", "how_to_donate"], // before: not understood
    ["what's my pledge number", "my_pledges_intent"], // before: the change-pledge answer
    ["I want to get updates", "subscribe_intent"],
    ["có phải trang chính thức của mặt trận không", "trust"], // what the assistant never asks for, and where to give in person
    ["bạn có phải người thật không", "about_bot"],
    ["ủy ban mặt trận phường ở đâu", "contact"],
    ["tôi là giáo viên, trường tôi thu qua công đoàn", "union"], // union members (before: not understood)
    ["trích lương có tự nguyện không", "how_much"], // "every gift counts, as much as you can"
    ["tôi làm công ty tư nhân không có công đoàn", "how_to_donate"],
    ["đã trừ lương rồi có cần đăng ký nữa không", "paid_intent"],
    ["ok ad", "affirm"],
    ["tks", "thanks"],
    ["tôi muốn đăng ký hộ nghèo", "need_help"], // before: a pledge started ("đăng ký … hộ")
    ["có ủng hộ bằng hiện vật được không", "how_to_donate"], // a question ending in "không" says no "no"
    ["trích lương bao nhiêu", "how_much"], // union members' questions (before: not understood)
    ["có bắt buộc không", "how_much"],
    ["ai thu tiền ở cơ quan", "union"],
    ["công đoàn trừ lương tháng nào", "union"],
    ["mỗi người phải đóng bao nhiêu", "how_much"], // before: the SMS answer
    ["doanh nghiệp muốn ủng hộ qua công ty", "how_to_donate"],
    ["nhắn tin", "sms"], // "nhắn" (send a text) is not "nhận" (receive): never a subscription
    ["tôi muốn nhắn tin ủng hộ", "sms"],
    ["10 tin nhắn", "sms"],
    ["nhận tin", "subscribe_intent"],
    ["thông tin", "about_fund"], // not why the bot needs one's details
    ["có lộ thông tin không", "why_details"],
    ["nộp", "how_to_donate"], // not "I'll pay later"
    ["can I give online", "how_to_donate"], // before: the union answer
    ["what's the minimum", "how_much"], // "'s" is no word
    ["ủng hộ hàng tháng được không", "no_fact"], // before: "change my pledge"
    ["tôi muốn làm tình nguyện viên", "staff_intent"],
    ["năm nay tôi ủng hộ rồi", "paid_intent"],
    ["cơ quan tôi đóng rồi", "paid_intent"], // before: the organisers
    ["tôi đã nộp chưa", "my_pledges_intent"], // asks the status: not "I have paid"
    ["tôi đã nộp rồi", "paid_intent"],
    ["sao chưa ai liên hệ", "staff_intent"],
    ["hi, how does this work", "about_bot"], // English people ask differently
    ["I want to help poor people", "pledge_intent"],
    ["where do I send money", "how_to_donate"],
    ["is there a deadline", "peak_month"],
    ["cho tôi vay tiền", "ask_loan"], // before: the ways to give
    ["đổi số tiền", "change_pledge"],
    ["Nhận tin chiến dịch", "subscribe_intent"], // the menu button's label, typed (before: about the fund)
    ["bạn có lưu số điện thoại của tôi không", "my_data_intent"], // before: the contact answer
    ["số tài khoản quỹ vì người nghèo", "bank_account"], // the fund's name is context (before: about the fund)
    ["ủng hộ quỹ vì người nghèo như thế nào", "how_to_donate"],
    ["quỹ vì người nghèo ở đâu", "contact"],
    ["quỹ vì người nghèo có nhận momo không", "how_to_donate"],
    ["vì người nghèo là gì", "about_fund"], // unless it is all the question has
    ["bác muốn ủng hộ", "pledge_intent"], // kinship words are pronouns, like "tôi"
    ["xin chào, tôi cần tư vấn", "wants_to_ask"],
    ["tôi đồng ý", "affirm"], // not "withdraw my consent" (forget_intent), which shares "đồng ý"
    ["tôi không đồng ý nữa", "forget_intent"],
  ])("%j → %s", (text, entry) => {
    expect(offered(text)).toContain(entry);
  });

  it.each([
    "tôi muốn đăng ký học tiếng anh",
    "tôi muốn hỏi về thời tiết ngày mai",
    "mấy giờ rồi",
    "giá vàng hôm nay bao nhiêu",
    "kết quả bóng đá",
    "tell me a joke",
    "ngân hàng nào lãi suất cao",
    "học tiếng anh ở đâu",
    "hôm nay trời đẹp quá",
    "2",
    "Lan 0912345678",
  ])("%j is not a campaign question", (text) => {
    expect([null, "out_of_scope"]).toContain(answer(text));
  });
});
