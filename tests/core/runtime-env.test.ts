// The environment the core reads instead of the runtime's globals: runtimeEnv() builds one from what it
// is given and sees nothing it was not given; envScope() names an environment for the caches, so that
// credentials fetched through one environment are never served to another, while every runtime default
// shares one scope.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  asRuntimeDefault,
  denoRefusedVariables,
  envScope,
  type FetchLike,
  isRuntimeEnv,
  runtimeEnv,
} from "../../src/core/runtime-env.ts";

describe("runtimeEnv", () => {
  it("given nothing, sees no variable, no file and no home directory, whatever the process has", () => {
    const env = runtimeEnv();
    for (const name of ["PATH", "HOME", "AWS_ACCESS_KEY_ID"]) assert.equal(env.getEnv(name), undefined, name);
    assert.equal(env.readTextFile, undefined);
    assert.equal(env.homeDir, undefined);
    assert.equal(env.envRestriction, undefined);
  });

  it("reads variables only from the record it is given", () => {
    const env = runtimeEnv({ env: { AWS_REGION: "eu-west-1", EMPTY: "" } });
    assert.equal(env.getEnv("AWS_REGION"), "eu-west-1");
    assert.equal(env.getEnv("EMPTY"), "");
    assert.equal(env.getEnv("aws_region"), undefined, "names are case-sensitive");
    assert.equal(env.getEnv("PATH"), undefined);
  });

  it("takes the home directory from homeDir, else HOME, else USERPROFILE", () => {
    assert.equal(runtimeEnv({ env: { HOME: "/home/a", USERPROFILE: "C:\\Users\\a" } }).homeDir, "/home/a");
    assert.equal(runtimeEnv({ env: { USERPROFILE: "C:\\Users\\a" } }).homeDir, "C:\\Users\\a");
    assert.equal(runtimeEnv({ env: { HOME: "/home/a" }, homeDir: "/srv/app" }).homeDir, "/srv/app");
  });

  it("uses the file reader, fetch, clock, command runner and restriction it is given, and runs no commands unless given one", async () => {
    const fetchGiven: FetchLike = () => Promise.resolve(new Response("given"));
    const runCommand = () => Promise.resolve({ exitCode: 0, stdout: "", stderr: "" });
    const env = runtimeEnv({
      readTextFile: (path) => Promise.resolve(`contents of ${path}`),
      fetch: fetchGiven,
      now: () => 42,
      runCommand,
      envRestriction: "Deno refused to show the environment variable HOME",
    });
    assert.equal(env.runCommand, runCommand);
    assert.equal(runtimeEnv().runCommand, undefined);
    assert.equal(await env.readTextFile!("/token"), "contents of /token");
    assert.equal(env.fetch, fetchGiven);
    assert.equal(env.now(), 42);
    assert.equal(env.envRestriction, "Deno refused to show the environment variable HOME");
  });

  it("by default calls the global fetch as it is at the time of the call, and reads Date.now", async () => {
    const env = runtimeEnv();
    const original = globalThis.fetch;
    const asked: string[] = [];
    globalThis.fetch = ((input: string | URL | Request) => {
      asked.push(String(input));
      return Promise.resolve(new Response("replaced"));
    }) as typeof fetch;
    try {
      const response = await env.fetch("http://127.0.0.1:9/never-reached");
      assert.equal(await response.text(), "replaced");
      assert.deepEqual(asked, ["http://127.0.0.1:9/never-reached"]);
    } finally {
      globalThis.fetch = original;
    }
    const before = Date.now();
    const now = env.now();
    assert.ok(now >= before && now <= Date.now());
  });
});

describe("denoRefusedVariables", () => {
  it("names the variables Deno refused and the three ways out", () => {
    const message = denoRefusedVariables(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) ?? "";
    assert.match(
      message,
      /^Deno refused to show the environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY /,
    );
    assert.match(
      message,
      /\(no --allow-env for them\): run deno with --allow-env, or list them \(--allow-env=NAME,…\)/,
    );
    assert.match(message, /runtimeEnv\(\{ env:/);
  });

  it("speaks of one variable as one", () => {
    assert.match(
      denoRefusedVariables(new Set(["HOME"])) ?? "",
      /^Deno refused to show the environment variable HOME \(no --allow-env for it\): .* list it /,
    );
  });

  it("says nothing when Deno refused nothing", () => {
    assert.equal(denoRefusedVariables([]), undefined);
  });
});

describe("envScope / asRuntimeDefault", () => {
  it("names each environment object for good, and two objects apart even when their contents match", () => {
    const a = runtimeEnv({ env: { HOME: "/home/a" } });
    const b = runtimeEnv({ env: { HOME: "/home/a" } });
    assert.match(envScope(a), /^env#\d+$/);
    assert.equal(envScope(a), envScope(a));
    assert.notEqual(envScope(a), envScope(b));
  });

  it("gives every runtime default one shared scope, and returns the environment it marks", () => {
    const first = runtimeEnv();
    const second = runtimeEnv();
    assert.equal(asRuntimeDefault(first), first);
    asRuntimeDefault(second);
    assert.equal(envScope(first), "env:runtime");
    assert.equal(envScope(second), "env:runtime");
    assert.notEqual(envScope(runtimeEnv()), "env:runtime", "an environment not marked keeps its own scope");
  });
});

describe("runtimeEnv() and isRuntimeEnv(): what an env is", () => {
  it("builds one from no options, and refuses options of the wrong type", () => {
    assert.equal(runtimeEnv(null as never).getEnv("HOME"), undefined);
    assert.throws(() => runtimeEnv({ env: "HOME=/root" } as never), {
      code: "INVALID_OPTION",
      message: "option env of runtimeEnv() must be an object, got a string",
    });
    assert.throws(() => runtimeEnv({ runCommand: "/bin/sh" } as never), {
      code: "INVALID_OPTION",
      message: "option runCommand of runtimeEnv() must be a function, got a string",
    });
    assert.throws(() => runtimeEnv({ fetch: "https://proxy" } as never), {
      code: "INVALID_OPTION",
      message: "option fetch of runtimeEnv() must be a function, got a string",
    });
  });

  it("isRuntimeEnv: getEnv, fetch and now are functions, readTextFile and runCommand too when there", () => {
    assert.equal(isRuntimeEnv(runtimeEnv()), true);
    assert.equal(isRuntimeEnv({ HOME: "/root" }), false);
    assert.equal(isRuntimeEnv({ ...runtimeEnv(), readTextFile: "/etc" }), false);
    assert.equal(isRuntimeEnv({ ...runtimeEnv(), runCommand: "sh" }), false);
    assert.equal(isRuntimeEnv(null), false);
  });
});
