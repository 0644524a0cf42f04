import { describe, expect, it } from 'vitest';
import { MemoryError } from '../errors.js';
import { ropeFromConfig } from './rope.js';

const LLAMA = { model_type: 'llama', hidden_size: 64, num_attention_heads: 4, rope_theta: 10000 };

function refused(config: Record<string, unknown>, pattern: RegExp): void {
  let error: unknown;
  try {
    ropeFromConfig(config);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(MemoryError);
  expect((error as MemoryError).code).toBe('UNSUPPORTED_MODEL');
  expect((error as MemoryError).message).toMatch(pattern);
}

describe('ropeFromConfig', () => {
  it('reads theta, head dim and the rotate-half layout of a Llama config', () => {
    const spec = ropeFromConfig(LLAMA);
    expect(spec).toMatchObject({ headDim: 16, rotaryDim: 16, layout: 'rotate-half' });
    expect(spec.invFreq[0]).toBe(1);
    expect(spec.invFreq[7]).toBeCloseTo(10000 ** (-14 / 16), 15);
  });

  it('reads partial rotary, GPT-J interleaving and rope_parameters', () => {
    expect(ropeFromConfig({ ...LLAMA, partial_rotary_factor: 0.25 }).rotaryDim).toBe(4);
    const gptj = ropeFromConfig({ ...LLAMA, model_type: 'gptj', rotary_dim: 8 });
    expect(gptj).toMatchObject({ rotaryDim: 8, layout: 'interleaved' });
    const v5 = ropeFromConfig({
      ...LLAMA,
      rope_theta: undefined,
      rope_parameters: { rope_theta: 500, rope_type: 'default' },
    });
    expect(v5.invFreq[1]).toBeCloseTo(500 ** (-2 / 16), 15);
  });

  it('folds static scalings into the frequencies', () => {
    const plain = ropeFromConfig(LLAMA).invFreq;
    const linear = ropeFromConfig({ ...LLAMA, rope_scaling: { type: 'linear', factor: 4 } });
    expect(linear.invFreq[3]).toBeCloseTo(plain[3]! / 4, 15);
    const llama3 = ropeFromConfig({
      ...LLAMA,
      rope_scaling: { rope_type: 'llama3', factor: 8, original_max_position_embeddings: 64 },
    }).invFreq;
    expect(llama3[0]).toBe(plain[0]); // high frequency: untouched
    expect(llama3[7]).toBeCloseTo(plain[7]! / 8, 15); // long wavelength: divided
    const yarn = ropeFromConfig({
      ...LLAMA,
      rope_scaling: { type: 'yarn', factor: 4, original_max_position_embeddings: 32 },
    }).invFreq;
    expect(yarn[0]).toBe(plain[0]);
    expect(yarn[7]).toBeCloseTo(plain[7]! / 4, 15);
  });

  it('accepts Qwen2 configs whose sliding window is switched off', () => {
    expect(() =>
      ropeFromConfig({
        ...LLAMA,
        model_type: 'qwen2',
        sliding_window: 32768,
        use_sliding_window: false,
      }),
    ).not.toThrow();
  });

  it('refuses models whose keys cannot be re-rotated', () => {
    refused({ ...LLAMA, rope_scaling: { type: 'dynamic', factor: 2 } }, /dynamic NTK/);
    refused({ ...LLAMA, rope_scaling: { type: 'longrope', factor: 2 } }, /LongRoPE/);
    refused({ ...LLAMA, rope_scaling: { type: 'mrope', mrope_section: [16, 24, 24] } }, /mRoPE/);
    refused({ model_type: 'bloom', hidden_size: 64, num_attention_heads: 4 }, /ALiBi/);
    refused({ model_type: 'gpt2', n_embd: 64 }, /absolute/);
    refused({ ...LLAMA, model_type: 'mistral', sliding_window: 4096 }, /sliding window/);
    refused({ ...LLAMA, layer_types: ['sliding_attention', 'full_attention'] }, /hybrid/);
    refused({ model_type: 'llama', hidden_size: 64, num_attention_heads: 4 }, /no RoPE parameters/);
    refused({ ...LLAMA, rope_scaling: { type: 'linear' } }, /factor/);
  });
});
