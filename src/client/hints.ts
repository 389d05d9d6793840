/**
 * Hints on a failed login, derived only from its trace: each is a small pure function over the
 * events that returns a {@link Hint} — what to do, and the facts of the trace it rests on — or nothing
 * when the trace does not show its case. None guesses beyond what the events say.
 *
 * @module
 */
import { ATLAS_ERROR, MongoAuthError } from "../core/errors.ts";
import type { TraceEvent, TraceEventAttributes, TraceEventType } from "../core/trace.ts";
import { hostPort, isSocketPath } from "../topology/server-description.ts";

/**
 * One fact of the trace a hint rests on.
 *
 * @example
 * ```ts
 * import type { HintEvidence } from "@mongo-auth/core";
 *
 * const fact: HintEvidence = { event: "hello", fact: "hello listed no mechanisms for admin.bob" };
 * void fact;
 * ```
 */
export interface HintEvidence {
  /** The type of the event that shows it. */
  readonly event: TraceEventType;
  /** The fact, in words. */
  readonly fact: string;
}

/**
 * Advice on a failed login, with the evidence from its trace.
 *
 * @example Print hints for a person
 * ```ts
 * import { hintsFor, type MongoAuthError } from "@mongo-auth/core";
 *
 * function explain(err: MongoAuthError): void {
 *   for (const hint of hintsFor(err.trace ?? [])) {
 *     console.error(hint.message);
 *     for (const { event, fact } of hint.evidence) console.error(`  ${event}: ${fact}`);
 *   }
 * }
 * void explain;
 * ```
 */
export interface Hint {
  /** A stable name for the case, e.g. `auth-source`, `aws-user`, `oidc-token-expired`. */
  readonly id: string;
  /** What the trace shows and what to do, in one or two sentences. */
  readonly message: string;
  /** The facts it rests on, each from one event of the trace. */
  readonly evidence: readonly HintEvidence[];
}

/** A hint's rule: the hint, or `undefined` when the trace does not show its case. */
export type HintRule = (trace: readonly TraceEvent[]) => Hint | undefined;

/**
 * The events of a trace, and where its last attempt starts. When connect() chose among several servers
 * (a replica set's members), only the chosen server's own events count, beside those of no server.
 */
class TraceView {
  readonly #events: readonly TraceEvent[];
  readonly #attempt: readonly TraceEvent[];
  readonly #host: readonly TraceEvent[];

  constructor(trace: readonly TraceEvent[]) {
    const events = ofSelectedServer(trace);
    this.#events = events;
    this.#attempt = events.slice(lastIndex(events, "auth.started"));
    this.#host = events.slice(lastIndex(events, "host.connecting"));
  }

  /** The last event of `type` in the whole trace. */
  last<K extends TraceEventType>(type: K): TraceEventAttributes[K] | undefined {
    return this.#find(this.#events, type)?.attributes as TraceEventAttributes[K] | undefined;
  }

  /** The last event of `type` in the last authentication attempt (from its `auth.started`). */
  inAttempt<K extends TraceEventType>(type: K): TraceEventAttributes[K] | undefined {
    return this.#find(this.#attempt, type)?.attributes as TraceEventAttributes[K] | undefined;
  }

  /** The last event of `type` with its time, in the last authentication attempt. */
  eventInAttempt<K extends TraceEventType>(type: K): Extract<TraceEvent, { type: K }> | undefined {
    return this.#find(this.#attempt, type);
  }

  /** The last event of `type` for the last host tried (from its `host.connecting`). */
  forHost<K extends TraceEventType>(type: K): TraceEventAttributes[K] | undefined {
    return this.#find(this.#host, type)?.attributes as TraceEventAttributes[K] | undefined;
  }

  /** The refusal that ended the last attempt: `auth.failed` with server error 18 (or 11, X509). */
  refusal(): TraceEventAttributes["auth.failed"] | undefined {
    const failed = this.inAttempt("auth.failed");
    return failed?.code === "AUTHENTICATION_FAILED" ? failed : undefined;
  }

