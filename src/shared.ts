/**
 * What a session shares with its memory: the store, the index, the queue, the embedder, and
 * the instance's settings resolved from `createMemory` options.
 */
import type { BackgroundQueue } from './background.js';
import type { Embedder } from './embed/embedder.js';
import type { AnchorCandidate } from './extract/anchor.js';
import type { RecallWeights } from './recall/fuse.js';
import type { PackShares } from './recall/pack.js';
import type { TokenCounter } from './recall/tokens.js';
import type { MemoryStore, TurnRecord } from './store/types.js';
import type { AnchorPolicy } from './tiers/long-term.js';
import type { SplitSentences, Summarize } from './tiers/mid-term.js';
import type { VectorIndex } from './vectors/vector-index.js';

/** What an anchor extractor sees of a turn. */
export interface ExtractTurn {
  role: TurnRecord['role'];
  content: string;
  name?: string;
  at?: number;
  /** The session's turns just before this one (up to two, oldest first), for a fragment that
   * answers the assistant's question ("What did you name him?" — "Biscuit!"). */
  previous?: readonly { role: TurnRecord['role']; content: string }[];
}

/** Finds anchor candidates in a turn (the default uses compromise and first-person patterns). */
export type ExtractAnchors = (
  turn: ExtractTurn,
) => readonly AnchorCandidate[] | Promise<readonly AnchorCandidate[]>;

/** The instance's settings, resolved from `createMemory` options. */
export interface Settings {
  windowTokens: number;
  summaryEveryTokens: number;
  recallTokens: number;
  k: number;
  count: TokenCounter;
  now: () => number;
  extract: ExtractAnchors;
  split: SplitSentences;
  summarize?: Summarize;
  anchors: AnchorPolicy;
  weights: RecallWeights;
  shares: PackShares;
}

/** What a session shares with its memory. */
export interface Shared {
  store: MemoryStore;
  index: VectorIndex;
  queue: BackgroundQueue;
  embedder: Embedder;
  settings: Settings;
  /** Vectors to store, checked (dimension, finite) and with clear errors. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** A query's vector (the embedder's query side when it has one), checked the same way. */
  embedQuery(text: string): Promise<Float32Array>;
  alive(): void;
  /** Called after each write (the memory keeps its `maxBytes` budget from here). */
  wrote?(): void;
  /** Called after a session's stored changes landed (the memory's change events). */
  changed?(session: string): void;
  /** Called after vectors went into the index (re-embedding progress). */
  indexed?(ids: readonly string[]): void;
}
