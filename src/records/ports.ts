import type { NewPledge, Pledge, PledgeStatus } from "./pledge.ts";

/** Pledges. `create` is idempotent on idempotencyKey; references are unique. */
export interface PledgeRepository {
  create(input: NewPledge): Promise<{ pledge: Pledge; created: boolean }>;
  listByUser(userKey: string): Promise<Pledge[]>;
  findByReference(reference: string): Promise<Pledge | null>;
  setStatus(reference: string, status: PledgeStatus): Promise<Pledge | null>;
  /** Removes name, phone, organisation and ward from a user's pledges; returns how many changed. */
  erasePersonalData(userKey: string): Promise<number>;
}

export interface Subscriber {
  channel: string;
  userId: string;
  lang: string;
  optedIn: boolean;
  optedAt: string;
  blocked: boolean;
  organisation?: string;
}

/** People who asked for campaign news, per channel. */
export interface SubscriberRepository {
  get(channel: string, userId: string): Promise<Subscriber | null>;
  setOptIn(channel: string, userId: string, optedIn: boolean, lang: string, at: Date): Promise<Subscriber>;
  setBlocked(channel: string, userId: string, blocked: boolean): Promise<void>;
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
}

/** Requests to talk to campaign staff. */
export interface HandoffRepository {
  request(input: Omit<HandoffRequest, "id">): Promise<HandoffRequest>;
  open(): Promise<HandoffRequest[]>;
  forget(userKey: string): Promise<number>;
}

export interface Records {
  pledges: PledgeRepository;
  subscribers: SubscriberRepository;
  consents: ConsentRepository;
  handoffs: HandoffRepository;
}
