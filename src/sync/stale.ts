/**
 * The engine's answer to `STALE_VERSION`: wait a moment, re-read what the refused write was
 * based on, then run it again on the fresh records; never merge blindly, never retry forever.
 */
import { MemoryError } from '../errors.js';

/** Tries of a write refused as stale before it is given up (each after a fresh read). */
export const STALE_ATTEMPTS = 16;

/** True for a write refused because another one (maybe in another tab) got there first. */
export function isStale(error: unknown): boolean {
  return error instanceof MemoryError && error.code === 'STALE_VERSION';
}

/** How long a refused write may wait before its next try (a random moment up to it). */
export type StaleBackoff = (attempt: number) => number;

/** The default: doubling with each try, at most 60 ms (under a second over 16 tries). */
const DOUBLING: StaleBackoff = (attempt) => Math.min(2 ** attempt, 60);

/**
 * Runs `write`; when it is refused with `STALE_VERSION`, waits a random moment up to
 * `backoff(attempt)` ms, growing with each try (two tabs in step would otherwise collide again
 * at once), runs `refresh` (re-reads what the write was based on) and runs `write` again; at
 * most `attempts` times in all.
 *
 * @example
 * await retryStale(() => writeReinforced(ids), () => state.refreshAnchors());
 */
export async function retryStale<T>(
  write: () => Promise<T>,
  refresh: () => Promise<void>,
  attempts = STALE_ATTEMPTS,
  backoff: StaleBackoff = DOUBLING,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isStale(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * backoff(attempt)));
      await refresh();
    }
  }
}
