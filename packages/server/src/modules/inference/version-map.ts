// Values per served version, found without building a `tenant/model@version` string for every lookup: the
// serving path looks its version up several times per request (metrics children, statistics), and a fresh
// key string must be built and hashed each time where nested maps reuse the strings' cached hashes.

/** A served version: the tenant that owns it, its model and version. */
export interface ServedLabels {
  tenant: string;
  model: string;
  version: string;
}

export class VersionMap<V> {
  readonly #tenants = new Map<string, Map<string, Map<string, V>>>();

  get(l: ServedLabels): V | undefined {
    return this.#tenants.get(l.tenant)?.get(l.model)?.get(l.version);
  }

  /** The value of `l`, made by `make` on first use. */
  obtain(l: ServedLabels, make: () => V): V {
    let models = this.#tenants.get(l.tenant);
    if (!models) {
      models = new Map();
      this.#tenants.set(l.tenant, models);
    }
    let versions = models.get(l.model);
    if (!versions) {
      versions = new Map();
      models.set(l.model, versions);
    }
    let v = versions.get(l.version);
    if (v === undefined) {
      v = make();
      versions.set(l.version, v);
    }
    return v;
  }
}

/** Values per pair of strings (an engine label's model and version), by the same nesting. */
export class PairMap<V> {
  readonly #outer = new Map<string, Map<string, V>>();

  obtain(a: string, b: string, make: () => V): V {
    let inner = this.#outer.get(a);
    if (!inner) {
      inner = new Map();
      this.#outer.set(a, inner);
    }
    let v = inner.get(b);
    if (v === undefined) {
      v = make();
      inner.set(b, v);
    }
    return v;
  }
}
