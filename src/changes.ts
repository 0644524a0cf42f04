/**
 * Change events of a memory: after a session's stored changes land (here or in another tab),
 * its listeners hear of it once per session per tick, so that a UI re-renders a burst of
 * background work once, and always after the last change.
 */

/** What `memory.onChange` listeners receive. */
export interface MemoryChange {
  /** The session whose stored memory changed. */
  session: string;
  /** `'local'`: this memory wrote it; `'remote'`: another tab did and it was applied here. */
  source: 'local' | 'remote';
}

/** A change listener. */
export type ChangeListener = (change: MemoryChange) => void;

/**
 * Listeners and the changes waiting to be told. Changes are gathered and told on the next
 * macrotask: one event per session, with the source of its latest change.
 *
 * @example
 * const feed = new ChangeFeed();
 * const stop = feed.listen(({ session }) => render(session));
 * feed.note('chat-42', 'local'); // told once, on the next tick
 */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private readonly waiting = new Map<string, MemoryChange['source']>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Adds a listener; returns its unsubscribe (idempotent). */
  listen(listener: ChangeListener): () => void {
    // Wrapped, so that one function added twice is two subscriptions, each removed by its own.
    const entry: ChangeListener = (change) => listener(change);
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  /** Records that a session changed; its listeners hear of it on the next tick. */
  note(session: string, source: MemoryChange['source']): void {
    if (!this.listeners.size) return;
    this.waiting.delete(session); // re-inserted: sessions are told in the order of last change
    this.waiting.set(session, source);
    this.timer ??= setTimeout(() => this.flush(), 0);
  }

  /**
   * Tells every waiting change now. A listener that throws or rejects is skipped for that
   * change: the memory and the other listeners go on.
   */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const changes = [...this.waiting].map(([session, source]) => ({ session, source }));
    this.waiting.clear();
    for (const change of changes) {
      for (const listener of [...this.listeners]) {
        try {
          const result: unknown = listener({ ...change });
          if (result instanceof Promise) result.catch(() => undefined);
        } catch {
          // A listener's failure is its own: memory events are not a place to surface it.
        }
      }
    }
  }

  /** Drops waiting changes and every listener (the memory closed). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting.clear();
    this.listeners.clear();
  }
}
