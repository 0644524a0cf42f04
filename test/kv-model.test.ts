/**
 * The tiny generated decoder on onnxruntime-node (CPU): a conversation pruned mid-way must
 * give the logits and greedy tokens of the float64 reference, for plain ONNX attention and
 * for com.microsoft GroupQueryAttention; without re-rotation it must not. On the CPU the
 * adapter prunes with the float64 twin; the GPU path is checked in Chromium (e2e/kv.spec.ts).
 */
import { AutoModelForCausalLM, DynamicCache, env, Tensor } from '@huggingface/transformers';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyDecoders } from '../scripts/write-tiny-decoder.js';
import { KvChat } from '../src/kv/chat.js';
import type { KvPolicy, Rotation } from '../src/kv/policy.js';
import { ropeFromConfig } from '../src/kv/rope.js';
import { pruneCache, type KvCache } from '../src/kv/transformers.js';
import { conversation, type ChatCase } from './kv-conversation.js';

const FOLDER = resolve('test/models/generated');

beforeAll(() => {
  writeTinyDecoders(FOLDER);
  env.allowRemoteModels = false;
  env.localModelPath = `${FOLDER}/`;
});

async function load(variant: string) {
  return AutoModelForCausalLM.from_pretrained(`tiny-decoder-${variant}`, {
    device: 'cpu',
    dtype: 'fp32',
  });
}

const CASES: [KvPolicy, Rotation][] = [
  [{ kind: 'streaming' }, 'shift'],
  [{ kind: 'knorm' }, 'shift'],
  [{ kind: 'knorm' }, 'compact'],
  [{ kind: 'knorm' }, 'none'],
];

for (const variant of ['plain', 'gqa']) {
  describe(`tiny decoder (${variant}) on onnxruntime-node`, () => {
    for (const [policy, rotation] of CASES) {
      it(`${policy.kind}, rotation ${rotation}`, async () => {
        const model = await load(variant);
        const chat: ChatCase = await conversation(
          model,
          { Tensor, DynamicCache } as never,
          { policy, rotation },
          (cache, input, cached) => forwardLogits(model, cache, input, cached),
        );
        if (process.env.KV_VERBOSE) {
          const same = chat.tokens.join() === chat.referenceTokens.join();
          console.info(
            `${variant} ${policy.kind} ${rotation}: error ${chat.logitError}, same tokens ${same}`,
          );
        }
        expect(chat.firstTurnMatches).toBe(true);
        expect(chat.cacheLength).toBe(24);
        expect(chat.conversationLength).toBe(64);
        if (rotation === 'none') {
          // The control: keys left at their old positions put attention at wrong distances.
          expect(chat.logitError).toBeGreaterThan(1e-3);
          expect(chat.tokens).not.toEqual(chat.referenceTokens);
        } else {
          expect(chat.logitError).toBeLessThanOrEqual(1e-5);
          expect(chat.tokens).toEqual(chat.referenceTokens);
        }
        await model.dispose();
      });
    }
  });
}

async function forwardLogits(
  model: Awaited<ReturnType<typeof load>>,
  cache: KvCache,
  input: number[],
  cached: number,
): Promise<Float32Array> {
  const ids = new Tensor('int64', BigInt64Array.from(input, BigInt), [1, input.length]);
  const total = cached + input.length;
  const mask = new Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]);
  const out = (await model({ input_ids: ids, attention_mask: mask, past_key_values: cache })) as {
    logits: { data: Float32Array; dims: number[] };
  };
  const vocab = out.logits.dims[2]!;
  return out.logits.data.slice((input.length - 1) * vocab, input.length * vocab);
}

