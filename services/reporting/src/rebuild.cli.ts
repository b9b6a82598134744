import { createPool } from '@tremplin/pg';
import { rebuildFromLog } from './log/rebuild';

// DATABASE_URL=postgres://tremplin_app@…/reporting node -r @swc-node/register services/reporting/src/rebuild.cli.ts
// Rebuilds every read-model table from the consumed log alone (no other service is asked), showing progress
// on stderr and printing the counts and each table's checksum as JSON on stdout.
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required (the service role’s URL)');
  const pool = createPool(url, { max: 2, application_name: 'reporting-rebuild' });
  const tty = process.stderr.isTTY;
  try {
    const result = await rebuildFromLog(pool, ({ replayed, total }) => {
      const percent = total ? Math.floor((replayed / total) * 100) : 100;
      const bar = '#'.repeat(Math.floor(percent / 5)).padEnd(20, '.');
      const line = `reporting rebuild [${bar}] ${replayed}/${total} events (${percent}%)`;
      process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
    });
    process.stderr.write(tty ? '\n' : '');
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    process.stderr.write(`reporting rebuild: ${Object.entries(result.phases).map(([phase, ms]) => `${phase} ${seconds(ms)}`).join(', ')}; ${seconds(result.elapsedMs)} in all\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await pool.end();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`rebuild failed: ${error.message}\n`);
  process.exitCode = 1;
});
