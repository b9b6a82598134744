import { main, SERVICES } from './cli';
import { loadServiceAudits } from './service-audit';

// `npm run audit -- <command> …`: see `npm run audit -- help` and docs/auditing.md. Each service's src/audit.ts hands
// in its folds, read models and integration log.
main(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  progressIsTty: process.stderr.isTTY === true,
}, { services: loadServiceAudits(SERVICES) }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`could not run: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 3;
  },
);
