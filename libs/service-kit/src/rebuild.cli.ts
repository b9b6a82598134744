import { checkReplayEqualsLive, rebuildProjection, type Projection, type RebuildResult } from '@tremplin/event-store-postgres';
import { createPool } from '@tremplin/pg';

/**
 * A service's `rebuild` command line: rebuilds every projection (or those named in argv) from the event store
 * while the service keeps running, showing progress on stderr and printing the counts as JSON on stdout.
 * With `--check` it changes nothing: it replays each projection and compares it with the live tables (one JSON
 * line per projection with each table's digests), and exits 1 when any differs.
 *   DATABASE_URL=postgres://tremplin_app@…/<service> node -r @swc-node/register services/<service>/src/rebuild.cli.ts [--check] [name…]
 */
export async function runRebuildCli(service: string, projections: readonly Projection[], args = process.argv.slice(2)): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required (the service role’s URL)');
  const check = args.includes('--check');
  const argv = args.filter((arg) => arg !== '--check');
  const chosen = argv.length ? projections.filter((projection) => argv.some((name) => projection.name === name || projection.name.endsWith(`.${name}`))) : projections;
  if (chosen.length === 0) throw new Error(`no projection named ${argv.join(', ')}; known: ${projections.map((p) => p.name).join(', ')}`);
  const pool = createPool(url, { max: 2, application_name: `${service}-rebuild` });
  const tty = process.stderr.isTTY;
  try {
    if (check) {
      for (const projection of chosen) {
        const result = await checkReplayEqualsLive(pool, projection, {
          onProgress: (events) => process.stderr.write(tty ? `\r${projection.label ?? projection.name} replaying: ${events} events   ` : ''),
        });
        process.stderr.write(tty ? '\n' : '');
        process.stdout.write(`${JSON.stringify(result)}\n`);
        if (!result.equal) {
          process.stderr.write(`${projection.name}: replay differs from live in ${result.tables.filter((t) => !t.equal).map((t) => `${t.table} (tenants ${t.tenantsDiffering.join(', ')})`).join('; ')}\n`);
          process.exitCode = 1;
        }
      }
      return;
    }
    for (const projection of chosen) {
      const result = await rebuildProjection(pool, projection, {
        onProgress: ({ phase, events, totalEvents, rows }) => {
          const percent = totalEvents ? Math.floor((events / totalEvents) * 100) : 100;
          const line = `${projection.label ?? projection.name} ${phase}: ${events}/${totalEvents} events (${percent}%), ${rows} ${projection.rowsName ?? 'rows'}`;
          process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
        },
      });
      process.stderr.write(tty ? '\n' : '');
      process.stdout.write(`${JSON.stringify(rebuildSummary(projection, result))}\n`);
    }
  } finally {
    await pool.end();
  }
}

/** Entry point wrapper: a failure is one line on stderr and exit code 1. */
export function rebuildMain(service: string, projections: readonly Projection[]): void {
  runRebuildCli(service, projections).catch((error: Error) => {
    process.stderr.write(`rebuild failed: ${error.message}\n`);
    process.exitCode = 1;
  });
}

/** What a rebuild answers, by the CLI and the admin route alike. */
export function rebuildSummary(projection: Projection, result: RebuildResult): Record<string, unknown> {
  return { projection: projection.name, events: result.events, [projection.rowsName ?? 'rows']: result.rows, tenants: result.tenants, millis: result.millis };
}
