import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import dgram from "node:dgram";
import dns from "node:dns";
import { awsCredentialProvider, nodeEnv, nodeTransport } from "../../src/transport/node.ts";
import { envScope, runtimeEnv } from "../../src/core/runtime-env.ts";
import { runtime } from "../support/transports.ts";
import { settledWithin } from "../support/settled-within.ts";
import { runScript } from "../support/cli.ts";
import { timerFairImmediate } from "../../src/transport/immediate-turn.ts";

describe("node transport", () => {
  it("names the runtime in the client metadata", () => {
    assert.match(nodeTransport.platform, runtime === "bun" ? /^Bun \d/ : /^(Node\.js v\d|Bun \d)/);
    assert.equal(nodeTransport.osType, os.type());
  });

  it("reaches the next turn with an immediate on Node.js; on Bun and Deno with the Deno transport's timer-fair one", () => {
    // Node.js runs the timers due before its immediates at every loop iteration; Bun and Deno may not.
    assert.equal(typeof nodeTransport.nextTurn, "function");
    if (runtime === "node") assert.notEqual(nodeTransport.nextTurn, timerFairImmediate);
    else assert.equal(nodeTransport.nextTurn, timerFairImmediate);
  });

  it("gives credential sources the process environment, home directory and file reader", async () => {
    const env = nodeEnv();
    assert.equal(env.getEnv("PATH"), process.env.PATH);
    assert.equal(env.homeDir, os.homedir());
    const text = await env.readTextFile!(fileURLToPath(import.meta.url));
    assert.match(text, /node transport/);
  });

  it("hands every connection one default env, which reads the process's variables as they are now", () => {
    const env = nodeTransport.defaultEnv();
    assert.equal(nodeTransport.defaultEnv(), env);
    const name = "MONGO_AUTH_TEST_DEFAULT_ENV";
    try {
      process.env[name] = "first";
      assert.equal(env.getEnv(name), "first");
      process.env[name] = "second";
      assert.equal(env.getEnv(name), "second");
    } finally {
      delete process.env[name];
    }
    assert.equal(env.getEnv(name), undefined);
  });

  it("every nodeEnv() is the process's: credentials they produce share one cache scope", () => {
    assert.equal(envScope(nodeEnv()), envScope(nodeEnv()));
    assert.notEqual(envScope(nodeEnv()), envScope(runtimeEnv({ env: { ...process.env } })));
  });

  it("awsCredentialProvider uses the env it is given instead of the process's", async () => {
    const provider = awsCredentialProvider({
      env: nodeEnvWith({ AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" }),
    });
    const creds = await provider();
    assert.equal(creds.accessKeyId, "AKIDEXAMPLE");
  });

  it("stops an SRV or TXT lookup when its signal fires, though the DNS server never answers", async () => {
    // A DNS server that takes the queries and answers none (node:dns would retry for 24–26 s).
    const silent = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", () => resolve()));
    const servers = dns.promises.getServers();
    dns.promises.setServers([`127.0.0.1:${silent.address().port}`]);
    try {
      const name = "_mongodb._tcp.cluster0.example.net";
      const lookups: (() => Promise<unknown>)[] = [
        () => nodeTransport.resolveSrv(name, AbortSignal.timeout(100)),
        () => nodeTransport.resolveTxt(name, AbortSignal.timeout(100)),
      ];
      for (const lookup of lookups) {
        await assert.rejects(settledWithin(2_000, "the lookup", lookup()), {
          code: "TIMEOUT",
          message: /resolving _mongodb\._tcp\.cluster0\.example\.net timed out/,
        });
      }
    } finally {
      dns.promises.setServers(servers);
      silent.close();
    }
  });

  it("cancels the abandoned query: the process can exit at once", async () => {
    // Killed after 10 s, well before node:dns would give up on its own.
    const { code, stdout } = await runScript("tests/support/silent-dns-lookup.ts", 10_000);
    assert.equal(stdout.trim(), "TIMEOUT");
    assert.equal(code, 0, "exited by itself");
  });

  it("rejects a refused port with CONNECTION_FAILED", async () => {
    await assert.rejects(
      nodeTransport.openSocket({ host: "127.0.0.1", port: 1, signal: AbortSignal.timeout(5000) }),
      { code: "CONNECTION_FAILED" },
    );
  });
});

function nodeEnvWith(vars: Record<string, string>) {
  const base = nodeEnv();
  return {
    ...base,
    getEnv: (name: string) => vars[name] ?? (name === "AWS_EC2_METADATA_DISABLED" ? "true" : undefined),
  };
}
