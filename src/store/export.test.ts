import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createMemory, type MemoryOptions } from '../memory.js';
import { patternExtract } from '../../test/memory-helpers.js';
import { SCHEMA_VERSION } from './schema.js';

const base: MemoryOptions = { gpu: 'cpu', extract: patternExtract, now: () => 1.75e12 };
const fresh = () => `export-${Math.random().toString(36).slice(2)}`;

async function exported() {
  const memory = await createMemory({ ...base, name: fresh() });
  const s = memory.session('chat');
  for (let i = 0; i < 12; i++)
    await s.observe({ role: 'user', content: i === 3 ? 'I live in Lyon.' : `Note ${i} on soup.` });
  await s.settled();
  const lines: string[] = [];
  for await (const line of memory.export()) lines.push(line);
  const recall = await s.recall('where do I live', { budgetTokens: 300 });
  await memory.close();
  return { lines, recall };
}

describe('export and import', () => {
  it('round-trips a memory through versioned JSON Lines with base64 vectors', async () => {
    const { lines, recall } = await exported();
    expect(JSON.parse(lines[0]!)).toMatchObject({
      type: 'memkeeper',
      format: 1,
      schema: SCHEMA_VERSION,
      dim: 384,
    });
    expect(JSON.parse(lines.at(-1)!)).toEqual({ type: 'end', count: lines.length - 2 });
    expect(lines.some((l) => l.includes('"type":"vector"'))).toBe(true);
    const target = await createMemory({ ...base, name: fresh() });
    await target.import(lines.join('\n'));
    const again = await target.session('chat').recall('where do I live', { budgetTokens: 300 });
    expect(again.text).toBe(recall.text);
    await expect(target.import(lines)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/session chat already exists/),
    });
    await target.close();
  });

  it('refuses a malformed, truncated or foreign file naming the line, importing nothing', async () => {
    const { lines } = await exported();
    const target = await createMemory({ ...base, name: fresh() });
    const broken = [...lines];
    broken[4] = broken[4]!.slice(0, 20);
    await expect(target.import(broken)).rejects.toThrow(/import line 5: not valid JSON/);
    await expect(target.import(lines.slice(0, -3))).rejects.toThrow(/truncated/);
    await expect(target.import(['{"hello":"world"}'])).rejects.toThrow(/line 1: not a memkeeper/);
    const bad = [...lines];
    bad[2] = bad[2]!.replace('"content":', '"contents":');
    await expect(target.import(bad)).rejects.toThrow(/import line 3/);
    const s = target.session('chat');
    expect((await s.recall('soup', { budgetTokens: 300 })).items).toEqual([]);
    await target.close();
  });
});
