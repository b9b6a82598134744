import { z } from 'zod';
import { contractRegistry } from './registry';
import { findPersonalDataKeys, isPersonalDataKey, schemaKeyPaths } from './personal-data';

describe('integration contracts carry no personal data', () => {
  it.each(contractRegistry.contracts.map((contract) => [contract.name, contract] as const))('%s has no key that names personal data', (_name, contract) => {
    expect(findPersonalDataKeys(contract.schema)).toEqual([]);
  });

  it('every registered contract is walked (the walker sees their keys)', () => {
    for (const contract of contractRegistry.contracts) {
      expect(schemaKeyPaths(contract.schema)).toEqual(expect.arrayContaining(['tenantId']));
    }
  });
});

describe('the personal-data walker', () => {
  it('finds a bad key nested in objects, arrays, optionals, unions, records and lazy schemas', () => {
    const schema = z.object({
      loanId: z.string(),
      household: z
        .object({
          members: z.array(z.object({ role: z.string(), contact: z.object({ emailAddress: z.string() }) })),
        })
        .optional(),
      payer: z.union([z.object({ iban: z.string() }), z.null()]),
      extras: z.record(z.string(), z.object({ freeText: z.string() })),
      tree: z.lazy(() => z.object({ dateOfBirth: z.string() })),
    });
    expect(findPersonalDataKeys(schema).sort()).toEqual([
      'extras{}.freeText',
      'household.members[].contact.emailAddress',
      'payer.iban',
      'tree.dateOfBirth',
    ]);
  });

  it('survives recursive schemas', () => {
    type Node = { id: string; children: Node[] };
    const node: z.ZodType<Node> = z.lazy(() => z.object({ id: z.string(), children: z.array(node) }));
    expect(findPersonalDataKeys(z.object({ root: node }))).toEqual([]);
  });

  it.each([
    'name', 'firstName', 'lastName', 'fullName', 'surname', 'address', 'postalAddress', 'street', 'city', 'birthCity',
    'postcode', 'postCode', 'zip', 'zipCode', 'phone', 'phoneNumber', 'telephone', 'email', 'e_mail', 'birthDate',
    'dateOfBirth', 'birthday', 'iban', 'bic', 'rib', 'ribKey', 'note', 'notes', 'comment', 'comments', 'freeText',
    'description', 'nir', 'socialSecurityNumber',
  ])('flags %s', (key) => {
    expect(isPersonalDataKey(key)).toBe(true);
  });

  it.each(['loanId', 'beneficiaryId', 'capacity', 'distribution', 'contributionCents', 'purposeCategory', 'commissionDecisionId', 'tenantId', 'dueDate', 'reasonCode'])(
    'does not flag %s',
    (key) => {
      expect(isPersonalDataKey(key)).toBe(false);
    },
  );
});
