import { randomInt } from "node:crypto";

// Crockford-style alphabet: no I, L, O, U, so a code read over the phone is not misheard.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A short pledge reference such as "VNN-7K3M9Q" (30 bits of randomness). */
export function newReferenceCode(prefix: string): string {
  let code = "";
  for (let i = 0; i < 6; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${prefix}-${code}`;
}
