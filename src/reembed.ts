/**
 * Re-embedding every stored session after the embedder changed, with progress: the sessions
 * are opened (which queues the vectors they lack), what they lack is counted, and progress
 * follows the vectors as the background work puts them into the index.
 */
import type { ProgressEvent } from './embed/embedder.js';
import type { SessionState } from './session-state.js';
import { unindexed } from './session-view.js';
import type { VectorIndex } from './vectors/vector-index.js';

/** What re-embedding needs from the memory. */
export interface ReembedTarget {
  /** Ids of every stored session. */
  sessions: readonly string[];
  /** Opens a session and resolves once it is loaded (its missing vectors queued). */
  open(session: string): Promise<SessionState>;
  /** Resolves once a session's background work is done; rejects with its first failure. */
  settled(session: string): Promise<void>;
  index: VectorIndex;
  /** Calls `seen` with the ids of vectors as they go into the index; returns its undo. */
  watch(seen: (ids: readonly string[]) => void): () => void;
}

/**
 * Re-embeds every session of `target` that lacks vectors, telling `onProgress`
 * `{ kind: 'reembed', done, total, progress }`: `done` never goes back, and the last event
 * has `progress: 1` (one event with `total: 0` when nothing was missing).
 *
 * @example
 * await reembedSessions(target, (e) => e.kind === 'reembed' && bar.set(e.progress), signal);
 */
export async function reembedSessions(
  target: ReembedTarget,
  onProgress?: (event: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const missing = new Set<string>();
  let total = 0;
  let told = -1;
  let counting = true;
  const tell = () => {
    const done = total - missing.size;
    if (counting || done <= told) return;
    told = done;
    onProgress?.({ kind: 'reembed', done, total, progress: total ? done / total : 1 });
  };
  const unwatch = target.watch((ids) => {
    for (const id of ids) missing.delete(id);
    tell();
  });
  try {
    // Counted as each session loads, before any of its queued work can run (that waits for a
    // later task): what is done meanwhile in sessions loaded earlier is counted as done.
    for (const session of target.sessions) {
      signal?.throwIfAborted();
      const state = await target.open(session);
      for (const id of unindexed(state, target.index)) {
        if (!missing.has(id)) total++;
        missing.add(id);
      }
    }
    counting = false;
    tell();
    await abortable(Promise.all(target.sessions.map((s) => target.settled(s))), signal);
    missing.clear(); // what is still missing was forgotten meanwhile: nothing left to do
    tell();
  } finally {
    unwatch();
  }
}

function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
