import { ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse } from "botbuilder-core";
import { activitiesToReplies } from "../reply-activity.ts";
import type { ZaloOaClient } from "./zalo-oa-client.ts";
import { renderForZalo } from "./zalo-oa-render.ts";

export const ZALO_OA_CHANNEL = "zalo-oa";

/**
 * Zalo Official Account as a Bot Framework adapter: platform events come in as Activities run
 * through the middleware pipeline (processActivity), outgoing Activities become OA
 * customer-service messages (sendActivities), and continueConversation runs proactive logic.
 */
export class ZaloOaAdapter extends BotAdapter {
  constructor(private readonly client: ZaloOaClient) {
    super();
  }

  /** Runs one inbound activity through the middleware and the bot logic. */
  async processActivity(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const context = new TurnContext(this, activity);
    await this.runMiddleware(context, logic);
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const userId = context.activity.from?.id ?? context.activity.conversation?.id;
    if (!userId) throw new Error("zalo-oa adapter: no recipient on the turn's activity");
    const responses: ResourceResponse[] = [];
    // One render for the whole batch, so consecutive replies merge into fewer Zalo messages.
    for (const message of renderForZalo(activitiesToReplies(activities))) {
      const outcome = await this.client.send(userId, message);
      responses.push({ id: outcome });
      if (outcome !== "sent" && outcome !== "failed") break; // the user cannot be reached now
    }
    return responses;
  }

  async updateActivity(): Promise<void> {
    throw new Error("zalo-oa adapter: Zalo OA messages cannot be edited");
  }

  async deleteActivity(): Promise<void> {
    throw new Error("zalo-oa adapter: Zalo OA messages cannot be deleted");
  }

  /** Proactive messages (broadcasts, reminders) to a user the OA may still write to. */
  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: "continueConversation" }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}
