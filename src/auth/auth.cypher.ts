/** Every Cypher statement of the auth capability. */

const KEY_FIELDS = `.id, .name, .role, .factoryIds, .createdAt, .createdBy, .revokedAt, .revokedBy, .lastUsedAt`;

export const CREATE_KEY = `
  CREATE (k:ApiKey {id: $id, name: $name, role: $role, factoryIds: $factoryIds, hash: $hash,
                    createdAt: $now, createdBy: $by})
  RETURN k {${KEY_FIELDS}} AS key`;

export const LIST_KEYS = `
  MATCH (k:ApiKey) WHERE $revoked OR k.revokedAt IS NULL
  RETURN k {${KEY_FIELDS}} AS key ORDER BY k.createdAt, k.id`;

export const FIND_KEY = `MATCH (k:ApiKey {id: $id}) RETURN k {${KEY_FIELDS}, .hash} AS key`;

export const REVOKE_KEY = `
  MATCH (k:ApiKey {id: $id})
  SET k.revokedAt = coalesce(k.revokedAt, $now), k.revokedBy = coalesce(k.revokedBy, $by)
  RETURN k {${KEY_FIELDS}} AS key`;

export const TOUCH_KEY = `MATCH (k:ApiKey {id: $id}) SET k.lastUsedAt = $now`;

/** Which of the ids name factories. */
export const EXISTING_FACTORIES = `
  UNWIND $ids AS id MATCH (f:Factory {id: id}) RETURN collect(f.id) AS found`;
