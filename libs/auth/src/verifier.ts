import type { Principal } from '@tremplin/tenancy';
import { ACCEPTED_ALGORITHMS, type AuthConfig } from './config';
import { loadOrCreateDevSigningKey } from './dev-keys';
import { AuthError } from './errors';
import { jose, type JSONWebKeySet } from './jose';
import { principalFromClaims } from './principal';

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

type KeyResolver = Parameters<typeof jose.jwtVerify>[1];

export interface VerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly clockToleranceSeconds: number;
  /** Where keys come from; `jwks` (an in-memory set) is for tests and embedded identity providers. */
  readonly keys: AuthConfig['keys'] | { readonly kind: 'jwks'; readonly jwks: JSONWebKeySet };
}

export async function createTokenVerifier(options: VerifierOptions): Promise<TokenVerifier> {
  const resolver = await keyResolver(options.keys);
  return {
    async verify(token) {
      checkHeader(token);
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jose.jwtVerify(token, resolver, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: [...ACCEPTED_ALGORITHMS],
          clockTolerance: options.clockToleranceSeconds,
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (error) {
        throw fromJoseError(error);
      }
      return principalFromClaims(payload);
    },
  };
}

async function keyResolver(keys: VerifierOptions['keys']): Promise<KeyResolver> {
  switch (keys.kind) {
    case 'jwks-url':
      return jose.createRemoteJWKSet(new URL(keys.url), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    case 'dev-keys':
      return jose.createLocalJWKSet({ keys: [(await loadOrCreateDevSigningKey(keys.dir)).publicJwk] });
    case 'jwks':
      return jose.createLocalJWKSet(keys.jwks);
  }
}

// Checked before any key lookup so the reason given is precise and no key is fetched for a forged header.
function checkHeader(token: string): void {
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = jose.decodeProtectedHeader(token);
  } catch {
    throw new AuthError('TOKEN_INVALID', 'the bearer token is not a well-formed JWT');
  }
  if (typeof header.alg !== 'string' || !(ACCEPTED_ALGORITHMS as readonly string[]).includes(header.alg)) {
    throw new AuthError('TOKEN_INVALID', `algorithm "${String(header.alg)}" is not accepted (accepted: ${ACCEPTED_ALGORITHMS.join(', ')})`);
  }
  if (typeof header.kid !== 'string' || !header.kid) throw new AuthError('TOKEN_INVALID', 'the token has no key id (kid)');
}

function fromJoseError(error: unknown): AuthError {
  const code = (error as { code?: string }).code;
  const claim = (error as { claim?: string }).claim;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new AuthError('TOKEN_EXPIRED', 'the token has expired');
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return new AuthError('TOKEN_INVALID', 'the token was signed with an unknown key (kid)');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new AuthError('TOKEN_INVALID', 'the token signature is not valid');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return new AuthError('TOKEN_INVALID', `claim "${claim}" is not acceptable: ${(error as Error).message}`, claim);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new AuthError('TOKEN_INVALID', 'the token algorithm is not accepted');
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return new AuthError('AUTH_UNAVAILABLE', 'the identity provider keys cannot be fetched');
    default:
      if (code?.startsWith('ERR_J')) return new AuthError('TOKEN_INVALID', `the token is not valid (${code})`);
      return new AuthError('AUTH_UNAVAILABLE', 'the token could not be checked');
  }
}
