/**
 * PGlite and Neon's driver are optional peer dependencies: an app installs the one it uses. Their adapters load
 * them with a dynamic `import()` inside a `.catch`, which bundlers (esbuild, wrangler) leave alone when the package
 * is absent, so a bundle builds without the drivers it does not use; at run time the error says what to install.
 */
import { DBOSEdgeError } from './errors.ts';

/** The error for an optional package that could not be loaded: names the package and what needed it. */
export function missingPackageError(packageName: string, usedFor: string, cause: unknown): DBOSEdgeError {
  const message = cause instanceof Error ? cause.message : String(cause);
  if (!message.includes(packageName)) {
    return new DBOSEdgeError('CONFIG', `Could not load ${packageName} for ${usedFor}: ${message}`, { cause });
  }
  return new DBOSEdgeError(
    'CONFIG',
    `${usedFor} needs the optional package ${packageName}, which is not installed: npm install ${packageName}`,
    { cause },
  );
}
