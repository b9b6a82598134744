import type { ServiceAudit } from '@tremplin/audit';
import { checkLogReplayEqualsLive } from './log/replay-check';

// What the auditor's CLI (npm run audit) needs of reporting: the log of integration events it consumed (signed
// checkpoints and consistency over it, so a figure traces back to its events) and its replay check from that log.
export const audit: ServiceAudit = {
  service: 'reporting',
  integrationLog: { table: 'reporting.consumed_event', tenants: 'reporting.known_tenant' },
  readModelChecks: [{ name: 'reporting.consumed-log', check: (pool, onProgress) => checkLogReplayEqualsLive(pool, onProgress) }],
};
