import { inclusionProof, leafHash, merkleRoot, verifyInclusion } from './merkle';

// The leaves and roots of the reference tests of Certificate Transparency (google/certificate-transparency,
// merkle_tree_test.cc): an independent implementation that this one must agree with byte for byte.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('Merkle tree head (RFC 6962 / 9162 hashing)', () => {
  it('the empty tree hashes to sha256 of nothing', () => {
    expect(merkleRoot([]).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it.each(ROOTS.map((root, i) => [i + 1, root] as const))('a tree of %i reference leaves has the reference root', (n, root) => {
    expect(merkleRoot(LEAVES.slice(0, n)).toString('hex')).toBe(root);
  });

  it('every leaf of every tree size has an audit path that leads to the root, and only from its own index', () => {
    for (let n = 1; n <= LEAVES.length; n += 1) {
      const leaves = LEAVES.slice(0, n);
      const root = merkleRoot(leaves);
      for (let m = 0; m < n; m += 1) {
        const path = inclusionProof(leaves.map(leafHash), m);
        expect(verifyInclusion(leaves[m], m, n, path, root)).toBe(true);
        if (n > 1) expect(verifyInclusion(leaves[m], (m + 1) % n, n, path, root)).toBe(false);
      }
    }
  });

  it('a changed leaf no longer leads to the root', () => {
    const root = merkleRoot(LEAVES);
    const path = inclusionProof(LEAVES.map(leafHash), 3);
    expect(verifyInclusion(Buffer.from('2022', 'hex'), 3, LEAVES.length, path, root)).toBe(false);
  });
});
