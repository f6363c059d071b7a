import { Type } from '@sinclair/typebox';
import { API_KEY_ROLES } from '../../../domain/api-keys.js';
import { JsonObjectSchema } from '../../../domain/record-schema.js';
import { Description, StoredDescription, Id, Name, PageQuery, Timestamp } from './common.js';

/** The workspace of a key, its API keys, and its projects. */

export const Workspace = Type.Object({ id: Id, name: Type.String(), created_at: Timestamp });

const Role = Type.Union(API_KEY_ROLES.map((role) => Type.Literal(role)));

export const ApiKey = Type.Object({
  id: Id,
  workspace_id: Id,
  name: Type.String(),
  role: Role,
  preview: Type.String({ description: 'The first characters of the key' }),
  created_at: Timestamp,
  revoked_at: Type.Union([Timestamp, Type.Null()]),
  created_by: Type.Union([Id, Type.Null()], { description: 'The user who made the key; null for operators’ keys' }),
});

export const ApiKeyCreate = Type.Object({ name: Name, role: Role }, { additionalProperties: false });

export const ApiKeyCreated = Type.Object({
  api_key: ApiKey,
  key: Type.String({ description: 'The key itself. It is shown this once and never stored.' }),
});

export const KeyParams = Type.Object({ key_id: Id });

export const KeyPageQuery = Type.Object(PageQuery);

// Projects

export const Project = Type.Object({
  id: Id,
  name: Type.String(),
  description: StoredDescription,
  metadata: JsonObjectSchema,
  is_default: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ProjectCreate = Type.Object(
  { name: Name, description: Type.Optional(Description), metadata: Type.Optional(JsonObjectSchema) },
  { additionalProperties: false },
);

export const ProjectUpdate = Type.Partial(ProjectCreate, { additionalProperties: false, minProperties: 1 });

export const ProjectParams = Type.Object({ project_id: Id });

export const ProjectQuery = Type.Object({ ...PageQuery, name: Type.Optional(Type.String()) }, { additionalProperties: false });
