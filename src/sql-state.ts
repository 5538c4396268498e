/**
 * What a SQLSTATE says about a failed statement: whether trying again later can succeed (the database was
 * unreachable, restarting, out of connections, or the transaction lost a race), and whether one row's data was at
 * fault (so the other rows of a coalesced statement can be sent again without it).
 */

/** Connection lost or refused (08), server out of resources (53), shutdown or restart (57P01-57P03), lost races. */
export function isRetryableState(sqlState: string | undefined): boolean {
  if (sqlState === undefined) return false;
  return (
    sqlState.startsWith('08') ||
    sqlState.startsWith('53') ||
    sqlState === '57P01' ||
    sqlState === '57P02' ||
    sqlState === '57P03' ||
    sqlState === '40001' ||
    sqlState === '40P01'
  );
}

/**
 * A value the database refused: bad data (22, e.g. a NUL byte), a broken constraint (23), or a limit such as the
 * btree index row size (54). Such a failure belongs to the rows that carry the value, never to the connection.
 */
export function isDataState(sqlState: string | undefined): boolean {
  return (
    sqlState !== undefined && (sqlState.startsWith('22') || sqlState.startsWith('23') || sqlState.startsWith('54'))
  );
}
