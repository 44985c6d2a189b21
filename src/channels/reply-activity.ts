import { ActivityTypes, type Activity } from "botbuilder-core";
import type { Reply } from "../engine/reply.ts";

/** A Reply as a Bot Framework message activity: buttons as imBack suggested actions, links in channelData. */
export function replyToActivity(reply: Reply): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    text: reply.text,
    suggestedActions: reply.buttons?.length
      ? { to: [], actions: reply.buttons.map((b) => ({ type: "imBack", title: b.label, value: b.payload })) }
      : undefined,
    channelData: { links: reply.links, requestContact: reply.requestContact },
  };
}

/** The message activities of a batch, back as Replies for a channel renderer. */
export function activitiesToReplies(activities: Partial<Activity>[]): Reply[] {
  return activities
    .filter((a) => a.type === ActivityTypes.Message || a.type === undefined)
    .map((a) => ({
      text: a.text ?? "",
      buttons: a.suggestedActions?.actions.map((x) => ({
        label: x.title ?? String(x.value),
        payload: String(x.value),
      })),
      links: a.channelData?.links,
      requestContact: a.channelData?.requestContact,
    }));
}
