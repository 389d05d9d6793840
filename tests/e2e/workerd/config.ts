// The workerd configuration (Cap'n Proto text) for the test Worker, generated per run with the ports
// of that run. The Worker's only way out — global fetch() and cloudflare:sockets connect() both go
// through its globalOutbound — is a network service that allows loopback addresses and nothing else,
// and trusts the test CA for TLS.

/** What one run of the test Worker needs. */
export interface WorkerdConfigOptions {
  /** Loopback port workerd serves the Worker on. */
  readonly port: number;
  /** File name of the bundled Worker, relative to the config file. */
  readonly bundle: string;
  /** Text bindings (the Worker's `env`). */
  readonly bindings: Readonly<Record<string, string>>;
  /** CA certificates (PEM) the Worker's TLS connections trust, instead of the system's. */
  readonly trustedCertificates?: readonly string[];
  /** workerd compatibility date. */
  readonly compatibilityDate?: string;
}

/** The loopback ranges the Worker may reach: IPv4 127.0.0.0/8 and IPv6 ::1. */
export const LOOPBACK_ONLY = ["127.0.0.0/8", "::1/128"] as const;

// A Cap'n Proto text literal: JSON's escaping is a subset of what capnp accepts.
function text(value: string): string {
  return JSON.stringify(value);
}

/**
 * The config file's text.
 * @param options port, bundle file, bindings
 * @returns the Cap'n Proto config, with `config` as the constant to serve
 */
export function workerdConfig(options: WorkerdConfigOptions): string {
  const tls = options.trustedCertificates
    ? `, tlsOptions = (trustedCertificates = [${options.trustedCertificates.map(text).join(", ")}])`
    : "";
  const bindings = Object.entries(options.bindings)
    .map(([name, value]) => `    (name = ${text(name)}, text = ${text(value)}),`)
    .join("\n");
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .testWorker),
    (name = "loopback", network = (allow = [${LOOPBACK_ONLY.map(text).join(", ")}]${tls})),
  ],
  sockets = [
    (name = "http", address = ${text(`127.0.0.1:${options.port}`)}, http = (), service = "main"),
  ],
);

const testWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed ${text(options.bundle)}),
  ],
  compatibilityDate = ${text(options.compatibilityDate ?? "2025-09-01")},
  # No compatibility flags: the package needs no Node.js APIs (no nodejs_compat), as the README says.
  bindings = [
${bindings}
  ],
  globalOutbound = "loopback",
);
`;
}
