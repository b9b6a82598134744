import { parentPort, workerData } from 'node:worker_threads';
import { Client } from 'pg';
import { checkTenantChains, type WorkerMessage, type WorkerRequest } from './chains';

// One part of checkTenantChainsInParallel: its own connection, in the snapshot the caller exported.
async function run(request: WorkerRequest): Promise<void> {
  if (!/^[0-9A-F-]+$/i.test(request.snapshot)) throw new Error(`not a snapshot id: ${request.snapshot}`);
  const client = new Client({ connectionString: request.connectionString, application_name: 'tremplin-audit' });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${request.snapshot}'`);
    let lastSent = 0;
    const result = await checkTenantChains(client, request.tenantId, {
      range: request.range,
      pageSize: request.pageSize,
      hashesAt: request.hashesAt,
      onProgress: (events) => {
        if (events - lastSent < 50_000) return;
        lastSent = events;
        parentPort!.postMessage({ events } satisfies WorkerMessage);
      },
    });
    await client.query('COMMIT');
    parentPort!.postMessage({ events: result.events } satisfies WorkerMessage);
    parentPort!.postMessage({ result } satisfies WorkerMessage);
  } finally {
    await client.end();
  }
}

run(workerData as WorkerRequest).catch((error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies WorkerMessage));
