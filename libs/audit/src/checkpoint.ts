import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '@tremplin/event-sourcing';
import type { StreamHead, TenantChains } from './chains';
import { leafHash, merkleRootOfHashes } from './merkle';
import { keyIdOf, type CheckpointSigner } from './signing-key';

export const CHECKPOINT_FORMAT = 'tremplin.audit.checkpoint/1';
export const CHECKPOINT_FILE_FORMAT = 'tremplin.audit.checkpoints/1';

/** What the platform key signs (canonical JSON of this object); docs/decisions/0006-audit-checkpoints.md. */
export interface CheckpointBody {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly service: string;
  readonly tenantId: string;
  /** The database's clock at the snapshot the heads were read in. */
  readonly takenAt: string;
  readonly streams: number;
  readonly events: number;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly keyId: string;
}

export interface SignedCheckpoint {
  readonly body: CheckpointBody;
  /** Ed25519 over canonicalJson(body), base64. */
  readonly signature: string;
  /** The tree's leaves, in tree order: the auditor keeps them to check later checkpoints stream by stream. */
  readonly heads: readonly StreamHead[];
}

export interface CheckpointFile {
  readonly format: typeof CHECKPOINT_FILE_FORMAT;
  readonly checkpoints: readonly SignedCheckpoint[];
}

// Tree order is the UTF-8 byte order of stream ids, which no database collation can change.
const byStreamBytes = (a: StreamHead, b: StreamHead) => Buffer.compare(Buffer.from(a.streamId, 'utf8'), Buffer.from(b.streamId, 'utf8'));

/** A leaf is the canonical JSON of one head: unambiguous, whatever characters a stream id holds. */
export const headLeaf = (head: StreamHead): Buffer => Buffer.from(canonicalJson({ hash: head.hash, streamId: head.streamId, streamVersion: head.streamVersion }), 'utf8');

export function treeHead(heads: readonly StreamHead[]): { sorted: StreamHead[]; rootHash: string } {
  const sorted = [...heads].sort(byStreamBytes);
  return { sorted, rootHash: merkleRootOfHashes(sorted.map((head) => leafHash(headLeaf(head)))).toString('hex') };
}

export function signCheckpoint(signer: CheckpointSigner, input: { service: string; tenantId: string; takenAt: string; heads: readonly StreamHead[] }): SignedCheckpoint {
  const { sorted, rootHash } = treeHead(input.heads);
  const body: CheckpointBody = {
    format: CHECKPOINT_FORMAT,
    service: input.service,
    tenantId: input.tenantId,
    takenAt: input.takenAt,
    streams: sorted.length,
    events: sorted.reduce((sum, head) => sum + head.streamVersion, 0),
    treeSize: sorted.length,
    rootHash,
    keyId: signer.keyId,
  };
  return { body, signature: sign(null, Buffer.from(canonicalJson(body), 'utf8'), signer.privateKey).toString('base64'), heads: sorted };
}

/** Problems with a checkpoint as a document: signature, key, tree head, counts. Empty when it is sound. */
export function checkCheckpoint(checkpoint: SignedCheckpoint, publicKey: KeyObject): string[] {
  const problems: string[] = [];
  const { body, heads } = checkpoint;
  if (body?.format !== CHECKPOINT_FORMAT) return [`not a checkpoint of format ${CHECKPOINT_FORMAT}`];
  if (body.keyId !== keyIdOf(publicKey)) problems.push(`signed by key ${body.keyId}, not by the trusted key ${keyIdOf(publicKey)}`);
  else if (!verify(null, Buffer.from(canonicalJson(body), 'utf8'), publicKey, Buffer.from(checkpoint.signature ?? '', 'base64'))) problems.push('the signature does not match the checkpoint');
  const { sorted, rootHash } = treeHead(heads);
  if (sorted.some((head, i) => head !== heads[i])) problems.push('the stream heads are not in tree order');
  if (sorted.some((head, i) => i > 0 && head.streamId === sorted[i - 1].streamId)) problems.push('a stream appears twice among the heads');
  if (rootHash !== body.rootHash) problems.push(`the stream heads give the tree head ${rootHash}, the signed one is ${body.rootHash}`);
  if (heads.length !== body.treeSize || heads.length !== body.streams) problems.push(`${heads.length} stream heads, the signed tree has ${body.treeSize}`);
  const events = heads.reduce((sum, head) => sum + head.streamVersion, 0);
  if (events !== body.events) problems.push(`the heads count ${events} events, the signed checkpoint ${body.events}`);
  return problems;
}

