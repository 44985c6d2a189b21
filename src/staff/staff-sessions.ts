import { createHash, randomBytes } from "node:crypto";
import type { Language } from "../engine/locales.ts";
import type { KeyValueStore } from "../records/key-value-store.ts";
import type { StaffRole } from "./staff-accounts.ts";

export interface StaffSession {
  name: string;
  role: StaffRole;
  lang: Language;
  /** Sent back by the console with every change (X-CSRF-Token): a page on another site cannot know it. */
  csrf: string;
  expiresAt: string;
  /** Which password the session was opened with: a reset password ends older sessions. */
  credential: string;
}

/** A short digest of an account's password hash: changes whenever the password does. */
export function credentialOf(account: { passwordHash: string }): string {
  return createHash("sha256").update(account.passwordHash).digest("base64url").slice(0, 16);
}

/** A console session lasts a working day; logging in again starts a new one. */
export const SESSION_TTL_MS = 12 * 3_600_000;

/**
 * Console sessions in the key-value store (Redis in production). The cookie holds a random id;
 * the store holds only its hash, so a copy of the store cannot be replayed as a cookie.
 */
export class StaffSessions {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly now: () => Date,
  ) {}

  private key(id: string): string {
    return `staff:session:${createHash("sha256").update(id).digest("hex")}`;
  }

  async open(who: {
    name: string;
    role: StaffRole;
    lang: Language;
    passwordHash: string;
  }): Promise<{ id: string; session: StaffSession }> {
    const id = randomBytes(32).toString("base64url");
    const session: StaffSession = {
      name: who.name,
      role: who.role,
      lang: who.lang,
      credential: credentialOf(who),
      csrf: randomBytes(24).toString("base64url"),
      expiresAt: new Date(this.now().getTime() + SESSION_TTL_MS).toISOString(),
    };
    await this.kv.setFor(this.key(id), JSON.stringify(session), SESSION_TTL_MS);
    return { id, session };
  }

  async find(id: string | undefined): Promise<StaffSession | null> {
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    const text = await this.kv.get(this.key(id));
    if (!text) return null;
    const session = JSON.parse(text) as StaffSession;
    return session.expiresAt > this.now().toISOString() ? session : null;
  }

  async close(id: string | undefined): Promise<void> {
    if (id) await this.kv.delete(this.key(id));
  }
}

/** Failed logins allowed per name, and in all, within the window before logins wait. */
export const LOGIN_LIMITS = { perName: 5, overall: 50, windowMs: 15 * 60_000 };

/**
 * Slows password guessing: after 5 wrong passwords for one name (or 50 in all, against many
 * names) within 15 minutes, logins wait until the window ends. Counted in the key-value store,
 * so every process shares the count.
 */
export class LoginLimiter {
  constructor(private readonly kv: KeyValueStore) {}

  private keys(name: string): [string, string] {
    return [`staff:login-failed:${name.trim().toLowerCase()}`, "staff:login-failed:*"];
  }

  async blocked(name: string): Promise<boolean> {
    const [one, all] = this.keys(name);
    const [n, total] = await Promise.all([this.kv.get(one), this.kv.get(all)]);
    return Number(n ?? 0) >= LOGIN_LIMITS.perName || Number(total ?? 0) >= LOGIN_LIMITS.overall;
  }

  async failed(name: string): Promise<void> {
    const [one, all] = this.keys(name);
    await Promise.all([
      this.kv.increment(one, LOGIN_LIMITS.windowMs),
      this.kv.increment(all, LOGIN_LIMITS.windowMs),
    ]);
  }

  async succeeded(name: string): Promise<void> {
    await this.kv.delete(this.keys(name)[0]);
  }
}
