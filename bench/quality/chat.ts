/**
 * A second dialogue generator for the quality bench, written apart from `dialogue.ts` and its
 * phrasing, so that the bench does not only measure how well extraction learned one script:
 * chat-style turns (contractions, lowercase, missing apostrophes), facts inside questions,
 * facts split over two turns (the assistant asks, the user answers in a fragment), third-person
 * phrasings ("Ana is my sister"), corrections said several ways, and distractors stating the
 * same kinds of facts about other people. Same `Dialogue` shape, seeded, so it replays.
 */
import chat from './chat.json';
import {
  pick,
  probes,
  random,
  unusedValues,
  type Dialogue,
  type Planned,
  type ScriptTurn,
} from './dialogue.js';

/** A set of wordings (chat.json, chat-heldout.json): slots, distractors, replies. */
export interface ChatWordings {
  slots: Slot[];
  distractors: string[];
  replies: string[];
}

/** A fact the user states: its wordings, corrections, questions and values. */
interface Slot {
  key: string;
  state: string[];
  /** [user, assistant question, user answer with the value]. */
  split: string[][];
  correct: string[];
  ask: string[];
  values: string[];
}

/** One time a slot's value is said: the user turns it takes, and the turn carrying the value. */
interface Saying extends Planned {
  /** Every turn of the saying (a split fact takes three); `turn` is the one holding the value. */
  turns: Map<number, ScriptTurn['role']>;
  texts: string[];
}

const START = Date.UTC(2025, 5, 2, 19, 30);
const STEP = 2 * 60_000;
const SPLIT_SHARE = 0.3;

const an = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');

function fill(template: string, value: string, old = ''): string {
  return template
    .replaceAll('{an}', an(value))
    .replaceAll('{an_old}', an(old))
    .replaceAll('{v}', value)
    .replaceAll('{old}', old);
}

/**
 * Makes a chat of `length` turns, user and assistant alternating, with a probe every 5 turns.
 *
 * @example
 * const { turns, probes } = generateChat(200, 7);
 */
export function generateChat(length: number, seed: number, data: ChatWordings = chat): Dialogue {
  const next = random(seed);
  const plan = planSayings(data, length, next);
  const byTurn = new Map<number, string>();
  for (const sayings of plan.values())
    for (const s of sayings) [...s.turns.keys()].forEach((t, i) => byTurn.set(t, s.texts[i]!));
  const unused = unusedValues(plan);
  const turns: ScriptTurn[] = [];
  for (let i = 0; i < length; i++) {
    const role = i % 2 === 0 ? 'user' : 'assistant';
    const content =
      byTurn.get(i) ??
      (role === 'user' ? distractor(data, next, unused) : pick(data.replies, next));
    turns.push({ role, content, at: START + i * STEP });
  }
  return { turns, probes: probes(length, plan, next) };
}

/** Where each slot is said: a first saying, maybe a restatement, and for some a correction. */
function planSayings(data: ChatWordings, length: number, next: () => number): Map<Slot, Saying[]> {
  const head = Math.max(2, Math.floor(length * 0.1));
  const taken = new Set<number>();
  // A user turn (even index) in [from, to), with `span` turns free from it (3 for a split).
  const place = (from: number, to: number, span: number): number => {
    for (let tries = 0; tries < 2000; tries++) {
      const t = 2 * Math.floor((from + next() * Math.max(1, to - from)) / 2);
      const need = Array.from({ length: span }, (_, k) => t + k);
      if (t + span <= length && need.every((k) => !taken.has(k))) {
        need.forEach((k) => taken.add(k));
        return t;
      }
    }
    throw new Error('no free user turn');
  };
  const say = (slot: Slot, from: number, to: number, value: string, old?: string): Saying => {
    const split = !old && slot.split.length > 0 && next() < SPLIT_SHARE;
    if (split) {
      const t = place(from, to, 3);
      const texts = pick(slot.split, next).map((s) => fill(s, value));
      const turns = new Map<number, ScriptTurn['role']>([
        [t, 'user'],
        [t + 1, 'assistant'],
        [t + 2, 'user'],
      ]);
      return { turns, turn: t + 2, value, texts };
    }
    const t = place(from, to, 1);
    const text = fill(old ? pick(slot.correct, next) : pick(slot.state, next), value, old);
    return { turns: new Map([[t, 'user']]), turn: t, value, texts: [text] };
  };
  const plan = new Map<Slot, Saying[]>();
  data.slots.forEach((slot, i) => {
    const values = [...slot.values].sort(() => next() - 0.5);
    const first =
      i % 2 === 1 ? say(slot, 0, head, values[0]!) : say(slot, head, length * 0.6, values[0]!);
    const sayings = [first];
    if (next() < 0.35) sayings.push(say(slot, first.turn + 2, length * 0.9, values[0]!));
    if (i % 3 === 2) {
      const from = Math.max(first.turn + 4, length * 0.3);
      sayings.push(say(slot, from, length * 0.95, values[1]!, values[0]!));
    }
    plan.set(
      slot,
      sayings.sort((a, b) => a.turn - b.turn),
    );
  });
  return plan;
}

/** Chatter; `{slot}` is a value of that slot this dialogue never states about the user. */
function distractor(data: ChatWordings, next: () => number, unused: Map<string, string[]>): string {
  const chosen = new Map<string, string>();
  const value = (key: string) => {
    if (!chosen.has(key)) chosen.set(key, pick(unused.get(key) ?? ['something'], next));
    return chosen.get(key)!;
  };
  return pick(data.distractors, next).replace(/\{(an_)?(\w+)\}/g, (_, article, key: string) =>
    article ? an(value(key)) : value(key),
  );
}
