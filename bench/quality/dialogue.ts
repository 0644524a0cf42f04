/**
 * Scripted long dialogues for the quality bench: facts planted (half of them in the first
 * 10%), restated, corrected later, buried in distractor chatter, and probed every 5 turns.
 * Seeded, so every run and every system sees the same dialogue.
 */
import script from './script.json';

export interface ScriptTurn {
  role: 'user' | 'assistant';
  content: string;
  at: number;
  name?: string;
}

/** A question about something said earlier, asked after `after` turns were observed. */
export interface Probe {
  after: number;
  question: string;
  slot: string;
  /** The value true now, and the indexes of the turns that state it. */
  answer: string;
  answerTurns: number[];
  /** The value it replaced, when the fact was corrected before the probe. */
  stale?: string;
  /** True when the answer was first stated in the first 10% and never corrected since. */
  head: boolean;
}

export interface Dialogue {
  turns: ScriptTurn[];
  probes: Probe[];
}

type Slot = (typeof script.slots)[number];

interface Statement extends Planned {
  corrects?: string;
}

/** A seeded generator (LCG), so that a dialogue replays. */
export function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** One element of `list`, chosen by the seeded generator. */
export const pick = <T>(list: readonly T[], next: () => number): T =>
  list[Math.floor(next() * list.length)]!;
const START = Date.UTC(2025, 2, 3, 8, 0);
const STEP = 3 * 60_000;

/** Makes a dialogue of `length` turns (user and assistant alternating). */
export function generateDialogue(length: number, seed: number): Dialogue {
  const next = random(seed);
  const plan = planFacts(length, next);
  const statementAt = new Map<number, { slot: Slot; text: string }>();
  for (const [slot, statements] of plan) {
    for (const s of statements) {
      const text = s.corrects ? slot.correct : pick(slot.state, next);
      statementAt.set(s.turn, { slot, text: text.replace('{v}', s.value) });
    }
  }
  const unused = unusedValues(plan);
  const turns: ScriptTurn[] = [];
  for (let i = 0; i < length; i++) {
    const at = START + i * STEP;
    if (i % 2 === 1) turns.push({ role: 'assistant', content: pick(script.replies, next), at });
    else {
      const content = statementAt.get(i)?.text ?? distractor(next, unused);
      turns.push({ role: 'user', content, at, name: 'Sam' });
    }
  }
  return { turns, probes: probes(length, plan, next) };
}

/** Where each slot is stated: first statement, maybe a restatement, maybe a correction. */
function planFacts(length: number, next: () => number): Map<Slot, Statement[]> {
  const head = Math.max(2, Math.floor(length * 0.1));
  const taken = new Set<number>();
  const userTurn = (from: number, to: number) => {
    for (let tries = 0; tries < 1000; tries++) {
      const t = 2 * Math.floor((from + next() * Math.max(1, to - from)) / 2);
      if (t < length && !taken.has(t)) return (taken.add(t), t);
    }
    throw new Error('no free user turn');
  };
  const plan = new Map<Slot, Statement[]>();
  script.slots.forEach((slot, i) => {
    const inHead = i % 2 === 0;
    const first = inHead ? userTurn(0, head) : userTurn(head, length * 0.6);
    const values = [...slot.values].sort(() => next() - 0.5);
    const statements: Statement[] = [{ turn: first, value: values[0]! }];
    if (next() < 0.3)
      statements.push({ turn: userTurn(first + 2, length * 0.9), value: values[0]! });
    if (i % 3 === 1) {
      const later = userTurn(Math.max(first + 4, length * 0.3), length * 0.9);
      statements.push({ turn: later, value: values[1]!, corrects: values[0]! });
    }
    plan.set(
      slot,
      statements.sort((a, b) => a.turn - b.turn),
    );
  });
  return plan;
}

/** What probes and distractors need of a slot: its key, its questions and its values. */
export interface PlannedSlot {
  key: string;
  ask: readonly string[];
  values: readonly string[];
}

/** A turn that states a value of a slot. */
export interface Planned {
  turn: number;
  value: string;
}

/**
 * A probe every 5 turns, about a fact stated at least 4 turns before (both generators probe
 * the same way; only their wordings differ).
 */
export function probes<S extends PlannedSlot>(
  length: number,
  plan: Map<S, Planned[]>,
  next: () => number,
): Probe[] {
  const head = Math.max(2, Math.floor(length * 0.1));
  const out: Probe[] = [];
  for (let after = 5; after <= length; after += 5) {
    const known = [...plan].filter(([, s]) => s[0]!.turn < after - 4);
    if (!known.length) continue;
    const [slot, statements] = pick(known, next);
    const said = statements.filter((s) => s.turn < after);
    const current = said[said.length - 1]!;
    const answerTurns = said.filter((s) => s.value === current.value).map((s) => s.turn);
    const stale = said.find((s) => s.value !== current.value)?.value;
    out.push({
      after,
      question: pick(slot.ask, next),
      slot: slot.key,
      answer: current.value,
      answerTurns,
      ...(stale ? { stale } : {}),
      head: answerTurns[0]! < head,
    });
  }
  return out;
}

/** Values of each slot that the dialogue never states, for the distractors to mention. */
export function unusedValues<S extends PlannedSlot>(
  plan: Map<S, Planned[]>,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [slot, statements] of plan) {
    const used = new Set(statements.map((s) => s.value));
    out.set(
      slot.key,
      slot.values.filter((v) => !used.has(v)),
    );
  }
  return out;
}

const FILL: Record<string, string> = {
  c: 'city',
  j: 'job',
  a: 'allergy',
  f: 'food',
  car: 'car',
  h: 'hobby',
  i: 'instrument',
  p: 'pet',
};

function distractor(next: () => number, unused: Map<string, string[]>): string {
  return pick(script.distractors, next).replace(/\{(\w+)\}/g, (_, k: string) =>
    pick(unused.get(FILL[k] ?? '') ?? ['something'], next),
  );
}
