import { z } from 'zod';
import { baseConfigSchema } from '@tremplin/service-kit';

export const configSchema = baseConfigSchema.extend({
  // The CCAS's deadline for a first contact after a missed instalment, in French working days, until the CCAS
  // records its own decision (POST …/escalation-deadline/versions).
  ACCOMPANIMENT_DEADLINE_WORKING_DAYS: z.coerce.number().int().min(1).max(60).default(5),
});

export type AccompanimentConfig = z.infer<typeof configSchema>;
