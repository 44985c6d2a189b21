import { startLocalJsonServer, type LocalServer } from "./local-json-server.ts";

/**
 * A local Zalo Bot API (`/bot<TOKEN>/<method>`): checks the token, JSON bodies, chat_id and text
 * of 1–2,000 characters for sendMessage, the action for sendChatAction, an https url and secret
 * for setWebhook; records every call.
 */
export class FakeZaloBot {
  readonly calls: Array<{ method: string; body: any; ok: boolean }> = [];
  private server?: LocalServer;
  root = "";

  constructor(readonly token: string) {}

  async start(): Promise<this> {
    this.server = await startLocalJsonServer(({ url, raw }) => {
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(url);
      let body: any = null;
      try {
        body = JSON.parse(raw);
      } catch {
        // checked below
      }
      const problem = !m
        ? "Not Found"
        : m[1] !== this.token
          ? "Unauthorized"
          : body === null
            ? "Bad Request: invalid JSON"
            : validate(m[2]!, body);
      this.calls.push({ method: m?.[2] ?? "?", body, ok: !problem });
      return problem
        ? { status: 400, body: { ok: false, error_code: 400, description: problem } }
        : { status: 200, body: { ok: true, result: { message_id: `z${this.calls.length}` } } };
    });
    this.root = this.server.root;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  texts(chatId: string): string[] {
    return this.calls
      .filter((c) => c.ok && c.method === "sendMessage" && c.body.chat_id === chatId)
      .map((c) => c.body.text);
  }
}

function validate(method: string, b: any): string | null {
  switch (method) {
    case "sendMessage":
      if (!b.chat_id) return "chat_id is required";
      if (typeof b.text !== "string" || b.text.length === 0 || [...b.text].length > 2000)
        return "text must be 1-2000 characters";
      return null;
    case "sendChatAction":
      return b.chat_id && b.action === "typing" ? null : "chat_id and action=typing are required";
    case "setWebhook":
      return /^https:\/\//.test(b.url ?? "") &&
        typeof b.secret_token === "string" &&
        b.secret_token.length >= 8
        ? null
        : "an https url and a secret_token are required";
    default:
      return null;
  }
}
