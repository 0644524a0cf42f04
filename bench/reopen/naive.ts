/**
 * The naive peer's steps of the reopen bench (see ../peers/naive-idb.ts): `naive-build` writes
 * the same n memories as memkeeper's build (same texts, same hashing-embedder vectors, kept at
 * f32 where memkeeper keeps f16) as one IndexedDB record each; `naive-reopen` opens the
 * database cold, reads every record back, answers the first question (embed, cosine over all n,
 * sort, top 10 with their texts), then times the same questions memkeeper's reopen times.
 */
import { hashingEmbedder } from '../../src/index.js';
import { asStored, NaiveIdb, type NaiveVectorType } from '../peers/naive-idb.js';
import { BATCH, FIRST_QUESTION, percentiles, QUESTIONS, say } from './texts.js';

const TOP_K = 10;

/** Writes n memories; the vectors as `type` (number[] as most libraries, or Float32Array). */
export async function naiveBuild(name: string, n: number, type: NaiveVectorType) {
  await NaiveIdb.remove(name);
  const embedder = hashingEmbedder({ dim: 384 });
  const db = await NaiveIdb.open(name);
  const start = performance.now();
  for (let from = 0; from < n; from += BATCH) {
    const texts = Array.from({ length: Math.min(BATCH, n - from) }, (_, j) => say(from + j));
    const vectors = await embedder.embed(texts);
    await db.write(
      texts.map((text, j) => ({ id: `m${from + j}`, text, vector: asStored(vectors[j]!, type) })),
    );
  }
  db.close();
  return { items: n, vectorType: type, buildMs: performance.now() - start };
}

/** Cold open + read-all + first recall, then recall latency on the bench's questions. */
export async function naiveReopen(name: string) {
  const embedder = hashingEmbedder({ dim: 384 });
  const t0 = performance.now();
  const db = await NaiveIdb.open(name);
  const store = await db.load();
  const t1 = performance.now();
  const vectorType: NaiveVectorType =
    store.entries[0]?.vector instanceof Float32Array ? 'Float32Array' : 'number[]';
  // The question's vector in the form the memories' are kept in, as the library converts both.
  const recall = async (question: string) => {
    const [vector] = await embedder.embed([question]);
    return store.query(asStored(vector!, vectorType), TOP_K).map((hit) => hit.text);
  };
  const first = await recall(FIRST_QUESTION);
  const t2 = performance.now();
  const times: number[] = [];
  for (const question of QUESTIONS) {
    const t = performance.now();
    await recall(question);
    times.push(performance.now() - t);
  }
  db.close();
  return {
    items: store.entries.length,
    vectorType,
    openMs: t1 - t0,
    firstRecallMs: t2 - t1,
    totalMs: t2 - t0,
    recalled: first.length,
    recallMs: { ...percentiles(times), n: times.length },
  };
}
