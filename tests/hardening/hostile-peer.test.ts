// Hostile and broken peers, end to end: connectWith() through each transport of this runtime, via the
// hostile proxy (tests/support/hostile-server.ts) in front of the reference server. Every fault must end
// in a clear error code within the configured timeout, with the socket closed and no handle, timer or
// signal listener left behind (tests/hardening/resources.ts says how each runtime is checked).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AuthCacheStore,
  type ConnectOptions,
  connectWith,
  type Document,
  MongoAuthError,
  type Transport,
} from "@mongo-auth/core";
import type { ServerConfig } from "../../testing/reference-server/config.ts";
import { type RunningServer, startServer } from "../../testing/reference-server/server.ts";
import { type HostilePlan, type HostileServer, startHostileServer } from "../support/hostile-server.ts";
import {
  createIdentityProvider,
  oidcServerConfig,
  type TestIdentityProvider,
} from "../../testing/identity-provider.ts";
import { testEnv } from "../support/aws-fakes.ts";
import { transports } from "../support/transports.ts";
import {
  countedSignal,
  grownSince,
  handleCounts,
  RESOURCE_ACCOUNTING,
  settle,
  trackTimers,
} from "./resources.ts";

const CONNECT_TIMEOUT_MS = 300;
const SOCKET_TIMEOUT_MS = 200;
// "Within the configured timeout": the error may come a little after it (a loaded CI machine), never at
// a default (10 s connect, 60 s socket).
const SLACK_MS = 2000;

const KEY_ID = "AKIAHOSTILEPEER00001";
const SECRET = "hostile/peer+secret+key";
const ARN = "arn:aws:iam::123456789012:user/hostile";

/** What the faults were, for the report. */
export const faultsInjected: string[] = [];

