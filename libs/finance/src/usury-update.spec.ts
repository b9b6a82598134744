import { usuryCapFor, USURY_CAP_TABLES, type UsuryCapTable } from './usury';
import { addUsuryCapTable, formatUsuryCapTables, parseUsuryCapTables, parseUsuryCommand } from './usury-update';

// Every cap in this file is made up for the tests: none is a published notice (2026-Q2 included).
const q1_2027 = ['add', '--from', '2027-01-01', '--until', '2027-03-31', '--upTo3000', '23.49', '--from3000To6000', '15,87', '--over6000', '8.6'];
const table2027: UsuryCapTable = { effectiveFrom: '2027-01-01', effectiveUntil: '2027-03-31', caps: { upTo3000: 2349, from3000To6000: 1587, over6000: 860 } };

describe('parsing the operator command', () => {
  it('reads the quarter and the three caps as basis points, decimals with a dot or a comma', () => {
    expect(parseUsuryCommand(q1_2027)).toEqual({ command: 'add', table: table2027 });
  });

  it('accepts --flag=value', () => {
    const args = ['add', '--from=2027-01-01', '--until=2027-03-31', '--upTo3000=23.49', '--from3000To6000=15.87', '--over6000=8.60'];
    expect(parseUsuryCommand(args).table).toEqual(table2027);
  });

  it('refuses another command, an unknown or repeated flag, and a missing band', () => {
    expect(() => parseUsuryCommand(['list'])).toThrow(expect.objectContaining({ code: 'USURY_UPDATE_INVALID', field: 'command' }));
    expect(() => parseUsuryCommand([...q1_2027, '--upto3000', '23.49'])).toThrow(expect.objectContaining({ code: 'USURY_UPDATE_INVALID', field: 'upto3000' }));
    expect(() => parseUsuryCommand([...q1_2027, '--over6000', '8.61'])).toThrow(expect.objectContaining({ code: 'USURY_UPDATE_INVALID', field: 'over6000' }));
    expect(() => parseUsuryCommand(q1_2027.slice(0, -2))).toThrow(expect.objectContaining({ code: 'USURY_UPDATE_INVALID', field: 'over6000' }));
    expect(() => parseUsuryCommand([...q1_2027.slice(0, -1), '--from', '2027-01-01'])).toThrow(expect.objectContaining({ field: 'over6000' }));
  });

  it('refuses a cap with more than two decimals, or one that is not a percentage', () => {
    expect(() => parseUsuryCommand([...q1_2027.slice(0, -1), '8.675'])).toThrow(expect.objectContaining({ code: 'RATE_INVALID', field: 'over6000' }));
    expect(() => parseUsuryCommand([...q1_2027.slice(0, -1), '0'])).toThrow(expect.objectContaining({ code: 'USURY_UPDATE_INVALID', field: 'table.caps.over6000' }));
  });

  it('refuses dates that are not a notice period: not a date, inverted, not from a first day to a last day of a month', () => {
    const withDates = (from: string, until: string) => ['add', '--from', from, '--until', until, ...q1_2027.slice(5)];
    expect(() => parseUsuryCommand(withDates('2027-02-30', '2027-03-31'))).toThrow(expect.objectContaining({ field: 'from' }));
    expect(() => parseUsuryCommand(withDates('2027-04-01', '2027-03-31'))).toThrow(expect.objectContaining({ code: 'DATE_RANGE_INVERTED' }));
    expect(() => parseUsuryCommand(withDates('2027-01-02', '2027-03-31'))).toThrow(expect.objectContaining({ field: 'table.effectiveFrom' }));
    expect(() => parseUsuryCommand(withDates('2027-01-01', '2027-03-30'))).toThrow(expect.objectContaining({ field: 'table.effectiveUntil' }));
  });
});

describe('adding a notice to the operator file', () => {
  const q2_2026: UsuryCapTable = { effectiveFrom: '2026-04-01', effectiveUntil: '2026-06-30', caps: { upTo3000: 2350, from3000To6000: 1580, over6000: 870 } };

  it('appends the quarter after the shipped tables, and lending then finds its cap', () => {
    const update = addUsuryCapTable([], q2_2026);
    expect(update).toEqual({ tables: [q2_2026], added: true, warnings: [] });
    expect(usuryCapFor(182_500, '2026-05-10', [...USURY_CAP_TABLES, ...update.tables]).capBasisPoints).toBe(2350);
  });

  it('is idempotent: the same notice twice changes nothing', () => {
    expect(addUsuryCapTable([q2_2026], { ...q2_2026, caps: { ...q2_2026.caps } })).toEqual({ tables: [q2_2026], added: false, warnings: [] });
  });

  it('refuses a different table for days already covered, in the file or shipped with the library', () => {
    expect(() => addUsuryCapTable([q2_2026], { ...q2_2026, caps: { ...q2_2026.caps, over6000: 871 } })).toThrow(expect.objectContaining({ code: 'USURY_TABLE_OVERLAP' }));
    expect(() => addUsuryCapTable([], { ...q2_2026, effectiveFrom: '2026-03-01' })).toThrow(expect.objectContaining({ code: 'USURY_TABLE_OVERLAP' }));
  });

  it('keeps the file sorted and warns about a gap, swapped bands and a move of more than a point', () => {
    const update = addUsuryCapTable([q2_2026], { effectiveFrom: '2027-01-01', effectiveUntil: '2027-03-31', caps: { upTo3000: 2350, from3000To6000: 600, over6000: 870 } });
    expect(update.tables.map((table) => table.effectiveFrom)).toEqual(['2026-04-01', '2027-01-01']);
    expect(update.warnings).toEqual([
      'no table covers 2026-07-01..2026-12-31: offers dated then will be refused',
      'the caps do not fall as the amount rises, as in the published notices: check the bands were not swapped',
      'from3000To6000 moves by 9.80 points from the previous table (15.80 → 6.00)',
    ]);
  });
});

describe('the JSON file lending reads', () => {
  it('round-trips, one table per line', () => {
    const text = formatUsuryCapTables([table2027]);
    expect(text).toBe('[\n  {"effectiveFrom":"2027-01-01","effectiveUntil":"2027-03-31","caps":{"upTo3000":2349,"from3000To6000":1587,"over6000":860}}\n]\n');
    expect(parseUsuryCapTables(text)).toEqual([table2027]);
    expect(parseUsuryCapTables(formatUsuryCapTables([]))).toEqual([]);
  });

  it('refuses what lending would misread: not JSON, extra keys, a missing band, overlapping tables', () => {
    expect(() => parseUsuryCapTables('{')).toThrow(expect.objectContaining({ code: 'USURY_UPDATE_INVALID', field: 'USURY_CAP_TABLES' }));
    expect(() => parseUsuryCapTables('{}')).toThrow(expect.objectContaining({ code: 'USURY_UPDATE_INVALID' }));
    expect(() => parseUsuryCapTables(JSON.stringify([{ ...table2027, source: 'JO' }]))).toThrow(expect.objectContaining({ field: 'USURY_CAP_TABLES[0]' }));
    expect(() => parseUsuryCapTables(JSON.stringify([{ ...table2027, caps: { upTo3000: 2349, over6000: 860 } }]))).toThrow(expect.objectContaining({ field: 'USURY_CAP_TABLES[0].caps.from3000To6000' }));
    expect(() => parseUsuryCapTables(JSON.stringify([table2027, { ...table2027, effectiveFrom: '2027-03-01' }]))).toThrow(expect.objectContaining({ code: 'USURY_TABLE_OVERLAP' }));
  });
});
