import { describe, expect, it } from 'vitest';
import { createMemory } from './memory.js';
import { manualClock, patternExtract } from '../test/memory-helpers.js';

/** A small seeded generator, so that a failure replays. */
function random(seed: number) {
  return () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const SESSIONS = ['alice', 'bob', 'carol:2', 'dave.x'];
const CITIES = ['Paris', 'Berlin', 'Lisbon', 'Oslo', 'Quito', 'Lima'];

describe('sessions', () => {
  for (const seed of [1, 2, 3]) {
    it(`never show one another's memory, interleaved at random (seed ${seed})`, async () => {
      const next = random(seed);
      const clock = manualClock();
      const memory = await createMemory({
        gpu: 'cpu',
        extract: patternExtract,
        now: clock.now,
        budgets: { windowTokens: 60, summaryEveryTokens: 80 },
      });
      // Every turn carries its session's own marker word, and the same shared words.
      const owner = new Map<string, string>();
      for (let step = 0; step < 240; step++) {
        const session = SESSIONS[Math.floor(next() * SESSIONS.length)]!;
        const city = CITIES[Math.floor(next() * CITIES.length)]!;
        const marker = `mark${session.replace(/\W/g, '')}`;
        const content =
          next() < 0.3
            ? `I live in ${city}. ${marker}`
            : `The shared topic is trains and ${city} ${marker} ${step}.`;
        clock.advance(30_000);
        const turn = await memory.session(session).observe({ role: 'user', content });
        owner.set(turn.id, session);
        if (next() < 0.2) {
          const asker = SESSIONS[Math.floor(next() * SESSIONS.length)]!;
          const recall = await memory
            .session(asker)
            .recall(`where do I live ${city} trains`, { budgetTokens: 400 });
          expectOnly(asker, recall, owner);
        }
      }
      await Promise.all(SESSIONS.map((s) => memory.session(s).settled()));
      for (const session of SESSIONS) {
        for (const query of [
          'where do I live',
          'trains',
          ...CITIES,
          ...SESSIONS.map((s) => `mark${s.replace(/\W/g, '')}`),
        ]) {
          const recall = await memory
            .session(session)
            .recall(query, { budgetTokens: 1500, k: 64, includeSuperseded: true });
          expectOnly(session, recall, owner);
        }
      }
      memory.destroy();
    });
  }
});

function expectOnly(
  session: string,
  recall: { text: string; items: { id: string; sources: string[] }[] },
  owner: Map<string, string>,
) {
  for (const other of SESSIONS.filter((s) => s !== session)) {
    expect(recall.text).not.toContain(`mark${other.replace(/\W/g, '')}`);
  }
  for (const item of recall.items) {
    expect(item.id.startsWith(`${session}/`)).toBe(true);
    for (const source of item.sources) expect(owner.get(source)).toBe(session);
  }
}
