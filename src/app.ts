import { resolve } from "node:path";
import type { Logger } from "pino";
import { createActions } from "./actions/action-registry.ts";
import type { BroadcastService } from "./broadcasts/broadcast-service.ts";
import type { ProactiveSender } from "./broadcasts/proactive-sender.ts";
import type { Config } from "./config/config.ts";
import { ACTION_NAMES } from "./engine/action.ts";
import { Engine } from "./engine/engine.ts";
import { loadFlowBundle, type FlowBundle } from "./engine/flow-loader.ts";
import { bundleWarnings } from "./engine/flow-validator.ts";
import type { Setup } from "./engine/setup.ts";
import type { Records } from "./records/ports.ts";
import type { ConversationStore } from "./sessions/conversation-store.ts";
import { createStores, type Stores } from "./stores.ts";
import { errorInfo } from "./log/error-info.ts";
import { TurnProcessor } from "./turns/turn-processor.ts";
import { StaffAlerts } from "./staff/staff-alerts.ts";

export interface App {
  config: Config;
  bundle: FlowBundle;
  records: Records;
  store: ConversationStore;
  stores: Stores;
  engine: Engine;
  turns: TurnProcessor;
  log: Logger;
  /** The clock (controllable in tests). */
  now: () => Date;
  /** Staff broadcasts, once the channels they send through have started (null before). */
  broadcasts: BroadcastService | null;
  /** Proactive senders of the running channels (filled when they start): broadcasts, staff replies. */
  senders: Map<string, ProactiveSender>;
  /** Where staff hear of new "talk to staff" requests (channels subscribe as they start). */
  staffAlerts: StaffAlerts;
  close(): Promise<void>;
}

export interface AppOptions {
  /** A controllable clock for tests (SMS window, timestamps). */
  now?: () => Date;
}

/** Builds the bot from config: flows → stores → engine → turn processor. Waits for no server. */
export async function createApp(config: Config, log: Logger, options: AppOptions = {}): Promise<App> {
  const now = options.now ?? (() => new Date());
  const bundle = loadFlowBundle(
    resolve(config.FLOWS_DIR),
    resolve(config.LOCALES_DIR),
    ACTION_NAMES,
    resolve(config.NLU_DIR),
  );
  const stores = createStores(config, log, bundle.campaign.pledge.reference_prefix, now);
  const { sessions: store, records } = stores;
  const staffAlerts = new StaffAlerts(log);
  for (const warning of bundleWarnings(bundle, now())) log.warn(warning);
  const engine = await Engine.create({
    bundle,
    actions: createActions(records, staffAlerts),
    now,
    setup: setupOf(config),
    onActionError: (where, err) => log.error({ err: errorInfo(err) }, `action failed: ${where}`),
  });
  const turns = new TurnProcessor(engine, store, log, config.DEFAULT_LANGUAGE, now, (lang) =>
    engine.text("common.error", lang),
  );
  // Broadcasts and reminders go out in the language the person chose last, not at subscription.
  turns.onLanguageChange = (inbound, lang) =>
    records.subscribers.setLanguage(inbound.channel, inbound.userId, lang);
  return {
    config,
    bundle,
    records,
    store,
    stores,
    engine,
    turns,
    log,
    now,
    broadcasts: null,
    senders: new Map(),
    staffAlerts,
    close: () => stores.close(),
  };
}

/**
 * What the bot may promise: a "talk to staff" request reaches someone only through Telegram staff
 * (a bot token and staff ids) or the admin API (a token); otherwise people reach staff directly.
 */
export function setupOf(config: Config): Setup {
  const telegramStaff = Boolean(config.TELEGRAM_BOT_TOKEN) && config.TELEGRAM_STAFF_IDS.length > 0;
  return { staff: telegramStaff || Boolean(config.ADMIN_TOKEN) ? "here" : "direct" };
}
