import { z } from 'zod';
import { baseConfigSchema } from '@tremplin/service-kit';

const tenantList = z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/)).min(1);

export const configSchema = baseConfigSchema.extend({
  // Which CCAS belong to which federation, as the federations agreed it: {"fed-occitanie": ["ccas-tarbes", …]}.
  // A tenant in no federation is shown under "(none)" when figures are grouped by federation.
  REPORTING_FEDERATIONS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return {} as Record<string, string[]>;
      try {
        return z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/), tenantList).parse(JSON.parse(text));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must be a JSON object {federationId: [tenantId, …]}: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  // Cells counting fewer people than this are hidden on shared views (federation, Caisse des Dépôts).
  REPORTING_SMALL_NUMBER_THRESHOLD: z.coerce.number().int().min(2).max(50).default(5),
  // Answers, and each CCAS's tallies, kept in memory while the facts they come from do not move (counts of fact writes,
  // in all and per CCAS: docs/reporting-figures.md); false computes every answer afresh (the benchmark measures both).
  REPORTING_FIGURES_CACHE: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  // Kept tallies of the current year and quarter are read at start before requests are taken (at most the budget), and
  // the service looks this often whether facts moved to bring them (and those of periods asked for recently) up to date
  // in the background; 0 turns both off (each answer then reads the CCAS whose facts moved).
  REPORTING_TALLIES_REFRESH_MS: z.coerce.number().int().min(0).max(3_600_000).default(100),
  REPORTING_TALLIES_WARM_BUDGET_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  // The consumer keeps a chunk's new messages in the log with one statement; false keeps one statement per message
  // (kept so the benchmark can measure both in the same run).
  REPORTING_LOG_IN_BATCHES: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  // Messages of a partition kept in the log per inbox transaction, and partitions consumed at once.
  REPORTING_CONSUMER_TRANSACTION_SIZE: z.coerce.number().int().min(1).max(10_000).default(1_000),
  REPORTING_CONSUMER_PARTITIONS: z.coerce.number().int().min(1).max(64).default(3),
});

export type ReportingConfig = z.infer<typeof configSchema>;

export const NO_FEDERATION = '(none)';

export function federationLookup(federations: Readonly<Record<string, readonly string[]>>): (tenantId: string) => string {
  const byTenant = new Map<string, string>();
  for (const [federation, tenants] of Object.entries(federations)) for (const tenant of tenants) byTenant.set(tenant, federation);
  return (tenantId) => byTenant.get(tenantId) ?? NO_FEDERATION;
}
