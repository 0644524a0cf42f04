/**
 * Encryption at rest: AES-GCM with the app's own `CryptoKey`, a fresh random 12-byte IV per
 * record (never reused under one key), and GCM's tag so that a wrong key or a changed byte
 * fails loudly as `DECRYPT_FAILED` instead of yielding garbage.
 */
import { MemoryError, check } from '../errors.js';
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

/** PBKDF2 iterations below which a passphrase key is refused (OWASP asks 600,000 for SHA-256). */
const MIN_ITERATIONS = 100_000;

/**
 * A key for `createMemory({ encryptionKey })` from a passphrase the person types: PBKDF2 with
 * SHA-256 over the passphrase (Unicode NFC, so the same characters typed on any keyboard give
 * the same key) and `salt`, to a non-extractable AES-GCM 256-bit key. Keep the salt with the
 * app's settings (it is not secret); a different passphrase or salt gives a key that fails at
 * open with `DECRYPT_FAILED`. Inputs are checked (`BAD_INPUT`): a non-empty passphrase, a salt
 * of 8 or more bytes (16 from {@link randomSalt}), an integer count of at least 100,000.
 *
 * @example
 * const salt = randomSalt(); // stored with the app's settings
 * const memory = await createMemory({ encryptionKey: await keyFromPassphrase(typed, salt) });
 */
export async function keyFromPassphrase(
  passphrase: string,
  salt: Uint8Array,
  iterations = 600_000,
): Promise<CryptoKey> {
  check(
    typeof passphrase === 'string' && passphrase.length > 0,
    'passphrase must be a non-empty string',
  );
  check(
    salt instanceof Uint8Array && salt.length >= 8,
    'salt must be a Uint8Array of 8 or more bytes (randomSalt() gives 16)',
  );
  check(
    Number.isInteger(iterations) && iterations >= MIN_ITERATIONS && iterations <= 100_000_000,
    `iterations must be an integer of at least ${MIN_ITERATIONS}, got ${String(iterations)}`,
  );
  const subtle = crypto.subtle;
  const material = await subtle.importKey(
    'raw',
    encoder.encode(passphrase.normalize('NFC')),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: Uint8Array.from(salt), iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/**
 * 16 random bytes from the platform's CSPRNG: a salt for {@link keyFromPassphrase}, made once
 * per memory and kept with it.
 *
 * @example
 * localStorage.setItem('salt', btoa(String.fromCharCode(...randomSalt())));
 */
export function randomSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(16));
}
