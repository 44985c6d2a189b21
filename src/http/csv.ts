/**
 * CSV for spreadsheets (RFC 4180: quoted when needed, CRLF rows), with a UTF-8 byte-order mark
 * so Excel shows Vietnamese letters, and a leading apostrophe on cells that start like a formula
 * (= + - @), so a name typed into the bot cannot run in a staff member's spreadsheet. A cell with
 * a semicolon is quoted too: Vietnamese Excel splits on ";", and "An;=cmd" would start a new cell
 * with a formula.
 */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>): string {
  return `\uFEFF${rows.map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`;
}

function cell(value: string | number | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "number") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",;\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
