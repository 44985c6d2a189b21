import { hash as digest, timingSafeEqual } from "node:crypto";

/**
 * A secret a caller must present (webhook secret tokens, the admin Bearer token). Both sides
 * are hashed first so the comparison is constant-time whatever the lengths.
 */
export class SharedSecret {
  private readonly digest: Buffer;

  constructor(secret: string) {
    this.digest = hash(secret);
  }

  matches(given: unknown): boolean {
    return typeof given === "string" && timingSafeEqual(hash(given), this.digest);
  }
}

/** One-shot hashing (Node ≥ 20.12): no Hash object per webhook request. */
function hash(text: string): Buffer {
  return digest("sha256", text, "buffer");
}
