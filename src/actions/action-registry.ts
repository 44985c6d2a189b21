import type { Action, ActionName } from "../engine/action.ts";
import type { Records } from "../records/ports.ts";
import type { StaffAlerts } from "../staff/staff-alerts.ts";
import { attribution, forgetMe, handoff, myData, subscribe, unsubscribe } from "./account-actions.ts";
import {
  beginPledge,
  findOwnPledge,
  listPledges,
  paymentAccounts,
  recordConsent,
  savePledge,
  setOwnPledgeStatus,
} from "./pledge-actions.ts";
import { pledgeProgress } from "./progress-actions.ts";
import { smsPlanAction } from "./sms-actions.ts";
import { methodState } from "./method-actions.ts";

/** The action registry flows call into, bound to the record stores. */
export function createActions(records: Records, alerts?: StaffAlerts): Record<ActionName, Action> {
  return {
    begin_pledge: beginPledge,
    save_pledge: savePledge(records),
    list_pledges: listPledges(records),
    pledge_progress: pledgeProgress(records),
    record_consent: recordConsent(records),
    forget_me: forgetMe(records),
    my_data: myData(records),
    subscribe: subscribe(records),
    unsubscribe: unsubscribe(records),
    handoff: handoff(records, alerts),
    sms_plan: smsPlanAction,
    method_state: methodState,
    attribution,
    payment_accounts: paymentAccounts,
    find_own_pledge: findOwnPledge(records),
    set_own_pledge_status: setOwnPledgeStatus(records),
  };
}
