import { addUsuryCapTable, FinanceError, formatUsuryCapTables, parseUsuryCapTables, parseUsuryCommand, USURY_CAP_TABLES, type UsuryCapTable } from '@tremplin/finance';

// The operator's quarterly usury update, as one command over the file that holds the quarters published after
// those @tremplin/finance ships (the value of lending's USURY_CAP_TABLES):
//
//   npm run usury -- add --from 2026-04-01 --until 2026-06-30 --upTo3000 23.50 --from3000To6000 15.80 --over6000 8.70
//   npm run usury -- show
//
// `--file <path>` (default deploy/usury-cap-tables.json) names the file. `add` checks the notice, refuses a table
// that overlaps another, writes the file (one quarter per line, for review) and prints the USURY_CAP_TABLES line
// to deploy; the same notice twice changes nothing.

export const DEFAULT_USURY_FILE = 'deploy/usury-cap-tables.json';

export interface UsuryIo {
  readFile(path: string): string | undefined;
  writeFile(path: string, text: string): void;
  out(text: string): void;
  err(text: string): void;
}

const USAGE = `usage: npm run usury -- add --from YYYY-MM-01 --until YYYY-MM-DD --upTo3000 <percent> --from3000To6000 <percent> --over6000 <percent> [--file <path>]
       npm run usury -- show [--file <path>]
The caps are the Banque de France notice's, in percent (23.56 = 23.56 %). The file defaults to ${DEFAULT_USURY_FILE}.`;

export function usuryCommand(argv: readonly string[], io: UsuryIo): number {
  const { file, args } = fileOf(argv);
  try {
    const current = readTables(io, file);
    if (args[0] === 'show') {
      report(io, file, current);
      return 0;
    }
    const { table } = parseUsuryCommand(args);
    const update = addUsuryCapTable(current, table);
    for (const warning of update.warnings) io.err(`warning: ${warning}\n`);
    if (update.added) {
      io.writeFile(file, formatUsuryCapTables(update.tables));
      io.out(`added ${table.effectiveFrom}..${table.effectiveUntil} to ${file}\n`);
    } else {
      io.out(`${table.effectiveFrom}..${table.effectiveUntil} is already in ${file}: nothing changed\n`);
    }
    report(io, file, update.tables);
    return 0;
  } catch (error) {
    if (error instanceof FinanceError) {
      io.err(`${error.code} ${error.message}\n${USAGE}\n`);
      return 1;
    }
    throw error;
  }
}

function fileOf(argv: readonly string[]): { file: string; args: string[] } {
  const args: string[] = [];
  let file = DEFAULT_USURY_FILE;
  for (let index = 0; index < argv.length; index += 1) {
    if (argv[index] === '--file') {
      file = argv[index + 1] ?? DEFAULT_USURY_FILE;
      index += 1;
    } else if (argv[index].startsWith('--file=')) {
      file = argv[index].slice('--file='.length);
    } else {
      args.push(argv[index]);
    }
  }
  return { file, args };
}

function readTables(io: UsuryIo, file: string): UsuryCapTable[] {
  const text = io.readFile(file);
  return text === undefined ? [] : parseUsuryCapTables(text, file);
}

function report(io: UsuryIo, file: string, tables: readonly UsuryCapTable[]): void {
  const last = [...USURY_CAP_TABLES, ...tables].map((table) => table.effectiveUntil).sort().at(-1);
  io.out(`shipped with @tremplin/finance: ${USURY_CAP_TABLES[0].effectiveFrom}..${USURY_CAP_TABLES.at(-1)!.effectiveUntil}; in ${file}: ${tables.length} quarter(s)\n`);
  io.out(`offers are checked up to ${last}; after that they are refused (USURY_TABLE_MISSING) until the next notice is added\n`);
  io.out(`USURY_CAP_TABLES='${JSON.stringify(tables)}'\n`);
}
