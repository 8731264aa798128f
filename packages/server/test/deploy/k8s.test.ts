// deploy/k8s: each overlay renders with `kubectl kustomize` (offline) and every object validates against the
// Kubernetes OpenAPI schemas (kubernetes-models; the ServiceMonitor against the prometheus-operator CRD's
// schema). Those schemas allow unknown fields, so the wiring that matters is checked here by name: probes,
// requests, non-root and read-only root, selectors that select, the HPA's and PDB's targets.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const OVERLAYS = ['trial', 'production'];

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are read loosely
type Obj = Record<string, any>;

const render = (overlay: string): Obj[] =>
  parseAllDocuments(
    execFileSync('kubectl', ['kustomize', `${ROOT}deploy/k8s/overlays/${overlay}`], { encoding: 'utf8' }),
  ).map((d) => d.toJSON() as Obj);

/** The model class for an object: kubernetes-models by group/version/kind, CRDs from their own package. */
const modelFor = async (o: Obj) => {
  const path =
    o.apiVersion === 'monitoring.coreos.com/v1'
      ? `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${o.kind}`
      : `kubernetes-models/${o.apiVersion}/${o.kind}`;
  const module = await import(path);
  return module[o.kind] as new (
    o: Obj,
  ) => { validate(): void };
};

const validate = async (o: Obj) => {
  const Model = await modelFor(o);
  new Model(o).validate();
};

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('Kubernetes manifests', () => {
  test('the schema check is not vacuous: a wrong type fails', async () => {
    const [deployment] = render('trial').filter((o) => o.kind === 'Deployment');
    await validate(deployment);
    await assert.rejects(
      validate({ ...deployment, spec: { ...deployment.spec, replicas: 'two' } }),
      /integer/,
    );
  });

  for (const overlay of OVERLAYS) {
    test(`${overlay}: renders, and every object validates against its schema`, async () => {
      const objects = render(overlay);
      assert.ok(objects.length > 0);
      for (const o of objects) {
        try {
          await validate(o);
        } catch (error) {
          assert.fail(`${o.kind}/${o.metadata?.name}: ${(error as Error).message}`);
        }
      }
      const deployments = objects.filter((o) => o.kind === 'Deployment');
      for (const d of deployments) {
        const pod = d.spec.template;
        assert.ok(matches(d.spec.selector.matchLabels, pod.metadata.labels), `${d.metadata.name} selector`);
        assert.equal(pod.spec.securityContext.runAsNonRoot, true);
        for (const c of pod.spec.containers) {
          assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${d.metadata.name} read-only root`);
          assert.equal(c.readinessProbe.httpGet.path, '/readyz');
          assert.equal(c.livenessProbe.httpGet.path, '/livez');
          assert.ok(c.resources.requests.cpu && c.resources.requests.memory, `${d.metadata.name} requests`);
          assert.ok(
            c.volumeMounts.some((m: Obj) => m.mountPath === '/data'),
            'a writable /data',
          );
          const configMaps = c.envFrom.flatMap((e: Obj) => (e.configMapRef ? [e.configMapRef.name] : []));
          for (const name of configMaps)
            assert.ok(
              objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === name),
              name,
            );
        }
      }
      for (const s of objects.filter((o) => o.kind === 'Service'))
        assert.ok(
          deployments.some((d) => matches(s.spec.selector, d.spec.template.metadata.labels)),
          `Service ${s.metadata.name} selects no pod`,
        );
    });
  }

  test('trial: one all-in-one pod on a persistent volume', () => {
    const objects = render('trial');
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    assert.equal(deployments.length, 1);
    assert.deepEqual(deployments[0].spec.template.spec.containers[0].args, ['all']);
    const claim = deployments[0].spec.template.spec.volumes.find((v: Obj) => v.name === 'data');
    assert.equal(claim.persistentVolumeClaim.claimName, 'quiver-data');
    assert.ok(objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'quiver-data'));
  });

  test('production: serve and worker apart, HPA on CPU, PDB, ServiceMonitor, URLs and keys from a Secret', () => {
    const objects = render('production');
    const byName = (kind: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata.name === name) ?? assert.fail(`${kind}/${name}`);
    const serve = byName('Deployment', 'quiver-serve');
    const worker = byName('Deployment', 'quiver-worker');
    assert.deepEqual(serve.spec.template.spec.containers[0].args, ['serve']);
    assert.deepEqual(worker.spec.template.spec.containers[0].args, ['worker']);
    for (const d of [serve, worker])
      assert.ok(
        d.spec.template.spec.containers[0].envFrom.some((e: Obj) => e.secretRef?.name === 'quiver-secrets'),
      );
    const hpa = byName('HorizontalPodAutoscaler', 'quiver-serve');
    assert.equal(hpa.spec.scaleTargetRef.name, 'quiver-serve');
    assert.equal(hpa.spec.metrics[0].resource.name, 'cpu');
    const pdb = byName('PodDisruptionBudget', 'quiver-serve');
    assert.ok(matches(pdb.spec.selector.matchLabels, serve.spec.template.metadata.labels));
    assert.ok(!matches(pdb.spec.selector.matchLabels, worker.spec.template.metadata.labels));
    const traffic = byName('Service', 'quiver');
    assert.ok(
      !matches(traffic.spec.selector, worker.spec.template.metadata.labels),
      'no API traffic to the worker',
    );
    const monitor = byName('ServiceMonitor', 'quiver');
    const metrics = objects.filter(
      (o) => o.kind === 'Service' && matches(monitor.spec.selector.matchLabels, o.metadata.labels),
    );
    assert.equal(metrics.length, 1);
    assert.ok(metrics[0].spec.ports.some((p: Obj) => p.name === monitor.spec.endpoints[0].port));
    assert.ok(matches(metrics[0].spec.selector, worker.spec.template.metadata.labels));
    assert.ok(!objects.some((o) => o.kind === 'Secret'), 'no secret values in the repository');
  });
});
