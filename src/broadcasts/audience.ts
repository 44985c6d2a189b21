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
