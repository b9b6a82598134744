import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditCli, type ServiceAudit } from '@tremplin/audit';
import type { ServiceHarness } from './service-harness';

export interface AuditRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface AuditRunner {
  /** `npm run audit -- …argv` in-process, against the harness's database, as an auditor granted `tenants`. */
  run(argv: readonly string[], tenants?: readonly string[]): Promise<AuditRun>;
  /** A fresh path for a checkpoint file (the CLI never overwrites one). */
  file(name: string): string;
  close(): Promise<void>;
}

/** The auditor's CLI on a service harness: its dev token keys, a checkpoint key of its own, the service's audit module. */
export async function auditRunner(h: ServiceHarness, audit: ServiceAudit): Promise<AuditRunner> {
  const dir = await mkdtemp(join(tmpdir(), `audit-${audit.service}-`));
  const keyFile = join(dir, 'checkpoint-ed25519.pem');
  await writeFile(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const env = { AUTH_DEV_KEYS_DIR: h.keysDir, AUDIT_CHECKPOINT_KEY_FILE: keyFile };
  return {
    async run(argv, tenants = [h.tenant]) {
      const token = await h.token({ role: 'auditor', userId: 'auditor-7', organisationId: 'cour-des-comptes', organisationKind: 'auditor', tenants });
      let out = '';
      let err = '';
      const code = await auditCli([...argv, '--db', `${audit.service}=${h.db.appUrl}`, '--token', token], { env, out: (t) => (out += t), err: (t) => (err += t), progressIsTty: false }, { services: [audit] });
      return { code, out, err };
    },
    file: (name) => join(dir, `${name}-${randomUUID().slice(0, 8)}.json`),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
