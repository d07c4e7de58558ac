/**
 * Apex sources: each parses with @apexdevtools/apex-parser, is formatted with prettier-plugin-apex, follows the
 * project's Apex conventions (sharing declared, a test class per class, one-line triggers, no test hooks in
 * production code, test names ending in Positive / Negative<Reason>).
 */
import assert from 'node:assert/strict';
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser';
import * as prettier from 'prettier';
import { join } from 'node:path';
import { ROOT, apexFiles, type SourceFile } from './support/project.ts';
import { baseName } from './support/cross-reference.ts';

class CollectingListener extends ApexErrorListener {
  readonly errors: string[] = [];
  apexSyntaxError(line: number, column: number, message: string): void {
    this.errors.push(`${line}:${column} ${message}`);
  }
}

/** Syntax errors of one Apex source, as `line:column message`. */
export function apexSyntaxErrors(source: string, trigger: boolean): string[] {
  const listener = new CollectingListener();
  const { parser } = ApexParserFactory.createLexerAndParser(source, listener);
  if (trigger) parser.triggerUnit();
  else parser.compilationUnit();
  return listener.errors;
}

const files = apexFiles();
const classes = files.filter((f) => f.path.endsWith('.cls'));
const isTest = (file: SourceFile) => /^\s*@isTest\b/im.test(file.text.replace(/\/\*[\s\S]*?\*\//g, ''));
const production = classes.filter((f) => !isTest(f));
const tests = classes.filter(isTest);
const nameOf = (file: SourceFile) => baseName(file.path, '.cls');

describe('force-app Apex sources', () => {
  it('exist: classes, tests and triggers', () => {
    assert.ok(production.length >= 15, `${production.length} production classes`);
    assert.ok(tests.length >= production.length, `${tests.length} test classes`);
    assert.ok(
      files.some((f) => f.path.endsWith('.trigger')),
      'triggers',
    );
  });

  it('parse with @apexdevtools/apex-parser', () => {
    const failures = files.flatMap((file) =>
      apexSyntaxErrors(file.text, file.path.endsWith('.trigger')).map((e) => `${file.path}:${e}`),
    );
    assert.deepEqual(failures, [], failures.join('\n'));
  });

  it('are formatted with prettier-plugin-apex', async () => {
    const unformatted: string[] = [];
    for (const file of files) {
      const path = join(ROOT, file.path);
      const options = (await prettier.resolveConfig(path)) ?? {};
      if (!(await prettier.check(file.text, { ...options, filepath: path }))) unformatted.push(file.path);
    }
    assert.deepEqual(unformatted, [], `run npm run format:\n${unformatted.join('\n')}`);
  });

  it('declare their sharing on every top-level class', () => {
    const missing = classes
      .filter(
        (f) =>
          !/^\s*(?:public|global|private)?\s*(?:virtual\s+|abstract\s+)?(?:with|without|inherited) sharing\s+class\b/m.test(
            f.text,
          ),
      )
      .map((f) => f.path);
    assert.deepEqual(missing, [], missing.join('\n'));
  });

  it('give every production class a test class named <Class>_Tests', () => {
    const testNames = new Set(tests.map(nameOf));
    const untested = production.map(nameOf).filter((name) => !testNames.has(`${name}_Tests`));
    assert.deepEqual(untested, [], `classes without tests: ${untested.join(', ')}`);
  });

  it('keep test hooks out of production code', () => {
    const hooked = production
      .filter((f) => /Test\s*\.\s*isRunningTest\s*\(/i.test(f.text))
      .map((f) => f.path);
    assert.deepEqual(hooked, [], hooked.join('\n'));
  });

  it('keep triggers to one line that hands over to a TriggerHandler', () => {
    for (const file of files.filter((f) => f.path.endsWith('.trigger'))) {
      const body = /\{([\s\S]*)\}/.exec(file.text)?.[1]?.trim() ?? '';
      assert.match(body, /^new \w+TriggerHandler\(\)\.run\(\);$/, `${file.path}: ${body}`);
    }
  });

  it('name test methods ...Positive or ...Negative<Reason>', () => {
    const badNames = tests.flatMap((file) =>
      [...file.text.matchAll(/@isTest\s+static\s+void\s+(\w+)\s*\(/gi)]
        .map((m) => m[1]!)
        .filter((name) => !/(Positive|Negative[A-Z][A-Za-z0-9]*)$/.test(name))
        .map((name) => `${file.path}: ${name}`),
    );
    assert.deepEqual(badNames, [], badNames.join('\n'));
  });

  it('catch syntax errors (the parser check can fail)', () => {
    assert.deepEqual(
      apexSyntaxErrors('public with sharing class Ok { void run() { Integer i = 1; } }', false),
      [],
    );
    assert.ok(apexSyntaxErrors('public class Broken { void run() { Integer i = ; } }', false).length > 0);
    assert.ok(apexSyntaxErrors('trigger T on Account(after update) { new H().run() }', true).length > 0);
  });
});
