import { z } from "zod";
import type { Language } from "../engine/locales.ts";
import type { HttpRequest, HttpResponse } from "./http-server.ts";

export type Validated<T> = { ok: true; data: T } | { ok: false; response: HttpResponse };

/** zod's own messages per language, for the staff who read them (a schema's custom messages stay as written). */
const LOCALE_ERRORS = { vi: z.locales.vi().localeError, en: z.locales.en().localeError };

/**
 * Checks a value against a schema; a failure is a 400 naming each field and what is wrong, in
 * `lang` when given (staff routes), else in English.
 */
export function validated<T>(
  value: unknown,
  schema: z.ZodType<T>,
  where = "body",
  lang?: Language,
): Validated<T> {
  const result = schema.safeParse(value, lang ? { error: LOCALE_ERRORS[lang] } : undefined);
  if (result.success) return { ok: true, data: result.data };
  return {
    ok: false,
    response: {
      status: 400,
      body: {
        error: result.error.issues.map((i) => `${i.path.join(".") || where}: ${i.message}`).join("; "),
      },
    },
  };
}

/** A request's JSON body checked against a schema; bad JSON or a mismatch is a 400. */
export function validatedJsonBody<T>(req: HttpRequest, schema: z.ZodType<T>): Validated<T> {
  let json: unknown;
  try {
    json = JSON.parse(req.rawBody.toString("utf8"));
  } catch {
    return { ok: false, response: { status: 400, body: { error: "body must be JSON" } } };
  }
  return validated(json, schema);
}