  #find<K extends TraceEventType>(events: readonly TraceEvent[], type: K) {
    for (let i = events.length - 1; i >= 0; i--) {
      if (events[i].type === type) return events[i] as Extract<TraceEvent, { type: K }>;
    }
    return undefined;
  }
}

function ofSelectedServer(events: readonly TraceEvent[]): readonly TraceEvent[] {
  const selected = events[lastIndex(events, "server.selected")];
  if (selected?.type !== "server.selected") return events;
  const { host, port } = selected.attributes;
  return events.filter((event) => {
    const at = event.attributes as { host?: unknown; port?: unknown };
    return typeof at.host !== "string" || (at.host === host && at.port === port);
  });
}

function lastIndex(events: readonly TraceEvent[], type: TraceEventType): number {
  for (let i = events.length - 1; i >= 0; i--) if (events[i].type === type) return i;
  return 0;
}

const q = (text: string) => JSON.stringify(text);

function refusedFact(failed: TraceEventAttributes["auth.failed"]): HintEvidence {
  const server = failed.serverCode === undefined
    ? ""
    : ` (server error ${failed.serverCode}${failed.codeName ? ` ${failed.codeName}` : ""})`;
  return { event: "auth.failed", fact: `the server refused the login with ${failed.mechanism}${server}` };
}

/**
 * The user is not in the database it was looked up in: hello, asked for the user's mechanisms, listed
 * none (mongod lists none when it has no such user there).
 *
 * @param trace the trace
 * @returns the hint, or `undefined`
 */
export const authSourceHint: HintRule = (events) => {
  const trace = new TraceView(events);
  const failed = trace.refusal();
  const hello = trace.inAttempt("hello");
  const source = trace.inAttempt("auth.source");
  if (!failed || !source || !hello?.mechsAskedFor || hello.saslSupportedMechs !== undefined) return undefined;
  // Atlas's proxy (its 8000 refusal) may list no mechanisms for any user: no evidence of a missing one.
  if (failed.serverCode === ATLAS_ERROR) return undefined;
  const user = failed.user ?? hello.mechsAskedFor.slice(source.db.length + 1);
  const evidence: HintEvidence[] = [
    { event: "auth.source", fact: `the user was looked up in ${q(source.db)}: ${source.reason}` },
    {
      event: "hello",
      fact:
        `hello listed no mechanisms for ${hello.mechsAskedFor} (mongod lists none when it has no such user there)`,
    },
    refusedFact(failed),
  ];
  const uriDb = source.uriDatabase;
  let message: string;
  if (uriDb !== undefined && uriDb !== source.db) {
    evidence.splice(1, 0, { event: "auth.source", fact: `the connection string's database is ${q(uriDb)}` });
    message =
      `The user ${q(user)} was looked up in ${q(source.db)}, but the connection string's database is ` +
      `${q(uriDb)}: if ${q(user)} was created in ${q(uriDb)}, set authSource=${uriDb}` +
      (source.origin === "TXT record" ? " in the connection string (it wins over the TXT record)." : ".");
  } else {
    message =
      `The server has no user ${q(user)} in ${q(source.db)}: set authSource to the database the user ` +
      `was created in${source.db === "admin" ? "" : " (often admin)"}, or create the user in ${
        q(source.db)
      }.`;
  }
  return { id: "auth-source", message, evidence };
};

/**
 * The user exists but has no credentials for the mechanism used: hello lists the user's mechanisms and
 * the one used is not among them.
 *
 * @param trace the trace
 * @returns the hint, or `undefined`
 */
