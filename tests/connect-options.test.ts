import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseConnectionString } from "@mongo-auth/core";
import { connectSettings } from "../src/connect-options.ts";

const settings = (uri: string, options = {}) => connectSettings(parseConnectionString(uri), options);

describe("connect options", () => {
  it("defaults: no TLS, 10 s to connect, 60 s per command", () => {
    assert.deepEqual(settings("mongodb://h/"), {
      tls: undefined,
      connectTimeoutMS: 10_000,
      socketTimeoutMS: 60_000,
      appName: undefined,
      srvServiceName: "mongodb",
      srvMaxHosts: 0,
      warnings: [],
    });
  });

  it("turns TLS on for mongodb+srv:// unless told otherwise", () => {
    assert.ok(settings("mongodb+srv://cluster0.example.net/").tls);
    assert.equal(settings("mongodb+srv://cluster0.example.net/?tls=false").tls, undefined);
  });

  it("reads TLS settings from the connection string, case-insensitively", () => {
    const tls = settings("mongodb://h/?TLS=true&tlsCAFile=%2Fca.pem&tlsAllowInvalidHostnames=true").tls!;
    assert.equal(tls.caFile, "/ca.pem");
    assert.equal(tls.allowInvalidHostnames, true);
    assert.equal(tls.allowInvalidCertificates, false);
  });

  it("lets options win over the connection string", () => {
    const s = settings("mongodb://h/?tls=false&connectTimeoutMS=5&appName=uri", {
      tls: true,
      connectTimeoutMS: 7,
      appName: "opt",
    });
    assert.ok(s.tls);
    assert.equal(s.connectTimeoutMS, 7);
    assert.equal(s.appName, "opt");
  });

  it("tlsInsecure means both unsafe flags", () => {
    const tls = settings("mongodb://h/?tls=true&tlsInsecure=true").tls!;
    assert.equal(tls.allowInvalidCertificates, true);
    assert.equal(tls.allowInvalidHostnames, true);
  });

  it("ssl is an alias of tls and must not contradict it", () => {
    assert.ok(settings("mongodb://h/?ssl=true").tls);
    assert.throws(() => settings("mongodb://h/?tls=true&ssl=false"), { code: "INVALID_OPTION" });
  });

  it("rejects values of the wrong shape in the options with INVALID_OPTION naming the option", () => {
    assert.throws(() => settings("mongodb://h/?tls=yes"), { code: "INVALID_OPTION", message: /tls/ });
    assert.throws(() => settings("mongodb://h/", { connectTimeoutMS: -1 }), {
      code: "INVALID_OPTION",
      message: /connectTimeoutMS/,
    });
    assert.throws(() => settings("mongodb://h/", { socketTimeoutMS: 1.5 }), { code: "INVALID_OPTION" });
    assert.throws(() => settings("mongodb://h/", { tlsCertificateKey: { cert: "x" } }), {
      code: "INVALID_OPTION",
    });
  });

  it("refuses TLS files while TLS is off instead of ignoring them", () => {
    assert.throws(() => settings("mongodb://h/?tlsCAFile=%2Fca.pem"), {
      code: "INVALID_OPTION",
      message: /tls=true/,
    });
  });
});
