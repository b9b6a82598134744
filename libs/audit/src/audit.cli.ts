import { main } from './cli';

// `npm run audit -- <command> …`: see `npm run audit -- help` and docs/auditing.md.
main(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  progressIsTty: process.stderr.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`could not run: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 3;
  },
);
