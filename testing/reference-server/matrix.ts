// The login matrix every outside client runs against the reference server (driver.test.ts for the Node
// driver, pymongo.test.ts for pymongo): the users, and the auth spec's SASLprep prose cases.
import type { UserConfig } from "./config.ts";

export const BOTH_SCRAM = ["SCRAM-SHA-1", "SCRAM-SHA-256"];

export const MATRIX_USERS: UserConfig[] = [
  { db: "admin", user: "alice", password: "alice-pw", mechanisms: BOTH_SCRAM },
  { db: "app", user: "sha1only", password: "old-pw", mechanisms: ["SCRAM-SHA-1"] },
  { db: "admin", user: "a=b,c", password: "odd-pw", mechanisms: BOTH_SCRAM },
  // The auth spec's SASLprep prose test users.
  { db: "admin", user: "IX", password: "IX", mechanisms: BOTH_SCRAM },
  { db: "admin", user: "\u2168", password: "\u2163", mechanisms: ["SCRAM-SHA-256"] },
];

/** [user, password] pairs that must log in with SCRAM-SHA-256 once the password is SASLprepped. */
export const SASLPREP_LOGINS: ReadonlyArray<readonly [string, string]> = [
  ["IX", "IX"],
  ["IX", "I\u00ADX"],
  ["\u2168", "IV"],
  ["\u2168", "I\u00ADV"],
];
