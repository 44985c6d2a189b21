/** What the bot says, channel-neutral; each adapter renders it natively. */
export interface Reply {
  text: string;
  /** Buttons whose payloads come back as Inbound.payload. */
  buttons?: Array<{ label: string; payload: string }>;
  /** Links opened by the client: https:, sms: (SMS donation), tel:. */
  links?: Array<{ label: string; url: string }>;
  /** Offer the platform's "share my phone number" control where one exists. */
  requestContact?: { label: string };
}
