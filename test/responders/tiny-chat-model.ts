/**
 * The tiny random decoder (scripts/tiny-decoder.ts, plain variant) with a tokenizer and a
 * ChatML chat template, so that the in-browser LLM responder can be driven end to end without
 * a download: 64 tokens are the model's whole vocabulary, so the tokenizer is character-level
 * (lowercased letters, digits, space, newline, punctuation) with <|im_start|>, <|im_end|> and
 * <unk> as special tokens. Written under test/models/generated/ (ignored by git) on each run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TINY, tinyConfig, tinyModel } from '../../scripts/tiny-decoder.js';

/** The model id under the folder given to `localModelPath`. */
export const TINY_CHAT = 'tiny-chat';

const SPECIAL = ['<|im_start|>', '<|im_end|>', '<unk>'];
const CHARS = [' ', '\n', ...'abcdefghijklmnopqrstuvwxyz0123456789', ...'.,!?\':-()";/[]+=_&%#@*|'];

const CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** The tokenizer.json of a character-level BPE without merges. */
function tokenizerJson(): Record<string, unknown> {
  const tokens = [...SPECIAL, ...CHARS];
  if (tokens.length !== TINY.vocab)
    throw new Error(`vocabulary of ${tokens.length}, not ${TINY.vocab}`);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab: Object.fromEntries(tokens.map((t, i) => [t, i])),
      merges: [],
    },
  };
}

/** Writes the model under `folder`; returns its directory. */
export function writeTinyChatModel(folder: string): string {
  const dir = join(folder, TINY_CHAT);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(tinyConfig('plain'), null, 2));
  // No end-of-sequence token the random model could stop on: every reply is maxNewTokens long.
  const generation = { bos_token_id: 0, eos_token_id: TINY.vocab };
  writeFileSync(join(dir, 'generation_config.json'), JSON.stringify(generation));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson()));
  const config = {
    eos_token: '<|im_end|>',
    unk_token: '<unk>',
    model_max_length: TINY.maxPositions,
    chat_template: CHAT_TEMPLATE,
  };
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'onnx', 'model.onnx'), tinyModel('plain'));
  return dir;
}
