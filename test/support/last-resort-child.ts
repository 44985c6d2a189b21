// A server with a route whose bug escapes every boundary (a throw in a timer, a rejection
// nobody awaits), for the last-resort test. Prints its port on the first line of stdout.
import { pino } from "pino";
import { HttpServer } from "../../src/http/http-server.ts";
import { installLastResort } from "../../src/log/last-resort.ts";

const log = pino();
installLastResort(log);
const http = new HttpServer(log);
http.route("GET", "/healthz", () => ({ status: 200, body: { ok: true } }));
http.route("GET", "/escape", () => {
  setTimeout(() => {
    throw new Error("escaped a timer");
  }, 0);
  void Promise.reject(new Error("nobody awaited this"));
  return { status: 202 };
});
const port = await http.listen(0, "127.0.0.1");
process.stdout.write(`${port}\n`);
