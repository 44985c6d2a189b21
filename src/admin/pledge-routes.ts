import { z } from "zod";
import type { App } from "../app.ts";
import { toCsv } from "../http/csv.ts";
import type { HttpServer } from "../http/http-server.ts";
import { validated } from "../http/validated.ts";
import { parseVietnamesePhone } from "../engine/phone.ts";
import { PLEDGE_METHODS, PLEDGE_STATUSES, type Pledge } from "../records/pledge.ts";
import type { PledgeCursor, PledgeFilter } from "../records/pledge-list.ts";
import { vietnamDayStart, vietnamMinute } from "../time/vietnam-time.ts";
import { refusal, type Guard } from "./staff-guard.ts";

/** A CSV export reads pages of this size, up to EXPORT_MAX rows; the rest is one `before` away. */
const EXPORT_PAGE = 1_000;
const EXPORT_MAX = 50_000;

const listOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(",").map((v) => v.trim()))
    .pipe(z.array(z.enum(values)).min(1));

const listQuery = z
  .object({
    status: listOf(PLEDGE_STATUSES).optional(),
    method: listOf(PLEDGE_METHODS).optional(),
    organisation: z.string().trim().min(1).max(200).optional(),
    ward: z.string().trim().min(1).max(200).optional(),
    // A donor on the phone: "0912 345 678" or "+84912345678" finds their pledges.
    phone: z
      .string()
      .transform(
        (p, ctx) =>
          parseVietnamesePhone(p) ??
          (ctx.addIssue({ code: "custom", message: "not a Vietnamese phone number" }), z.NEVER),
      )
      .optional(),
    since: z.iso.date().optional(),
    until: z.iso.date().optional(),
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
    before: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,200}$/, "a cursor from a previous page's `next`")
      .optional(),
    format: z.enum(["json", "csv"]).default("json"),
  })
  .strict();

/** The fields staff follow a pledge up with; name and phone exist only when the donor consented. */
const COLUMNS = [
  "reference",
  "createdAt",
  "amount",
  "method",
  "status",
  "channel",
  "organisation",
  "ward",
  "name",
  "phone",
  "reminders",
] as const;

/**
 * GET /admin/api/pledges: the pledges staff follow up (call a donor who consented, see who has
 * not paid, find a caller's pledges by phone), newest first, filtered by status, method,
 * organisation, phone and dates (Vietnam days);
 * a page as JSON with the cursor of the next, or a CSV export for a spreadsheet. Every read is
 * in the audit log, as it shows personal data.
 */
export function mountPledgeRoutes(http: HttpServer, app: App, guard: Guard): void {
  http.route(
    "GET",
    "/admin/api/pledges",
    guard("viewer", async (req, who) => {
      const q = validated(Object.fromEntries(req.query), listQuery, "query", who.lang);
      if (!q.ok) return q.response;
      // An export takes every matching donor's contact at once: organisers and admins only.
      if (q.data.format === "csv" && who.role === "viewer")
        return refusal(app, 403, "role", who.lang, {
          role: app.engine.text("console.role.organiser", who.lang),
        });
      const before = q.data.before ? cursorFrom(q.data.before) : undefined;
      if (q.data.before && !before) return refusal(app, 400, "bad_cursor", who.lang);
      const filter: PledgeFilter = {
        statuses: q.data.status,
        methods: q.data.method,
        organisation: q.data.organisation,
        ward: q.data.ward,
        phone: q.data.phone,
        since: vietnamDayStart(q.data.since),
        until: vietnamDayStart(q.data.until),
      };

      const csv = q.data.format === "csv";
      const pledges: Pledge[] = [];
      let more = false;
      for (let cursor = before; ;) {
        const limit = csv ? Math.min(EXPORT_PAGE, EXPORT_MAX - pledges.length) : q.data.limit;
        // One more than asked tells whether a next page exists.
        const page = await app.records.pledges.list(filter, { before: cursor, limit: limit + 1 });
        pledges.push(...page.slice(0, limit));
        more = page.length > limit;
        if (!csv || !more || pledges.length >= EXPORT_MAX) break;
        cursor = cursorOf(pledges[pledges.length - 1]!);
      }
      const next = more ? cursorText(cursorOf(pledges[pledges.length - 1]!)) : undefined;
      const { format, limit, phone, ...shown } = q.data;
      // The audit says a phone was looked up, not the number.
      await app.records.audit.record({
        actor: who.actor,
        action: "pledges.view",
        details: {
          ...shown,
          ...(phone ? { phone: `…${phone.slice(-3)}` } : {}),
          format,
          count: pledges.length,
        },
        at: app.now().toISOString(),
      });

      if (!csv) return { status: 200, body: { pledges: pledges.map(staffView), ...(next ? { next } : {}) } };
      // Times in Vietnam, phones as dialled at home (0912…): what staff type and read.
      const rows = pledges.map((p) =>
        COLUMNS.map(
          (c) =>
            ({
              ...staffView(p),
              createdAt: vietnamMinute(p.createdAt),
              phone: p.phone?.replace(/^\+84/, "0"),
            })[c],
        ),
      );
      return {
        status: 200,
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="pledges-${app.now().toISOString().slice(0, 10)}.csv"`,
          ...(next ? { "x-next-before": next } : {}),
        },
        body: toCsv([[...COLUMNS], ...rows]),
      };
    }),
  );
}

function staffView(p: Pledge): Record<(typeof COLUMNS)[number], string | number | undefined> {
  return {
    reference: p.reference,
    createdAt: p.createdAt,
    amount: p.amount,
    method: p.method,
    status: p.status,
    channel: p.channel,
    organisation: p.organisation,
    ward: p.ward,
    name: p.name,
    phone: p.phone,
    reminders: p.remindersSent ?? 0, // sent ones only, not those skipped
  };
}

const cursorOf = (p: Pledge): PledgeCursor => ({ createdAt: p.createdAt, id: p.id });
const cursorText = (c: PledgeCursor) => Buffer.from(`${c.createdAt}|${c.id}`).toString("base64url");

function cursorFrom(text: string): PledgeCursor | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\|([0-9a-f]{32})$/.exec(
    Buffer.from(text, "base64url").toString("utf8"),
  );
  return m ? { createdAt: m[1]!, id: m[2]! } : undefined;
}
