import { AuthError } from './errors';
import { claimsFor, forgeToken, signToken, testKey, verifierOptions, type TestKey } from './auth.test-support';
import { createTokenVerifier, type TokenVerifier } from './verifier';
import { authConfigFromEnv, DEV_ISSUER, REPO_DEV_KEYS_DIR } from './config';

async function rejection(verifier: TokenVerifier, token: string): Promise<{ code: string; message: string; status: number }> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  const { code, message, status } = error as AuthError;
  return { code, message, status };
}

describe('token verification', () => {
  let es: TestKey;
  let rs: TestKey;
  let verifier: TokenVerifier;
  beforeAll(async () => {
    es = await testKey('ES256');
    rs = await testKey('RS256');
    verifier = await createTokenVerifier(verifierOptions([es, rs]));
  });

  it('turns a valid ES256 token into the principal named by its claims', async () => {
    const token = await signToken(es, { role: 'bankAdvisor', sub: 'u-42', org: 'bank-pc', tenants: ['ccas-tarbes', 'ccas-laval'] });
    await expect(verifier.verify(token)).resolves.toEqual({
      userId: 'u-42',
      organisationId: 'bank-pc',
      organisationKind: 'bank',
      role: 'bankAdvisor',
      tenantIds: ['ccas-tarbes', 'ccas-laval'],
    });
  });

  it('accepts RS256 tokens signed by an RSA key of the set', async () => {
    await expect(verifier.verify(await signToken(rs))).resolves.toMatchObject({ role: 'socialWorker' });
  });

  it('refuses an unsigned token (alg none)', async () => {
    expect(await rejection(verifier, forgeToken('none', claimsFor(), { kid: es.kid }))).toMatchObject({ code: 'TOKEN_INVALID', status: 401, message: expect.stringMatching(/algorithm "none" is not accepted/) });
  });

  it('refuses an HS256 token whose secret is the public key (algorithm confusion)', async () => {
    for (const secret of [rs.publicPem, JSON.stringify(rs.publicJwk), es.publicPem]) {
      expect(await rejection(verifier, forgeToken('HS256', claimsFor(), { kid: rs.kid, secret }))).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringMatching(/HS256/) });
    }
  });

  it('refuses an ES256 header on a token signed by the RSA key of the same kid', async () => {
    const token = await signToken(rs);
    const [, payload, signature] = token.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: rs.kid, typ: 'JWT' })).toString('base64url');
    expect((await rejection(verifier, `${header}.${payload}.${signature}`)).code).toBe('TOKEN_INVALID');
  });

  it('refuses a token from another issuer, naming the claim', async () => {
    expect(await rejection(verifier, await signToken(es, { iss: 'https://evil.example' }))).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringMatching(/"iss"/) });
  });

  it('refuses a token for another audience, naming the claim', async () => {
    expect(await rejection(verifier, await signToken(es, { aud: 'other-app' }))).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringMatching(/"aud"/) });
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await rejection(verifier, await signToken(es, { exp: now - 120, nbf: now - 600 }))).toMatchObject({ code: 'TOKEN_EXPIRED', status: 401 });
  });

  it('tolerates a few seconds of clock skew on expiry but not more', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect(verifier.verify(await signToken(es, { exp: now - 5 }))).resolves.toBeDefined();
    expect((await rejection(verifier, await signToken(es, { exp: now - 60 }))).code).toBe('TOKEN_EXPIRED');
  });

  it('refuses a token not yet valid (nbf in the future)', async () => {
    expect((await rejection(verifier, await signToken(es, { nbf: Math.floor(Date.now() / 1000) + 600 }))).code).toBe('TOKEN_INVALID');
  });

  it('refuses a token without an expiry', async () => {
    expect((await rejection(verifier, await signToken(es, { omit: ['exp'] }))).code).toBe('TOKEN_INVALID');
  });

  it('refuses a token signed with an unknown kid', async () => {
    const stranger = await testKey('ES256');
    expect(await rejection(verifier, await signToken(stranger))).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringMatching(/unknown key/) });
  });

  it('refuses a token signed by another key under a known kid', async () => {
    const stranger = await testKey('ES256');
    expect(await rejection(verifier, await signToken(stranger, { kid: es.kid }))).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringMatching(/signature/) });
  });

  it('refuses a token without kid', async () => {
    expect(await rejection(verifier, await signToken(es, { kid: null }))).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringMatching(/kid/) });
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await signToken(es)).split('.');
    const payload = Buffer.from(JSON.stringify(claimsFor({ role: 'platformAdmin', tenants: [] }))).toString('base64url');
    expect((await rejection(verifier, `${header}.${payload}.${signature}`)).code).toBe('TOKEN_INVALID');
  });

  it('refuses garbage', async () => {
    expect(await rejection(verifier, 'not-a-jwt')).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringMatching(/well-formed/) });
  });

  it('refuses an unknown role, naming the claim', async () => {
    expect(await rejection(verifier, await signToken(es, { role: 'superUser', org_kind: 'ccas' }))).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringMatching(/"role"/) });
  });

  it('refuses a role that does not fit the organisation kind (a bank user cannot be a social worker)', async () => {
    expect(await rejection(verifier, await signToken(es, { role: 'socialWorker', org_kind: 'bank' }))).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringMatching(/cannot belong/) });
  });

  it('refuses a token without its tenants claim', async () => {
    expect(await rejection(verifier, await signToken(es, { omit: ['tenants'] }))).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringMatching(/"tenants"/) });
  });
});

describe('auth configuration', () => {
  it('defaults to the development issuer, audience and the repository key folder', () => {
    expect(authConfigFromEnv({})).toEqual({ issuer: DEV_ISSUER, audience: 'tremplin', keys: { kind: 'dev-keys', dir: REPO_DEV_KEYS_DIR }, clockToleranceSeconds: 30 });
  });

  it('uses a JWKS URL when one is given', () => {
    expect(authConfigFromEnv({ AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_ISSUER: 'https://idp.example' }).keys).toEqual({ kind: 'jwks-url', url: 'https://idp.example/jwks' });
  });

  it('requires an issuer and an https JWKS URL in production and refuses development keys there', () => {
    expect(() => authConfigFromEnv({ NODE_ENV: 'production' })).toThrow(/AUTH_ISSUER is required in production.*AUTH_JWKS_URL is required in production/);
    expect(() => authConfigFromEnv({ NODE_ENV: 'production', AUTH_ISSUER: 'https://idp', AUTH_JWKS_URL: 'http://idp/jwks' })).toThrow(/must be https/);
    expect(() => authConfigFromEnv({ NODE_ENV: 'production', AUTH_ISSUER: 'https://idp', AUTH_JWKS_URL: 'https://idp/jwks', AUTH_DEV_KEYS_DIR: '/tmp/k' })).toThrow(/AUTH_DEV_KEYS_DIR/);
  });

  it('names a malformed setting', () => {
    expect(() => authConfigFromEnv({ AUTH_ISSUER: 'not a url' })).toThrow(/AUTH_ISSUER/);
    expect(() => authConfigFromEnv({ AUTH_CLOCK_TOLERANCE_SECONDS: '3600' })).toThrow(/AUTH_CLOCK_TOLERANCE_SECONDS/);
  });
});