export const mechanismHint: HintRule = (events) => {
  const trace = new TraceView(events);
  const failed = trace.refusal();
  const hello = trace.inAttempt("hello");
  const chosen = trace.inAttempt("auth.mechanism");
  const listed = hello?.saslSupportedMechs;
  if (!failed || !chosen || !listed || listed.length === 0 || listed.includes(chosen.mechanism)) {
    return undefined;
  }
  const only = listed.join(", ");
  return {
    id: "mechanism",
    message: `The server offers only ${only} for ${hello!.mechsAskedFor}, and the login used ` +
      `${chosen.mechanism}: use authMechanism=${
        listed[0]
      } (or leave authMechanism out to negotiate), or give ` +
      `the user ${chosen.mechanism} credentials (updateUser with its password and mechanisms: ["${chosen.mechanism}"]).`,
    evidence: [
      { event: "hello", fact: `hello lists ${only} for ${hello!.mechsAskedFor}` },
      { event: "auth.mechanism", fact: `${chosen.mechanism} was used: ${chosen.reason}` },
      refusedFact(failed),
    ],
  };
};

/**
 * The AWS credentials are an identity with no `$external` user: the trace names the identity and the
 * user name mongod looks up for it.
 *
 * @param trace the trace
 * @returns the hint, or `undefined`
 */
export const awsUserHint: HintRule = (events) => {
  const trace = new TraceView(events);
  const failed = trace.refusal();
  if (failed?.mechanism !== "MONGODB-AWS") return undefined;
  const identity = trace.inAttempt("aws.identity");
  const source = lastFound(trace);
  if (!identity) {
    const unknown = trace.inAttempt("aws.identity.unknown");
    if (!unknown) return undefined;
    return {
      id: "aws-identity-unknown",
      message: "The server refused the AWS credentials, and the trace does not show whose they are: " +
        "mongo-auth whoami --explain (or the explain option) asks STS GetCallerIdentity, which names the " +
        "$external user mongod looks up.",
      evidence: [
        ...(source ? [source] : []),
        { event: "aws.identity.unknown", fact: unknown.reason },
        refusedFact(failed),
      ],
    };
  }
  const account = identity.accountUnknown ? " (with your AWS account ID in place of <account>)" : "";
  return {
    id: "aws-user",
    message:
      `The AWS identity is ${identity.arn}, so the $external user must be ${identity.user}${account}: ` +
      `create it with db.getSiblingDB("$external").runCommand({ createUser: ${
        q(identity.user)
      }, roles: [...] }).`,
    evidence: [
      ...(source ? [source] : []),
      { event: "aws.identity", fact: `the credentials are ${identity.arn} (from ${identity.from})` },
      { event: "aws.identity", fact: `mongod authenticates them as the $external user ${identity.user}` },
      refusedFact(failed),
    ],
  };
};

function lastFound(trace: TraceView): HintEvidence | undefined {
  const found = trace.inAttempt("aws.source");
  if (!found || (found.outcome !== "found" && found.outcome !== "cached")) return undefined;
  const kind = found.temporary ? "temporary credentials" : "credentials";
  return {
    event: "aws.source",
    fact: `${kind} ${found.accessKeyId ?? ""} from ${found.reason ?? found.source}`.replace("  ", " "),
  };
}

/**
 * The token the server refused had expired before it was sent.
 *
 * @param trace the trace
 * @returns the hint, or `undefined`
 */
export const tokenExpiredHint: HintRule = (events) => {
  const trace = new TraceView(events);
  const failed = trace.refusal();
  const token = trace.inAttempt("oidc.token");
  if (
    failed?.mechanism !== "MONGODB-OIDC" || token?.expiresInSeconds === undefined ||
    token.expiresInSeconds >= 0
  ) {
    return undefined;
  }
  const ago = describeAgo(-token.expiresInSeconds);
  const source = trace.last("oidc.source");
  const from = token.origin === "cache" ? "the token cache" : source?.source ?? "the token source";
  return {
    id: "oidc-token-expired",
    message: `The token expired ${ago} before it was sent (exp ${token.expiresAt}): ${from} handed out an ` +
      `expired token. ${renewAdvice(source?.source)}`,
    evidence: [
      ...(source ? [{ event: "oidc.source" as const, fact: `tokens come from ${source.source}` }] : []),
      {
        event: "oidc.token",
        fact: `the token ${token.origin === "cache" ? "from the cache" : "fetched for this login"} has exp ` +
          `${token.expiresAt}, ${ago} before it was sent`,
      },
      refusedFact(failed),
    ],
  };
};