export type FindingKind = 'vanished' | 'shortened' | 'rewritten' | 'broken';

export interface ConsistencyFinding {
  readonly kind: FindingKind;
  readonly streamId: string;
  /** takenAt of the checkpoint the stream no longer extends. */
  readonly checkpoint: string;
  readonly message: string;
}

export interface Consistency {
  readonly findings: ConsistencyFinding[];
  /** Since the latest checkpoint: streams that grew, streams that are new, events appended. */
  readonly grownStreams: number;
  readonly newStreams: number;
  readonly appendedEvents: number;
}

/** The versions whose recomputed hash a consistency check needs: every head of every checkpoint. */
export function versionsToProve(checkpoints: readonly SignedCheckpoint[]): Map<string, Set<number>> {
  const wanted = new Map<string, Set<number>>();
  for (const checkpoint of checkpoints) {
    for (const head of checkpoint.heads) {
      let versions = wanted.get(head.streamId);
      if (!versions) wanted.set(head.streamId, (versions = new Set()));
      versions.add(head.streamVersion);
    }
  }
  return wanted;
}

/**
 * Every head (stream, version, hash) of every checkpoint must be a prefix of today's verified chain: the stream is
 * still there, at least that long, and its event at that version still hashes (recomputed from genesis) to the
 * signed hash. Hash chaining makes that one comparison cover every earlier event; if it holds for each checkpoint,
 * each later one extends each earlier one (they are prefixes of one chain). `now` must come from checkTenantChains
 * with hashesAt = versionsToProve(checkpoints).
 */
export function checkConsistency(checkpoints: readonly SignedCheckpoint[], now: TenantChains): Consistency {
  const findings: ConsistencyFinding[] = [];
  const current = new Map(now.heads.map((head) => [head.streamId, head]));
  const broken = new Map(now.broken.map((link) => [link.streamId, link]));
  const ordered = [...checkpoints].sort((a, b) => a.body.takenAt.localeCompare(b.body.takenAt));
  for (const checkpoint of ordered) {
    const at = checkpoint.body.takenAt;
    for (const head of checkpoint.heads) {
      const add = (kind: FindingKind, message: string) => findings.push({ kind, streamId: head.streamId, checkpoint: at, message });
      const link = broken.get(head.streamId);
      const today = current.get(head.streamId);
      if (link) add('broken', `${head.streamId}: chain broken at version ${link.streamVersion} (event ${link.eventId}): ${link.reason}`);
      else if (!today) add('vanished', `${head.streamId}: had ${head.streamVersion} events at ${at}, has none now`);
      else if (today.streamVersion < head.streamVersion) {
        add('shortened', `${head.streamId}: shortened from ${head.streamVersion} events at ${at} to ${today.streamVersion} now (versions ${today.streamVersion + 1}-${head.streamVersion} removed)`);
      } else if (now.hashesAt.get(head.streamId)?.get(head.streamVersion) !== head.hash) {
        add('rewritten', `${head.streamId}: its event at version ${head.streamVersion} no longer hashes to the head signed at ${at} (an event at or before version ${head.streamVersion} was changed, or the stream was rewritten)`);
      }
    }
  }
  const latest = ordered[ordered.length - 1];
  const before = new Map((latest?.heads ?? []).map((head) => [head.streamId, head.streamVersion]));
  let grownStreams = 0;
  let newStreams = 0;
  let appendedEvents = 0;
  for (const head of now.heads) {
    const was = before.get(head.streamId);
    if (was === undefined) newStreams += 1;
    else if (head.streamVersion > was) grownStreams += 1;
    appendedEvents += Math.max(0, head.streamVersion - (was ?? 0));
  }
  return { findings, grownStreams, newStreams, appendedEvents };
}
