import { ROLES, type Role } from './roles';

/**
 * tenant: the request names one tenant (route `:tenantId` or header X-Tenant-Id) that must be in the principal's
 * tenants. any: a tenant is optional (aggregates over all the principal's tenants); if named it must be in scope.
 * platform: not about one tenant (operating the platform itself).
 */
export type TenantScope = 'tenant' | 'any' | 'platform';

export interface RouteClassDefinition {
  readonly access: 'read' | 'write';
  readonly scope: TenantScope;
  readonly description: string;
  readonly roles: readonly Role[];
}

// The single source of who may do what. docs/security.md holds the same table, generated from this one.
export const ACCESS_MATRIX = {
  'file.read': {
    access: 'read',
    scope: 'tenant',
    description: 'intake: beneficiaries, files, appointments, budget, eligibility (personal data)',
    roles: ['socialWorker', 'ccasDirector', 'commissionMember', 'auditor'],
  },
  'file.write': {
    access: 'write',
    scope: 'tenant',
    description: 'intake: open a file, record appointments, budget, eligibility; submit to the commission',
    roles: ['socialWorker', 'ccasDirector'],
  },
  'commission.decide': {
    access: 'write',
    scope: 'tenant',
    description: 'CCAS commission: send a file to the bank or not; approve interest refunds',
    roles: ['commissionMember', 'ccasDirector'],
  },
  'loan.read': {
    access: 'read',
    scope: 'tenant',
    description: 'lending: loans, offers, schedules, payments, incidents of the tenant',
    roles: ['socialWorker', 'ccasDirector', 'commissionMember', 'bankAdvisor', 'auditor'],
  },
  'loan.bank-operate': {
    access: 'write',
    scope: 'tenant',
    description: 'lending, bank side: decide or amend, offer or withdraw an offer, sign, disburse, record payments, early repayments and incidents',
    roles: ['bankAdvisor'],
  },
  'loan.request-rescheduling': {
    access: 'write',
    scope: 'tenant',
    description: 'lending: ask for a payment holiday, term extension, instalment revision or write-off, or withdraw one’s own request (first pair of eyes)',
    roles: ['bankAdvisor', 'socialWorker'],
  },
  'loan.approve-rescheduling': {
    access: 'write',
    scope: 'tenant',
    description: 'lending: approve a rescheduling or write-off (second pair of eyes; never the requester)',
    roles: ['bankAdvisor'],
  },
  'guarantee.read': {
    access: 'read',
    scope: 'tenant',
    description: 'guarantee fund: guarantees, envelopes, exposure, claims, recoveries',
    roles: ['guarantorOfficer', 'ccasDirector', 'bankAdvisor', 'auditor'],
  },
  'guarantee.operate': {
    access: 'write',
    scope: 'tenant',
    description: 'guarantee fund: grant guarantees, manage envelopes, pay claims, share recoveries',
    roles: ['guarantorOfficer', 'ccasDirector'],
  },
  'accompaniment.read': {
    access: 'read',
    scope: 'tenant',
    description: 'accompaniment: plans, charters, contacts, escalations, support measures (personal data)',
    roles: ['socialWorker', 'ccasDirector', 'commissionMember', 'auditor'],
  },
  'accompaniment.write': {
    access: 'write',
    scope: 'tenant',
    description: 'accompaniment: record contacts, escalations, support measures, end-of-loan evaluation',
    roles: ['socialWorker', 'ccasDirector'],
  },
  'dashboard.read-aggregates': {
    access: 'read',
    scope: 'any',
    description: 'reporting: aggregated figures and pseudonymous ids only, over the principal\'s tenants',
    roles: ['ccasDirector', 'federationAnalyst', 'guarantorOfficer', 'auditor'],
  },
  'audit.read': {
    access: 'read',
    scope: 'tenant',
    description: 'audit: replay any stream (as of a date), verify hash chains, read the access log',
    roles: ['auditor'],
  },
  'privacy.erase': {
    access: 'write',
    scope: 'tenant',
    description: 'privacy: erase a person (crypto-shredding of their data key)',
    roles: ['ccasDirector'],
  },
  'tenant.configure': {
    access: 'write',
    scope: 'tenant',
    description: 'CCAS settings: products, interest-refund policy, guarantor, by a recorded decision',
    roles: ['ccasDirector'],
  },
  'platform.admin': {
    access: 'write',
    scope: 'platform',
    description: 'platform: onboard tenants and organisations, operate projections and dead letters; no personal data',
    roles: ['platformAdmin'],
  },
} as const satisfies Record<string, RouteClassDefinition>;

export type RouteClass = keyof typeof ACCESS_MATRIX;
export const ROUTE_CLASSES = Object.keys(ACCESS_MATRIX) as RouteClass[];

export function isRouteClass(value: unknown): value is RouteClass {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ACCESS_MATRIX, value);
}

export function routeClassDefinition(routeClass: RouteClass): RouteClassDefinition {
  return ACCESS_MATRIX[routeClass];
}

export function isAllowed(role: string, routeClass: RouteClass): boolean {
  return (ACCESS_MATRIX[routeClass].roles as readonly string[]).includes(role);
}

export const ALLOWED_MARK = '✅';
export const DENIED_MARK = '·';

/** The markdown table of docs/security.md: one row per route class, one column per role. */
export function renderAccessMatrixMarkdown(): string {
  const header = ['route class', 'access', 'tenant scope', ...ROLES.map((role) => `\`${role}\``), 'what it covers'];
  const lines = [row(header), row(header.map(() => '---'))];
  for (const routeClass of ROUTE_CLASSES) {
    const def = routeClassDefinition(routeClass);
    lines.push(
      row([
        `\`${routeClass}\``,
        def.access,
        def.scope,
        ...ROLES.map((role) => (isAllowed(role, routeClass) ? ALLOWED_MARK : DENIED_MARK)),
        def.description,
      ]),
    );
  }
  return lines.join('\n');
}

/**
 * Reads a table rendered as above back into role → route class decisions. The HTTP matrix test takes its
 * expectations from docs/security.md through this, so the document, not the code, is the oracle.
 */
export function parseAccessMatrixMarkdown(markdown: string): Map<string, Map<string, boolean>> {
  const rows = markdown
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('|'))
    .map((line) => line.slice(1, -1).split('|').map((cell) => cell.trim()));
  const [header, , ...body] = rows;
  if (!header) throw new Error('no table found');
  const roleColumns = header.map((cell, index) => [cell.replace(/`/g, ''), index] as const).filter(([cell]) => (ROLES as readonly string[]).includes(cell));
  const decisions = new Map<string, Map<string, boolean>>();
  for (const cells of body) {
    const routeClass = cells[0].replace(/`/g, '');
    decisions.set(routeClass, new Map(roleColumns.map(([role, index]) => [role, cells[index] === ALLOWED_MARK])));
  }
  return decisions;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}
