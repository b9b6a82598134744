import type { ContractRegistry } from '@tremplin/contracts';
import type { HandlerBinding } from '@tremplin/messaging';
import { appendToLog } from '../facts/facts.store';

/**
 * Every published contract, kept in the log and queued for the folder in the inbox transaction (exactly once).
 * Contracts without a fold are kept too: when their figures are added, a rebuild from the log shows their history.
 */
export function consumedLogConsumers(registry: ContractRegistry): HandlerBinding[] {
  return registry.contracts.map((contract) => ({
    contract: contract.name,
    handle: async (payload, { tx, envelope }) => {
      const event = { messageId: envelope.messageId, name: envelope.name, tenantId: envelope.tenantId, occurredAt: envelope.occurredAt, payload };
      await appendToLog(tx, event);
    },
  }));
}
