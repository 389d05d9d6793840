// The test SOCKS5 proxy (socks5-proxy.ts) checked against the `socks` package, the SOCKS5 client the
// official driver uses: the proxy must answer a real client as RFC 1928 and RFC 1929 say, so that what
// our client's tests through it show holds for real proxies too.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { SocksClient } from "socks";
import { type RunningProxy, startSocks5Proxy } from "./socks5-proxy.ts";

describe("the test SOCKS5 proxy, to the socks package's client", () => {
  let echo: net.Server;
  let echoPort: number;
  let open: RunningProxy;
  let locked: RunningProxy;
  before(async () => {
    echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    echoPort = (echo.address() as net.AddressInfo).port;
    const map = { [`echo.invalid:7`]: `127.0.0.1:${echoPort}` };
    open = await startSocks5Proxy({ map });
    locked = await startSocks5Proxy({ map, auth: { username: "username", password: "p4ssw0rd" } });
  });
  after(() => Promise.all([open.close(), locked.close(), new Promise<void>((r) => echo.close(() => r()))]));

  async function roundTrip(
    proxy: RunningProxy,
    login?: { userId: string; password: string },
    host = "echo.invalid",
  ) {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: "127.0.0.1", port: proxy.port, type: 5, ...login },
      command: "connect",
      destination: { host, port: host === "echo.invalid" ? 7 : echoPort },
      timeout: 5000,
    });
    try {
      const reply = new Promise<string>((resolve) => socket.once("data", (chunk) => resolve(String(chunk))));
      socket.write("ping through the tunnel");
      return await reply;
    } finally {
      socket.destroy();
    }
  }

  it("tunnels to a mapped name, passed on as the client gave it", async () => {
    assert.equal(await roundTrip(open), "ping through the tunnel");
    assert.deepEqual(open.requests.at(-1), { addressType: 3, host: "echo.invalid", port: 7, methods: [0] });
  });

  it("tunnels to a loopback address given as an IPv4 address", async () => {
    assert.equal(await roundTrip(open, undefined, "127.0.0.1"), "ping through the tunnel");
    assert.equal(open.requests.at(-1)?.addressType, 1);
  });

  it("takes the right user name and password, refuses others and clients without any", async () => {
    assert.equal(
      await roundTrip(locked, { userId: "username", password: "p4ssw0rd" }),
      "ping through the tunnel",
    );
    assert.equal(locked.requests.at(-1)?.username, "username");
    await assert.rejects(roundTrip(locked, { userId: "username", password: "badauth" }));
    await assert.rejects(roundTrip(locked));
  });

  it("answers a CONNECT it cannot make with the RFC 1928 reply code", async () => {
    const refusing = await startSocks5Proxy({ reply: 5 });
    try {
      await assert.rejects(roundTrip(refusing), /Connection refused|Socks5 proxy rejected connection/i);
    } finally {
      await refusing.close();
    }
  });
});
