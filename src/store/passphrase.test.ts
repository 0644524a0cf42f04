import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createMemory } from '../memory.js';
import { keyFromPassphrase, randomSalt } from './crypto.js';

// Fewer rounds than the default 600,000 keep the test quick; the derivation is the same.
const ROUNDS = 100_000;
const fresh = () => `passphrase-${Math.random().toString(36).slice(2)}`;

describe('keyFromPassphrase', () => {
  it('opens an encrypted memory with the same passphrase and salt; another fails', async () => {
    const name = fresh();
    const salt = randomSalt();
    const key = await keyFromPassphrase('correct horse battery staple', salt, ROUNDS);
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    expect(key.usages.sort()).toEqual(['decrypt', 'encrypt']);
    expect(key.extractable).toBe(false);
    const memory = await createMemory({ name, gpu: 'cpu', encryptionKey: key });
    await memory.session('chat').observe({ role: 'user', content: 'The safe code is 4711.' });
    await memory.close();

    const again = await keyFromPassphrase('correct horse battery staple', salt, ROUNDS);
    const reopened = await createMemory({ name, gpu: 'cpu', encryptionKey: again });
    expect((await reopened.session('chat').inspect()).turns[0]?.content).toBe(
      'The safe code is 4711.',
    );
    await reopened.close();

    for (const wrong of [
      await keyFromPassphrase('correct horse battery stapler', salt, ROUNDS),
      await keyFromPassphrase('correct horse battery staple', randomSalt(), ROUNDS),
      await keyFromPassphrase('correct horse battery staple', salt, ROUNDS + 1),
    ])
      await expect(createMemory({ name, gpu: 'cpu', encryptionKey: wrong })).rejects.toMatchObject({
        code: 'DECRYPT_FAILED',
      });
  });

  it('derives the same key from the same characters however they were composed (NFC)', async () => {
    const name = fresh();
    const salt = randomSalt();
    const composed = await keyFromPassphrase('café', salt, ROUNDS);
    const memory = await createMemory({ name, gpu: 'cpu', encryptionKey: composed });
    await memory.close();
    const decomposed = await keyFromPassphrase('cafe\u0301', salt, ROUNDS);
    await (await createMemory({ name, gpu: 'cpu', encryptionKey: decomposed })).close();
  });

  it('checks its inputs with BAD_INPUT', async () => {
    const salt = randomSalt();
    for (const args of [
      ['', salt],
      [7, salt],
      ['pass', new Uint8Array(4)],
      ['pass', 'salt'],
      ['pass', salt, 1000],
      ['pass', salt, 1.5e5 + 0.5],
    ] as const)
      await expect(
        keyFromPassphrase(...(args as unknown as [string, Uint8Array, number?])),
      ).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});

describe('randomSalt', () => {
  it('gives 16 fresh random bytes', () => {
    const [a, b] = [randomSalt(), randomSalt()];
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a).toHaveLength(16);
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });
});
