/**
 * The INI dialect of `~/.aws/credentials` and `~/.aws/config`: `[section]` headers, `key = value`
 * lines, `#` and `;` comments. Indented lines (nested `s3 =` blocks) belong to the key above and
 * are skipped: no credential setting uses them.
 *
 * @module
 */

/** Sections by name, each a map of lower-cased keys to values. */
export type IniSections = Map<string, Map<string, string>>;

/**
 * Parses the text of an AWS shared file.
 *
 * @param text the file's contents
 * @returns its sections; keys before the first header are dropped
 */
export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(raw)) continue;
    if (/^\s/.test(raw)) continue; // a nested sub-property line
    const line = raw.trim();
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      const name = header[1].trim().replace(/\s+/g, " ");
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf("=");
    if (!current || eq < 1) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).replace(/\s[#;].*$/, "").trim();
    current.set(key, value);
  }
  return sections;
}
