// Test doubles for MONGODB-OIDC: loopback stand-ins for Azure IMDS and the GCP metadata server
// that answer as the real services document, an identity provider that signs JWTs with keys made
// at test time (jose), and an in-process SASL endpoint that runs the reference server's OIDC module
// behind a CommandRunner. Nothing here ever talks to a non-loopback address.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Binary, BSON } from "bson";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { authenticationFailed, AuthFailure, CommandError } from "../../testing/reference-server/errors.ts";
import { oidcMechanism, type OidcServerConfig } from "../../testing/reference-server/mechanisms/oidc.ts";
import type { SaslConversation, ServerAuthContext, StoredUser } from "../../testing/reference-server/sasl.ts";
import { listenOnLoopback } from "./loopback-http.ts";

// ---------------------------------------------------------------------------------------------
// Loopback HTTP

/** A request a fake endpoint received. */
export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
}

/** A running loopback HTTP server. */
export interface FakeEndpoint {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request, in order. */
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

type Handler = (request: RecordedRequest, response: ServerResponse) => void;

/**
 * Starts an HTTP server on 127.0.0.1 with a free port.
 * @param handler answers each request
 * @returns the endpoint
 */
export async function startEndpoint(handler: Handler): Promise<FakeEndpoint> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const request = {
      method: req.method ?? "GET",
      url: new URL(req.url ?? "/", "http://127.0.0.1"),
      headers: req.headers,
    };
    requests.push(request);
    req.resume();
    req.on("end", () => handler(request, res));
  });
  return { ...(await listenOnLoopback(server)), requests };
}

function send(res: ServerResponse, status: number, body: string, type = "text/plain"): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** How a fake metadata endpoint answers. */
export interface MetadataFakeOptions {
  /** The token to hand out. */
  token: string;
  /** Azure: expires_in (IMDS sends a string). */
  expiresIn?: string;
  /** Answer every request with this status and body instead (to test failures). */
  fail?: { status: number; body: string };
  /** Never answer (to test timeouts): the request hangs until the endpoint closes. */
  hang?: boolean;
}

/**
 * Azure IMDS on loopback: `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…`
 * with `Metadata: true`, else 400 as IMDS does; JSON with access_token, expires_in (strings), etc.
 * @param options token and failure mode
 * @returns the endpoint
 */
export function startAzureImds(options: MetadataFakeOptions): Promise<FakeEndpoint> {
  return startEndpoint((request, res) => {
    if (options.hang) return;
    if (options.fail) return send(res, options.fail.status, options.fail.body);
    if (request.url.pathname !== "/metadata/identity/oauth2/token") return send(res, 404, "Not Found");
    if (request.headers["metadata"] !== "true") {
      return send(
        res,
        400,
        JSON.stringify({
          error: "invalid_request",
          error_description: "Required metadata header not specified",
        }),
        "application/json",
      );
    }
    const resource = request.url.searchParams.get("resource");
    if (request.url.searchParams.get("api-version") !== "2018-02-01" || !resource) {
      return send(
        res,
        400,
        JSON.stringify({ error: "invalid_request", error_description: "bad api-version or resource" }),
        "application/json",
      );
    }
    const expiresIn = options.expiresIn ?? "86399";
    send(
      res,
      200,
      JSON.stringify({
        access_token: options.token,
        client_id: request.url.searchParams.get("client_id") ?? "00000000-0000-0000-0000-000000000000",
        expires_in: expiresIn,
        expires_on: String(Math.floor(Date.now() / 1000) + Number(expiresIn)),
        ext_expires_in: expiresIn,
        not_before: String(Math.floor(Date.now() / 1000)),
        resource,
        token_type: "Bearer",
      }),
      "application/json",
    );
  });
}

/**
 * The GCP metadata server on loopback:
 * `GET /computeMetadata/v1/instance/service-accounts/default/identity?audience=…` with
 * `Metadata-Flavor: Google`, else 403; the body is the token.
 * @param options token and failure mode
 * @returns the endpoint
 */
export function startGcpMetadata(options: MetadataFakeOptions): Promise<FakeEndpoint> {
  return startEndpoint((request, res) => {
    if (options.hang) return;
    if (options.fail) return send(res, options.fail.status, options.fail.body);
    if (request.url.pathname !== "/computeMetadata/v1/instance/service-accounts/default/identity") {
      return send(res, 404, "Not Found");
    }
    if (request.headers["metadata-flavor"] !== "Google") {
      return send(res, 403, "Missing Metadata-Flavor:Google header.");
    }
    if (!request.url.searchParams.get("audience")) {
      return send(res, 400, "non-empty audience parameter required");
    }
    res.setHeader("Metadata-Flavor", "Google");
    send(res, 200, options.token);
  });
}

// ---------------------------------------------------------------------------------------------
// An in-process SASL endpoint running the reference server's OIDC module

type Doc = Record<string, unknown>;

/** A one-shot failure of the next matching command, like mongod's failCommand failpoint. */
export interface FailNext {
  commands: string[];
  errorCode: number;
  times: number;
}

/**
 * The reference server's MONGODB-OIDC module behind a CommandRunner-shaped object: `hello` with
 * speculativeAuthenticate, saslStart, saslContinue, and a failCommand-like switch. Replies are what
 * mongod sends (`ok: 0` with code 18 on every authentication failure).
 */
