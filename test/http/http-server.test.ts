import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { HttpServer } from "../../src/http/http-server.ts";
import { buildServer } from "../../src/server.ts";
import { rawRequest } from "../support/raw-http.ts";
import { testApp } from "../support/test-app.ts";

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

/** The whole app's routes (admin on), as main.ts serves them. */
async function serveApp(): Promise<number> {
  const app = await testApp({ env: { ADMIN_TOKEN: "a-long-enough-admin-token-for-tests" } });
  const http = buildServer(app);
  const port = await http.listen(0, "127.0.0.1");
  running.push(http, app);
  return port;
}

async function healthy(port: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return res.status === 200;
}

describe("no request stops the HTTP server", () => {
  it("answers 400 to a bad percent-escape in an admin path, and keeps serving", async () => {
    const port = await serveApp();
    const res = await fetch(`http://127.0.0.1:${port}/admin/api/broadcasts/%E0%A4%A`, {
      headers: { authorization: "Bearer a-long-enough-admin-token-for-tests" },
    });
    expect(res.status).toBe(400);
    expect(await healthy(port)).toBe(true);
  });

  it.each([
    "GET //[ HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET //[::1 HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET \u0000 HTTP/1.1\r\nHost: x\r\n\r\n",
    "GARBAGE\r\n\r\n",
    "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
  ])("answers a 4xx to the raw request %j, and keeps serving", async (line) => {
    const port = await serveApp();
    const answer = await rawRequest(port, line);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(await healthy(port)).toBe(true);
  });

  it("reads an absolute-form target by its path", async () => {
    const port = await serveApp();
    expect((await rawRequest(port, "GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n")).status).toBe(200);
    expect((await rawRequest(port, "GET http://x/healthz?a=%zz HTTP/1.1\r\nHost: x\r\n\r\n")).status).toBe(
      200,
    );
    expect((await rawRequest(port, "GET ftp://x/ HTTP/1.1\r\nHost: x\r\n\r\n")).status).toBe(400);
  });

  it("sends 413 before closing when the declared body is too large", async () => {
    const port = await serveApp();
    const answer = await rawRequest(
      port,
      "POST /webchat/messages HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 10000000\r\n\r\n{",
    );
    expect(answer.status).toBe(413);
    expect(await healthy(port)).toBe(true);
  });

  it("sends 413 when a chunked body grows too large", async () => {
    const port = await serveApp();
    const chunk = "x".repeat(64 * 1024);
    const body = Array.from({ length: 6 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join("");
    const answer = await rawRequest(
      port,
      `POST /webchat/messages HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\n${body}`,
    );
    expect(answer.status).toBe(413);
    expect(await healthy(port)).toBe(true);
  });

  it("answers 408 to a body shorter than its Content-Length once the body timeout passes", async () => {
    const http = new HttpServer(pino({ level: "silent" }), { bodyTimeoutMs: 300 });
    http.route("POST", "/echo", (req) => ({ status: 200, body: { bytes: req.rawBody.length } }));
    http.route("GET", "/healthz", () => ({ status: 200 }));
    const port = await http.listen(0, "127.0.0.1");
    running.push(http);
    const answer = await rawRequest(
      port,
      "POST /echo HTTP/1.1\r\nHost: x\r\ncontent-length: 100\r\n\r\nshort",
      10_000,
    );
    expect(answer.status).toBe(408);
    expect(answer.ms).toBeLessThan(5_000);
    expect(await healthy(port)).toBe(true);
  });

  it("turns a handler that throws, or a body that cannot be written, into a 500", async () => {
    const http = new HttpServer(pino({ level: "silent" }));
    http.route("GET", "/throws", () => {
      throw new Error("boom");
    });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    http.route("GET", "/circular", () => ({ status: 200, body: circular }));
    http.route("GET", "/healthz", () => ({ status: 200 }));
    const port = await http.listen(0, "127.0.0.1");
    running.push(http);
    expect((await fetch(`http://127.0.0.1:${port}/throws`)).status).toBe(500);
    expect((await fetch(`http://127.0.0.1:${port}/circular`)).status).toBe(500);
    expect(await healthy(port)).toBe(true);
  });
});
