import { generateKeyPairSync } from 'node:crypto';
import type { StreamHead, TenantChains } from './chains';
import { checkCheckpoint, checkConsistency, headLeaf, signCheckpoint, treeHead, versionsToProve } from './checkpoint';
import { inclusionProof, leafHash, verifyInclusion } from './merkle';
import { keyIdOf, type CheckpointSigner } from './signing-key';

const signerOf = (): CheckpointSigner => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
};
const signer = signerOf();
const h = (c: string) => c.repeat(64);
const heads: StreamHead[] = [
  { streamId: 'loan-b', streamVersion: 3, hash: h('b') },
  { streamId: 'loan-a', streamVersion: 5, hash: h('a') },
  { streamId: 'Loan-z', streamVersion: 1, hash: h('c') },
];
const checkpoint = signCheckpoint(signer, { service: 'lending', tenantId: 'ccas-1', takenAt: '2026-11-01T00:00:00.000000Z', heads });

// Today's verified chains, as checkTenantChains reports them with hashesAt = versionsToProve(checkpoints).
const today = (now: StreamHead[], hashesAt: Array<[string, number, string]>, broken: TenantChains['broken'] = []): TenantChains => {
  const map = new Map<string, Map<number, string>>();
  for (const [s, v, hash] of hashesAt) map.set(s, new Map([...(map.get(s) ?? []), [v, hash]]));
  return { tenantId: 'ccas-1', streams: now.length, events: now.reduce((n, x) => n + x.streamVersion, 0), broken, heads: now, hashesAt: map };
};

describe('a signed checkpoint', () => {
  it('orders its leaves by the bytes of the stream ids and signs a tree head over them that checks out', () => {
    expect(checkpoint.heads.map((x) => x.streamId)).toEqual(['Loan-z', 'loan-a', 'loan-b']);
    expect(checkpoint.body).toMatchObject({ streams: 3, events: 9, treeSize: 3, keyId: signer.keyId, rootHash: treeHead(heads).rootHash });
    expect(checkCheckpoint(checkpoint, signer.publicKey)).toEqual([]);
  });

  it('lets one stream head be proven part of the tree with its audit path alone', () => {
    const leaves = checkpoint.heads.map(headLeaf);
    const path = inclusionProof(leaves.map(leafHash), 1);
    expect(verifyInclusion(leaves[1], 1, 3, path, Buffer.from(checkpoint.body.rootHash, 'hex'))).toBe(true);
  });

  it('is refused when signed by another key, when its body was changed, or when its heads do not give its tree head', () => {
    expect(checkCheckpoint(checkpoint, signerOf().publicKey)).toEqual([expect.stringMatching(/^signed by key \w+, not by the trusted key/)]);
    expect(checkCheckpoint({ ...checkpoint, body: { ...checkpoint.body, takenAt: '2026-12-01T00:00:00.000000Z' } }, signer.publicKey)).toEqual(['the signature does not match the checkpoint']);
    const fewer = { ...checkpoint, heads: checkpoint.heads.slice(1) };
    expect(checkCheckpoint(fewer, signer.publicKey)).toEqual([
      expect.stringMatching(/^the stream heads give the tree head/),
      '2 stream heads, the signed tree has 3',
      'the heads count 8 events, the signed checkpoint 9',
    ]);
  });
});

describe('consistency of checkpoints with the chains of today', () => {
  const proven: Array<[string, number, string]> = [
    ['loan-a', 5, h('a')],
    ['loan-b', 3, h('b')],
    ['Loan-z', 1, h('c')],
  ];

  it('asks for the hash at every head version of every checkpoint', () => {
    expect(versionsToProve([checkpoint])).toEqual(new Map([['Loan-z', new Set([1])], ['loan-a', new Set([5])], ['loan-b', new Set([3])]]));
  });

  it('accepts appends and new streams, and counts them', () => {
    const now = [{ streamId: 'loan-a', streamVersion: 7, hash: h('d') }, { streamId: 'loan-b', streamVersion: 3, hash: h('b') }, { streamId: 'Loan-z', streamVersion: 1, hash: h('c') }, { streamId: 'loan-new', streamVersion: 2, hash: h('e') }];
    expect(checkConsistency([checkpoint], today(now, proven))).toEqual({ findings: [], grownStreams: 1, newStreams: 1, appendedEvents: 4 });
  });

  it('names a stream shortened, rewritten, vanished or broken', () => {
    const now = [{ streamId: 'loan-a', streamVersion: 4, hash: h('a') }, { streamId: 'loan-b', streamVersion: 6, hash: h('f') }];
    const result = checkConsistency([checkpoint], today(now, [['loan-b', 3, h('9')]], []));
    expect(result.findings.map((f) => [f.kind, f.streamId])).toEqual([
      ['vanished', 'Loan-z'],
      ['shortened', 'loan-a'],
      ['rewritten', 'loan-b'],
    ]);
    expect(result.findings[1].message).toBe('loan-a: shortened from 5 events at 2026-11-01T00:00:00.000000Z to 4 now (versions 5-5 removed)');
    const broken = checkConsistency([checkpoint], today([], [], [{ streamId: 'loan-a', streamVersion: 2, eventId: 'e-2', reason: 'hash does not match the event content' }]));
    expect(broken.findings[1]).toEqual(expect.objectContaining({ kind: 'broken', streamId: 'loan-a', message: 'loan-a: chain broken at version 2 (event e-2): hash does not match the event content' }));
  });

  it('checks every checkpoint given, so a later one signed over a rewritten history does not hide it', () => {
    const rewritten = signCheckpoint(signer, { service: 'lending', tenantId: 'ccas-1', takenAt: '2026-12-01T00:00:00.000000Z', heads: [{ streamId: 'loan-a', streamVersion: 6, hash: h('7') }, ...heads.slice(0, 1), heads[2]] });
    const now = [{ streamId: 'loan-a', streamVersion: 6, hash: h('7') }, heads[0], heads[2]];
    const result = checkConsistency([rewritten, checkpoint], today(now, [...proven.slice(1), ['loan-a', 6, h('7')], ['loan-a', 5, h('6')]]));
    expect(result.findings).toEqual([expect.objectContaining({ kind: 'rewritten', streamId: 'loan-a', checkpoint: '2026-11-01T00:00:00.000000Z' })]);
  });
});
