// hello's client metadata within the handshake specification's limits (src/client/handshake.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BSON } from "bson";
import {
  checkAppName,
  checkDriverInfo,
  clientDocumentOf,
  clientMetadata,
  executionEnvironment,
  type HostDescription,
  MAX_CLIENT_METADATA_BYTES,
} from "../../src/client/handshake.ts";
import { VERSION } from "../../src/core/version.ts";
import { hostWith, SPEC_ENVIRONMENTS } from "../support/handshake-environments.ts";

const utf8 = (text: string) => new TextEncoder().encode(text).length;

describe("checkAppName", () => {
  it("accepts up to 128 bytes of UTF-8", () => {
    checkAppName("a".repeat(128));
    checkAppName("é".repeat(64)); // two bytes each
  });

  it("refuses more with INVALID_OPTION, counting bytes rather than characters", () => {
    assert.throws(() => checkAppName("a".repeat(129)), {
      code: "INVALID_OPTION",
      message: /appName must be at most 128 bytes of UTF-8, this one has 129/,
    });
    assert.throws(() => checkAppName("é".repeat(65)), { code: "INVALID_OPTION", message: /has 130/ });
  });
});

describe("clientMetadata", () => {
  const runtime = { osType: "Linux", platform: "Node.js v22" };

  it("names the driver, the OS type, the platform and the application", () => {
    assert.deepEqual(clientMetadata(runtime, "billing"), {
      application: { name: "billing" },
      driver: { name: "mongo-auth", version: VERSION },
      os: { type: "Linux" },
      platform: "Node.js v22",
    });
    assert.equal(clientMetadata(runtime).application, undefined);
  });

  it("shortens a long platform so the document stays within 512 bytes, the application name intact", () => {
    const client = clientMetadata({ osType: "Linux", platform: "p".repeat(2000) }, "a".repeat(128));
    assert.equal(BSON.calculateObjectSize(client), MAX_CLIENT_METADATA_BYTES);
    assert.equal(client.application?.name, "a".repeat(128));
    assert.match(client.platform, /^p+$/);
  });

  it("never splits a character when it shortens", () => {
    const client = clientMetadata({ osType: "Linux", platform: "€".repeat(400) }, "a".repeat(127));
    assert.ok(BSON.calculateObjectSize(client) <= MAX_CLIENT_METADATA_BYTES);
    assert.ok(BSON.calculateObjectSize(client) > MAX_CLIENT_METADATA_BYTES - 3);
    assert.match(client.platform, /^€+$/);
    assert.equal(utf8(client.platform) % 3, 0);
  });

  it("shortens the OS type last, when the platform alone cannot make room", () => {
    const client = clientMetadata({ osType: "o".repeat(1000), platform: "p".repeat(1000) });
    assert.equal(client.platform, "");
    assert.ok(client.os.type.length > 0);
    assert.equal(BSON.calculateObjectSize(client), MAX_CLIENT_METADATA_BYTES);
  });
});

