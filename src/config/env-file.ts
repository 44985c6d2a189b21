/**
 * Reads ./.env (copied from .env.example) into process.env if it exists. Variables already set in
 * the environment win, as with Node's --env-file. Done in code rather than with that flag so an
 * old Node still reaches the version check with a clear message instead of "bad option".
 */
export function loadEnvFile(path = ".env"): void {
  try {
    process.loadEnvFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT")
      throw new Error(`${path}: ${(err as Error).message}`);
  }
}
