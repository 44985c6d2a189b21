/** An error's name, message and stack for the log: never a message text or personal data. */
export function errorInfo(err: unknown): { name: string; message: string; stack?: string } {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: "NonError", message: String(err) };
}
