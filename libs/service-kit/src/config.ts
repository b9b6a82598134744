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

const onOff = (fallback: 'on' | 'off') => z.enum(['on', 'off']).default(fallback);

/** What every service reads from its environment; a service extends it with its own variables. */
export const baseConfigSchema = z.object({
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: postgresUrl,
  MIGRATION_DATABASE_URL: postgresUrl.optional(),
  KAFKA_BROKERS: brokers,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  // Authentication, read by every service the same way; validated in full by @tremplin/auth at start-up.
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().optional(),
  AUTH_JWKS_URL: z.string().optional(),
  AUTH_DEV_KEYS_DIR: z.string().optional(),
  AUTH_CLOCK_TOLERANCE_SECONDS: z.string().optional(),
  // HTTP: the largest JSON body accepted (413 beyond), origins allowed by CORS (none: same-origin only), and
  // whether /docs and /metrics are served (on by default for the internal network; see docs/security.md).
  HTTP_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'a size such as 100kb or 1mb').default('100kb'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .refine((origins) => origins.every((origin) => /^https?:\/\/[^/\s]+$/.test(origin)), 'a comma-separated list of origins such as https://dashboard.example.org'),
  OPENAPI_DOCS: onOff('on'),
  METRICS_ENDPOINT: onOff('on'),
  // Lets tests and benchmarks share one broker: every topic and the consumer group get this prefix.
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-z0-9-]*\.?$/, 'lower-case letters, digits, dashes, optionally ending with a dot').default(''),
  PROJECTION_POLL_MS: z.coerce.number().int().min(10).max(10_000).default(100),
  // A pool whose callers have waited this long with no connection handed out cannot recover: liveness fails.
  POOL_STALL_LIVENESS_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  // Purge jobs: sent outbox rows after OUTBOX_RETENTION_DAYS; inbox rows after INBOX_RETENTION_DAYS, which must
  // exceed the longest topic retention (dead letters: 90 days) or a redelivered message would apply twice.
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  INBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(120),
  PURGE_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(3_600_000),
  // A clock moved through PUT /platform/clock, for demos and test platforms; refused with NODE_ENV=production.
  CLOCK_CONTROL: onOff('off'),
  // With CLOCK_CONTROL=on: the instant the clock starts at, frozen (a test platform's process started again after a
  // fault takes the platform's time back before its consumers handle anything).
  CLOCK_START: z.iso.datetime().optional(),
  // Personal data (services started with { privacy: true }): validated in full by @tremplin/privacy at start-up.
  PRIVACY_MASTER_KEY: z.string().optional(),
  PRIVACY_PREVIOUS_MASTER_KEYS: z.string().optional(),
  PRIVACY_DEV_KEYS_DIR: z.string().optional(),
  PRIVACY_KEY_CACHE_TTL_MS: z.string().optional(),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** The privacy variables as @tremplin/privacy reads them. */
export function privacyEnvOf(config: BaseConfig): Record<string, string | undefined> {
  return {
    NODE_ENV: config.NODE_ENV,
    PRIVACY_MASTER_KEY: config.PRIVACY_MASTER_KEY,
    PRIVACY_PREVIOUS_MASTER_KEYS: config.PRIVACY_PREVIOUS_MASTER_KEYS,
    PRIVACY_DEV_KEYS_DIR: config.PRIVACY_DEV_KEYS_DIR,
    PRIVACY_KEY_CACHE_TTL_MS: config.PRIVACY_KEY_CACHE_TTL_MS,
  };
}

/** Reads and validates the environment once, naming every missing or wrong variable. */
export function loadConfig<S extends z.ZodObject>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'} ${issue.message}`);
  throw new ConfigError(service, problems);
}
