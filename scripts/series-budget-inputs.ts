/**
 * Helper of scripts/series-budget.mjs (bundled by it): prints, as JSON, the node-exporter arguments
 * of the synthesized DaemonSet, the lean keep rules of prometheus.yml, and — with `--databases` — the
 * series postgres-exporter and redis-exporter serve with their defaults (which the project runs) on
 * the e2e harness's Postgres and Redis, before and after the rendered metric_relabel_configs.
 */
import { load } from 'js-yaml';
import { buildEnvironments } from '../lib/output/synth';
import { PROJECT_ROOT } from '../test/support/pinned';
import { startPostgres } from '../test/e2e/harness/postgres';
import { startRedis } from '../test/e2e/harness/redis';
import { startPostgresExporter, startRedisExporter } from '../test/e2e/harness/exporters';

function inputs() {
  const env = buildEnvironments({ root: PROJECT_ROOT, environments: ['dev'] })[0];
  const objects = env.stack.toJson() as any[];
  const ds = objects.find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'node-exporter');
  const args: string[] = ds.spec.template.spec.containers[0].args;
  const prom = load(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config').data['prometheus.yml']) as any;
  const relabel: Record<string, any[]> = {};
  for (const j of prom.scrape_configs) relabel[j.job_name] = j.metric_relabel_configs;
  return { nodeExporterArgs: args, relabel };
}

/** Series names of an exposition (one per sample line). */
function seriesNames(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => /^[^{ ]+/.exec(l)![0]);
}

/** What metric_relabel_configs on __name__ (drop/keep) leave, as Prometheus applies them in order. */
function afterRelabel(names: string[], rules: any[]): string[] {
  return names.filter((n) => rules.every((r) => {
    if (r.source_labels?.[0] !== '__name__' || (r.action !== 'keep' && r.action !== 'drop')) return true;
    const hit = new RegExp(`^(?:${r.regex})$`).test(n);
    return r.action === 'keep' ? hit : !hit;
  }));
}

async function databases(relabel: Record<string, any[]>) {
  const pg = await startPostgres();
  const redis = await startRedis();
  try {
    const pe = await startPostgresExporter({ dsn: pg.dsn() });
    const re = await startRedisExporter({ redisAddr: redis.url });
    try {
      const out: Record<string, unknown> = {};
      for (const [job, e] of [['postgres-exporter', pe], ['redis-exporter', re]] as const) {
        const names = seriesNames(await (await fetch(e.metricsUrl)).text());
        const kept = afterRelabel(names, relabel[job]);
        const byFamily = new Map<string, number>();
        for (const n of names) if (!kept.includes(n)) { const f = n.split('_').slice(0, 3).join('_'); byFamily.set(f, (byFamily.get(f) ?? 0) + 1); }
        out[job] = { defaults: names.length, project: kept.length, topDropped: [...byFamily].sort((a, b) => b[1] - a[1]).slice(0, 5) };
      }
      return out;
    } finally {
      await pe.stop(); await re.stop();
    }
  } finally {
    await pg.stop(); await redis.stop();
  }
}

(async () => {
  const i = inputs();
  const db = process.argv.includes('--databases') ? await databases(i.relabel) : undefined;
  process.stdout.write(JSON.stringify({ ...i, databases: db }));
})().catch((e) => { console.error(e); process.exit(1); });
