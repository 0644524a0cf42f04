/** Builds the responder the settings name. */
import { LLM_MODELS, llmResponder } from './responders/llm.js';
import { offlineResponder } from './responders/offline.js';
import { openAiResponder } from './responders/openai.js';
import type { Responder } from './responders/types.js';
import type { AppSettings } from './settings.js';
import type { LlmEntry } from './ui/settings-dialog.js';

/** The in-browser models offered, with the download size a person should expect. */
export const LLMS: LlmEntry[] = LLM_MODELS.map((m) => {
  const mb = m.downloadMB?.[m.dtype] ?? m.downloadMB?.[m.fallbackDtype ?? ''];
  return { id: m.id, label: m.label, size: mb ? `~${mb} MB` : 'size unknown' };
});

export function createResponder(settings: AppSettings): Responder {
  if (settings.responder === 'openai') return openAiResponder(settings.openai);
  if (settings.responder === 'llm') {
    const model = LLM_MODELS.find((m) => m.id === settings.llmModel) ?? LLM_MODELS[0]!;
    return llmResponder({ model });
  }
  return offlineResponder();
}
