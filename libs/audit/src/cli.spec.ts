import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKPOINT_FILE_FORMAT, headLeaf, signCheckpoint } from './checkpoint';
import { main } from './cli';
import { verifyInclusion } from './merkle';
import { keyIdOf } from './signing-key';

// The offline commands: what an auditor or a third party runs on a checkpoint file, without any database.
let dir: string;
let env: Record<string, string>;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tremplin-audit-offline-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyFile = join(dir, 'key.pem');
  await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  env = { AUDIT_CHECKPOINT_KEY_FILE: keyFile };
  const heads = Array.from({ length: 5 }, (_, i) => ({ streamId: `loan-${i}`, streamVersion: i + 1, hash: String(i).repeat(64) }));
  const checkpoint = signCheckpoint({ privateKey, publicKey, keyId: keyIdOf(publicKey) }, { service: 'lending', tenantId: 'ccas-1', takenAt: '2026-11-01T00:00:00.000000Z', heads });
  file = join(dir, 'checkpoint.json');
  await writeFile(file, JSON.stringify({ format: CHECKPOINT_FILE_FORMAT, checkpoints: [checkpoint] }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const run = async (...argv: string[]) => {
  let out = '';
  let err = '';
  const code = await main(argv, { env, out: (t) => (out += t), err: (t) => (err += t), progressIsTty: false });
  return { code, out, err };
};

describe('offline commands', () => {
  it('prove: gives one stream head with an audit path that leads to the signed tree head (exit 0)', async () => {
    const result = await run('prove', '--file', file, '--stream', 'loan-3', '--json');
    expect(result.code).toBe(0);
    const { proof } = JSON.parse(result.out) as { proof: { head: { streamId: string; streamVersion: number; hash: string }; leafIndex: number; treeSize: number; auditPath: string[]; checkpoint: { rootHash: string } } };
    expect(proof).toMatchObject({ head: { streamId: 'loan-3', streamVersion: 4 }, leafIndex: 3, treeSize: 5 });
    expect(verifyInclusion(headLeaf(proof.head), proof.leafIndex, proof.treeSize, proof.auditPath.map((h) => Buffer.from(h, 'hex')), Buffer.from(proof.checkpoint.rootHash, 'hex'))).toBe(true);
  });

  it('prove: a stream the checkpoint does not hold is a usage error (exit 2)', async () => {
    const result = await run('prove', '--file', file, '--stream', 'loan-9');
    expect(result.code).toBe(2);
    expect(result.err).toContain('0 checkpoints of');
  });

  it('check-checkpoint: a sound file is valid (exit 0); a file that is not a checkpoint is a usage error (exit 2)', async () => {
    const sound = await run('check-checkpoint', '--file', file);
    expect(sound.code).toBe(0);
    expect(sound.out).toContain('lending/ccas-1 at 2026-11-01T00:00:00.000000Z: valid — 5 streams, 15 events');
    const other = join(dir, 'other.json');
    await writeFile(other, '{"hello":"world"}');
    const wrong = await run('check-checkpoint', '--file', other);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('is not a checkpoint file');
  });

  it('key: prints the public key and the key id the checkpoints carry', async () => {
    const result = await run('key', '--json');
    expect(result.code).toBe(0);
    const { keyId, publicKeyPem } = JSON.parse(result.out) as { keyId: string; publicKeyPem: string };
    expect(publicKeyPem).toContain('BEGIN PUBLIC KEY');
    const sound = await run('check-checkpoint', '--file', file, '--json');
    expect((JSON.parse(sound.out) as { keyId: string }).keyId).toBe(keyId);
  });
});
