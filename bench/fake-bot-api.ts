/** A minimal local Bot API for the benchmark's telegraf baseline: every method succeeds. Env: PORT. */
import { createServer } from "node:http";

let messageId = 0;
createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(req.url === "/healthz" ? "{}" : JSON.stringify({ ok: true, result: { message_id: ++messageId, date: 1_700_000_000, chat: { id: 1, type: "private" }, text: "" } }));
  });
}).listen(Number(process.env.PORT), "127.0.0.1");
