import { MemoryError } from './errors.js';

/** Work after observe(), most urgent first: vectors make a turn findable, then anchors. */
export const PRIORITY = { embed: 0, extract: 1, summarize: 2, sweep: 3 } as const;

/** The kind of a background job. */
export type JobKind = keyof typeof PRIORITY;

interface Job {
  kind: JobKind;
  session: string;
  run: () => Promise<void>;
  /** Set when its session was discarded while it ran: its failure is not kept. */
  discarded?: boolean;
}

/** A FIFO with a moving head, so that taking from a long queue costs O(1). */
class Fifo {
  private items: (Job | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(job: Job): void {
    this.items.push(job);
  }

  take(): Job | undefined {
    const job = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return job;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  /** Drops the queued jobs that match; returns how many. */
  drop(match: (job: Job) => boolean): number {
    const kept = this.items.slice(this.head).filter((job) => job && !match(job));
    const dropped = this.size - kept.length;
    this.items = kept;
    this.head = 0;
    return dropped;
  }
}

/** How long one slice of background work may hold the thread before yielding. */
const SLICE_MS = 8;

/**
 * The background queue: derived work (extraction, summarization, embedding) runs here by
 * priority, in slices that yield to the event loop, so recall() never waits behind it.
 *
 * @example
 * queue.add('embed', 'chat-42', () => embedTurn(turn));
 * await queue.idle('chat-42'); // throws the first failure since the last idle()
 */
export class BackgroundQueue {
  private readonly fifos = Object.values(PRIORITY).map(() => new Fifo());
  private readonly counts = new Map<string, number>();
  private total = 0;
  private readonly failed = new Map<string, { job: Job; error: MemoryError }[]>();
  private readonly waiters = new Set<() => void>();
  private scheduled = false;
  private stopped = false;
  private running: Job | undefined;

  /** Jobs queued or running for a session (all sessions when omitted). */
  pending(session?: string): number {
    return session === undefined ? this.total : (this.counts.get(session) ?? 0);
  }

  /** Queues a job. */
  add(kind: JobKind, session: string, run: () => Promise<void>): void {
    if (this.stopped) return;
    this.enqueue({ kind, session, run });
    this.schedule();
  }

  /**
   * Resolves when the session has no job left; rejects with the first failure since the last
   * call, and queues the failed jobs again for the next try (nothing observed is dropped).
   */
  async idle(session: string): Promise<void> {
    while (this.pending(session) > 0 && !this.stopped) {
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
    const failures = this.failed.get(session);
    if (!failures?.length) return;
    this.failed.delete(session);
    for (const { job } of failures) this.enqueue(job);
    this.schedule();
    throw failures[0]!.error;
  }

  /**
   * Forgets a session's work: its queued jobs are dropped, its failures cleared, and a job of
   * it now running keeps no failure. For a deleted session, so that one started anew under the
   * same id inherits nothing.
   *
   * @example
   * queue.discard('chat-42');
   */
  discard(session: string): void {
    this.failed.delete(session);
    if (this.running?.session === session) this.running.discarded = true;
    let dropped = 0;
    for (const fifo of this.fifos) dropped += fifo.drop((job) => job.session === session);
    if (!dropped) return;
    const left = (this.counts.get(session) ?? dropped) - dropped;
    if (left > 0) this.counts.set(session, left);
    else this.counts.delete(session);
    this.total -= dropped;
    this.wake();
  }

  /** Stops running jobs; queued ones are dropped (stored turns keep their pending marks). */
  stop(): void {
    this.stopped = true;
    for (const fifo of this.fifos) fifo.clear();
    this.counts.clear();
    this.total = 0;
    this.wake();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setTimeout(() => void this.slice(), 0);
  }

  private async slice(): Promise<void> {
    const start = performance.now();
    let job: Job | undefined;
    while (!this.stopped && performance.now() - start < SLICE_MS && (job = this.next())) {
      this.running = job;
      try {
        await job.run();
      } catch (error) {
        if (!job.discarded) this.fail(job, error);
      }
      this.running = undefined;
      this.done(job);
    }
    this.scheduled = false;
    this.wake();
    if (this.total > 0) this.schedule();
  }

  private enqueue(job: Job): void {
    this.fifos[PRIORITY[job.kind]]!.push(job);
    this.counts.set(job.session, (this.counts.get(job.session) ?? 0) + 1);
    this.total++;
  }

  /** The most urgent job, first come first served within a priority; it stays counted. */
  private next(): Job | undefined {
    for (const fifo of this.fifos) if (fifo.size > 0) return fifo.take();
    return undefined;
  }

  private done(job: Job): void {
    if (this.stopped) return;
    const left = (this.counts.get(job.session) ?? 1) - 1;
    if (left > 0) this.counts.set(job.session, left);
    else this.counts.delete(job.session);
    this.total--;
  }

  private fail(job: Job, error: unknown): void {
    if (this.stopped) return;
    const wrapped =
      error instanceof MemoryError
        ? error
        : new MemoryError('BACKGROUND_FAILED', `${job.kind} failed: ${describe(error)}`, {
            cause: error,
          });
    const list = this.failed.get(job.session) ?? [];
    list.push({ job, error: wrapped });
    this.failed.set(job.session, list);
  }

  private wake(): void {
    for (const resolve of [...this.waiters]) resolve();
    this.waiters.clear();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
