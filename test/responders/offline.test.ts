/**
 * The offline responder over a real memory (hashing embedder, in-memory storage, the built-in
 * extractor): a conversation where the user says who they are at turn 1, ten turns of other
 * talk answered by the responder itself, then questions whose answers must come back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemory, type Memory } from '../../src/index.js';
import {
  NOTHING_KNOWN,
  offlineAnswer,
  offlineResponder,
} from '../../demo/src/responders/offline.js';
import { echo, sayAnchor } from '../../demo/src/responders/phrasing.js';
import { paced, wordPieces } from '../../demo/src/responders/stream.js';
import { chatTurn } from './chat-loop.js';

const CONVERSATION = [
  'Hi! My name is Maria and I live in Lisbon.',
  'I work as a nurse at the Santa Maria hospital.',
  'I prefer window seats when I fly.',
  'I plan to visit Tokyo in April with my sister Ana.',
  'I am allergic to peanuts.',
  'The weather has been rainy all week, and the trains were late again.',
  'Yesterday I baked a lemon cake for my neighbour.',
  'My favourite book is Dune.',
  'We watched a film about whales last night.',
  'The new bakery on the corner sells great croissants.',
  'My neighbour has a very loud parrot.',
];

let memory: Memory | undefined;
afterEach(() => memory?.destroy());

async function conversation({ settle, delayMs = 0 }: { settle: boolean; delayMs?: number }) {
  memory = await createMemory({ storage: 'memory', gpu: 'cpu' });
  const session = memory.session('chat-1');
  const responder = offlineResponder({ delayMs });
  for (const message of CONVERSATION) await chatTurn(session, responder, message);
  if (settle) await session.settled();
  const ask = async (message: string) => (await chatTurn(session, responder, message)).reply;
  return { session, responder, ask };
}

describe('offline responder over a real memory', () => {
  it('answers from anchors what the user said at turn 1, eleven turns later', async () => {
    const { ask } = await conversation({ settle: true });
    expect(await ask('What is my name?')).toBe('You told me your name is Maria.');
    expect(await ask("What's my name?")).toBe('You told me your name is Maria.');
    expect(await ask('Where do I live?')).toBe('You told me you live in Lisbon.');
    const work = await ask('What do I do for work?');
    expect(work).toContain('You told me you work as a nurse.');
    expect(await ask('What seat do I like?')).toBe('You said you prefer window seats.');
    expect(await ask('Am I allergic to anything?')).toBe(
      'You told me you are allergic to peanuts.',
    );
    const trip = await ask('What are my travel plans?');
    expect(trip).toContain('You mentioned you plan to visit Tokyo in april.');
    expect(await ask("What's my favourite book?")).toContain('Dune');
  });

  it('quotes an earlier turn with its date when no anchor holds the answer', async () => {
    const { ask } = await conversation({ settle: true });
    const reply = await ask('What did I bake?');
    expect(reply).toMatch(/^On \d{1,2} \w+ \d{4} you said: “Yesterday I baked a lemon cake/);
    expect(reply).not.toContain('What did I bake');
  });

  it('answers with what it has even before background extraction is done', async () => {
    // No timer runs between turns here, so the background queue has not started: the answer
    // comes from the turn itself.
    const { ask } = await conversation({ settle: false });
    expect(await ask('What is my name?')).toMatch(/^On .* you said: “Hi! My name is Maria/);
    expect(await ask('Where do I live?')).toContain('Lisbon');
  });

  it('answers from anchors as the app runs it: replies paced, extraction in between', async () => {
    const { ask } = await conversation({ settle: false, delayMs: 8 });
    expect(await ask('What is my name?')).toBe('You told me your name is Maria.');
    expect(await ask('Where do I live?')).toBe('You told me you live in Lisbon.');
  });

  it('says so when memory holds nothing on the question, and lists the profile when asked', async () => {
    const { ask } = await conversation({ settle: true });
    expect(await ask('What is the capital of Peru?')).toBe(NOTHING_KNOWN);
    const profile = await ask('What do you know about me?');
    for (const fact of ['Maria', 'Lisbon', 'nurse', 'window seats', 'peanuts', 'Dune'])
      expect(profile).toContain(fact);
    expect(profile).not.toMatch(/mentioned by/);
  });

  it('greets, thanks and acknowledges in a few words', async () => {
    memory = await createMemory({ storage: 'memory', gpu: 'cpu' });
    const session = memory.session('chat-2');
    const responder = offlineResponder({ delayMs: 0 });
    const hello = await chatTurn(session, responder, 'Hello!', { userName: 'Maria' });
    expect(hello.reply).toMatch(/^Hi Maria! /);
    const first = await chatTurn(session, responder, 'Hi! My name is Maria and I live in Lisbon.');
    expect(first.reply).toBe(
      "Hi! Got it: your name is Maria and you live in Lisbon. I'll remember that.",
    );
    expect((await chatTurn(session, responder, 'Thanks!')).reply).toBe("You're welcome!");
    expect((await chatTurn(session, responder, 'Where is my umbrella?')).reply).toBe(NOTHING_KNOWN);
  });
});

describe('phrasing', () => {
  it('says anchors back to the user', () => {
    const at = '[2025-01-06 09:01] ';
    expect(sayAnchor(`${at}The user lives in Lisbon (home city).`)).toBe(
      'You told me you live in Lisbon.',
    );
    expect(sayAnchor(`${at}The user's favourite book is Dune (liked most).`)).toBe(
      'You told me your favourite book is Dune.',
    );
    expect(sayAnchor(`${at}The user watches birds (hobby).`)).toBe('You told me you watch birds.');
    expect(sayAnchor(`${at}The user does not like olives.`)).toBe(
      'You said you do not like olives.',
    );
    expect(sayAnchor(`${at}Ana is the user's sister.`)).toBe('You told me Ana is your sister.');
    expect(sayAnchor(`${at}Standing instruction from the user: Please keep answers short.`)).toBe(
      'You asked me to keep answers short.',
    );
    expect(sayAnchor(`${at}Standing instruction from the user: Don't use emojis.`)).toBe(
      'You asked me to not use emojis.',
    );
    expect(sayAnchor(`${at}The user lives in Paris. (superseded)`)).toMatch(
      /^You told me you live in Paris\. \(You told me something different later\.\)$/,
    );
    expect(sayAnchor(`${at}Pixel (person), mentioned by Maria (user).`)).toBe(
      'You mentioned Pixel (person).',
    );
  });

  it('echoes statements about the user, and not those about "you"', () => {
    expect(echo("I'm a nurse and my cat is called Pixel.")).toBe(
      "you're a nurse and your cat is called Pixel.",
    );
    expect(echo('I am allergic to peanuts.')).toBe('you are allergic to peanuts.');
    expect(echo('Call me Max. I am from Paris.')).toBe(
      'I should call you Max. You are from Paris.',
    );
    expect(echo('Can you help me?')).toBeUndefined();
    expect(echo('The trains were late.')).toBeUndefined();
  });

  it('answers a question whose recall is empty honestly', () => {
    const recall = {
      text: '',
      messages: [],
      items: [],
      explain: {} as never,
    };
    expect(offlineAnswer({ message: 'Where do I live?', turnId: 't0', recall })).toBe(
      NOTHING_KNOWN,
    );
  });
});

describe('streaming', () => {
  it('cuts a reply into word pieces that join back to it', () => {
    const text = 'You told me your name is Maria.\n\nEarlier,  on 6 January 2025 you said: “x”';
    expect(wordPieces(text).join('')).toBe(text);
    expect(wordPieces(text)[0]).toBe('You ');
    expect(wordPieces('')).toEqual([]);
  });

  it('paces the pieces and stops when the signal aborts', async () => {
    const controller = new AbortController();
    const got: string[] = [];
    const start = performance.now();
    await expect(
      (async () => {
        for await (const piece of paced('one two three four five six', {
          delayMs: 8,
          signal: controller.signal,
        })) {
          got.push(piece);
          if (got.length === 3) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(got).toEqual(['one ', 'two ', 'three ']);
    expect(performance.now() - start).toBeGreaterThanOrEqual(14);
  });
});
