import { addDays, assertIsoDate, compareDates, isIsoDate, type IsoDate } from './dates';
import { FinanceError } from './errors';
import { formatBasisPoints, percentToBasisPoints, type BasisPoints } from './money';
import { USURY_CAP_TABLES, type UsuryBand, type UsuryCapTable } from './usury';

// The pure half of the operator's quarterly update: parse and check one notice typed on a command line, and
// merge it into the JSON list of later quarters that lending appends to USURY_CAP_TABLES. Reading and writing
// the file, and the npm script, belong to the caller.
//
//   add --from 2027-01-01 --until 2027-03-31 --upTo3000 23.49 --from3000To6000 15.87 --over6000 8.67

const BANDS: readonly UsuryBand[] = ['upTo3000', 'from3000To6000', 'over6000'];
const DATE_FLAGS = ['from', 'until'] as const;

export interface UsuryAddCommand {
  readonly command: 'add';
  readonly table: UsuryCapTable;
}

function invalid(field: string, message: string): FinanceError {
  return new FinanceError('USURY_UPDATE_INVALID', field, message);
}

// `--flag value` or `--flag=value`; every flag once, none unknown, so a typo cannot silently drop a band.
function readFlags(args: readonly string[]): Map<string, string> {
  const known = new Set<string>([...DATE_FLAGS, ...BANDS]);
  const flags = new Map<string, string>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (!arg.startsWith('--')) throw invalid('args', `unexpected "${arg}": expected --flag value`);
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    let value: string | undefined;
    if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else {
      value = args[index + 1];
      index += 1;
    }
    if (!known.has(name)) throw invalid(name, `unknown flag --${name}; expected --from, --until, --upTo3000, --from3000To6000, --over6000`);
    if (flags.has(name)) throw invalid(name, `--${name} is given twice`);
    if (value === undefined || value.startsWith('--') || value === '') throw invalid(name, `--${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

function isFirstOfMonth(date: IsoDate): boolean {
  return date.endsWith('-01');
}

function isLastOfMonth(date: IsoDate): boolean {
  return isFirstOfMonth(addDays(date, 1));
}

// The shape every table must have, from the command line or from the JSON file: notices run from the first
// day of a month to the last day of a month (quarterly, and monthly during 2023), and each cap is a positive
// percentage with two decimals.
export function assertUsuryCapTable(table: UsuryCapTable, field = 'table'): UsuryCapTable {
  assertIsoDate(table.effectiveFrom, `${field}.effectiveFrom`);
  assertIsoDate(table.effectiveUntil, `${field}.effectiveUntil`);
  if (compareDates(table.effectiveFrom, table.effectiveUntil) > 0) {
    throw new FinanceError('DATE_RANGE_INVERTED', `${field}.effectiveUntil`, `${table.effectiveUntil} is before ${table.effectiveFrom}`);
  }
  if (!isFirstOfMonth(table.effectiveFrom)) throw invalid(`${field}.effectiveFrom`, `a notice takes effect on the first day of a month, not ${table.effectiveFrom}`);
  if (!isLastOfMonth(table.effectiveUntil)) throw invalid(`${field}.effectiveUntil`, `a notice runs to the last day of a month, not ${table.effectiveUntil}`);
  for (const band of BANDS) {
    const cap: BasisPoints = table.caps[band];
    if (!Number.isSafeInteger(cap) || cap <= 0 || cap > 10_000) throw invalid(`${field}.caps.${band}`, `expected basis points in 1..10000, got ${String(cap)}`);
  }
  return table;
}

export function parseUsuryCommand(args: readonly string[]): UsuryAddCommand {
  const [command, ...rest] = args;
  if (command !== 'add') throw invalid('command', `expected "add", got ${JSON.stringify(command ?? '')}`);
  const flags = readFlags(rest);
  const required = (name: string): string => {
    const value = flags.get(name);
    if (value === undefined) throw invalid(name, `--${name} is required`);
    return value;
  };
  const effectiveFrom = required('from');
  const effectiveUntil = required('until');
  if (!isIsoDate(effectiveFrom)) throw invalid('from', `expected YYYY-MM-DD, got "${effectiveFrom}"`);
  if (!isIsoDate(effectiveUntil)) throw invalid('until', `expected YYYY-MM-DD, got "${effectiveUntil}"`);
  const caps = Object.fromEntries(BANDS.map((band) => [band, percentToBasisPoints(required(band), band)])) as Record<UsuryBand, BasisPoints>;
  return { command: 'add', table: assertUsuryCapTable({ effectiveFrom, effectiveUntil, caps }) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function exactKeys(value: Record<string, unknown>, keys: readonly string[], field: string): void {
  const extra = Object.keys(value).filter((key) => !keys.includes(key));
  if (extra.length > 0) throw invalid(field, `unexpected ${extra.join(', ')}`);
}

// The file lending reads (and its USURY_CAP_TABLES environment variable): a JSON array of
// { effectiveFrom, effectiveUntil, caps: { upTo3000, from3000To6000, over6000 } } in basis points.
export function parseUsuryCapTables(json: string, field = 'USURY_CAP_TABLES'): UsuryCapTable[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw invalid(field, `not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw invalid(field, 'expected a JSON array of tables');
  const tables = parsed.map((entry: unknown, index) => {
    const name = `${field}[${index}]`;
    if (!isRecord(entry) || !isRecord(entry.caps)) throw invalid(name, 'expected { effectiveFrom, effectiveUntil, caps }');
    exactKeys(entry, ['effectiveFrom', 'effectiveUntil', 'caps'], name);
    exactKeys(entry.caps, BANDS, `${name}.caps`);
    const caps = Object.fromEntries(BANDS.map((band) => [band, (entry.caps as Record<string, unknown>)[band]])) as Record<UsuryBand, BasisPoints>;
    return assertUsuryCapTable({ effectiveFrom: entry.effectiveFrom as IsoDate, effectiveUntil: entry.effectiveUntil as IsoDate, caps }, name);
  });
  assertNoOverlap(tables, field);
  return tables;
}

function overlaps(a: UsuryCapTable, b: UsuryCapTable): boolean {
  return compareDates(a.effectiveFrom, b.effectiveUntil) <= 0 && compareDates(b.effectiveFrom, a.effectiveUntil) <= 0;
}

function sameTable(a: UsuryCapTable, b: UsuryCapTable): boolean {
  return a.effectiveFrom === b.effectiveFrom && a.effectiveUntil === b.effectiveUntil && BANDS.every((band) => a.caps[band] === b.caps[band]);
}

function assertNoOverlap(tables: readonly UsuryCapTable[], field: string): void {
  tables.forEach((table, index) => {
    const clash = tables.findIndex((other, otherIndex) => otherIndex !== index && overlaps(table, other));
    if (clash !== -1) throw new FinanceError('USURY_TABLE_OVERLAP', `${field}[${index}]`, `${table.effectiveFrom}..${table.effectiveUntil} overlaps ${field}[${clash}]`);
  });
}

export interface UsuryTablesUpdate {
  readonly tables: readonly UsuryCapTable[];
  // False when the very same table was already there: running the command twice changes nothing.
  readonly added: boolean;
  // Worth a second look before committing the file, but not wrong in law.
  readonly warnings: readonly string[];
}

// Adds a notice to the operator's list, sorted by date. A different table for days already covered, in the
// list or in the tables shipped with this library, is refused: a cap is corrected by editing the file, never
// by a second table that usuryCapFor would have to arbitrate.
export function addUsuryCapTable(tables: readonly UsuryCapTable[], table: UsuryCapTable, shipped: readonly UsuryCapTable[] = USURY_CAP_TABLES): UsuryTablesUpdate {
  assertUsuryCapTable(table);
  if (tables.some((existing) => sameTable(existing, table))) return { tables, added: false, warnings: [] };
  const clash = [...shipped, ...tables].find((existing) => overlaps(existing, table));
  if (clash) {
    throw new FinanceError('USURY_TABLE_OVERLAP', 'table', `${table.effectiveFrom}..${table.effectiveUntil} overlaps the table in force from ${clash.effectiveFrom} to ${clash.effectiveUntil}`);
  }
  const all = [...shipped, ...tables];
  const previous = all.filter((existing) => compareDates(existing.effectiveUntil, table.effectiveFrom) < 0).sort((a, b) => compareDates(b.effectiveUntil, a.effectiveUntil))[0];
  const warnings: string[] = [];
  if (previous && addDays(previous.effectiveUntil, 1) !== table.effectiveFrom) {
    warnings.push(`no table covers ${addDays(previous.effectiveUntil, 1)}..${addDays(table.effectiveFrom, -1)}: offers dated then will be refused`);
  }
  if (!(table.caps.upTo3000 >= table.caps.from3000To6000 && table.caps.from3000To6000 >= table.caps.over6000)) {
    warnings.push('the caps do not fall as the amount rises, as in the published notices: check the bands were not swapped');
  }
  if (previous) {
    for (const band of BANDS) {
      const change = Math.abs(table.caps[band] - previous.caps[band]);
      // A cap rarely moves by more than a point from one notice to the next; such a move is more often a typo.
      if (change > 100) warnings.push(`${band} moves by ${formatBasisPoints(change)} points from the previous table (${formatBasisPoints(previous.caps[band])} → ${formatBasisPoints(table.caps[band])})`);
    }
  }
  const sorted = [...tables, table].sort((a, b) => compareDates(a.effectiveFrom, b.effectiveFrom));
  return { tables: sorted, added: true, warnings };
}

// One table per line, keys in a fixed order, so the file diffs one quarter at a time in review.
export function formatUsuryCapTables(tables: readonly UsuryCapTable[]): string {
  if (tables.length === 0) return '[]\n';
  const lines = tables.map((table) =>
    JSON.stringify({
      effectiveFrom: table.effectiveFrom,
      effectiveUntil: table.effectiveUntil,
      caps: { upTo3000: table.caps.upTo3000, from3000To6000: table.caps.from3000To6000, over6000: table.caps.over6000 },
    }),
  );
  return `[\n  ${lines.join(',\n  ')}\n]\n`;
}
