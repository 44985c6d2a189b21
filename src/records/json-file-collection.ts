import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The embedded store: documents kept in memory and, when a path is given, written to one JSON
 * file after every change (write to a temp file, then rename, so a crash never leaves half a
 * file). Enough for a local demo or a single small deployment; production uses MongoDB.
 */
export class JsonFileCollection<T> {
  private docs: T[];

  constructor(private readonly path: string | null) {
    this.docs = path ? readDocs<T>(path) : [];
  }

  all(): readonly T[] {
    return this.docs;
  }

  find(predicate: (doc: T) => boolean): T | undefined {
    return this.docs.find(predicate);
  }

  filter(predicate: (doc: T) => boolean): T[] {
    return this.docs.filter(predicate);
  }

  /** Applies a change and persists it before resolving; the change runs synchronously. */
  async mutate<R>(change: (docs: T[]) => R): Promise<R> {
    const result = change(this.docs);
    if (this.path) {
      mkdirSync(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.docs));
      renameSync(tmp, this.path);
    }
    return result;
  }
}

function readDocs<T>(path: string): T[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new Error(`embedded store: cannot read ${path}: ${(err as Error).message}`);
  }
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error(`embedded store: ${path} does not hold a JSON array`);
  return parsed as T[];
}
