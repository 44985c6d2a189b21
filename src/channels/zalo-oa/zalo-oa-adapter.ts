import type { Activity, ResourceResponse, TurnContext } from "botbuilder-core";
import { activitiesToReplies } from "../reply-activity.ts";
import { SendOnlyAdapter } from "../send-only-adapter.ts";
import type { ZaloOaClient } from "./zalo-oa-client.ts";
import { renderForZalo } from "./zalo-oa-render.ts";

export const ZALO_OA_CHANNEL = "zalo-oa";

/**
 * Zalo Official Account as a Bot Framework adapter: platform events come in as Activities run
 * through the middleware pipeline (processActivity), outgoing Activities become OA
 * customer-service messages (sendActivities), and continueConversation runs proactive logic.
 */
export class ZaloOaAdapter extends SendOnlyAdapter {
  constructor(private readonly client: ZaloOaClient) {
    super(ZALO_OA_CHANNEL);
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const userId = context.activity.from?.id ?? context.activity.conversation?.id;
    if (!userId) throw new Error("zalo-oa adapter: no recipient on the turn's activity");
    let outcome = "sent";
    // One render for the whole batch, so consecutive replies merge into fewer Zalo messages.
    for (const message of renderForZalo(activitiesToReplies(activities))) {
      outcome = await this.client.send(userId, message);
      if (outcome !== "sent" && outcome !== "failed") break; // the user cannot be reached now
    }
    // botbuilder writes responses[i].id onto activities[i]: exactly one response per activity,
    // however many Zalo messages the render made (more would throw after the send).
    return activities.map(() => ({ id: outcome }));
  }
}
