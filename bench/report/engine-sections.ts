/**
 * The report's sections on the engine around retrieval: memory speed (observe / recall), reopen
 * in Chromium beside the naive IndexedDB + JS cosine peer, and KV pruning. Each reads one
 * bench's JSON of this run; nothing here measures.
 */
import type { ReopenFigures } from '../reopen/figures.js';
import type { KvJson, MemoryJson } from './figures.js';
import { barChart, esc, lineChart } from './svg.js';
import { num, pct, ratio, table } from './table.js';

const NOT_RUN = '<p>Not run, or it wrote no figures.</p>';
const MiB = 1024 * 1024;

function targets(list: readonly { line: string; pass: boolean }[]): string {
  const items = list.map((t) => `<li>${t.pass ? 'PASS' : '<b>FAIL</b>'} ${esc(t.line)}</li>`);
  return `<ul>${items.join('')}</ul>`;
}

/** observe() and recall() latency with the hashing embedder on the CPU. */
export function memorySection(m: MemoryJson | undefined): string {
  if (!m) return NOT_RUN;
  return [
    table(
      ['measure', 'p50 ms', 'p95 ms', 'n'],
      [
        [`observe(), ${m.turns} turns, full pipeline`, m.observe],
        [`recall(), ${m.memories} stored turns, budget 1500`, m.recall],
        [`recall() during a 2,000-turn burst (${m.busy.pending} jobs queued)`, m.busy],
      ].map(([label, q]) => {
        const quantiles = q as MemoryJson['recall'];
        const cells = [num(quantiles.p50), num(quantiles.p95), String(quantiles.n)];
        return [label as string, ...cells];
      }),
    ),
    `<p>Backend ${esc(m.backend.name)} (${esc(m.backend.reason)}); seeding ${m.memories} turns took ${num(m.seedSeconds, 1)} s; the queue drained ${num(m.drainMs, 0)} ms after the last observed turn.</p>`,
    targets(m.targets),
  ].join('\n');
}

/** Reopen + first recall and recall latency, memkeeper beside the naive peer, same run. */
export function reopenSection(r: ReopenFigures | undefined): string {
  if (!r) return NOT_RUN;
  const plain = r.reopen.filter((x) => x.label === 'plain').at(-1);
  const naive = [...new Set(r.naive.map((x) => x.vectorType))]
    .map((type) => r.naive.filter((x) => x.vectorType === type).at(-1)!)
    .map((x) => ({ name: `naive IndexedDB + JS cosine, ${x.vectorType}`, x }));
  const bars = (pick: (x: { totalMs: number; recallMs: { p50: number } }) => number) => [
    ...(plain ? [{ name: 'memkeeper (plain)', value: pick(plain) }] : []),
    ...naive.map(({ name, x }) => ({ name, value: pick(x) })),
  ];
  return [
    `<p>${esc(r.browser)}, real IndexedDB, ${r.items} memories (384-d, hashing embedder; memkeeper keeps f16, the naive peer f32 as number[] or Float32Array, one record per memory). Each reopen is a fresh page load; the figures are the second of two rounds (the first also compiles the page's code). memkeeper answers recall() in one of 100 sessions (a scan of all ${r.items} rows with the session filter in the kernel, plus BM25, tiers and packing into 800 tokens); the naive peer scores every record, as these libraries keep one store.</p>`,
    barChart(
      `Reopen + first recall at ${r.items} memories`,
      'ms',
      bars((x) => x.totalMs),
    ),
    barChart(
      `recall() p50 after the reopen, ${r.items} memories`,
      'ms',
      bars((x) => x.recallMs.p50),
    ),
    table(
      [
        'peer',
        'N',
        'reopen + first recall',
        'memkeeper',
        'peer ÷ memkeeper',
        'recall p50',
        'memkeeper',
        'peer ÷ memkeeper',
      ],
      r.comparison.map((c) => [
        c.peer,
        String(c.items),
        `${num(c.peerTotalMs, 0)} ms`,
        `${num(c.memkeeperTotalMs, 0)} ms`,
        ratio(c.reopenRatio),
        `${num(c.peerRecallP50)} ms`,
        `${num(c.memkeeperRecallP50)} ms`,
        ratio(c.recallRatio),
      ]),
    ),
    table(
      ['system', 'round', 'open ms', 'first recall ms', 'total ms', 'recall p50 / p95 ms', 'note'],
      [
        ...r.reopen.map((x) => [
          `memkeeper ${x.label}`,
          String(x.round),
          num(x.openMs, 1),
          num(x.firstRecallMs, 1),
          num(x.totalMs, 1),
          `${num(x.recallMs.p50)} / ${num(x.recallMs.p95)}`,
          `${x.backend}; target < ${r.targetMs} ms: ${x.pass ? 'pass' : 'over'}`,
        ]),
        ...r.naive.map((x) => [
          `naive ${x.vectorType}`,
          String(x.round),
          num(x.openMs, 1),
          num(x.firstRecallMs, 1),
          num(x.totalMs, 1),
          `${num(x.recallMs.p50)} / ${num(x.recallMs.p95)}`,
          'open = open + read every record',
        ]),
      ],
    ),
    table(
      ['build', 'seconds'],
      r.builds.map((b) => [b.system, num(b.buildMs / 1000, 1)]),
    ),
    table(
      ['on disk per 10k memories', 'MB'],
      r.disk.map((d) => [d.label, num(d.bytes / 1e6)]),
    ),
    r.observe
      ? `<p>observe() with write-through: ${num(r.observe.perSecond, 0)} turns/s, p50 ${num(r.observe.p50Ms)} ms, p95 ${num(r.observe.p95Ms)} ms; background settled after ${num(r.observe.settledMs / 1000)} s.</p>`
      : '',
    r.failed.length ? `<p><b>Failed:</b> ${esc(r.failed.join('; '))}</p>` : '',
  ].join('\n');
}