function renewAdvice(source: string | undefined): string {
  if (source === "ENVIRONMENT:test") return "Put a current token in the file OIDC_TOKEN_FILE names.";
  if (source === "ENVIRONMENT:k8s") return "Check that the service account token file is being rotated.";
  if (source === "OIDC_HUMAN_CALLBACK") return "Sign in again.";
  if (source === "OIDC_CALLBACK") return "Have the callback return a current token (and expiresInSeconds).";
  return "Check the clock of this machine and of the token's issuer.";
}

function describeAgo(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  return `${Math.round(minutes / 60)} hours`;
}

/**
 * The token's audience is not the one `TOKEN_RESOURCE` asked for.
 *
 * @param trace the trace
 * @returns the hint, or `undefined`
 */
export const tokenAudienceHint: HintRule = (events) => {
  const trace = new TraceView(events);
  const failed = trace.refusal();
  const token = trace.inAttempt("oidc.token");
  const source = trace.last("oidc.source");
  const wanted = source?.tokenResource;
  if (
    failed?.mechanism !== "MONGODB-OIDC" || !wanted || !token?.audience || token.audience.includes(wanted)
  ) {
    return undefined;
  }
  const aud = token.audience.join(", ");
  return {
    id: "oidc-audience",
    message:
      `The token's aud is ${aud}, but TOKEN_RESOURCE asked for ${wanted}: ${source!.source} issued a ` +
      `token for another audience. Set TOKEN_RESOURCE to the audience the server is configured with, and check ` +
      "the identity's application ID URI.",
    evidence: [
      { event: "oidc.source", fact: `${source!.source} with TOKEN_RESOURCE ${wanted}` },
      { event: "oidc.token", fact: `the token's aud is ${aud}` },
      refusedFact(failed),
    ],
  };
};

/**
 * The token was issued by another identity provider than the one the server named (human flow).
 *
 * @param trace the trace
 * @returns the hint, or `undefined`
 */
export const tokenIssuerHint: HintRule = (events) => {
  const trace = new TraceView(events);
  const failed = trace.refusal();
  const token = trace.inAttempt("oidc.token");
  const idp = trace.last("oidc.idp");
  if (failed?.mechanism !== "MONGODB-OIDC" || !idp || !token?.issuer || token.issuer === idp.issuer) {
    return undefined;
  }
  return {
    id: "oidc-issuer",
    message: `The token was issued by ${token.issuer}, but the server named ${idp.issuer} as its identity ` +
      "provider: the callback signed in at another issuer.",
    evidence: [
      { event: "oidc.idp", fact: `the server's identity provider is ${idp.issuer}` },
      { event: "oidc.token", fact: `the token's iss is ${token.issuer}` },
      refusedFact(failed),
    ],
  };
};

/**
 * No `$external` user is named as the client certificate's subject, or the user given is not that subject.
 *
 * @param trace the trace
 * @returns the hint, or `undefined`
 */
export const x509UserHint: HintRule = (events) => {
  const trace = new TraceView(events);
  const failed = trace.refusal();
  const subject = trace.forHost("tls.handshake")?.clientSubject;
  if (failed?.mechanism !== "MONGODB-X509" || !subject) return undefined;
  const user = trace.forHost("auth.started")?.user;
  if (user !== undefined && user !== subject) {
    return {
      id: "x509-user",
      message: `The user given is ${user}, but the client certificate's subject is ` +
        `${subject}: mongod refuses any other name than the subject. Leave the username out, and the server ` +
        "takes the subject.",
      evidence: [
        { event: "auth.started", fact: `the user given is ${user}` },
        { event: "tls.handshake", fact: `the client certificate's subject is ${subject}` },
        refusedFact(failed),
      ],
    };
  }
  return {
    id: "x509-user",
    message: `The client certificate's subject is ${subject}: mongod looks up the $external user named ` +
      `exactly that. Create it with db.getSiblingDB("$external").runCommand({ createUser: ${
        q(subject)
      }, roles: [...] }).`,
    evidence: [
      { event: "tls.handshake", fact: `the client certificate's subject is ${subject}` },
      refusedFact(failed),
    ],
  };
};

