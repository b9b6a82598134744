import type { ContractRegistry } from '@tremplin/contracts';
import type { HandlerBinding } from '@tremplin/messaging';
import { appendToLog, applyToFacts } from '../facts/facts.store';

/**
 * Every published contract, kept in the log and folded into the facts in the inbox transaction (exactly once).
 * Contracts without a fold are kept too: when their figures are added, a rebuild from the log shows their history.
 */
export function consumedLogConsumers(registry: ContractRegistry): HandlerBinding[] {
  return registry.contracts.map((contract) => ({
    contract: contract.name,
    handle: async (payload, { tx, envelope }) => {
      const event = { messageId: envelope.messageId, name: envelope.name, tenantId: envelope.tenantId, occurredAt: envelope.occurredAt, payload };
      if (await appendToLog(tx, event)) await applyToFacts(tx, event);
    },
  }));
}
