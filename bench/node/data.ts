/**
 * The bench's vectors, generated once with test/data.ts and cached as raw f32 files under
 * bench/results/data: 1M clustered vectors take ~45 s to generate in JS, more than every 1M
 * search row together. Each file is one seeded stream (QUERY_ROWS queries, then the stored
 * vectors), so a smaller size reads a prefix of a larger file, and the Chromium page reads the
 * very same bytes through the bench server.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
} from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clustered, isotropic } from '../../test/data.js';
import { QUERY_ROWS, SEEDS, type DataKind } from '../options.js';

const FILE = /^(clustered|isotropic)-d(\d+)-s(\d+)-r(\d+)\.f32$/;

/** A cached stream file and how many rows it holds. */
export interface StreamFile {
  readonly path: string;
  readonly rows: number;
}

/** The smallest cached stream of `kind` with at least `rows` rows, if any. */
export function findStream(dir: string, kind: DataKind, dim: number, rows: number) {
  if (!existsSync(dir)) return undefined;
  let best: StreamFile | undefined;
  for (const file of readdirSync(dir)) {
    const m = FILE.exec(file);
    if (!m || m[1] !== kind || +m[2]! !== dim || +m[3]! !== SEEDS[kind]) continue;
    const have = +m[4]!;
    if (have >= rows && (!best || have < best.rows)) best = { path: join(dir, file), rows: have };
  }
  return best;
}

/** Makes sure a stream of at least `QUERY_ROWS + n` rows is cached; returns it. */
export function ensureStream(
  dir: string,
  kind: DataKind,
  dim: number,
  n: number,
  progress: (line: string) => void,
): StreamFile {
  const rows = QUERY_ROWS + n;
  const found = findStream(dir, kind, dim, rows);
  if (found) return found;
  mkdirSync(dir, { recursive: true });
  progress(`generating ${kind} ${rows} × ${dim} (cached for later runs)`);
  const start = performance.now();
  const seed = SEEDS[kind];
  const data = kind === 'clustered' ? clustered(rows, dim, seed) : isotropic(rows, dim, seed);
  const path = join(dir, `${kind}-d${dim}-s${seed}-r${rows}.f32`);
  writeFileSync(`${path}.tmp`, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  renameSync(`${path}.tmp`, path); // never a half-written cache file under the real name
  progress(`generated ${kind} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return { path, rows };
}

/** Reads rows [from, from + count) of a stream into a new array. */
export function readRows(file: StreamFile, dim: number, from: number, count: number) {
  if (from + count > file.rows) throw new Error(`${file.path} has only ${file.rows} rows`);
  const out = new Float32Array(count * dim);
  const bytes = new Uint8Array(out.buffer);
  const fd = openSync(file.path, 'r');
  try {
    const chunk = 1 << 28; // readSync takes at most 2 GiB at once
    for (let at = 0; at < bytes.length; at += chunk) {
      const length = Math.min(chunk, bytes.length - at);
      const got = readSync(fd, bytes, at, length, from * dim * 4 + at);
      if (got !== length) throw new Error(`short read from ${file.path}`);
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
