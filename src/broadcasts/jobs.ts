/** Up to BROADCAST_BATCH_SIZE recipients of one broadcast on one channel: the unit of work. */
export interface Batch {
  id: string;
  broadcastId: string;
  channel: string;
  recipients: Array<{ userId: string; lang: string }>;
}

/** A batch either finished (every recipient has an outcome, or the broadcast was cancelled) or waits. */
/** `retryInMs` is real time (the app clock may be a test clock): the batch wakes and checks again. */
export type BatchResult = { done: true } | { retryInMs: number };

export interface JobHandlers {
  /** Queues a broadcast's audience as batches (resumable from its cursor). */
  expand(broadcastId: string): Promise<void>;
  batch(batch: Batch): Promise<BatchResult>;
  /** Finds and sends due pledge reminders. */
  sweep(): Promise<void>;
  /** Sends staff the day's digest (once a day, at STAFF_DIGEST_AT). */
  digest(): Promise<void>;
}

/**
 * Where broadcast work waits and who runs it: BullMQ in Redis (shared by every process, kept
 * across restarts) or, in embedded mode, timers and in-process queues.
 */
export interface BroadcastJobs {
  /** Starts the workers and the reminder sweep. */
  start(handlers: JobHandlers): Promise<void>;
  /** Runs expand for the broadcast after `ms` of real time (it checks the start time itself). */
  expandIn(broadcastId: string, ms: number): Promise<void>;
  enqueue(batches: Batch[]): Promise<void>;
  close(): Promise<void>;
}
