// An Atlas-style mongodb+srv:// cluster: the SRV name's TXT record says `authSource=admin&replicaSet=…`,
// as Atlas publishes it, and the SRV target is a member of that replica set under its Atlas-style name. That authSource is a default for SCRAM users, not for the mechanisms that
// authenticate against $external: MONGODB-AWS, MONGODB-X509, MONGODB-OIDC (machine and human) and
// PLAIN's default must still connect. Real DNS messages from a loopback DNS server through each of this
// runtime's resolvers; the SRV target's sockets go to the reference server (TLS, test CA) on loopback.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import dns from "node:dns";
import { type ConnectOptions, connectWith, type Document, type Transport } from "@mongo-auth/core";
import { nodeTransport } from "../../src/transport/node.ts";
import { type RunningMember, startReplicaSet } from "../../testing/reference-server/replica-set.ts";
import { startUdpDnsServer, type UdpDnsServer } from "./workerd/doh-server.ts";
import { testEnv } from "../support/aws-fakes.ts";
import {
  createIdentityProvider,
  oidcServerConfig,
  type TestIdentityProvider,
} from "../../testing/identity-provider.ts";
import { fixturePath } from "../../testing/paths.ts";
import { runtime } from "../support/transports.ts";
import { whoami } from "../support/who-am-i.ts";

const pki = (name: string) => fixturePath(`pki/${name}`);
const CLUSTER = "cluster0.ab1cd.mongodb.net";
const TARGET = "ac-x1y2z3-shard-00-00.ab1cd.mongodb.net";
const KEY_ID = "AKIAATLASSTYLE000001";
const SECRET = "atlas/style+secret";
const AWS_ARN = "arn:aws:iam::123456789012:user/atlas-app";
const X509_USER = "CN=client,OU=apps,O=Example,L=City,ST=State,C=US";
const OIDC_USER = "atlas-workforce-user";

describe(`Atlas-style mongodb+srv:// with TXT authSource=admin (${runtime})`, () => {
  let server: RunningMember;
  let close: () => Promise<void>;
  let dnsServer: UdpDnsServer;
  let idp: TestIdentityProvider;
  let previousServers: string[];
  before(async () => {
    idp = await createIdentityProvider();
    const set = await startReplicaSet({
      setName: "atlas-x1y2z3-shard-0",
      members: [{ name: `${TARGET}:27017` }],
      tls: {
        cert: pki("server-cert.pem"),
        key: pki("server-key.pem"),
        ca: pki("ca.pem"),
        allowConnectionsWithoutCertificates: true,
      },
      aws: { accounts: [{ accessKeyId: KEY_ID, secretAccessKey: SECRET, arn: AWS_ARN }] },
      oidc: oidcServerConfig(idp),
      users: [
        { db: "$external", user: AWS_ARN, mechanisms: ["MONGODB-AWS"] },
        { db: "$external", user: X509_USER, mechanisms: ["MONGODB-X509"] },
        { db: "$external", user: OIDC_USER, mechanisms: ["MONGODB-OIDC"] },
        { db: "$external", user: "ldap-user", password: "ldap-pw", mechanisms: ["PLAIN"] },
        { db: "admin", user: "alice", password: "alice-pw", mechanisms: ["SCRAM-SHA-256"] },
      ],
    });
    server = set.members[0];
    close = () => set.close();
    dnsServer = await startUdpDnsServer({
      srv: { [`_mongodb._tcp.${CLUSTER}`]: [{ target: TARGET, port: 27017 }] },
      txt: { [CLUSTER]: [["authSource=admin&replicaSet=atlas-x1y2z3-shard-0"]] },
    });
    previousServers = dns.getServers();
    dns.setServers([dnsServer.address]);
  });
  after(async () => {
    dns.setServers(previousServers);
    await dnsServer?.close();
    await close?.();
  });

  // The resolvers of this runtime: node:dns everywhere, Deno.resolveDns on Deno.
  async function resolvers(): Promise<{ name: string; transport: Transport }[]> {
    const list = [{ name: "node:dns", transport: nodeTransport }];
    if (runtime === "deno") {
      const { createDenoTransport } = await import("../../src/transport/deno.ts");
      const [ipAddr, port] = dnsServer.address.split(":");
      list.push({
        name: "Deno.resolveDns",
        transport: createDenoTransport({ nameServer: { ipAddr, port: Number(port) } }),
      });
    }
    return list;
  }

  // Only the dial is mapped: the SRV target is a mongodb.net name, its socket goes to loopback.
  const toLoopback = (transport: Transport): Transport => ({
    ...transport,
    openSocket: (o) => transport.openSocket({ ...o, host: "127.0.0.1", port: server.port }),
  });

  async function connectsAs(query: string, options: ConnectOptions, expected: Document, userinfo = "") {
    for (const { name, transport } of await resolvers()) {
      const conn = await connectWith(toLoopback(transport), `mongodb+srv://${userinfo}${CLUSTER}/${query}`, {
        tlsCAFile: pki("ca.pem"),
        ...options,
      });
      try {
        assert.equal(conn.host, TARGET, name);
        assert.deepEqual(await whoami(conn), expected, name);
      } finally {
        await conn.close();
      }
    }
  }

  it("MONGODB-AWS (keys from the environment) authenticates in $external", async () => {
    const env = testEnv({ AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET });
    await connectsAs("?authMechanism=MONGODB-AWS", { env }, { user: AWS_ARN, db: "$external" });
  });

  it("MONGODB-X509 authenticates in $external", async () => {
    await connectsAs(
      "?authMechanism=MONGODB-X509",
      { tlsCertificateKeyFile: pki("client.pem") },
      { user: X509_USER, db: "$external" },
    );
  });

  for (
    const [property, kind] of [
      ["OIDC_CALLBACK", "a machine callback"],
      ["OIDC_HUMAN_CALLBACK", "a human callback (the README's Atlas example)"],
    ]
  ) {
    it(`MONGODB-OIDC with ${kind} authenticates in $external`, async () => {
      const callback = async () => ({ accessToken: await idp.token(OIDC_USER) });
      await connectsAs(
        "?authMechanism=MONGODB-OIDC",
        { authMechanismProperties: { [property]: callback } },
        { user: OIDC_USER, db: "$external" },
      );
    });
  }

  it("PLAIN without an authSource keeps its default, $external", async () => {
    await connectsAs(
      "?authMechanism=PLAIN",
      {},
      { user: "ldap-user", db: "$external" },
      "ldap-user:ldap-pw@",
    );
  });

  it("SCRAM takes the TXT record's authSource, and an explicit authSource wins over it everywhere", async () => {
    await connectsAs("", {}, { user: "alice", db: "admin" }, "alice:alice-pw@");
    await connectsAs("?authSource=%24external&authMechanism=PLAIN", {}, {
      user: "ldap-user",
      db: "$external",
    }, "ldap-user:ldap-pw@");
    await assert.rejects(
      connectWith(
        toLoopback(nodeTransport),
        `mongodb+srv://${CLUSTER}/?authMechanism=MONGODB-X509&authSource=admin`,
        {
          tlsCAFile: pki("ca.pem"),
          tlsCertificateKeyFile: pki("client.pem"),
        },
      ),
      { code: "INVALID_CREDENTIAL", message: /\$external/ },
    );
  });
});
