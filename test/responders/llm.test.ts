/**
 * The in-browser LLM responder on the tiny random decoder with a character-level tokenizer
 * (test/responders/tiny-chat-model.ts), on onnxruntime-node (CPU): download progress that
 * never goes back, one cache across turns fed only what it lacks, pruning past a small
 * budget with replies still streaming, abort, reset, and a conversation answered elsewhere.
 * The real transformers.js runs the real model; the test only watches what `generate` is fed.
 */
import * as transformers from '@huggingface/transformers';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Recall, RecallItem } from '../../src/index.js';
import { LLM_MODELS, llmResponder } from '../../demo/src/responders/llm.js';
import { DownloadProgress } from '../../demo/src/responders/progress.js';
import type { LoadProgress, ReplyRequest } from '../../demo/src/responders/types.js';
import { TINY_CHAT, writeTinyChatModel } from './tiny-chat-model.js';

const FOLDER = resolve('test/models/generated');
const ENTRY = {
  id: TINY_CHAT,
  label: 'Tiny chat',
  dtype: 'fp32',
  contextTokens: 256,
  kvBudgetTokens: 128,
  maxNewTokens: 8,
};

beforeAll(() => writeTinyChatModel(FOLDER));

/** transformers.js itself, with each generate() call's input decoded for the test to read. */
function watched() {
  const fed: string[] = [];
  const counts: number[] = [];
  let tokenizer: transformers.PreTrainedTokenizer | undefined;
  const module = {
    ...transformers,
    AutoTokenizer: {
      from_pretrained: async (id: string, options: object) =>
        (tokenizer = await transformers.AutoTokenizer.from_pretrained(id, options)),
    },
    AutoModelForCausalLM: {
      from_pretrained: async (id: string, options: object) => {
        const model = await transformers.AutoModelForCausalLM.from_pretrained(id, options);
        const generate = model.generate.bind(model);
        model.generate = ((args: { input_ids: transformers.Tensor }) => {
          const ids = args.input_ids.tolist()[0]!.map(Number);
          fed.push(tokenizer!.decode(ids));
          counts.push(ids.length);
          return generate(args as never);
        }) as typeof model.generate;
        return model;
      },
    },
  };
  return { fed, counts, load: async () => module };
}

let at = Date.UTC(2025, 0, 6, 9);
function item(
  kind: RecallItem['kind'],
  text: string,
  tier: RecallItem['tier'] = 'long-term',
): RecallItem {
  at += 60_000;
  const id = `${kind}-${text.length}-${at}`;
  return {
    id,
    tier,
    kind,
    text,
    tokens: 4,
    sources: [id],
    at,
    scores: { fused: 1, recency: 1, final: 1 },
  };
}

/** A recall as the app gets it: memory in one system message, the last two turns, the message. */
function request(
  session: string,
  message: string,
  memory: RecallItem[],
  recent: { role: 'user' | 'assistant'; content: string }[],
  signal = new AbortController().signal,
): ReplyRequest {
  const turnId = `${session}/t${at}`;
  const lines = memory.map((m) => m.text);
  const messages: Recall['messages'] = [
    ...(lines.length ? [{ role: 'system' as const, content: lines.join('\n') }] : []),
    ...recent.slice(-2),
    { role: 'user', content: message },
  ];
  const window = { ...item('turn', message, 'short-term'), sources: [turnId] };
  return {
    session,
    message,
    turnId,
    recall: { text: '', messages, items: [...memory, window], explain: {} as never },
    signal,
  };
}

async function collect(pieces: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of pieces) out.push(piece);
  return out;
}

