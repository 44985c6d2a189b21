import { parsePhoneNumberFromString } from "libphonenumber-js/max";

/**
 * Validates a Vietnamese phone number ("0912 345 678", "+84 912 345 678", "84912345678") and
 * returns it in E.164 form, or null when it is not a valid Vietnamese number.
 */
export function parseVietnamesePhone(input: string): string | null {
  const cleaned = input.replace(/[^\d+]/g, "");
  if (cleaned.length < 9 || cleaned.length > 15) return null;
  const phone = parsePhoneNumberFromString(cleaned, "VN");
  if (!phone || phone.country !== "VN" || !phone.isValid()) return null;
  return phone.number;
}

/** A stored number as people write it at home ("+84912345678" → "0912 345 678"); anything else as it is. */
export function nationalPhone(value: string): string {
  const phone = parsePhoneNumberFromString(value, "VN");
  return phone?.isValid() ? phone.formatNational() : value;
}

/** A phone number safe to show or log: "+8491*****78". */
export function maskPhone(e164: string): string {
  if (e164.length <= 6) return "*".repeat(e164.length);
  return e164.slice(0, 5) + "*".repeat(e164.length - 7) + e164.slice(-2);
}
