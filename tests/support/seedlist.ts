// The Initial DNS Seedlist Discovery test setup: the DNS zone the spec's README lists (test1 … test24 under
// test.build.10gen.cc), served by our loopback DNS servers; the case files; and the comparison.
//
// What each field of a case asserts here (the spec README, "Test Format and Use"):
// - error: planning rejects with INVALID_URI, INVALID_OPTION or DNS_ERROR, before any socket.
// - seeds: the set of host:port the SRV records gave, after srvMaxHosts.
// - numSeeds: the size of that set; with srvMaxHosts below the SRV count the hosts are random, so each
//   one must also be among the SRV records' targets.
// - options: each value as connect() uses it (a TXT record's authSource/replicaSet/loadBalanced under the
//   URI's; ssl is the TLS decision, on by default for mongodb+srv).
// - parsed_options: user, password, and db/auth_database/defaultDatabase (the database in the path).
// - ping (not in workerd): connect() to the seeds, over TLS unless the case turns it off, and run ping,
//   against the deployment of the README's "Test Setup" (tests/spec/seedlist.test.ts).
// - hosts, numHosts (with ping): the hosts of the topology connect() discovered (Connection.topology):
//   the replica set's members as they name themselves, or the mongoses / load balancer given.
// - load-balanced cases (with ping): the connection is on a load balancer, with the serviceId its hello
//   gave (the mongos behind it refuses a hello without loadBalanced: true).
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import type { DohZone } from "../e2e/workerd/doh-server.ts";
import { readSpec, specPath } from "./paths.ts";
import type { SeedlistCase, SeedlistView } from "./seedlist-view.ts";
import { optionNamed } from "./uri-spec.ts";

const DOMAIN = "test.build.10gen.cc";
const LOCALHOST = `localhost.${DOMAIN}`;

function srv(name: string, ...targets: [port: number, target?: string][]) {
  return [name, targets.map(([port, target = LOCALHOST]) => ({ target, port }))] as const;
}

/** The README's records ("Test Setup"), with its domain; A records are not needed (sockets are mapped). */
export const SEEDLIST_ZONE: DohZone = {
  srv: Object.fromEntries([
    srv(`_mongodb._tcp.test1.${DOMAIN}`, [27017], [27018]),
    srv(`_mongodb._tcp.test2.${DOMAIN}`, [27018], [27019]),
    srv(`_mongodb._tcp.test3.${DOMAIN}`, [27017]),
    srv(`_mongodb._tcp.test5.${DOMAIN}`, [27017]),
    srv(`_mongodb._tcp.test6.${DOMAIN}`, [27017]),
    srv(`_mongodb._tcp.test7.${DOMAIN}`, [27017]),
    srv(`_mongodb._tcp.test8.${DOMAIN}`, [27017]),
    srv(`_mongodb._tcp.test10.${DOMAIN}`, [27017]),
    srv(`_mongodb._tcp.test11.${DOMAIN}`, [27017]),
    srv(`_mongodb._tcp.test12.${DOMAIN}`, [27017, "localhost.build.10gen.cc"]),
    srv(`_mongodb._tcp.test13.${DOMAIN}`, [27017, "test.build.10gen.cc"]),
    srv(`_mongodb._tcp.test14.${DOMAIN}`, [27017, "localhost.not-test.build.10gen.cc"]),
    srv(`_mongodb._tcp.test15.${DOMAIN}`, [27017, "localhost.test.not-build.10gen.cc"]),
    srv(`_mongodb._tcp.test16.${DOMAIN}`, [27017, "localhost.test.build.not-10gen.cc"]),
    srv(`_mongodb._tcp.test17.${DOMAIN}`, [27017, "localhost.test.build.10gen.not-cc"]),
    srv(`_mongodb._tcp.test18.${DOMAIN}`, [27017, `localhost.sub.${DOMAIN}`]),
    srv(`_mongodb._tcp.test19.${DOMAIN}`, [27017, "localhost.evil.build.10gen.cc"], [27017]),
    srv(`_mongodb._tcp.test20.${DOMAIN}`, [27017]),
    srv(`_mongodb._tcp.test21.${DOMAIN}`, [27017]),
    // The README lists one record for test22; srv-service-name.json expects the two the real zone has.
    srv(`_customname._tcp.test22.${DOMAIN}`, [27017], [27018]),
    srv(`_mongodb._tcp.test23.${DOMAIN}`, [8000]),
    srv(`_mongodb._tcp.test24.${DOMAIN}`, [8000]),
  ]),
  txt: {
    [`test5.${DOMAIN}`]: [["replicaSet=repl0&authSource=thisDB"]],
    [`test6.${DOMAIN}`]: [["replicaSet=repl0"], ["authSource=otherDB"]],
    [`test7.${DOMAIN}`]: [["ssl=false"]],
    [`test8.${DOMAIN}`]: [["authSource"]],
    [`test10.${DOMAIN}`]: [["socketTimeoutMS=500"]],
    [`test11.${DOMAIN}`]: [["replicaS", "et=rep", "l0"]],
    [`test20.${DOMAIN}`]: [["loadBalanced=true"]],
    [`test21.${DOMAIN}`]: [["loadBalanced=false"]],
    [`test24.${DOMAIN}`]: [["loadBalanced=true"]],
  },
};

