// Backward-compatibility check between two OpenAPI documents: what would break a client of the old one.
type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

const props = (schema: unknown): Json => ((schema as Json | undefined)?.properties as Json) ?? {};
const required = (schema: unknown): string[] => ((schema as Json | undefined)?.required as string[]) ?? [];
const jsonBody = (op: Json, where: 'requestBody' | 'response', status?: string): unknown => {
  const holder =
    where === 'requestBody' ? (op.requestBody as Json) : ((op.responses as Json)?.[status!] as Json);
  return ((holder?.content as Json)?.['application/json'] as Json)?.schema;
};

/** Lists the breaking differences: removed operations, response fields or statuses, newly required inputs. */
export const breakingChanges = (before: Json, after: Json): string[] => {
  const problems: string[] = [];
  const beforePaths = (before.paths as Json) ?? {};
  const afterPaths = (after.paths as Json) ?? {};
  for (const [path, item] of Object.entries(beforePaths)) {
    for (const method of METHODS) {
      const old = (item as Json)[method] as Json | undefined;
      if (!old) continue;
      const now = (afterPaths[path] as Json | undefined)?.[method] as Json | undefined;
      const where = `${method.toUpperCase()} ${path}`;
      if (!now) {
        problems.push(`${where} was removed`);
        continue;
      }
      const oldBody = jsonBody(old, 'requestBody');
      const newBody = jsonBody(now, 'requestBody');
      for (const field of required(newBody)) {
        if (!required(oldBody).includes(field))
          problems.push(`${where}: request field '${field}' became required`);
      }
      for (const field of Object.keys(props(oldBody))) {
        if (newBody && !(field in props(newBody)))
          problems.push(`${where}: request field '${field}' is no longer accepted`);
      }
      for (const status of Object.keys((old.responses as Json) ?? {})) {
        if (!(status in ((now.responses as Json) ?? {}))) {
          problems.push(`${where}: response ${status} was removed`);
          continue;
        }
        const newProps = props(jsonBody(now, 'response', status));
        for (const field of Object.keys(props(jsonBody(old, 'response', status)))) {
          if (!(field in newProps)) problems.push(`${where}: response ${status} lost field '${field}'`);
        }
      }
    }
  }
  return problems;
};
