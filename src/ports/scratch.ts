/** Local working space of one run (Lambda: under /tmp): created per run, removed on every path. */
export interface Scratch {
  /** A new, empty folder whose name starts with `prefix`. */
  create(prefix: string): Promise<string>;
  /** Removes the folder and everything in it; a missing folder is not an error. */
  dispose(dir: string): Promise<void>;
}
