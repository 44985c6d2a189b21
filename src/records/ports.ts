import type { Broadcast, BroadcastStatus } from "../broadcasts/broadcast.ts";
import type { NewPledge, Pledge, PledgeMethod, PledgeStatus } from "./pledge.ts";
import type { PledgeFilter, PledgePage } from "./pledge-list.ts";

/** A store that cannot be reached right now (as opposed to a bad request): callers may fall back. */
export class StoreUnavailableError extends Error {
  constructor(store: string, cause?: unknown) {
    super(`${store}: unavailable${cause instanceof Error ? ` (${cause.message})` : ""}`, { cause });
    this.name = "StoreUnavailableError";
  }
}

export interface TotalsRow {
  count: number;
  amount: number;
}

/** Pledge totals, cancelled pledges excluded. */
export interface PledgeTotals extends TotalsRow {
  byMethod: Partial<Record<PledgeMethod, TotalsRow>>;
  byOrganisation: Array<TotalsRow & { organisation: string }>;
  byWard: Array<TotalsRow & { ward: string }>;
}

/** Pledges. `create` is idempotent on idempotencyKey; references are unique. */
export interface PledgeRepository {
  /**
   * Saves a pledge once per idempotency key. `reference`: the code to try first (the outbox picks
   * it before MongoDB is tried, so a save whose answer was lost keeps one reference either way).
   */
  create(input: NewPledge, reference?: string): Promise<{ pledge: Pledge; created: boolean }>;
  listByUser(userKey: string): Promise<Pledge[]>;
  /** One page of the pledges staff follow up, newest first (pledge-list.ts). */
  list(filter: PledgeFilter, page: PledgePage): Promise<Pledge[]>;
  findByReference(reference: string): Promise<Pledge | null>;
  setStatus(reference: string, status: PledgeStatus): Promise<Pledge | null>;
  /** Removes name, phone, organisation and ward from a user's pledges; returns how many changed. */
  erasePersonalData(userKey: string): Promise<number>;
  /** Count and sum of pledges created in [since, until), by method, organisation and ward. */
  totals(range?: { since?: Date; until?: Date }): Promise<PledgeTotals>;
  /**
   * Unpaid pledges due a reminder: status pledged, fewer than `maxReminders` sent, and the last
   * reminder (or, before the first, the pledge) at or before `quietSince`. Oldest first.
   */
  dueForReminder(quietSince: Date, maxReminders: number, limit: number): Promise<Pledge[]>;
  /**
   * Takes reminder number `sent + 1` for a pledge: true only for the one caller that moves the
   * count from `sent` while the pledge is still unpaid, so a reminder is never sent twice.
   */
  claimReminder(reference: string, sent: number, at: Date): Promise<boolean>;
  /** Counts a reminder that reached the donor (remindersSent); skipped ones are not counted. */
  countReminderSent(reference: string): Promise<void>;
  /** The statuses of each user's pledges (users without pledges are absent), for audiences. */
  statusesByUser(userKeys: string[]): Promise<Map<string, Set<PledgeStatus>>>;
}

export interface Subscriber {
  channel: string;
  userId: string;
  lang: string;
  optedIn: boolean;
  optedAt: string;
  blocked: boolean;
  /** Why messages cannot reach them now (Zalo: outside the messaging window, not following). */
  unreachable?: "outside_window" | "not_following";
  unreachableAt?: string;
  organisation?: string;
}

/** Who a broadcast may reach: opted in, not blocked, reachable; narrowed by these (any of each). */
export interface AudienceFilter {
  channels?: string[];
  langs?: string[];
  organisations?: string[];
}

/** People who asked for campaign news, per channel. */
export interface SubscriberRepository {
  /**
   * One page of the audience, ordered by channel then user id; pass the last one's key
   * (`channel:userId`) as `after` for the next page. Large audiences are read page by page.
   */
  audience(filter: AudienceFilter, page: { after?: string; limit: number }): Promise<Subscriber[]>;
  get(channel: string, userId: string): Promise<Subscriber | null>;
  /** `organisation` (from a deep link or pledge) is kept when given, for audiences by union/organisation. */
  setOptIn(
    channel: string,
    userId: string,
    optedIn: boolean,
    lang: string,
    at: Date,
    organisation?: string,
  ): Promise<Subscriber>;
  setBlocked(channel: string, userId: string, blocked: boolean): Promise<void>;
  /** The language a known subscriber chose last (broadcasts and reminders follow it); nothing for others. */
  setLanguage(channel: string, userId: string, lang: string): Promise<void>;
  /** Marks (or, with null, clears) why a known subscriber cannot be reached now. */
  setUnreachable(
    channel: string,
    userId: string,
    reason: Subscriber["unreachable"] | null,
    at: Date,
  ): Promise<void>;
  /** Deletes the record; true when there was one. */
  forget(channel: string, userId: string): Promise<boolean>;
}

export interface ConsentRecord {
  id: string;
  userKey: string;
  /** What was agreed to, e.g. "pledge_contact". */
  purpose: string;
  /** The locale key and version of the wording the user saw. */
  wordingKey: string;
  wordingVersion: string;
  lang: string;
  grantedAt: string;
  withdrawnAt?: string;
}

/** Verifiable consent: what, which wording, when; withdrawal keeps the record with its date. */
export interface ConsentRepository {
  record(input: Omit<ConsentRecord, "id" | "withdrawnAt">): Promise<ConsentRecord>;
  listByUser(userKey: string): Promise<ConsentRecord[]>;
  withdrawAll(userKey: string, at: Date): Promise<number>;
}

export interface HandoffRequest {
  id: string;
  channel: string;
  conversationId: string;
  userKey: string;
  lang: string;
  requestedAt: string;
  /** What the person wants to ask staff, in their words (a text answer, at most 200 characters), if they said. */
  question?: string;
  /** When staff answered through the bot; answered requests are no longer open. */
  answeredAt?: string;
}

/** Requests to talk to campaign staff. */
export interface HandoffRepository {
  request(input: Omit<HandoffRequest, "id">): Promise<HandoffRequest>;
  /** Unanswered requests, oldest first. */
  open(): Promise<HandoffRequest[]>;
  get(id: string): Promise<HandoffRequest | null>;
  markAnswered(id: string, at: Date): Promise<void>;
  forget(userKey: string): Promise<number>;
}

export interface AuditEntry {
  id: string;
  /** Who did it: "telegram:12345", "admin-api". */
  actor: string;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
  at: string;
}

/** What staff did, and when. */
export interface AuditLog {
  record(entry: Omit<AuditEntry, "id">): Promise<AuditEntry>;
  list(limit: number): Promise<AuditEntry[]>;
}

/** Staff broadcasts. `update` changes one only while it is in one of `ifStatus` (when given). */
export interface BroadcastRepository {
  create(broadcast: Broadcast): Promise<Broadcast>;
  get(id: string): Promise<Broadcast | null>;
  /** Newest first. */
  list(limit: number): Promise<Broadcast[]>;
  update(
    id: string,
    patch: Partial<Omit<Broadcast, "id">>,
    ifStatus?: BroadcastStatus[],
  ): Promise<Broadcast | null>;
}

export interface Records {
  pledges: PledgeRepository;
  broadcasts: BroadcastRepository;
  subscribers: SubscriberRepository;
  consents: ConsentRepository;
  handoffs: HandoffRepository;
  audit: AuditLog;
  /** Reachability of the records store, for /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
