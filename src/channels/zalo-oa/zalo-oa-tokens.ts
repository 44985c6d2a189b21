import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { KeyValueStore } from "../../records/key-value-store.ts";

export interface ZaloTokenPair {
  accessToken: string;
  refreshToken: string;
  /** ms since epoch; refreshed a few minutes before. */
  expiresAt: number;
}

const KEY = "zalo-oa:tokens";
const LOCK = "zalo-oa:refresh-lock";
const EARLY_MS = 5 * 60_000;

/**
 * The OA's access and refresh tokens. The refresh token is single-use, so a refresh saves the
 * new pair before anything else, and only one process refreshes at a time (a lock in the shared
 * store); the others wait for the pair it saves.
 */
export class ZaloOaTokens {
  private inFlight: Promise<string> | null = null;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly seed: { accessToken: string; refreshToken: string },
    private readonly oauth: { root: string; appId: string; appSecret: string },
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private async pair(): Promise<ZaloTokenPair> {
    const json = await this.kv.get(KEY);
    // Until a refresh happens, the configured pair is current (its expiry is unknown: ~25 h).
    return json ? (JSON.parse(json) as ZaloTokenPair) : { ...this.seed, expiresAt: Number.POSITIVE_INFINITY };
  }

  /** A usable access token, refreshed first when it expires within five minutes. */
  async accessToken(): Promise<string> {
    const pair = await this.pair();
    if (pair.expiresAt - this.now() > EARLY_MS) return pair.accessToken;
    return this.refresh(pair.accessToken);
  }

  /** Refreshes unless someone already replaced `stale`; returns the current access token. */
  refresh(stale: string): Promise<string> {
    this.inFlight ??= this.refreshOnce(stale).finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async refreshOnce(stale: string): Promise<string> {
    const owner = randomUUID();
    for (let waited = 0; !(await this.kv.claim(LOCK, owner, 15_000)); waited += 100) {
      if (waited > 15_000) throw new Error("zalo-oa tokens: another process holds the refresh lock too long");
      await new Promise((r) => setTimeout(r, 100));
      const pair = await this.pair();
      if (pair.accessToken !== stale) return pair.accessToken;
    }
    try {
      const current = await this.pair();
      if (current.accessToken !== stale) return current.accessToken;
      const res = await fetch(`${this.oauth.root}/v4/oa/access_token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", secret_key: this.oauth.appSecret },
        body: new URLSearchParams({
          refresh_token: current.refreshToken,
          app_id: this.oauth.appId,
          grant_type: "refresh_token",
        }),
      });
      const body = (await res.json()) as {
        access_token?: string;
        refresh_token?: string;
        expires_in?: string | number;
        error?: number;
        message?: string;
      };
      if (!res.ok || !body.access_token || !body.refresh_token)
        throw new Error(
          `zalo-oa tokens: refresh refused (${res.status}, error ${body.error ?? "?"}: ${body.message ?? ""})`,
        );
      const next: ZaloTokenPair = {
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        expiresAt: this.now() + Number(body.expires_in ?? 90_000) * 1000,
      };
      await this.kv.set(KEY, JSON.stringify(next)); // saved before the old pair is gone for good
      this.log.info("zalo-oa: access token refreshed");
      return next.accessToken;
    } finally {
      await this.kv.release(LOCK, owner);
    }
  }
}
