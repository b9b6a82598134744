import { parseArgs } from 'node:util';
import { authConfigFromEnv } from './config';
import { loadOrCreateDevSigningKey, signDevToken } from './dev-keys';
import { ORGANISATION_KINDS_OF_ROLE, ROLES, isRole } from './roles';

const USAGE = `usage: npm run token -- --role <role> [--tenant <id>]... [--user <id>] [--org <id>] [--org-kind <kind>] [--ttl <seconds>]
roles: ${ROLES.join(', ')}
Prints a development JWT signed with the local key in AUTH_DEV_KEYS_DIR (default <repo>/.dev-keys, created on first use).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      tenant: { type: 'string', multiple: true },
      user: { type: 'string' },
      org: { type: 'string' },
      'org-kind': { type: 'string' },
      ttl: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (!isRole(values.role)) return fail(`--role must be one of: ${ROLES.join(', ')}`);
  const config = authConfigFromEnv(process.env);
  if (config.keys.kind !== 'dev-keys') return fail('AUTH_JWKS_URL is set: development tokens are only for local keys');
  const tenants = (values.tenant ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  const ttlSeconds = values.ttl ? Number(values.ttl) : 8 * 3600;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) return fail('--ttl must be a positive number of seconds');
  const key = await loadOrCreateDevSigningKey(config.keys.dir);
  const token = await signDevToken(
    key,
    {
      role: values.role,
      tenants,
      ...(values.user ? { userId: values.user } : {}),
      ...(values.org ? { organisationId: values.org } : {}),
      organisationKind: values['org-kind'] ?? ORGANISATION_KINDS_OF_ROLE[values.role][0],
      ttlSeconds,
    },
    { issuer: config.issuer, audience: config.audience },
  );
  process.stdout.write(`${token}\n`);
}

function fail(message: string): void {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exitCode = 2;
}

if (process.env.NODE_ENV === 'production') {
  fail('development tokens are refused when NODE_ENV=production');
} else {
  main().catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  });
}
