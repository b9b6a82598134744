import { demoCli } from './demo.cli';

// The demo's command line refuses what it cannot run before starting anything (the year itself is checked by the
// e2e spec that runs the driver, test-e2e/demo.e2e.spec.ts).
describe('npm run demo: usage', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  });
  afterEach(() => jest.restoreAllMocks());

  it('prints its usage on --help and exits 0', async () => {
    expect(await demoCli(['--help'], {})).toBe(0);
    expect(written.join('')).toContain('usage: npm run demo');
  });

  it.each([['--concurrency', '0'], ['--concurrency', 'many'], ['--concurrency', '33']])('refuses %s %s with 2', async (...argv) => {
    expect(await demoCli(argv, {})).toBe(2);
    expect(written.join('')).toContain('--concurrency: a whole number from 1 to 32');
  });

  it('refuses an unknown option with 2', async () => {
    expect(await demoCli(['--year', '2016'], {})).toBe(2);
    expect(written.join('')).toMatch(/Unknown option '--year'/);
  });

  it('refuses to mint tokens for a platform with real identities, before reaching any service', async () => {
    expect(await demoCli(['--use-running'], { AUTH_JWKS_URL: 'https://login.example/jwks' })).toBe(2);
    expect(written.join('')).toContain('AUTH_JWKS_URL is set');
  });
});
