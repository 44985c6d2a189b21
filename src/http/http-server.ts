import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import { randomUUID } from "node:crypto";
import { errorInfo } from "../log/error-info.ts";
import { metrics } from "../metrics/metrics.ts";

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** The exact bytes received: webhook signatures are computed over them. */
  rawBody: Buffer;
  /** Values of the route's :name segments. */
  params: Record<string, string>;
  /** The peer's address (rate limits). */
  ip: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
}

export type Handler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

export interface HttpLimits {
  /** Largest request body accepted; a larger one gets 413 and the connection is closed. */
  maxBodyBytes: number;
  /** Time to receive the whole body once the headers are in; after it, 408. */
  bodyTimeoutMs: number;
  /** Time to receive the request headers (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** Time to receive the whole request (Node's requestTimeout). */
  requestTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 256 * 1024,
  bodyTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

/** A response the request itself earned (bad URL, body too large or too slow). */
class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One small HTTP server for every route (web chat, webhooks, health, admin). Handlers get the
 * raw body and return a response. Everything a request can make go wrong (its URL, its path's
 * escapes, its body's size or pace, the handler) ends as a 4xx or a logged 500 for that request:
 * no request can stop the process.
 */
export class HttpServer {
  private readonly routes = new Map<string, Handler>();
  private readonly patterns: Array<{ method: string; re: RegExp; names: string[]; handler: Handler }> = [];
  private server?: Server;
  private readonly limits: HttpLimits;

  constructor(
    private readonly log: Logger,
    limits: Partial<HttpLimits> = {},
  ) {
    this.limits = { ...DEFAULT_HTTP_LIMITS, ...limits };
  }

  /** A route; `:name` segments (e.g. /admin/api/broadcasts/:id) match one path segment each. */
  route(method: string, path: string, handler: Handler): this {
    if (!path.includes("/:")) {
      this.routes.set(`${method} ${path}`, handler);
      return this;
    }
    const names: string[] = [];
    const re = new RegExp(
      `^${path.replace(/\/:([a-z]+)/gi, (_, name: string) => (names.push(name), "/([^/]+)"))}$`,
    );
    this.patterns.push({ method, re, names, handler });
    return this;
  }

  private match(method: string, path: string): { handler: Handler; params: Record<string, string> } | null {
    const exact = this.routes.get(`${method} ${path}`);
    if (exact) return { handler: exact, params: {} };
    for (const p of this.patterns) {
      const m = p.method === method ? p.re.exec(path) : null;
      if (m)
        return {
          handler: p.handler,
          params: Object.fromEntries(p.names.map((n, i) => [n, decode(m[i + 1]!)])),
        };
    }
    return null;
  }

  async listen(port: number, host: string): Promise<number> {
    const server = createServer(
      {
        headersTimeout: this.limits.headersTimeoutMs,
        requestTimeout: this.limits.requestTimeoutMs,
        // Node checks the two timeouts above on this interval (30 s by default).
        connectionsCheckingInterval: Math.min(1000, this.limits.headersTimeoutMs),
      },
      (req, res) => this.serve(req, res),
    );
    // A request line or header Node cannot parse: answer 400 (or what fits) and close.
    server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable || socket.destroyed) return void socket.destroy();
      const status =
        err.code === "HPE_HEADER_OVERFLOW"
          ? "431 Request Header Fields Too Large"
          : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
            ? "408 Request Timeout"
            : "400 Bad Request";
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      socket.destroySoon();
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    return typeof address === "object" && address ? address.port : port;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** The error boundary of one request: whatever happens inside, one response goes out. */
  private serve(req: IncomingMessage, res: ServerResponse): void {
    req.on("error", () => undefined);
    res.on("error", () => undefined);
    this.dispatch(req)
      .catch((err: unknown) => this.failure(req, err))
      .then((out) => {
        try {
          send(res, out);
        } catch (err) {
          // A body that cannot be serialised (a cycle, a BigInt): the handler's fault, a 500.
          send(res, this.internalError(err, `${req.method}`, "http: response failed"));
        }
      })
      .catch(() => res.destroy());
  }

  private failure(req: IncomingMessage, err: unknown): HttpResponse {
    if (err instanceof RequestError) {
      metrics.errors.inc({ kind: "http_4xx_parse" });
      const out: HttpResponse = { status: err.status, body: { error: err.message } };
      // The rest of a refused body is not read: close the connection once the answer is out.
      if (err.status === 413 || err.status === 408) out.headers = { connection: "close" };
      return out;
    }
    return this.internalError(err, `${req.method}`, "http: request failed");
  }

  /** A 500 whose body carries the correlation id of its one structured log line. */
  private internalError(err: unknown, route: string, message: string): HttpResponse {
    const correlationId = randomUUID();
    metrics.errors.inc({ kind: "http_5xx" });
    this.log.error(
      { err: errorInfo(err), kind: "http_5xx", correlationId, route: route.slice(0, 200) },
      message,
    );
    return { status: 500, body: { error: "internal error", correlationId } };
  }

  private async dispatch(req: IncomingMessage): Promise<HttpResponse> {
    const method = req.method ?? "GET";
    const { path, query } = parseTarget(req.url ?? "/");
    const found = this.match(method, path);
    if (!found) {
      req.resume();
      return { status: 404, body: { error: "not found" } };
    }
    const rawBody = await readBody(req, this.limits);
    try {
      return await found.handler({
        method,
        path,
        query,
        headers: req.headers,
        rawBody,
        params: found.params,
        ip: req.socket.remoteAddress ?? "",
      });
    } catch (err) {
      return this.internalError(err, `${method} ${path}`, "http: handler failed");
    }
  }
}

/**
 * The request target's path and query, without `new URL` (which throws on targets such as
 * `//[`). Origin-form (`/path?query`) is what clients send; absolute-form is accepted too.
 */
export function parseTarget(target: string): { path: string; query: URLSearchParams } {
  let rest = target;
  if (!rest.startsWith("/")) {
    const m = /^https?:\/\/[^/?#]*(.*)$/i.exec(rest);
    if (!m) throw new RequestError(400, "bad request target");
    rest = m[1] || "/";
    if (!rest.startsWith("/")) rest = `/${rest}`;
  }
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf("?");
  const path = q >= 0 ? rest.slice(0, q) : rest;
  return { path, query: new URLSearchParams(q >= 0 ? rest.slice(q + 1) : "") };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RequestError(400, "bad percent-escape in path");
  }
}

function send(res: ServerResponse, out: HttpResponse): void {
  if (res.headersSent || res.destroyed) return;
  const body =
    out.body === undefined
      ? ""
      : typeof out.body === "string" || Buffer.isBuffer(out.body)
        ? out.body
        : JSON.stringify(out.body);
  const type =
    out.body !== undefined && typeof out.body === "object" && !Buffer.isBuffer(out.body)
      ? { "content-type": "application/json; charset=utf-8" }
      : {};
  // A known length avoids chunked encoding: headers and body leave in one socket write.
  const length =
    out.status === 204 || out.status === 304 ? {} : { "content-length": Buffer.byteLength(body) };
  res.writeHead(out.status, { ...type, ...length, ...out.headers });
  res.end(body);
  if (out.headers?.connection === "close") res.once("finish", () => res.socket?.destroySoon());
}

/** The body, refused early by its Content-Length, or when it grows too large or arrives too slowly. */
function readBody(req: IncomingMessage, limits: HttpLimits): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limits.maxBodyBytes) {
    req.pause();
    return Promise.reject(new RequestError(413, "request body too large"));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: RequestError) => {
      clearTimeout(timer);
      req.removeAllListeners("data");
      req.pause();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new RequestError(408, "request body too slow")),
      limits.bodyTimeoutMs,
    );
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBodyBytes) fail(new RequestError(413, "request body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on("error", () => fail(new RequestError(400, "request body broken off")));
    req.on("aborted", () => fail(new RequestError(400, "request body broken off")));
  });
}
