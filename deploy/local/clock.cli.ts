import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { authConfigFromEnv, loadOrCreateDevSigningKey, signDevToken } from '@tremplin/auth';
import { LOCAL_SERVICES_FILE, PREFERRED_PORTS, SERVICES } from './services';

const USAGE = `usage: npm run clock -- [<instant> [--frozen]] [--url <service URL>]...
Moves the clock of every service of a local platform started with CLOCK_CONTROL=on npm start (never in production),
e.g. npm run clock -- 2026-06-10T09:00:00Z; without an instant, prints each service's clock.
The services are read from ${LOCAL_SERVICES_FILE} (written by npm start), or given with --url.`;

/** The local services' URLs as npm start wrote them, or their usual ports. */
async function localUrls(): Promise<string[]> {
  try {
    const written = JSON.parse(await readFile(LOCAL_SERVICES_FILE, 'utf8')) as Array<{ name: string; url: string }>;
    return written.map((service) => service.url);
  } catch {
    return SERVICES.map((name) => `http://127.0.0.1:${PREFERRED_PORTS[name]}`);
  }
}

export async function clockCli(argv: readonly string[], env: NodeJS.ProcessEnv, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { frozen: { type: 'boolean' }, url: { type: 'string', multiple: true }, help: { type: 'boolean' } } });
  } catch (error) {
    err(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length > 1) {
    err(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const instant = positionals[0];
  if (instant !== undefined && Number.isNaN(Date.parse(instant))) {
    err(`${instant} is not an instant (e.g. 2026-06-10T09:00:00Z)\n${USAGE}\n`);
    return 2;
  }
  const auth = authConfigFromEnv(env);
  if (auth.keys.kind !== 'dev-keys') {
    err('AUTH_JWKS_URL is set: the clock of a platform with real identities is not moved from here\n');
    return 2;
  }
  const token = await signDevToken(await loadOrCreateDevSigningKey(auth.keys.dir), { role: 'platformAdmin', tenants: [], userId: 'clock-cli', organisationId: 'platform', organisationKind: 'platform', ttlSeconds: 300 }, { issuer: auth.issuer, audience: auth.audience });
  const urls = values.url?.length ? values.url : await localUrls();
  let failed = 0;
  for (const url of urls) {
    const request = instant === undefined ? { method: 'GET' } : { method: 'PUT', body: JSON.stringify({ now: new Date(instant).toISOString(), mode: values.frozen ? 'frozen' : 'running' }) };
    try {
      const response = await fetch(`${url}/platform/clock`, { ...request, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000) });
      const body = (await response.json()) as { now?: string; mode?: string; code?: string; message?: string };
      if (response.ok) out(`${url}  ${body.now}  ${body.mode}\n`);
      else {
        failed += 1;
        err(`${url}  ${response.status} ${body.code ?? ''} ${response.status === 404 ? '(started without CLOCK_CONTROL=on?)' : (body.message ?? '')}\n`);
      }
    } catch (error) {
      failed += 1;
      err(`${url}  unreachable: ${(error as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  clockCli(process.argv.slice(2), process.env, (text) => process.stdout.write(text), (text) => process.stderr.write(text)).then((code) => (process.exitCode = code));
}
