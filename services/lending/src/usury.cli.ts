import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { usuryCommand } from './usury/usury.command';

// npm run usury -- add --from 2026-04-01 --until 2026-06-30 --upTo3000 … --from3000To6000 … --over6000 … [--file <path>]
process.exitCode = usuryCommand(process.argv.slice(2), {
  readFile: (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
  writeFile: (path, text) => writeFileSync(path, text),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
