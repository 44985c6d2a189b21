import { pino, type Logger } from "pino";

/**
 * JSON logs. Message texts, names and phone numbers are never passed to the logger; the
 * redaction below is a second line of defence for fields that might slip in.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ["text", "*.text", "phone", "*.phone", "name", "*.name", "contact", "*.contact"],
      censor: "[redacted]",
    },
  });
}
