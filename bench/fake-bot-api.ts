/**
 * A minimal local Bot API for the benchmarks: every method succeeds. GET /count tells
 * sendMessage calls; GET /stats also gives each sendMessage's arrival time (ms) and how many
 * chats got more than one message; POST /reset clears them. Env: PORT.
 */
import { createServer } from "node:http";

let messageId = 0;
let sendMessage = 0;
let times: number[] = [];
let perChat = new Map<string, number>();

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    if (req.url === "/healthz") return res.end("{}");
    if (req.url === "/count") return res.end(JSON.stringify({ sendMessage }));
    if (req.url === "/stats")
      return res.end(
        JSON.stringify({
          sendMessage,
          chats: perChat.size,
          duplicates: [...perChat.values()].filter((n) => n > 1).length,
          times,
        }),
      );
    if (req.url === "/reset") {
      [sendMessage, times, perChat] = [0, [], new Map()];
      return res.end("{}");
    }
    if (req.url?.endsWith("/sendMessage")) {
      sendMessage++;
      times.push(performance.timeOrigin + performance.now());
      const chat = /"chat_id":"?(-?\d+)/.exec(Buffer.concat(chunks).toString("utf8"))?.[1] ?? "?";
      perChat.set(chat, (perChat.get(chat) ?? 0) + 1);
    }
    res.end(
      JSON.stringify({
        ok: true,
        result: { message_id: ++messageId, date: 1_700_000_000, chat: { id: 1, type: "private" }, text: "" },
      }),
    );
  });
}).listen(Number(process.env.PORT), "127.0.0.1");