export class OidcSaslEndpoint {
  readonly config: ServerConfig & { oidc: OidcServerConfig };
  /** Command names received, in order. */
  readonly received: string[] = [];
  /** Tokens the server accepted, in order. */
  readonly accepted: string[] = [];
  /** Why authentications failed (server side only). */
  readonly failures: string[] = [];
  /** The failpoint, if any. */
  failNext: FailNext | undefined;
  #conversations = new Map<number, SaslConversation>();
  #nextId = 1;
  #mechanism = oidcMechanism();
  #users: Map<string, StoredUser>;
  #lastJwt: string | undefined;

  /**
   * @param oidc the IdP configuration
   * @param principals user names of $external with MONGODB-OIDC
   */
  constructor(oidc: OidcServerConfig, principals: string[]) {
    this.config = {
      oidc,
      users: principals.map((user) => ({ db: "$external", user, mechanisms: ["MONGODB-OIDC"] })),
    };
    this.#users = new Map(
      principals.map((
        user,
      ) => [user, {
        db: "$external",
        user,
        mechanisms: ["MONGODB-OIDC"],
        roles: [],
        credentials: new Map(),
      }]),
    );
  }

  /** A runner for one connection (each has its own conversations and authenticated user). */
  connection(): OidcTestConnection {
    return new OidcTestConnection(this);
  }

  /** @internal */
  checkFailpoint(name: string): Doc | undefined {
    const fp = this.failNext;
    if (!fp || !fp.commands.includes(name)) return undefined;
    if (--fp.times <= 0) this.failNext = undefined;
    return new CommandError(fp.errorCode, `Failing command ${name} via 'failCommand' failpoint`).toReply();
  }

  /** @internal Runs one SASL step; returns mongod's reply. */
  async step(
    conn: OidcTestConnection,
    db: string,
    conversationId: number | undefined,
    payload: Uint8Array,
    speculative: boolean,
  ): Promise<Doc> {
    let conversation = conversationId === undefined ? undefined : this.#conversations.get(conversationId);
    if (conversationId !== undefined && !conversation) {
      return new CommandError(17, "No SASL session state found").toReply();
    }
    const id = conversationId ?? this.#nextId++;
    if (!conversation) {
      conversation = this.#mechanism.start(this.#context(conn, db, speculative));
      this.#conversations.set(id, conversation);
    }
    try {
      const jwt = BSON.deserialize(payload).jwt;
      this.#lastJwt = typeof jwt === "string" ? jwt : undefined;
    } catch { /* the mechanism reports it */ }
    try {
      const result = await conversation.step(payload);
      if (result.done) {
        this.#conversations.delete(id);
        if (this.#lastJwt) this.accepted.push(this.#lastJwt);
      }
      return { conversationId: id, done: result.done, payload: new Binary(result.payload), ok: 1 };
    } catch (error) {
      this.#conversations.delete(id);
      this.failures.push(error instanceof AuthFailure ? error.message : String(error));
      return authenticationFailed().toReply();
    }
  }

  #context(conn: OidcTestConnection, db: string, speculative: boolean): ServerAuthContext {
    return {
      db,
      config: this.config,
      connection: { id: 1, remoteAddress: "127.0.0.1", remotePort: 1, tls: false },
      speculative,
      options: {},
      findUser: (user, userDb) => (userDb === "$external" ? this.#users.get(user) : undefined),
      authenticated: (user, userDb) => {
        conn.user = `${userDb}.${user}`;
      },
    };
  }
}

/** One connection to an {@link OidcSaslEndpoint}: `command(db, cmd)` as a CommandRunner. */
export class OidcTestConnection {
  /** `db.user` once authenticated. */
  user: string | undefined;
  readonly #server: OidcSaslEndpoint;

  constructor(server: OidcSaslEndpoint) {
    this.#server = server;
  }

  /**
   * hello with an optional speculativeAuthenticate; returns the speculative reply (undefined when the
   * speculative step failed, as mongod leaves it out).
   */
  async hello(speculative: Doc | undefined): Promise<Doc | undefined> {
    this.#server.received.push("hello");
    if (!speculative) return undefined;
    const db = String(speculative.db);
    const reply = await this.#server.step(this, db, undefined, payloadOf(speculative), true);
    return reply.ok === 1
      ? { conversationId: reply.conversationId, done: reply.done, payload: reply.payload }
      : undefined;
  }

  /** A command as the server runs it (only what OIDC authentication and a `find` need). */
  async command(db: string, cmd: Doc): Promise<Doc> {
    const name = Object.keys(cmd)[0];
    this.#server.received.push(name);
    const failed = this.#server.checkFailpoint(name);
    if (failed) return failed;
    if (name === "saslStart") {
      if (cmd.mechanism !== "MONGODB-OIDC") return new CommandError(2, "unsupported mechanism").toReply();
      return await this.#server.step(this, db, undefined, payloadOf(cmd), false);
    }
    if (name === "saslContinue") {
      return await this.#server.step(this, db, Number(cmd.conversationId), payloadOf(cmd), false);
    }
    if (name === "find") {
      if (!this.user) return new CommandError(13, "command find requires authentication").toReply();
      return { cursor: { id: 0, ns: `${db}.${String(cmd.find)}`, firstBatch: [] }, ok: 1 };
    }
    return new CommandError(59, `no such command: '${name}'`).toReply();
  }
}

function payloadOf(cmd: Doc): Uint8Array {
  const raw = cmd.payload;
  if (raw instanceof Binary) return raw.value();
  if (raw instanceof Uint8Array) return raw;
  throw new TypeError("command has no binary payload");
}

/**
 * A `fetch` that refuses anything but loopback, so no test can reach a real metadata service.
 * @param input the URL
 * @param init the request options
 * @returns the response
 */
export const loopbackOnlyFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    return Promise.reject(new Error(`test tried to reach ${url.hostname}`));
  }
  return fetch(input, init);
};
