/**
 * The engine's answer to `STALE_VERSION`: re-read the records the refused write was based on,
 * then run the update again on them; never merge blindly, never retry forever.
 */
import { MemoryError } from '../errors.js';
import type { MemoryStore } from '../store/types.js';
import type { LongTermTier } from '../tiers/long-term.js';

/** Attempts before a stale write is given up (each after a fresh read). */
const ATTEMPTS = 5;

/**
 * Runs `update` of anchors `ids`; on `STALE_VERSION` (another write, maybe in another tab,
 * got there first) refreshes them from `store` in place and runs it again.
 *
 * @example
 * await onFresh(store, long, [id], () => writePin(id));
 */
export async function onFresh<T>(
  store: MemoryStore,
  long: LongTermTier,
  ids: readonly string[],
  update: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await update();
    } catch (error) {
      if (!(error instanceof MemoryError && error.code === 'STALE_VERSION') || attempt >= ATTEMPTS)
        throw error;
      for (const id of ids) {
        const [stored, mine] = [await store.get('anchor', id), long.get(id)];
        if (stored && mine) Object.assign(mine, stored);
      }
    }
  }
}
