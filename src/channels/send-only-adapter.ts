import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
} from "botbuilder-core";

/**
 * What a Bot Framework adapter for a send-only platform shares: inbound activities run through
 * the middleware, continueConversation runs proactive logic, and messages cannot be edited or
 * deleted. Subclasses implement sendActivities.
 */
export abstract class SendOnlyAdapter extends BotAdapter {
  constructor(private readonly channelName: string) {
    super();
  }

  /** Runs one inbound activity through the middleware and the bot logic. */
  async processActivity(
    activity: Partial<Activity>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  async updateActivity(): Promise<void> {
    throw new Error(`${this.channelName} adapter: messages cannot be edited`);
  }

  async deleteActivity(): Promise<void> {
    throw new Error(`${this.channelName} adapter: messages cannot be deleted`);
  }

  /** Proactive messages (broadcasts, reminders, staff replies). */
  async continueConversation(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const activity = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: "continueConversation" },
      reference,
      true,
    );
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}
