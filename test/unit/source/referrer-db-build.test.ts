import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'build-referrer-db.mjs');

interface Built {
  header: string;
  networks: [string, string, string, string[], number?][];
  hosts: Record<string, number>;
}

/** Runs the build script into a temporary file, as `npm run build:data` would into generated/. */
function build(dir: string, mode: string | undefined, name: string): { status: number | null; stderr: string; db?: Built } {
  const out = join(dir, name);
  const env = { ...process.env };
  if (mode === undefined) delete env.SMA_REFERRER_DB;
  else env.SMA_REFERRER_DB = mode;
  const run = spawnSync(process.execPath, [SCRIPT, '--out', out], { env, encoding: 'utf8' });
  if (run.status !== 0) return { status: run.status, stderr: run.stderr };
  const text = readFileSync(out, 'utf8');
  const json = /REFERRER_DB_JSON = (".*");/.exec(text)?.[1];
  const parsed = JSON.parse(JSON.parse(json ?? '""') as string) as Omit<Built, 'header'>;
  return { status: run.status, stderr: run.stderr, db: { ...parsed, header: text.split('\n')[0] ?? '' } };
}

function networkOf(db: Built, host: string): string | undefined {
  const i = db.hosts[host];
  return i === undefined ? undefined : db.networks[i]?.[0];
}

describe('the referrer database build switch (SMA_REFERRER_DB)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sma-referrer-db-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds with referer-parser data by default', () => {
    // Act
    const { db } = build(dir, undefined, 'full.ts');

    // Assess
    expect(db?.header).toContain('mode: full');
    expect(networkOf(db!, 'www.altavista.com')).toBe('Altavista');
    expect(networkOf(db!, 'deref-gmx.net')).toBe('GMX Mail');
  });

  it('builds from sma overlay alone in overlay mode', () => {
    // Act
    const { db } = build(dir, 'overlay', 'overlay.ts');

    // Assess
    expect(db?.header).toContain('mode: overlay');
    expect(networkOf(db!, 'www.altavista.com')).toBeUndefined();
    expect(networkOf(db!, 'google.*')).toBe('Google');
    expect(networkOf(db!, 'syndicatedsearch.goog')).toBe('Google Search Partners');
    expect(db!.networks.find((n) => n[0] === 'Google Ads')?.[4]).toBe(1);
  });

  it('rebuilds when the mode changes, though the inputs did not', () => {
    // Prepare
    build(dir, 'overlay', 'switch.ts');

    // Act
    const { db } = build(dir, 'full', 'switch.ts');

    // Assess
    expect(db?.header).toContain('mode: full');
  });

  it('refuses an unknown mode, naming the variable', () => {
    // Act
    const run = build(dir, 'none', 'bad.ts');

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('SMA_REFERRER_DB');
  });
});
