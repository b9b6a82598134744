import { Client } from 'pg';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tremplin/testing';
import { checkKafkaWithKafkajs } from './kafka.check';

describe('the infrastructure started for the tests', () => {
  it('Kafka: kafkajs creates a topic, produces idempotently, consumes through a group, commits and cleans up', async () => {
    const results = await checkKafkaWithKafkajs(kafkaBrokers());
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => r.step)).toEqual(
      expect.arrayContaining(['admin.createTopics', 'consumer group subscribe + run + commitOffsets', 'admin.fetchOffsets', 'admin.deleteTopics']),
    );
  });

  describe('PostgreSQL roles', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase('infra_roles');
    });
    afterAll(async () => db.drop());

    const query = async (url: string, sql: string) => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };

    it('the owner role creates tables; the app role writes and reads them through its grants only', async () => {
      await query(db.ownerUrl, `CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL); GRANT SELECT, INSERT ON notes TO tremplin_app; GRANT USAGE ON SEQUENCE notes_id_seq TO tremplin_app;`);
      await query(db.appUrl, `INSERT INTO notes (body) VALUES ('written by the app role')`);
      expect(await query(db.appUrl, 'SELECT body FROM notes')).toEqual([{ body: 'written by the app role' }]);
      await expect(query(db.appUrl, 'DELETE FROM notes')).rejects.toThrow(/permission denied/);
      await expect(query(db.appUrl, 'CREATE TABLE other (id int)')).rejects.toThrow(/permission denied/);
    });

    it('neither role is a superuser nor bypasses row-level security, and the app role owns nothing', async () => {
      const roles = await query(db.ownerUrl, `SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname IN ('tremplin_owner', 'tremplin_app') ORDER BY rolname`);
      expect(roles).toEqual([
        { rolname: 'tremplin_app', rolsuper: false, rolbypassrls: false },
        { rolname: 'tremplin_owner', rolsuper: false, rolbypassrls: false },
      ]);
      const owned = await query(db.ownerUrl, `SELECT count(*)::int AS n FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = 'tremplin_app'`);
      expect(owned).toEqual([{ n: 0 }]);
    });

    it('the server runs with the settings that protect subscribers', async () => {
      expect(await query(db.ownerUrl, `SELECT current_setting('idle_in_transaction_session_timeout') AS v`)).toEqual([{ v: '1min' }]);
    });
  });
});
