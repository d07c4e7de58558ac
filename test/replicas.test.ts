/**
 * Several middleware replicas on one Postgres and one separately hosted org: closures started
 * on any replica, approval callouts and signatures landing on any replica. Every run completes
 * exactly once (no duplicate records in the org), and every replica did part of the work.
 */
import assert from 'node:assert/strict';
import { DealCluster, CLUSTER_API_KEY } from '@dealdesk/middleware/testing';
import { dropSchemas, freshSchema, testDatabaseUrl } from '@dealdesk/test-kit/postgres';

const url = testDatabaseUrl();

(url ? describe : describe.skip)('three replicas on Postgres', function () {
  this.timeout(180_000);
  const schema = freshSchema('dd_replicas');
  let cluster: DealCluster | undefined;

  after(async () => {
    await cluster?.close();
    if (url) await dropSchemas(url, schema, `${schema}_boss`);
  });

  it('completes every closure exactly once with the work shared between replicas', async () => {
    cluster = await DealCluster.start({ replicas: 3, deals: 12, databaseUrl: url!, databaseSchema: schema });
    const closures = await cluster.startClosures();
    assert.equal(new Set(closures.map((c) => c.closureId)).size, 12);
    // The same start requests again, on other replicas: the same runs come back.
    const again = await cluster.startClosures();
    assert.deepEqual(
      again.map((c) => c.closureId),
      closures.map((c) => c.closureId),
    );
    await cluster.driveToCompletion(closures, 150_000);
    cluster.verifyExactlyOnce(closures);
    const stepsPerReplica = await Promise.all(
      cluster.replicas.map(async (r) => {
        const text = await (
          await fetch(`${r.url}/metrics`, { headers: { Authorization: `Bearer ${CLUSTER_API_KEY}` } })
        ).text();
        return [...text.matchAll(/^dealdesk_step_duration_seconds_count\{[^}]*\} (\d+)/gm)].reduce(
          (s, m) => s + Number(m[1]),
          0,
        );
      }),
    );
    assert.ok(
      stepsPerReplica.every((n) => n > 0),
      `every replica drove steps: ${stepsPerReplica.join(', ')}`,
    );
  });
});
