/** Builders for Telegram updates as the Bot API sends them. */
let updateId = 100_000;
let messageId = 0;

export interface Person {
  id: number;
  lang?: string;
  name?: string;
}

const from = (p: Person) => ({
  id: p.id,
  is_bot: false,
  first_name: p.name ?? "An",
  language_code: p.lang ?? "vi",
});
const privateChat = (p: Person) => ({ id: p.id, type: "private", first_name: p.name ?? "An" });

export function nextUpdateId(): number {
  return ++updateId;
}

export function message(p: Person, fields: Record<string, unknown>, chat: object = privateChat(p)) {
  return {
    update_id: nextUpdateId(),
    message: { message_id: ++messageId, date: 1_700_000_000, chat, from: from(p), ...fields },
  };
}

export function text(p: Person, body: string) {
  const entities = body.startsWith("/")
    ? { entities: [{ type: "bot_command", offset: 0, length: body.split(" ")[0]!.length }] }
    : {};
  return message(p, { text: body, ...entities });
}

export function press(p: Person, data: string) {
  return {
    update_id: nextUpdateId(),
    callback_query: {
      id: `cq-${updateId}`,
      from: from(p),
      chat_instance: "ci",
      data,
      message: { message_id: ++messageId, date: 1_700_000_000, chat: privateChat(p), text: "…" },
    },
  };
}

export function contact(p: Person, phone: string, ownerId: number = p.id) {
  return message(p, { contact: { phone_number: phone, first_name: p.name ?? "An", user_id: ownerId } });
}

export function membership(p: Person, status: "kicked" | "member") {
  return {
    update_id: nextUpdateId(),
    my_chat_member: {
      chat: privateChat(p),
      from: from(p),
      date: 1_700_000_000,
      old_chat_member: {
        status: status === "kicked" ? "member" : "kicked",
        user: { id: 999_000, is_bot: true, first_name: "Chung Tay" },
      },
      new_chat_member: { status, user: { id: 999_000, is_bot: true, first_name: "Chung Tay" } },
    },
  };
}

export function group(p: Person, body: string, groupId = -100_123) {
  return message(p, { text: body }, { id: groupId, type: "supergroup", title: "Công đoàn" });
}
