import { opsMain } from './cli';

// `npm run ops -- backup|restore|verify …`: see `npm run ops -- help` and docs/operations.md.
opsMain(process.argv.slice(2), { env: process.env, out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`could not run: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
