import { createVectorIndex } from '../src/index.js';
import memories from './memories.json';

const DIM = 256;

/**
 * A stand-in embedder until the embedder issue lands: signed hashing of words and character
 * trigrams. Good enough to show the index; not the product's embedder.
 */
function embed(text: string): Float32Array {
  const out = new Float32Array(DIM);
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const add = (token: string, weight: number) => {
    let h = 2166136261;
    for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 16777619);
    out[(h >>> 1) % DIM]! += h & 1 ? weight : -weight;
  };
  for (const word of words) {
    add(word, 1);
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) add(padded.slice(i, i + 3), 0.5);
  }
  if (out.every((x) => x === 0)) out[0] = 1;
  return out;
}

const $ = <T extends Element>(selector: string) => document.querySelector(selector) as T;

async function main() {
  const index = await createVectorIndex({ dim: DIM });
  index.upsert(memories.map((text, i) => ({ id: String(i), vector: embed(text) })));
  const gpu = index.gpuInfo;
  $('#badge').textContent = gpu
    ? `GPU: ${gpu.name} · search on ${index.backend.name}`
    : `CPU · ${index.backend.name}`;
  $('#reason').textContent = `Backend: ${index.backend.name} — ${index.backend.reason}.`;
  const search = async () => {
    const query = $<HTMLInputElement>('#query').value;
    if (!query.trim()) return;
    const start = performance.now();
    const hits = await index.search(embed(query), { k: 3 });
    const ms = performance.now() - start;
    $('#hits').replaceChildren(
      ...hits.map((hit) => {
        const li = document.createElement('li');
        const bar = document.createElement('span');
        bar.className = 'bar';
        bar.style.width = `${Math.max(0, hit.score) * 8}rem`;
        li.append(bar, `${memories[Number(hit.id)]} (${hit.score.toFixed(3)})`);
        return li;
      }),
    );
    $('#timing').textContent = `Searched ${index.size} memories in ${ms.toFixed(2)} ms.`;
  };
  $('#ask').addEventListener('submit', (event) => {
    event.preventDefault();
    void search();
  });
  await search();
}

main().catch((error: unknown) => {
  $('#badge').textContent = 'error';
  $('#reason').textContent = String(error);
});
