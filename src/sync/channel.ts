/**
 * Multi-tab coordination of one memory: a Web Lock per memory around every write, so that two
 * tabs never interleave a read-check-write, and a BroadcastChannel on which each tab announces
 * what it committed, so that the others update their index and caches without a reload.
 */

/**
 * One committed change, as announced to other tabs (ids only: they read the records). Kind
 * `'clear'` says that a whole session was deleted; its `id` is the session's.
 */
export interface Announced {
  kind: 'turn' | 'summary' | 'anchor' | 'vector' | 'meta' | 'session' | 'clear';
  id: string;
  deleted: boolean;
}

/** A message on the channel. */
interface Message {
  from: string;
  changes: Announced[];
}

/**
 * The channel and lock of one memory name in this tab.
 *
 * @example
 * const sync = new TabSync('chat');
 * sync.listen((changes) => refresh(changes));
 * await sync.exclusive(() => writeBatch());
 */
export class TabSync {
  /** This tab's id, so that it ignores its own announcements. */
  readonly tab = Math.random().toString(36).slice(2);
  private channel: BroadcastChannel | undefined;

  constructor(readonly name: string) {
    if (typeof BroadcastChannel !== 'undefined')
      this.channel = new BroadcastChannel(`memkeeper:${name}`);
  }

  /** Runs `work` holding this memory's Web Lock (just runs it where Web Locks are missing). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
    if (!locks) return work();
    return locks.request(`memkeeper:${this.name}`, { mode: 'exclusive' }, work) as Promise<T>;
  }

  /** Tells the other tabs what was committed. */
  announce(changes: Announced[]): void {
    if (changes.length) this.channel?.postMessage({ from: this.tab, changes } satisfies Message);
  }

  /** Calls `apply` with every other tab's committed changes. */
  listen(apply: (changes: Announced[]) => void): void {
    if (!this.channel) return;
    this.channel.onmessage = (event: MessageEvent<Message>) => {
      if (event.data?.from !== this.tab) apply(event.data.changes);
    };
  }

  /** Closes the channel; idempotent. */
  close(): void {
    this.channel?.close();
    this.channel = undefined;
  }
}
