import { z } from 'zod';
import { isSafeId, ORGANISATION_KINDS, type Principal } from '@tremplin/tenancy';
import { AuthError } from './errors';
import { ORGANISATION_KINDS_OF_ROLE, ROLES } from './roles';

export type { Principal } from '@tremplin/tenancy';

const id = z.string().min(1).max(128).refine(isSafeId, 'must be an id of letters, digits, ".", "_", ":" or "-"');

const claimsSchema = z.object({
  sub: id,
  org: id,
  org_kind: z.enum(ORGANISATION_KINDS),
  role: z.enum(ROLES),
  tenants: z.array(id).max(1000),
});

/** Token claims (sub, org, org_kind, role, tenants) → principal; anything missing or inconsistent → TOKEN_INVALID. */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const claim = String(issue.path[0] ?? 'claims');
    throw new AuthError('TOKEN_INVALID', `claim "${claim}" is invalid: ${issue.message}`, claim);
  }
  const { sub, org, org_kind, role, tenants } = parsed.data;
  if (!ORGANISATION_KINDS_OF_ROLE[role].includes(org_kind)) {
    throw new AuthError('TOKEN_INVALID', `role "${role}" cannot belong to an organisation of kind "${org_kind}"`, 'role');
  }
  return { userId: sub, organisationId: org, organisationKind: org_kind, role, tenantIds: [...new Set(tenants)] };
}
