import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  readonly iv: Buffer;
  readonly ct: Buffer;
  readonly tag: Buffer;
}

export function newKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** AES-256-GCM with a fresh random IV; the AAD binds the ciphertext to where it belongs (tenant, key, person). */
export function seal(key: Buffer, plaintext: Buffer, aad: string): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ct, tag: cipher.getAuthTag() };
}

export function open(key: Buffer, sealed: Sealed, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ct), decipher.final()]);
}

/** Wrapped keys are stored as one value: iv ‖ tag ‖ ciphertext. */
export function wrapKey(wrappingKey: Buffer, key: Buffer, aad: string): Buffer {
  const { iv, ct, tag } = seal(wrappingKey, key, aad);
  return Buffer.concat([iv, tag, ct]);
}

export function unwrapKey(wrappingKey: Buffer, wrapped: Buffer, aad: string): Buffer {
  return open(wrappingKey, { iv: wrapped.subarray(0, IV_BYTES), tag: wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES), ct: wrapped.subarray(IV_BYTES + TAG_BYTES) }, aad);
}

export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update('tremplin-master-key:').update(key).digest('hex').slice(0, 16);
}
