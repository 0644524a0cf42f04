/**
 * Encryption at rest: AES-GCM with the app's own `CryptoKey`, a fresh random 12-byte IV per
 * record (never reused under one key), and GCM's tag so that a wrong key or a changed byte
 * fails loudly as `DECRYPT_FAILED` instead of yielding garbage.
 */
import { MemoryError } from '../errors.js';
import type { Sealed } from './schema.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encrypts bytes under `key` with a fresh IV. */
export async function sealBytes(key: CryptoKey, bytes: BufferSource): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, bytes);
  return { iv, data };
}

/** Decrypts what {@link sealBytes} wrote; `DECRYPT_FAILED` (naming `what`) otherwise. */
export async function openBytes(
  key: CryptoKey,
  sealed: Sealed,
  what: string,
): Promise<ArrayBuffer> {
  try {
    return await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.iv as Uint8Array<ArrayBuffer> },
      key,
      sealed.data,
    );
  } catch (error) {
    throw new MemoryError('DECRYPT_FAILED', `${what} could not be decrypted with this key`, {
      cause: error,
    });
  }
}

/** Encrypts a JSON value. */
export async function sealJson(key: CryptoKey, value: unknown): Promise<Sealed> {
  return sealBytes(key, encoder.encode(JSON.stringify(value)));
}

/** Decrypts a JSON value written by {@link sealJson}. */
export async function openJson<T>(key: CryptoKey, sealed: Sealed, what: string): Promise<T> {
  return JSON.parse(decoder.decode(await openBytes(key, sealed, what))) as T;
}

/** The known text sealed into the meta record `keyCheck`, to test a key before any write. */
export const KEY_CHECK = 'memkeeper key check v1';

/**
 * Checks that `key` is usable for AES-GCM encryption and decryption.
 *
 * @example
 * const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
 *   'encrypt', 'decrypt',
 * ]);
 * checkKey(key);
 */
export function checkKey(key: unknown): asserts key is CryptoKey {
  const k = key as CryptoKey | undefined;
  if (
    typeof k !== 'object' ||
    k === null ||
    (k.algorithm as { name?: string } | undefined)?.name !== 'AES-GCM' ||
    !k.usages.includes('encrypt') ||
    !k.usages.includes('decrypt')
  ) {
    throw new MemoryError(
      'BAD_INPUT',
      'encryptionKey must be an AES-GCM CryptoKey for encrypt and decrypt',
    );
  }
}
