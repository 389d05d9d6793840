// Timeouts and cancellation: every public async entry point takes an AbortSignal, and aborting it in the
// middle of a conversation rejects promptly with ABORTED, closes the socket (when the socket is ours) and
// leaves no listener on the caller's signal. Also pins the documented default timeouts to the code.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AuthCacheStore,
  authenticate,
  type CommandRunner,
  type ConnectOptions,
  connectWith,
  createAzureCallback,
  createGcpCallback,
  MongoAuthError,
  type OidcCallbackParams,
  parseConnectionString,
  parseCredential,
  WireConnection,
} from "@mongo-auth/core";
import { awsCredentialProvider } from "../../src/transport/node.ts";
import {
  HUMAN_CALLBACK_TIMEOUT_MS,
  MACHINE_CALLBACK_TIMEOUT_MS,
} from "../../src/credential/oidc-callback.ts";
import { connectSettings } from "../../src/client/options.ts";
import { SLOW_CHECK_MS } from "../../src/client/discovery.ts";
import { KEEP_ALIVE_INITIAL_DELAY_MS } from "../../src/transport/socket.ts";
import { DEFAULT_AWS_HTTP_TIMEOUT_MS } from "../../src/mechanisms/aws/credentials/http.ts";
import { METADATA_TIMEOUT_MS } from "../../src/mechanisms/oidc/environments/metadata-request.ts";
import { invokeCallback } from "../../src/mechanisms/oidc/invoke-callback.ts";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { startHostileServer } from "../support/hostile-server.ts";
import { startFake, testEnv } from "../support/aws-fakes.ts";
import {
  createIdentityProvider,
  oidcServerConfig,
  type TestIdentityProvider,
} from "../../testing/identity-provider.ts";
import { memorySocket } from "../support/memory-socket.ts";
import { transports } from "../support/transports.ts";
import { countedSignal, grownSince, handleCounts, settle } from "./resources.ts";

// "Promptly": the rejection follows the abort within this (generous for a loaded 2-core machine).
const PROMPT_MS = 1000;

