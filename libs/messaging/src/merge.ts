import type { HandlerBinding } from './consumer';

/**
 * Several parts of one service consuming the same contract: one binding per contract that runs each part's handler in
 * turn, in the message's one inbox transaction (the consumer keeps a single binding per contract, the last one given).
 * Each part must derive its own command ids from the message id (e.g. `${messageId}\u001frefund`): event ids derive
 * from command ids, so two streams written under the same id would collide.
 */
export function mergeBindings(...lists: ReadonlyArray<readonly HandlerBinding[]>): HandlerBinding[] {
  const byContract = new Map<string, HandlerBinding['handle'][]>();
  for (const binding of lists.flat()) {
    const handlers = byContract.get(binding.contract);
    if (handlers) handlers.push(binding.handle);
    else byContract.set(binding.contract, [binding.handle]);
  }
  return [...byContract].map(([contract, handlers]) => ({
    contract,
    handle:
      handlers.length === 1
        ? handlers[0]
        : async (payload, context) => {
            for (const handle of handlers) await handle(payload, context);
          },
  }));
}
