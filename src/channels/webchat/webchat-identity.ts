import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { KeyValueStore } from "../../records/key-value-store.ts";

/** An issued id: "w", 22 characters of randomness, 22 of signature (base64url). */
export const WEBCHAT_ID = /^w[A-Za-z0-9_-]{44}$/;
const SECRET_KEY = "webchat:signing-secret";
const TEN_YEARS_MS = 10 * 365 * 86_400_000;

/**
 * Web chat user ids are issued by the server and signed, so a client cannot mint ids (each
 * new id is a session kept for days): the number of new ids is capped where they are issued.
 */
export class WebchatIdentity {
  private constructor(private readonly secret: Buffer) {}

  /** With WEBCHAT_SECRET, or a secret made once and shared through the key-value store. */
  static async create(secret: string | undefined, store: KeyValueStore): Promise<WebchatIdentity> {
    if (secret) return new WebchatIdentity(Buffer.from(secret, "utf8"));
    await store.claim(SECRET_KEY, randomBytes(32).toString("base64url"), TEN_YEARS_MS);
    const shared = await store.get(SECRET_KEY);
    if (!shared) throw new Error("webchat identity: the signing secret could not be stored");
    return new WebchatIdentity(Buffer.from(shared, "utf8"));
  }

  issue(): string {
    const id = `w${randomBytes(16).toString("base64url")}`;
    return id + this.sign(id);
  }

  verify(userId: string): boolean {
    if (!WEBCHAT_ID.test(userId)) return false;
    const id = userId.slice(0, 23);
    return timingSafeEqual(Buffer.from(this.sign(id)), Buffer.from(userId.slice(23)));
  }

  private sign(id: string): string {
    return createHmac("sha256", this.secret).update(id).digest().subarray(0, 16).toString("base64url");
  }
}
