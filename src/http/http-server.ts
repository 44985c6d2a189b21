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
  private server?: Server;

  constructor(private readonly log: Logger) {}

  route(method: string, path: string, handler: Handler): this {
    this.routes.set(`${method} ${path}`, handler);
    return this;
  }

  async listen(port: number, host: string): Promise<number> {
    this.server = createServer((req, res) => {
      void this.dispatch(req).then((out) => {
        const body = out.body === undefined ? "" : typeof out.body === "string" || Buffer.isBuffer(out.body) ? out.body : JSON.stringify(out.body);
        const type = out.body !== undefined && typeof out.body === "object" && !Buffer.isBuffer(out.body) ? { "content-type": "application/json; charset=utf-8" } : {};
        res.writeHead(out.status, { ...type, ...out.headers });
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
    const handler = this.routes.get(`${req.method} ${url.pathname}`);
    if (!handler) return { status: 404, body: { error: "not found" } };
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req);
    } catch {
      return { status: 413, body: { error: "request body too large" } };
    }
    try {
      return await handler({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, rawBody });
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
