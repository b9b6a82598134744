import { Client } from 'pg';

export interface ServiceDatabase {
  readonly database: string;
  /** Owns the tables: migrations only. */
  readonly ownerUrl: string;
  /** What the service connects as: owns nothing, no BYPASSRLS, so row-level security applies. */
  readonly appUrl: string;
}

export const OWNER_ROLE = 'tremplin_owner';
export const APP_ROLE = 'tremplin_app';
const ROLE_PASSWORDS: Record<string, string> = {
  [OWNER_ROLE]: process.env.TREMPLIN_OWNER_PASSWORD ?? 'tremplin-local-owner',
  [APP_ROLE]: process.env.TREMPLIN_APP_PASSWORD ?? 'tremplin-local-app',
};

/** Creates (if absent) the two roles and one database owned by the owner role. Idempotent. */
export async function provisionDatabase(adminUrl: string, database: string): Promise<ServiceDatabase> {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(database)) throw new Error(`invalid database name: ${database}`);
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (const role of [OWNER_ROLE, APP_ROLE]) {
      // Roles are cluster-wide: two provisioning runs at once may both try to create them.
      await admin.query(`
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
            CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '${ROLE_PASSWORDS[role]}';
          END IF;
        EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL;
        END $$;`);
    }
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${database} OWNER ${OWNER_ROLE}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await admin.end();
  }
  const db = new Client({ connectionString: withDatabase(adminUrl, database) });
  await db.connect();
  try {
    await db.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
    await db.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${APP_ROLE}`);
    await db.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await db.query(`ALTER SCHEMA public OWNER TO ${OWNER_ROLE}`);
  } finally {
    await db.end();
  }
  return {
    database,
    ownerUrl: withCredentials(withDatabase(adminUrl, database), OWNER_ROLE, ROLE_PASSWORDS[OWNER_ROLE]),
    appUrl: withCredentials(withDatabase(adminUrl, database), APP_ROLE, ROLE_PASSWORDS[APP_ROLE]),
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}
