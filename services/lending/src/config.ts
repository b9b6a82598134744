import { z } from 'zod';
import { USURY_CAP_TABLES, type UsuryCapTable } from '@tremplin/finance';
import { baseConfigSchema } from '@tremplin/service-kit';

const day = z.iso.date();
const bp = z.int().min(0).max(10_000);
const usuryTable = z.strictObject({
  effectiveFrom: day,
  effectiveUntil: day,
  caps: z.strictObject({ upTo3000: bp, from3000To6000: bp, over6000: bp }),
});

export const configSchema = baseConfigSchema.extend({
  // The disbursement gate: a signed loan is disbursed only once the guarantee fund granted its guarantee
  // (guarantee-gate/). On by default: only a deployment without the guarantee fund (or a spec running lending
  // alone) turns it off.
  DISBURSEMENT_REQUIRES_GUARANTEE: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  // Past this wait for the fund's answer the advisor sees the loan's guarantee as overdue.
  GUARANTEE_ANSWER_TIMEOUT_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(48),
  // Later quarters of the usury caps (Banque de France notice), as a JSON array appended to @tremplin/finance's
  // table: offers dated outside every table are refused rather than checked against a stale cap.
  USURY_CAP_TABLES: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return [] as UsuryCapTable[];
      try {
        return z.array(usuryTable).parse(JSON.parse(text)) as UsuryCapTable[];
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must be a JSON array of {effectiveFrom, effectiveUntil, caps:{upTo3000, from3000To6000, over6000}}: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
});

export type LendingConfig = z.infer<typeof configSchema>;

export function usuryTablesOf(config: Pick<LendingConfig, 'USURY_CAP_TABLES'>): readonly UsuryCapTable[] {
  return [...USURY_CAP_TABLES, ...config.USURY_CAP_TABLES];
}
