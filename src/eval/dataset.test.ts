import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvalInputError, parseDataset } from './dataset.js';
import { locomoDate, locomoEvidence } from './locomo.js';

const fixture = (name: string) => readFileSync(join('test/fixtures/eval', name), 'utf8');

describe('parseDataset', () => {
  it('reads the own format: turns in order, session dates, roles by first speaker', () => {
    const data = parseDataset(fixture('tiny.json'));
    expect(data.format).toBe('memkeeper');
    const [c] = data.conversations;
    expect(c!.turns.map((t) => t.id)).toEqual(['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8']);
    expect(c!.turns.map((t) => t.role).slice(0, 2)).toEqual(['user', 'assistant']);
    expect(c!.turns[1]!.at - c!.turns[0]!.at).toBe(60_000);
    expect(new Date(c!.turns[4]!.at).toISOString()).toBe('2023-06-10T18:00:00.000Z');
    // A string of ids, a list with "a; b", and an unknown id dropped with a warning.
    expect(c!.questions.map((q) => q.evidence)).toEqual([['t1'], ['t5'], ['t5', 't7'], ['t3'], []]);
    expect(data.warnings).toEqual([
      'conversations[0].questions[3].evidence: "t99" is no turn of this conversation; ignored',
    ]);
  });

  it('reads LoCoMo into the same turns and times as the own format', () => {
    const own = parseDataset(fixture('tiny.json')).conversations[0]!;
    const data = parseDataset(fixture('tiny-locomo.json'));
    expect(data.format).toBe('locomo');
    const c = data.conversations[0]!;
    expect(c.turns.map((t) => [t.speaker, t.role, t.text, t.at])).toEqual(
      own.turns.map((t) => [t.speaker, t.role, t.text, t.at]),
    );
    expect(c.questions.map((q) => q.evidence)).toEqual([
      ['D1:1'],
      ['D2:1'],
      ['D2:1', 'D2:3'],
      ['D1:3'],
      [],
    ]);
    expect(c.questions.map((q) => q.category)).toEqual([
      '4 single-hop',
      '4 single-hop',
      '1 multi-hop',
      '4 single-hop',
      '5 adversarial',
    ]);
    expect(c.questions[4]!.answer).toBe('blue');
    expect(data.warnings).toEqual([
      '[0].qa[3].evidence: D9:9 is no turn of this conversation; ignored',
    ]);
  });

  it('takes one LoCoMo sample object as well as the list', () => {
    const [sample] = JSON.parse(fixture('tiny-locomo.json')) as unknown[];
    expect(parseDataset(JSON.stringify(sample)).conversations[0]!.turns).toHaveLength(8);
  });
});

describe('lenient LoCoMo fields', () => {
  const known = new Set(['D8:6', 'D9:17', 'D1:3', 'D2:4']);
  it('splits evidence strings and normalises ids', () => {
    const warnings: string[] = [];
    expect(
      locomoEvidence(['D8:6; D9:17', 'D1:03', 'D 2 : 4', 'D8:6'], 'e', known, warnings),
    ).toEqual(['D8:6', 'D9:17', 'D1:3', 'D2:4']);
    expect(locomoEvidence('D8:6,D9:17', 'e', known, warnings)).toEqual(['D8:6', 'D9:17']);
    expect(warnings).toEqual([]);
  });

  it('drops what is no turn id, with a warning each', () => {
    const warnings: string[] = [];
    expect(locomoEvidence(['D7:1', 'none', 3], 'e', known, warnings)).toEqual([]);
    expect(warnings).toEqual([
      'e[1]: "none" holds no dia_id; ignored',
      'e[2]: number is no turn id; ignored',
      'e: D7:1 is no turn of this conversation; ignored',
    ]);
  });

  it('reads LoCoMo session dates', () => {
    expect(new Date(locomoDate('1:56 pm on 8 May, 2023')!).toISOString()).toBe(
      '2023-05-08T13:56:00.000Z',
    );
    expect(new Date(locomoDate('12:05 am on 1 January, 2024')!).toISOString()).toBe(
      '2024-01-01T00:05:00.000Z',
    );
    expect(locomoDate('sometime')).toBeUndefined();
  });
});

describe('malformed files', () => {
  const bad = (text: string) => () => parseDataset(text, 'data.json');
  const own = (conversation: unknown) => JSON.stringify({ conversations: [conversation] });
  const turn = { id: 't1', speaker: 'A', text: 'hello' };

  it('names the line and column of broken JSON', () => {
    expect(bad('{\n  "conversations": [\n    {,\n  ]\n}')).toThrow(
      /data.json: not JSON \(line 3, column 6/,
    );
  });

  it('names the field that is missing or wrong', () => {
    expect(bad('{}')).toThrow(/data.json.conversations: missing/);
    expect(bad(own({ sessions: [{ turns: [turn] }], questions: [] }))).toThrow(
      'conversations[0].id: expected a string, got undefined',
    );
    expect(
      bad(own({ id: 'c', sessions: [{ turns: [{ id: 't1', speaker: 'A' }] }], questions: [] })),
    ).toThrow('conversations[0].sessions[0].turns[0].text: expected a string, got undefined');
    expect(bad(own({ id: 'c', sessions: [{ turns: [turn] }] }))).toThrow(
      'conversations[0].questions: expected a list of questions',
    );
    expect(
      bad(own({ id: 'c', sessions: [{ turns: [turn] }], questions: [{ evidence: ['t1'] }] })),
    ).toThrow('conversations[0].questions[0].question: expected a string, got undefined');
    expect(
      bad(own({ id: 'c', sessions: [{ date: 'soon', turns: [turn] }], questions: [] })),
    ).toThrow('conversations[0].sessions[0].date: expected a date');
    expect(
      bad(own({ id: 'c', sessions: [{ turns: [{ ...turn, role: 'bot' }] }], questions: [] })),
    ).toThrow('conversations[0].sessions[0].turns[0].role: expected "user" or "assistant"');
    expect(bad(own({ id: 'c', sessions: [{ turns: [turn, turn] }], questions: [] }))).toThrow(
      'id "t1" is used twice',
    );
  });

  it('names the LoCoMo field that is wrong', () => {
    interface Sample {
      qa?: { question: unknown }[];
      conversation: { session_2?: { text: string }[]; speaker_a?: string };
    }
    const [sample] = JSON.parse(fixture('tiny-locomo.json')) as Sample[];
    const broken = (edit: (s: Sample) => void) => {
      const copy = structuredClone(sample!);
      edit(copy);
      return bad(JSON.stringify([copy]));
    };
    expect(broken((s) => delete s.qa)).toThrow(
      '[0].qa: expected a list of questions, got undefined',
    );
    expect(broken((s) => (s.conversation.session_2![1]!.text = ''))).toThrow(
      '[0].conversation.session_2[1].text: is empty',
    );
    expect(broken((s) => (s.conversation = { speaker_a: 'A' }))).toThrow(
      '[0].conversation: has no session_N lists',
    );
    expect(broken((s) => (s.qa![0]!.question = 7))).not.toThrow();
    expect(() => parseDataset('[]')).toThrow(EvalInputError);
  });
});
