import { OPS_EXIT, opsMain } from './cli';

// The command line's usage errors: exit 2 naming what is wrong, before any connection is made.
async function ops(argv: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await opsMain(argv, { env, out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

describe('npm run ops -- … usage', () => {
  it('prints the usage for help', async () => {
    const result = await ops(['help']);
    expect(result.code).toBe(OPS_EXIT.ok);
    expect(result.out).toMatch(/^usage: npm run ops -- <command>/);
    expect(result.out).toContain('replay-dead-letters --topic TOPIC.dlq');
  });

  it.each([
    [['frobnicate'], 'unknown command frobnicate'],
    [['backup'], 'backup takes one folder'],
    [['backup', '/tmp/x'], 'name the databases: --base-url URL'],
    [['backup', '/tmp/x', '--db', 'lending'], '--db takes SERVICE=URL, got lending'],
    [['backup', '/tmp/x', '--db', 'lending=http://x/y'], 'the URL of lending is not a postgres:// URL'],
    [['backup', '/tmp/x', '--base-url', 'postgres://h/x', '--services', 'lending,billing'], 'unknown service billing'],
    [['backup', '/tmp/x', '--db', 'lending=postgres://h/a', '--db', 'lending=postgres://h/b'], 'service lending is named twice'],
    [['restore', '/tmp/x'], 'restore needs --target-url URL'],
    [['restore', '/tmp/x', '--target-url', 'postgres://h/postgres', '--rename', 'lending'], '--rename takes SERVICE=DATABASE, got lending'],
    [['verify', 'extra', '--db', 'lending=postgres://h/a'], 'unexpected argument: extra'],
    [['replay-dead-letters', '--topic', 'lending.loan'], 'replay-dead-letters needs --topic <topic>.dlq'],
    [['replay-dead-letters', '--topic', 'lending.loan.dlq'], 'name the Kafka brokers'],
  ])('%j is a usage error: %s', async (argv, message) => {
    const result = await ops(argv);
    expect(result.code).toBe(OPS_EXIT.usage);
    expect(result.err).toContain(message);
  });
});