/** Prune time against the bandwidth floor, and the policies' quality proxies. */
export function kvSection(k: KvJson | undefined): string {
  if (!k) return NOT_RUN;
  const s = k.shape;
  const policies = [...new Set(k.quality.rows.map((r) => r.policy))];
  return [
    `<p>Cache ${s.layers} layers × ${s.kvHeads} KV heads × ${s.seq} tokens × ${s.headDim}, f32; GPU ${esc(k.gpu ?? 'none (GPU rows skipped)')}; host copy bandwidth ${num(k.hostBandwidthGbS, 1)} GB/s.</p>`,
    table(
      [
        'keep',
        'tokens',
        'GPU ms',
        'TS ms',
        'TS / GPU',
        'MiB moved',
        'floor ms',
        'GPU / floor',
        'cache MiB before → after',
      ],
      k.timing.map((r) => [
        pct(r.keepFraction),
        String(r.keep),
        num(r.gpuMs, 1),
        num(r.tsMs, 1),
        ratio(r.tsMs / r.gpuMs),
        num(r.bytesMoved / MiB, 1),
        num(r.floorMs),
        ratio(r.gpuMs / r.floorMs),
        `${num(r.cacheBytesBefore / MiB, 0)} → ${num(r.cacheBytesAfter / MiB, 0)}`,
      ]),
    ),
    `<p>Quality proxies on synthetic attention (${esc(k.quality.setup)}): they say how the policies behave on this data, nothing about a real model.</p>`,
    lineChart({
      title: 'Attention mass kept vs compression, synthetic attention',
      x: { label: 'compression (×)', log: true },
      y: { label: 'attention mass kept', percent: true },
      series: policies.map((name) => ({
        name,
        points: k.quality.rows
          .filter((r) => r.policy === name)
          .map((r) => [r.compression, r.massKept] as const),
      })),
    }),
    table(
      ['policy', 'compression', 'kept', 'attention mass kept', 'output rel. error'],
      k.quality.rows.map((r) => [
        r.policy,
        `${r.compression}×`,
        String(r.kept),
        num(r.massKept, 3),
        num(r.outputError, 3),
      ]),
    ),
  ].join('\n');
}
