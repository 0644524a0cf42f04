import { describe, expect, it } from 'vitest';
import { InMemoryStore } from './memory-store.js';
import type { TurnRecord } from './types.js';

const turn = (seq: number, session = 's'): TurnRecord => ({
  id: `${session}/t${seq}`,
  session,
  seq,
  role: 'user',
  content: `turn ${seq}`,
  at: seq,
  tokens: 2,
  pending: [],
});

describe('InMemoryStore', () => {
  it('lands a batch whole or not at all, and copies records in and out', async () => {
    const store = new InMemoryStore();
    await store.write([
      { kind: 'turn', put: turn(1) },
      { kind: 'turn', put: turn(0) },
    ]);
    await expect(
      store.write([
        { kind: 'turn', put: turn(2) },
        { kind: 'turn', put: { ...turn(3), id: '' } },
      ]),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const listed = await store.list('turn', 's');
    expect(listed.map((t) => t.seq)).toEqual([0, 1]);
    listed[0]!.content = 'changed';
    expect((await store.get('turn', 's/t0'))?.content).toBe('turn 0');
  });

  it('lists by session, deletes, clears a session, and refuses calls after close', async () => {
    const store = new InMemoryStore();
    await store.write([
      { kind: 'turn', put: turn(0, 'a') },
      { kind: 'turn', put: turn(0, 'b') },
    ]);
    await store.write([{ kind: 'meta', put: { id: 'embedder', value: 'x' } }]);
    expect(await store.list('turn', 'a')).toHaveLength(1);
    await store.write([{ kind: 'turn', delete: 'a/t0' }]);
    expect(await store.list('turn', 'a')).toHaveLength(0);
    await store.clear('b');
    expect(await store.list('turn')).toHaveLength(0);
    expect(await store.list('meta')).toHaveLength(1);
    await store.close();
    await expect(store.list('turn')).rejects.toMatchObject({ code: 'DESTROYED' });
  });

  it('counts turns per session, and clears a session record with its session', async () => {
    const store = new InMemoryStore();
    await store.write([
      { kind: 'turn', put: turn(3, 'a') },
      { kind: 'turn', put: turn(1, 'a') },
      { kind: 'turn', put: turn(0, 'b') },
      { kind: 'session', put: { id: 'a', session: 'a', title: 'A', at: 9 } },
    ]);
    expect(await store.sessionStats()).toEqual([
      { session: 'a', turns: 2, firstAt: 1, lastAt: 3 },
      { session: 'b', turns: 1, firstAt: 0, lastAt: 0 },
    ]);
    await store.clear('a');
    expect(await store.list('session')).toEqual([]);
    expect(await store.sessionStats()).toEqual([{ session: 'b', turns: 1, firstAt: 0, lastAt: 0 }]);
  });
});
