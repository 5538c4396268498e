/**
 * The `application_versions` table: each application's registered versions; the one with the highest
 * `version_timestamp` is its latest, which is what an enqueue without `appVersion` runs on.
 */
import type { Row } from '../driver.ts';
import { NOW_MS, type Query, type SqlContext, textArray } from './base.ts';

export interface VersionRow extends Row {
  readonly version_id: string;
  readonly version_name: string;
  readonly version_timestamp: number;
  readonly created_at: number;
  readonly application_name: string | null;
}

const COLUMNS = 'version_id, version_name, version_timestamp, created_at, application_name';

/** The versions of these applications plus unclaimed ones (all when `owners` is undefined), latest first. */
export function listVersionsStatement(
  ctx: SqlContext,
  owners: readonly string[] | undefined,
  limit?: number,
): Query<VersionRow> {
  const scope = owners === undefined ? '' : 'WHERE application_name = ANY($1::text[]) OR application_name IS NULL';
  return {
    text: `SELECT ${COLUMNS} FROM ${ctx.schema}.application_versions ${scope}
      ORDER BY version_timestamp DESC${limit === undefined ? '' : ` LIMIT ${Math.trunc(limit)}`}`,
    params: owners === undefined ? [] : [textArray(owners)],
  };
}

/** The version's owner before the statement, and whether it was promoted. */
export interface PromotedRow extends Row {
  readonly application_name: string | null;
  readonly promoted: boolean;
}

/**
 * Makes a version the latest (its timestamp now), owned as DBOS owns it: an unclaimed version is claimed by
 * `owner`, a nameless writer leaves the owner, and another application's version is not touched. No row: no such
 * version; `promoted` false: another application owns it.
 */
export function promoteVersionStatement(
  ctx: SqlContext,
  versionName: string,
  owner: string | null,
): Query<PromotedRow> {
  const { schema } = ctx;
  return {
    text: `WITH cur AS (SELECT version_id, application_name FROM ${schema}.application_versions WHERE version_name = $1 FOR UPDATE),
      upd AS (
        UPDATE ${schema}.application_versions v SET version_timestamp = ${NOW_MS},
          application_name = COALESCE(v.application_name, $2::text)
        FROM cur WHERE v.version_id = cur.version_id
          AND (cur.application_name IS NULL OR $2::text IS NULL OR cur.application_name = $2::text)
        RETURNING 1
      )
      SELECT cur.application_name, EXISTS (SELECT 1 FROM upd) AS promoted FROM cur`,
    params: [versionName, owner],
  };
}