describe("clientMetadata: the host (os fields and client.env)", () => {
  const runtime = (host: HostDescription) => ({
    osType: "Linux",
    platform: "Node.js v22",
    describeHost: () => host,
  });

  for (const { name, vars, env } of SPEC_ENVIRONMENTS) {
    it(`spec prose test 1, ${name}`, () => {
      const client = clientMetadata(runtime(hostWith(vars)));
      assert.deepEqual(client.env, env);
      assert.ok(BSON.calculateObjectSize(client) <= MAX_CLIENT_METADATA_BYTES);
    });
  }

  it("sends the OS's name, architecture and version after its type", () => {
    assert.deepEqual(clientMetadata(runtime(hostWith({}))).os, {
      type: "Linux",
      name: "linux",
      architecture: "x86_64",
      version: "6.8.0",
    });
  });

  it("leaves env out when nothing is known, and says docker when /.dockerenv exists", () => {
    assert.equal("env" in clientMetadata(runtime(hostWith({}))), false);
    assert.deepEqual(clientMetadata(runtime(hostWith({}, true))).env, { container: { runtime: "docker" } });
    assert.deepEqual(clientMetadata(runtime(hostWith({ KUBERNETES_SERVICE_HOST: "10.0.0.1" }, true))).env, {
      container: { runtime: "docker", orchestrator: "kubernetes" },
    });
  });

  it("ignores a host description that throws or holds values of the wrong type: never an error", () => {
    const failing = [
      () => {
        throw new Error("no host");
      },
      () => null as unknown as HostDescription,
      () => ({
        os: { name: 7, architecture: "", version: { v: 1 } },
        getEnv: () => {
          throw new Error("no env");
        },
        dockerenv: "yes",
      } as unknown as HostDescription),
      () => ({
        getEnv: (name: string) => (name === "VERCEL" ? 1 : undefined),
        dockerenv: false,
      } as unknown as HostDescription),
    ];
    for (const describeHost of failing) {
      const client = clientMetadata({ osType: "Linux", platform: "Node.js v22", describeHost });
      assert.deepEqual(client.os, { type: "Linux" });
      assert.equal("env" in client, false);
    }
  });

  it("sends memory_mb and timeout_sec as BSON int32, and drops a value outside int32", () => {
    const client = clientMetadata(runtime(hostWith(SPEC_ENVIRONMENTS[2].vars)));
    const bytes = BSON.serialize(client);
    const raw = BSON.deserialize(bytes, { promoteValues: false }) as {
      env: Record<string, { _bsontype?: string }>;
    };
    assert.equal(raw.env.memory_mb._bsontype, "Int32");
    assert.equal(raw.env.timeout_sec._bsontype, "Int32");
    const huge = hostWith({ K_SERVICE: "s", FUNCTION_MEMORY_MB: "4294967296", FUNCTION_TIMEOUT_SEC: "1.5" });
    assert.deepEqual(clientMetadata(runtime(huge)).env, { name: "gcp.func" });
  });

  it("takes Vercel over AWS Lambda (Vercel runs on it), and a variable set empty as unset", () => {
    const both = hostWith({
      VERCEL: "1",
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs20.x",
      AWS_REGION: "us-east-1",
    });
    assert.deepEqual(executionEnvironment(both), { name: "vercel" });
    assert.deepEqual(executionEnvironment(hostWith({ AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001" })), {
      name: "aws.lambda",
    });
    assert.equal(executionEnvironment(hostWith({ FUNCTIONS_WORKER_RUNTIME: "", K_SERVICE: "" })), undefined);
  });

  it("makes room in the specification's order: env fields, os fields, env, platform", () => {
    const vars = { ...SPEC_ENVIRONMENTS[0].vars, KUBERNETES_SERVICE_HOST: "1" };
    const withRoom = (platform: string, appName?: string) =>
      clientMetadata({ osType: "Linux", platform, describeHost: () => hostWith(vars, true) }, appName);
    const full = withRoom("p");
    assert.deepEqual(Object.keys(full.env!), ["name", "region", "memory_mb", "container"]);
    // What each step frees, in bytes, and a platform that makes the document `over` bytes too long.
    const size = (doc: object) => BSON.calculateObjectSize(doc);
    const envExtras = size(full) - size({ ...full, env: { name: "aws.lambda" } });
    const osExtras = size(full.os) - size({ type: "Linux" });
    const envName = size({ env: { name: "aws.lambda" } }) - size({});
    const over = (bytes: number) => "p".repeat(1 + MAX_CLIENT_METADATA_BYTES - size(full) + bytes);
    // 1. Only env.name is left.
    const step1 = withRoom(over(envExtras));
    assert.deepEqual(step1.env, { name: "aws.lambda" });
    assert.equal(step1.os.architecture, "x86_64");
    // 2. Then only os.type.
    const step2 = withRoom(over(envExtras + 1));
    assert.deepEqual(step2.os, { type: "Linux" });
    assert.deepEqual(step2.env, { name: "aws.lambda" });
    // 3. Then no env.
    const step3 = withRoom(over(envExtras + osExtras + 1));
    assert.equal(step3.env, undefined);
    assert.equal(step3.platform, over(envExtras + osExtras + 1));
    // 4. Then the platform is shortened.
    const step4 = withRoom(over(envExtras + osExtras + envName + 1));
    assert.equal(step4.env, undefined);
    assert.equal(step4.platform, over(envExtras + osExtras + envName));
    for (const client of [step1, step2, step3, step4]) {
      assert.ok(BSON.calculateObjectSize(client) <= MAX_CLIENT_METADATA_BYTES);
    }
  });
});

describe("clientMetadata: libraries that wrap mongo-auth (driverInfo)", () => {
  const runtime = { osType: "Linux", platform: "Node.js v22" };

  it("appends each library to driver.name, driver.version and platform with |, a missing field left alone", () => {
    const client = clientMetadata(runtime, undefined, [
      { name: "library", version: "1.2", platform: "Library Platform" },
      { name: "framework", platform: "Framework Platform" },
    ]);
    assert.deepEqual(client.driver, { name: "mongo-auth|library|framework", version: `${VERSION}|1.2` });
    assert.equal(client.platform, "Node.js v22|Library Platform|Framework Platform");
  });

  it("refuses libraries whose names and versions alone pass 512 bytes with INVALID_OPTION", () => {
    assert.throws(
      () => clientMetadata(runtime, undefined, [{ name: "n".repeat(300), version: "v".repeat(200) }]),
      {
        code: "INVALID_OPTION",
        message: /option driverInfo makes hello's client metadata \d+ bytes longer than the 512/,
      },
    );
  });

  it("builds one frozen document per runtime, appName and driverInfo", () => {
    const info = [{ name: "library" }];
    const a = clientDocumentOf(runtime, "app", info);
    assert.equal(clientDocumentOf(runtime, "app", [{ name: "library" }]), a);
    assert.notEqual(clientDocumentOf(runtime, "app"), a);
    assert.ok(Object.isFrozen(a.driver));
  });
});

describe("checkDriverInfo", () => {
  it("takes one library or a list, and keeps each library once (spec tests 3 and 4: a repeat appends nothing)", () => {
    assert.deepEqual(checkDriverInfo({ name: "library", version: "1.2" }), [{
      name: "library",
      version: "1.2",
    }]);
    const same = { name: "library", version: "1.2", platform: "Library Platform" };
    assert.deepEqual(checkDriverInfo([same, { ...same }, { ...same, version: "2.0" }]), [
      same,
      { ...same, version: "2.0" },
    ]);
  });

  it("refuses a | in any field, a missing name, an empty or non-string field, with INVALID_OPTION", () => {
    const cases: [unknown, RegExp][] = [
      [{ name: "a|b" }, /option driverInfo.name must not contain "\|"/],
      [[{ name: "ok" }, { name: "ok", platform: "x|y" }], /option driverInfo\[1\].platform must not contain/],
      [{ version: "1" }, /option driverInfo.name must be a non-empty string, got undefined/],
      [{ name: "" }, /driverInfo.name must be a non-empty string, got an empty string/],
      [{ name: "x", version: 2 }, /driverInfo.version must be a non-empty string, got a number/],
      ["library", /option driverInfo must be \{ name, version\?, platform\? \}, got a string/],
      [[null], /option driverInfo\[0\] must be/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => checkDriverInfo(value), { code: "INVALID_OPTION", message });
    }
  });
});
