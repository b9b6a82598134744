import { createHash } from 'node:crypto';

// RFC 9162 (Certificate Transparency v2, as RFC 6962) Merkle tree hashing: domain-separated leaves and nodes, so a
// node can never be passed off as a leaf, and the tree of n leaves splits at the largest power of two below n.
const sha256 = (...parts: Buffer[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

export const leafHash = (leaf: Buffer): Buffer => sha256(Buffer.from([0x00]), leaf);
export const nodeHash = (left: Buffer, right: Buffer): Buffer => sha256(Buffer.from([0x01]), left, right);

const split = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH(D[n]) over leaf hashes already computed; the empty tree hashes to sha256(""). */
export function merkleRootOfHashes(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return sha256();
  // Bottom-up over levels gives the same tree as the recursive definition: a level's odd last node is promoted.
  let level = [...hashes];
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

export const merkleRoot = (leaves: readonly Buffer[]): Buffer => merkleRootOfHashes(leaves.map(leafHash));

/** The audit path of leaf m in a tree of the given leaves (RFC 9162 2.1.3.1), leaf side first. */
export function inclusionProof(leafHashes: readonly Buffer[], m: number): Buffer[] {
  if (m < 0 || m >= leafHashes.length) throw new RangeError(`leaf ${m} is outside a tree of ${leafHashes.length}`);
  if (leafHashes.length === 1) return [];
  const k = split(leafHashes.length);
  return m < k
    ? [...inclusionProof(leafHashes.slice(0, k), m), merkleRootOfHashes(leafHashes.slice(k))]
    : [...inclusionProof(leafHashes.slice(k), m - k), merkleRootOfHashes(leafHashes.slice(0, k))];
}

/** RFC 9162 2.1.3.2: does this path lead from the leaf at index m of a tree of size n to the root? */
export function verifyInclusion(leaf: Buffer, m: number, n: number, path: readonly Buffer[], root: Buffer): boolean {
  if (m < 0 || m >= n) return false;
  let fn = m;
  let sn = n - 1;
  let r = leafHash(leaf);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(root);
}
