import type { Logger } from "pino";
import { metrics } from "../metrics/metrics.ts";
import { errorInfo } from "./error-info.ts";

/**
 * The process-level last resort: an exception or rejection that escaped every request's and
 * job's own boundary is logged and the process keeps serving. Each such line is a bug to fix;
 * stopping would turn one bad request into an outage for every donor.
 */
export function installLastResort(log: Logger): void {
  process.on("uncaughtException", (err, origin) => {
    metrics.errors.inc({ kind: "uncaught" });
    log.fatal(
      { err: errorInfo(err), origin, kind: "uncaught" },
      "process: uncaught exception (kept serving)",
    );
  });
  process.on("unhandledRejection", (reason) => {
    metrics.errors.inc({ kind: "unhandled_rejection" });
    log.fatal(
      { err: errorInfo(reason), kind: "unhandled-rejection" },
      "process: unhandled rejection (kept serving)",
    );
  });
}