/** Whether a host is one of the zone's (its sockets go to the reference servers on loopback). */
export function inSeedlistZone(host: string): boolean {
  return host.endsWith(`.${DOMAIN}`);
}

/**
 * host:port of every SRV record of a case's name (any service), for the random srvMaxHosts picks.
 * @param uri the case's `mongodb+srv://` string
 * @returns the targets
 */
export function srvTargetsOf(uri: string): string[] {
  const name = (/^mongodb\+srv:\/\/(?:[^@/]*@)?([^/?:,]+)/.exec(uri)?.[1] ?? "").toLowerCase();
  return Object.entries(SEEDLIST_ZONE.srv ?? {})
    .filter(([owner]) => owner.endsWith(`._tcp.${name}`))
    .flatMap(([, records]) => records.map((r) => `${r.target}:${r.port}`));
}

/** Every case of the three folders, by `folder/file`. */
export function readSeedlistCases(): { name: string; test: SeedlistCase }[] {
  return ["replica-set", "load-balanced", "sharded"].flatMap((folder) =>
    readdirSync(specPath(`initial-dns-seedlist-discovery/${folder}`))
      .filter((file) => file.endsWith(".json"))
      .sort()
      .map((file) => ({
        name: `${folder}/${file}`,
        test: readSpec<SeedlistCase>(`initial-dns-seedlist-discovery/${folder}/${file}`),
      }))
  );
}

const PARSED_OPTIONS: Record<string, keyof SeedlistView> = {
  user: "user",
  password: "password",
  db: "database",
  auth_database: "database",
  defaultDatabase: "database",
};

/**
 * Asserts what the case says about the view (see the list at the top of this file).
 * @param test the case
 * @param view what planning gave
 * @param srvTargets host:port of every SRV record of the case's name, for numSeeds
 */
export function checkSeedlistCase(
  test: SeedlistCase,
  view: SeedlistView,
  srvTargets: readonly string[],
): void {
  if (test.error) {
    assert.ok(view.error !== undefined, `expected an error (${test.comment}), got ${JSON.stringify(view)}`);
    assert.ok(
      ["INVALID_URI", "INVALID_OPTION", "DNS_ERROR"].includes(view.error.code ?? ""),
      `${view.error.name} ${view.error.code}: ${view.error.message}`,
    );
    return;
  }
  assert.equal(view.error, undefined, JSON.stringify(view.error));
  const hosts = view.hosts!;
  if (test.seeds !== undefined) assert.deepEqual([...hosts].sort(), [...test.seeds].sort());
  if (test.numSeeds !== undefined) {
    assert.equal(hosts.length, test.numSeeds);
    assert.equal(new Set(hosts).size, hosts.length);
    for (const host of hosts) assert.ok(srvTargets.includes(host), `${host} is not an SRV target`);
  }
  for (const [name, expected] of Object.entries(test.options ?? {})) {
    const actual = name === "ssl" ? view.options!.tls : optionNamed(view.options!, name);
    assert.deepEqual(actual, expected, `option ${name}`);
  }
  for (const [name, expected] of Object.entries(test.parsed_options ?? {})) {
    assert.ok(name in PARSED_OPTIONS, `parsed_options.${name} is not one this runner knows`);
    assert.equal(view[PARSED_OPTIONS[name]], expected, `parsed_options.${name}`);
  }
}
