/**
 * The engine batch staged speculatively: DuckDB's threads parse and check the blob while Node hashes
 * it and the run is announced. The executor takes it; any path that returns before (duplicate,
 * routed, rejected, a failure) leaves it here, and release() closes it.
 */
import type { StagedRecords } from "../../ports/ingest-engine.js";

export type Staged = { readonly batch: StagedRecords } | { readonly error: unknown };

export class SpeculativeBatch {
  private pending: Promise<Staged> | undefined;

  start(staging: Promise<StagedRecords>): void {
    this.pending = staging.then(
      (batch) => ({ batch }),
      (error: unknown) => ({ error }),
    );
  }

  /** The staged batch (or why staging failed); the caller now owns it. */
  async take(): Promise<Staged | undefined> {
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }

  async release(): Promise<void> {
    const unused = await this.take();
    if (unused && "batch" in unused) unused.batch.close();
  }
}
