import type { App } from "../app.ts";
import type { HttpServer } from "../http/http-server.ts";
import { startOfVietnamDay, vietnamDay } from "../time/vietnam-time.ts";
import type { Guard } from "./staff-guard.ts";

/** The chart shows this many Vietnam days, today included. */
const CHART_DAYS = 14;
const DAY_MS = 86_400_000;

/**
 * What the console's overview needs in one call: pledges today, this week (from Monday) and to
 * date, by method, organisation and ward, and per day for the chart. The same totals the bot
 * tells donors: pledged amounts (not money received), cancelled pledges left out.
 */
export function mountConsoleApi(http: HttpServer, app: App, guard: Guard): void {
  // What the console's forms offer: the channels running here (audiences, test sends) and quiet hours.
  http.route(
    "GET",
    "/admin/api/console",
    guard("viewer", async () => ({
      status: 200,
      body: {
        channels: [...app.senders.keys()],
        quietHours: app.config.QUIET_HOURS,
        // Messages per second each channel may send (the ceiling; the real rate is shown as it goes).
        rates: {
          telegram: app.config.BROADCAST_RATE_TELEGRAM,
          "zalo-oa": app.config.BROADCAST_RATE_ZALO_OA,
          "zalo-bot": app.config.BROADCAST_RATE_ZALO_BOT,
          webchat: app.config.BROADCAST_RATE_WEBCHAT,
        },
      },
    })),
  );

  // Requests answered lately, newest first: who answered and when (the audit log keeps the answer's
  // outcome, the request keeps the question).
  http.route(
    "GET",
    "/admin/api/handoffs/answered",
    guard("viewer", async () => {
      const replies = (await app.records.audit.list(5_000))
        .filter((e) => e.action === "handoff.reply" && e.details?.outcome === "sent" && e.target)
        .slice(0, 30);
      const answered = await Promise.all(
        replies.map(async (e) => {
          const h = await app.records.handoffs.get(e.target!);
          return h && { ...h, answeredBy: e.actor, answeredAt: e.at };
        }),
      );
      return { status: 200, body: { handoffs: answered.filter((h) => h !== null) } };
    }),
  );

  http.route(
    "GET",
    "/admin/api/overview",
    guard("viewer", async (_req, who) => {
      const now = app.now();
      const today = startOfVietnamDay(now);
      const weekday = (new Date(today.getTime() + 7 * 3_600_000).getUTCDay() + 6) % 7; // Monday = 0
      const week = new Date(today.getTime() - weekday * DAY_MS);
      const days = Array.from(
        { length: CHART_DAYS },
        (_, i) => new Date(today.getTime() - (CHART_DAYS - 1 - i) * DAY_MS),
      );
      const pledges = app.records.pledges;
      const [todayTotals, weekTotals, all, ...perDay] = await Promise.all([
        pledges.totals({ since: today }),
        pledges.totals({ since: week }),
        pledges.totals(),
        ...days.map((since) => pledges.totals({ since, until: new Date(since.getTime() + DAY_MS) })),
      ]);
      await app.records.audit.record({ actor: who.actor, action: "overview.view", at: now.toISOString() });
      return {
        status: 200,
        body: {
          asOf: now.toISOString(),
          today: todayTotals,
          week: { since: vietnamDay(week), ...weekTotals },
          all,
          byDay: days.map((d, i) => ({
            day: vietnamDay(d),
            count: perDay[i]!.count,
            amount: perDay[i]!.amount,
          })),
        },
      };
    }),
  );
}
