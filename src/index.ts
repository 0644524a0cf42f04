/**
 * memkeeper: memory for LLM chat apps that runs in the browser.
 *
 * @example
 * import { createMemory } from 'memkeeper';
 * const memory = await createMemory({ name: 'chat' });
 * const s = memory.session('chat-42');
 * await s.observe({ role: 'user', content: 'I live in Lisbon.', name: 'Maria' });
 * const { text } = await s.recall('Where does Maria live?', { budgetTokens: 800 });
 *
 * @example
 * import { createMemory, keyFromPassphrase, randomSalt } from 'memkeeper';
 * const memory = await createMemory({ encryptionKey: await keyFromPassphrase(typed, salt) });
 * memory.onChange(async ({ session }) => render(await memory.session(session).inspect()));
 *
 * @example
 * import { createVectorIndex } from 'memkeeper';
 * const index = await createVectorIndex({ dim: 384 });
 */
export { createMemory } from './memory.js';
export type {
  EmbedderLoader,
  Memory,
  MemoryBudgets,
  MemoryChange,
  MemoryOptions,
  SessionInfo,
} from './memory.js';
export type { Recall, RecallExplain, RecallOptions, Session, Turn, TurnInput } from './session.js';
export type { AnchorView, SessionView, SummaryView } from './session-view.js';
export type { ExtractAnchors, ExtractTurn } from './session-state.js';
export type { RecallItem, PackShares, Tier } from './recall/pack.js';
export type { RecallWeights, ScoreParts } from './recall/fuse.js';
export type { TokenCounter } from './recall/tokens.js';
export type { AnchorPolicy } from './tiers/long-term.js';
export type { SplitSentences, Summarize, SummaryTurn } from './tiers/mid-term.js';
export type {
  AnchorRecord,
  MemoryStore,
  MetaRecord,
  RecordKind,
  Role,
  SessionRecord,
  SessionStats,
  StoreChange,
  StoredRecords,
  SummaryRecord,
  TurnRecord,
  VectorRecordStored,
} from './store/types.js';
export { IndexedDbStore } from './store/indexeddb-store.js';
export type { IndexedDbStoreOptions, RestoreReport } from './store/indexeddb-store.js';
export type { StorageReport } from './store/quota.js';
export { keyFromPassphrase, randomSalt } from './store/crypto.js';
export { MemoryError } from './errors.js';
export type { MemoryErrorCode } from './errors.js';
export { createVectorIndex, VectorIndex } from './vectors/vector-index.js';
export type {
  SearchFilter,
  SearchHit,
  SearchOptions,
  VectorIndexOptions,
  VectorRecord,
} from './vectors/vector-index.js';
export type { BackendName } from './vectors/backend.js';
export type { BackendChoice } from './vectors/choose.js';
export { MAX_K } from './vectors/layout.js';
export type { VectorStorage } from './vectors/layout.js';
export { acquireGpu } from './gpu/device.js';
export type { GpuContext, GpuInfo, GpuOption } from './gpu/device.js';
export { hashingEmbedder } from './embed/hashing.js';
export type { HashingEmbedder, HashingEmbedderOptions } from './embed/hashing.js';
export { transformersEmbedder } from './embed/transformers.js';
export type { TransformersDevice, TransformersEmbedderOptions } from './embed/transformers.js';
export type { Embedder, ProgressEvent } from './embed/embedder.js';
export type { AnchorCandidate, AnchorKind } from './extract/anchor.js';
export { KvPruner } from './kv/pruner.js';
export type { KvLayerBuffers, KvPrunerOptions, PrunedBuffers } from './kv/pruner.js';
export type { KvStorage } from './kv/kv-score.js';
export { pruneReference } from './kv/reference.js';
export type { LayerArrays, PrunedArrays } from './kv/reference.js';
export { ropeFromConfig } from './kv/rope.js';
export type { ModelConfig, RopeLayout, RopeSpec } from './kv/rope.js';
export type {
  AccumulatedPolicy,
  KeyDiffPolicy,
  KnormPolicy,
  KvPolicy,
  KvShape,
  PruneOptions,
  Rotation,
  StreamingPolicy,
  ThresholdPolicy,
} from './kv/policy.js';
export { pruneCache } from './kv/transformers.js';
export type {
  CacheTensor,
  KvCache,
  PruneCacheOptions,
  PruneCacheResult,
} from './kv/transformers.js';
export { KvChat } from './kv/chat.js';
export type { ChatLibrary, ChatModel, ChatTurn, KvChatOptions } from './kv/chat.js';
