/**
 * What a step does with an error: `reject` records the input as rejected with the reason (retrying
 * cannot help), `usage` is a bad request from the caller (a rejection too when it names the input),
 * `fail` fails the run so it is retried and replayed.
 */
export type Disposition = "reject" | "usage" | "fail";

/**
 * Every error lakeline raises on purpose. Messages name the domain and the bad value; `data`
 * carries what a caller needs to act (file, row, reason) without parsing the message.
 */
export class LakelineError extends Error {
  override readonly name: string = "LakelineError";
  /** Process exit code the CLI uses when this error ends a command. */
  readonly exitCode: number = 1;
  readonly disposition: Disposition = "fail";
  constructor(
    message: string,
    readonly data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The user asked for something malformed (bad flag, bad name, bad path). */
export class UsageError extends LakelineError {
  override readonly name = "UsageError";
  override readonly exitCode = 64;
  override readonly disposition = "usage";
}

export class SchemaNotFoundError extends LakelineError {
  override readonly name = "SchemaNotFoundError";
  /** Ending a command (validate, reprocess), it is the dataset or version asked for: a usage error. */
  override readonly exitCode = 64;
  override readonly disposition = "reject";
  constructor(dataset: string, version?: number, dir?: string) {
    super(
      `schema not found: ${dataset}${version === undefined ? "" : `@v${version}`}${dir ? ` (looked in ${dir})` : ""}`,
      { dataset, version, dir },
    );
  }
}

/** A schema file exists but does not describe a valid schema. */
export class SchemaFormatError extends LakelineError {
  override readonly name = "SchemaFormatError";
  override readonly disposition = "reject";
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`malformed schema file ${file}: ${problems.join("; ")}`, { file, problems });
  }
}

/** Two schema versions are not compatible under the requested mode. */
export class SchemaCompatibilityError extends LakelineError {
  override readonly name = "SchemaCompatibilityError";
  constructor(
    readonly dataset: string,
    readonly breaking: string[],
  ) {
    super(`incompatible schema change in ${dataset}: ${breaking.join("; ")}`, { dataset, breaking });
  }
}

/** A blob could not be read as records at all (not a row-level problem). */
export class BlobFormatError extends LakelineError {
  override readonly name = "BlobFormatError";
  /** Ending a command (validate), the input is refused whole, as ingest's rejection of it exits. */
  override readonly exitCode = 2;
  override readonly disposition = "reject";
  constructor(
    readonly key: string,
    readonly reason: string,
    options?: { cause?: unknown; line?: number },
  ) {
    super(
      `cannot read ${key}${options?.line ? ` (line ${options.line})` : ""}: ${reason}`,
      { key, reason, line: options?.line },
      options,
    );
  }
}

/** A key or dataset name that could escape its zone or is otherwise unsafe. */
export class InvalidKeyError extends LakelineError {
  override readonly name = "InvalidKeyError";
  override readonly disposition = "reject";
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`invalid key ${JSON.stringify(key)}: ${reason}`, { key, reason });
  }
}

export class ObjectNotFoundError extends LakelineError {
  override readonly name = "ObjectNotFoundError";
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`object not found: ${bucket}/${key}`, { bucket, key });
  }
}

/** A conditional put (If-None-Match: *) found the key already present. */
export class ObjectExistsError extends LakelineError {
  override readonly name = "ObjectExistsError";
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`object already exists: ${bucket}/${key}`, { bucket, key });
  }
}

/** A storage or query backend failed in a way retries did not cure. */
export class BackendError extends LakelineError {
  override readonly name = "BackendError";
}

/** A query failed, was cancelled, or returned something unexpected. */
export class QueryError extends LakelineError {
  override readonly name = "QueryError";
}

/**
 * The committed runs an export read changed while it ran (a run committed, or re-processed a
 * listed blob, after the driver listed them): its manifest would not describe its rows. Retrying
 * takes a new, consistent snapshot.
 */
export class SnapshotChangedError extends LakelineError {
  override readonly name = "SnapshotChangedError";
}

/** An export's manifest names a source list that is missing, or that does not hash to its snapshot. */
export class ExportSourcesError extends LakelineError {
  override readonly name = "ExportSourcesError";
}

/** An input is larger than one invocation may process; it is routed, not crashed on. */
export class BlobTooLargeError extends LakelineError {
  override readonly name = "BlobTooLargeError";
}

/** The disposition of any thrown value: only lakeline's own errors say anything but `fail`. */
export function dispositionOf(err: unknown): Disposition {
  return err instanceof LakelineError ? err.disposition : "fail";
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A lineage query or record named an artifact or run the lineage store does not hold. */
export class LineageNotFoundError extends LakelineError {
  override readonly name = "LineageNotFoundError";
}

/** A compacted file does not hold what its runs committed (nothing is recorded; the run files stay read). */
export class CompactionError extends LakelineError {
  override readonly name = "CompactionError";
}