describe('chat and cache checks', () => {
  it('refuses the full history, bad caches and small budgets, leaving the cache as it was', async () => {
    const model = await load('plain');
    const rope = ropeFromConfig(model.config as unknown as Record<string, unknown>);
    const chat = new KvChat(model, {
      library: { Tensor, DynamicCache } as never,
      rope,
      budgetTokens: 32,
      policy: { kind: 'knorm' },
      window: 8,
    });
    const first = Array.from({ length: 40 }, (_, i) => (i * 7) % 60);
    const { tokens } = await chat.say(first, { maxNewTokens: 2 });
    expect(chat.cacheLength).toBe(24);
    await expect(chat.say([...first, ...tokens, 5])).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/only the new turn/),
    });
    const cache = chat.cache as unknown as Record<string, Tensor>;
    const key0 = cache['past_key_values.0.key']!;
    const before = Float32Array.from(key0.data as Float32Array);
    const bad = (options: Partial<Parameters<typeof pruneCache>[1]>, message: RegExp) =>
      expect(
        pruneCache(chat.cache, { budgetTokens: 16, policy: { kind: 'knorm' }, rope, ...options }),
      ).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(message) });
    await bad({ window: 16 }, /smaller than sinks/);
    const odd = new DynamicCache({
      // Layer 1 is one token short.
      'past_key_values.0.key': new Tensor('float32', new Float32Array(2 * 30 * 16), [1, 2, 30, 16]),
      'past_key_values.0.value': new Tensor(
        'float32',
        new Float32Array(2 * 30 * 16),
        [1, 2, 30, 16],
      ),
      'past_key_values.1.key': new Tensor('float32', new Float32Array(2 * 29 * 16), [1, 2, 29, 16]),
      'past_key_values.1.value': new Tensor(
        'float32',
        new Float32Array(2 * 29 * 16),
        [1, 2, 29, 16],
      ),
    });
    await expect(
      pruneCache(odd as unknown as KvCache, { budgetTokens: 20, policy: { kind: 'knorm' }, rope }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/mismatched shapes across layers/),
    });
    (odd['past_key_values.1.key'] as Tensor).dispose();
    await expect(
      pruneCache(odd as unknown as KvCache, { budgetTokens: 20, policy: { kind: 'knorm' }, rope }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/released/),
    });
    expect(chat.cacheLength).toBe(24);
    expect(Float32Array.from(key0.data as Float32Array)).toEqual(before);
    expect(() =>
      ropeFromConfig({ model_type: 'llama', hidden_size: 64, num_attention_heads: 4 }),
    ).toThrow(/no RoPE parameters/);
    await model.dispose();
  });
});

describe('streaming a turn', () => {
  it('tells onToken each token as it comes, and a stop keeps the cache and the conversation in step', async () => {
    const model = await load('plain');
    const rope = ropeFromConfig(model.config as unknown as Record<string, unknown>);
    const chat = new KvChat(model, {
      library: { Tensor, DynamicCache } as never,
      rope,
      budgetTokens: 32,
      policy: { kind: 'knorm' },
      window: 8,
    });
    const streamed: number[] = [];
    const first = await chat.say([3, 14, 15, 9, 26, 5], {
      maxNewTokens: 5,
      onToken: (id) => streamed.push(id),
    });
    expect(streamed).toEqual(first.tokens);
    expect(first.tokens).toHaveLength(5);
    expect(first.stopped).toBeUndefined();
    // Stopped after the third token: the turn ends there, pending holds its last token.
    const controller = new AbortController();
    const seen: number[] = [];
    const second = await chat.say([7, 8], {
      maxNewTokens: 10,
      signal: controller.signal,
      onToken: (id) => {
        seen.push(id);
        if (seen.length === 3) controller.abort();
      },
    });
    expect(second).toMatchObject({ tokens: seen, stopped: true });
    expect(seen).toHaveLength(3);
    expect(chat.conversationLength).toBe(6 + 5 + 2 + 3);
    expect(chat.cacheLength + chat.pendingTokens.length).toBe(chat.conversationLength);
    // A throwing onToken stops generation too, and its error comes back after the state is kept.
    await expect(
      chat.say([11], {
        maxNewTokens: 10,
        onToken: () => {
          throw new Error('the page went away');
        },
      }),
    ).rejects.toThrow('the page went away');
    expect(chat.conversationLength).toBe(16 + 1 + 1);
    // Past the budget the chat prunes and keeps streaming.
    const long = Array.from({ length: 30 }, (_, i) => (i * 11) % 60);
    const tokens: number[] = [];
    const third = await chat.say(long, { maxNewTokens: 4, onToken: (id) => tokens.push(id) });
    expect(third.pruned).toMatchObject({ pruned: true, after: 24 });
    const fourth = await chat.say([1, 2], { maxNewTokens: 4, onToken: (id) => tokens.push(id) });
    expect(tokens).toEqual([...third.tokens, ...fourth.tokens]);
    expect(chat.cacheLength + chat.pendingTokens.length).toBeLessThan(chat.conversationLength);
    await chat.dispose();
    await model.dispose();
  });
});
