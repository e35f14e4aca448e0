/**
 * The webview message schemas (src/protocol/webview.ts): a page's message with a field the schema does not
 * know, or a field of the wrong type or range, is refused with one line naming that field; and every kind of
 * message a page's code posts has a schema (and every schema is one a page posts).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  PAGE_ACTION_KINDS,
  parseAnomalyAction,
  parseDashboardAction,
  parseDatasetPreviewAction,
  parseEquivarianceAction,
  parseEvaluationAction,
  parseFeatureMapsAction,
  parseFiltersAction,
  parseModelSummaryAction,
} from '../../src/protocol/webview';

const ROOT = path.resolve(__dirname, '../..');

/** The parser's verdict and the one line it gave for a refusal. */
function refusal(parse: (m: unknown, problem?: (why: string) => void) => unknown, message: unknown): string {
  const problems: string[] = [];
  assert.equal(parse(message, (why) => problems.push(why)), undefined, `accepted ${JSON.stringify(message)}`);
  assert.equal(problems.length, 1, 'one problem per refused message');
  assert.ok(!problems[0].includes('\n'), problems[0]);
  return problems[0];
}

describe('messages from a page', () => {
  it('an unknown field is refused, naming it', () => {
    assert.match(refusal(parseDashboardAction, { type: 'stop', runId: 'r1', force: true }), /unknown field "force"/);
    assert.match(refusal(parseDatasetPreviewAction, { type: 'train', data: '/etc' }), /unknown field "data"/);
    assert.match(refusal(parseModelSummaryAction, { type: 'ready', extra: 1 }), /unknown field "extra"/);
    // Nested: a sample that names a file (the page may not choose one).
    const sample = { kind: 'index', index: 3, file: '/etc/passwd' };
    assert.match(refusal(parseFeatureMapsAction, { type: 'request', sample, checkpoint: 'last' }), /unknown field "sample\.file"/);
    assert.match(refusal(parseFiltersAction, { type: 'compare', left: 'last', right: null, third: 'best' }), /unknown field "third"/);
    assert.match(refusal(parseEvaluationAction, { type: 'cell', label: 1, predicted: 2, runDir: '/etc' }), /unknown field "runDir"/);
    assert.match(refusal(parseAnomalyAction, { type: 'rerun', method: 'knn' }), /unknown field "method"/);
  });

  it('a field of the wrong type or out of range is refused, naming it', () => {
    assert.match(refusal(parseDashboardAction, { type: 'stop', runId: 5 }), /^runId: .*string/);
    assert.match(refusal(parseDashboardAction, { type: 'stop', runId: 'r'.repeat(501) }), /^runId: .*500/);
    assert.match(refusal(parseDashboardAction, { type: 'exportPng', png: '<svg onload=alert(1)>' }), /^png: .*base64/);
    assert.match(refusal(parseModelSummaryAction, { type: 'reveal', line: 0 }), /^line: .*>=1/);
    assert.match(refusal(parseFeatureMapsAction, { type: 'follow', on: 'yes' }), /^on: .*boolean/);
    assert.match(refusal(parseFeatureMapsAction, { type: 'request', sample: { kind: 'image', file: '/etc/passwd' }, checkpoint: 'last' }), /^sample\.kind: /);
    assert.match(refusal(parseFeatureMapsAction, { type: 'request', sample: { kind: 'class', classIndex: 1.5 }, checkpoint: 'last' }), /^sample\.classIndex: .*integer/);
    assert.match(refusal(parseFiltersAction, { type: 'compare', left: 'newest', right: null }), /^left: /);
    assert.match(refusal(parseEvaluationAction, { type: 'show', split: 'validation', checkpoint: 'best' }), /^split: /);
    assert.match(refusal(parseEvaluationAction, { type: 'rerun', split: 'val', checkpoint: 'untrained' }), /^checkpoint: /);
    assert.match(refusal(parseEvaluationAction, { type: 'openSample', index: -1 }), /^index: .*>=0/);
    const probe = { type: 'probe', sample: { kind: 'random', seed: 1 }, checkpoint: 'untrained', maxShift: 8, axis: 'x', mode: 'cyclic' };
    assert.ok(parseEquivarianceAction(probe));
    assert.match(refusal(parseEquivarianceAction, { ...probe, maxShift: 33 }), /^maxShift: .*<=32/);
    assert.match(refusal(parseEquivarianceAction, { ...probe, axis: 'z' }), /^axis: /);
    assert.match(refusal(parseEquivarianceAction, { type: 'launch' }), /^type: /);
    assert.match(refusal(parseEquivarianceAction, 'ready'), /object/i);
  });

  it('a problem quoting a huge value stays one short line', () => {
    const why = refusal(parseDashboardAction, { type: 'exportPng', png: '!'.repeat(1_000_000) });
    assert.match(why, /^png: /);
    assert.ok(why.length < 400, `${why.length} characters`);
  });

  it("every kind of message a page posts has its page's schema, and every schema is one a page posts", async () => {
    // The pages scripts/build.mjs bundles.
    const { WEBVIEW_PAGES: entries } = (await import(path.join(ROOT, 'scripts', 'webviewPages.mjs'))) as { WEBVIEW_PAGES: Record<keyof typeof PAGE_ACTION_KINDS, string> };
    assert.deepEqual(Object.keys(entries).sort(), Object.keys(PAGE_ACTION_KINDS).sort(), 'every built page has its schema');
    for (const [page, entry] of Object.entries(entries) as [keyof typeof PAGE_ACTION_KINDS, string][]) {
      const posted = new Set<string>();
      for (const file of pageSources(entry)) {
        const text = fs.readFileSync(file, 'utf8');
        for (const m of text.matchAll(/post(?:Message)?\(\s*\{\s*type:\s*'(\w+)'/g)) posted.add(m[1]);
        // The dataset preview's buttons name the action they post.
        for (const m of text.matchAll(/actionButton\([^,]+,\s*'(\w+)'/g)) posted.add(m[1]);
      }
      assert.deepEqual([...posted].sort(), [...PAGE_ACTION_KINDS[page]].sort(), `${page}: the kinds its code posts`);
    }
  });
});

/** The page's entry and the files under webviews/ it imports, transitively. */
function pageSources(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), m[1]);
      if (!target.startsWith(path.join(ROOT, 'webviews'))) continue;
      for (const candidate of [target, `${target}.ts`, path.join(target, 'index.ts')]) {
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
          visit(candidate);
          break;
        }
      }
    }
  };
  visit(path.join(ROOT, entry));
  return [...seen];
}
