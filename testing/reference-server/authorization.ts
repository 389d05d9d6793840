// Whether the authenticated user may run a command here: mongod's built-in roles (auth/builtin_roles.cpp), as
// far as this server's commands need them. find needs the `find` action on the collection, insert `insert`,
// drop `dropCollection` (find_cmd.cpp, write_commands.cpp, drop_cmd.cpp); a role on a database grants on that
// database, the AnyDatabase roles (defined on admin) on every database but local and config, root and
// __system everywhere. A refusal is mongod's 13 Unauthorized, "not authorized on <db> to execute command …".
import type { RoleName } from "./config.ts";
import { CommandError } from "./errors.ts";
import type { Document } from "./wire.ts";

/** The actions this server's commands need. */
export type Action = "find" | "insert" | "dropCollection";

const READ: readonly Action[] = ["find"];
const READ_WRITE: readonly Action[] = ["find", "insert", "dropCollection"];

/** Roles that grant on the database they are defined on. */
const DATABASE_ROLES: Readonly<Record<string, readonly Action[]>> = {
  read: READ,
  readWrite: READ_WRITE,
  dbAdmin: ["dropCollection"],
  dbOwner: READ_WRITE,
};

/** Roles defined on admin that grant on every database but local and config. */
const ANY_DATABASE_ROLES: Readonly<Record<string, readonly Action[]>> = {
  readAnyDatabase: READ,
  readWriteAnyDatabase: READ_WRITE,
  dbAdminAnyDatabase: ["dropCollection"],
};

/** Roles defined on admin that grant everywhere. */
const SUPERUSER_ROLES: ReadonlySet<string> = new Set(["root", "__system"]);

/**
 * Whether roles allow an action on a database.
 *
 * @param roles the user's roles
 * @param db the command's database
 * @param action the action the command needs
 * @returns true when one of the roles grants it there
 */
export function isAuthorized(roles: readonly RoleName[], db: string, action: Action): boolean {
  return roles.some(({ role, db: roleDb }) => {
    if (roleDb === db && DATABASE_ROLES[role]?.includes(action)) return true;
    if (roleDb !== "admin") return false;
    if (SUPERUSER_ROLES.has(role)) return true;
    return db !== "local" && db !== "config" && (ANY_DATABASE_ROLES[role]?.includes(action) ?? false);
  });
}

/**
 * Refuses a command the user's roles do not allow, as mongod does.
 *
 * @param roles the authenticated user's roles
 * @param db the command's database
 * @param action the action it needs
 * @param cmd the command, for the message (its first field and `$db`, as mongod's redacted form begins)
 * @throws CommandError 13 Unauthorized
 */
export function checkAuthorized(roles: readonly RoleName[], db: string, action: Action, cmd: Document): void {
  if (isAuthorized(roles, db, action)) return;
  const [name] = Object.keys(cmd);
  throw new CommandError(
    13,
    `not authorized on ${db} to execute command { ${name}: ${JSON.stringify(cmd[name])}, $db: "${db}" }`,
  );
}
