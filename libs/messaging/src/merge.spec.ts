import type { HandlerBinding, HandlerContext } from './consumer';
import { mergeBindings } from './merge';

const binding = (contract: string, calls: string[], name: string): HandlerBinding => ({
  contract,
  handle: async () => {
    calls.push(`${name}:${contract}`);
  },
});

describe('merging handler bindings', () => {
  it('keeps one binding per contract that runs every part’s handler in the order given', async () => {
    const calls: string[] = [];
    const merged = mergeBindings([binding('lending.loan-repaid.v1', calls, 'plan'), binding('lending.loan-disbursed.v1', calls, 'plan')], [binding('lending.loan-repaid.v1', calls, 'refund')]);
    expect(merged.map((b) => b.contract)).toEqual(['lending.loan-repaid.v1', 'lending.loan-disbursed.v1']);
    await merged[0].handle({}, {} as HandlerContext<Record<string, unknown>>);
    await merged[1].handle({}, {} as HandlerContext<Record<string, unknown>>);
    expect(calls).toEqual(['plan:lending.loan-repaid.v1', 'refund:lending.loan-repaid.v1', 'plan:lending.loan-disbursed.v1']);
  });

  it('stops at the first handler that fails, so the inbox transaction rolls back and the message is retried whole', async () => {
    const calls: string[] = [];
    const failing: HandlerBinding = { contract: 'c.v1', handle: () => Promise.reject(new Error('database down')) };
    const [merged] = mergeBindings([failing], [binding('c.v1', calls, 'second')]);
    await expect(merged.handle({}, {} as HandlerContext<Record<string, unknown>>)).rejects.toThrow('database down');
    expect(calls).toEqual([]);
  });

  it('keeps a binding alone as given, with its batch handler', () => {
    const alone: HandlerBinding = { contract: 'c.v1', handle: async () => undefined, handleBatch: async () => undefined };
    expect(mergeBindings([alone], [binding('d.v1', [], 'other')])[0]).toBe(alone);
  });
});
