import { createPool } from '@tremplin/pg';
import { rebuildLoanSummaries } from './loan/loan-summary.projection';

// Rebuilds lending.loan_summary from the event store while the service keeps running:
//   DATABASE_URL=postgres://tremplin_app@…/lending node -r @swc-node/register services/lending/src/rebuild.cli.ts
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required (the service role’s URL)');
  const pool = createPool(url, { max: 2, application_name: 'lending-rebuild' });
  const tty = process.stderr.isTTY;
  try {
    const result = await rebuildLoanSummaries(pool, {
      onProgress: ({ phase, events, totalEvents, loans }) => {
        const percent = totalEvents ? Math.floor((events / totalEvents) * 100) : 100;
        const line = `loan_summary ${phase}: ${events}/${totalEvents} events (${percent}%), ${loans} loans`;
        process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
      },
    });
    process.stderr.write(tty ? '\n' : '');
    process.stdout.write(`${JSON.stringify({ events: result.events, loans: result.loans, tenants: result.tenants, millis: result.millis })}\n`);
  } finally {
    await pool.end();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`rebuild failed: ${error.message}\n`);
  process.exitCode = 1;
});
