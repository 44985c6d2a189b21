import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * The embedded store: documents kept in memory and, when a path is given, written to one JSON
 * file after every change (write to a temp file, flush it to disk, then rename, so a crash or a
 * power cut never leaves half a file). Temp files left by a killed process are removed on load.
 * Enough for a local demo or a single small deployment; production uses MongoDB.
 */
export class JsonFileCollection<T> {
  private docs: T[];

  constructor(private readonly path: string | null) {
    if (path) removeStaleTemps(path);
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
      const fd = openSync(tmp, "w");
      try {
        writeSync(fd, JSON.stringify(this.docs));
        fsyncSync(fd); // the bytes are on disk before the name points at them
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      syncDir(dirname(this.path));
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

/** Temp files of this collection (`<file>.<pid>.tmp`) that a killed process left behind. */
function removeStaleTemps(path: string): void {
  const name = basename(path);
  const stale = (entry: string) =>
    entry.startsWith(`${name}.`) && /^\d+\.tmp$/.test(entry.slice(name.length + 1));
  let entries: string[];
  try {
    entries = readdirSync(dirname(path));
  } catch {
    return; // no folder yet
  }
  for (const entry of entries) if (stale(entry)) rmSync(join(dirname(path), entry), { force: true });
}

/** Flushes the rename itself (the directory entry); best effort where a folder cannot be opened. */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some platforms (Windows) cannot fsync a folder
  }
}
