#!/usr/bin/env bash
# Validates the protocol specification documents:
#   1. docs/asyncapi.yaml with the AsyncAPI CLI (fails on warnings);
#   2. docs/openapi.yaml with the Redocly CLI, ruleset recommended-strict (warnings are errors);
#   3. every example in both documents and in docs/schemas/*.json against its schema (ajv), which
#      also cross-checks the engine's own validator (src/protocol/schema_validator.cpp) on the
#      same schemas.
# The npm tools are installed once, at pinned versions, into a cache directory outside the
# sources: $TICKSTOCK_NPM_TOOLS, default build/npm-tools. Needs node >= 20 and npm.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="${TICKSTOCK_NPM_TOOLS:-$ROOT/build/npm-tools}"
PACKAGES=(@asyncapi/cli@4.1.1 @redocly/cli@2.77.0 ajv@8.20.0 ajv-formats@2.1.1 js-yaml@4.3.2)

command -v node >/dev/null && command -v npm >/dev/null || {
  echo "validate-specs: node and npm are required (apt-get install nodejs npm)" >&2
  exit 2
}

mkdir -p "$TOOLS"
STAMP="$TOOLS/.installed"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "${PACKAGES[*]}" ]]; then
  echo "validate-specs: installing ${PACKAGES[*]} into $TOOLS"
  [[ -f "$TOOLS/package.json" ]] || echo '{"name":"tickstock-npm-tools","private":true}' >"$TOOLS/package.json"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "${PACKAGES[@]}"
  echo "${PACKAGES[*]}" >"$STAMP"
fi
BIN="$TOOLS/node_modules/.bin"

# The AsyncAPI CLI records usage metrics unless its config file says otherwise; keep that file in
# the cache directory, with analytics off.
export ASYNCAPI_METRICS_CONFIG_PATH="$TOOLS/asyncapi-analytics.json"
[[ -f "$ASYNCAPI_METRICS_CONFIG_PATH" ]] ||
  echo '{"analyticsEnabled":"false","infoMessageShown":"true","userID":"tickstock-ci"}' >"$ASYNCAPI_METRICS_CONFIG_PATH"

echo "== AsyncAPI: docs/asyncapi.yaml"
"$BIN/asyncapi" validate "$ROOT/docs/asyncapi.yaml" --fail-severity warn

echo "== OpenAPI: docs/openapi.yaml"
# recommended-strict turns every warning into an error. The one exception: /health and /metrics
# take no input, so they have no 4xx response to document.
OPENAPI_REL="$(realpath --relative-to="$TOOLS" "$ROOT/docs/openapi.yaml")"
cat >"$TOOLS/redocly.yaml" <<'EOF'
extends:
  - recommended-strict
EOF
cat >"$TOOLS/.redocly.lint-ignore.yaml" <<EOF
$OPENAPI_REL:
  operation-4xx-response:
    - '#/paths/~1health/get/responses'
    - '#/paths/~1metrics/get/responses'
EOF
"$BIN/redocly" lint --config "$TOOLS/redocly.yaml" "$ROOT/docs/openapi.yaml"

echo "== Examples against their schemas"
cat >"$TOOLS/check-examples.js" <<'EOF'
// Validates every example in docs/asyncapi.yaml, docs/openapi.yaml and docs/schemas/**/*.json
// against its schema with ajv. Schemas are registered under a fake base URI so the relative
// $refs of the documents ("./schemas/x.json", "../common.json#/...") resolve as files would.
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const docs = process.argv[2];
const BASE = 'https://tickstock.invalid/docs/';
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

const schemaFiles = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.json')) schemaFiles.push(p);
  }
})(path.join(docs, 'schemas'));
for (const file of schemaFiles) {
  const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
  schema.$id = BASE + path.relative(docs, file).split(path.sep).join('/');
  ajv.addSchema(schema);
}

let checked = 0, failed = 0, wrapperId = 0;
function check(schema, value, where, expectValid = true) {
  let validate;
  if (typeof schema === 'string') {
    validate = ajv.getSchema(schema);
  } else {
    validate = ajv.compile({ ...schema, $id: BASE + `inline-${++wrapperId}.json` });
  }
  const ok = validate(value);
  checked++;
  if (ok !== expectValid) {
    failed++;
    console.error(`${where}: ${expectValid ? 'example does not validate' : 'bad instance was accepted'}`);
    if (!ok) console.error(JSON.stringify(validate.errors, null, 2));
  }
}

// Each schema file's own examples.
for (const file of schemaFiles) {
  const id = BASE + path.relative(docs, file).split(path.sep).join('/');
  const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
  (schema.examples || []).forEach((ex, i) => check(id, ex, `${path.relative(docs, file)} examples[${i}]`));
}

// AsyncAPI: every message example against the message payload.
const asyncapi = yaml.load(fs.readFileSync(path.join(docs, 'asyncapi.yaml'), 'utf8'));
for (const [name, msg] of Object.entries(asyncapi.components.messages)) {
  (msg.examples || []).forEach((ex, i) => check(msg.payload, ex.payload, `asyncapi messages.${name} examples[${i}]`));
}

// OpenAPI: every media-type example against its schema.
const openapi = yaml.load(fs.readFileSync(path.join(docs, 'openapi.yaml'), 'utf8'));
(function walk(node, where) {
  if (!node || typeof node !== 'object') return;
  if (node.schema && typeof node.schema === 'object' && Object.prototype.hasOwnProperty.call(node, 'example'))
    check(node.schema, node.example, where);
  for (const [k, v] of Object.entries(node)) walk(v, `${where}/${k}`);
})(openapi, 'openapi');

// The checker must be able to fail: a few instances that are wrong on purpose.
check(BASE + 'schemas/envelope.json', { id: 'x', event: 'import_progress', version: '1.0', timestamp: 't',
  source: 's', seq: 0, payload: {} }, 'negative: bad envelope', false);
check(BASE + 'schemas/commands/request.json', { command: 'trigger_everything' }, 'negative: unknown command', false);
check(BASE + 'schemas/commands/trigger_daily_processing.params.json', { symbols: ['AAPL;DROP'] },
  'negative: bad symbol', false);

console.log(`${checked} examples and negative cases checked, ${failed} failed`);
if (checked < 60) { console.error('too few examples found: is the document layout unchanged?'); process.exit(1); }
process.exit(failed ? 1 : 0);
EOF
NODE_PATH="$TOOLS/node_modules" node "$TOOLS/check-examples.js" "$ROOT/docs"

echo "validate-specs: all specification documents are valid"