for (const { name, transport } of await transports()) {
  describe(`hostile peers (${name} transport; handles: ${RESOURCE_ACCOUNTING.handles})`, () => {
    let upstream: RunningServer;
    let idp: TestIdentityProvider;

    before(async () => {
      idp = await createIdentityProvider();
      upstream = await startServer({
        users: [
          { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"] },
          { db: "admin", user: "legacy", password: "legacy-pw", mechanisms: ["SCRAM-SHA-1"] },
          { db: "$external", user: ARN, mechanisms: ["MONGODB-AWS"] },
          { db: "$external", user: "test_user1", mechanisms: ["MONGODB-OIDC"] },
        ],
        aws: { accounts: [{ accessKeyId: KEY_ID, secretAccessKey: SECRET, arn: ARN }] },
        oidc: oidcServerConfig(idp),
      } as ServerConfig);
    });
    after(async () => {
      await upstream.close();
      const mine = faultsInjected.filter((f) => f.startsWith(`${name}: `));
      console.info(
        `hostile peers: runtime=${RESOURCE_ACCOUNTING.runtime} transport=${name} faults=${mine.length}`,
      );
    });

    // The conversations whose every step is cut. Each option set gets a fresh cache store, so no OIDC
    // token or AWS credential from an earlier connection shortens the conversation.
    const conversations: {
      label: string;
      uri: (address: string) => string;
      options: () => ConnectOptions;
    }[] = [
      {
        label: "SCRAM-SHA-256 (speculative)",
        uri: (a) => `mongodb://alice:alice-pw@${a}/?authMechanism=SCRAM-SHA-256`,
        options: () => ({}),
      },
      {
        label: "SCRAM-SHA-1 negotiated",
        uri: (a) => `mongodb://legacy:legacy-pw@${a}/`,
        options: () => ({}),
      },
      {
        label: "MONGODB-AWS",
        uri: (a) => `mongodb://${KEY_ID}:${encodeURIComponent(SECRET)}@${a}/?authMechanism=MONGODB-AWS`,
        options: () => ({ env: testEnv(), cacheStore: new AuthCacheStore() }),
      },
      {
        label: "MONGODB-OIDC machine",
        uri: (a) => `mongodb://${a}/?authMechanism=MONGODB-OIDC`,
        options: () => ({
          cacheStore: new AuthCacheStore(),
          authMechanismProperties: {
            OIDC_CALLBACK: async () => ({ accessToken: await idp.token("test_user1") }),
          },
        }),
      },
      {
        label: "MONGODB-OIDC human",
        uri: (a) => `mongodb://${a}/?authMechanism=MONGODB-OIDC`,
        options: () => ({
          cacheStore: new AuthCacheStore(),
          authMechanismProperties: {
            OIDC_HUMAN_CALLBACK: async () => ({ accessToken: await idp.token("test_user1") }),
          },
        }),
      },
    ];

    /**
     * Connects through a fresh hostile peer with `plan` and checks the outcome: the error code, the time,
     * the socket closed, nothing left behind.
     */
    async function expectFault(
      fault: string,
      plan: HostilePlan | ((id: number) => HostilePlan),
      code: string,
      uri: (address: string) => string,
      options: ConnectOptions = {},
      run: (t: Transport, u: string, o: ConnectOptions) => Promise<unknown> = async (t, u, o) =>
        await (await connectWith(t, u, o)).close(),
    ): Promise<HostileServer> {
      const peer = await startHostileServer({ upstream: { host: upstream.host, port: upstream.port }, plan });
      const handlesBefore = handleCounts();
      const timers = trackTimers();
      const caller = countedSignal();
      try {
        const started = Date.now();
        await assert.rejects(
          run(transport, uri(peer.address), {
            connectTimeoutMS: CONNECT_TIMEOUT_MS,
            socketTimeoutMS: SOCKET_TIMEOUT_MS,
            signal: caller.signal,
            ...options,
          }),
          (err: unknown) => {
            assert.ok(err instanceof MongoAuthError, `${fault}: ${String(err)}`);
            assert.equal(err.code, code, `${fault}: ${err.code} ${err.message}`);
            return true;
          },
        );
        const elapsed = Date.now() - started;
        assert.ok(
          elapsed < CONNECT_TIMEOUT_MS + SOCKET_TIMEOUT_MS + SLACK_MS,
          `${fault}: took ${elapsed} ms`,
        );
        // The client let go of the socket: the peer saw it close (or closed it itself, as planned).
        for (const connection of peer.connections) {
          const closed = await within(connection.closed, 1000);
          assert.ok(closed, `${fault}: connection ${connection.id} is still open`);
        }
        const leaks = await settle(() => [
          ...grownSince(handlesBefore, handleCounts()),
          ...(timers.live() > 0 ? [`${timers.live()} live timer(s)`] : []),
          ...(caller.listeners() > 0 ? [`${caller.listeners()} listener(s) on the caller's signal`] : []),
        ]);
        assert.deepEqual(leaks, [], `${fault}: left behind: ${leaks.join(", ")}`);
        faultsInjected.push(`${name}: ${fault} → ${code}`);
        return peer;
      } finally {
        timers.restore();
        await peer.close();
      }
    }

    it("a peer that never answers: TIMEOUT at connectTimeoutMS", async () => {
      const peer = await expectFault(
        "never answers",
        { silent: true },
        "TIMEOUT",
        (a) => `mongodb://alice:alice-pw@${a}/`,
      );
      assert.equal(peer.connections[0].closedByClient, true);
    });

    it("slowloris (one byte every 20 ms): TIMEOUT at connectTimeoutMS", async () => {
      const peer = await expectFault(
        "slowloris",
        { dribbleMs: 20 },
        "TIMEOUT",
        (a) => `mongodb://alice:alice-pw@${a}/`,
      );
      assert.equal(peer.connections[0].closedByClient, true);
    });

    it("a peer that stops answering after the handshake: the command fails with TIMEOUT at socketTimeoutMS", async () => {
      await expectFault(
        "silent after the handshake",
        { silentFromMessage: 3 },
        "TIMEOUT",
        (a) => `mongodb://alice:alice-pw@${a}/?authMechanism=SCRAM-SHA-256`,
        {},
        async (t, u, o) => {
          const conn = await connectWith(t, u, o);
          try {
            await conn.command("admin", { ping: 1 });
          } finally {
            assert.equal(conn.closed, true, "a timed-out connection is closed");
            await conn.close();
          }
        },
      );
    });

    for (const conversation of conversations) {
      it(`${conversation.label}: closing at every step gives CONNECTION_CLOSED`, async () => {
        // First, a faithful pass to learn how many messages the conversation takes.
        const faithful = await startHostileServer({
          upstream: { host: upstream.host, port: upstream.port },
          plan: {},
        });
        try {
          const conn = await connectWith(
            transport,
            conversation.uri(faithful.address),
            conversation.options(),
          );
          await conn.close();
        } finally {
          await faithful.close();
        }
        const steps = faithful.connections[0].messages.length;
        assert.ok(steps >= 1);
        for (let step = 1; step <= steps; step++) {
          const command = Object.keys(faithful.connections[0].messages[step - 1])[0];
          await expectFault(
            `${conversation.label}: close at message ${step} (${command})`,
            { closeAtMessage: step },
            "CONNECTION_CLOSED",
            conversation.uri,
            conversation.options(),
          );
          await expectFault(
            `${conversation.label}: close in the middle of reply ${step} (${command})`,
            { closeInReply: step },
            "CONNECTION_CLOSED",
            conversation.uri,
            conversation.options(),
          );
        }
      });
    }

    it("a header claiming more than maxMessageSizeBytes: MESSAGE_TOO_LARGE, nothing allocated for it", async () => {
      for (const length of [48_000_001, 0x7fffffff]) {
        await expectFault(
          `frame header claiming ${length} bytes`,
          { oversizeAtMessage: 1, oversizeLength: length },
          "MESSAGE_TOO_LARGE",
          (a) => `mongodb://alice:alice-pw@${a}/`,
        );
      }
    });

    it("a frame larger than the maxMessageSizeBytes the server announced in hello: MESSAGE_TOO_LARGE", async () => {
      await expectFault(
        "frame above hello's maxMessageSizeBytes (1000)",
        {
          rewriteReply: (body, index) => (index === 1 ? { ...body, maxMessageSizeBytes: 1000 } : body),
          oversizeAtMessage: 2,
          oversizeLength: 1001,
        },
        "MESSAGE_TOO_LARGE",
        (a) => `mongodb://alice:alice-pw@${a}/?authMechanism=SCRAM-SHA-256`,
      );
    });

    describe("mechanism downgrade (hello says only SCRAM-SHA-1)", () => {
      const downgrade: HostilePlan = {
        rewriteReply: (
          body,
          index,
        ) => (index === 1 ? { ...body, saslSupportedMechs: ["SCRAM-SHA-1"] } : body),
      };
      let peer: HostileServer;
      before(async () => {
        peer = await startHostileServer({
          upstream: { host: upstream.host, port: upstream.port },
          plan: downgrade,
        });
      });
      after(() => peer.close());

      it("the user asked for SCRAM-SHA-256: it is still what is used", async () => {
        const conn = await connectWith(
          transport,
          `mongodb://alice:alice-pw@${peer.address}/?authMechanism=SCRAM-SHA-256`,
        );
        await conn.close();
        assert.equal(conn.handshake.mechanism, "SCRAM-SHA-256");
        const mechanisms = mechanismsSent(peer.connections.at(-1)!.messages);
        assert.deepEqual([...new Set(mechanisms)], ["SCRAM-SHA-256"]);
        faultsInjected.push(`${name}: downgrade with an explicit mechanism → SCRAM-SHA-256 kept`);
      });

      it("no mechanism given: negotiation follows hello to SCRAM-SHA-1 (the spec's rule)", async () => {
        const conn = await connectWith(transport, `mongodb://alice:alice-pw@${peer.address}/`);
        await conn.close();
        assert.equal(conn.handshake.mechanism, "SCRAM-SHA-1");
        assert.equal(conn.handshake.speculative, false, "the speculative SCRAM-SHA-256 reply is dropped");
        const messages = peer.connections.at(-1)!.messages;
        assert.equal(messages[1].saslStart, 1);
        assert.equal(messages[1].mechanism, "SCRAM-SHA-1");
        faultsInjected.push(`${name}: downgrade without a mechanism → SCRAM-SHA-1 (spec negotiation)`);
      });
    });

    it("a server that ignores speculativeAuthenticate (before 4.4): every mechanism runs its full conversation", async () => {
      const ignore: HostilePlan = {
        rewriteReply: (body, index) => {
          if (index !== 1) return body;
          const { speculativeAuthenticate: _dropped, ...rest } = body;
          return rest;
        },
      };
      for (const conversation of conversations) {
        const peer = await startHostileServer({
          upstream: { host: upstream.host, port: upstream.port },
          plan: ignore,
        });
        try {
          const conn = await connectWith(transport, conversation.uri(peer.address), conversation.options());
          assert.equal(conn.handshake.speculative, false, conversation.label);
          await conn.close();
          faultsInjected.push(
            `${name}: ${conversation.label}: speculative reply withheld → full conversation`,
          );
        } finally {
          await peer.close();
        }
      }
    });

    it("a replayed SCRAM server-first from another connection: SCRAM_NONCE_MISMATCH", async () => {
      let captured: unknown;
      const plan = (id: number): HostilePlan => ({
        rewriteReply: (body, index) => {
          if (index !== 1) return body;
          if (id === 0) captured = body.speculativeAuthenticate;
          else body = { ...body, speculativeAuthenticate: captured };
          return body;
        },
      });
      await expectFault(
        "replayed server-first",
        plan,
        "SCRAM_NONCE_MISMATCH",
        (a) => `mongodb://alice:alice-pw@${a}/?authMechanism=SCRAM-SHA-256`,
        {},
        async (t, u, o) => {
          await (await connectWith(t, u, o)).close(); // connection 0: recorded
          assert.ok(captured, "connection 0's server-first was captured");
          await (await connectWith(t, u, o)).close(); // connection 1: gets connection 0's server-first
        },
      );
    });
  });
}

function mechanismsSent(messages: Document[]): string[] {
  return messages.flatMap((m) => {
    const speculative = m.speculativeAuthenticate as Document | undefined;
    return [m.mechanism, speculative?.mechanism].filter((x): x is string => typeof x === "string");
  });
}

// Whether `promise` settles within `ms` (the timer is cleared either way: this test leaks nothing either).
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
