import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  type DocumentNode,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  parse,
  type ParseOptions,
  specifiedRules,
  validate,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config';
import { clip, TwinError } from '../errors';
import { costLimitRule } from './cost';
import type { ParsedDocuments } from './documents';

/** The settings the limits read (a subset of Config, so tests can pass just these). */
export type LimitSettings = Pick<
  Config,
  | 'GRAPHQL_MAX_DEPTH'
  | 'GRAPHQL_MAX_ALIASES'
  | 'GRAPHQL_MAX_TOKENS'
  | 'GRAPHQL_MAX_COST'
  | 'GRAPHQL_COST_LIST_SIZE'
  | 'GRAPHQL_INTROSPECTION'
  | 'GRAPHQL_SUGGESTIONS'
  | 'MAX_PAGE_SIZE'
>;

/** The page size of a connection whose `first` is absent (`pageWindow` in src/twins/connection.ts). */
const DEFAULT_PAGE_SIZE = 50;

/** Parsing stops at the token limit: 10,000 chained fragments never reach validation. */
export function parseOptions(settings: LimitSettings): ParseOptions {
  return { maxTokens: settings.GRAPHQL_MAX_TOKENS };
}

/**
 * The validation rules that do not depend on variables, from GraphQL Armor (depth, aliases),
 * plus graphql-js's introspection ban when introspection is off. Both Apollo (`validationRules`,
 * whose validated documents it caches) and graphql-ws run them.
 *
 * Depth counts every field level on the longest path, the leaf included, `edges` and `node` too:
 * `factories { edges { node { lines { assets { id } } } } }` is 6. Fragments add no level of their
 * own (flattened); introspection (`__schema`) is not counted.
 */
export function documentRules(settings: LimitSettings): ValidationRule[] {
  const refuse =
    (limit: 'depth' | 'aliases', max: number, advice: string) =>
    (ctx: ValidationContext | null, err: GraphQLError) => {
      const found = Number(/found (\d+)/.exec(err.message)?.[1] ?? NaN);
      ctx?.reportError(
        new TwinError(
          'QUERY_TOO_COMPLEX',
          `The operation's ${limit} is ${found}, over the limit of ${max}: ${advice} (docs/security.md)`,
          { limit, max, found },
        ),
      );
    };
  const rules: ValidationRule[] = [
    maxDepthRule({
      n: settings.GRAPHQL_MAX_DEPTH,
      flattenFragments: true,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [
        refuse(
          'depth',
          settings.GRAPHQL_MAX_DEPTH,
          'nest fewer levels (edges and node count) and fetch deeper levels in a second query by id',
        ),
      ],
    }),
    maxAliasesRule({
      n: settings.GRAPHQL_MAX_ALIASES,
      propagateOnRejection: false,
      onReject: [refuse('aliases', settings.GRAPHQL_MAX_ALIASES, 'use fewer aliases')],
    }),
  ];
  if (!settings.GRAPHQL_INTROSPECTION) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

/** The cost rule for one request's variables (see cost.ts). */
export function costRule(
  settings: LimitSettings,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): ValidationRule {
  return costLimitRule({
    maxCost: settings.GRAPHQL_MAX_COST,
    variables,
    defaultPageSize: Math.min(DEFAULT_PAGE_SIZE, settings.MAX_PAGE_SIZE),
    listSize: settings.GRAPHQL_COST_LIST_SIZE,
  });
}

export interface CheckedOperation {
  document: DocumentNode;
  operationName?: string | null | undefined;
  variableValues?: Record<string, unknown> | null | undefined;
}

/**
 * Parse and validate an operation arriving over graphql-ws with the same limits as HTTP: the
 * token limit while parsing, graphql-js's rules, depth, aliases, introspection and cost. Answers
 * the document, or errors carrying a code.
 */
export function checkOperation(
  schema: GraphQLSchema,
  settings: LimitSettings,
  payload: { query?: unknown; operationName?: unknown; variables?: unknown },
  /** Parsed and statically valid documents kept between messages (none: each is parsed anew). */
  documents: ParsedDocuments | null = null,
): CheckedOperation | GraphQLError[] {
  const query = payload.query;
  if (typeof query !== 'string') {
    return [new TwinError('BAD_REQUEST', 'The subscribe message has no `query` string')];
  }
  let document: DocumentNode;
  try {
    const parseText = (text: string) => parse(text, parseOptions(settings));
    document = documents ? documents.parse(query, parseText) : parseText(query);
  } catch (err) {
    return [parseError(err, settings)];
  }
  const variables =
    typeof payload.variables === 'object' && payload.variables !== null
      ? (payload.variables as Record<string, unknown>)
      : undefined;
  // the rules that do not depend on variables once per document (as Apollo over HTTP), then cost
  if (!documents?.isValid(document)) {
    const errors = validate(schema, document, [...specifiedRules, ...documentRules(settings)]);
    if (errors.length > 0) return errors.map((e) => validationError(e, settings));
    documents?.markValid(document);
  }
  const errors = validate(schema, document, [costRule(settings, variables)]);
  if (errors.length > 0) return errors.map((e) => validationError(e, settings));
  const operationName = typeof payload.operationName === 'string' ? payload.operationName : null;
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    return [
      new TwinError('BAD_REQUEST', `No operation named "${clip(operationName ?? '')}" to run`),
    ];
  }
  // variables that do not fit their definitions are the client's to fix (BAD_USER_INPUT, as
  // Apollo answers over HTTP), not an execution error that the formatter would take as internal
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, {
    maxErrors: 50,
  });
  if (coerced.errors) {
    return coerced.errors.map(
      (e) =>
        new GraphQLError(tidyMessage(e.message, settings), {
          nodes: e.nodes ?? null,
          extensions: { code: 'BAD_USER_INPUT' },
        }),
    );
  }
  return { document, operationName, variableValues: variables };
}

/** A parse failure with a code: the token limit is QUERY_TOO_COMPLEX, the rest GRAPHQL_PARSE_FAILED. */
export function parseError(err: unknown, settings: LimitSettings): GraphQLError {
  const message = err instanceof Error ? err.message : String(err);
  if (/Document contains more th(?:at|an) \d+ tokens/.test(message))
    return tokenLimitError(settings);
  return new GraphQLError(tidyMessage(message, settings), {
    extensions: { code: 'GRAPHQL_PARSE_FAILED' },
  });
}

export function tokenLimitError(settings: LimitSettings): TwinError {
  return new TwinError(
    'QUERY_TOO_COMPLEX',
    `The document has more than ${settings.GRAPHQL_MAX_TOKENS} tokens, the limit; parsing stopped: send a smaller operation (docs/security.md)`,
    { limit: 'tokens', max: settings.GRAPHQL_MAX_TOKENS },
  );
}

function validationError(err: GraphQLError, settings: LimitSettings): GraphQLError {
  if (typeof err.extensions['code'] === 'string') return err;
  return new GraphQLError(tidyMessage(err.message, settings), {
    nodes: err.nodes ?? null,
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  });
}

/**
 * An error message as a client may see it: without "Did you mean …" when suggestions are off,
 * and at most 500 characters, so no input is ever echoed whole.
 */
export function tidyMessage(message: string, settings: Pick<LimitSettings, 'GRAPHQL_SUGGESTIONS'>) {
  const text = settings.GRAPHQL_SUGGESTIONS
    ? message
    : message.replace(/ ?Did you mean [^?]*\?/g, '').trim();
  return clip(text, 500);
}
