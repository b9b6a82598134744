import { stateError } from '@tremplin/event-sourcing';
import { PersonErasedError, type PrivacyVault } from '@tremplin/privacy';
import type { Sealed } from './sealed';

/** Seals each value under the person's key (one vault call for all of them); an erased person takes no new data. */
export async function sealAll<T extends Record<string, unknown>>(vault: PrivacyVault, tenantId: string, personId: string, values: T): Promise<{ [K in keyof T]: undefined extends T[K] ? Sealed | undefined : Sealed }> {
  const present = Object.keys(values).filter((key) => values[key] !== undefined);
  try {
    return (await vault.encryptFields(tenantId, personId, values, present)) as never;
  } catch (error) {
    if (error instanceof PersonErasedError) throw stateError('BENEFICIARY_ERASED', 'the beneficiary’s personal data was erased: nothing new is recorded about them', 'beneficiaryId');
    throw error;
  }
}
