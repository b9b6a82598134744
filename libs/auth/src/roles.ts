import type { OrganisationKind } from '@tremplin/tenancy';

export const ROLES = [
  'socialWorker',
  'ccasDirector',
  'commissionMember',
  'bankAdvisor',
  'guarantorOfficer',
  'federationAnalyst',
  'auditor',
  'platformAdmin',
] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

// A token whose role does not fit its organisation is a mis-mapped identity provider: refuse it rather than
// let, say, a bank user act as a social worker.
export const ORGANISATION_KINDS_OF_ROLE: Readonly<Record<Role, readonly OrganisationKind[]>> = {
  socialWorker: ['ccas'],
  ccasDirector: ['ccas'],
  commissionMember: ['ccas'],
  bankAdvisor: ['bank'],
  guarantorOfficer: ['guarantor'],
  federationAnalyst: ['federation'],
  auditor: ['auditor'],
  platformAdmin: ['platform'],
};
