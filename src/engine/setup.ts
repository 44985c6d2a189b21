/**
 * What this installation can do that the bot tells people, read by copy and conditions as
 * `setup.*`: `staff` is "here" when a staff channel (Telegram staff, the admin API) is
 * configured, so a "talk to staff" request reaches someone, and "direct" when it is not and
 * people must reach staff themselves.
 */
export interface Setup {
  staff: "here" | "direct";
}

/** The setup when nothing says otherwise: no staff channel. */
export const DEFAULT_SETUP: Setup = { staff: "direct" };
