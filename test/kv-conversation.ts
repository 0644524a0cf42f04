/**
 * One pruned conversation with the tiny decoder, shared by the Node test and the Chromium
 * page: a 60-token prompt and 4 greedy tokens, pruned from 63 cached tokens to 24 (budget 32,
 * sinks 4, window 8; a larger budget skips pruning, as a baseline), then a 5-token turn. Reports the next-token logit error against the
 * float64 reference and both sides' greedy tokens.
 */
import { KvChat, type ChatLibrary, type ChatModel } from '../src/kv/chat.js';
import type { KvPolicy, Rotation } from '../src/kv/policy.js';
import type { KvPruner } from '../src/kv/pruner.js';
import { ropeFromConfig } from '../src/kv/rope.js';
import type { KvCache } from '../src/kv/transformers.js';
import { TinyReference } from './tiny-decoder-reference.js';

/** What the conversation showed. */
export interface ChatCase {
  readonly cache: KvCache;
  firstTurnMatches: boolean;
  cacheLength: number;
  conversationLength: number;
  /** Largest |logit − reference| of the token after the pruned cache. */
  logitError: number;
  tokens: number[];
  referenceTokens: number[];
  location: string;
}

const PROMPT = Array.from({ length: 60 }, (_, i) => 1 + ((i * 37) % 62));
const TURN = [9, 33, 17, 2, 41];

/** Runs the conversation; `forward` returns the last-token logits of `input` after `cache`. */
export async function conversation(
  model: ChatModel & { config: unknown },
  library: ChatLibrary,
  {
    policy,
    rotation,
    pruner,
    budgetTokens = 32,
  }: { policy: KvPolicy; rotation: Rotation; pruner?: KvPruner; budgetTokens?: number },
  forward: (cache: KvCache, input: number[], cached: number) => Promise<Float32Array>,
): Promise<ChatCase> {
  const rope = ropeFromConfig(model.config as Record<string, unknown>);
  const chat = new KvChat(model, {
    library,
    rope,
    pruner,
    budgetTokens,
    policy,
    rotation,
    sinks: 4,
    window: 8,
  });
  const result: ChatCase = {
    cache: chat.cache,
    firstTurnMatches: false,
    cacheLength: 0,
    conversationLength: 0,
    logitError: NaN,
    tokens: [],
    referenceTokens: [],
    location: '',
  };
  const reference = new TinyReference();
  const first = await chat.say(PROMPT, { maxNewTokens: 4 });
  result.firstTurnMatches = first.tokens.join() === reference.greedy(PROMPT, 4).tokens.join();
  result.location = first.pruned?.location ?? 'not pruned';
  result.cacheLength = chat.cacheLength;
  result.conversationLength = chat.conversationLength;
  // The reference's ideal: attention over the kept tokens at their true distances (shift),
  // or renumbered by slot (compact). `none` is compared with the ideal it fails to reach.
  if (first.pruned) reference.prune(policy, 24, 4, 8, rotation === 'compact' ? 'compact' : 'shift');
  const input = [...chat.pendingTokens, ...TURN];
  const logits = await forward(chat.cache, input, chat.cacheLength);
  const ahead = reference.clone();
  let want: Float64Array = new Float64Array(0);
  for (const t of input) want = ahead.feed(t);
  result.logitError = Math.max(...Array.from(logits, (x, i) => Math.abs(x - want[i]!)));
  result.tokens = (await chat.say(TURN, { maxNewTokens: 6 })).tokens;
  result.referenceTokens = reference.greedy(input, 6).tokens;
  await chat.dispose();
  return result;
}
