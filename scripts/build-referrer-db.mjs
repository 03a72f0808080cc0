#!/usr/bin/env node
// Compiles referer-parser's referers.yml plus sma's overlay into one compact
// JSON document, embedded as a string in generated/referrer-db.ts. The classifier imports that JSON, so a
// Lambda cold start or a CLI call never parses YAML (parsing the 3,400-line
// file with js-yaml costs tens of milliseconds).
//
// Skips the work when the output is newer than both inputs, so it is cheap to
// run before every test, type check and build.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as yaml from 'js-yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const basePath = join(dirname(require.resolve('referer-parser/package.json')), 'data', 'referers.yml');
const overlayPath = join(root, 'src', 'source', 'data', 'overlay.yml');
const outPath = join(root, 'generated', 'referrer-db.ts');

const CATEGORIES = ['search', 'social', 'email', 'video', 'shopping', 'ai', 'unknown'];
// When two networks claim the same source name, the earlier category keeps it:
// "google" is a search engine before it is a shopping site.
const SOURCE_PRIORITY = ['search', 'social', 'video', 'email', 'ai', 'shopping'];

function isFresh() {
  try {
    const out = statSync(outPath).mtimeMs;
    return (
      out > statSync(basePath).mtimeMs && out > statSync(overlayPath).mtimeMs && out > statSync(fileURLToPath(import.meta.url)).mtimeMs
    );
  } catch {
    return false;
  }
}

function defaultSlug(name) {
  return name.toLowerCase().replace(/!/g, '').trim().replace(/\s+/g, '-');
}

/** @returns {Map<string, {name: string, category: string, source: string, params: string[], domains: string[], aliases: string[]}>} */
function loadBase() {
  const doc = yaml.load(readFileSync(basePath, 'utf8'));
  const networks = new Map();
  for (const [category, entries] of Object.entries(doc)) {
    for (const [rawName, conf] of Object.entries(entries)) {
      const name = rawName.trim();
      networks.set(`${category}:${name}`, {
        name,
        category,
        source: defaultSlug(name),
        params: (conf.parameters ?? []).map((p) => String(p).toLowerCase()),
        domains: (conf.domains ?? []).map((d) => String(d).trim().toLowerCase()),
        extraDomains: [],
        aliases: [],
      });
    }
  }
  return networks;
}

function findKey(networks, category, name) {
  if (networks.has(`${category}:${name}`)) return `${category}:${name}`;
  const matches = [...networks.keys()].filter((k) => k.slice(k.indexOf(':') + 1) === name);
  if (matches.length > 1) throw new Error(`overlay.yml: "${name}" is ambiguous (${matches.join(', ')}); put it under the right medium`);
  return matches[0];
}

function applyOverlay(networks) {
  const doc = yaml.load(readFileSync(overlayPath, 'utf8'));
  for (const [category, entries] of Object.entries(doc)) {
    if (!CATEGORIES.includes(category)) throw new Error(`overlay.yml: unknown medium "${category}"`);
    for (const [name, conf] of Object.entries(entries ?? {})) {
      // Same medium and name first (Google is both "unknown" and "search" in the
      // old data); else the one network of that name in another medium, which
      // this entry moves (Rakuten from search to shopping).
      const oldKey = findKey(networks, category, conf.replaces ?? name);
      if (conf.replaces && !oldKey) throw new Error(`overlay.yml: ${name} replaces unknown network "${conf.replaces}"`);
      const base = oldKey ? networks.get(oldKey) : undefined;
      if (oldKey) networks.delete(oldKey);
      networks.set(`${category}:${name}`, {
        name,
        category,
        source: conf.source ?? base?.source ?? defaultSlug(name),
        params: conf.parameters ? conf.parameters.map((p) => String(p).toLowerCase()) : (base?.params ?? []),
        domains: base?.domains ?? [],
        extraDomains: [...(base?.extraDomains ?? []), ...(conf.domains ?? []).map((d) => String(d).trim().toLowerCase())],
        aliases: (conf.aliases ?? []).map((a) => String(a).toLowerCase()),
      });
    }
  }
}

function compile(networks) {
  const list = [...networks.values()];
  const hosts = {};
  // Old domains first, then the overlay's, so that where both name a host the
  // overlay wins.
  for (const key of ['domains', 'extraDomains']) {
    list.forEach((n, i) => {
      for (const domain of n[key]) {
        hosts[domain] = i;
        // The old data lists many engines as www.<host> only; a referrer
        // without "www." is the same site.
        if (domain.startsWith('www.')) hosts[domain.slice(4)] ??= i;
      }
    });
  }
  const sources = {};
  for (const category of SOURCE_PRIORITY) {
    for (const n of list) {
      if (n.category !== category) continue;
      // Dotted names (facebook.com) are found through the host table at run
      // time, so only the bare names go here.
      for (const s of [n.source, n.name.toLowerCase(), ...n.aliases]) sources[s] ??= category;
    }
  }
  return {
    // [name, source, category, search-term parameters]
    networks: list.map((n) => [n.name, n.source, n.category, n.params]),
    hosts,
    sources,
  };
}

if (isFresh() && !process.argv.includes('--force')) process.exit(0);
const networks = loadBase();
applyOverlay(networks);
const db = compile(networks);
mkdirSync(dirname(outPath), { recursive: true });
// A string for JSON.parse loads several times faster than the same data as a
// JavaScript object literal (V8's JSON parser is the fast path).
writeFileSync(
  outPath,
  `// Generated by scripts/build-referrer-db.mjs from referer-parser's referers.yml and src/source/data/overlay.yml. Do not edit.\n` +
    `export const REFERRER_DB_JSON = ${JSON.stringify(JSON.stringify(db))};\n`,
);
console.log(
  `referrer db: ${db.networks.length} networks, ${Object.keys(db.hosts).length} hosts, ${Object.keys(db.sources).length} source names -> ${outPath}`,
);
