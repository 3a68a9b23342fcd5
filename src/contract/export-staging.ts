/**
 * Where an export run on Athena stages UNLOAD output in the exports bucket before it is hashed and
 * published as a DVC remote: `_staging/<exportRunId>/<attempt>/<split>/`. Nothing reads it once the
 * run has published (or failed), so the stack expires it.
 */
export const EXPORT_STAGING_PREFIX = "_staging/";
/** Staged files are deleted this many days after they were written (an export runs at most 15 min). */
export const EXPORT_STAGING_EXPIRATION_DAYS = 1;
