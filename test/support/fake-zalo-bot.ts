import { createServer, type Server } from "node:http";

/**
 * A local Zalo Bot API (`/bot<TOKEN>/<method>`): checks the token, JSON bodies, chat_id and text
 * of 1–2,000 characters for sendMessage, the action for sendChatAction, an https url and secret
 * for setWebhook; records every call.
 */
export class FakeZaloBot {
  readonly calls: Array<{ method: string; body: any; ok: boolean }> = [];
  private server?: Server;
  root = "";

  constructor(readonly token: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
        let body: any = null;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          // checked below
        }
        const problem = !m ? "Not Found" : m[1] !== this.token ? "Unauthorized" : body === null ? "Bad Request: invalid JSON" : validate(m[2]!, body);
        this.calls.push({ method: m?.[2] ?? "?", body, ok: !problem });
        res.writeHead(problem ? 400 : 200, { "content-type": "application/json" });
        res.end(JSON.stringify(problem ? { ok: false, error_code: 400, description: problem } : { ok: true, result: { message_id: `z${this.calls.length}` } }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    this.root = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  texts(chatId: string): string[] {
    return this.calls.filter((c) => c.ok && c.method === "sendMessage" && c.body.chat_id === chatId).map((c) => c.body.text);
  }
}

function validate(method: string, b: any): string | null {
  switch (method) {
    case "sendMessage":
      if (!b.chat_id) return "chat_id is required";
      if (typeof b.text !== "string" || b.text.length === 0 || [...b.text].length > 2000) return "text must be 1-2000 characters";
      return null;
    case "sendChatAction":
      return b.chat_id && b.action === "typing" ? null : "chat_id and action=typing are required";
    case "setWebhook":
      return /^https:\/\//.test(b.url ?? "") && typeof b.secret_token === "string" && b.secret_token.length >= 8 ? null : "an https url and a secret_token are required";
    default:
      return null;
  }
}
