import type { Records, Subscriber } from "../records/ports.ts";
import type { BroadcastInput, PledgeAudience } from "./broadcast.ts";

/**
 * A broadcast's audience page by page, in `channel:userId` order: opted in, not blocked,
 * reachable, narrowed by channel, language and organisation in the store, and by pledge status
 * here (one query per page). Yields each page with the key to resume after it.
 */
export async function* audiencePages(
  records: Records,
  audience: BroadcastInput["audience"],
  pageSize: number,
  after?: string,
): AsyncGenerator<{ recipients: Subscriber[]; last: string }> {
  if (audience.recipients) {
    yield* listedPages(records, audience, pageSize, after);
    return;
  }
  for (;;) {
    const page = await records.subscribers.audience(
      { channels: audience.channels, langs: audience.langs, organisations: audience.organisations },
      { after, limit: pageSize },
    );
    if (page.length === 0) return;
    after = `${page[page.length - 1]!.channel}:${page[page.length - 1]!.userId}`;
    const recipients = audience.pledgeStatus
      ? await byPledgeStatus(records, page, audience.pledgeStatus)
      : page;
    yield { recipients, last: after };
    if (page.length < pageSize) return;
  }
}

async function byPledgeStatus(
  records: Records,
  page: Subscriber[],
  wanted: PledgeAudience[],
): Promise<Subscriber[]> {
  const statuses = await records.pledges.statusesByUser(page.map((s) => `${s.channel}:${s.userId}`));
  return page.filter((s) => {
    const mine = statuses.get(`${s.channel}:${s.userId}`);
    return wanted.some((w) =>
      w === "unpaid"
        ? mine?.has("pledged")
        : w === "paid"
          ? mine?.has("paid")
          : !mine || (!mine.has("pledged") && !mine.has("paid")),
    );
  });
}

/** A listed audience, in key order: each person still opted in, not blocked, reachable and in the other filters. */
async function* listedPages(
  records: Records,
  audience: BroadcastInput["audience"],
  pageSize: number,
  after?: string,
): AsyncGenerator<{ recipients: Subscriber[]; last: string }> {
  const keys = [...new Set(audience.recipients)].sort().filter((k) => !after || k > after);
  for (let i = 0; i < keys.length; i += pageSize) {
    const slice = keys.slice(i, i + pageSize);
    const subs = await Promise.all(
      slice.map((k) => {
        const at = k.indexOf(":");
        return records.subscribers.get(k.slice(0, at), k.slice(at + 1));
      }),
    );
    const page = subs.filter(
      (s): s is Subscriber =>
        !!s &&
        s.optedIn &&
        !s.blocked &&
        !s.unreachable &&
        (!audience.channels || audience.channels.includes(s.channel)) &&
        (!audience.langs || audience.langs.includes(s.lang as "vi" | "en")) &&
        (!audience.organisations || (!!s.organisation && audience.organisations.includes(s.organisation))),
    );
    const recipients = audience.pledgeStatus
      ? await byPledgeStatus(records, page, audience.pledgeStatus)
      : page;
    yield { recipients, last: slice[slice.length - 1]! };
  }
}
