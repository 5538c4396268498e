import postgres from 'postgres';
import { openDatabase } from '../../src/connect.ts';
import { ensureSchema } from '../../src/index.ts';

/** The real Postgres the tests run against. CI starts it; override with DBOS_EDGE_TEST_PG_URL. */
export const PG_BASE_URL = process.env.DBOS_EDGE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

export function databaseUrl(name: string): string {
  return `${PG_BASE_URL}/${name}`;
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates a fresh, uniquely named database; `drop()` removes it (forcing out any connection left open). */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad test database prefix: ${prefix}`);
  const admin = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(name),
    async drop() {
      const a = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** A fresh database holding a DBOS system schema made by ensureSchema, with a plain SQL connection to it. */
export async function createDbosDatabase(prefix: string): Promise<TestDatabase & { sql: postgres.Sql }> {
  const db = await createTestDatabase(prefix);
  const driver = await openDatabase(db.url);
  try {
    await ensureSchema(driver);
  } finally {
    await driver.close();
  }
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  return {
    ...db,
    sql,
    async drop() {
      await sql.end();
      await db.drop();
    },
  };
}
