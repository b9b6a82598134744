import { createUpcasterRegistry } from './upcasting';
import type { RecordedEvent } from './envelope';

const stored = (schemaVersion: number, data: unknown): RecordedEvent => ({
  eventId: 'e-1',
  type: 'BeneficiaryRegistered',
  schemaVersion,
  data,
  metadata: { correlationId: 'c', occurredAt: '2026-01-05T10:00:00.000Z' },
  tenantId: 't',
  streamId: 'beneficiary-1',
  streamVersion: 1,
  globalPosition: 1n,
  transactionId: 1n,
  recordedAt: '2026-01-05T10:00:00.000Z',
  hash: 'h',
  previousHash: 'p',
});

describe('upcaster registry', () => {
  const registry = createUpcasterRegistry([
    { type: 'BeneficiaryRegistered', fromVersion: 1, upcast: (data) => ({ ...(data as object), householdSize: 1 }) },
    { type: 'BeneficiaryRegistered', fromVersion: 2, upcast: (data) => {
      const { name, ...rest } = data as { name: string };
      return { ...rest, fullName: name };
    } },
  ]);

  it('brings an old event up to the current schema, one version at a time', () => {
    expect(registry.upcast(stored(1, { name: 'A. Martin' }))).toMatchObject({ schemaVersion: 3, data: { fullName: 'A. Martin', householdSize: 1 } });
  });

  it('leaves the stored event untouched', () => {
    const original = stored(1, { name: 'A. Martin' });
    registry.upcast(original);
    expect(original).toMatchObject({ schemaVersion: 1, data: { name: 'A. Martin' } });
  });

  it('passes current events and unknown types through as they are', () => {
    const current = stored(3, { fullName: 'x', householdSize: 2 });
    expect(registry.upcast(current)).toBe(current);
    expect(registry.upcast({ ...current, type: 'Other', schemaVersion: 1 }).schemaVersion).toBe(1);
  });

  it('tells which version new events are written with', () => {
    expect(registry.currentVersion('BeneficiaryRegistered')).toBe(3);
    expect(registry.currentVersion('Unknown')).toBe(1);
  });

  it('refuses two upcasters from the same version', () => {
    expect(() => createUpcasterRegistry([{ type: 'X', fromVersion: 1, upcast: (d) => d }, { type: 'X', fromVersion: 1, upcast: (d) => d }])).toThrow(
      expect.objectContaining({ code: 'UPCASTER_CONFLICT' }),
    );
  });
});
