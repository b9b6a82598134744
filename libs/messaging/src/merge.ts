import type { HandlerBinding } from './consumer';

/**
 * Several parts of one service consuming the same contract: one binding per contract that runs each part's handler in
 * turn, in the message's one inbox transaction (the consumer keeps a single binding per contract, the last one given).
 * Each part must derive its own command ids from the message id (e.g. `${messageId}\u001frefund`): event ids derive
 * from command ids, so two streams written under the same id would collide.
 */
export function mergeBindings(...lists: ReadonlyArray<readonly HandlerBinding[]>): HandlerBinding[] {
  const byContract = new Map<string, HandlerBinding[]>();
  for (const binding of lists.flat()) {
    const bindings = byContract.get(binding.contract);
    if (bindings) bindings.push(binding);
    else byContract.set(binding.contract, [binding]);
  }
  // A binding alone is kept as given (with its batch handler, if any); merged ones run message by message.
  return [...byContract].map(([contract, bindings]) =>
    bindings.length === 1
      ? bindings[0]!
      : {
          contract,
          handle: async (payload, context) => {
            for (const binding of bindings) await binding.handle(payload, context);
          },
        },
  );
}
