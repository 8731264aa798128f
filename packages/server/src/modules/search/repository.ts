// The only file of the search module with SQL: per-tenant rules.
import type { SearchRules } from '@quiver/contracts';
import type { SqlExecutor } from '../../adapters/sql/index.ts';

export const searchRepository = {
  async getRules(db: SqlExecutor, tenantId: string): Promise<SearchRules | undefined> {
    const [row] = await db.query<{ body: string }>('SELECT body FROM search_rules WHERE tenant_id = $1', [
      tenantId,
    ]);
    return row ? (JSON.parse(row.body) as SearchRules) : undefined;
  },

  async putRules(db: SqlExecutor, tenantId: string, rules: SearchRules, at: string): Promise<void> {
    await db.execute(
      `INSERT INTO search_rules (tenant_id, body, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
      [tenantId, JSON.stringify(rules), at],
    );
  },
};
