import { privacyConfigFromEnv } from './config';
import { rotateMasterKey } from './rotation';

// npm run privacy -- rotate-master-key [postgres://… …]
// Re-wraps every tenant key of each database (default: DATABASE_URL, comma-separated allowed) under
// PRIVACY_MASTER_KEY, reading the old wrapping with PRIVACY_PREVIOUS_MASTER_KEYS. One JSON line per database.
// Exit 0 done, 1 failed (nothing changed in the database that failed), 2 usage.

const USAGE = 'usage: npm run privacy -- rotate-master-key [database-url …]   (PRIVACY_MASTER_KEY=<new>, PRIVACY_PREVIOUS_MASTER_KEYS=<old>[,…], a superuser or BYPASSRLS URL)';

export async function privacyCli(argv: readonly string[], env: NodeJS.ProcessEnv, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const [command, ...urls] = argv;
  if (command !== 'rotate-master-key') {
    err(`${USAGE}\n`);
    return 2;
  }
  const databases = urls.length ? urls : (env.DATABASE_URL ?? '').split(',').map((url) => url.trim()).filter(Boolean);
  if (databases.length === 0 || !env.PRIVACY_MASTER_KEY || !env.PRIVACY_PREVIOUS_MASTER_KEYS) {
    err(`${USAGE}\n`);
    return 2;
  }
  const keys = await privacyConfigFromEnv(env);
  for (const url of databases) {
    const database = new URL(url).pathname.slice(1);
    try {
      const report = await rotateMasterKey(url, keys);
      out(`${JSON.stringify({ database, ...report })}\n`);
    } catch (error) {
      err(`rotate-master-key failed on ${database}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  return 0;
}

if (require.main === module) {
  privacyCli(process.argv.slice(2), process.env, (text) => process.stdout.write(text), (text) => process.stderr.write(text)).then(
    (code) => (process.exitCode = code),
    (error: Error) => {
      process.stderr.write(`privacy: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
