/** The small resource panel: GPU, retrieval backend, bytes on the GPU and in storage, timings. */
import type { Memory, StorageReport } from '../../../src/index.js';
import { fill, formatBytes, h } from '../dom.js';
import type { KvStatus } from '../responders/types.js';

export interface StatsModel {
  memory: Memory;
  storage: StorageReport | undefined;
  lastRecallMs: number | undefined;
  embedderLabel: string;
  kv: KvStatus | undefined;
}

export function renderStats(root: HTMLElement, model: StatsModel): void {
  const { memory, storage } = model;
  const index = memory.indexStats;
  const rows: [string, string, string][] = [
    [
      'GPU',
      memory.gpu ? `${memory.gpu.name}${memory.gpu.isFallback ? ' (software)' : ''}` : 'none — CPU',
      'stat-gpu',
    ],
    ['Retrieval', memory.backend.name, 'stat-backend'],
    ['Embedder', model.embedderLabel, 'stat-embedder'],
    ['Vectors', String(index.vectors), 'stat-vectors'],
    ['GPU memory', formatBytes(index.gpuBytes), 'stat-gpu-bytes'],
    ['Index in RAM', formatBytes(index.hostBytes), 'stat-host-bytes'],
    ['Stored', formatBytes(storage?.bytes), 'stat-stored'],
    [
      'Origin',
      storage?.usage === undefined
        ? '—'
        : `${formatBytes(storage.usage)} of ${formatBytes(storage.quota)}`,
      'stat-origin',
    ],
    [
      'Persistent',
      storage?.persisted === undefined ? '—' : storage.persisted ? 'yes' : 'best effort',
      'stat-persisted',
    ],
    [
      'Last recall',
      model.lastRecallMs === undefined ? '—' : `${model.lastRecallMs.toFixed(1)} ms`,
      'stat-recall-ms',
    ],
  ];
  if (model.kv)
    rows.push([
      'KV cache',
      `${model.kv.cacheTokens} / ${model.kv.conversationTokens} tok`,
      'stat-kv',
    ]);
  const list = h('dl', { class: 'stats-list', style: 'display: contents' });
  for (const [label, value, id] of rows)
    list.append(h('dt', {}, label), h('dd', { title: value, dataset: { testid: id } }, value));
  fill(root, list);
  root.title = memory.backend.reason;
}

/** The top bar's badge: GPU (adapter name) or CPU, and the retrieval backend. */
export function renderBadge(badge: HTMLElement, memory: Memory): void {
  const gpu = memory.gpu;
  const backend = memory.backend.name;
  // A software adapter (SwiftShader) is a CPU in disguise: the index searches on WASM then.
  const onGpu = gpu !== undefined && !gpu.isFallback;
  badge.dataset.kind = onGpu ? 'gpu' : 'cpu';
  const detail = gpu && !onGpu ? ` (software GPU: ${gpu.name})` : '';
  badge.replaceChildren(
    onGpu ? `GPU · ${gpu.name} · ${backend}` : `CPU · ${backend}`,
    h('span', { class: 'badge-detail' }, detail),
  );
  badge.title = `Retrieval on ${backend}: ${memory.backend.reason}`;
}
