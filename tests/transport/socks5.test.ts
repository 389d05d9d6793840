// The SOCKS5 client handshake (RFC 1928, RFC 1929) byte for byte against a scripted proxy: what it offers
// and sends, how it reads replies however TCP splits them, and what each refusal says.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError } from "@mongo-auth/core";
import { socks5Handshake, unreachableProxy } from "../../src/transport/socks5.ts";
import type { ProxySettings } from "../../src/client/transport.ts";

const PROXY: ProxySettings = { host: "proxy.example", port: 1080 };
const WITH_LOGIN: ProxySettings = { ...PROXY, username: "app", password: "s3cret-pw" };
const SUCCEEDED = [5, 0, 0, 1, 10, 0, 0, 7, 0x04, 0x38]; // bound to 10.0.0.7:1080

/** Runs the handshake against replies given as chunks; returns what the client wrote, one array per write. */
async function run(
  replies: (number[] | Error | null)[],
  proxy = PROXY,
  target = { host: "db.example.net", port: 27017 },
): Promise<number[][]> {
  const written: number[][] = [];
  await socks5Handshake(
    {
      write: (bytes) => void written.push([...bytes]),
      read: () => {
        const next = replies.shift();
        if (next instanceof Error) return Promise.reject(next);
        return Promise.resolve(next === undefined || next === null ? null : Uint8Array.from(next));
      },
    },
    proxy,
    target,
  );
  return written;
}

async function refusal(promise: Promise<unknown>): Promise<MongoAuthError> {
  const err = await promise.then(() => assert.fail("expected a refusal"), (e: unknown) => e);
  assert.ok(err instanceof MongoAuthError, String(err));
  return err;
}

const hostBytes = (name: string) => [...new TextEncoder().encode(name)];

