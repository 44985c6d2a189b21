import { startLocalJsonServer, type LocalServer } from "./local-json-server.ts";

export interface ApiCall {
  method: string;
  body: Record<string, any>;
  at: number;
}

type Failure = { status: number; body: object };

const ALLOWED_TAGS =
  /^<\/?(b|strong|i|em|u|ins|s|strike|del|code|pre|tg-spoiler|blockquote|a(\s+href="[^"]*")?)>/;

/**
 * A local Bot API: records every call and checks requests as Telegram does — the token in the
 * path, required fields, text length after entity parsing, HTML that parses, callback_data of
 * 1–64 bytes, http(s)/tg URL buttons, command names and descriptions. Failures can be queued
 * (429 with retry_after, 403 blocked) to test how the bot copes.
 */
export class FakeTelegram {
  readonly calls: ApiCall[] = [];
  readonly bot = {
    id: 999_000,
    is_bot: true,
    first_name: "Chung Tay",
    username: "chungtay_test_bot",
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
  private readonly failures: Array<{ method: string; failure: Failure }> = [];
  private readonly blocked = new Set<string>();
  private server?: LocalServer;
  private messageId = 0;
  private readonly updates: Array<{ update_id: number }> = [];
  root = "";

  constructor(readonly token: string) {}

  private hold: { method: string; after: number; arrived: () => void; release: Promise<void> } | null = null;

  async start(): Promise<this> {
    this.server = await startLocalJsonServer(async ({ url, raw }) => {
      // getUpdates is a long poll: hold it briefly when nothing is queued.
      if (/\/getUpdates$/.test(url) && this.updates.length === 0)
        await new Promise((r) => setTimeout(r, 200));
      const answer = this.answer(url, raw);
      const h = this.hold;
      if (
        h &&
        url.endsWith(`/${h.method}`) &&
        answer.status === 200 &&
        this.calls.filter((c) => c.method === h.method).length === h.after
      ) {
        // Received and counted (the user has the message), but the answer waits: a worker killed now never learns it went out.
        this.hold = null;
        h.arrived();
        await h.release;
      }
      return answer;
    });
    this.root = this.server.root;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  /** The next call of `method` fails like this. */
  failNext(method: string, failure: Failure): void {
    this.failures.push({ method, failure });
  }

  rateLimitNext(method: string, retryAfter: number): void {
    this.failNext(method, {
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${retryAfter}`,
        parameters: { retry_after: retryAfter },
      },
    });
  }

  /**
   * The `after`-th successful call of `method` is delivered but not answered until `release`
   * resolves; the returned promise resolves when that call has arrived.
   */
  holdCall(method: string, after: number, release: Promise<void>): Promise<void> {
    return new Promise((arrived) => (this.hold = { method, after, arrived, release }));
  }

  /** Queues an update for getUpdates (long polling). */
  queueUpdate(update: { update_id: number }): void {
    this.updates.push(update);
  }

  /** Every later send to this chat answers 403 like a user who blocked the bot. */
  block(chatId: string | number): void {
    this.blocked.add(String(chatId));
  }

  sent(chatId?: string | number): Array<Record<string, any>> {
    return this.calls
      .filter(
        (c) =>
          c.method === "sendMessage" && (chatId === undefined || String(c.body.chat_id) === String(chatId)),
      )
      .map((c) => c.body);
  }

  clear(): void {
    this.calls.length = 0;
  }

  private answer(url: string, raw: string): { status: number; body: object } {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(url);
    if (!m) return bad(404, "Not Found");
    if (m[1] !== this.token) return bad(401, "Unauthorized");
    const method = m[2]!;
    let body: Record<string, any> = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      return bad(400, "Bad Request: invalid JSON");
    }
    this.calls.push({ method, body, at: Date.now() });
    const queued = this.failures.findIndex((f) => f.method === method);
    if (queued >= 0) return this.failures.splice(queued, 1)[0]!.failure;
    const problem = validate(method, body);
    if (problem) return bad(400, `Bad Request: ${problem}`);
    if (method === "sendMessage" && this.blocked.has(String(body.chat_id)))
      return bad(403, "Forbidden: bot was blocked by the user");
    switch (method) {
      case "getMe":
        return ok(this.bot);
      case "getUpdates": {
        // Confirming an offset drops the updates before it, as the real API does.
        const offset = Number(body.offset ?? 0);
        while (this.updates.length && this.updates[0]!.update_id < offset) this.updates.shift();
        return ok(this.updates.slice(0, Number(body.limit ?? 100)));
      }
      case "sendMessage":
        return ok({
          message_id: ++this.messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: body.chat_id, type: "private" },
          text: body.text,
        });
      default:
        return ok(true);
    }
  }
}

function ok(result: unknown) {
  return { status: 200, body: { ok: true, result } };
}

function bad(code: number, description: string) {
  return { status: code, body: { ok: false, error_code: code, description } };
}

/** Telegram's own checks for the methods the bot uses; a string names what is wrong. */
function validate(method: string, b: Record<string, any>): string | null {
  switch (method) {
    case "sendMessage": {
      if (b.chat_id === undefined || b.chat_id === "") return "chat_id is empty";
      if (typeof b.text !== "string" || b.text.length === 0) return "message text is empty";
      const visible = b.parse_mode === "HTML" ? htmlVisibleText(b.text) : b.text;
      if (visible === null) return "can't parse entities: unsupported start tag or unescaped character";
      if ([...visible].length > 4096) return "message is too long";
      return validateMarkup(b.reply_markup);
    }
    case "answerCallbackQuery":
      return typeof b.callback_query_id === "string" && b.callback_query_id ? null : "query_id is empty";
    case "setWebhook":
      if (!/^https:\/\//.test(b.url ?? "")) return "bad webhook: HTTPS url must be provided for webhook";
      if (b.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(b.secret_token))
        return "secret token contains unallowed characters";
      return null;
    case "setMyCommands":
      if (!Array.isArray(b.commands) || b.commands.length > 100)
        return "commands must be an array of at most 100";
      for (const c of b.commands) {
        if (!/^[a-z0-9_]{1,32}$/.test(c.command ?? ""))
          return "command must contain only lowercase English letters, digits and underscores";
        if (typeof c.description !== "string" || c.description.length < 1 || c.description.length > 256)
          return "command description length must be 1-256";
      }
      return null;
    default:
      return null;
  }
}

function validateMarkup(markup: any): string | null {
  if (markup === undefined) return null;
  if (markup.inline_keyboard) {
    for (const row of markup.inline_keyboard) {
      for (const button of row) {
        if (typeof button.text !== "string" || !button.text)
          return "text buttons are unallowed in the inline keyboard";
        if ("callback_data" in button) {
          const bytes = Buffer.byteLength(button.callback_data ?? "");
          if (bytes < 1 || bytes > 64) return "BUTTON_DATA_INVALID";
        } else if ("url" in button) {
          if (!/^(https?|tg):\/\//.test(button.url))
            return "inline keyboard button URL is invalid: wrong HTTP URL";
        } else return "inline keyboard button must have callback_data or url";
      }
    }
    return null;
  }
  if (markup.keyboard)
    return markup.keyboard.every((row: any[]) => row.every((b) => typeof b.text === "string" && b.text))
      ? null
      : "keyboard button text is empty";
  if (markup.remove_keyboard === true) return null;
  return "reply markup is invalid";
}

/** The text a user sees after HTML parsing, or null if Telegram would refuse to parse it. */
function htmlVisibleText(html: string): string | null {
  let out = "";
  for (let i = 0; i < html.length;) {
    const ch = html[i]!;
    if (ch === "<") {
      const tag = ALLOWED_TAGS.exec(html.slice(i));
      if (!tag) return null;
      i += tag[0].length;
    } else if (ch === "&") {
      const entity = /^&(lt|gt|amp|quot|#\d+);/.exec(html.slice(i));
      if (!entity) return null;
      out += "x";
      i += entity[0].length;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
