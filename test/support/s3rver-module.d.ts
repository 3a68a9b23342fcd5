// s3rver 3 ships no type declarations; this covers the part of its API the tests use.
declare module "s3rver" {
  import type { Server } from "node:http";
  import type { AddressInfo } from "node:net";

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  /** A Koa application; `middleware` is Koa's ordered middleware array. */
  class S3rver {
    constructor(options?: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
    on(event: "event", listener: (event: unknown) => void): this;
    off(event: "event", listener: (event: unknown) => void): this;
    // biome-ignore lint/suspicious/noExplicitAny: Koa's context; koa's types are not installed
    middleware: ((ctx: any, next: () => Promise<void>) => Promise<void> | void)[];
    httpServer?: Server;
    store: { rootDirectory: string };
  }
  export default S3rver;
}
