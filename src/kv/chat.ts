/**
 * A chat over a transformers.js causal LM whose KV cache is pruned as it grows. The trap it
 * exists for: with a cache, only the new turn's tokens may be fed. transformers.js slices the
 * input by the cache's length, so passing the whole history with a pruned cache re-feeds
 * most of it. The helper keeps the true conversation length apart from the cache length.
 */
import { check, MemoryError } from '../errors.js';
import {
  pruneCache,
  type KvCache,
  type PruneCacheOptions,
  type PruneCacheResult,
} from './transformers.js';

/** The transformers.js classes the chat builds inputs with (pass the library's own). */
export interface ChatLibrary {
  readonly Tensor: new (type: string, data: BigInt64Array, dims: number[]) => unknown;
  readonly DynamicCache: new () => KvCache;
}

/** The part of a transformers.js model the chat calls. */
export interface ChatModel {
  generate(options: Record<string, unknown>): Promise<unknown>;
}

/** Options of a chat: the library, and how its cache is pruned. */
export interface KvChatOptions extends PruneCacheOptions {
  readonly library: ChatLibrary;
}

/** How one turn is generated. */
export interface SayOptions {
  /** Most tokens to generate (default 32). */
  readonly maxNewTokens?: number;
  /**
   * Told each token id as the model produces it, to stream the reply. An error it throws
   * stops generation and is rethrown once the chat has recorded what was generated.
   */
  readonly onToken?: (token: number) => void;
  /** Stops generation after the token being produced; the turn keeps what it generated. */
  readonly signal?: AbortSignal;
}

/** One turn's outcome. */
export interface ChatTurn {
  /** Token ids the model produced. */
  readonly tokens: number[];
  /** Set when the cache was pruned after this turn. */
  readonly pruned?: PruneCacheResult;
  /** Set when `signal` stopped generation early. */
  readonly stopped?: boolean;
}

/**
 * Feeds each turn's tokens (and the last reply token, which generation never feeds) to the
 * model with the pruned cache, greedily, and prunes after a turn that passes the budget.
 *
 * @example
 * const chat = new KvChat(model, { library: { Tensor, DynamicCache }, rope,
 *   budgetTokens: 2048, policy: { kind: 'knorm' }, pruner });
 * const { tokens } = await chat.say(tokenizer.encode(userTurn), {
 *   maxNewTokens: 128, onToken: (id) => show(tokenizer.decode([id])), signal });
 */
export class KvChat {
  /** The cache, owned by the chat (`dispose()` releases it). */
  readonly cache: KvCache;
  /** Every token of the conversation, fed or not. */
  private readonly history: number[] = [];
  /** Tokens of the conversation not yet in the cache (the last reply token). */
  private pending: number[] = [];

  constructor(
    private readonly model: ChatModel,
    private readonly options: KvChatOptions,
  ) {
    check(
      options.library?.Tensor && options.library.DynamicCache,
      'library must give Tensor and DynamicCache',
    );
    this.cache = new options.library.DynamicCache();
  }

  /** Tokens in the conversation so far: what positions would be without pruning. */
  get conversationLength(): number {
    return this.history.length;
  }

  /** Tokens per head the cache holds. */
  get cacheLength(): number {
    return this.cache.get_seq_length();
  }

  /** Tokens of the conversation the next turn feeds before its own. */
  get pendingTokens(): readonly number[] {
    return this.pending;
  }

  /**
   * Feeds `turn` (the new turn's tokens only) and generates up to `maxNewTokens` greedily,
   * telling `onToken` each token as it comes. Passing the whole conversation again is refused
   * with `BAD_INPUT`. A stop (`signal`, or `onToken` throwing) ends generation between
   * tokens, so the cache and the conversation always agree.
   */
  async say(
    turn: readonly number[],
    { maxNewTokens = 32, onToken, signal }: SayOptions = {},
  ): Promise<ChatTurn> {
    check(turn.length > 0 && turn.every(Number.isInteger), 'turn must be token ids');
    const n = this.history.length;
    if (n > 0 && turn.length >= n && this.history.every((t, i) => t === turn[i])) {
      throw new MemoryError(
        'BAD_INPUT',
        `pass only the new turn's tokens: the cache already holds the conversation ` +
          `(${n} tokens, ${this.cacheLength} cached after pruning)`,
      );
    }
    const input = [...this.pending, ...turn];
    const cached = this.cacheLength;
    const { Tensor } = this.options.library;
    const ids = new Tensor('int64', BigInt64Array.from(input, BigInt), [1, input.length]);
    // One mask entry per cached slot plus the new tokens: positions continue from the cache.
    const mask = new Tensor('int64', new BigInt64Array(cached + input.length).fill(1n), [
      1,
      cached + input.length,
    ]);
    let failure: { error: unknown } | undefined;
    let prompt = true;
    // transformers.js hands a streamer the prompt first, then each new token as [[id]].
    const streamer = onToken && {
      put: (ids: bigint[][]) => {
        if (prompt) return void (prompt = false);
        if (failure) return;
        try {
          onToken(Number(ids[0]![0]));
        } catch (error) {
          failure = { error };
        }
      },
      end: () => undefined,
    };
    const stop = (rows: unknown[]) => rows.map(() => Boolean(failure || signal?.aborted));
    const out = (await this.model.generate({
      input_ids: ids,
      attention_mask: mask,
      past_key_values: this.cache,
      max_new_tokens: maxNewTokens,
      do_sample: false,
      return_dict_in_generate: true,
      streamer,
      stopping_criteria: [stop],
    })) as { sequences: { tolist(): bigint[][] } };
    const sequence = out.sequences.tolist()[0]!.map(Number);
    const tokens = sequence.slice(input.length);
    this.history.push(...turn, ...tokens);
    const fed = this.cacheLength - cached;
    this.pending = [...input, ...tokens].slice(fed);
    const pruned = await pruneCache(this.cache, this.options);
    if (failure) throw failure.error;
    const stopped = signal?.aborted ? { stopped: true } : {};
    return pruned.pruned ? { tokens, pruned, ...stopped } : { tokens, ...stopped };
  }

  /** Releases the cache's GPU tensors. */
  async dispose(): Promise<void> {
    await (this.cache as KvCache & { dispose?: () => Promise<void> }).dispose?.();
  }
}
