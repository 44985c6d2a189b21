import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import type { Language } from "../engine/locales.ts";
import type { KeyValueStore } from "../records/key-value-store.ts";

/** What each role may do: a viewer reads, an organiser acts on pledges, requests and broadcasts, an admin also reads the audit log. */
export const STAFF_ROLES = ["viewer", "organiser", "admin"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export function roleAllows(role: StaffRole, needed: StaffRole): boolean {
  return STAFF_ROLES.indexOf(role) >= STAFF_ROLES.indexOf(needed);
}

/** A staff name: what the audit log shows, so a person's own name rather than "admin". */
export const staffName = z
  .string()
  .trim()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._@-]{1,63}$/u, "2 to 64 letters, digits, spaces or . _ @ -");
export const staffPassword = z.string().min(12, "at least 12 characters").max(200);

export interface StaffAccount {
  name: string;
  role: StaffRole;
  /** The language the console and refusals use for this person unless they switch. */
  lang: Language;
  /** Argon2id, with its parameters and salt (PHC string). */
  passwordHash: string;
  createdAt: string;
  createdBy: string;
}

const accountSchema = z.object({
  name: z.string(),
  role: z.enum(STAFF_ROLES),
  lang: z.enum(["vi", "en"]),
  passwordHash: z.string().startsWith("$argon2id$"),
  createdAt: z.string(),
  createdBy: z.string(),
});

// Verified against when the name is unknown, so a wrong name takes as long as a wrong password
// (made at the first login, not when the bot starts).
let nobody: Promise<string> | undefined;
const NOBODY = () => (nobody ??= hash("no such staff member, only here to spend the same time"));

/**
 * Staff accounts in the key-value store (Redis in production, so every process sees the same
 * staff). Names are matched case-insensitively; passwords are kept only as argon2id hashes.
 */
export class StaffAccounts {
  constructor(private readonly kv: KeyValueStore) {}

  private key(name: string): string {
    return `staff:account:${name.trim().toLowerCase()}`;
  }

  async get(name: string): Promise<StaffAccount | null> {
    const text = await this.kv.get(this.key(name));
    if (!text) return null;
    const parsed = accountSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`staff accounts: the record of "${name}" is not an account`);
    return parsed.data;
  }

  /** Creates or replaces an account (a new password, a new role). */
  async put(
    input: { name: string; role: StaffRole; lang: Language; password: string },
    createdBy: string,
    now: Date,
  ): Promise<StaffAccount> {
    const account: StaffAccount = {
      name: staffName.parse(input.name),
      role: input.role,
      lang: input.lang,
      passwordHash: await hash(staffPassword.parse(input.password)),
      createdAt: now.toISOString(),
      createdBy,
    };
    await this.kv.set(this.key(account.name), JSON.stringify(account));
    return account;
  }

  /** The account when the password is right; null otherwise (same time either way). */
  async check(name: string, password: string): Promise<StaffAccount | null> {
    const account = await this.get(name);
    const ok = await verify(account?.passwordHash ?? (await NOBODY()), password).catch(() => false);
    return account && ok ? account : null;
  }
}
