import { MemoryError } from '../errors.js';
import type { TokenCounter } from '../recall/tokens.js';
import { formatDate, speaker } from '../recall/render.js';
import type { SummaryRecord, TurnRecord } from '../store/types.js';

/** What an app's `summarize` receives: the turns leaving the window, oldest first. */
export interface SummaryTurn {
  id: string;
  role: TurnRecord['role'];
  name?: string;
  content: string;
  at: number;
}

/** An app's abstractive summarizer (its own LLM): turns in, a short text out. */
export type Summarize = (turns: readonly SummaryTurn[]) => Promise<string> | string;

/** Embeds texts for centrality (the memory's embedder). */
export type EmbedTexts = (texts: readonly string[]) => Promise<Float32Array[]>;

/** Splits a text into sentences. */
export type SplitSentences = (text: string) => string[];

/** Options of the mid-term tier. */
export interface MidTermOptions {
  /** Tokens leaving the window that make one summary (default 512). */
  everyTokens: number;
  count: TokenCounter;
  embed: EmbedTexts;
  split: SplitSentences;
  summarize?: Summarize;
}

/**
 * The mid-term tier: collects the turns leaving the window and, every `everyTokens` tokens,
 * hands a group to be summarized.
 *
 * @example
 * const tier = new MidTermTier(options);
 * for (const group of tier.add(leftTurns)) summaries.push(await tier.summarize(group, id));
 */
export class MidTermTier {
  private waiting: TurnRecord[] = [];
  private waitingTokens = 0;

  constructor(private readonly options: MidTermOptions) {}

  /** Queues turns that left the window; returns the groups now large enough to summarize. */
  add(turns: readonly TurnRecord[]): TurnRecord[][] {
    const groups: TurnRecord[][] = [];
    for (const turn of turns) {
      this.waiting.push(turn);
      this.waitingTokens += turn.tokens;
      if (this.waitingTokens >= this.options.everyTokens) {
        groups.push(this.waiting);
        this.waiting = [];
        this.waitingTokens = 0;
      }
    }
    return groups;
  }

  /** Forgets a turn still waiting for its summary. */
  remove(id: string): void {
    const turn = this.waiting.find((t) => t.id === id);
    if (!turn) return;
    this.waiting = this.waiting.filter((t) => t !== turn);
    this.waitingTokens -= turn.tokens;
  }

  /** Summarizes one group: the app's summarizer when given (extractive if it fails). */
  async summarize(turns: readonly TurnRecord[], id: string): Promise<SummaryRecord> {
    const first = turns[0];
    const last = turns[turns.length - 1];
    if (!first || !last) throw new MemoryError('BAD_INPUT', 'a summary needs at least one turn');
    let text: string | undefined;
    let method: SummaryRecord['method'] = 'abstractive';
    if (this.options.summarize) text = await this.abstractive(turns);
    if (!text) {
      method = 'extractive';
      text = await extractiveSummary(turns, this.options);
    }
    const header = `Summary of ${formatDate(first.at)} to ${formatDate(last.at)}: `;
    return {
      id,
      session: first.session,
      text: header + text,
      sources: turns.map((t) => t.id),
      from: first.at,
      to: last.at,
      tokens: this.options.count(header + text),
      method,
    };
  }

  private async abstractive(turns: readonly TurnRecord[]): Promise<string | undefined> {
    const input = turns.map(({ id, role, name, content, at }) =>
      name === undefined ? { id, role, content, at } : { id, role, name, content, at },
    );
    try {
      const text = await this.options.summarize!(input);
      return typeof text === 'string' && text.trim() ? text.trim() : undefined;
    } catch {
      // The app's model failing must not lose the turns: the extractive summary stands in.
      return undefined;
    }
  }
}

/** Share of the source tokens an extractive summary keeps, and its bounds. */
const KEEP_SHARE = 0.3;
const MIN_TOKENS = 48;
const MAX_TOKENS = 192;
/** Cosine above which a sentence restates one already kept. */
const NEAR_DUPLICATE = 0.8;
/** An assistant sentence this close to a user's sentence of the group restates it. */
const ECHO = 0.5;