/**
 * The server's certificate is not for the host name connected to.
 *
 * @param trace the trace
 * @returns the hint, or `undefined`
 */
export const hostnameHint: HintRule = (events) => {
  const trace = new TraceView(events);
  const failed = trace.forHost("tls.failed");
  if (failed?.reason !== "hostname-mismatch") return undefined;
  const names = failed.serverAltNames?.join(", ");
  const evidence: HintEvidence[] = [
    {
      event: "tls.failed",
      fact: `the TLS handshake with ${hostPort(failed)} failed: ${failed.detail}`,
    },
  ];
  if (names) evidence.push({ event: "tls.failed", fact: `the server's certificate names ${names}` });
  const skip = "tlsAllowInvalidHostnames=true skips this check (unsafe: anyone could pose as the server).";
  const named = names ? ` (it names ${names})` : "";
  if (isSocketPath(failed.host)) {
    return {
      id: "tls-hostname",
      message:
        `The server's certificate is not for localhost, the name TLS checks over a UNIX domain socket${named}: ` +
        `have the certificate name localhost too, or connect over TCP with a host name it names. ${skip}`,
      evidence,
    };
  }
  return {
    id: "tls-hostname",
    message: `The server's certificate is not for ${failed.host}${named}: connect with a host name the ` +
      `certificate names, or have the certificate issued for ${failed.host}. ${skip}`,
    evidence,
  };
};

/**
 * The server's certificate is not trusted, not valid now, or revoked; or the revocation lists cannot be used.
 *
 * @param trace the trace
 * @returns the hint, or `undefined`
 */
export const certificateHint: HintRule = (events) => {
  const trace = new TraceView(events);
  const failed = trace.forHost("tls.failed");
  const hint = failed && CERTIFICATE_HINTS.get(failed.reason);
  if (!failed || !hint) return undefined;
  return {
    id: hint.id,
    message: hint.message,
    evidence: [{
      event: "tls.failed",
      fact: `the TLS handshake with ${hostPort(failed)} failed: ${failed.detail}`,
    }],
  };
};

// A Map, not an object: a trace handed to hintsFor may name any reason, and one named like an Object method
// (`constructor`) must find nothing.
const CERTIFICATE_HINTS: ReadonlyMap<string, { id: string; message: string }> = new Map([
  ["untrusted", {
    id: "tls-untrusted",
    message:
      "The server's certificate does not lead to a CA this client trusts: give the server's CA with tlsCAFile.",
  }],
  ["expired", {
    id: "tls-expired",
    message: "The server's certificate is expired or not yet valid: renew it, or check this machine's clock.",
  }],
  ["revoked", {
    id: "tls-revoked",
    message:
      "The server's certificate, or a CA's of its chain, is revoked by a list in tlsCRLFile: the server " +
      "needs a new certificate (if the list is wrong, fetch the CA's current one).",
  }],
  ["weak-certificate", {
    id: "tls-weak-certificate",
    message:
      "The server's certificate, or a CA's of its chain, is signed with SHA-1 or MD5, or has a key too " +
      "small, which this runtime's TLS refuses: the server needs a certificate signed with SHA-256 or better.",
  }],
  ["revocation-list", {
    id: "tls-revocation-list",
    message: "The revocation lists of tlsCRLFile could not be used for the server's chain: OpenSSL needs a " +
      "current list, signed by its CA, from every CA of the chain.",
  }],
]);

/**
 * TLS was asked of a server that does not speak it: the peer hung up (or answered something else) during
 * the handshake; with `explain`, a plain hello to the same port answered.
 *
 * @param trace the trace
 * @returns the hint, or `undefined`
 */
