/** A minimal local Bot API for the benchmark: every method succeeds; GET /count tells sendMessage calls. Env: PORT. */
import { createServer } from "node:http";

let messageId = 0;
let sendMessage = 0;
createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    if (req.url === "/healthz") return res.end("{}");
    if (req.url === "/count") return res.end(JSON.stringify({ sendMessage }));
    if (req.url?.endsWith("/sendMessage")) sendMessage++;
    res.end(JSON.stringify({ ok: true, result: { message_id: ++messageId, date: 1_700_000_000, chat: { id: 1, type: "private" }, text: "" } }));
  });
}).listen(Number(process.env.PORT), "127.0.0.1");
