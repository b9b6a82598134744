// @ts-check
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = __dirname;
const swc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);

const base = {
  rootDir: root,
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest', { ...swc, swcrc: false }] },
  // ES-module-only packages are compiled to CommonJS for Jest's module loader (Node itself loads them natively).
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
};

const integration = {
  globalSetup: '<rootDir>/deploy/local/jest.global-setup.ts',
  globalTeardown: '<rootDir>/deploy/local/jest.global-teardown.ts',
  slowTestThreshold: 30,
};

const folders = ['libs', 'services']
  .flatMap((top) => (existsSync(join(root, top)) ? readdirSync(join(root, top)).map((name) => `${top}/${name}`) : []))
  .filter((folder) => existsSync(join(root, folder, 'project.json')));

// One unit project and one integration project per lib and service (`jest --selectProjects lending:int`);
// the integration projects share a single PostgreSQL and Kafka started once per run by the global setup.
const projects = folders.flatMap((folder) => {
  const name = folder.split('/')[1];
  return [
    { ...base, displayName: name, roots: [`<rootDir>/${folder}`], testMatch: ['**/*.spec.ts'], testPathIgnorePatterns: ['\\.int\\.spec\\.ts$'] },
    { ...base, ...integration, displayName: `${name}:int`, roots: [`<rootDir>/${folder}`], testMatch: ['**/*.int.spec.ts'] },
  ];
});
projects.push(
  { ...base, displayName: 'local-infra', roots: ['<rootDir>/deploy'], testMatch: ['**/*.spec.ts'], testPathIgnorePatterns: ['\\.int\\.spec\\.ts$'] },
  { ...base, ...integration, displayName: 'local-infra:int', roots: ['<rootDir>/deploy'], testMatch: ['**/*.int.spec.ts'] },
  { ...base, ...integration, displayName: 'e2e', roots: ['<rootDir>/test-e2e'], testMatch: ['**/*.e2e.spec.ts'] },
);

/** @type {import('jest').Config} */
module.exports = {
  projects,
  testTimeout: 120_000,
  // Integration files each make their own database; two workers fit a 2-core machine with the servers running.
  maxWorkers: 2,
};
