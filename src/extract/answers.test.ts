import { describe, expect, it } from 'vitest';
import { createMemory } from '../memory.js';
import type { EarlierTurn } from './answers.js';
import { extractAnchors } from './extract.js';

const user = (content: string): EarlierTurn => ({ role: 'user', content });
const assistant = (content: string): EarlierTurn => ({ role: 'assistant', content });
const facts = (content: string, previous: EarlierTurn[]) =>
  extractAnchors({ role: 'user', content, previous })
    .filter((c) => c.kind !== 'entity')
    .map((c) => `${c.key}=${c.value}`);

describe('a fact said over two turns: the assistant asks, the user answers in a fragment', () => {
  it('reads the fragment with the question and the turn before it', () => {
    expect(
      facts('Miso', [
        user('we got a kitten yesterday'),
        assistant("Cute! What's the kitten called?"),
      ]),
    ).toEqual(['user.pet.cat.miso=miso']);
    expect(
      facts('Leipzig, finally!', [user("I'm moving next month"), assistant('Exciting, where to?')]),
    ).toEqual(['user.location=leipzig']);
    expect(facts('Priya', [assistant("Before we start, what's your name?")])).toEqual([
      'user.name=priya',
    ]);
    expect(
      facts('data analyst, mostly dashboards', [
        user('I start a new job on Monday'),
        assistant("Nice! What's the role?"),
      ]),
    ).toEqual(['user.job=data analyst']);
    expect(
      facts('Tomas. He is two years older', [
        user('my brother is visiting'),
        assistant("Lovely. What's his name?"),
      ]),
    ).toEqual(['user.brother.tomas=tomas']);
  });

  it('reads nothing into a turn that is no answer, or a question it cannot place', () => {
    const named = [user('we adopted a puppy'), assistant('What did you name him?')];
    expect(facts("haven't decided yet", named)).toEqual([]);
    expect(facts('No idea, any suggestions?', named)).toEqual([]);
    expect(
      facts('Ghent', [user('I lost my keys again'), assistant('Oh no! Where is it?')]),
    ).toEqual([]);
    expect(facts('Biscuit', [assistant('Sounds good.')])).toEqual([]);
    expect(facts('Biscuit', [user('What did you name him?')])).toEqual([]);
    expect(facts('Biscuit', [])).toEqual([]);
  });

  it('is read that way by the engine, from the turns observed before', async () => {
    const memory = await createMemory({ gpu: 'cpu', storage: 'memory' });
    const s = memory.session('puppy');
    await s.observe({ role: 'user', content: 'we adopted a puppy last weekend!' });
    await s.observe({ role: 'assistant', content: 'Congratulations! What did you name him?' });
    const answer = await s.observe({ role: 'user', content: "Biscuit :) he's a menace already" });
    await s.settled();
    const { anchors } = await s.inspect();
    expect(anchors.find((a) => a.key === 'user.pet.dog.biscuit')?.sources).toEqual([answer.id]);
    await memory.destroy();
  });
});
