import { startLocalJsonServer, type LocalServer } from "./local-json-server.ts";

export interface ZaloCall {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** The answer's error code (0 = accepted). */
  error?: number;
}

/**
 * Local Zalo OA API and OAuth server. /v3.0/oa/message/cs checks the access_token header and
 * the body as the API documents it (recipient.user_id, text of 1–2,000 characters, template
 * buttons of known types with their payload shapes) and answers HTTP 200 with `error`;
 * /v4/oa/access_token checks the secret_key header and form fields and treats the refresh token
 * as single-use. Tokens can be expired and users put outside the messaging window.
 */
export class FakeZalo {
  readonly calls: ZaloCall[] = [];
  accessToken = "access-token-0";
  refreshToken = "refresh-token-0";
  private generation = 0;
  private readonly outside = new Set<string>();
  private readonly queued: number[] = [];
  private server?: LocalServer;
  root = "";

  constructor(
    readonly appId: string,
    readonly appSecret: string,
  ) {}

  async start(): Promise<this> {
    this.server = await startLocalJsonServer(({ url, headers, raw }) => {
      const body = (headers["content-type"] ?? "").includes("json")
        ? safeJson(raw)
        : Object.fromEntries(new URLSearchParams(raw));
      const answer = this.answer(url, headers, body);
      this.calls.push({ path: url, headers, body, error: (answer.body as { error?: number }).error });
      return answer;
    });
    this.root = this.server.root;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  /** The current access token stops working (error -216), as after ~25 h. */
  expireAccessToken(): void {
    this.accessToken = `expired-${this.accessToken}`;
  }

  /** The next message send answers with this error code (e.g. -32 rate limit, -213 not following). */
  failNextSend(code: number): void {
    this.queued.push(code);
  }

  outsideWindow(userId: string): void {
    this.outside.add(userId);
  }

  /** The user wrote to the OA: a new messaging window opens. */
  reopenWindow(userId: string): void {
    this.outside.delete(userId);
  }

  /** Messages the API accepted, optionally for one user. */
  messages(userId?: string): any[] {
    return this.calls
      .filter(
        (c) =>
          c.path === "/v3.0/oa/message/cs" &&
          c.error === 0 &&
          (userId === undefined || c.body?.recipient?.user_id === userId),
      )
      .map((c) => c.body.message);
  }

  private answer(path: string, headers: ZaloCall["headers"], body: any): { status: number; body: object } {
    if (path === "/v4/oa/access_token") {
      if (headers.secret_key !== this.appSecret)
        return { status: 200, body: { error: -14014, message: "invalid secret key" } };
      if (body.app_id !== this.appId || body.grant_type !== "refresh_token")
        return { status: 200, body: { error: -14002, message: "invalid app id or grant type" } };
      if (body.refresh_token !== this.refreshToken)
        return { status: 200, body: { error: -14020, message: "invalid refresh token (single use)" } };
      this.generation++;
      this.accessToken = `access-token-${this.generation}`;
      this.refreshToken = `refresh-token-${this.generation}`;
      return {
        status: 200,
        body: { access_token: this.accessToken, refresh_token: this.refreshToken, expires_in: "90000" },
      };
    }
    if (path === "/v3.0/oa/message/cs") {
      if (headers.authorization)
        return {
          status: 200,
          body: { error: -124, message: "access_token goes in the access_token header, not Authorization" },
        };
      if (headers.access_token !== this.accessToken)
        return { status: 200, body: { error: -216, message: "Access token is invalid" } };
      const problem = validateMessage(body);
      if (problem) return { status: 200, body: problem };
      const queued = this.queued.shift();
      if (queued !== undefined)
        return { status: 200, body: { error: queued, message: `queued error ${queued}` } };
      if (this.outside.has(body.recipient.user_id))
        return {
          status: 200,
          body: { error: -230, message: "User has not interacted with the OA in the past 7 days" },
        };
      return {
        status: 200,
        body: {
          error: 0,
          message: "Success",
          data: { message_id: `m${this.calls.length}`, user_id: body.recipient.user_id },
        },
      };
    }
    return { status: 404, body: { error: 404, message: "not found" } };
  }
}

function safeJson(raw: string): any {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function validateMessage(body: any): { error: number; message: string } | null {
  if (!body?.recipient?.user_id) return { error: -201, message: "recipient.user_id is required" };
  const m = body.message;
  if (!m || typeof m.text !== "string" || m.text.length === 0)
    return { error: -201, message: "message.text is required" };
  if ([...m.text].length > 2000) return { error: -210, message: "text exceeds 2000 characters" };
  if (m.attachment) {
    if (m.attachment.type !== "template" || !Array.isArray(m.attachment.payload?.buttons))
      return { error: -201, message: "attachment must be a template with buttons" };
    for (const b of m.attachment.payload.buttons) {
      if (typeof b.title !== "string" || !b.title) return { error: -201, message: "button title required" };
      const ok =
        (b.type === "oa.query.show" && typeof b.payload === "string" && b.payload.length > 0) ||
        (b.type === "oa.open.url" && /^https?:\/\//.test(b.payload?.url ?? "")) ||
        (b.type === "oa.open.sms" &&
          typeof b.payload?.phone_code === "string" &&
          typeof b.payload?.content === "string") ||
        (b.type === "oa.open.phone" && typeof b.payload?.phone_code === "string");
      if (!ok) return { error: -201, message: `bad button ${b.type}` };
    }
  }
  return null;
}
