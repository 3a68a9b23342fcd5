import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does to one request instead of (or on top of) forwarding it. */
export type Fault =
  /** Destroy the connection before forwarding: the client sees ECONNRESET / socket hang up. */
  | { readonly kind: "reset" }
  /** Answer with an S3 XML error without forwarding (500 InternalError, 503 SlowDown …). */
  | { readonly kind: "error"; readonly status: number; readonly code: string }
  /** Forward, let the server act, then destroy the connection instead of answering. */
  | { readonly kind: "drop-response" }
  /** Forward, then send headers and only the first `bytes` of the body before destroying. */
  | { readonly kind: "truncate-body"; readonly bytes: number };

export const RESET: Fault = { kind: "reset" };
export const INTERNAL_ERROR: Fault = { kind: "error", status: 500, code: "InternalError" };
export const SLOW_DOWN: Fault = { kind: "error", status: 503, code: "SlowDown" };

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The SDK's attempt number (from its `amz-sdk-request: attempt=N; max=M` header). */
  readonly attempt: number;
  readonly fault?: Fault["kind"];
}

/** Decides each request's fate; `undefined` forwards it untouched. */
export type FaultRule = (req: ProxiedRequest) => Fault | undefined;

export interface FaultProxy {
  readonly endpoint: string;
  /** Every request seen, in arrival order, with the fault applied to it. */
  readonly requests: ProxiedRequest[];
  setRule(rule: FaultRule): void;
  stop(): Promise<void>;
}

/** An HTTP proxy on 127.0.0.1 in front of `target` that injects faults chosen by a rule. */
export async function startFaultProxy(
  target: { port: number },
  rule: FaultRule = () => undefined,
): Promise<FaultProxy> {
  let current = rule;
  const requests: ProxiedRequest[] = [];
  const agent = new http.Agent({ keepAlive: true });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const attempt = Number(/attempt=(\d+)/.exec(String(req.headers["amz-sdk-request"] ?? ""))?.[1] ?? 1);
    const seen: ProxiedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      attempt,
    };
    const fault = current(seen);
    requests.push(fault ? { ...seen, fault: fault.kind } : seen);

    if (fault?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "error") {
      req.resume();
      req.on("end", () => {
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>injected by fault proxy</Message></Error>`;
        res.writeHead(fault.status, {
          "content-type": "application/xml",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
      });
      return;
    }
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (up) => {
        if (fault?.kind === "drop-response") {
          up.resume();
          up.on("end", () => req.socket.destroy());
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (fault?.kind === "truncate-body") {
          let sent = 0;
          up.on("data", (chunk: Buffer) => {
            const room = fault.bytes - sent;
            if (room > 0) res.write(chunk.subarray(0, room));
            sent += chunk.length;
            if (sent >= fault.bytes) {
              up.destroy();
              req.socket.destroy();
            }
          });
          return;
        }
        up.pipe(res);
      },
    );
    upstream.on("error", () => req.socket.destroy());
    req.pipe(upstream);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setRule(next) {
      current = next;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