export const plainServerHint: HintRule = (events) => {
  const trace = new TraceView(events);
  const failed = trace.forHost("tls.failed");
  if (failed?.reason !== "not-tls") return undefined;
  const probe = trace.forHost("tls.plain_probe");
  const peer = hostPort(failed);
  const evidence: HintEvidence[] = [
    {
      event: "tls.failed",
      fact: `TLS was asked (tls=true) and the handshake with ${peer} failed: ${failed.detail}`,
    },
  ];
  if (probe?.answered) {
    const release = probe.serverRelease ? ` (MongoDB ${probe.serverRelease})` : "";
    evidence.push({ event: "tls.plain_probe", fact: `without TLS, ${peer} answered hello${release}` });
    return {
      id: "tls-plain-server",
      message:
        `TLS was asked of a server that does not speak it: ${peer} answers hello without TLS. Remove ` +
        "tls=true (or enable TLS on the server).",
      evidence,
    };
  }
  if (probe) {
    evidence.push({
      event: "tls.plain_probe",
      fact: `without TLS, ${peer} did not answer hello: ${probe.detail}`,
    });
  }
  return {
    id: "tls-plain-server",
    message:
      `${peer} did not complete the TLS handshake (it hung up, or answered with something other than TLS), ` +
      "as a server without TLS does: if it has none, remove tls=true; if it has TLS, check the port." +
      (probe ? "" : " mongo-auth whoami --explain tries a plain hello to tell."),
    evidence,
  };
};

/** Every rule, in the order their hints are listed. */
const RULES: readonly HintRule[] = [
  plainServerHint,
  hostnameHint,
  certificateHint,
  authSourceHint,
  mechanismHint,
  x509UserHint,
  awsUserHint,
  tokenExpiredHint,
  tokenAudienceHint,
  tokenIssuerHint,
];

/**
 * Hints for a failed login, from its trace (`err.trace`, or the events `onEvent` received): each says
 * what to do and the facts of the trace it rests on. A trace that shows none of the known cases gives
 * none; the error's message still says what was tried.
 *
 * @param trace the events of the login (`undefined`: no hints)
 * @returns the hints, most basic first (TLS before authentication)
 * @throws {MongoAuthError} `INVALID_OPTION` for something that is not a trace
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hintsFor, type TraceEvent } from "@mongo-auth/core";
 *
 * const trace: TraceEvent[] = [
 *   { type: "auth.started", time: 0, attributes: { mechanism: "negotiate", user: "bob", db: "admin" } },
 *   { type: "auth.source", time: 0, attributes: { db: "admin", origin: "connection string authSource", reason: "authSource=admin in the connection string", uriDatabase: "app" } },
 *   { type: "hello", time: 1, attributes: { command: "hello", maxWireVersion: 21, role: "standalone", mechsAskedFor: "admin.bob", speculative: "not answered" } },
 *   { type: "auth.failed", time: 2, attributes: { mechanism: "SCRAM-SHA-1", user: "bob", db: "admin", code: "AUTHENTICATION_FAILED", serverCode: 18, message: "…" } },
 * ];
 * const [hint] = hintsFor(trace);
 * assert.equal(hint.id, "auth-source");
 * assert.match(hint.message, /set authSource=app/);
 * ```
 */
export function hintsFor(trace: readonly TraceEvent[] | undefined): Hint[] {
  // No trace (an error that is not a MongoAuthError's, say) has nothing to explain.
  if (trace === undefined || trace === null) return [];
  if (!Array.isArray(trace) || !trace.every((event) => typeof event?.type === "string")) {
    throw new MongoAuthError(
      "INVALID_OPTION",
      "hintsFor() takes a login's trace: the events of a MongoAuthError's trace, or of Connection.trace",
    );
  }
  return RULES.map((rule) => rule(trace)).filter((hint): hint is Hint => hint !== undefined);
}
