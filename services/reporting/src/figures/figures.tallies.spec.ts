import { Registry } from 'prom-client';
import type { Pool } from '@tremplin/pg';
import type { ReportingConfig } from '../config';
import { FigureTallies } from './figures.tallies';

// The database stands in as a pool whose versions are a map and whose fact reads each wait at a gate the test opens
// (or fails): what is checked is who reads what, and when (the reads themselves run against PostgreSQL in
// reporting.int.spec.ts).
interface Gate {
  readonly promise: Promise<void>;
  release(error?: Error): void;
}

function gate(): Gate {
  let release!: (error?: Error) => void;
  const promise = new Promise<void>((resolve, reject) => (release = (error) => (error ? reject(error) : resolve())));
  promise.catch(() => undefined);
  return { promise, release };
}

function fakePool(versions: Map<string, string>) {
  const reads: Gate[] = [];
  let connections = 0;
  const pool = {
    query: async (text: string, values: unknown[]) => {
      if (!text.includes('FROM reporting.known_tenant WHERE')) throw new Error(`unexpected query ${text}`);
      const asked = values[0] as string[];
      return { rows: asked.filter((tenant) => versions.has(tenant)).map((tenant) => ({ tenant_id: tenant, writes: versions.get(tenant)! })) };
    },
    connect: async () => {
      // One read of facts opens its three transactions at once: they share a gate.
      connections += 1;
      if (connections % 3 === 1) reads.push(gate());
      const read = reads[reads.length - 1]!;
      return {
        on: () => undefined,
        off: () => undefined,
        release: () => undefined,
        query: async (text: string) => {
          if (text.includes("'app.tenant_ids'")) await read.promise;
          return { rows: [] };
        },
      };
    },
  };
  return { pool: pool as unknown as Pool, reads, connections: () => connections };
}

function keeper(pool: Pool) {
  // Warming and refreshing are off (they start with the application, not here): only answers read.
  const config = { REPORTING_FIGURES_CACHE: true, REPORTING_TALLIES_REFRESH_MS: 0, REPORTING_TALLIES_WARM_BUDGET_MS: 0 } as ReportingConfig;
  return new FigureTallies(pool, config, () => new Date('2026-12-07T12:00:00.000Z'), new Registry());
}

describe('kept tallies shared by answers', () => {
  const shape = { period: '2026', today: '2026-12-07' };

  it('reads a CCAS once when two answers ask for it at the same version, and keeps it for the next', async () => {
    const versions = new Map([['ccas-a', '3'], ['ccas-b', '7']]);
    const db = fakePool(versions);
    const tallies = keeper(db.pool);
    const first = tallies.tallies(['ccas-a', 'ccas-b'], shape);
    const second = tallies.tallies(['ccas-a', 'ccas-b'], shape);
    await new Promise((resolve) => setImmediate(resolve));
    expect(db.reads).toHaveLength(1);
    db.reads[0]!.release();
    const [one, two] = await Promise.all([first, second]);
    expect(one.read).toBe(2);
    expect(two.read).toBe(0);
    expect(two.tallies.map((t) => t.tenantId)).toEqual(['ccas-a', 'ccas-b']);
    expect(db.connections()).toBe(3);
    // Kept: nothing read again while the versions stand; one CCAS moved, only it is read.
    expect((await tallies.tallies(['ccas-a', 'ccas-b'], shape)).read).toBe(0);
    versions.set('ccas-b', '8');
    const third = tallies.tallies(['ccas-a', 'ccas-b'], shape);
    await new Promise((resolve) => setImmediate(resolve));
    db.reads[1]!.release();
    expect((await third).read).toBe(1);
    // A CCAS with no facts at all (no version) needs no read.
    expect((await tallies.tallies(['ccas-none'], shape)).read).toBe(0);
    expect(db.connections()).toBe(6);
  });

  it('fails every answer waiting on a read that fails, leaves no unhandled rejection, and reads again next time', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const db = fakePool(new Map([['ccas-a', '1']]));
      const tallies = keeper(db.pool);
      // Alone, then with a second answer joining the read.
      const alone = tallies.tallies(['ccas-a'], shape);
      await new Promise((resolve) => setImmediate(resolve));
      db.reads[0]!.release(new Error('connection lost'));
      await expect(alone).rejects.toThrow('connection lost');
      const first = tallies.tallies(['ccas-a'], shape);
      const second = tallies.tallies(['ccas-a'], shape);
      await new Promise((resolve) => setImmediate(resolve));
      expect(db.reads).toHaveLength(2);
      db.reads[1]!.release(new Error('connection lost'));
      await expect(first).rejects.toThrow('connection lost');
      await expect(second).rejects.toThrow('connection lost');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      const third = tallies.tallies(['ccas-a'], shape);
      await new Promise((resolve) => setImmediate(resolve));
      expect(db.reads).toHaveLength(3);
      db.reads[2]!.release();
      expect((await third).read).toBe(1);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
