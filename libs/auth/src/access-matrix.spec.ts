import { readFileSync } from 'node:fs';
import { ACCESS_MATRIX, isAllowed, parseAccessMatrixMarkdown, renderAccessMatrixMarkdown, ROUTE_CLASSES, routeClassDefinition } from './access-matrix';
import { ROLES } from './roles';
import { matrixOf, SECURITY_DOC } from './write-access-matrix.cli';

describe('the access matrix', () => {
  it('is written in docs/security.md exactly as generated from the table the guard uses', () => {
    // To update: node -r @swc-node/register libs/auth/src/write-access-matrix.cli.ts
    expect(matrixOf(readFileSync(SECURITY_DOC, 'utf8'))).toBe(renderAccessMatrixMarkdown());
  });

  it('reads back from its markdown to the same decisions', () => {
    const parsed = parseAccessMatrixMarkdown(renderAccessMatrixMarkdown());
    for (const routeClass of ROUTE_CLASSES) for (const role of ROLES) expect(parsed.get(routeClass)?.get(role)).toBe(isAllowed(role, routeClass));
  });

  it('gives the auditor read classes only', () => {
    const auditorClasses = ROUTE_CLASSES.filter((rc) => isAllowed('auditor', rc));
    expect(auditorClasses.length).toBeGreaterThan(0);
    expect(auditorClasses.filter((rc) => routeClassDefinition(rc).access !== 'read')).toEqual([]);
  });

  it('keeps the federation analyst, the guarantor and the platform admin away from personal data', () => {
    const personal = ['file.read', 'accompaniment.read', 'audit.read'] as const;
    for (const role of ['federationAnalyst', 'guarantorOfficer', 'platformAdmin', 'bankAdvisor']) {
      expect(personal.filter((rc) => isAllowed(role, rc))).toEqual([]);
    }
  });

  it('lets every role do something and every route class be used by someone', () => {
    for (const role of ROLES) expect(ROUTE_CLASSES.some((rc) => isAllowed(role, rc))).toBe(true);
    for (const routeClass of ROUTE_CLASSES) expect(ACCESS_MATRIX[routeClass].roles.length).toBeGreaterThan(0);
  });

  it('does not accept an unknown role', () => {
    expect(ROUTE_CLASSES.some((rc) => isAllowed('root', rc))).toBe(false);
  });
});