describe('llmResponder on the tiny decoder (onnxruntime-node)', () => {
  it('keeps one cache across turns, feeds only what it lacks, prunes past the budget and keeps streaming', async () => {
    const { fed, counts, load } = watched();
    const responder = llmResponder({
      model: ENTRY,
      transformers: load,
      device: 'cpu',
      localModelPath: FOLDER,
      allowRemoteModels: false,
      systemPrompt: 'be kind.',
    });
    const status = () => responder.kv!()!;
    const progress: LoadProgress[] = [];
    await responder.load((p) => progress.push(p));
    expect(progress.at(-1)).toMatchObject({
      progress: 1,
      detail: expect.stringMatching(/^Ready: Tiny chat on cpu \(fp32\)/),
    });
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!.progress).toBeGreaterThanOrEqual(progress[i - 1]!.progress);
    expect(status()).toMatchObject({
      budgetTokens: 128,
      cacheTokens: 0,
      prunes: 0,
      active: false,
      policy: 'knorm',
      backend: 'cpu',
    });

    const tea = item('anchor', 'likes tea.');
    const history: { role: 'user' | 'assistant'; content: string }[] = [];
    const say = async (message: string, memory: RecallItem[]) => {
      const pieces = await collect(responder.reply(request('s1', message, memory, history)));
      history.push(
        { role: 'user', content: message },
        { role: 'assistant', content: pieces.join('') },
      );
      return pieces;
    };
    const first = await say('hi, i am ana.', [tea]);
    expect(first.length).toBeGreaterThan(0);
    expect(fed.at(-1)).toMatch(
      /^<\|im_start\|>system\nbe kind\.\n\nlikes tea\.<\|im_end\|>\n<\|im_start\|>user\nhi, i am ana\.<\|im_end\|>\n<\|im_start\|>assistant\n$/,
    );
    const afterFirst = status().conversationTokens;
    expect(afterFirst).toBe(counts.at(-1)! + 8);

    // Turn 2: the anchor fed before is not fed again; a new one is, as a system message.
    const paris = item('anchor', 'lives in paris.');
    await say('where do i live?', [tea, paris]);
    const second = fed.at(-1)!;
    expect(second).toContain(
      '<|im_end|>\n<|im_start|>system\nwhat is known (long-term memory):\nlives in paris.<|im_end|>\n<|im_start|>user\nwhere do i live?<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(second).not.toContain('likes tea');
    expect(second).not.toContain('hi, i am ana');

    // Past the budget of 128 the cache is pruned after each turn, and replies keep coming.
    for (let i = 0; i < 6; i++) {
      const pieces = await say(`turn ${i}: tell me more.`, [tea, paris]);
      expect(pieces.join('').length).toBeGreaterThan(0);
      const kv = status();
      expect(kv.cacheTokens).toBeLessThanOrEqual(128);
    }
    const kv = status();
    expect(kv.prunes).toBeGreaterThanOrEqual(5);
    expect(kv.active).toBe(true);
    expect(kv.conversationTokens).toBeGreaterThan(3 * kv.cacheTokens);
    // After a prune, memory is offered again (pruning may have dropped it).
    expect(fed.at(-1)).toContain('likes tea.');

    // Abort mid-reply: the reply stops, the conversation goes on from what was generated.
    const controller = new AbortController();
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const piece of responder.reply(
          request('s1', 'stop soon.', [], history, controller.signal),
        )) {
          got.push(piece);
          controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    history.push(
      { role: 'user', content: 'stop soon.' },
      { role: 'assistant', content: got.join('') },
    );
    const before = status().conversationTokens;
    await say('and now?', []);
    expect(status().conversationTokens).toBeGreaterThan(before);
    expect(fed.at(-1)).toMatch(/^.<\|im_end\|>\n<\|im_start\|>user\nand now\?/s);

    // Another responder answered the last turn: the cache lacks it, so the chat starts over.
    history.push(
      { role: 'user', content: 'hello?' },
      { role: 'assistant', content: 'offline says hi.' },
    );
    await say('what did you say?', [tea]);
    expect(fed.at(-1)).toMatch(/^<\|im_start\|>system\nbe kind\./);
    expect(fed.at(-1)).toContain('<|im_start|>assistant\noffline says hi.<|im_end|>');
    expect(status().prunes).toBe(0);

    // reset(): the next conversation starts with a fresh cache from its recall.
    responder.reset!('s2');
    await collect(responder.reply(request('s2', 'new chat.', [], [])));
    expect(status().conversationTokens).toBe(counts.at(-1)! + 8);
    await responder.dispose!();
    expect(responder.kv!()).toBeUndefined();
  });

  it('drops the oldest recent turns of a first prompt that would not fit the context', async () => {
    const { fed, counts, load } = watched();
    const responder = llmResponder({
      model: ENTRY,
      transformers: load,
      device: 'cpu',
      localModelPath: FOLDER,
      allowRemoteModels: false,
      systemPrompt: 'be kind.',
    });
    await responder.load(() => {});
    const long = (i: number) => `message ${i}: ${'la '.repeat(15)}`.trim();
    const history = Array.from({ length: 6 }, (_, i) => ({
      role: i % 2 ? ('assistant' as const) : ('user' as const),
      content: long(i),
    }));
    const req = request('s3', 'and?', [], history);
    const pieces = await collect(
      responder.reply({
        ...req,
        recall: { ...req.recall, messages: [...history, ...req.recall.messages.slice(-1)] },
      }),
    );
    expect(pieces.length).toBeGreaterThan(0);
    expect(counts.at(-1)! + 8).toBeLessThanOrEqual(256);
    expect(fed.at(-1)).not.toContain('message 0:');
    expect(fed.at(-1)).toContain('message 5:');
    expect(fed.at(-1)).toMatch(/^<\|im_start\|>system\nbe kind\.<\|im_end\|>/);
    await responder.dispose!();
  });

  it('refuses to reply before load, and says why a model cannot be loaded', async () => {
    const responder = llmResponder({
      model: { ...ENTRY, id: 'no-such-model' },
      device: 'cpu',
      localModelPath: FOLDER,
      allowRemoteModels: false,
    });
    await expect(collect(responder.reply(request('s', 'hi', [], [])))).rejects.toMatchObject({
      code: 'NOT_LOADED',
    });
    await expect(responder.load(() => {})).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: expect.stringMatching(/^Could not load Tiny chat \(fp32 on cpu\): /),
    });
  });
});

