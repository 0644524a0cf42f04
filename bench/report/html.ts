/** The report page: one self-contained HTML file of charts and tables from one run's figures. */
import { kvSection, memorySection, reopenSection } from './engine-sections.js';
import type { AllFigures, EvalJson, RetrievalJson } from './figures.js';
import { esc, lineChart, type Series } from './svg.js';
import { num, pct, table } from './table.js';

/** Latency vs N per backend and storage, one chart per environment (clustered data). */
function retrievalSection(r: RetrievalJson | undefined): string {
  if (!r) return '<p>Not run, or it wrote no figures.</p>';
  const parts: string[] = [];
  for (const env of r.envs) {
    const kind = env.rows[0]?.data;
    const rows = env.rows.filter((x) => x.data === kind);
    const series = new Map<string, [number, number][]>();
    for (const row of rows) {
      if (!row.b1) continue;
      const name =
        row.system === 'memkeeper' ? `${row.path} ${row.storage}` : `${row.system} ${row.path}`;
      series.set(name, [...(series.get(name) ?? []), [row.n, row.b1.msPerQuery]]);
    }
    const gpu = env.gpu ? `GPU: ${env.gpu.name}` : 'no GPU';
    parts.push(
      lineChart({
        title: `Search latency, batch 1, ${env.env} (${kind} data, d=384, k=10; ${gpu})`,
        x: { label: 'stored vectors N', log: true },
        y: { label: 'ms per query', log: true },
        series: [...series].map(([name, points]) => ({ name, points })),
      }),
    );
    parts.push(
      table(
        [
          'N',
          'system',
          'path',
          'storage',
          'reopen ms',
          'b1 ms/q',
          'b32 ms/q',
          'recall@10',
          'vs naive b1',
          'notes',
        ],
        env.rows.map((x) => [
          String(x.n),
          x.system,
          x.path,
          x.storage,
          num(x.reopenMs, 0),
          num(x.b1?.msPerQuery, 3),
          num(x.b32?.msPerQuery, 3),
          num(x.b1?.recall, 3),
          x.vsNaive.b1 ? `${x.vsNaive.b1.toFixed(1)}×` : '–',
          x.notes.join('; '),
        ]),
      ),
    );
  }
  return parts.join('\n');
}

/** Evidence recall vs context tokens, per system (each point one budget). */
function evalSection(e: EvalJson | undefined): string {
  if (!e) return '<p>Not run, or it wrote no figures.</p>';
  const series = (key: 'any' | 'all'): Series[] =>
    e.systems.map((s) => ({
      name: s.name,
      points: s.budgets.map((b) => [b.tokens, b.overall[key]] as const),
    }));
  const d = e.dataset;
  const categories = [
    ...new Set(e.systems.flatMap((s) => s.budgets.flatMap((b) => Object.keys(b.categories)))),
  ];
  const rows = e.systems.flatMap((s) =>
    s.budgets.map((b) => [
      s.name,
      String(b.budget),
      b.tokens.toFixed(0),
      pct(b.overall.any),
      pct(b.overall.all),
      ...categories.map((c) => (b.categories[c] ? pct(b.categories[c]!.any) : '–')),
      `${num(b.recallMs.p50)} / ${num(b.recallMs.p95)}`,
    ]),
  );
  return [
    `<p>${d.conversations} conversations, ${d.turns} turns, ${d.scored} questions with evidence.</p>`,
    lineChart({
      title: 'Evidence recall (any evidence turn in context) vs context tokens',
      x: { label: 'mean context tokens' },
      y: { label: 'questions', percent: true },
      series: series('any'),
    }),
    table(
      [
        'system',
        'budget',
        'tokens',
        'any',
        'all',
        ...categories.map((c) => `any, ${c}`),
        'recall ms p50 / p95',
      ],
      rows,
    ),
    table(
      ['system', 'observe ms p50', 'p95'],
      e.systems.map((s) => [s.name, num(s.observeMs.p50, 3), num(s.observeMs.p95, 3)]),
    ),
  ].join('\n');
}

function qualitySection(q: AllFigures['quality']): string {
  if (!q) return '<p>Not run, or it wrote no figures.</p>';
  // One line per dialogue set and system ("chat · memkeeper").
  const label = (s: (typeof q.scores)[number]) =>
    s.dialogue ? `${s.dialogue} · ${s.system}` : s.system;
  const names = [...new Set(q.scores.map(label))];
  const series = names.map((name) => ({
    name,
    points: q.scores.filter((s) => label(s) === name).map((s) => [s.turns, s.accuracy] as const),
  }));
  return [
    lineChart({
      title: `Answer in context, probe every 5 turns, budget ${q.budget} tokens`,
      x: { label: 'dialogue length (turns)', log: true },
      y: { label: 'probes answered', percent: true },
      series,
    }),
    table(
      ['system', 'turns', 'accuracy', 'head retention', 'stale only', 'tokens', 'recall ms p50'],
      q.scores.map((s) => [
        label(s),
        String(s.turns),
        pct(s.accuracy),
        pct(s.head),
        pct(s.staleOnly),
        s.tokens.toFixed(0),
        num(s.recallMsP50),
      ]),
    ),
  ].join('\n');
}

/**
 * The whole page.
 *
 * @example
 * writeFileSync('report.html', reportHtml(collect(runs, false)));
 */
export function reportHtml(f: AllFigures): string {
  const m = f.machine;
  const runs = table(
    ['bench', 'status', 'seconds'],
    f.runs.map((r) => [r.name, r.status, r.seconds.toFixed(1)]),
  );
  const texts = Object.entries(f.text)
    .map(([name, text]) => `<h3>${esc(name)} (printed)</h3><pre>${esc(text.trim())}</pre>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>memkeeper benchmarks ${esc(f.date.slice(0, 10))}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:12px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}
td:first-child,th:first-child{text-align:left}pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}
svg{display:block;margin:1em 0;font-family:system-ui,sans-serif}
</style></head><body>
<h1>memkeeper benchmarks</h1>
<p>Measured ${esc(f.date)}${f.quick ? ' with <code>--quick</code> (smaller sizes)' : ''} on ${esc(m.cpu)}, ${m.cores} cores, ${m.memoryGb} GB RAM, Node ${esc(m.node)}; load average at the end ${m.load.join(' / ')}. Every figure on this page was measured in this run; every ratio compares rows of the same run and environment.</p>
${runs}
<h2>Retrieval: latency vs N per backend</h2>
${retrievalSection(f.retrieval)}
<h2>Recall vs tokens (memkeeper eval)</h2>
${evalSection(f.eval)}
<h2>Quality per dialogue length</h2>
${qualitySection(f.quality)}
<h2>Memory engine speed</h2>
${memorySection(f.memory)}
<h2>Reopen in Chromium, beside the naive IndexedDB + JS cosine store</h2>
${reopenSection(f.reopen)}
<h2>KV-cache pruning</h2>
${kvSection(f.kv)}
${texts ? `<h2>Other benches</h2>\n${texts}` : ''}
</body></html>
`;
}
