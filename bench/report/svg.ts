/**
 * Line charts as inline SVG strings: the report is one self-contained HTML file, readable
 * offline and diffable, so no chart library and no script.
 */

/** One line of a chart; points with a missing y are left out. */
export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  title: string;
  x: { label: string; log?: boolean };
  y: { label: string; log?: boolean; percent?: boolean };
  series: readonly Series[];
}

const W = 640;
const H = 340;
const PAD = { left: 64, right: 180, top: 34, bottom: 48 };
/** Colour-blind-safe (Okabe–Ito), cycled. */
const COLOURS = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442',
];

/** Escapes text for HTML and SVG. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function ticks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++)
      out.push(10 ** e);
    return out;
  }
  const span = max - min || 1;
  const step = 10 ** Math.floor(Math.log10(span / 4));
  const unit = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= 6) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(min / unit) * unit; v <= max + 1e-9; v += unit)
    out.push(+v.toPrecision(12));
  return out;
}

function label(v: number, percent = false): string {
  if (percent) return `${Math.round(v * 100)}%`;
  if (Math.abs(v) >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (Math.abs(v) >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(+v.toPrecision(3));
}

/**
 * A line chart with axes, ticks and a legend, as an `<svg>` string.
 *
 * @example
 * lineChart({ title: 'p50', x: { label: 'N', log: true }, y: { label: 'ms' },
 *   series: [{ name: 'wasm', points: [[1e4, 0.4], [1e5, 3.1]] }] });
 */
export function lineChart(options: ChartOptions): string {
  const series = options.series
    .map((s) => ({
      ...s,
      points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)),
    }))
    .filter((s) => s.points.length);
  const head = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(options.title)}">`;
  const title = `<text x="${PAD.left}" y="20" font-weight="bold">${esc(options.title)}</text>`;
  if (!series.length) {
    return `${head}${title}<text x="${PAD.left}" y="${H / 2}">not measured in this run</text></svg>`;
  }
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const logX = options.x.log === true && Math.min(...xs) > 0;
  const logY = options.y.log === true && Math.min(...ys) > 0;
  const range = (values: number[], log: boolean, percent = false): [number, number] => {
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    if (log) return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi))];
    if (percent) return [0, Math.max(1, hi)];
    lo = Math.min(0, lo);
    if (hi === lo) hi = lo + 1;
    return [lo, hi * 1.05];
  };
  const [x0, x1] = range(xs, logX);
  const [y0, y1] = range(ys, logY, options.y.percent);
  const f = (v: number, log: boolean) => (log ? Math.log10(v) : v);
  const px = (x: number) =>
    PAD.left +
    ((f(x, logX) - f(x0, logX)) / (f(x1, logX) - f(x0, logX))) * (W - PAD.left - PAD.right);
  const py = (y: number) =>
    H -
    PAD.bottom -
    ((f(y, logY) - f(y0, logY)) / (f(y1, logY) - f(y0, logY))) * (H - PAD.top - PAD.bottom);
  const parts = [head, title];
  const axis = `stroke="#888" stroke-width="1"`;
  parts.push(
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" ${axis}/>`,
  );
  parts.push(
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" ${axis}/>`,
  );
  for (const t of ticks(x0, x1, logX)) {
    const x = px(t).toFixed(1);
    parts.push(
      `<line x1="${x}" y1="${H - PAD.bottom}" x2="${x}" y2="${H - PAD.bottom + 4}" ${axis}/>`,
    );
    parts.push(
      `<text x="${x}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11">${label(t)}</text>`,
    );
  }
  for (const t of ticks(y0, y1, logY)) {
    const y = py(t).toFixed(1);
    parts.push(`<line x1="${PAD.left}" y1="${y}" x2="${W - PAD.right}" y2="${y}" stroke="#eee"/>`);
    parts.push(
      `<text x="${PAD.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${label(t, options.y.percent)}</text>`,
    );
  }
  parts.push(
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 10}" text-anchor="middle" font-size="12">${esc(options.x.label)}${logX ? ' (log)' : ''}</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(options.y.label)}${logY ? ' (log)' : ''}</text>`,
  );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
    const d = sorted
      .map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
      .join('');
    parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const [x, y] of sorted) {
      parts.push(
        `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${colour}"><title>${esc(s.name)}: ${label(x)}, ${options.y.percent ? label(y, true) : +y.toPrecision(4)}</title></circle>`,
      );
    }
    const ly = PAD.top + 8 + i * 16;
    parts.push(
      `<rect x="${W - PAD.right + 12}" y="${ly - 5}" width="12" height="3" fill="${colour}"/>`,
    );
    parts.push(
      `<text x="${W - PAD.right + 30}" y="${ly}" dominant-baseline="middle" font-size="11">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** One bar of a bar chart. */
export interface Bar {
  name: string;
  value: number;
}

/**
 * Horizontal bars with their values written beside them, as an `<svg>` string: for figures
 * measured at one size, where a line has nothing to join.
 *
 * @example
 * barChart('reopen + first recall', 'ms', [{ name: 'memkeeper', value: 110 }]);
 */
export function barChart(title: string, unit: string, bars: readonly Bar[]): string {
  const shown = bars.filter((b) => Number.isFinite(b.value) && b.value >= 0);
  const rowH = 24;
  const left = 260;
  const right = 90;
  const height = PAD.top + rowH * Math.max(1, shown.length) + 12;
  const head = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="${esc(title)}">`;
  const parts = [head, `<text x="8" y="20" font-weight="bold">${esc(title)}</text>`];
  if (!shown.length) parts.push(`<text x="8" y="${PAD.top + 12}">not measured in this run</text>`);
  const max = Math.max(...shown.map((b) => b.value), 1e-9);
  shown.forEach((b, i) => {
    const y = PAD.top + i * rowH;
    const width = ((W - left - right) * b.value) / max;
    const colour = COLOURS[i % COLOURS.length]!;
    parts.push(
      `<text x="${left - 8}" y="${y + rowH / 2}" text-anchor="end" dominant-baseline="middle" font-size="11">${esc(b.name)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${width.toFixed(1)}" height="${rowH - 8}" fill="${colour}"/>`,
      `<text x="${(left + width + 6).toFixed(1)}" y="${y + rowH / 2}" dominant-baseline="middle" font-size="11">${+b.value.toPrecision(3)} ${esc(unit)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