describe('models and progress', () => {
  it('lists models with a dtype, a download size for it, a context and a KV budget', () => {
    expect(LLM_MODELS.length).toBeGreaterThanOrEqual(3);
    for (const m of LLM_MODELS) {
      expect(m.downloadMB?.[m.dtype]).toBeGreaterThan(0);
      expect(m.downloadMB?.[m.fallbackDtype ?? m.dtype]).toBeGreaterThan(0);
      expect(m.kvBudgetTokens).toBeLessThan(m.contextTokens);
    }
  });

  it('folds files announced one after another into one bar that never goes back', () => {
    const shown: LoadProgress[] = [];
    const bar = new DownloadProgress(1000, (p) => shown.push(p), [0, 0.95]);
    const file = (name: string) => ({ name: 'm', file: name });
    bar.read({ status: 'initiate', ...file('config.json') });
    bar.read({ status: 'progress', ...file('config.json'), loaded: 10, total: 10 });
    bar.read({ status: 'done', ...file('config.json') });
    bar.read({ status: 'progress', ...file('onnx/model.onnx'), loaded: 100, total: 2000 });
    bar.read({ status: 'progress', ...file('tokenizer.json'), loaded: 50, total: 50 });
    bar.read({ status: 'progress', ...file('onnx/model.onnx'), loaded: 2000, total: 2000 });
    bar.read({ status: 'done', ...file('onnx/model.onnx') });
    bar.step(1, 'Ready');
    for (let i = 1; i < shown.length; i++)
      expect(shown[i]!.progress).toBeGreaterThanOrEqual(shown[i - 1]!.progress);
    expect(shown[3]!.detail).toBe('Downloading onnx/model.onnx (0.0 / 0.0 MB) — 0.0 of ~0.0 MB');
    expect(shown.at(-2)!.progress).toBeCloseTo(0.95);
    expect(shown.at(-1)).toEqual({ progress: 1, detail: 'Ready' });
  });
});
