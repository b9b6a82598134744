import type { ContractRegistry } from '@tremplin/contracts';
import type { HandlerBinding } from '@tremplin/messaging';
import { appendAllToLog, appendToLog } from '../facts/facts.store';

/**
 * Every published contract, kept in the log in the inbox transaction (exactly once), for the folder to fold.
 * Contracts without a fold are kept too: when their figures are added, a rebuild from the log shows their history.
 */
export function consumedLogConsumers(registry: ContractRegistry, options: { readonly batches?: boolean } = {}): HandlerBinding[] {
  // One function for every contract: the consumer hands a chunk's consecutive new messages to it at once, whatever
  // their contract, and they are kept in one statement (the per-message handler stays for the consumer's slow path).
  const handleBatch: HandlerBinding['handleBatch'] = async (items, { tx }) => {
    await appendAllToLog(
      tx,
      items.map(({ envelope, payload }) => ({ messageId: envelope.messageId, name: envelope.name, tenantId: envelope.tenantId, occurredAt: envelope.occurredAt, payload })),
    );
  };
  return registry.contracts.map((contract) => ({
    contract: contract.name,
    handle: async (payload, { tx, envelope }) => {
      const event = { messageId: envelope.messageId, name: envelope.name, tenantId: envelope.tenantId, occurredAt: envelope.occurredAt, payload };
      await appendToLog(tx, event);
    },
    ...(options.batches === false ? {} : { handleBatch }),
  }));
}