describe("socks5Handshake", () => {
  it("offers no authentication, then asks for the host name as given (never resolved here)", async () => {
    const written = await run([[5, 0], SUCCEEDED]);
    assert.deepEqual(written, [
      [5, 1, 0],
      [5, 1, 0, 3, 14, ...hostBytes("db.example.net"), 0x69, 0x89],
    ]);
  });

  it("with a user name and password offers both methods, and sends them as RFC 1929 says", async () => {
    const written = await run([[5, 2], [1, 0], SUCCEEDED], WITH_LOGIN);
    assert.deepEqual(written.slice(0, 2), [
      [5, 2, 0, 2],
      [1, 3, ...hostBytes("app"), 9, ...hostBytes("s3cret-pw")],
    ]);
    const chosenNone = await run([[5, 0], SUCCEEDED], WITH_LOGIN);
    assert.equal(chosenNone.length, 2, "a proxy that wants no authentication gets no credentials");
  });

  it("asks for IP literals by address: IPv4, IPv6, IPv4-mapped IPv6", async () => {
    const request = async (host: string) => (await run([[5, 0], SUCCEEDED], PROXY, { host, port: 1 }))[1];
    assert.deepEqual(await request("10.1.2.3"), [5, 1, 0, 1, 10, 1, 2, 3, 0, 1]);
    assert.deepEqual(await request("::1"), [5, 1, 0, 4, ...Array(15).fill(0), 1, 0, 1]);
    assert.deepEqual(await request("fe80::1:2"), [
      5,
      1,
      0,
      4,
      0xfe,
      0x80,
      ...Array(10).fill(0),
      0,
      1,
      0,
      2,
      0,
      1,
    ]);
    assert.deepEqual(
      await request("::ffff:192.0.2.1"),
      [5, 1, 0, 4, ...Array(10).fill(0), 0xff, 0xff, 192, 0, 2, 1, 0, 1],
    );
    assert.deepEqual((await request("999.1.1.1")).slice(3, 5), [3, 9], "not an address: a name");
  });

  it("reads replies however they arrive: byte by byte, or joined, with any bound address type", async () => {
    await run([[5], [0], ...SUCCEEDED.map((b) => [b])]);
    await run([[5, 0, ...SUCCEEDED]]);
    await run([[5, 0], [5, 0, 0, 3, 4, ...hostBytes("host"), 0, 80]]);
    await run([[5, 0], [5, 0, 0, 4, ...Array(16).fill(0), 0, 80]]);
  });

  it("says which: wants authentication, refused credentials (never the password), no acceptable method", async () => {
    const wants = await refusal(run([[5, 0xff]]));
    assert.equal(wants.code, "CONNECTION_FAILED");
    assert.equal(
      wants.message,
      "SOCKS5 proxy proxy.example:1080 wants authentication: give proxyUsername and proxyPassword",
    );
    const refused = await refusal(run([[5, 2], [1, 1]], WITH_LOGIN));
    assert.equal(
      refused.message,
      'SOCKS5 proxy proxy.example:1080 refused proxyUsername "app" and its password: check proxyUsername and ' +
        "proxyPassword",
    );
    assert.doesNotMatch(refused.message, /s3cret/);
    assert.match((await refusal(run([[5, 0xff]], WITH_LOGIN))).message, /accepts neither no authentication/);
    assert.match(
      (await refusal(run([[5, 2]]))).message,
      /chose authentication method 2, which was not offered/,
    );
  });

  it("names the proxy's reason it could not connect to the server, from RFC 1928's table", async () => {
    const reasons: [number, string][] = [
      [1, "general SOCKS server failure"],
      [2, "connection not allowed by its rules"],
      [
        4,
        "host unreachable",
      ],
      [5, "connection refused"],
      [9, "reply 9"],
    ];
    for (const [code, words] of reasons) {
      const err = await refusal(run([[5, 0], [5, code, 0, 1, 0, 0, 0, 0, 0, 0]]));
      assert.equal(err.code, "CONNECTION_FAILED");
      assert.equal(
        err.message,
        `SOCKS5 proxy proxy.example:1080 could not connect to db.example.net:27017: ${words} (SOCKS5 reply ` +
          `${code}); check the host and port, and that the proxy may reach them`,
      );
    }
  });

  it("refuses what is not SOCKS5: an HTTP proxy's answer, a short close, bytes after the reply", async () => {
    const http = await refusal(run([hostBytes("HTTP/1.1 400 Bad Request\r\n")]));
    assert.match(
      http.message,
      /does not speak SOCKS5 \(its reply starts with byte 72\): .*not an HTTP proxy/,
    );
    const closed = await refusal(run([[5]]));
    assert.match(
      closed.message,
      /closed the connection during the SOCKS5 handshake: check proxyHost and proxyPort/,
    );
    const extra = await refusal(run([[5, 0], [...SUCCEEDED, 1]]));
    assert.match(extra.message, /sent bytes after its reply/);
    assert.match((await refusal(run([[5, 0], [5, 0, 0, 9]]))).message, /address type 9/);
  });

  it("a proxy that cannot be reached is CONNECTION_FAILED with the runtime's reason", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:1080"), { code: "ECONNREFUSED" });
    const err = await refusal(run([refused]));
    assert.equal(err.code, "CONNECTION_FAILED");
    assert.match(
      err.message,
      /^SOCKS5 proxy \(proxyHost, proxyPort\): cannot connect to proxy\.example:1080: connection refused/,
    );
    assert.equal(err.cause, refused);
    assert.equal(unreachableProxy(err, PROXY), err, "a MongoAuthError is passed on");
  });

  it("refuses a user name, password or host longer than SOCKS5 carries, before writing anything", async () => {
    const long = "x".repeat(256);
    for (const proxy of [{ ...WITH_LOGIN, username: long }, { ...WITH_LOGIN, password: long }]) {
      const err = await refusal(run([], proxy));
      assert.equal(err.code, "INVALID_OPTION");
      assert.match(err.message, /longer than the 255 bytes a SOCKS5 proxy takes/);
      assert.doesNotMatch(err.message, /xxxx/);
    }
    const host = await refusal(run([], PROXY, { host: `${"a".repeat(250)}.example`, port: 1 }));
    assert.equal(host.code, "INVALID_OPTION");
  });
});