/** Aborts `controller` once `ready()` holds, then checks the promise rejects with ABORTED promptly. */
async function abortWhen(
  label: string,
  controller: AbortController,
  attempt: Promise<unknown>,
  ready: () => boolean,
): Promise<void> {
  const outcome = attempt.then(() => "resolved", (err: unknown) => err);
  const deadline = Date.now() + 5000;
  while (!ready()) {
    assert.ok(Date.now() < deadline, `${label}: the conversation never reached the point to abort at`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const abortedAt = Date.now();
  controller.abort();
  const err = await outcome;
  const elapsed = Date.now() - abortedAt;
  assert.ok(err instanceof MongoAuthError, `${label}: ${String(err)}`);
  assert.equal(err.code, "ABORTED", `${label}: ${err.message}`);
  assert.ok(elapsed < PROMPT_MS, `${label}: rejected ${elapsed} ms after the abort`);
}

const runtimeTransports = await transports();

describe("cancellation", () => {
  let server: RunningServer;
  let idp: TestIdentityProvider;
  before(async () => {
    idp = await createIdentityProvider();
    server = await startServer({
      users: [
        { db: "admin", user: "legacy", password: "legacy-pw", mechanisms: ["SCRAM-SHA-1"] },
        { db: "$external", user: "test_user1", mechanisms: ["MONGODB-OIDC"] },
      ],
      oidc: oidcServerConfig(idp),
    } as ServerConfig);
  });
  after(() => server.close());

  for (const { name, transport } of runtimeTransports) {
    it(`connectWith (${name}): aborting at every step of a conversation closes the socket`, async () => {
      // Negotiated SCRAM-SHA-1: hello, saslStart, saslContinue.
      const uri = (address: string) => `mongodb://legacy:legacy-pw@${address}/`;
      for (let step = 1; step <= 3; step++) {
        // The peer answers steps before `step` and sits on `step`: the client is mid-conversation.
        const peer = await startHostileServer({
          upstream: { host: server.host, port: server.port },
          plan: { silentFromMessage: step },
        });
        const before = handleCounts();
        const caller = countedSignal();
        try {
          await abortWhen(
            `abort at message ${step}`,
            caller.controller,
            connectWith(transport, uri(peer.address), { signal: caller.signal }),
            () => peer.connections[0]?.messages.length === step,
          );
          await peer.connections[0].closed; // the client closed its socket
          assert.equal(peer.connections[0].closedByClient, true);
          const leaks = await settle(() => [
            ...grownSince(before, handleCounts()),
            ...(caller.listeners() ? [`${caller.listeners()} listener(s)`] : []),
          ]);
          assert.deepEqual(leaks, [], `abort at message ${step}: left behind`);
        } finally {
          await peer.close();
        }
      }
    });

    it(`connectWith (${name}): aborting while the OIDC callback runs tells the callback and rejects`, async () => {
      let seen: OidcCallbackParams | undefined;
      const controller = new AbortController();
      const options: ConnectOptions = {
        signal: controller.signal,
        cacheStore: new AuthCacheStore(),
        authMechanismProperties: {
          OIDC_CALLBACK: (params: OidcCallbackParams) => {
            seen = params;
            return new Promise(() => {}); // a callback that never finishes by itself
          },
        },
      };
      await abortWhen(
        "abort in the OIDC callback",
        controller,
        connectWith(transport, `mongodb://${server.address}/?authMechanism=MONGODB-OIDC`, options),
        () => seen !== undefined,
      );
      assert.equal(seen!.timeoutContext.aborted, true, "the callback's timeoutContext fired");
    });
  }

  it("connectWith: aborting while the AWS credential chain waits on a silent ECS endpoint", async () => {
    const { transport } = runtimeTransports[0];
    const hang = await startFake(() => new Promise(() => {}));
    try {
      const controller = new AbortController();
      await abortWhen(
        "abort in the ECS fetch",
        controller,
        connectWith(transport, `mongodb://${server.address}/?authMechanism=MONGODB-AWS`, {
          signal: controller.signal,
          cacheStore: new AuthCacheStore(),
          env: testEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${hang.url}/creds` }),
        }),
        () => hang.requests.length > 0,
      );
    } finally {
      await hang.close();
    }
  });

  describe("authenticate() over a driver's runner that never answers", () => {
    const credentials = {
      "SCRAM-SHA-256": parseCredential("mongodb://alice:pw@h/?authMechanism=SCRAM-SHA-256")!,
      "MONGODB-AWS": parseCredential("mongodb://AKIDEXAMPLE:secret@h/?authMechanism=MONGODB-AWS")!,
      "MONGODB-OIDC": parseCredential("mongodb://h/?authMechanism=MONGODB-OIDC", {
        authMechanismProperties: { OIDC_CALLBACK: () => Promise.resolve({ accessToken: "eyJ.a.b" }) },
      })!,
      PLAIN: parseCredential("mongodb://alice:pw@h/?authMechanism=PLAIN")!,
    };
    for (const [mechanism, credential] of Object.entries(credentials)) {
      it(`${mechanism}: ABORTED at once, no listener left on the signal`, async () => {
        let pending = 0;
        const runner: CommandRunner = { command: () => (pending++, new Promise(() => {})) };
        const caller = countedSignal();
        await abortWhen(
          mechanism,
          caller.controller,
          authenticate(runner, credential, {
            signal: caller.signal,
            cacheStore: new AuthCacheStore(),
            helloReply: { ok: 1, maxWireVersion: 21 },
          }),
          () => pending > 0,
        );
        assert.equal(caller.listeners(), 0);
      });
    }
  });

  it("awsCredentialProvider: aborting during a fetch rejects with ABORTED", async () => {
    const hang = await startFake(() => new Promise(() => {}));
    try {
      const caller = countedSignal();
      const provider = awsCredentialProvider({
        signal: caller.signal,
        env: testEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${hang.url}/creds` }),
      });
      await abortWhen("ECS fetch", caller.controller, provider(), () => hang.requests.length > 0);
    } finally {
      await hang.close();
    }
  });

  it("Azure and GCP callbacks: the timeoutContext cancels the metadata request", async () => {
    const hang = await startFake(() => new Promise(() => {}));
    try {
      for (
        const [label, callback] of [
          ["Azure", createAzureCallback({ endpoint: hang.url, tokenResource: "api://x" })],
          ["GCP", createGcpCallback({ endpoint: hang.url, tokenResource: "x" })],
        ] as const
      ) {
        const controller = new AbortController();
        const before = hang.requests.length;
        await abortWhen(
          label,
          controller,
          callback({ version: 1, timeoutContext: controller.signal }),
          () => hang.requests.length > before,
        );
      }
    } finally {
      await hang.close();
    }
  });

  it("an OIDC callback that overruns its time budget: TIMEOUT, and its timeoutContext fires", async () => {
    let seen: OidcCallbackParams | undefined;
    await assert.rejects(
      invokeCallback(
        (params) => {
          seen = params;
          return new Promise(() => {});
        },
        {},
        { name: "OIDC_CALLBACK", timeoutMs: 20 },
      ),
      { code: "TIMEOUT" },
    );
    assert.equal(seen!.timeoutContext.aborted, true);
  });

  it("WireConnection.command: aborting a pending command closes the connection", async () => {
    const { socket, peer } = memorySocket();
    const conn = new WireConnection(socket);
    const controller = new AbortController();
    await abortWhen(
      "pending command",
      controller,
      conn.command("admin", { ping: 1 }, { signal: controller.signal }),
      () => peer.written.length > 0,
    );
    assert.equal(peer.closed, true);
    assert.equal(conn.closed, true);
  });

  it("the documented default timeouts are the code's", () => {
    const settings = connectSettings(parseConnectionString("mongodb://h/"), {});
    assert.equal(settings.connectTimeoutMS, 10_000);
    assert.equal(settings.socketTimeoutMS, 60_000);
    assert.equal(DEFAULT_AWS_HTTP_TIMEOUT_MS, 10_000);
    assert.equal(METADATA_TIMEOUT_MS, 10_000);
    assert.equal(MACHINE_CALLBACK_TIMEOUT_MS, 60_000);
    assert.equal(HUMAN_CALLBACK_TIMEOUT_MS, 300_000);
    assert.equal(SLOW_CHECK_MS, 500);
    assert.equal(KEEP_ALIVE_INITIAL_DELAY_MS, 120_000);
  });
});