interface Sentence {
  turn: TurnRecord;
  text: string;
  order: number;
  score: number;
}

/**
 * The most central sentences of the turns (cosine to the group's mean embedding), favouring
 * sentences with names, numbers and dates, kept in their original order with their speaker.
 */
export async function extractiveSummary(
  turns: readonly TurnRecord[],
  options: Pick<MidTermOptions, 'count' | 'embed' | 'split'>,
): Promise<string> {
  const sentences: Sentence[] = [];
  for (const turn of turns) {
    for (const text of options.split(turn.content)) {
      if (text.trim())
        sentences.push({ turn, text: text.trim(), order: sentences.length, score: 0 });
    }
  }
  const vectors = await options.embed(sentences.map((s) => s.text));
  const centroid = mean(vectors);
  sentences.forEach((s, i) => {
    s.score = cosine(vectors[i]!, centroid) + detailBonus(s.text) + speakerBonus(s.turn);
  });
  dropEchoes(sentences, vectors);
  const sourceTokens = turns.reduce((sum, t) => sum + t.tokens, 0);
  const budget = Math.min(MAX_TOKENS, Math.max(MIN_TOKENS, sourceTokens * KEEP_SHARE));
  const kept: Sentence[] = [];
  const keptVectors: Float32Array[] = [];
  let used = 0;
  for (const s of [...sentences].sort((a, b) => b.score - a.score)) {
    if (s.score === -Infinity) break;
    const cost = options.count(s.text) + 4;
    if (used + cost > budget && kept.length > 0) continue;
    // Boilerplate repeats ("Thanks, noted.") is central but says nothing new: keep it once.
    const vector = vectors[s.order]!;
    if (keptVectors.some((v) => cosine(v, vector) > NEAR_DUPLICATE)) continue;
    kept.push(s);
    keptVectors.push(vector);
    used += cost;
  }
  return render(kept.sort((a, b) => a.order - b.order));
}

/** Sentences grouped by turn: "Maria (user): first. second." */
function render(sentences: readonly Sentence[]): string {
  const parts: string[] = [];
  let previous: TurnRecord | undefined;
  for (const s of sentences) {
    if (s.turn !== previous) parts.push(`${speaker(s.turn)}: ${s.text}`);
    else parts[parts.length - 1] += ` ${s.text}`;
    previous = s.turn;
  }
  return parts.join(' | ');
}

const MONTHS =
  /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(mon|tues|wednes|thurs|fri|satur|sun)day\b/i;

/**
 * An assistant's sentence that restates a user's sentence of the group ("Got it: you live in
 * Lisbon") says nothing the user's does not: it is ranked last, so the user's words are kept.
 */
function dropEchoes(sentences: Sentence[], vectors: readonly Float32Array[]): void {
  const said = sentences.filter((s) => s.turn.role === 'user').map((s) => vectors[s.order]!);
  for (const s of sentences) {
    if (s.turn.role !== 'assistant') continue;
    const vector = vectors[s.order]!;
    if (said.some((v) => cosine(v, vector) > ECHO)) s.score = -Infinity;
  }
}

/**
 * What the user said outranks an assistant's restatement of it ("Got it: you live in Lisbon"),
 * which is as central but second-hand: of two near-duplicates, the user's is kept.
 */
function speakerBonus(turn: TurnRecord): number {
  return turn.role === 'user' ? 0.1 : 0;
}

/** Names, numbers and dates are what a summary most often must not drop. */
function detailBonus(text: string): number {
  let bonus = 0;
  if (/\d/.test(text)) bonus += 0.15;
  if (MONTHS.test(text)) bonus += 0.1;
  if (/\s[A-Z][a-z]+/.test(text)) bonus += 0.1; // a capitalized word past the first
  return bonus;
}

function mean(vectors: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(vectors[0]?.length ?? 0);
  for (const v of vectors) for (let d = 0; d < out.length; d++) out[d]! += v[d]!;
  return out;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < a.length; d++) {
    dot += a[d]! * b[d]!;
    na += a[d]! * a[d]!;
    nb += b[d]! * b[d]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
