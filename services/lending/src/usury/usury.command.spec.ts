import { parseUsuryCapTables, usuryCapFor } from '@tremplin/finance';
import { usuryCommand, type UsuryIo } from './usury.command';

// The operator's quarterly update on an in-memory file: what it writes is what lending reads.

function memory(initial?: string) {
  const files = new Map<string, string>(initial === undefined ? [] : [['caps.json', initial]]);
  const out: string[] = [];
  const err: string[] = [];
  const io: UsuryIo = { readFile: (path) => files.get(path), writeFile: (path, text) => void files.set(path, text), out: (text) => void out.push(text), err: (text) => void err.push(text) };
  return { io, files, out, err };
}

const q2 = ['add', '--from', '2026-04-01', '--until', '2026-06-30', '--upTo3000', '23.50', '--from3000To6000', '15.80', '--over6000', '8.70', '--file', 'caps.json'];

describe('npm run usury', () => {
  it('adds a notice to the file, which lending reads back, and prints the variable to deploy', () => {
    const m = memory();
    expect(usuryCommand(q2, m.io)).toBe(0);
    const tables = parseUsuryCapTables(m.files.get('caps.json')!);
    expect(tables).toEqual([{ effectiveFrom: '2026-04-01', effectiveUntil: '2026-06-30', caps: { upTo3000: 2_350, from3000To6000: 1_580, over6000: 870 } }]);
    expect(usuryCapFor(100_000, '2026-05-15', tables)).toMatchObject({ capBasisPoints: 2_350, effectiveFrom: '2026-04-01' });
    expect(m.out.join('')).toContain('offers are checked up to 2026-06-30');
    expect(m.out.join('')).toContain(`USURY_CAP_TABLES='[{"effectiveFrom":"2026-04-01"`);
    expect(m.err).toEqual([]);
  });

  it('changes nothing when the same notice is added twice', () => {
    const m = memory();
    usuryCommand(q2, m.io);
    const before = m.files.get('caps.json');
    expect(usuryCommand(q2, m.io)).toBe(0);
    expect(m.files.get('caps.json')).toBe(before);
    expect(m.out.join('')).toContain('nothing changed');
  });

  it('refuses a table over a quarter already covered, a mistyped flag or a bad file, and writes nothing', () => {
    const overlap = memory();
    expect(usuryCommand(['add', '--from', '2026-01-01', '--until', '2026-03-31', '--upTo3000', '23', '--from3000To6000', '15', '--over6000', '8', '--file', 'caps.json'], overlap.io)).toBe(1);
    expect(overlap.err.join('')).toContain('USURY_TABLE_OVERLAP');
    expect(overlap.files.size).toBe(0);
    const typo = memory();
    expect(usuryCommand([...q2.slice(0, 5), '--upto3000', '23.50', ...q2.slice(7)], typo.io)).toBe(1);
    expect(typo.err.join('')).toContain('USURY_UPDATE_INVALID');
    const broken = memory('{not json');
    expect(usuryCommand(q2, broken.io)).toBe(1);
    expect(broken.files.get('caps.json')).toBe('{not json');
  });

  it('warns when a quarter is skipped, and shows what the file covers', () => {
    const m = memory();
    expect(usuryCommand(['add', '--from', '2026-07-01', '--until', '2026-09-30', '--upTo3000', '23.50', '--from3000To6000', '15.80', '--over6000', '8.70', '--file', 'caps.json'], m.io)).toBe(0);
    expect(m.err.join('')).toContain('no table covers 2026-04-01..2026-06-30');
    const shown = memory(m.files.get('caps.json'));
    expect(usuryCommand(['show', '--file', 'caps.json'], shown.io)).toBe(0);
    expect(shown.out.join('')).toContain('in caps.json: 1 quarter(s)');
  });
});
