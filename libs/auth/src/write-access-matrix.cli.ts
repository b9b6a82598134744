import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderAccessMatrixMarkdown } from './access-matrix';

export const SECURITY_DOC = resolve(__dirname, '..', '..', '..', 'docs', 'security.md');
export const MATRIX_START = '<!-- access-matrix:start (generated from libs/auth/src/access-matrix.ts; do not edit by hand) -->';
export const MATRIX_END = '<!-- access-matrix:end -->';

export function withMatrix(document: string, table: string = renderAccessMatrixMarkdown()): string {
  const start = document.indexOf(MATRIX_START);
  const end = document.indexOf(MATRIX_END);
  if (start < 0 || end < start) throw new Error(`${SECURITY_DOC} has no access-matrix markers`);
  return `${document.slice(0, start + MATRIX_START.length)}\n${table}\n${document.slice(end)}`;
}

export function matrixOf(document: string): string {
  const start = document.indexOf(MATRIX_START);
  const end = document.indexOf(MATRIX_END);
  if (start < 0 || end < start) throw new Error('no access-matrix markers');
  return document.slice(start + MATRIX_START.length, end).trim();
}

// node -r @swc-node/register libs/auth/src/write-access-matrix.cli.ts
if (require.main === module) {
  readFile(SECURITY_DOC, 'utf8')
    .then((doc) => writeFile(SECURITY_DOC, withMatrix(doc)))
    .then(() => process.stdout.write(`updated ${SECURITY_DOC}\n`));
}
