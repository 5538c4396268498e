/**
 * Application versions (TS `listApplicationVersions`, `getLatestApplicationVersion`, `setLatestApplicationVersion`;
 * Python `list_application_versions` and the rest): what the workers of each application registered, and which
 * version is the latest, so enqueues without `appVersion` run there.
 */
import * as v from 'valibot';
import { DBOSConflictingOwnerError, DBOSNonExistentApplicationVersionError } from './errors.ts';
import type { SetLatestVersionOptions } from './option-types.ts';
import { asList, id, validate, validateId } from './options.ts';
import type { ClientScope } from './scope.ts';
import { runOn } from './sql/base.ts';
import { listVersionsStatement, promoteVersionStatement, type VersionRow } from './sql/versions.ts';

/** The TS SDK's `VersionInfo`. */
export interface VersionInfo {
  readonly versionId: string;
  readonly versionName: string;
  /** Epoch ms; the highest is the application's latest version. */
  readonly versionTimestamp: number;
  readonly createdAt: number;
  /** The owning application; undefined for an unclaimed version. */
  readonly applicationName?: string;
}

const PromoteOptionsSchema = v.strictObject({
  /** The application to act as. Default: the client's. */
  applicationName: v.optional(id()),
});

export type { SetLatestVersionOptions } from './option-types.ts';

function versionInfo(row: VersionRow): VersionInfo {
  return {
    versionId: row.version_id,
    versionName: row.version_name,
    versionTimestamp: Number(row.version_timestamp),
    createdAt: Number(row.created_at),
    ...(row.application_name === null ? {} : { applicationName: row.application_name }),
  };
}

export class Versions {
  readonly #scope: ClientScope;

  constructor(scope: ClientScope) {
    this.#scope = scope;
  }

  /** The client's application's versions plus unclaimed ones (every version for a nameless client), latest first. */
  async list(): Promise<VersionInfo[]> {
    const owners = asList(this.#scope.applicationName);
    return (await runOn(this.#scope.connect, (ctx) => listVersionsStatement(ctx, owners))).map(versionInfo);
  }

  async latest(): Promise<VersionInfo> {
    const owners = asList(this.#scope.applicationName);
    const [row] = await runOn(this.#scope.connect, (ctx) => listVersionsStatement(ctx, owners, 1));
    if (row === undefined) throw new DBOSNonExistentApplicationVersionError();
    return versionInfo(row);
  }

  async setLatest(versionName: string, options: SetLatestVersionOptions | undefined): Promise<void> {
    const name = validateId(versionName, 'versionName');
    const { applicationName } = validate(PromoteOptionsSchema, options ?? {}, 'options');
    const owner = applicationName ?? this.#scope.applicationName ?? null;
    const [row] = await runOn(this.#scope.connect, (ctx) => promoteVersionStatement(ctx, name, owner));
    if (row === undefined) throw new DBOSNonExistentApplicationVersionError(name);
    if (!row.promoted) {
      throw new DBOSConflictingOwnerError('Application version', name, row.application_name ?? '', owner ?? '');
    }
  }
}
