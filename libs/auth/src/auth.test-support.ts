import { createHmac, randomUUID } from 'node:crypto';
import { type INestApplication, type PipeTransform, BadRequestException, Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { z } from 'zod';
import type { AuditAccess, AuditAccessRecorder } from './audit-access';
import { AuthModule } from './auth.module';
import { jose, type JWK } from './jose';
import type { VerifierOptions } from './verifier';

export const ISSUER = 'https://auth.test.local';
export const AUDIENCE = 'tremplin-test';

export interface TestKey {
  readonly kid: string;
  readonly alg: 'ES256' | 'RS256';
  readonly privateKey: Awaited<ReturnType<typeof jose.generateKeyPair>>['privateKey'];
  readonly publicJwk: JWK;
  readonly publicPem: string;
}

export async function testKey(alg: 'ES256' | 'RS256' = 'ES256'): Promise<TestKey> {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  return { kid, alg, privateKey, publicJwk: { ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' }, publicPem: await jose.exportSPKI(publicKey) };
}

export function verifierOptions(keys: readonly TestKey[]): VerifierOptions {
  return { issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds: 30, keys: { kind: 'jwks', jwks: { keys: keys.map((k) => k.publicJwk) } } };
}

export interface TokenOverrides {
  readonly sub?: string;
  readonly org?: string;
  readonly org_kind?: string;
  readonly role?: string;
  readonly tenants?: readonly string[];
  readonly iss?: string;
  readonly aud?: string;
  readonly exp?: number;
  readonly nbf?: number;
  readonly kid?: string | null;
  readonly omit?: readonly string[];
}

const KIND_OF: Record<string, string> = {
  socialWorker: 'ccas',
  ccasDirector: 'ccas',
  commissionMember: 'ccas',
  bankAdvisor: 'bank',
  guarantorOfficer: 'guarantor',
  federationAnalyst: 'federation',
  auditor: 'auditor',
  platformAdmin: 'platform',
};

export function claimsFor(overrides: TokenOverrides = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const role = overrides.role ?? 'socialWorker';
  const claims: Record<string, unknown> = {
    sub: overrides.sub ?? `user-${role}`,
    org: overrides.org ?? `org-${role}`,
    org_kind: overrides.org_kind ?? KIND_OF[role] ?? 'ccas',
    role,
    tenants: overrides.tenants ?? ['ccas-tarbes'],
    iss: overrides.iss ?? ISSUER,
    aud: overrides.aud ?? AUDIENCE,
    iat: now,
    nbf: overrides.nbf ?? now,
    exp: overrides.exp ?? now + 600,
  };
  for (const name of overrides.omit ?? []) delete claims[name];
  return claims;
}

export async function signToken(key: TestKey, overrides: TokenOverrides = {}): Promise<string> {
  const header: { alg: string; kid?: string; typ: string } = { alg: key.alg, typ: 'JWT' };
  const kid = overrides.kid === undefined ? key.kid : overrides.kid;
  if (kid !== null) header.kid = kid;
  return new jose.SignJWT(claimsFor(overrides)).setProtectedHeader(header).sign(key.privateKey);
}

/** Hand-made, since no library will sign these: an unsigned token and an HS256 token keyed by a public key. */
export function forgeToken(alg: 'none' | 'HS256', claims: Record<string, unknown>, options: { kid?: string; secret?: string } = {}): string {
  const header = base64url(JSON.stringify({ alg, typ: 'JWT', ...(options.kid ? { kid: options.kid } : {}) }));
  const payload = base64url(JSON.stringify(claims));
  if (alg === 'none') return `${header}.${payload}.`;
  const signature = createHmac('sha256', options.secret ?? '').update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function memoryRecorder(): AuditAccessRecorder & { readonly accesses: AuditAccess[] } {
  const accesses: AuditAccess[] = [];
  return {
    accesses,
    async record(access) {
      accesses.push(access);
    },
  };
}

/** A tiny strict body pipe, standing in for service-kit's ZodBodyPipe (which this lib must not import). */
export class StrictBodyPipe implements PipeTransform {
  constructor(private readonly schema: z.ZodType) {}
  transform(value: unknown): unknown {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const errors = parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), rule: 'unknown', message: `"${key}" is not an accepted field` }))
        : [{ field: issue.path.join('.'), rule: issue.code, message: issue.message }],
    );
    throw new BadRequestException({ statusCode: 400, code: 'VALIDATION_FAILED', message: errors[0].message, field: errors[0].field, errors });
  }
}

export async function startApp(options: {
  controllers: Type[];
  verifier: VerifierOptions;
  recorder: AuditAccessRecorder;
  providers?: DynamicModule['providers'];
}): Promise<INestApplication> {
  @Module({
    imports: [AuthModule.forRoot({ config: options.verifier, auditRecorder: { useValue: options.recorder } })],
    controllers: options.controllers,
    providers: options.providers ?? [],
  })
  class TestAppModule {}
  const app = await NestFactory.create(TestAppModule, { logger: false });
  await app.init();
  return app;
}
