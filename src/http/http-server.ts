import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Logger } from "pino";
import { errorInfo } from "../log/error-info.ts";

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** The exact bytes received: webhook signatures are computed over them. */
  rawBody: Buffer;
  /** Values of the route's :name segments. */
  params: Record<string, string>;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
}

export type Handler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

const MAX_BODY_BYTES = 256 * 1024;

/**
 * One small HTTP server for every route (web chat, webhooks, health, admin). Handlers get the
 * raw body and return a response; an exception becomes a 500 that is logged, never a crash.
 */
export class HttpServer {
  private readonly routes = new Map<string, Handler>();
  private readonly patterns: Array<{ method: string; re: RegExp; names: string[]; handler: Handler }> = [];
  private server?: Server;

  constructor(private readonly log: Logger) {}

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
          params: Object.fromEntries(p.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])),
        };
    }
    return null;
  }

  async listen(port: number, host: string): Promise<number> {
    this.server = createServer((req, res) => {
      void this.dispatch(req).then((out) => {
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
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address();
    return typeof address === "object" && address ? address.port : port;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async dispatch(req: IncomingMessage): Promise<HttpResponse> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const found = this.match(req.method ?? "GET", url.pathname);
    if (!found) return { status: 404, body: { error: "not found" } };
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req);
    } catch {
      return { status: 413, body: { error: "request body too large" } };
    }
    try {
      return await found.handler({
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        params: found.params,
      });
    } catch (err) {
      this.log.error({ err: errorInfo(err), route: `${req.method} ${url.pathname}` }, "http: handler failed");
      return { status: 500, body: { error: "internal error" } };
    }
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("body too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
