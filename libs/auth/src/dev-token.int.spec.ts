import { execFile } from 'node:child_process';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadOrCreateDevSigningKey } from './dev-keys';
import { signToken, testKey } from './auth.test-support';
import { createTokenVerifier } from './verifier';
import { authConfigFromEnv } from './config';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..', '..');

describe('development tokens', () => {
  it('npm run token prints a token the services accept, creating the key pair on first use', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'dev-keys-')), 'keys');
    const env = { ...process.env, AUTH_DEV_KEYS_DIR: dir, NODE_ENV: 'development' };
    const cli = ['-r', '@swc-node/register', 'libs/auth/src/dev-token.cli.ts', '--role', 'socialWorker', '--tenant', 'ccas-tarbes'];
    const first = await run(process.execPath, cli, { cwd: ROOT, env });
    const second = await run(process.execPath, [...cli, '--tenant', 'ccas-laval', '--user', 'marie'], { cwd: ROOT, env });
    expect(await readdir(dir)).toEqual(['auth-es256.private.jwk.json']);
    expect((await stat(join(dir, 'auth-es256.private.jwk.json'))).mode & 0o777).toBe(0o600);

    const verifier = await createTokenVerifier(authConfigFromEnv({ AUTH_DEV_KEYS_DIR: dir }));
    await expect(verifier.verify(first.stdout.trim())).resolves.toEqual({
      userId: 'dev-socialWorker',
      organisationId: 'org-ccas-tarbes',
      organisationKind: 'ccas',
      role: 'socialWorker',
      tenantIds: ['ccas-tarbes'],
    });
    await expect(verifier.verify(second.stdout.trim())).resolves.toMatchObject({ userId: 'marie', tenantIds: ['ccas-tarbes', 'ccas-laval'] });
  });

  it('refuses an unknown role and says which roles exist', async () => {
    const error = await run(process.execPath, ['-r', '@swc-node/register', 'libs/auth/src/dev-token.cli.ts', '--role', 'boss'], { cwd: ROOT }).catch((e: { code: number; stderr: string }) => e);
    expect(error).toMatchObject({ code: 2, stderr: expect.stringMatching(/--role must be one of: socialWorker, ccasDirector/) });
  });

  it('gives concurrent first users one and the same key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dev-keys-race-'));
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateDevSigningKey(dir)));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    expect(await readdir(dir)).toEqual(['auth-es256.private.jwk.json']);
  });
});

describe('keys from a JWKS URL', () => {
  let server: Server;
  let url: string;
  let requests = 0;
  const keys = Promise.all([testKey('ES256'), testKey('RS256')]);
  beforeAll(async () => {
    const [es, rs] = await keys;
    server = createServer((_req, res) => {
      requests += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [es.publicJwk, rs.publicJwk] }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('verifies tokens against the fetched set, caching it, and refuses an unknown kid', async () => {
    const [es, rs] = await keys;
    const { ISSUER, AUDIENCE } = await import('./auth.test-support');
    const verifier = await createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds: 30, keys: { kind: 'jwks-url', url } });
    await expect(verifier.verify(await signToken(es))).resolves.toMatchObject({ role: 'socialWorker' });
    await expect(verifier.verify(await signToken(rs, { role: 'auditor' }))).resolves.toMatchObject({ role: 'auditor' });
    expect(requests).toBe(1);
    await expect(verifier.verify(await signToken(await testKey()))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });
});
