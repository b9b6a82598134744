import { z } from 'zod';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly service: string, readonly problems: readonly string[]) {
    super(`${service}: invalid configuration: ${problems.join('; ')}`);
  }
}

const brokers = z
  .string({ error: 'is required (comma-separated host:port list)' })
  .min(1, 'is required (comma-separated host:port list)')
  .transform((value) => value.split(',').map((b) => b.trim()).filter(Boolean))
  .refine((list) => list.length > 0 && list.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), 'must be a comma-separated list of host:port');

const postgresUrl = z
  .string({ error: 'is required (postgres://user:password@host:port/database)' })
  .refine((value) => /^postgres(ql)?:\/\/.+/.test(value), 'must be a postgres:// URL');

/** What every service reads from its environment; a service extends it with its own variables. */
export const baseConfigSchema = z.object({
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: postgresUrl,
  MIGRATION_DATABASE_URL: postgresUrl.optional(),
  KAFKA_BROKERS: brokers,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** Reads and validates the environment once, naming every missing or wrong variable. */
export function loadConfig<S extends z.ZodObject>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'} ${issue.message}`);
  throw new ConfigError(service, problems);
}
