/**
 * The JSON Schema a model is asked to answer in, derived from the agent's zod schema. One
 * derivation for every provider: the subset Gemini's responseJsonSchema documents, which is
 * also plain JSON Schema that OpenAI-compatible servers (vLLM, Ollama, Azure OpenAI) accept as
 * `response_format.json_schema.schema`. The zod schema still validates every answer in full.
 */
import { z } from 'zod';
import { errorName, LlmUnavailableError } from './llm-errors.ts';

export type JsonSchemaObject = { [key: string]: unknown };

/**
 * Keywords Gemini's responseJsonSchema documents (GenerateContentConfig.responseJsonSchema in the
 * SDK typings), plus minLength/maxLength, which the live API accepted in a recorded exchange of
 * the SDK's own system tests (googleapis/js-genai; see ../gemini/fixtures/README.md). Everything else zod
 * emits (`$schema`, `pattern`, `default`, `const`, `exclusiveMinimum`, `propertyNames`, …) is
 * dropped or rewritten; the zod schema still validates the answer in full, so a looser hint to the
 * model never lets a wrong answer through.
 */
const KEPT_KEYWORDS = new Set([
  '$id',
  '$defs',
  '$ref',
  '$anchor',
  'type',
  'format',
  'title',
  'description',
  'enum',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'anyOf',
  'oneOf',
  'properties',
  'additionalProperties',
  'required',
  'propertyOrdering',
]);
/** Formats worth passing on; zod's others (email, uuid, …) are checked by zod alone. */
const KEPT_FORMATS = new Set(['date-time', 'date', 'time']);

const schemaCache = new WeakMap<z.ZodType, JsonSchemaObject>();

/**
 * The JSON Schema sent as Gemini's `responseJsonSchema` and as the OpenAI-compatible
 * `json_schema.schema` for a zod schema (the model writes zod's input).
 */
export function toModelJsonSchema(schema: z.ZodType): JsonSchemaObject {
  const cached = schemaCache.get(schema);
  if (cached !== undefined) return cached;
  const raw = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const result = sanitizeSchema(raw);
  const object: JsonSchemaObject = isRecord(result) ? result : {};
  schemaCache.set(schema, object);
  return object;
}

/** `toModelJsonSchema` for an agent's request; a schema without a JSON Schema form fails the call. */
export function answerJsonSchema(
  request: { agent: string; schema: z.ZodType },
  model: string,
): JsonSchemaObject {
  try {
    return toModelJsonSchema(request.schema);
  } catch (err) {
    throw new LlmUnavailableError({
      kind: 'invalid_request',
      message: `the answer schema of ${request.agent} has no JSON Schema form: ${errorName(err)}`,
      attempts: 0,
      model,
      cause: err,
    });
  }
}

function sanitizeSchema(node: unknown): unknown {
  if (!isRecord(node)) return node;
  const out: JsonSchemaObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (!KEPT_KEYWORDS.has(key)) continue;
    switch (key) {
      case 'properties':
      case '$defs':
        out[key] = isRecord(value)
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitizeSchema(v)]))
          : value;
        break;
      case 'anyOf':
      case 'oneOf':
      case 'prefixItems':
        out[key] = Array.isArray(value) ? value.map(sanitizeSchema) : value;
        break;
      case 'items':
        // `items: false` closes a tuple after prefixItems; boolean schemas are not in Gemini's subset.
        if (typeof value !== 'boolean') out[key] = sanitizeSchema(value);
        break;
      case 'additionalProperties':
        out[key] = typeof value === 'boolean' ? value : sanitizeSchema(value);
        break;
      case 'format':
        if (typeof value === 'string' && KEPT_FORMATS.has(value)) out[key] = value;
        break;
      default:
        out[key] = value;
    }
  }
  // const → enum (enum is supported for strings and numbers); a boolean/null const keeps its type.
  const constant = node['const'];
  if ((typeof constant === 'string' || typeof constant === 'number') && out['enum'] === undefined) {
    out['enum'] = [constant];
  }
  // Exclusive bounds become inclusive ones (exact for integers, slightly loose for numbers).
  const isInteger = node['type'] === 'integer';
  const exclusiveMinimum = node['exclusiveMinimum'];
  if (typeof exclusiveMinimum === 'number' && out['minimum'] === undefined) {
    out['minimum'] = isInteger ? Math.floor(exclusiveMinimum) + 1 : exclusiveMinimum;
  }
  const exclusiveMaximum = node['exclusiveMaximum'];
  if (typeof exclusiveMaximum === 'number' && out['maximum'] === undefined) {
    out['maximum'] = isInteger ? Math.ceil(exclusiveMaximum) - 1 : exclusiveMaximum;
  }
  // z.int() bounds every integer by the safe-integer range: noise for the model.
  if (out['minimum'] === Number.MIN_SAFE_INTEGER) delete out['minimum'];
  if (out['maximum'] === Number.MAX_SAFE_INTEGER) delete out['maximum'];
  // Objects are closed (what zod's output mode sends, and what the structured-output docs show).
  if (isRecord(out['properties']) && out['additionalProperties'] === undefined) {
    out['additionalProperties'] = false;
  }
  return out;
}

function isRecord(value: unknown): value is JsonSchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
