import type { Pool } from 'pg';
import type { Snapshot, SnapshotStore, StreamRef } from '@tremplin/event-sourcing';

export class PostgresSnapshotStore implements SnapshotStore {
  constructor(private readonly pool: Pool) {}

  async load<State>(stream: StreamRef, key: string): Promise<Snapshot<State> | undefined> {
    const result = await this.pool.query<{ stream_version: number; state: State }>(
      'SELECT stream_version, state FROM es.snapshots WHERE tenant_id = $1 AND stream_id = $2 AND snapshot_key = $3',
      [stream.tenantId, stream.streamId, key],
    );
    const row = result.rows[0];
    return row && { streamVersion: row.stream_version, state: row.state };
  }

  /** Keeps the newest snapshot per key: a slower writer never replaces a later one. */
  async save<State>(stream: StreamRef, key: string, snapshot: Snapshot<State>): Promise<void> {
    await this.pool.query(
      `INSERT INTO es.snapshots (tenant_id, stream_id, snapshot_key, stream_version, state) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, stream_id, snapshot_key) DO UPDATE
         SET stream_version = excluded.stream_version, state = excluded.state, taken_at = now()
         WHERE es.snapshots.stream_version < excluded.stream_version`,
      [stream.tenantId, stream.streamId, key, snapshot.streamVersion, JSON.stringify(snapshot.state)],
    );
  }
}
