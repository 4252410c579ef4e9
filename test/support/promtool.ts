import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { stringify } from 'yaml';
import { pinnedBinary } from './pinned';

/**
 * Runs the pinned `promtool check config` on a generated prometheus.yml (as an object) with its rule
 * files, unchanged but for file paths: the files it references (rules, credentials, the service
 * account token and CA) are created under a temp folder so promtool can check they exist.
 */
export function promtoolCheckConfig(config: any, ruleFiles: Record<string, string>): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nanoe-promtool-'));
  const local = (path: string) => join(dir, 'fs', path);
  const c = JSON.parse(JSON.stringify(config));
  c.rule_files = (c.rule_files ?? []).map((f: string) => {
    const name = f.split('/').pop()!;
    mkdirSync(dirname(local(f)), { recursive: true });
    writeFileSync(local(f), ruleFiles[name]);
    return local(f);
  });
  const blocks = [...(c.scrape_configs ?? []), ...(c.alerting?.alertmanagers ?? []), ...(c.remote_write ?? [])];
  for (const block of blocks) {
    for (const auth of [block.basic_auth, block.authorization]) {
      for (const key of ['password_file', 'credentials_file']) {
        if (auth?.[key]) {
          mkdirSync(dirname(local(auth[key])), { recursive: true });
          writeFileSync(local(auth[key]), 'secret');
          auth[key] = local(auth[key]);
        }
      }
    }
  }
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, stringify(c));
  const r = spawnSync(pinnedBinary('promtool'), ['check', 'config', file], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
