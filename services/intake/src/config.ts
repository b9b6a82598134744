import { z } from 'zod';
import { baseConfigSchema } from '@tremplin/service-kit';
import { DEFAULT_INTAKE_SETTINGS, type IntakeSettingsVersion } from './application/application.rules';

const cents = z.int().min(0).max(10_000_000);
const settingsVersion = z.strictObject({
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/),
  effectiveFrom: z.iso.date(),
  minimumResteAVivrePerUnitCents: cents,
  restructuringDebtCapCents: cents,
  overdraftRegularisationCapCents: cents,
});

export const configSchema = baseConfigSchema.extend({
  // The CCAS's intake settings as a JSON array of versions (minimum reste à vivre per consumption unit, restructuring
  // caps), each from its effectiveFrom day; absent, the defaults of application.rules.ts.
  INTAKE_SETTINGS: z
    .string()
    .optional()
    .transform((text, ctx): readonly IntakeSettingsVersion[] => {
      if (!text) return DEFAULT_INTAKE_SETTINGS;
      try {
        const versions = z.array(settingsVersion).min(1).parse(JSON.parse(text));
        if (new Set(versions.map((v) => v.version)).size !== versions.length) throw new Error('version names repeat');
        return versions;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must be a JSON array of {version, effectiveFrom, minimumResteAVivrePerUnitCents, restructuringDebtCapCents, overdraftRegularisationCapCents}: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  // Retention periods in months (CNIL social-sector référentiel defaults: 24, 24, 120).
  INTAKE_RETENTION_REFUSED_OR_WITHDRAWN_MONTHS: z.coerce.number().int().min(1).max(600).default(24),
  INTAKE_RETENTION_LAST_CONTACT_MONTHS: z.coerce.number().int().min(1).max(600).default(24),
  INTAKE_RETENTION_GRANTED_ARCHIVE_MONTHS: z.coerce.number().int().min(1).max(1200).default(120),
  // The scheduled run: which CCAS (comma separated; none = not scheduled), how often, and whether it only reports.
  INTAKE_RETENTION_TENANTS: z
    .string()
    .optional()
    .transform((text) => (text ? text.split(',').map((tenant) => tenant.trim()).filter(Boolean) : [])),
  INTAKE_RETENTION_INTERVAL_MS: z.coerce.number().int().min(1_000).max(7 * 86_400_000).default(86_400_000),
  INTAKE_RETENTION_MODE: z.enum(['dryRun', 'shred']).default('dryRun'),
});

export type IntakeConfig = z.infer<typeof configSchema>;
