import type { Codec } from './serialization.ts';
import type { Connect } from './sql/base.ts';

/** What a client's collaborators share: the way to its database, its payload codec, and the application it acts for. */
export interface ClientScope {
  readonly connect: Connect;
  readonly codec: Codec;
  /** Owner of what the client writes, and the default scope of its listings. */
  readonly applicationName: string | undefined;
}
