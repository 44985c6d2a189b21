import { connect } from "node:net";

export interface RawAnswer {
  /** The status code of the first response, or null when the server closed without one. */
  status: number | null;
  /** Everything the server sent. */
  text: string;
  /** How the exchange ended: the server closed, or our wait ran out. */
  ended: "closed" | "timeout";
  ms: number;
}

/**
 * Sends bytes as they are on a fresh TCP connection and reads until the server closes it or
 * the wait runs out: the way to send what no HTTP client would (bad request lines, short bodies).
 */
export function rawRequest(port: number, bytes: string | Buffer, waitMs = 5_000): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (ended: RawAnswer["ended"]) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve({ status: status ? Number(status) : null, text, ended, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish("timeout"), waitMs);
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      // One full response with a length is enough: keep-alive would otherwise hold the socket.
      const text = Buffer.concat(chunks).toString("latin1");
      const head = text.indexOf("\r\n\r\n");
      const length = /\r\ncontent-length: (\d+)/i.exec(text)?.[1];
      if (head >= 0 && length !== undefined && text.length >= head + 4 + Number(length)) finish("closed");
    });
    socket.on("error", () => finish("closed"));
    socket.on("close", () => finish("closed"));
    socket.on("connect", () => socket.write(bytes));
  });
}
