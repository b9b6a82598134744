import { beneficiaryErasedV1 } from '@tremplin/contracts';
import { on, type HandlerBinding, type MessagingLog } from '@tremplin/messaging';
import type { PrivacyVault } from '@tremplin/privacy';

/**
 * A person erased in intake is erased here too: their key in this service's vault is deleted, so the contact notes
 * and bank details sealed under it read "[erased]" from then on. Deleting a key already gone changes nothing, so a
 * message delivered twice is harmless.
 */
export function erasureConsumers(vault: PrivacyVault, log: MessagingLog): HandlerBinding[] {
  return [
    on(beneficiaryErasedV1, async (p, context) => {
      const erased = await vault.erase(p.tenantId, p.beneficiaryId);
      log('info', 'accompaniment: person erased after intake', { beneficiaryId: p.beneficiaryId, reason: p.reason, keyDeleted: erased.keyId !== undefined, messageId: context.envelope.messageId });
    }),
  ];
}
