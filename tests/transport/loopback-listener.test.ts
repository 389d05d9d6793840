// The loopback listeners of the browser sign-in, on each runtime's own API (Deno.serve on Deno;
// node:http on Node, Bun, and Deno's Node compatibility): they serve the handler's page, free the port
// on close, and report a taken port as a coded error.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ListenLoopback } from "../../src/mechanisms/oidc/human/redirect-listener.ts";
import { listenLoopbackNode } from "../../src/transport/loopback-listener-node.ts";
import { listenError } from "../../src/transport/loopback-listener.ts";
import { stillListening } from "../support/human-sign-in.ts";
import { runtime } from "../support/transports.ts";

const listeners: [string, ListenLoopback][] = [["node:http", listenLoopbackNode]];
if (runtime === "deno") {
  const { listenLoopbackDeno } = await import("../../src/transport/loopback-listener-deno.ts");
  listeners.unshift(["Deno.serve", listenLoopbackDeno]);
}

for (const [name, listen] of listeners) {
  describe(`loopback listener (${name})`, () => {
    it("serves the handler's page on a free port, and frees it on close", async () => {
      const seen: string[] = [];
      const server = await listen({
        hostname: "127.0.0.1",
        port: 0,
        handle: (request) => {
          seen.push(`${request.method} ${request.url.pathname}${request.url.search}`);
          return { status: 201, html: "<p>hello</p>" };
        },
      });
      const url = `http://127.0.0.1:${server.port}/redirect?code=c&state=s`;
      const response = await fetch(url);
      assert.equal(response.status, 201);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html; charset=utf-8/);
      assert.equal(await response.text(), "<p>hello</p>");
      assert.deepEqual(seen, ["GET /redirect?code=c&state=s"]);
      await server.close();
      await server.close(); // twice is fine
      assert.equal(await stillListening(url), false);
    });

    it("a port in use: CREDENTIAL_PROVIDER_ERROR saying what to do", async () => {
      const first = await listen({
        hostname: "127.0.0.1",
        port: 0,
        handle: () => ({ status: 200, html: "" }),
      });
      try {
        await assert.rejects(
          listen({ hostname: "127.0.0.1", port: first.port, handle: () => ({ status: 200, html: "" }) }),
          (error: { code?: string; message: string }) => {
            assert.equal(error.code, "CREDENTIAL_PROVIDER_ERROR");
            assert.match(error.message, /port is in use.*redirectUri/);
            return true;
          },
        );
      } finally {
        await first.close();
      }
    });
  });
}

describe("listenError", () => {
  it("names the address it could not listen on, an IPv6 literal in brackets", () => {
    const handle = () => ({ status: 200, html: "" });
    const inUse = listenError({ hostname: "::1", port: 8080, handle }, { code: "EADDRINUSE" });
    assert.equal(inUse.code, "CREDENTIAL_PROVIDER_ERROR");
    assert.match(
      inUse.message,
      /^cannot listen on \[::1\]:8080 for the sign-in's redirect: the port is in use/,
    );
  });
});
