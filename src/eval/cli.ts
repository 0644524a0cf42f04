/**
 * `memkeeper eval <file>`: the command line of the eval. Results go to stdout as tables (and
 * to a JSON file with --json), progress to stderr: a bar redrawn in place on a terminal, a
 * line every 10% otherwise, so that logs stay readable.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cpus } from 'node:os';
import { hashingEmbedder, transformersEmbedder } from '../index.js';
import { EvalInputError, parseDataset } from './dataset.js';
import { evaluate, type EvalProgress } from './run.js';
import {
  bm25Factory,
  embedderFactory,
  memkeeperFactory,
  recentFactory,
  type EmbedderMaker,
} from './systems.js';
import { formatEval } from './table.js';

export const USAGE = `Usage: memkeeper eval <file> [options]
  <file>                  the project's eval JSON (see src/eval/FORMAT.md) or LoCoMo's locomo10.json
  --budgets 500,1000,2000 recall budgets in tokens (default 500,1000,2000)
  --json FILE             also write every figure as JSON
  --embedder NAME         hashing (default, no download) or a transformers.js model id
  --systems LIST          memkeeper,recent,bm25,embedder (default all)
  --quiet                 no progress on stderr`;

interface Args {
  file: string;
  budgets: number[];
  json: string | undefined;
  embedder: string;
  systems: string[];
  quiet: boolean;
}

const SYSTEMS = ['memkeeper', 'recent', 'bm25', 'embedder'];

/** Parses `eval <file> [options]`; throws with the usage on anything it cannot read. */
export function parseEvalArgs(argv: readonly string[]): Args {
  const args = [...argv];
  if (args[0] !== 'eval') throw new Error(`expected the command "eval"\n${USAGE}`);
  args.shift();
  const parsed: Args = {
    file: '',
    budgets: [500, 1000, 2000],
    json: undefined,
    embedder: 'hashing',
    systems: SYSTEMS,
    quiet: false,
  };
  const value = (flag: string): string => {
    const next = args.shift();
    if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value`);
    return next;
  };
  while (args.length) {
    const arg = args.shift()!;
    if (arg === '--budgets') {
      parsed.budgets = value(arg)
        .split(',')
        .filter(Boolean)
        .map((b) => {
          const n = Number(b);
          if (!Number.isInteger(n) || n < 1)
            throw new Error(`--budgets: ${b} is not a positive integer`);
          return n;
        });
      if (!parsed.budgets.length) throw new Error('--budgets needs at least one budget');
    } else if (arg === '--json') parsed.json = value(arg);
    else if (arg === '--embedder') parsed.embedder = value(arg);
    else if (arg === '--systems') {
      parsed.systems = value(arg).split(',').filter(Boolean);
      const unknown = parsed.systems.filter((s) => !SYSTEMS.includes(s));
      if (unknown.length)
        throw new Error(`--systems: unknown ${unknown.join(', ')}; expected ${SYSTEMS.join(', ')}`);
    } else if (arg === '--quiet') parsed.quiet = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else if (!parsed.file) parsed.file = arg;
    else throw new Error(`one file at a time; got ${parsed.file} and ${arg}`);
  }
  if (!parsed.file) throw new Error(`no file given\n${USAGE}`);
  return parsed;
}

function embedderMaker(name: string): EmbedderMaker {
  // Every system gets its own instance: the hashing embedder learns IDF from what it sees.
  if (name === 'hashing') return () => hashingEmbedder({ dim: 384 });
  return () => transformersEmbedder({ model: name });
}

/** A progress bar on a terminal, a line per 10% elsewhere. */
export function progressBar(stream: NodeJS.WriteStream): EvalProgress & { end(): void } {
  let shown = -1;
  const report = ((done: number, total: number, what: string) => {
    const fraction = total ? done / total : 1;
    if (stream.isTTY) {
      const percent = Math.floor(fraction * 100);
      if (percent === shown && done !== total) return;
      shown = percent;
      const width = 30;
      const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
      stream.write(
        `\r[${bar}] ${String(percent).padStart(3)}% ${what}`
          .slice(0, (stream.columns || 80) - 1)
          .padEnd((stream.columns || 80) - 1),
      );
    } else {
      const tenth = Math.floor(fraction * 10);
      if (tenth === shown) return;
      shown = tenth;
      stream.write(`${tenth * 10}% ${what}\n`);
    }
  }) as EvalProgress & { end(): void };
  report.end = () => void (stream.isTTY && stream.write('\n'));
  return report;
}

/**
 * Runs `memkeeper eval`; resolves to the exit code (2 for a bad command line or file).
 *
 * @example
 * process.exit(await main(['eval', 'locomo10.json', '--budgets', '1000']));
 */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  let args: Args;
  let text: string;
  try {
    args = parseEvalArgs(argv);
    text = readFileSync(args.file, 'utf8');
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 2;
  }
  let dataset;
  try {
    dataset = parseDataset(text, args.file);
  } catch (error) {
    if (!(error instanceof EvalInputError)) throw error;
    console.error(`${args.file}: cannot evaluate: ${error.message}`);
    return 2;
  }
  const makeEmbedder = embedderMaker(args.embedder);
  const factories = {
    memkeeper: memkeeperFactory(makeEmbedder),
    recent: recentFactory,
    bm25: bm25Factory,
    embedder: embedderFactory(makeEmbedder),
  } as const;
  const systems = args.systems.map((s) => factories[s as keyof typeof factories]);
  const bar = args.quiet ? undefined : progressBar(process.stderr);
  const started = performance.now();
  const result = await evaluate(dataset, {
    budgets: args.budgets,
    systems,
    ...(bar ? { onProgress: bar } : {}),
  });
  bar?.end();
  const seconds = (performance.now() - started) / 1000;
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    node: process.version,
  };
  console.log(formatEval(result));
  console.log(
    `\nembedder ${args.embedder}; ${machine.cpu} (${machine.cores} cores), Node ${machine.node}; ${seconds.toFixed(1)} s`,
  );
  if (args.json) {
    const file = resolve(args.json);
    mkdirSync(dirname(file), { recursive: true });
    const out = { file: args.file, embedder: args.embedder, machine, seconds, ...result };
    writeFileSync(file, JSON.stringify(out, null, 2));
    console.log(`wrote ${file}`);
  }
  return 0;
}
