// mongod's built-in roles as far as find, insert and drop need them: which role grants which action where, and
// the refusal a command without one gets on the wire (13 Unauthorized, mongod's words).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkAuthorized, isAuthorized } from "../authorization.ts";
import { CommandError } from "../errors.ts";

describe("reference server authorization (built-in roles)", () => {
  it("a database's roles grant on that database only: read finds, readWrite and dbOwner also insert and drop, dbAdmin drops", () => {
    const on = (role: string) => [{ role, db: "app" }];
    assert.equal(isAuthorized(on("read"), "app", "find"), true);
    assert.equal(isAuthorized(on("read"), "app", "insert"), false);
    assert.equal(isAuthorized(on("read"), "other", "find"), false);
    for (const role of ["readWrite", "dbOwner"]) {
      for (const action of ["find", "insert", "dropCollection"] as const) {
        assert.equal(isAuthorized(on(role), "app", action), true, `${role} ${action}`);
      }
    }
    assert.equal(isAuthorized(on("dbAdmin"), "app", "dropCollection"), true);
    assert.equal(isAuthorized(on("dbAdmin"), "app", "find"), false);
    assert.equal(isAuthorized([], "app", "find"), false, "no role, no action");
  });

  it("the AnyDatabase roles (on admin) grant everywhere but local and config; root and __system everywhere", () => {
    const admin = (role: string) => [{ role, db: "admin" }];
    assert.equal(isAuthorized(admin("readAnyDatabase"), "app", "find"), true);
    assert.equal(isAuthorized(admin("readAnyDatabase"), "app", "insert"), false);
    assert.equal(isAuthorized(admin("readWriteAnyDatabase"), "app", "insert"), true);
    assert.equal(isAuthorized(admin("readWriteAnyDatabase"), "local", "insert"), false);
    assert.equal(isAuthorized(admin("dbAdminAnyDatabase"), "app", "dropCollection"), true);
    assert.equal(isAuthorized([{ role: "readWriteAnyDatabase", db: "app" }], "app", "insert"), false);
    for (const role of ["root", "__system"]) assert.equal(isAuthorized(admin(role), "local", "insert"), true);
    assert.equal(isAuthorized([{ role: "root", db: "app" }], "app", "find"), false);
  });

  it("refuses with 13 and mongod's words, naming the database and the command", () => {
    assert.throws(
      () =>
        checkAuthorized([{ role: "read", db: "app" }], "app", "insert", { insert: "items", documents: [] }),
      (err: unknown) => {
        assert.ok(err instanceof CommandError);
        assert.equal(err.code, 13);
        assert.match(
          err.message,
          /^not authorized on app to execute command \{ insert: "items", \$db: "app" \}$/,
        );
        return true;
      },
    );
    checkAuthorized([{ role: "readWrite", db: "app" }], "app", "insert", { insert: "items" });
  });
});
