/**
 * The metric-name lists in test/fixtures/metric-names/ come from the pinned exporters, scraped here
 * after some load. `RECORD_METRIC_NAMES=1 npx jest test/e2e/metric-names` rewrites them (after a
 * version bump); a normal run checks that every name a list holds for the database exporters is
 * still exported by the pinned binary (their names do not depend on the host's hardware).
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { httpRequest, startNodeExporter, startPostgres, startPostgresExporter, startRedis, startRedisExporter } from './harness';
import { pinnedBinaries } from '../support/pinned';

const FIXTURES = join(__dirname, '..', 'fixtures', 'metric-names');
const RECORD = process.env.RECORD_METRIC_NAMES === '1';

async function names(url: string): Promise<string[]> {
  const res = await httpRequest(`${url}/metrics`);
  const out = new Set<string>();
  for (const line of res.body.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m) out.add(m[1]);
  }
  return [...out].sort();
}

const file = (binary: string, program: string) => join(FIXTURES, `${program}-${pinnedBinaries()[binary].version}.names`);

test('the database exporters still export every recorded name; RECORD_METRIC_NAMES=1 rewrites the lists', async () => {
  const pg = await startPostgres();
  const redis = await startRedis();
  await redis.cli('SET', 'k', 'v');
  await redis.cli('GET', 'k');
  const exporters = await Promise.all([
    startPostgresExporter({ dsn: pg.dsn() }),
    startRedisExporter({ redisAddr: redis.url }),
    startNodeExporter(),
  ]);
  try {
    const [pgNames, redisNames, nodeNames] = await Promise.all(exporters.map((e) => names(e.url)));
    const lists = [
      [file('prometheus-postgres-exporter', 'postgres_exporter'), pgNames],
      [file('prometheus-redis-exporter', 'redis_exporter'), redisNames],
      [file('prometheus-node-exporter', 'node_exporter'), nodeNames],
    ] as const;
    for (const [path, scraped] of lists) {
      if (RECORD) writeFileSync(path, `${scraped.join('\n')}\n`);
    }
    for (const [path, scraped] of lists.slice(0, 2)) {
      const recorded = readFileSync(path, 'utf8').split('\n').filter(Boolean);
      expect({ path, missing: recorded.filter((n) => !scraped.includes(n)) }).toEqual({ path, missing: [] });
    }
  } finally {
    await Promise.all([...exporters.map((e) => e.stop()), pg.stop(), redis.stop()]);
  }
}, 120_000);
