import { guaranteeGrantedV1, guaranteeRefusedV1 } from '@tremplin/contracts';
import { on, type HandlerBinding, type MessagingLog } from '@tremplin/messaging';
import type { GuaranteeGate } from './guarantee-gate.handler';

/** The guarantee fund's answers → the loan's gate, through the inbox transaction (exactly once). */
export function guaranteeAnswerConsumers(gate: GuaranteeGate, log: MessagingLog): HandlerBinding[] {
  const skipped = (outcome: { kind: string; error?: { code: string } }, loanId: string, messageId: string) => {
    if (outcome.kind === 'refused') log('warn', 'lending: guarantee answer skipped', { code: outcome.error?.code, loanId, messageId });
  };
  return [
    on(guaranteeGrantedV1, async (p, { tx, envelope }) => {
      const command = { type: 'NoteGuaranteeGranted' as const, guarantorId: p.guarantorId, guaranteedCents: p.guaranteedCents, grantedAt: p.grantedAt };
      skipped(await gate.note(p.tenantId, p.loanId, command, { commandId: envelope.messageId, tx, causationId: envelope.messageId }), p.loanId, envelope.messageId);
    }),
    on(guaranteeRefusedV1, async (p, { tx, envelope }) => {
      const command = { type: 'NoteGuaranteeRefused' as const, reasonCode: p.reasonCode, refusedAt: p.refusedAt };
      skipped(await gate.note(p.tenantId, p.loanId, command, { commandId: envelope.messageId, tx, causationId: envelope.messageId }), p.loanId, envelope.messageId);
    }),
  ];
}
