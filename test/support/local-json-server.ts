import { createServer, type IncomingHttpHeaders } from "node:http";

export interface LocalRequest {
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
}

export interface LocalServer {
  root: string;
  stop(): Promise<void>;
}

/** A loopback HTTP server for fake platform APIs: each request's body is read whole, answered with JSON. */
export async function startLocalJsonServer(
  answer: (req: LocalRequest) => Promise<{ status: number; body: object }> | { status: number; body: object },
): Promise<LocalServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const { status, body } = await answer({
        url: req.url ?? "",
        headers: req.headers,
        raw: Buffer.concat(chunks).toString("utf8"),
      });
      if (res.destroyed) return; // the client gave up (a long poll stopped)
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    root: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
