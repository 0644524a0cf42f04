/**
 * The report side of `npm run bench` (loaded by bench/run-all.mjs): the eval's dataset from the
 * quality bench's scripted dialogues, and the report from every bench's output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateDialogue } from '../quality/dialogue.js';
import { collect, type BenchRun } from './figures.js';
import { reportHtml } from './html.js';

/** Dialogue lengths of the eval dataset: `--quick` stops at 1,000 turns. */
const LENGTHS = [200, 500, 1000, 2000];

/**
 * Writes the scripted dialogues (seeded as the quality bench seeds them) as an eval dataset in
 * the project's format: one conversation per length, and per fact the last probe of it, asked
 * after the whole dialogue, with the turns that state its current value as evidence.
 */
export function writeEvalDataset(file: string, maxLength: number): void {
  const conversations = LENGTHS.filter((n) => n <= maxLength).map((length) => {
    const dialogue = generateDialogue(length, length);
    const last = new Map<string, (typeof dialogue.probes)[number]>();
    for (const probe of dialogue.probes) last.set(probe.slot, probe);
    return {
      id: `dialogue-${length}`,
      sessions: [
        {
          turns: dialogue.turns.map((t, i) => ({
            id: `t${i}`,
            speaker: t.name ?? t.role,
            role: t.role,
            text: t.content,
            at: t.at,
          })),
        },
      ],
      questions: [...last.values()].map((p) => ({
        id: `${length}/${p.slot}`,
        question: p.question,
        answer: p.answer,
        evidence: p.answerTurns.map((i) => `t${i}`),
        category: `${length} turns`,
      })),
    };
  });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ format: 'memkeeper-eval/1', conversations }));
}

/** Writes report.html and all.json into `out`; returns their paths. */
export function writeReport(
  out: string,
  runs: readonly BenchRun[],
  options: { quick: boolean },
): { html: string; json: string } {
  const figures = collect(runs, options.quick);
  const html = join(out, 'report.html');
  const json = join(out, 'all.json');
  writeFileSync(html, reportHtml(figures));
  writeFileSync(json, JSON.stringify(figures, null, 2));
  return { html, json };
}
