import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// The module boundaries are a lint rule, so they are only as real as this check: each case lints a file that
// breaks one rule, at a real path in the workspace, through the project's own ESLint configuration.
const root = join(__dirname, '..', '..');

// ESLint runs in its own process: its flat config is an ES module, which Jest's module loader cannot import.
async function lint(filePath: string, code: string): Promise<string[]> {
  const bin = join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const args = [bin, '--stdin', '--stdin-filename', join(root, filePath), '--format', 'json'];
  let output: string;
  try {
    output = execFileSync(process.execPath, args, { cwd: root, input: code, encoding: 'utf8' });
  } catch (error) {
    output = (error as { stdout: string }).stdout; // exit code 1 = lint errors, reported on stdout as usual
  }
  const [result] = JSON.parse(output) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries', () => {
  beforeAll(() => {
    // @nx/enforce-module-boundaries reads the cached project graph; build it as `npm run lint` does.
    execFileSync(process.execPath, [require.resolve('nx/bin/nx'), 'show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
  });

  it('a service may not import another service', async () => {
    const messages = await lint('services/intake/src/sneaky.ts', "import { service } from '../../lending/src/service';\nexport const x = service;\n");
    expect(messages.join('\n')).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('a kernel lib may not import a platform lib', async () => {
    const messages = await lint('libs/finance/src/sneaky.ts', "import { createPool } from '@tremplin/pg';\nexport const x = createPool;\n");
    expect(messages.join('\n')).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('a decider may not import a framework nor read the clock', async () => {
    const messages = await lint(
      'services/lending/src/loan/sneaky.decider.ts',
      "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\nexport const now = () => new Date();\nexport const t = () => Date.now();\n",
    );
    expect(messages.filter((m) => m.startsWith('no-restricted-imports'))).toHaveLength(1);
    expect(messages.filter((m) => m.startsWith('no-restricted-syntax'))).toHaveLength(2);
  });

  it.each(['services/lending/src/loan/sneaky.state.ts', 'services/lending/src/product/sneaky.terms.ts', 'services/lending/src/loan/sneaky.rules.ts', 'services/lending/src/loan/sneaky.evolve.ts'])(
    'the files a decider is split into are held to the same rule: %s',
    async (filePath) => {
      const messages = await lint(filePath, "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\nexport const now = () => new Date();\n");
      expect(messages.filter((m) => m.startsWith('no-restricted-imports'))).toHaveLength(1);
      expect(messages.filter((m) => m.startsWith('no-restricted-syntax'))).toHaveLength(1);
    },
  );

  it('production code of a service may not use the test helpers, its specs may', async () => {
    const code = "import { createTestDatabase } from '@tremplin/testing';\nexport const x = createTestDatabase;\n";
    expect((await lint('services/lending/src/sneaky.ts', code)).join('\n')).toMatch(/test helpers are for specs only/);
    expect(await lint('services/lending/src/sneaky.int.spec.ts', code)).toEqual([]);
  });

  it('a service may import platform, contracts and kernel libs', async () => {
    const code = "import { createPool } from '@tremplin/pg';\nimport { startService } from '@tremplin/service-kit';\nexport const x = [createPool, startService];\n";
    expect(await lint('services/lending/src/fine.ts', code)).toEqual([]);
  });
});
