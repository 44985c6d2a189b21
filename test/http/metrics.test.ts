import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { HttpServer } from "../../src/http/http-server.ts";
import { buildServer } from "../../src/server.ts";
import { testApp } from "../support/test-app.ts";

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

/** A sample's value in Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

describe("GET /metrics", () => {
  it("counts turns by outcome, redeliveries, parse errors and store state, with no personal data", async () => {
    const app = await testApp({ env: { ADMIN_TOKEN: "a-long-enough-admin-token-for-tests" } });
    const http = buildServer(app);
    const base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
    running.push(http, app);
    const scrape = async () => {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/plain");
      return res.text();
    };
    const before = await scrape();
    const issued = await fetch(`${base}/webchat/session`, { method: "POST" });
    const { userId } = (await issued.json()) as { userId: string };
    const message = {
      userId,
      messageId: "metrics-msg-1",
      text: "Nguyễn Văn An 0912345678",
    };
    for (let i = 0; i < 2; i++)
      await fetch(`${base}/webchat/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(message),
      });
    await fetch(`${base}/admin/api/broadcasts/%E0%A4%A`);
    const after = await scrape();
    const delta = (name: string, labels: string) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta("chungtay_turns_total", 'channel="webchat",outcome="ok"')).toBe(1);
    expect(delta("chungtay_turns_total", 'channel="webchat",outcome="duplicate"')).toBe(1);
    expect(delta("chungtay_errors_total", 'kind="http_4xx_parse"')).toBe(1);
    expect(sample(after, "chungtay_store_up", 'store="sessions"')).toBe(1);
    expect(after).toContain("chungtay_session_store_seconds_bucket");
    expect(after).not.toMatch(/0912345678|Nguyễn/);
    expect(after).not.toContain(userId);
  });

  it("logs one structured line per failure, with the correlation id the response carries", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: "error" }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const http = new HttpServer(log);
    http.route("GET", "/boom", () => {
      throw new Error("boom");
    });
    const port = await http.listen(0, "127.0.0.1");
    running.push(http);
    const res = await fetch(`http://127.0.0.1:${port}/boom`);
    const body = (await res.json()) as { correlationId: string };
    expect(res.status).toBe(500);
    expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      kind: "http_5xx",
      correlationId: body.correlationId,
      route: "GET /boom",
    });
  });
});
